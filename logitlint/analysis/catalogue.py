"""The framework API catalogue, as data.

Every row is one function or class, with the facts a rule needs: its qualified names,
which argument is the tensor and which the axis, what it returns, what it expects.
The facts come from ``shared/API-FACTS.md`` (signatures read from the installed
frameworks); adding an API is adding a row here, never an ``if`` in a rule.

Qualified names are *canonical*: ``canonical()`` folds the spellings that reach the
same object (``tensorflow.compat.v1.nn.softmax``, ``tensorflow.keras.losses.X``,
``optax.losses.X``, ``flax.linen.softmax``) onto one name before lookup.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from logitlint.analysis.kinds import Kind, Wrap


class Role(enum.Enum):
    PRODUCER = "producer"  # f(x, axis) -> a kind
    MODULE_PRODUCER = "module producer"  # Cls(axis)(x) -> a kind
    SINK = "sink"  # f(..., logits, ...) expects logits
    SINK_CLASS = "sink class"  # Cls(...)(..., logits, ...) expects logits
    LOG = "log"  # elementwise natural log
    WRAPPER = "wrapper"  # value-preserving: returns its tensor argument's kind
    CONTAINER = "container"  # nn.Sequential: its call returns the last layer's kind


@dataclass(frozen=True)
class Param:
    """A parameter by keyword and, unless keyword-only, by position."""

    name: str
    position: Optional[int]
    aliases: tuple[str, ...] = ()

    @property
    def keywords(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Api:
    names: tuple[str, ...]
    role: Role
    framework: str
    display: str  # how messages name it
    kind: Optional[Kind] = None  # producers: what they return
    input: Optional[Param] = None  # producers, logs, wrappers: the tensor
    axis: Optional[Param] = None  # producers: the normalised axis
    log_form: Optional[str] = None  # producers: the fused log of the output
    logits: Optional[Param] = None  # sinks: the logits parameter (of the call)
    labels: Optional[Param] = None  # sinks: the labels parameter (of the call)
    from_logits: Optional[Param] = None  # sinks expecting logits only when this is True
    family: str = ""  # sinks: "softmax", "sigmoid" or "sampler"
    wrap: Optional[Wrap] = None  # wrappers
    activation: Optional[Param] = None  # module producers whose kind is an argument
    fused: bool = False  # the activation is fused into a layer (Dense): nothing to unwrap


def _p(name: str, position: Optional[int], *aliases: str) -> Param:
    return Param(name, position, aliases)


# --- producers: softmax / sigmoid / their fused log forms -------------------------

_TORCH_INPUT = _p("input", 0)
_TORCH_DIM = _p("dim", 1)
_TF_LOGITS = _p("logits", 0)
_TF_AXIS = _p("axis", 1, "dim")  # TF1 spelled it dim
_X = _p("x", 0)
_X_AXIS = _p("axis", 1)

PRODUCERS: tuple[Api, ...] = (
    # PyTorch (torch/nn/functional.py, torch.special)
    Api(
        ("torch.nn.functional.softmax",),
        Role.PRODUCER,
        "torch",
        "F.softmax",
        Kind.PROBS,
        _TORCH_INPUT,
        _TORCH_DIM,
        "torch.nn.functional.log_softmax",
    ),
    Api(
        ("torch.softmax",),
        Role.PRODUCER,
        "torch",
        "torch.softmax",
        Kind.PROBS,
        _TORCH_INPUT,
        _TORCH_DIM,
        "torch.log_softmax",
    ),
    Api(
        ("torch.special.softmax",),
        Role.PRODUCER,
        "torch",
        "torch.special.softmax",
        Kind.PROBS,
        _TORCH_INPUT,
        _TORCH_DIM,
        "torch.special.log_softmax",
    ),
    Api(
        ("torch.nn.functional.softmin",),
        Role.PRODUCER,
        "torch",
        "F.softmin",
        Kind.PROBS,
        _TORCH_INPUT,
        _TORCH_DIM,
    ),
    Api(
        ("torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit"),
        Role.PRODUCER,
        "torch",
        "torch.sigmoid",
        Kind.SIGMOID_PROBS,
        _TORCH_INPUT,
        None,
        "torch.nn.functional.logsigmoid",
    ),
    Api(
        ("torch.log_softmax", "torch.nn.functional.log_softmax", "torch.special.log_softmax"),
        Role.PRODUCER,
        "torch",
        "F.log_softmax",
        Kind.LOG_PROBS,
        _TORCH_INPUT,
        _TORCH_DIM,
    ),
    Api(
        ("torch.nn.functional.logsigmoid",),
        Role.PRODUCER,
        "torch",
        "F.logsigmoid",
        Kind.LOG_PROBS,
        _TORCH_INPUT,
    ),
    # TensorFlow 1 and 2 (nn_ops.py; tf.math aliases)
    Api(
        ("tensorflow.nn.softmax",),
        Role.PRODUCER,
        "tensorflow",
        "tf.nn.softmax",
        Kind.PROBS,
        _TF_LOGITS,
        _TF_AXIS,
        "tensorflow.nn.log_softmax",
    ),
    Api(
        ("tensorflow.math.softmax",),
        Role.PRODUCER,
        "tensorflow",
        "tf.math.softmax",
        Kind.PROBS,
        _TF_LOGITS,
        _TF_AXIS,
        "tensorflow.math.log_softmax",
    ),
    Api(
        ("tensorflow.nn.sigmoid", "tensorflow.math.sigmoid", "tensorflow.sigmoid"),
        Role.PRODUCER,
        "tensorflow",
        "tf.sigmoid",
        Kind.SIGMOID_PROBS,
        _X,
        None,
        "tensorflow.math.log_sigmoid",
    ),
    Api(
        ("tensorflow.nn.log_softmax", "tensorflow.math.log_softmax"),
        Role.PRODUCER,
        "tensorflow",
        "tf.nn.log_softmax",
        Kind.LOG_PROBS,
        _TF_LOGITS,
        _TF_AXIS,
    ),
    Api(
        ("tensorflow.math.log_sigmoid",),
        Role.PRODUCER,
        "tensorflow",
        "tf.math.log_sigmoid",
        Kind.LOG_PROBS,
        _X,
    ),
    # Keras 2 and 3 (keras/src/activations, keras/src/ops/nn.py, backend)
    Api(
        ("keras.activations.softmax", "keras.backend.softmax"),
        Role.PRODUCER,
        "keras",
        "keras.activations.softmax",
        Kind.PROBS,
        _X,
        _X_AXIS,
    ),
    Api(
        ("keras.activations.sigmoid", "keras.backend.sigmoid"),
        Role.PRODUCER,
        "keras",
        "keras.activations.sigmoid",
        Kind.SIGMOID_PROBS,
        _X,
    ),
    Api(
        ("keras.ops.softmax", "keras.ops.nn.softmax"),
        Role.PRODUCER,
        "keras",
        "keras.ops.softmax",
        Kind.PROBS,
        _X,
        _X_AXIS,
        "keras.ops.log_softmax",
    ),
    Api(
        ("keras.ops.sigmoid", "keras.ops.nn.sigmoid"),
        Role.PRODUCER,
        "keras",
        "keras.ops.sigmoid",
        Kind.SIGMOID_PROBS,
        _X,
        None,
        "keras.ops.log_sigmoid",
    ),
    Api(
        (
            "keras.ops.log_softmax",
            "keras.ops.nn.log_softmax",
            "keras.activations.log_softmax",
        ),
        Role.PRODUCER,
        "keras",
        "keras.ops.log_softmax",
        Kind.LOG_PROBS,
        _X,
        _X_AXIS,
    ),
    Api(
        ("keras.ops.log_sigmoid", "keras.ops.nn.log_sigmoid"),
        Role.PRODUCER,
        "keras",
        "keras.ops.log_sigmoid",
        Kind.LOG_PROBS,
        _X,
    ),
    # JAX and Flax (flax.linen re-exports the jax.nn objects; see canonical())
    Api(
        ("jax.nn.softmax",),
        Role.PRODUCER,
        "jax",
        "jax.nn.softmax",
        Kind.PROBS,
        _X,
        _X_AXIS,
        "jax.nn.log_softmax",
    ),
    Api(
        ("jax.nn.sigmoid",),
        Role.PRODUCER,
        "jax",
        "jax.nn.sigmoid",
        Kind.SIGMOID_PROBS,
        _X,
        None,
        "jax.nn.log_sigmoid",
    ),
    Api(
        ("jax.scipy.special.softmax",),
        Role.PRODUCER,
        "jax",
        "jax.scipy.special.softmax",
        Kind.PROBS,
        _X,
        _p("axis", None),
        "jax.scipy.special.log_softmax",
    ),
    Api(
        ("jax.scipy.special.expit",),
        Role.PRODUCER,
        "jax",
        "jax.scipy.special.expit",
        Kind.SIGMOID_PROBS,
        _X,
        None,
        "jax.nn.log_sigmoid",
    ),
    Api(
        ("jax.nn.log_softmax", "jax.scipy.special.log_softmax"),
        Role.PRODUCER,
        "jax",
        "jax.nn.log_softmax",
        Kind.LOG_PROBS,
        _X,
        _X_AXIS,
    ),
    Api(
        ("jax.nn.log_sigmoid",),
        Role.PRODUCER,
        "jax",
        "jax.nn.log_sigmoid",
        Kind.LOG_PROBS,
        _X,
    ),
    # SciPy (scipy/special/_logsumexp.py; axis=None normalises the whole array)
    Api(
        ("scipy.special.softmax",),
        Role.PRODUCER,
        "scipy",
        "scipy.special.softmax",
        Kind.PROBS,
        _X,
        _X_AXIS,
        "scipy.special.log_softmax",
    ),
    Api(
        ("scipy.special.expit",),
        Role.PRODUCER,
        "scipy",
        "scipy.special.expit",
        Kind.SIGMOID_PROBS,
        _X,
        None,
        "scipy.special.log_expit",
    ),
    Api(
        ("scipy.special.log_softmax",),
        Role.PRODUCER,
        "scipy",
        "scipy.special.log_softmax",
        Kind.LOG_PROBS,
        _X,
        _X_AXIS,
    ),
    Api(
        ("scipy.special.log_expit",),
        Role.PRODUCER,
        "scipy",
        "scipy.special.log_expit",
        Kind.LOG_PROBS,
        _X,
    ),
)

# --- classes whose instances produce a kind when called ---------------------------

MODULE_PRODUCERS: tuple[Api, ...] = (
    Api(("torch.nn.Softmax",), Role.MODULE_PRODUCER, "torch", "nn.Softmax", Kind.PROBS,
        axis=_p("dim", 0), log_form="torch.nn.functional.log_softmax"),
    Api(("torch.nn.Softmin",), Role.MODULE_PRODUCER, "torch", "nn.Softmin", Kind.PROBS,
        axis=_p("dim", 0)),
    Api(("torch.nn.Softmax2d",), Role.MODULE_PRODUCER, "torch", "nn.Softmax2d", Kind.PROBS),
    Api(("torch.nn.Sigmoid",), Role.MODULE_PRODUCER, "torch", "nn.Sigmoid",
        Kind.SIGMOID_PROBS, log_form="torch.nn.functional.logsigmoid"),
    Api(("torch.nn.LogSoftmax",), Role.MODULE_PRODUCER, "torch", "nn.LogSoftmax",
        Kind.LOG_PROBS, axis=_p("dim", 0)),
    Api(("torch.nn.LogSigmoid",), Role.MODULE_PRODUCER, "torch", "nn.LogSigmoid",
        Kind.LOG_PROBS),
    Api(("keras.layers.Softmax",), Role.MODULE_PRODUCER, "keras", "layers.Softmax",
        Kind.PROBS, axis=_p("axis", 0)),
    # kind given by the activation argument ("softmax", tf.nn.sigmoid, ...)
    Api(("keras.layers.Activation",), Role.MODULE_PRODUCER, "keras", "layers.Activation",
        activation=_p("activation", 0)),
    Api(("keras.layers.Dense",), Role.MODULE_PRODUCER, "keras", "layers.Dense",
        activation=_p("activation", 1), fused=True),
)  # fmt: skip

# Tensor methods (torch.Tensor; dim is required for softmax/log_softmax).
TENSOR_METHODS: dict[str, Api] = {
    "softmax": Api(("Tensor.softmax",), Role.PRODUCER, "torch", ".softmax", Kind.PROBS,
                   axis=_p("dim", 0), log_form="log_softmax"),
    "sigmoid": Api(("Tensor.sigmoid",), Role.PRODUCER, "torch", ".sigmoid",
                   Kind.SIGMOID_PROBS, log_form="torch.nn.functional.logsigmoid"),
    "log_softmax": Api(("Tensor.log_softmax",), Role.PRODUCER, "torch", ".log_softmax",
                       Kind.LOG_PROBS, axis=_p("dim", 0)),
}  # fmt: skip

# Methods whose arguments mark a call as a tensor method (not a user object's).
TENSOR_METHOD_AXIS_KEYWORDS = frozenset({"dim", "axis"})

# --- elementwise log ------------------------------------------------------------

LOGS: tuple[Api, ...] = (
    Api(("torch.log",), Role.LOG, "torch", "torch.log", input=_p("input", 0)),
    Api(("tensorflow.math.log", "tensorflow.log"), Role.LOG, "tensorflow", "tf.math.log",
        input=_X),
    Api(("numpy.log",), Role.LOG, "numpy", "np.log", input=_X),
    Api(("jax.numpy.log",), Role.LOG, "jax", "jnp.log", input=_X),
    Api(("keras.ops.log", "keras.backend.log"), Role.LOG, "keras", "keras.ops.log", input=_X),
)  # fmt: skip

LOG_METHOD = "log"

# --- value-preserving wrappers --------------------------------------------------

WRAPPERS: tuple[Api, ...] = (
    Api(("torch.clamp", "torch.clip", "torch.clamp_min"), Role.WRAPPER, "torch", "torch.clamp",
        input=_p("input", 0), wrap=Wrap.CLIP),
    Api(("tensorflow.clip_by_value",), Role.WRAPPER, "tensorflow", "tf.clip_by_value",
        input=_p("t", 0), wrap=Wrap.CLIP),
    Api(("tensorflow.maximum", "tensorflow.math.maximum"), Role.WRAPPER, "tensorflow",
        "tf.maximum", input=_X, wrap=Wrap.CLIP),
    Api(("numpy.clip", "jax.numpy.clip"), Role.WRAPPER, "numpy", "np.clip",
        input=_p("a", 0), wrap=Wrap.CLIP),
    Api(("keras.backend.clip", "keras.ops.clip"), Role.WRAPPER, "keras", "K.clip",
        input=_X, wrap=Wrap.CLIP),
    Api(("tensorflow.cast", "tensorflow.identity", "tensorflow.stop_gradient",
         "tensorflow.reshape", "tensorflow.squeeze", "tensorflow.expand_dims"),
        Role.WRAPPER, "tensorflow", "tf.cast", input=_X, wrap=Wrap.TRANSPARENT),
    Api(("torch.squeeze", "torch.unsqueeze", "torch.flatten", "torch.reshape"),
        Role.WRAPPER, "torch", "torch.reshape", input=_p("input", 0), wrap=Wrap.TRANSPARENT),
    Api(("numpy.asarray", "numpy.squeeze", "numpy.reshape", "jax.numpy.asarray",
         "jax.lax.stop_gradient"),
        Role.WRAPPER, "numpy", "np.asarray", input=_p("a", 0), wrap=Wrap.TRANSPARENT),
)  # fmt: skip

CLIP_METHODS = frozenset({"clamp", "clamp_min", "clip"})
TRANSPARENT_METHODS = frozenset(
    {
        "float", "double", "half", "bfloat16", "to", "type", "type_as", "detach", "clone",
        "contiguous", "cpu", "cuda", "view", "view_as", "reshape", "squeeze", "unsqueeze",
        "flatten", "astype",
    }
)  # fmt: skip
# Methods that return the same module/loss object they are called on.
OBJECT_PRESERVING_METHODS = frozenset({"to", "cuda", "cpu", "float", "double", "half"})

# --- logits-expecting sinks -----------------------------------------------------

_INPUT0 = _p("input", 0)
_TARGET1 = _p("target", 1)
_TF_LABELS0 = _p("labels", 0, "targets")
_TF_LOGITS1 = _p("logits", 1)
_Y_TRUE = _p("y_true", 0)
_Y_PRED = _p("y_pred", 1)
_TARGET0 = _p("target", 0)
_OUTPUT1 = _p("output", 1)
_OPTAX_LOGITS = _p("logits", 0)
_OPTAX_LABELS = _p("labels", 1)

SINKS: tuple[Api, ...] = (
    # PyTorch functional (input first)
    Api(("torch.nn.functional.cross_entropy",), Role.SINK, "torch", "F.cross_entropy",
        logits=_INPUT0, labels=_TARGET1, family="softmax"),
    Api(("torch.nn.functional.binary_cross_entropy_with_logits",), Role.SINK, "torch",
        "F.binary_cross_entropy_with_logits", logits=_INPUT0, labels=_TARGET1,
        family="sigmoid"),
    Api(("torch.nn.functional.multilabel_soft_margin_loss",), Role.SINK, "torch",
        "F.multilabel_soft_margin_loss", logits=_INPUT0, labels=_TARGET1, family="sigmoid"),
    # TensorFlow 2 and compat.v1 (labels first; TF1 rejected positional calls)
    Api(("tensorflow.nn.softmax_cross_entropy_with_logits",
         "tensorflow.nn.softmax_cross_entropy_with_logits_v2"), Role.SINK, "tensorflow",
        "tf.nn.softmax_cross_entropy_with_logits", logits=_TF_LOGITS1, labels=_TF_LABELS0,
        family="softmax"),
    Api(("tensorflow.nn.sparse_softmax_cross_entropy_with_logits",), Role.SINK, "tensorflow",
        "tf.nn.sparse_softmax_cross_entropy_with_logits", logits=_TF_LOGITS1,
        labels=_TF_LABELS0, family="softmax"),
    Api(("tensorflow.nn.sigmoid_cross_entropy_with_logits",), Role.SINK, "tensorflow",
        "tf.nn.sigmoid_cross_entropy_with_logits", logits=_TF_LOGITS1, labels=_TF_LABELS0,
        family="sigmoid"),
    Api(("tensorflow.nn.weighted_cross_entropy_with_logits",), Role.SINK, "tensorflow",
        "tf.nn.weighted_cross_entropy_with_logits", logits=_TF_LOGITS1, labels=_TF_LABELS0,
        family="sigmoid"),
    Api(("tensorflow.losses.softmax_cross_entropy",), Role.SINK, "tensorflow",
        "tf.compat.v1.losses.softmax_cross_entropy", logits=_TF_LOGITS1,
        labels=_p("onehot_labels", 0), family="softmax"),
    Api(("tensorflow.losses.sparse_softmax_cross_entropy",), Role.SINK, "tensorflow",
        "tf.compat.v1.losses.sparse_softmax_cross_entropy", logits=_TF_LOGITS1,
        labels=_p("labels", 0), family="softmax"),
    Api(("tensorflow.losses.sigmoid_cross_entropy",), Role.SINK, "tensorflow",
        "tf.compat.v1.losses.sigmoid_cross_entropy", logits=_TF_LOGITS1,
        labels=_p("multi_class_labels", 0), family="sigmoid"),
    Api(("tensorflow.random.categorical", "tensorflow.multinomial"), Role.SINK, "tensorflow",
        "tf.random.categorical", logits=_p("logits", 0), family="sampler"),
    # Keras losses: logits only when from_logits is literally True; (y_true, y_pred)
    Api(("keras.losses.categorical_crossentropy",), Role.SINK, "keras",
        "keras.losses.categorical_crossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 2), family="softmax"),
    Api(("keras.losses.sparse_categorical_crossentropy",), Role.SINK, "keras",
        "keras.losses.sparse_categorical_crossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 2), family="softmax"),
    Api(("keras.losses.binary_crossentropy",), Role.SINK, "keras",
        "keras.losses.binary_crossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 2), family="sigmoid"),
    Api(("keras.losses.binary_focal_crossentropy",), Role.SINK, "keras",
        "keras.losses.binary_focal_crossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 5), family="sigmoid"),
    Api(("keras.losses.categorical_focal_crossentropy",), Role.SINK, "keras",
        "keras.losses.categorical_focal_crossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 4), family="softmax"),
    # Keras backend (>= 2.0.7) and keras.ops: (target, output)
    Api(("keras.backend.categorical_crossentropy", "keras.ops.categorical_crossentropy",
         "keras.ops.nn.categorical_crossentropy"), Role.SINK, "keras",
        "keras.ops.categorical_crossentropy", logits=_OUTPUT1, labels=_TARGET0,
        from_logits=_p("from_logits", 2), family="softmax"),
    Api(("keras.backend.sparse_categorical_crossentropy",
         "keras.ops.sparse_categorical_crossentropy",
         "keras.ops.nn.sparse_categorical_crossentropy"), Role.SINK, "keras",
        "keras.ops.sparse_categorical_crossentropy", logits=_OUTPUT1, labels=_TARGET0,
        from_logits=_p("from_logits", 2), family="softmax"),
    Api(("keras.backend.binary_crossentropy", "keras.ops.binary_crossentropy",
         "keras.ops.nn.binary_crossentropy"), Role.SINK, "keras",
        "keras.ops.binary_crossentropy", logits=_OUTPUT1, labels=_TARGET0,
        from_logits=_p("from_logits", 2), family="sigmoid"),
    # Optax (logits first)
    Api(("optax.softmax_cross_entropy", "optax.softmax_cross_entropy_with_integer_labels",
         "optax.safe_softmax_cross_entropy", "optax.poly_loss_cross_entropy"), Role.SINK,
        "optax", "optax.softmax_cross_entropy", logits=_OPTAX_LOGITS, labels=_OPTAX_LABELS,
        family="softmax"),
    Api(("optax.sigmoid_binary_cross_entropy", "optax.sigmoid_focal_loss"), Role.SINK,
        "optax", "optax.sigmoid_binary_cross_entropy", logits=_OPTAX_LOGITS,
        labels=_OPTAX_LABELS, family="sigmoid"),
    # JAX sampler (key first)
    Api(("jax.random.categorical",), Role.SINK, "jax", "jax.random.categorical",
        logits=_p("logits", 1), family="sampler"),
)  # fmt: skip

SINK_CLASSES: tuple[Api, ...] = (
    Api(("torch.nn.CrossEntropyLoss",), Role.SINK_CLASS, "torch", "nn.CrossEntropyLoss",
        logits=_INPUT0, labels=_TARGET1, family="softmax"),
    Api(("torch.nn.BCEWithLogitsLoss",), Role.SINK_CLASS, "torch", "nn.BCEWithLogitsLoss",
        logits=_INPUT0, labels=_TARGET1, family="sigmoid"),
    Api(("torch.nn.MultiLabelSoftMarginLoss",), Role.SINK_CLASS, "torch",
        "nn.MultiLabelSoftMarginLoss", logits=_INPUT0, labels=_TARGET1, family="sigmoid"),
    Api(("keras.losses.CategoricalCrossentropy",), Role.SINK_CLASS, "keras",
        "keras.losses.CategoricalCrossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 0), family="softmax"),
    Api(("keras.losses.SparseCategoricalCrossentropy",), Role.SINK_CLASS, "keras",
        "keras.losses.SparseCategoricalCrossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 0), family="softmax"),
    Api(("keras.losses.BinaryCrossentropy",), Role.SINK_CLASS, "keras",
        "keras.losses.BinaryCrossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 0), family="sigmoid"),
    Api(("keras.losses.BinaryFocalCrossentropy",), Role.SINK_CLASS, "keras",
        "keras.losses.BinaryFocalCrossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 3), family="sigmoid"),
    Api(("keras.losses.CategoricalFocalCrossentropy",), Role.SINK_CLASS, "keras",
        "keras.losses.CategoricalFocalCrossentropy", logits=_Y_PRED, labels=_Y_TRUE,
        from_logits=_p("from_logits", 2), family="softmax"),
)  # fmt: skip

CONTAINERS: tuple[Api, ...] = (
    Api(("torch.nn.Sequential",), Role.CONTAINER, "torch", "nn.Sequential"),
    Api(("keras.Sequential", "keras.models.Sequential"), Role.CONTAINER, "keras", "Sequential"),
)

# Activation identifiers given as strings (Keras ``activation="softmax"``).
ACTIVATION_STRINGS: dict[str, Kind] = {
    "softmax": Kind.PROBS,
    "sigmoid": Kind.SIGMOID_PROBS,
    "log_softmax": Kind.LOG_PROBS,
}

# --- canonical names ------------------------------------------------------------

# Prefix rewrites, longest first: spellings that reach the same module.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("tensorflow.compat.v1.keras.", "keras."),
    ("tensorflow.compat.v2.keras.", "keras."),
    ("tensorflow.python.keras.", "keras."),
    ("tensorflow.keras.", "keras."),
    ("tensorflow.compat.v1.", "tensorflow."),
    ("tensorflow.compat.v2.", "tensorflow."),
    ("tf_keras.", "keras."),
    ("keras.api.", "keras."),
    ("keras.src.", "keras."),
    ("optax.losses.", "optax."),
    ("optax._src.loss.", "optax."),
    ("jax._src.nn.functions.", "jax.nn."),
)
_FLAX_REEXPORTS = frozenset({"softmax", "log_softmax", "sigmoid", "log_sigmoid"})
# TF2 made ``tf.losses`` the Keras losses module; lowercase TF1 names stay TF1.
_KERAS_LOSS_NAMES = frozenset(
    {
        "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
        "binary_focal_crossentropy", "categorical_focal_crossentropy",
    }
)  # fmt: skip


@lru_cache(maxsize=4096)  # pure, and asked for every name of every call the rules look at
def canonical(qualname: str) -> str:
    for prefix, replacement in _PREFIXES:
        if qualname.startswith(prefix):
            qualname = replacement + qualname[len(prefix) :]
            break
    for flax in ("flax.linen.", "flax.nnx."):
        if qualname.startswith(flax) and qualname[len(flax) :] in _FLAX_REEXPORTS:
            return "jax.nn." + qualname[len(flax) :]
    if qualname.startswith("tensorflow.losses."):
        leaf = qualname[len("tensorflow.losses.") :]
        if leaf[:1].isupper() or leaf in _KERAS_LOSS_NAMES:
            return "keras.losses." + leaf
    if qualname.startswith("keras.layers.activation."):  # keras 2 module path
        return "keras.layers." + qualname.rsplit(".", 1)[1]
    if qualname.startswith("keras.metrics.") and qualname.endswith("crossentropy"):
        return qualname  # metrics share loss names but are not losses
    return qualname


def _index(*groups: tuple[Api, ...]) -> dict[str, Api]:
    table: dict[str, Api] = {}
    for group in groups:
        for api in group:
            for name in api.names:
                assert name not in table, f"duplicate catalogue name {name}"
                table[name] = api
    return table


BY_NAME: dict[str, Api] = _index(
    PRODUCERS, MODULE_PRODUCERS, LOGS, WRAPPERS, SINKS, SINK_CLASSES, CONTAINERS
)


def lookup(qualname: Optional[str]) -> Optional[Api]:
    if qualname is None:
        return None
    return BY_NAME.get(canonical(qualname))


# Words that must occur in a file for any catalogued producer to be reachable: the
# prefilter's evidence (a producer is always spelled out somewhere in the file).
PRODUCER_WORDS = ("softmax", "sigmoid", "expit")


def leaf_names(*groups: tuple[Api, ...]) -> tuple[str, ...]:
    """The last component of every name of every API in ``groups``, sorted.

    The analysis resolves a callee only through the module's own names: an
    attribute (``F.cross_entropy``), an imported name (``from ... import
    cross_entropy as ce``) or a star-imported one, and ``canonical()`` rewrites
    only module prefixes. So a file that calls one of these APIs spells its leaf
    name out as an identifier somewhere; ``Rule.requires`` builds on that.
    """
    return tuple(
        sorted({name.rsplit(".", 1)[-1] for group in groups for a in group for name in a.names})
    )


# Prefilter evidence (Rule.requires): a logits-expecting sink, or a natural log.
SINK_NAMES = leaf_names(SINKS, SINK_CLASSES)
LOG_NAMES = tuple(sorted({*leaf_names(LOGS), LOG_METHOD}))

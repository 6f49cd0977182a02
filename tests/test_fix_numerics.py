"""The fixes compute what the code meant: checked by running the code, not by reading it.

Each ``Case`` is a small fixture-like module defining ``f``. The test fixes it with
logitlint's own fixer (never a hand-written "fixed" version), then executes both the
original and the fixed module in this process (the linter never does; the test does,
on purpose) and calls ``f`` on random inputs:

- moderate logits: the fixed ``f`` equals the intended computation, written here in
  float64 NumPy (``log_softmax`` for ``log(softmax(x))``, the documented
  cross-entropy for the fused loss on logits); for LGT002 the original agrees with it
  too, so the rewrite is an identity there; for LGT001 the original differs (the
  misuse is real);
- extreme logits (magnitudes around 1e3): the fixed ``f`` is finite and still equals
  the intended value, where the original gives inf/NaN (or, with an epsilon or a
  double softmax, a finite but wrong value); for PyTorch the gradient of the fixed
  ``f`` is finite too.

Rules whose misuse is not about stability check the property the fix restores
instead: an argmax of logits equals the argmax of the softmax (LGT010, "same" at
1e3), the swapped-argument loss equals the correctly ordered call (LGT011), a loss
object called with the tensors equals the functional form where the original raises
or returns a loss object (LGT014), a distribution given the logits has the softmax /
sigmoid probabilities where the original rejects them (LGT013), a one-unit head gives
sigmoid(z) where the softmax gave a constant 1 (LGT012), and a compiled Keras model's
loss equals the cross-entropy of its logits (LGT006).

PyTorch, NumPy and SciPy are required; TensorFlow, Keras, JAX, Optax and Flax cases
skip when those are not installed.

Adding a rule's fix: append ``Case`` rows to ``CASES`` (the rule code, a pattern
name for the report, the framework, the source, the inputs and the float64
reference), or, where a fix cannot be checked by running it, name the rule and the
reason in ``NOT_VERIFIED``. ``test_every_fixable_rule_is_covered`` fails until one
of the two is done for every rule that has fixes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
import pytest

from logitlint.registry import all_codes, all_rules
from logitlint.runner import Settings, fix_source

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")

SETTINGS = Settings(enabled=frozenset(all_codes()))
ROWS, CLASSES = 8, 5
MODERATE, EXTREME = 2.0, 1e3
SAMPLES = 20_000

# --- the intended computations, in float64 ------------------------------------------


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.exp(log_softmax(x, axis))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -np.asarray(x, np.float64))


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """``F.cross_entropy`` / sparse softmax cross-entropy, mean over the batch."""
    picked = np.take_along_axis(log_softmax(logits), labels[:, None].astype(int), axis=1)
    return float(-picked.mean())


def soft_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Cross-entropy against a distribution (one-hot or soft), mean over the batch."""
    return float(-(targets * log_softmax(logits)).sum(axis=-1).mean())


def binary_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """``binary_cross_entropy_with_logits``: elementwise, mean over every element."""
    z = np.asarray(logits, np.float64)
    return float(-(targets * log_sigmoid(z) + (1 - targets) * log_sigmoid(-z)).mean())


# --- inputs -------------------------------------------------------------------------


def make_inputs(kinds: tuple[str, ...], rng: np.random.Generator, scale: float) -> list[Any]:
    """NumPy inputs by kind; logits are scaled, the rest do not depend on the scale."""
    labels = rng.integers(0, CLASSES, size=ROWS)
    made: list[Any] = []
    for kind in kinds:
        if kind == "logits":
            made.append((rng.standard_normal((ROWS, CLASSES)) * scale).astype(np.float32))
        elif kind == "labels":
            made.append(labels)
        elif kind == "onehot":
            made.append(np.eye(CLASSES, dtype=np.float32)[labels])
        elif kind == "soft":
            made.append(softmax(rng.standard_normal((ROWS, CLASSES))).astype(np.float32))
        elif kind == "binary":
            made.append(rng.integers(0, 2, size=(ROWS, CLASSES)).astype(np.float32))
        elif kind == "probs":  # probabilities a model computed, away from 0 and 1
            made.append(rng.uniform(0.05, 0.95, size=(ROWS, CLASSES)).astype(np.float32))
        elif kind == "sign":  # MarginRankingLoss targets
            made.append(rng.choice([-1.0, 1.0], size=ROWS).astype(np.float32))
        else:
            raise ValueError(kind)
    return made


def _to_framework(framework: str, value: np.ndarray) -> Any:
    if framework == "torch":
        return torch.from_numpy(value)
    if framework in ("tensorflow", "tf1"):
        import tensorflow as tf

        return tf.constant(value)
    if framework in ("jax", "optax", "flax"):
        import jax.numpy as jnp

        return jnp.asarray(value)
    if framework == "keras-tf":  # a tf.keras / tf.keras.backend API: TensorFlow tensors
        import tensorflow as tf

        return tf.constant(value)
    if framework == "keras":  # the backend's tensors (NumPy * torch.Tensor would not mix)
        import keras

        return keras.ops.convert_to_tensor(value)
    return value  # numpy, scipy


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


# --- the cases ----------------------------------------------------------------------

REQUIRES = {
    "torch": ("torch",),
    "numpy": ("numpy", "scipy"),
    "tensorflow": ("tensorflow",),
    "tf1": ("tensorflow",),
    "keras": ("keras",),
    "keras-tf": ("keras", "tensorflow"),  # Keras 3 reached through tf.keras
    "jax": ("jax",),
    "optax": ("jax", "optax"),
    "flax": ("jax", "flax", "optax"),
}


@dataclass(frozen=True)
class Case:
    code: str
    pattern: str  # what the closing table calls it, e.g. "log(softmax(x))"
    framework: str  # a key of REQUIRES
    source: str  # a module that defines f(*inputs)
    inputs: tuple[str, ...]  # kinds for make_inputs
    reference: Callable[..., Any]  # float64 NumPy: what f meant, on the NumPy inputs
    unsafe: bool = False  # the fix is applied only with --unsafe-fixes
    # What the original does on extreme logits: "nonfinite" (inf/NaN), "wrong"
    # (finite but far from the intended value), "same" (it happens to be right), or
    # "broken" (it raises, or returns something that is not a number: a loss object).
    extreme: str = "nonfinite"
    atol: float = 1e-4  # fixed vs intended (float32 against float64)
    original_atol: float = 1e-4  # LGT002: original vs intended on moderate logits
    misuse_visible: bool = True  # LGT001: the original differs on moderate logits
    # What the original does on moderate logits, for the rules after LGT002: "equal"
    # (the fix is an identity there), "differ" (the misuse changes the value) or
    # "broken"; "auto" keeps the LGT001/LGT002 reading above.
    before: str = "auto"
    # Keras on the TensorFlow backend recovers the logits that keras.activations /
    # keras.ops softmax and sigmoid outputs keep (``_keras_logits``) and uses them
    # whatever from_logits says: there, the original of such an LGT004/LGT006 case is
    # right, and the fixed one exact at 1e3 too. (tf.nn.softmax, tf.sigmoid and
    # tf.keras.backend.sigmoid outputs keep nothing.)
    keras_tf_logits: bool = False
    # On extreme logits the fixed value equals the intended one ("exact"), or is only
    # finite ("finite": LGT006's from_logits=False on a softmax head, and Keras's
    # BinaryFocalCrossentropy, which applies the sigmoid itself even with
    # from_logits=True; Keras clips the probabilities to [1e-7, 1 - 1e-7], capping
    # each loss term at about 16.1, unless ``keras_tf_logits`` applies).
    fixed_extreme: str = "exact"
    differentiable: bool = True  # an argmax is not: no gradient test

    @property
    def id(self) -> str:
        return f"{self.code}-{self.framework}-{self.pattern}"


_TORCH = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
_TF = "import tensorflow as tf\n\n"
_TF1 = "import tensorflow.compat.v1 as tf\n\n"
_KERAS = "import keras\nfrom keras import ops\n\n"
_JAX = "import jax\nimport jax.numpy as jnp\n\n"
_OPTAX = "import jax\nimport jax.numpy as jnp\nimport optax\n\n"
_FLAX = "import jax.numpy as jnp\nimport optax\nfrom flax import linen as nn\n\n"
_NP = "import numpy as np\nimport scipy.special as sps\n\n"
_NP_SOFTMAX = "import numpy as np\nfrom scipy.special import softmax\n\n"
_NP_EXPIT = "import numpy as np\nfrom scipy.special import expit\n\n"


def _ce(logits: np.ndarray, labels: np.ndarray) -> float:
    return cross_entropy(logits, labels)


def _frequencies(logits: np.ndarray) -> np.ndarray:
    return softmax(logits)


LGT001_CASES = [
    Case("LGT001", "cross_entropy(softmax(x))", "torch", _TORCH + """
def f(logits, labels):
    return F.cross_entropy(F.softmax(logits, dim=1), labels)
""", ("logits", "labels"), _ce, extreme="wrong"),
    Case("LGT001", "cross_entropy(p), p = softmax(x)", "torch", _TORCH + """
def f(logits, labels):
    probs = F.softmax(logits, dim=1)
    confidence = probs.amax(dim=1).mean()
    return F.cross_entropy(probs, labels)
""", ("logits", "labels"), _ce, unsafe=True, extreme="wrong"),
    Case("LGT001", "CrossEntropyLoss()(x.softmax(1))", "torch", _TORCH + """
criterion = nn.CrossEntropyLoss()

def f(logits, labels):
    return criterion(logits.softmax(dim=1), labels)
""", ("logits", "labels"), _ce, extreme="wrong"),
    Case("LGT001", "CrossEntropyLoss()(nn.Softmax(1)(x))", "torch", _TORCH + """
def f(logits, labels):
    return nn.CrossEntropyLoss()(nn.Softmax(dim=1)(logits), labels)
""", ("logits", "labels"), _ce, extreme="wrong"),
    Case("LGT001", "cross_entropy(softmax(x), soft targets)", "torch", _TORCH + """
def f(logits, targets):
    return F.cross_entropy(torch.softmax(logits, -1), targets)
""", ("logits", "soft"), soft_cross_entropy, extreme="wrong"),
    Case("LGT001", "bce_with_logits(sigmoid(z))", "torch", _TORCH + """
def f(logits, targets):
    return F.binary_cross_entropy_with_logits(torch.sigmoid(logits), targets)
""", ("logits", "binary"), binary_cross_entropy, extreme="wrong"),
    Case("LGT001", "BCEWithLogitsLoss()(z.sigmoid())", "torch", _TORCH + """
bce = nn.BCEWithLogitsLoss()

def f(logits, targets):
    return bce(logits.sigmoid(), targets)
""", ("logits", "binary"), binary_cross_entropy, extreme="wrong"),
    Case("LGT001", "multilabel_soft_margin_loss(sigmoid(z))", "torch", _TORCH + """
def f(logits, targets):
    return F.multilabel_soft_margin_loss(torch.sigmoid(logits), targets)
""", ("logits", "binary"), binary_cross_entropy, extreme="wrong"),
    Case("LGT001", "softmax_cross_entropy_with_logits(softmax(x))", "tensorflow", _TF + """
def f(logits, onehot):
    xent = tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=tf.nn.softmax(logits))
    return tf.reduce_mean(xent)
""", ("logits", "onehot"), soft_cross_entropy, extreme="wrong"),
    Case("LGT001", "sparse_softmax_cross_entropy_with_logits(p)", "tensorflow", _TF + """
def f(logits, labels):
    probs = tf.nn.softmax(logits, axis=-1)
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=probs)
    return tf.reduce_mean(xent)
""", ("logits", "labels"), _ce, unsafe=True, extreme="wrong"),
    Case("LGT001", "sigmoid_cross_entropy_with_logits(sigmoid(z))", "tensorflow", _TF + """
def f(logits, targets):
    per_item = tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=tf.sigmoid(logits))
    return tf.reduce_mean(per_item)
""", ("logits", "binary"), binary_cross_entropy, extreme="wrong"),
    Case("LGT001", "random.categorical(softmax(x))", "tensorflow", _TF + f"""
def f(logits):
    draws = tf.random.categorical(tf.nn.softmax(logits), {SAMPLES}, seed=7)
    return tf.reduce_mean(tf.one_hot(draws, {CLASSES}), axis=1)
""", ("logits",), _frequencies, extreme="wrong", atol=0.02),
    Case("LGT001", "losses.softmax_cross_entropy(softmax(x))", "tf1", _TF1 + """
def f(logits, onehot):
    return tf.losses.softmax_cross_entropy(onehot, tf.nn.softmax(logits))
""", ("logits", "onehot"), soft_cross_entropy, extreme="wrong"),
    Case("LGT001", "CategoricalCrossentropy(from_logits)(softmax(x))", "keras", _KERAS + """
def f(logits, onehot):
    loss = keras.losses.CategoricalCrossentropy(from_logits=True)
    return loss(onehot, ops.softmax(logits, axis=-1))
""", ("logits", "onehot"), soft_cross_entropy, extreme="wrong"),
    Case("LGT001", "sparse_categorical_crossentropy(softmax(x), from_logits)", "keras", _KERAS + """
def f(logits, labels):
    per_item = ops.sparse_categorical_crossentropy(labels, ops.softmax(logits), from_logits=True)
    return ops.mean(per_item)
""", ("logits", "labels"), _ce, extreme="wrong"),
    Case("LGT001", "BinaryCrossentropy(from_logits)(sigmoid(z))", "keras", _KERAS + """
def f(logits, targets):
    return keras.losses.BinaryCrossentropy(from_logits=True)(targets, ops.sigmoid(logits))
""", ("logits", "binary"), binary_cross_entropy, extreme="wrong"),
    Case("LGT001", "softmax_cross_entropy(softmax(x))", "optax", _OPTAX + """
def f(logits, onehot):
    return optax.softmax_cross_entropy(jax.nn.softmax(logits), onehot).mean()
""", ("logits", "onehot"), soft_cross_entropy, extreme="wrong"),
    Case("LGT001", "softmax_cross_entropy_with_integer_labels(p)", "optax", _OPTAX + """
def f(logits, labels):
    probs = jax.nn.softmax(logits, axis=-1)
    return optax.softmax_cross_entropy_with_integer_labels(probs, labels).mean()
""", ("logits", "labels"), _ce, unsafe=True, extreme="wrong"),
    Case("LGT001", "sigmoid_binary_cross_entropy(sigmoid(z))", "optax", _OPTAX + """
def f(logits, targets):
    return optax.sigmoid_binary_cross_entropy(jax.nn.sigmoid(logits), targets).mean()
""", ("logits", "binary"), binary_cross_entropy, extreme="wrong"),
    Case("LGT001", "multinomial(p), p = softmax(x)", "tf1", _TF1 + f"""
def f(logits):
    probs = tf.nn.softmax(logits)
    draws = tf.multinomial(probs, {SAMPLES}, seed=7)
    return tf.reduce_mean(tf.one_hot(draws, {CLASSES}), axis=1)
""", ("logits",), _frequencies, unsafe=True, extreme="wrong", atol=0.02),
    Case("LGT001", "softmax_cross_entropy_with_integer_labels(nn.softmax(x))", "flax", _FLAX + """
def f(logits, labels):
    return optax.softmax_cross_entropy_with_integer_labels(nn.softmax(logits), labels).mean()
""", ("logits", "labels"), _ce, extreme="wrong"),
    Case("LGT001", "random.categorical(softmax(x))", "jax", _JAX + f"""
def f(logits):
    key = jax.random.PRNGKey(7)
    draws = jax.random.categorical(key, jax.nn.softmax(logits, axis=-1), shape=({SAMPLES}, {ROWS}))
    return jax.nn.one_hot(draws, {CLASSES}).mean(axis=0)
""", ("logits",), _frequencies, extreme="wrong", atol=0.02),
]  # fmt: skip

LGT002_CASES = [
    Case("LGT002", "log(softmax(x))", "torch", _TORCH + """
def f(logits):
    return torch.log(F.softmax(logits, dim=1))
""", ("logits",), log_softmax),
    Case("LGT002", "softmax(x).log()", "torch", _TORCH + """
def f(logits):
    return logits.softmax(dim=-1).log()
""", ("logits",), log_softmax),
    Case("LGT002", "log(nn.Softmax(1)(x))", "torch", _TORCH + """
def f(logits):
    return torch.log(nn.Softmax(dim=1)(logits))
""", ("logits",), log_softmax),
    Case("LGT002", "log(sigmoid(x))", "torch", "import torch\n\n" + """
def f(logits):
    return torch.log(torch.sigmoid(logits))
""", ("logits",), log_sigmoid),
    Case("LGT002", "log(1 - sigmoid(x))", "torch", _TORCH + """
def f(logits):
    return (1 - logits.sigmoid()).log()
""", ("logits",), lambda x: log_sigmoid(-x)),
    Case("LGT002", "log(softmax(x) + eps)", "torch", _TORCH + """
def f(logits):
    return torch.log(F.softmax(logits, dim=1) + 1e-8)
""", ("logits",), log_softmax, unsafe=True, extreme="wrong", original_atol=1e-3),
    Case("LGT002", "log(p.clamp(min=eps)), p = softmax(x)", "torch", _TORCH + """
def f(logits):
    probs = torch.softmax(logits, -1)
    return torch.log(probs.clamp(min=1e-12))
""", ("logits",), log_softmax, unsafe=True, extreme="wrong"),
    Case("LGT002", "log(softmax(x))", "numpy", _NP_SOFTMAX + """
def f(logits):
    return np.log(softmax(logits, axis=-1))
""", ("logits",), log_softmax),
    Case("LGT002", "log(expit(x))", "numpy", _NP_EXPIT + """
def f(logits):
    return np.log(expit(logits))
""", ("logits",), log_sigmoid),
    Case("LGT002", "log(1 - expit(x))", "numpy", _NP + """
def f(logits):
    return np.log(1.0 - sps.expit(logits))
""", ("logits",), lambda x: log_sigmoid(-x)),
    Case("LGT002", "log(softmax(x) + eps)", "numpy", _NP + """
def f(logits):
    return np.log(sps.softmax(logits, axis=1) + 1e-12)
""", ("logits",), log_softmax, unsafe=True, extreme="wrong"),
    Case("LGT002", "log(softmax(x))", "tensorflow", _TF + """
def f(logits):
    return tf.math.log(tf.nn.softmax(logits, axis=-1))
""", ("logits",), log_softmax),
    Case("LGT002", "log(sigmoid(x))", "tensorflow", _TF + """
def f(logits):
    return tf.math.log(tf.sigmoid(logits))
""", ("logits",), log_sigmoid),
    Case("LGT002", "log(1 - sigmoid(x) + eps)", "tensorflow", _TF + """
def f(logits):
    return tf.math.log(1.0 - tf.sigmoid(logits) + 1e-8)
""", ("logits",), lambda x: log_sigmoid(-x), unsafe=True, extreme="wrong",
        original_atol=1e-3),
    Case("LGT002", "log(softmax(x))", "tf1", _TF1 + """
def f(logits):
    return tf.log(tf.nn.softmax(logits))
""", ("logits",), log_softmax),
    Case("LGT002", "log(1 - sigmoid(x))", "tf1", _TF1 + """
def f(logits):
    return tf.log(1.0 - tf.nn.sigmoid(logits))
""", ("logits",), lambda x: log_sigmoid(-x)),
    Case("LGT002", "log(softmax(x))", "keras", _KERAS + """
def f(logits):
    return ops.log(ops.softmax(logits, axis=-1))
""", ("logits",), log_softmax),
    Case("LGT002", "log(1 - sigmoid(x))", "keras", _KERAS + """
def f(logits):
    return keras.ops.log(1.0 - keras.ops.sigmoid(logits))
""", ("logits",), lambda x: log_sigmoid(-x)),
    Case("LGT002", "log(sigmoid(x) + eps)", "keras", _KERAS + """
def f(logits):
    return keras.ops.log(keras.ops.sigmoid(logits) + 1e-7)
""", ("logits",), log_sigmoid, unsafe=True, extreme="wrong", original_atol=1e-3),
    Case("LGT002", "log(clip(p, eps, 1)), p = expit(x)", "numpy", _NP + """
def f(logits):
    p = sps.expit(logits)
    return np.log(np.clip(p, 1e-7, 1.0))
""", ("logits",), log_sigmoid, unsafe=True, extreme="wrong", original_atol=1e-3),
    Case("LGT002", "log(1 - nn.sigmoid(x))", "flax", _FLAX + """
def f(logits):
    return jnp.log(1.0 - nn.sigmoid(logits))
""", ("logits",), lambda x: log_sigmoid(-x)),
    Case("LGT002", "log(nn.softmax(x) + eps)", "flax", _FLAX + """
def f(logits):
    return jnp.log(nn.softmax(logits) + 1e-9)
""", ("logits",), log_softmax, unsafe=True, extreme="wrong", original_atol=1e-3),
    Case("LGT002", "log(softmax(x))", "jax", _JAX + """
def f(logits):
    return jnp.log(jax.nn.softmax(logits, axis=-1))
""", ("logits",), log_softmax),
    Case("LGT002", "log(sigmoid(x))", "jax", _JAX + """
def f(logits):
    return jnp.log(jax.nn.sigmoid(logits))
""", ("logits",), log_sigmoid),
    Case("LGT002", "log(clip(softmax(x), eps, 1))", "jax", _JAX + """
def f(logits):
    probs = jax.nn.softmax(logits)
    return jnp.log(jnp.clip(probs, 1e-7, 1.0))
""", ("logits",), log_softmax, unsafe=True, extreme="wrong", original_atol=1e-3),
]  # fmt: skip

# --- the rules after LGT002 ----------------------------------------------------------


def sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(log_sigmoid(x))


def onehot_cross_entropy_sum(logits: np.ndarray, onehot: np.ndarray) -> float:
    return float(-(onehot * log_softmax(logits)).sum())


def binary_cross_entropy_probs(probs: np.ndarray, targets: np.ndarray) -> float:
    """``F.binary_cross_entropy`` on probabilities (away from 0 and 1: no clamp)."""
    p = np.asarray(probs, np.float64)
    return float(-(targets * np.log(p) + (1 - targets) * np.log1p(-p)).mean())


def weighted_binary_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, pos_weight: float
) -> np.ndarray:
    z = np.asarray(logits, np.float64)
    return -(pos_weight * targets * log_sigmoid(z) + (1 - targets) * log_sigmoid(-z))


def binary_cross_entropy_rows(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Keras ``binary_crossentropy``: elementwise, then the mean over the last axis."""
    z = np.asarray(logits, np.float64)
    return -(targets * log_sigmoid(z) + (1 - targets) * log_sigmoid(-z)).mean(axis=-1)


def binary_focal(logits: np.ndarray, targets: np.ndarray, gamma: float) -> float:
    """Keras ``BinaryFocalCrossentropy(gamma)`` without class balancing."""
    z = np.asarray(logits, np.float64)
    p = sigmoid(z)
    p_t = targets * p + (1 - targets) * (1 - p)
    bce = -(targets * log_sigmoid(z) + (1 - targets) * log_sigmoid(-z))
    return float(((1 - p_t) ** gamma * bce).mean())


def _argmax(axis: Optional[int]) -> Callable[[np.ndarray], np.ndarray]:
    return lambda logits: np.argmax(np.asarray(logits, np.float64), axis=axis)


def _torch64(value: np.ndarray) -> Any:
    return torch.from_numpy(np.asarray(value, np.float64))


LGT003_CASES = [
    Case("LGT003", "-sum(log(softmax(x) + eps) * onehot).mean()", "torch", _TORCH + """
def f(logits, onehot):
    p = torch.softmax(logits, dim=-1)
    log_p = torch.log(p + 1e-9)
    per_example = torch.sum(log_p * onehot, dim=-1)
    return -per_example.mean()
""", ("logits", "onehot"), soft_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT003", "-torch.sum(onehot * log(clamp(softmax(x))))", "torch", _TORCH + """
def f(logits, onehot, eps=1e-7):
    p = logits.softmax(dim=1).clamp(min=eps)
    return -torch.sum(onehot * torch.log(p))
""", ("logits", "onehot"), onehot_cross_entropy_sum, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong", atol=1e-3),
    Case("LGT003", "nll_loss(log(softmax(x)), y)", "torch", _TORCH + """
def f(scores, y):
    return F.nll_loss(torch.log(F.softmax(scores, dim=1)), y, ignore_index=-1)
""", ("logits", "labels"), _ce, unsafe=True, before="equal"),
    Case("LGT003", "cross_entropy(log(p + eps), y)", "torch", _TORCH + """
def f(logits, y):
    probs = F.softmax(logits, dim=1)
    return F.cross_entropy(torch.log(probs + 1e-8), y)
""", ("logits", "labels"), _ce, unsafe=True, before="equal", original_atol=1e-3,
        extreme="wrong"),
    Case("LGT003", "-(y log(p + eps) + (1 - y) log(1 - p + eps)).mean()", "torch", _TORCH + """
def f(scores, clicked):
    p = torch.sigmoid(scores)
    return -(clicked * torch.log(p + 1e-7) + (1 - clicked) * torch.log(1 - p + 1e-7)).mean()
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT003", "(-y log(p) - (1 - y) log(1 - p)).sum(1).mean()", "torch", _TORCH + """
def f(logits, targets):
    p = logits.sigmoid()
    pos = targets * torch.log(p)
    neg = (1.0 - targets) * torch.log(1.0 - p)
    return (-pos - neg).sum(dim=1).mean()
""", ("logits", "binary"), lambda x, t: binary_cross_entropy(x, t) * CLASSES, unsafe=True,
        before="equal", atol=1e-3, original_atol=1e-3),
    Case("LGT003", "distillation -(q * log(softmax(x / T))).sum(-1).mean() * T * T", "torch",
        _TORCH + """
def f(student_logits, soft_targets, T=3.0):
    student_probs = F.softmax(student_logits / T, dim=-1)
    return -(soft_targets * torch.log(student_probs)).sum(-1).mean() * T * T
""", ("logits", "soft"), lambda x, q: soft_cross_entropy(x / 3.0, q) * 9.0, unsafe=True,
        before="equal", atol=1e-3, original_atol=1e-3),
    Case("LGT003", "-reduce_sum(w * y * log(softmax(x) + eps), 1)", "tensorflow", _TF + """
def f(logits, onehot):
    class_weights = tf.constant([1.0, 2.0, 0.5, 1.0, 3.0])
    probs = tf.math.softmax(logits)
    per_class = class_weights * onehot * tf.math.log(probs + 1e-9)
    return -tf.reduce_sum(per_class, axis=1)
""", ("logits", "onehot"),
        lambda x, y: -(np.array([1.0, 2.0, 0.5, 1.0, 3.0]) * y * log_softmax(x)).sum(axis=1),
        unsafe=True, before="equal", atol=1e-3, original_atol=1e-3, extreme="wrong"),
    Case("LGT003", "-reduce_mean(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z)))", "tensorflow",
        _TF + """
def f(scores, targets):
    p = tf.math.sigmoid(scores)
    ll = targets * tf.math.log(p) + (1 - targets) * tf.math.log(1 - p)
    return -tf.reduce_mean(ll)
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3),
    Case("LGT003", "-reduce_sum(y * log(softmax(x) + eps), 1)", "tf1", _TF1 + """
def f(logits, onehot):
    probs = tf.nn.softmax(logits)
    log_probs = tf.log(probs + 1e-10)
    token_xent = -tf.reduce_sum(onehot * log_probs, 1)
    return tf.reduce_mean(token_xent)
""", ("logits", "onehot"), soft_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT003", "ops.mean(-ops.sum(y * ops.log(ops.softmax(x)), -1))", "keras", _KERAS + """
def f(y_pred, y):
    probs = ops.softmax(y_pred, axis=-1)
    return ops.mean(-ops.sum(y * ops.log(probs), axis=-1))
""", ("logits", "onehot"), soft_cross_entropy, unsafe=True, before="equal"),
    Case("LGT003", "-mean(t log(sigmoid(s) + eps) + (1 - t) log(1 - sigmoid(s) + eps))", "keras",
        _KERAS + """
def f(tag_scores, tag_targets):
    p = keras.ops.sigmoid(tag_scores)
    return -keras.ops.mean(
        tag_targets * keras.ops.log(p + 1e-7) + (1 - tag_targets) * keras.ops.log(1 - p + 1e-7)
    )
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT003", "-mean(sum(log(softmax(x)) * y, 1))", "optax", _OPTAX + """
def f(logits, onehot):
    lp = jnp.log(jax.nn.softmax(logits))
    return -jnp.mean(jnp.sum(lp * onehot, axis=1))
""", ("logits", "onehot"), soft_cross_entropy, unsafe=True, before="equal"),
    Case("LGT003", "-(y log(sigmoid(s)) + (1 - y) log(1 - sigmoid(s))).sum()", "optax", _OPTAX + """
def f(scores, labels):
    p = jax.nn.sigmoid(scores)
    return -(labels * jnp.log(p) + (1.0 - labels) * jnp.log(1.0 - p)).sum()
""", ("logits", "binary"), lambda x, t: binary_cross_entropy(x, t) * ROWS * CLASSES,
        unsafe=True, before="equal", atol=1e-2, original_atol=1e-2),
]  # fmt: skip

LGT004_CASES = [
    Case("LGT004", "binary_cross_entropy(sigmoid(z), reduction='none')", "torch", _TORCH + """
def f(logits, labels):
    flat = logits.view(-1)
    raw = F.binary_cross_entropy(torch.sigmoid(flat), labels.view(-1), reduction="none")
    return raw.view(logits.shape)
""", ("logits", "binary"),
        lambda x, t: -(t * log_sigmoid(x) + (1 - t) * log_sigmoid(-x)),
        before="equal", original_atol=1e-3, extreme="wrong"),
    Case("LGT004", "loss_fn(self.act(z)), loss_fn = BCELoss(reduction='none')", "torch",
        _TORCH + """
class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = nn.Sigmoid()
        self.loss_fn = nn.BCELoss(reduction="none")

    def objectness_loss(self, scores, targets):
        return self.loss_fn(self.act(scores), targets).mean()


def f(logits, targets):
    return Head().objectness_loss(logits, targets)
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT004", "BCELoss()(sigmoid(z).view(-1))", "torch", _TORCH + """
def f(mask_logits, gt_masks):
    return nn.BCELoss()(torch.sigmoid(mask_logits).view(-1), gt_masks.view(-1))
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT004", "binary_cross_entropy(sigmoid(a - b), ones)", "torch", _TORCH + """
def f(scores, other):
    return F.binary_cross_entropy(torch.sigmoid(scores - other), torch.ones_like(scores))
""", ("logits", "logits"), lambda a, b: binary_cross_entropy(a - b, np.ones_like(a)),
        before="equal", original_atol=1e-3, extreme="wrong"),
    Case("LGT004", "bce(p), p = sigmoid(z), bce = BCELoss() at module scope", "torch", _TORCH + """
bce = nn.BCELoss()


def f(logits, labels):
    probs = torch.sigmoid(logits)
    loss = bce(probs, labels)
    accuracy = ((probs > 0.5).float() == labels).float().mean()
    return loss
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT004", "binary_cross_entropy(z.sigmoid(), weight=w)", "torch", _TORCH + """
def f(logits, tags):
    return F.binary_cross_entropy(logits.sigmoid(), tags, weight=tags.new_ones(tags.shape[-1]))
""", ("logits", "binary"), binary_cross_entropy, before="equal", original_atol=1e-3,
        extreme="wrong"),
    Case("LGT004", "binary_cross_entropy(1 - sigmoid(z), 1 - y)", "torch", _TORCH + """
def f(fg_logits, fg_mask):
    return F.binary_cross_entropy(1 - torch.sigmoid(fg_logits), 1 - fg_mask)
""", ("logits", "binary"), lambda x, t: binary_cross_entropy(-x, 1 - t), before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT004", "binary_cross_entropy(sigmoid(z), soft)", "torch", _TORCH + """
def f(student_logits, soft):
    return F.binary_cross_entropy(torch.sigmoid(student_logits), soft)
""", ("logits", "probs"), binary_cross_entropy, before="equal", original_atol=1e-3,
        extreme="wrong"),
    Case("LGT004", "losses.binary_crossentropy(y, act(z), from_logits=False)", "keras-tf", _TF + """
squash = tf.keras.layers.Activation("sigmoid")


def f(logits, y):
    return tf.keras.losses.binary_crossentropy(y, squash(logits), from_logits=False)
""", ("logits", "binary"), lambda x, t: binary_cross_entropy_rows(x, t), before="equal",
        original_atol=1e-3, extreme="wrong", keras_tf_logits=True),
    Case("LGT004", "BinaryFocalCrossentropy(gamma)(y, activations.sigmoid(z))", "keras",
        _KERAS + """
def f(z, y_true):
    return keras.losses.BinaryFocalCrossentropy(gamma=2.0)(y_true, keras.activations.sigmoid(z))
""", ("logits", "binary"), lambda x, t: binary_focal(x, t, 2.0), before="equal",
        original_atol=1e-3, extreme="wrong", keras_tf_logits=True,
        fixed_extreme="finite"),
    Case("LGT004", "ops.binary_crossentropy(t, ops.sigmoid(s))", "keras", _KERAS + """
def f(scores, targets):
    return ops.mean(ops.binary_crossentropy(targets, ops.sigmoid(scores)))
""", ("logits", "binary"), binary_cross_entropy, before="equal", original_atol=1e-3,
        extreme="wrong", keras_tf_logits=True),
    Case("LGT004", "K.binary_crossentropy(y, K.sigmoid(h))", "keras-tf", _TF + """
from tensorflow.keras import backend as K


def f(h, y_true):
    return K.mean(K.binary_crossentropy(y_true, K.sigmoid(h)), axis=-1)
""", ("logits", "binary"), lambda x, t: binary_cross_entropy_rows(x, t), before="equal",
        original_atol=1e-3, extreme="wrong"),
    Case("LGT004", "keras binary_crossentropy(y, sigmoid(z)) via tf.compat.v1", "tf1", _TF1 + """
def f(click_logit, clicks):
    return tf.reduce_mean(tf.keras.losses.binary_crossentropy(clicks, tf.sigmoid(click_logit)))
""", ("logits", "binary"), binary_cross_entropy, before="equal", original_atol=1e-3,
        extreme="wrong"),
]  # fmt: skip

LGT005_CASES = [
    Case("LGT005", "self.criterion(self.softmax(x)), NLLLoss + nn.Softmax(dim=1)", "torch",
        _TORCH + """
class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.softmax = nn.Softmax(dim=1)
        self.criterion = nn.NLLLoss()

    def loss(self, scores, label):
        return self.criterion(self.softmax(scores), label)


def f(logits, labels):
    return Classifier().loss(logits, labels)
""", ("logits", "labels"), _ce, before="differ", extreme="wrong"),
    Case("LGT005", "nll_loss(softmax(x, dim=1), y)", "torch", _TORCH + """
def f(y_hat, y):
    return F.nll_loss(F.softmax(y_hat, dim=1), y)
""", ("logits", "labels"), _ce, before="differ", extreme="wrong"),
    Case("LGT005", "nll_loss(softmax(x), y), implicit dim", "torch", _TORCH + """
def f(out, y):
    return F.nll_loss(F.softmax(out), y)
""", ("logits", "labels"), _ce, before="differ", extreme="wrong"),
    Case("LGT005", "nll_loss(softmax(x, dim=1)) imported by name", "torch", """
import torch
from torch.nn.functional import nll_loss, softmax


def f(head_a, y_cls):
    return nll_loss(softmax(head_a, dim=1), y_cls)
""", ("logits", "labels"), _ce, before="differ", extreme="wrong"),
    Case("LGT005", "nll_loss(p), p = softmax(x, dim=-1)", "torch", _TORCH + """
def f(scores, labels):
    probs = F.softmax(scores, dim=-1)
    return F.nll_loss(probs, labels)
""", ("logits", "labels"), _ce, unsafe=True, before="differ", extreme="wrong"),
]  # fmt: skip


def _keras_model_source(head: str, loss: str) -> str:
    """A Keras 3 model whose last Dense is the identity (its output is the input
    logits, or their softmax/sigmoid), compiled with ``loss``; f returns the compiled
    loss on one batch, as fit() would compute it."""
    return (
        _KERAS
        + f"""
def f(logits, targets):
    model = keras.Sequential([
        keras.layers.Input(({CLASSES},)),
        keras.layers.Dense({CLASSES}, kernel_initializer="identity", {head}),
    ])
    model.compile(optimizer="sgd", loss={loss})
    return model.compute_loss(x=logits, y=targets, y_pred=model(logits))
"""
    )


def smoothed_cross_entropy(logits: np.ndarray, onehot: np.ndarray, smoothing: float) -> float:
    return soft_cross_entropy(logits, onehot * (1 - smoothing) + smoothing / CLASSES)


LGT006_CASES = [
    Case("LGT006", "softmax head, SparseCategoricalCrossentropy(from_logits=True)", "keras",
        _keras_model_source('activation="softmax"',
                            "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"),
        ("logits", "labels"), _ce, unsafe=True, before="differ", extreme="wrong",
        fixed_extreme="finite", keras_tf_logits=True, atol=1e-3),
    Case("LGT006", "linear head, loss=categorical_crossentropy (function)", "keras",
        _keras_model_source('activation="linear"', "keras.losses.categorical_crossentropy"),
        ("logits", "onehot"), soft_cross_entropy, unsafe=True, before="differ",
        extreme="wrong", atol=1e-3),
    Case("LGT006", "linear head, loss='sparse_categorical_crossentropy'", "keras",
        _keras_model_source("activation=None", '"sparse_categorical_crossentropy"'),
        ("logits", "labels"), _ce, unsafe=True, before="differ", extreme="wrong", atol=1e-3),
    Case("LGT006", "linear head, loss='binary_crossentropy'", "keras",
        _keras_model_source("use_bias=False", '"binary_crossentropy"'),
        ("logits", "binary"), binary_cross_entropy, unsafe=True, before="differ",
        extreme="wrong", atol=1e-3),
    Case("LGT006", "log_softmax head, loss='sparse_categorical_crossentropy'", "keras",
        _keras_model_source('activation="log_softmax"', '"sparse_categorical_crossentropy"'),
        ("logits", "labels"), _ce, unsafe=True, before="differ", extreme="wrong", atol=1e-3),
    Case("LGT006", "linear head, CategoricalCrossentropy(from_logits=False, smoothing)", "keras",
        _keras_model_source(
            'bias_initializer="zeros"',
            "keras.losses.CategoricalCrossentropy(from_logits=False, label_smoothing=0.1)"),
        ("logits", "onehot"), lambda x, y: smoothed_cross_entropy(x, y, 0.1), unsafe=True,
        before="differ", extreme="wrong", atol=1e-3),
    Case("LGT006", "call() ends in ops.softmax, CategoricalCrossentropy(from_logits=True)", "keras",
        _KERAS + """
class SoftmaxHead(keras.Model):
    def __init__(self, classes):
        super().__init__()
        self.proj = keras.layers.Dense(classes, kernel_initializer="identity")

    def call(self, x):
        return ops.softmax(self.proj(x))


def f(logits, targets):
    head = SoftmaxHead(5)
    head.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    return head.compute_loss(x=logits, y=targets, y_pred=head(logits))
""", ("logits", "onehot"), soft_cross_entropy, unsafe=True, before="differ",
        extreme="wrong", fixed_extreme="finite", keras_tf_logits=True, atol=1e-3),
    Case("LGT006", "tf.keras Dense(activation=tf.nn.softmax), from_logits=True", "keras-tf",
        _TF + f"""
def f(logits, targets):
    digits = tf.keras.models.Sequential([
        tf.keras.layers.Input(({CLASSES},)),
        tf.keras.layers.Dense({CLASSES}, kernel_initializer="identity", activation=tf.nn.softmax),
    ])
    digits.compile(
        optimizer="adam",
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return digits.compute_loss(x=logits, y=targets, y_pred=digits(logits))
""", ("logits", "labels"), _ce, unsafe=True, before="differ", extreme="wrong",
        fixed_extreme="finite", atol=1e-3),
]  # fmt: skip


def logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, np.float64)
    top = x.max(axis=axis, keepdims=True)
    return (top + np.log(np.exp(x - top).sum(axis=axis, keepdims=True))).squeeze(axis)


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, np.asarray(x, np.float64))


LGT008_CASES = [
    Case("LGT008", "exp(x) / exp(x).sum(dim, keepdim=True)", "torch", _TORCH + """
def f(scores):
    return torch.exp(scores) / torch.exp(scores).sum(dim=-1, keepdim=True)
""", ("logits",), softmax, unsafe=True, before="equal"),
    Case("LGT008", "x.exp().sum(-1).log()", "torch", _TORCH + """
def f(scores):
    return scores.exp().sum(-1).log()
""", ("logits",), logsumexp, unsafe=True, before="equal"),
    Case("LGT008", "log(sum(exp(x), dim))", "torch", _TORCH + """
def f(emissions):
    return torch.log(torch.sum(torch.exp(emissions), dim=1))
""", ("logits",), lambda x: logsumexp(x, 1), unsafe=True, before="equal"),
    Case("LGT008", "log(1 + exp(x))", "torch", _TORCH + """
def f(rho):
    return torch.log(1 + torch.exp(rho))
""", ("logits",), softplus, unsafe=True, before="equal"),
    Case("LGT008", "log1p(exp(x))", "torch", _TORCH + """
def f(margins):
    return torch.log1p(torch.exp(margins)).mean()
""", ("logits",), lambda x: softplus(x).mean(), unsafe=True, before="equal"),
    Case("LGT008", "log(1 + exp(z))", "numpy", _NP + """
def f(z):
    return np.log(1 + np.exp(z))
""", ("logits",), softplus, unsafe=True, before="equal"),
    Case("LGT008", "log1p(exp(z))", "numpy", _NP + """
def f(margin):
    return np.log1p(np.exp(margin))
""", ("logits",), softplus, unsafe=True, before="equal"),
    Case("LGT008", "exp(x) / reduce_sum(exp(x), keepdims=True)", "tensorflow", _TF + """
def f(z):
    return tf.exp(z) / tf.reduce_sum(tf.exp(z), axis=-1, keepdims=True)
""", ("logits",), softmax, unsafe=True, before="equal"),
    Case("LGT008", "e / reduce_sum(e, 1, keep_dims=True)", "tf1", _TF1 + """
def f(logits):
    e = tf.exp(logits)
    return e / tf.reduce_sum(e, 1, keep_dims=True)
""", ("logits",), softmax, unsafe=True, before="equal"),
    Case("LGT008", "log(1 + exp(x))", "tensorflow", _TF + """
def f(x):
    return tf.reduce_sum(tf.math.log(1.0 + tf.exp(x)), axis=1)
""", ("logits",), lambda x: softplus(x).sum(axis=1), unsafe=True, before="equal",
        atol=1e-3),
    Case("LGT008", "log(reduce_sum(exp(x), axis))", "tensorflow", _TF + """
def f(scores):
    return tf.math.log(tf.reduce_sum(tf.exp(scores), axis=1))
""", ("logits",), lambda x: logsumexp(x, 1), unsafe=True, before="equal"),
    Case("LGT008", "compat.v1.log(1 + exp(x))", "tensorflow", _TF + """
def f(x):
    return tf.compat.v1.log(1 + tf.exp(x))
""", ("logits",), softplus, unsafe=True, before="equal"),
    Case("LGT008", "exp(x) / sum(exp(x), axis, keepdims=True)", "jax",
        "import jax.numpy as jnp\n\n" + """
def f(scores):
    return jnp.exp(scores) / jnp.sum(jnp.exp(scores), axis=-1, keepdims=True)
""", ("logits",), softmax, unsafe=True, before="equal"),
    Case("LGT008", "log(sum(exp(-x), axis=0))", "jax", "import jax.numpy as jnp\n\n" + """
def f(energies):
    return jnp.log(jnp.sum(jnp.exp(-energies), axis=0))
""", ("logits",), lambda x: logsumexp(-x, 0), unsafe=True, before="equal"),
    Case("LGT008", "log1p(exp(1 - x))", "jax", "import jax.numpy as jnp\n\n" + """
def f(margins):
    return jnp.log1p(jnp.exp(1.0 - margins))
""", ("logits",), lambda x: softplus(1.0 - x), unsafe=True, before="equal"),
    Case("LGT008", "e / ops.sum(e, keepdims=True)", "keras", _KERAS + """
def f(x):
    e = ops.exp(x)
    return e / ops.sum(e, axis=-1, keepdims=True)
""", ("logits",), softmax, unsafe=True, before="equal"),
    Case("LGT008", "ops.log(1 + ops.exp(x))", "keras", _KERAS + """
def f(x):
    return ops.log(1 + ops.exp(x))
""", ("logits",), softplus, unsafe=True, before="equal"),
]  # fmt: skip

LGT010_CASES = [
    Case("LGT010", "argmax(softmax(x, dim=1), dim=1)", "torch", _TORCH + """
def f(outputs):
    return torch.argmax(F.softmax(outputs, dim=1), dim=1)
""", ("logits",), _argmax(1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "self.to_probs(h).argmax(dim=-1), to_probs = nn.Softmax(-1)", "torch",
        _TORCH + """
class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.to_probs = nn.Softmax(dim=-1)

    def greedy_action(self, scores):
        return self.to_probs(scores).argmax(dim=-1)


def f(logits):
    return Policy().greedy_action(logits)
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "argmax(p, dim=-1), p = softmax(x, dim=-1)", "torch", _TORCH + """
def f(logits):
    probs = F.softmax(logits, dim=-1)
    return torch.argmax(probs, dim=-1)
""", ("logits",), _argmax(-1), unsafe=True, before="equal", extreme="same",
        differentiable=False),
    Case("LGT010", "x.softmax(-1).argmax(-1)", "torch", _TORCH + """
def f(step_logits):
    return step_logits.softmax(-1).argmax(-1)
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "F.softmax(x, 1).argmax(1)", "torch", _TORCH + """
def f(seg_logits):
    return F.softmax(seg_logits, 1).argmax(1)
""", ("logits",), _argmax(1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "np.argmax(special.softmax(x, axis=1), axis=1)", "numpy", """
import numpy as np
from scipy import special


def f(scores):
    return np.argmax(special.softmax(scores, axis=1), axis=1)
""", ("logits",), _argmax(1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "np.argmax(special.softmax(x)), whole array", "numpy", """
import numpy as np
from scipy import special


def f(scores):
    return np.argmax(special.softmax(scores))
""", ("logits",), _argmax(None), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "special.softmax(x, axis=-1).argmax(axis=-1)", "numpy", """
from scipy import special


def f(scores):
    return special.softmax(scores, axis=-1).argmax(axis=-1)
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "jnp.argmax(jax.nn.softmax(x), axis=-1)", "jax", _JAX + """
def f(logits):
    return jnp.argmax(jax.nn.softmax(logits), axis=-1)
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "jnp.argmax(nn.softmax(x, axis=-1), -1)", "flax", _FLAX + """
def f(logits):
    return jnp.argmax(nn.softmax(logits, axis=-1), -1)
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "tf.argmax(p, axis=-1), p = tf.nn.softmax(x)", "tensorflow", _TF + """
def f(logits):
    probs = tf.nn.softmax(logits)
    return tf.argmax(probs, axis=-1)
""", ("logits",), _argmax(-1), unsafe=True, before="equal", extreme="same",
        differentiable=False),
    Case("LGT010", "tf.math.argmax(tf.nn.softmax(x, axis=1), axis=1)", "tensorflow", _TF + """
def f(scores):
    return tf.math.argmax(tf.nn.softmax(scores, axis=1), axis=1)
""", ("logits",), _argmax(1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "tf.argmax(tf.nn.softmax(x, axis=1), dimension=1)", "tf1", _TF1 + """
def f(hidden):
    return tf.argmax(tf.nn.softmax(hidden * 1.0 + 0.0, axis=1), dimension=1)
""", ("logits",), _argmax(1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "tf.argmax(layers.Softmax()(x), -1)", "keras-tf", _TF + """
def f(features):
    return tf.argmax(tf.keras.layers.Softmax()(features), -1)
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "ops.argmax(ops.softmax(x), axis=-1)", "keras", _KERAS + """
def f(batch):
    return keras.ops.argmax(keras.ops.softmax(batch), axis=-1)
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
    Case("LGT010", "K.argmax(K.softmax(x))", "keras-tf", _TF + """
from tensorflow.keras import backend as K


def f(outputs):
    return K.argmax(K.softmax(outputs))
""", ("logits",), _argmax(-1), before="equal", extreme="same", differentiable=False),
]  # fmt: skip


def _rows_ce(logits: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Per-example cross-entropy against a distribution (no reduction)."""
    return -(onehot * log_softmax(logits)).sum(axis=-1)


def _rows_sparse_ce(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return -np.take_along_axis(log_softmax(logits), labels[:, None].astype(int), axis=1)[:, 0]


def _info_nce(query: np.ndarray) -> float:
    sims = np.asarray(query, np.float64) @ np.asarray(query, np.float64).T / 10.0
    return cross_entropy(sims, np.arange(ROWS))


LGT011_CASES = [
    Case("LGT011", "self.criterion(label, self.model(x)), CrossEntropyLoss", "torch", _TORCH + """
class Net(nn.Module):
    def forward(self, x):
        return x * 1.0


class Trainer:
    def __init__(self):
        self.model = Net()
        self.criterion = nn.CrossEntropyLoss()

    def step(self, x, label):
        return self.criterion(label, self.model(x))


def f(logits, labels):
    return Trainer().step(logits, labels)
""", ("logits", "labels"), _ce, unsafe=True, before="broken", extreme="broken"),
    Case("LGT011", "cross_entropy(target_probs, model(x))", "torch", _TORCH + """
def soft_target_step(model, x, target_probs):
    output = model(x)
    return F.cross_entropy(target_probs, output)


def f(logits, target_probs):
    return soft_target_step(nn.Identity(), logits, target_probs)
""", ("logits", "soft"), soft_cross_entropy, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT011", "binary_cross_entropy_with_logits(labels, logits)", "torch", _TORCH + """
def f(logits, labels):
    batch = {"labels": labels}
    return F.binary_cross_entropy_with_logits(batch["labels"].float(), logits)
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="differ",
        extreme="wrong"),
    Case("LGT011", "cross_entropy(arange(n), logits)", "torch", _TORCH + """
def f(query, temperature=10.0):
    logits = query @ query.T / temperature
    return F.cross_entropy(torch.arange(logits.shape[0]), logits)
""", ("logits",), _info_nce, unsafe=True, before="broken", extreme="broken", atol=1e-3),
    Case("LGT011", "binary_cross_entropy(y_true, y_pred)", "torch", _TORCH + """
def f(y_true, y_pred):
    return F.binary_cross_entropy(y_true, y_pred)
""", ("binary", "probs"), lambda y, p: binary_cross_entropy_probs(p, y), unsafe=True,
        before="differ", extreme="wrong"),
    Case("LGT011", "BCEWithLogitsLoss(pos_weight)(targets, outputs)", "torch", _TORCH + """
def f(outputs, targets):
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0]))
    return loss_fn(targets, outputs)
""", ("logits", "binary"), lambda x, t: weighted_binary_cross_entropy(x, t, 2.0).mean(),
        unsafe=True, before="differ", extreme="wrong"),
    Case("LGT011", "softmax_cross_entropy_with_logits(logits, onehot), TF 0.x order", "tensorflow",
        _TF + """
def f(logits, targets):
    onehot = tf.one_hot(targets, 5)
    return tf.nn.softmax_cross_entropy_with_logits(logits, onehot)
""", ("logits", "labels"), lambda x, y: _rows_ce(x, np.eye(CLASSES)[y]), unsafe=True,
        before="differ", extreme="wrong"),
    Case("LGT011", "sigmoid_cross_entropy_with_logits(logits, targets)", "tensorflow", _TF + """
def f(conf_logits, conf_targets):
    return tf.nn.sigmoid_cross_entropy_with_logits(conf_logits, conf_targets)
""", ("logits", "binary"), lambda x, t: weighted_binary_cross_entropy(x, t, 1.0),
        unsafe=True, before="differ", extreme="wrong"),
    Case("LGT011", "sparse_softmax_cross_entropy_with_logits(dense(h), labels)", "tensorflow",
        _TF + """
def f(hidden, labels):
    scores = tf.keras.layers.Dense(5, kernel_initializer="identity")(hidden)
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(scores, labels))
""", ("logits", "labels"), _ce, unsafe=True, before="broken", extreme="broken"),
    Case("LGT011", "compat.v1.losses.softmax_cross_entropy(logits, onehot)", "tensorflow", _TF + """
def f(model_out, onehot_labels):
    return tf.compat.v1.losses.softmax_cross_entropy(model_out, onehot_labels)
""", ("logits", "onehot"), soft_cross_entropy, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT011", "weighted_cross_entropy_with_logits(logits, labels, pos_weight)", "tensorflow",
        _TF + """
def f(outputs, tag_labels):
    weighted = tf.nn.weighted_cross_entropy_with_logits(outputs, tag_labels, pos_weight=3.0)
    return tf.reduce_mean(weighted)
""", ("logits", "binary"), lambda x, t: weighted_binary_cross_entropy(x, t, 3.0).mean(),
        unsafe=True, before="differ", extreme="wrong"),
    Case("LGT011", "K.categorical_crossentropy(y_pred, y_true)", "keras-tf", _TF + """
from tensorflow.keras import backend as K


def f(y_true, y_pred):
    return K.categorical_crossentropy(y_pred, y_true)
""", ("onehot", "soft"), lambda y, p: -(y * np.log(p)).sum(axis=-1), unsafe=True,
        before="differ", extreme="wrong"),
    Case("LGT011", "losses.categorical_crossentropy(y_pred, y_true)", "keras", _KERAS + """
def f(y_true, y_pred):
    return keras.losses.categorical_crossentropy(y_pred, y_true)
""", ("onehot", "soft"), lambda y, p: -(y * np.log(p)).sum(axis=-1), unsafe=True,
        before="differ", extreme="wrong"),
    Case("LGT011", "bce(fake_output, ones_like(fake_output)), from_logits=True", "keras-tf",
        _TF + """
from tensorflow import keras

bce = keras.losses.BinaryCrossentropy(from_logits=True)


def f(fake_output):
    return bce(fake_output, tf.ones_like(fake_output))
""", ("logits",), lambda x: binary_cross_entropy(x, np.ones_like(x)), unsafe=True,
        before="differ", extreme="wrong"),
    Case("LGT011", "K.sparse_categorical_crossentropy(logits, labels, from_logits)", "keras-tf",
        _TF + """
from tensorflow.keras import backend as K


def f(logits, labels):
    return K.sparse_categorical_crossentropy(logits, labels, from_logits=True)
""", ("logits", "labels"), _rows_sparse_ce, unsafe=True, before="broken", extreme="broken"),
    Case("LGT011", "losses.sparse_categorical_crossentropy(model(x), np.asarray(labels))", "keras",
        _KERAS + """
import numpy as np


def f(y_pred, labels):
    batch = {"label": labels}
    return keras.losses.sparse_categorical_crossentropy(y_pred, np.asarray(batch["label"]))
""", ("soft", "labels"), lambda p, y: -np.log(np.take_along_axis(p, y[:, None], 1)[:, 0]),
        unsafe=True, before="broken", extreme="broken"),
    Case("LGT011", "softmax_cross_entropy(one_hot(labels), logits)", "optax", _OPTAX + """
def f(logits, labels):
    labels_onehot = jax.nn.one_hot(labels, 5)
    return optax.softmax_cross_entropy(labels_onehot, logits).mean()
""", ("logits", "labels"), _ce, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT011", "softmax_cross_entropy_with_integer_labels(labels, logits)", "optax",
        _OPTAX + """
def f(logits, labels):
    return optax.softmax_cross_entropy_with_integer_labels(labels, logits).mean()
""", ("logits", "labels"), _ce, unsafe=True, before="broken", extreme="broken"),
    Case("LGT011", "sigmoid_binary_cross_entropy(targets, scores)", "optax", _OPTAX + """
def f(scores, targets):
    return optax.sigmoid_binary_cross_entropy(targets, scores).mean()
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="differ",
        extreme="wrong"),
]  # fmt: skip


def _one_unit_sigmoid(x: np.ndarray) -> np.ndarray:
    """A one-unit head with weights 1 and bias 0: P(positive) = sigmoid(sum(x))."""
    return sigmoid(np.asarray(x, np.float64).sum(axis=-1, keepdims=True))


_ONES = """
def _ones(linear):
    with torch.no_grad():
        linear.weight.fill_(1.0)
        linear.bias.zero_()
    return linear
"""

LGT012_CASES = [
    Case("LGT012", "Sequential(..., Linear(k, 1), Softmax(dim=-1))", "torch", _TORCH + _ONES + f"""

def f(x):
    binary_head = nn.Sequential(
        nn.Linear({CLASSES}, 1),
        nn.Softmax(dim=-1),
    )
    _ones(binary_head[0])
    return binary_head(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "F.softmax(self.out(h), dim=-1), out = Linear(k, 1)", "torch",
        _TORCH + _ONES + f"""

class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear({CLASSES}, 1)
        _ones(self.out)

    def forward(self, x):
        return F.softmax(self.out(x), dim=-1)


def f(x):
    return Scorer()(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "x * g.softmax(-1), g = Linear(k, 1)(x)", "torch", _TORCH + _ONES + f"""

class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear({CLASSES}, 1)
        _ones(self.proj)

    def forward(self, x):
        g = self.proj(x)
        return x * g.softmax(-1)


def f(x):
    return Gate()(x)
""", ("logits",), lambda x: x * _one_unit_sigmoid(x), unsafe=True, before="differ",
        extreme="wrong"),
    Case("LGT012", "Sequential(backbone, Linear(k, 1), Softmax(-1))", "torch", _TORCH + _ONES + f"""

def build_detector(backbone):
    return nn.Sequential(backbone, nn.Linear({CLASSES}, 1), nn.Softmax(-1))


def f(x):
    model = build_detector(nn.Identity())
    _ones(model[1])
    return model(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "Dense(1, activation='softmax')", "keras-tf", _TF + f"""
def f(x):
    imdb = tf.keras.Sequential([
        tf.keras.layers.Input(({CLASSES},)),
        tf.keras.layers.Dense(1, kernel_initializer="ones", activation="softmax"),
    ])
    return imdb(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "Dense(N, activation=tf.nn.softmax), N = 1", "keras-tf", _TF + f"""
from tensorflow.keras import layers

N_OUTPUTS = 1


def f(x):
    transfer = tf.keras.Sequential()
    transfer.add(layers.Input(({CLASSES},)))
    transfer.add(layers.Dense(N_OUTPUTS, kernel_initializer="ones", activation=tf.nn.softmax))
    return transfer(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "Dense(units=1, activation=keras.activations.softmax)", "keras", _KERAS + f"""
def f(x):
    churn = keras.Sequential([
        keras.layers.Input(({CLASSES},)),
        keras.layers.Dense(
            units=1, kernel_initializer="ones", activation=keras.activations.softmax
        ),
    ])
    return churn(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "Dense(1) then Activation('softmax')", "keras", _KERAS + f"""
def f(x):
    stack = keras.models.Sequential()
    stack.add(keras.layers.Input(({CLASSES},)))
    stack.add(keras.layers.Dense(1, kernel_initializer="ones"))
    stack.add(keras.layers.Activation("softmax"))
    return stack(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "functional Softmax()(Dense(1)(h))", "keras", _KERAS + f"""
def f(x):
    features = keras.Input(shape=({CLASSES},))
    score = keras.layers.Dense(1, kernel_initializer="ones")(features)
    prob = keras.layers.Softmax()(score)
    clicks = keras.Model(features, prob)
    return clicks(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "tf.nn.softmax(layers.Dense(1)(h))", "keras-tf", _TF + """
from tensorflow.keras import layers


def f(h):
    return tf.nn.softmax(layers.Dense(1, kernel_initializer="ones", name="default")(h))
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT012", "from keras.layers import *; Dense(1, activation='softmax')(x)", "keras", """
from keras.layers import *
from keras.models import Model


def f(x):
    inputs = Input(shape=(5,))
    weights = Dense(1, kernel_initializer="ones", activation="softmax")(inputs)
    return Model(inputs, weights)(x)
""", ("logits",), _one_unit_sigmoid, unsafe=True, before="differ", extreme="wrong"),
]  # fmt: skip

_IDENTITY = """
def _identity(linear):
    with torch.no_grad():
        linear.weight.copy_(torch.eye(linear.in_features))
        linear.bias.zero_()
    return linear
"""

LGT013_CASES = [
    Case("LGT013", "Categorical(self.actor(h))", "torch", _TORCH + _IDENTITY + f"""
from torch.distributions import Categorical


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.actor = nn.Linear({CLASSES}, {CLASSES})
        _identity(self.actor)

    def act(self, h):
        action_logits = self.actor(h)
        dist = Categorical(action_logits)
        return dist.probs


def f(x):
    return ActorCritic().act(x)
""", ("logits",), softmax, before="broken", extreme="broken"),
    Case("LGT013", "Categorical(policy(x)), forward returns Sequential(Linear)", "torch",
        _TORCH + _IDENTITY + f"""
from torch.distributions import Categorical


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear({CLASSES}, {CLASSES}))
        _identity(self.net[0])

    def forward(self, x):
        return self.net(x)


policy = Policy()


def f(state):
    probs = policy(state)
    m = Categorical(probs)
    return m.log_prob(torch.zeros(state.shape[0], dtype=torch.long))
""", ("logits",), lambda x: log_softmax(x)[:, 0], before="broken", extreme="broken"),
    Case("LGT013", "Bernoulli(probs=self.gate(h).squeeze(-1))", "torch", _TORCH + _ONES + f"""
from torch.distributions import Bernoulli


class Selector(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = nn.Linear({CLASSES}, 1)
        _ones(self.gate)

    def forward(self, h):
        gate = Bernoulli(probs=self.gate(h).squeeze(-1))
        return gate.probs


def f(x):
    return Selector()(x)
""", ("logits",), lambda x: _one_unit_sigmoid(x)[:, 0], before="broken", extreme="broken"),
    Case("LGT013", "OneHotCategorical(self.score(h))", "torch", _TORCH + _IDENTITY + f"""
from torch.distributions import OneHotCategorical


class Chooser(nn.Module):
    def __init__(self):
        super().__init__()
        self.score = nn.Linear({CLASSES}, {CLASSES})
        _identity(self.score)

    def choose(self, h):
        return OneHotCategorical(self.score(h)).probs


def f(x):
    return Chooser().choose(x)
""", ("logits",), softmax, before="broken", extreme="broken"),
    Case("LGT013", "binary_cross_entropy(Linear(x), y)", "torch", _TORCH + _IDENTITY + f"""
class MaskPredictor(nn.Module):
    def __init__(self):
        super().__init__()
        self.flat = nn.Linear({CLASSES}, {CLASSES})
        _identity(self.flat)

    def loss(self, pooled, target):
        pred = self.flat(pooled)
        return F.binary_cross_entropy(pred, target.float())


def f(x, target):
    return MaskPredictor().loss(x, target)
""", ("logits", "binary"), binary_cross_entropy, unsafe=True, before="broken",
        extreme="broken"),
    Case("LGT013", "losses.sparse_categorical_crossentropy(y, linear model(x))", "keras",
        _KERAS + f"""
inputs = keras.Input(shape=({CLASSES},))
logits = keras.layers.Dense({CLASSES}, kernel_initializer="identity")(inputs)
model = keras.Model(inputs, logits)


def f(x, y):
    out = model(x, training=True)
    return keras.losses.sparse_categorical_crossentropy(y, out)
""", ("logits", "labels"), _rows_sparse_ce, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT013", "categorical_crossentropy(y, Dense(linear)(h), from_logits=False)", "keras",
        _KERAS + f"""
def f(features, onehot):
    head = keras.layers.Dense({CLASSES}, kernel_initializer="identity", activation="linear")
    z = head(features)
    return keras.losses.categorical_crossentropy(onehot, z, from_logits=False)
""", ("logits", "onehot"), _rows_ce, unsafe=True, before="differ", extreme="wrong"),
    Case("LGT013", "ops.categorical_crossentropy(y, Dense(linear)(h))", "keras", _KERAS + f"""
def f(features, onehot):
    head = keras.layers.Dense({CLASSES}, kernel_initializer="identity", activation="linear")
    z = head(features)
    return keras.ops.categorical_crossentropy(onehot, z)
""", ("logits", "onehot"), _rows_ce, unsafe=True, before="differ", extreme="wrong"),
]  # fmt: skip


def _margin_ranking(a: np.ndarray, b: np.ndarray, target: np.ndarray) -> float:
    return float(np.maximum(0.0, -target * (a[:, 0] - b[:, 0])).mean())


def _triplet(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> float:
    a, p, n = (np.asarray(v, np.float64) for v in (anchor, positive, negative))
    d_ap = np.linalg.norm(a - p + 1e-6, axis=1)
    d_an = np.linalg.norm(a - n + 1e-6, axis=1)
    return float(np.maximum(d_ap - d_an + 0.3, 0.0).mean())


_CTC = """
def _ctc_inputs(logits, labels):
    log_probs = F.log_softmax(logits, dim=-1).unsqueeze(1)
    targets = (labels[:3] % 4 + 1).unsqueeze(0)
    return log_probs, targets, torch.tensor([logits.shape[0]]), torch.tensor([3])
"""


def _ctc(logits: np.ndarray, labels: np.ndarray) -> float:
    """The functional form, in float64: what ``nn.CTCLoss()(...)`` must equal."""
    namespace: dict[str, Any] = {"F": torch.nn.functional, "torch": torch}
    exec(_CTC, namespace)
    args = namespace["_ctc_inputs"](_torch64(logits), torch.from_numpy(labels))
    return float(torch.nn.functional.ctc_loss(*args))


LGT014_CASES = [
    Case("LGT014", "CrossEntropyLoss(outputs, labels)", "torch", _TORCH + """
def f(outputs, labels):
    return nn.CrossEntropyLoss(outputs, labels)
""", ("logits", "labels"), _ce, before="broken", extreme="broken"),
    Case("LGT014", "torch.nn.CrossEntropyLoss(logits, y, ignore_index=-1)", "torch", _TORCH + """
def f(logits, y):
    return torch.nn.CrossEntropyLoss(logits, y, ignore_index=-1)
""", ("logits", "labels"), _ce, before="broken", extreme="broken"),
    Case("LGT014", "MSELoss(predicted, actual)", "torch", _TORCH + """
def f(predicted_delta, actual_delta):
    return nn.MSELoss(predicted_delta, actual_delta)
""", ("logits", "logits"), lambda a, b: ((a.astype(np.float64) - b) ** 2).mean(),
        before="broken", extreme="broken"),
    Case("LGT014", "BCEWithLogitsLoss(model(x), tags.float())", "torch", """
import torch
from torch.nn import BCEWithLogitsLoss


def f(logits, tags):
    model = torch.nn.Identity()
    return BCEWithLogitsLoss(model(logits), tags.float())
""", ("logits", "binary"), binary_cross_entropy, before="broken", extreme="broken"),
    Case("LGT014", "MarginRankingLoss(a, b, target)", "torch", _TORCH + """
def f(pos, neg, target):
    score_pos, score_neg = pos[:, 0], neg[:, 0]
    return nn.MarginRankingLoss(score_pos, score_neg, target)
""", ("logits", "logits", "sign"), _margin_ranking, before="broken", extreme="broken"),
    Case("LGT014", "TripletMarginLoss(a, p, n, margin=0.3)", "torch", _TORCH + """
def f(anchor, positive, negative):
    return nn.TripletMarginLoss(anchor, positive, negative, margin=0.3)
""", ("logits", "logits", "logits"), _triplet, before="broken", extreme="broken", atol=1e-3),
    Case("LGT014", "CTCLoss(log_probs, targets, input_lengths, target_lengths)", "torch",
        _TORCH + _CTC + """

def f(logits, labels):
    log_probs, targets, input_lengths, target_lengths = _ctc_inputs(logits, labels)
    return nn.CTCLoss(log_probs, targets, input_lengths, target_lengths)
""", ("logits", "labels"), _ctc, before="broken", extreme="broken", atol=1e-3),
    Case("LGT014", "CategoricalCrossentropy(y_true, y_pred)", "keras-tf", _TF + """
def f(y_true, y_pred):
    return tf.keras.losses.CategoricalCrossentropy(y_true, y_pred)
""", ("onehot", "soft"), lambda y, p: float(-(y * np.log(p)).sum(axis=-1).mean()),
        before="broken", extreme="broken"),
    Case("LGT014", "BinaryCrossentropy(y_true, y_pred, sample_weight=0.8)", "keras-tf", _TF + """
from tensorflow.keras import losses


def f(y_true, y_pred):
    return losses.BinaryCrossentropy(y_true, y_pred, sample_weight=0.8)
""", ("binary", "probs"), lambda y, p: 0.8 * binary_cross_entropy_probs(p, y),
        before="broken", extreme="broken"),
    Case("LGT014", "SparseCategoricalCrossentropy(y_true, y_pred)", "keras", _KERAS + """
def f(y_true, y_pred):
    return keras.losses.SparseCategoricalCrossentropy(y_true, y_pred)
""", ("labels", "soft"), lambda y, p: float(-np.log(np.take_along_axis(p, y[:, None], 1)).mean()),
        before="broken", extreme="broken"),
    Case("LGT014", "MeanSquaredError(x, x_hat)", "keras", _KERAS + """
def f(x, x_hat):
    return keras.losses.MeanSquaredError(x, x_hat)
""", ("logits", "logits"), lambda a, b: ((a.astype(np.float64) - b) ** 2).mean(),
        before="broken", extreme="broken"),
]  # fmt: skip

# The hook for the other rules: append their Case rows here (or in a list above).
CASES: list[Case] = [
    *LGT001_CASES,
    *LGT002_CASES,
    *LGT003_CASES,
    *LGT004_CASES,
    *LGT005_CASES,
    *LGT006_CASES,
    *LGT008_CASES,
    *LGT010_CASES,
    *LGT011_CASES,
    *LGT012_CASES,
    *LGT013_CASES,
    *LGT014_CASES,
]

# Rules whose fixes cannot be checked by running them, and why (shown in the report).
NOT_VERIFIED: dict[str, str] = {
    "LGT100": "its fix only edits a noqa comment; there is no computation to compare",
    "LGT009": "its fix is display-only (the right dim is a human's call); never applied",
    "LGT007": "its fix is display-only (dropping the activation from forward/call changes "
    "every other caller of the model); --fix never applies it",
}

# Patterns of covered rules that have a fix but no Case, and why (for the report; the
# test below checks that the rule is covered, not this list).
PATTERNS_NOT_RUN: dict[str, str] = {
    "LGT003 numpy": "no fix: SciPy has no fused cross-entropy (the message suggests one)",
    "LGT004 torch (F.binary_cross_entropy on clamp(sigmoid))": "no fix offered (clip)",
    "LGT006 hf_transformers (TF*ForSequenceClassification.compile)": "needs transformers "
    "and downloaded checkpoints; the same rewrite (string loss -> "
    "SparseCategoricalCrossentropy(from_logits=True)) runs here on a Keras 3 linear head",
    "LGT006 / LGT012 tf_keras (Keras 2 package)": "tf_keras is not installed anywhere; the "
    "same rewrites run here through keras and tf.keras (Keras 3)",
    "LGT006 Keras 1 Model(input=, output=)": "Keras 3 rejects the Keras 1 keywords, so "
    "the original cannot be built",
    "LGT012 tf1 (tf.layers.dense, tf.contrib.layers)": "TF 2.21 with Keras 3 has no "
    "tf.compat.v1.layers.dense and no tf.contrib; the same activation swap runs on Keras",
    "LGT013 huggingface (outputs.logits)": "needs transformers and a checkpoint; the same "
    "rewrites (Categorical(logits=...), binary_cross_entropy_with_logits) run on nn.Linear",
}


# --- the harness --------------------------------------------------------------------


def _require(case: Case) -> None:
    for module in REQUIRES[case.framework]:
        pytest.importorskip(module)


def _load(source: str, label: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"__name__": f"logitlint_case_{label}"}
    exec(compile(source, f"<{label}>", "exec"), namespace)  # the test runs code on purpose
    return namespace["f"]


def _fixed_source(case: Case) -> str:
    source = textwrap.dedent(case.source)
    safe = fix_source(source, "case.py", SETTINGS, unsafe=False)
    full = fix_source(source, "case.py", SETTINGS, unsafe=True)
    assert not full.internal_errors, full.internal_errors
    # The applicability is part of what is verified: a safe fix is applied by --fix
    # alone; an unsafe one only with --unsafe-fixes.
    assert safe.changed is not case.unsafe, f"expected a {'un' if case.unsafe else ''}safe fix"
    assert full.fixed[case.code] >= 1, full.fixed
    assert not [d for d in full.result.diagnostics if d.code == case.code], full.text
    return full.text


def _keras_on_tf() -> bool:
    import keras

    return bool(keras.backend.backend() == "tensorflow")


def _keras_corrects(case: Case) -> bool:
    """Keras 3 on the TensorFlow backend uses the logits a softmax/sigmoid output keeps
    (``_keras_logits``), so the LGT001 misuse is harmless there and only there; the
    same holds for the LGT004 cases marked ``keras_tf_logits``."""
    if not case.framework.startswith("keras"):
        return False
    if case.code != "LGT001" and not case.keras_tf_logits:
        return False
    return _keras_on_tf()


def _call(f: Callable[..., Any], case: Case, inputs: list[np.ndarray]) -> np.ndarray:
    with np.errstate(all="ignore"):  # the originals divide by zero on purpose
        return _to_numpy(f(*(_to_framework(case.framework, value) for value in inputs)))


def _attempt(f: Callable[..., Any], case: Case, inputs: list[np.ndarray]) -> Optional[np.ndarray]:
    """The original's value, or None where it raises or returns no number (a loss
    object built with tensors, a distribution given invalid probabilities)."""
    try:
        return _call(f, case, inputs)
    except Exception:  # any failure of the original is what is checked
        return None


def _close(actual: np.ndarray, expected: Any, atol: float) -> bool:
    return bool(np.allclose(actual, np.asarray(expected, np.float64), rtol=1e-5, atol=atol))


def _check_moderate_original(case: Case, before: Optional[np.ndarray], intended: Any) -> None:
    expected = case.before
    if expected == "auto":
        # LGT002: the rewrite is an identity where the original is exact; Keras on
        # TensorFlow recovers the logits itself
        if case.code == "LGT002" or _keras_corrects(case):
            expected = "equal"
        else:
            expected = "differ" if case.misuse_visible else "any"
        tolerance = case.original_atol if case.code == "LGT002" else case.atol
    else:
        tolerance = case.original_atol
        if expected == "differ" and _keras_corrects(case):
            expected = "equal"
    if expected == "broken":
        assert before is None, before
    elif expected == "equal":
        assert before is not None and _close(before, intended, tolerance), (before, intended)
    elif expected == "differ":
        assert before is None or not _close(before, intended, tolerance), (before, intended)


def _check_extreme_original(case: Case, before: Optional[np.ndarray], intended: Any) -> None:
    tolerance = max(case.atol, 1e-3)
    if _keras_corrects(case):
        assert before is not None and _close(before, intended, tolerance), before
    elif case.extreme == "broken":
        assert before is None, before
    elif case.extreme == "nonfinite":
        assert before is not None and not np.all(np.isfinite(before)), before
    elif case.extreme == "wrong":
        assert before is not None and np.all(np.isfinite(before)), before
        assert not _close(before, intended, tolerance), before
    elif case.extreme == "same":
        assert before is not None and _close(before, intended, tolerance), before


@pytest.mark.filterwarnings("ignore:.*from_logits=True.*:UserWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore:.*size_average and reduce args.*:UserWarning")
@pytest.mark.filterwarnings("ignore:Implicit dimension choice.*:UserWarning")
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fix_computes_the_intended_value(case: Case) -> None:
    _require(case)
    fixed_source = _fixed_source(case)
    original = _load(textwrap.dedent(case.source), f"{case.id} original")
    fixed = _load(fixed_source, f"{case.id} fixed")
    rng = np.random.default_rng(20261122)

    moderate = make_inputs(case.inputs, rng, MODERATE)
    intended = case.reference(*moderate)
    got = _call(fixed, case, moderate)
    assert _close(got, intended, case.atol), (fixed_source, got, intended)
    _check_moderate_original(case, _attempt(original, case, moderate), intended)

    extreme = make_inputs(case.inputs, rng, EXTREME)
    intended = case.reference(*extreme)
    got = _call(fixed, case, extreme)
    assert np.all(np.isfinite(got)), (fixed_source, got)
    if case.fixed_extreme == "exact" or _keras_corrects(case):
        assert _close(got, intended, max(case.atol, 1e-3)), (fixed_source, got, intended)
    _check_extreme_original(case, _attempt(original, case, extreme), intended)


@pytest.mark.filterwarnings("ignore:Implicit dimension choice.*:UserWarning")
@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.framework == "torch" and c.differentiable and "logits" in c.inputs],
    ids=lambda case: case.id,
)
def test_fixed_torch_gradient_is_finite_on_extreme_logits(case: Case) -> None:
    fixed = _load(_fixed_source(case), f"{case.id} fixed")
    rng = np.random.default_rng(7)
    inputs = [torch.from_numpy(v) for v in make_inputs(case.inputs, rng, EXTREME)]
    logits = inputs[case.inputs.index("logits")].requires_grad_(True)
    fixed(*inputs).sum().backward()
    assert logits.grad is not None and bool(torch.isfinite(logits.grad).all())


def test_every_fixable_rule_is_covered() -> None:
    """A rule with fixes has numeric cases, or a stated reason in NOT_VERIFIED."""
    fixable = {rule.code for rule in all_rules() if rule.fix_availability != "none"}
    covered = {case.code for case in CASES} | set(NOT_VERIFIED)
    missing = sorted(fixable - covered)
    assert not missing, f"add Case rows to tests/test_fix_numerics.py for {missing}"


def test_original_log_softmax_gradient_is_nan_without_the_fix() -> None:
    """Why the fix matters in training: the unfused form's gradient is NaN at 1e3."""
    logits = torch.tensor([[0.0, -1e3, 1e3]], requires_grad=True)
    torch.log(torch.softmax(logits, dim=-1)).sum().backward()
    assert logits.grad is not None and bool(torch.isnan(logits.grad).any())


RESHAPED_SOURCES = {
    "LGT005 nll_loss(flat), flat = softmax(x).view(-1, C)": _TORCH
    + """
def f(logits, labels):
    probs = logits.softmax(-1)
    flat = probs.view(-1, probs.size(-1))
    return F.nll_loss(flat, labels.view(-1))
""",
    "LGT001 cross_entropy(sel), sel = softmax(x)[:, 0]": _TORCH
    + """
def f(logits, labels):
    probs = F.softmax(logits, dim=-1)
    sel = probs[:, 0]
    return F.cross_entropy(sel, labels[:, 0])
""",
}


@pytest.mark.parametrize("label", sorted(RESHAPED_SOURCES))
def test_a_fix_through_a_reshaped_variable_keeps_the_shape(label: str) -> None:
    """``flat = probs.view(...)`` / ``sel = probs[:, 0]``: replacing the name by the
    logits dropped the view or the index (a crash on 3-D logits, or a loss over the
    wrong rows). Either no fix, or one that runs and computes the cross-entropy."""
    source = textwrap.dedent(RESHAPED_SOURCES[label])
    result = fix_source(source, "case.py", SETTINGS, unsafe=True)
    fixed = _load(result.text, label)
    rng = np.random.default_rng(3)
    logits = torch.from_numpy(rng.standard_normal((4, 3, CLASSES)).astype(np.float32))
    labels = torch.from_numpy(rng.integers(0, CLASSES, size=(4, 3)))
    value = fixed(logits, labels)  # the broken fix raised here
    if result.changed:
        flat = logits.reshape(-1, CLASSES) if "view" in label else logits[:, 0]
        target = labels.reshape(-1) if "view" in label else labels[:, 0]
        expected = torch.nn.functional.cross_entropy(flat, target)
        assert torch.allclose(value, expected, atol=1e-5), (result.text, value, expected)

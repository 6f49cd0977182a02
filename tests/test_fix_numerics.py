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
from typing import Any, Callable

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
    return value  # numpy, scipy, keras (keras.ops take NumPy arrays on every backend)


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
    # (finite but far from the intended value), or "same" (it happens to be right).
    extreme: str = "nonfinite"
    atol: float = 1e-4  # fixed vs intended (float32 against float64)
    original_atol: float = 1e-4  # LGT002: original vs intended on moderate logits
    misuse_visible: bool = True  # LGT001: the original differs on moderate logits

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

# The hook for the other rules: append their Case rows here (or in a list above).
CASES: list[Case] = [*LGT001_CASES, *LGT002_CASES]

# Rules whose fixes cannot be checked by running them, and why (shown in the report).
NOT_VERIFIED: dict[str, str] = {
    "LGT100": "its fix only edits a noqa comment; there is no computation to compare",
    "LGT009": "its fix is display-only (the right dim is a human's call); never applied",
    # The rules below were merged in the session that wrote them; their fixes are
    # checked by the golden files (text) but not yet by running the fixed code.
    "LGT003": "not yet run: fused loss vs hand-written cross-entropy (next session)",
    "LGT004": "not yet run: BCE-with-logits vs BCE on sigmoid (next session)",
    "LGT005": "not yet run: nll_loss(log_softmax) vs nll_loss(softmax) (next session)",
    "LGT006": "Keras model configuration; needs Keras, absent in CI (next session)",
    "LGT008": "not yet run: softmax/logsumexp/softplus vs the manual forms (next session)",
    "LGT010": "not yet run: argmax of logits vs argmax of softmax (next session)",
    "LGT012": "Keras/torch model configuration: sigmoid head vs softmax head (next session)",
    "LGT014": "not yet run: Loss()(a, b) vs Loss(a, b), which raises (next session)",
    # Merged with the integration of rules-d; nothing here has run their fixes yet.
    "LGT007": "its fix is display-only (forward without the activation); never applied",
    "LGT011": "not yet run: keyword call vs the swapped positional call (next session)",
    "LGT013": "not yet run: Categorical(logits=x) / with-logits loss vs probs (next session)",
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


def _keras_corrects(case: Case) -> bool:
    """Keras 3 on the TensorFlow backend uses the logits a softmax/sigmoid output keeps
    (``_keras_logits``), so the LGT001 misuse is harmless there and only there."""
    if case.framework != "keras" or case.code != "LGT001":
        return False
    import keras

    return bool(keras.backend.backend() == "tensorflow")


def _call(f: Callable[..., Any], case: Case, inputs: list[np.ndarray]) -> np.ndarray:
    with np.errstate(all="ignore"):  # the originals divide by zero on purpose
        return _to_numpy(f(*(_to_framework(case.framework, value) for value in inputs)))


def _close(actual: np.ndarray, expected: Any, atol: float) -> bool:
    return bool(np.allclose(actual, np.asarray(expected, np.float64), rtol=1e-5, atol=atol))


@pytest.mark.filterwarnings("ignore:.*from_logits=True.*:UserWarning")
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
    before = _call(original, case, moderate)
    if case.code == "LGT002":  # the rewrite is an identity where the original is exact
        assert _close(before, intended, case.original_atol), (before, intended)
    elif _keras_corrects(case):  # Keras on TensorFlow recovers the logits itself
        assert _close(before, intended, case.atol), (before, intended)
    elif case.misuse_visible:  # the misuse changed the value
        assert not _close(before, intended, case.atol), (before, intended)

    extreme = make_inputs(case.inputs, rng, EXTREME)
    intended = case.reference(*extreme)
    got = _call(fixed, case, extreme)
    assert np.all(np.isfinite(got)), (fixed_source, got)
    assert _close(got, intended, max(case.atol, 1e-3)), (fixed_source, got, intended)
    before = _call(original, case, extreme)
    if _keras_corrects(case):
        assert _close(before, intended, max(case.atol, 1e-3)), before
    elif case.extreme == "nonfinite":
        assert not np.all(np.isfinite(before)), before
    elif case.extreme == "wrong":
        assert not _close(before, intended, max(case.atol, 1e-3)), before


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.framework == "torch"], ids=lambda case: case.id
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

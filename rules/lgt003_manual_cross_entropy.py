"""LGT003: cross-entropy assembled by hand from softmax/sigmoid probabilities."""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from logitlint.analysis.catalogue import LOG_NAMES, PRODUCER_WORDS
from logitlint.analysis.expressions import ManualCrossEntropy as Found
from logitlint.diagnostics import Severity
from logitlint.rewrite import fused_cross_entropy, snippet
from logitlint.rule import FixSpec, Rule

# Where no fused cross-entropy exists (SciPy has no categorical one).
_SUGGESTION = "`-(y * scipy.special.log_softmax(x, axis)).sum(axis)`"


class ManualCrossEntropy(Rule):
    code = "LGT003"
    name = "manual-cross-entropy"
    summary = "Cross-entropy written by hand as `-sum(y * log(p))` on softmax/sigmoid output"
    severity = Severity.WARNING
    fix_availability = "sometimes"
    triggers = PRODUCER_WORDS
    requires_calls = (LOG_NAMES,)  # every form takes the log of a probability
    what = """
A cross-entropy computed from probabilities: `-reduce_sum(y * log(softmax(x)), axis=1)`
and its `reduce_mean`, `-(y * p.log()).sum(1).mean()`, `np.sum` / `jnp.sum` /
`torch.sum` / `keras.ops.sum` forms, the binary form
`-(y * log(p) + (1 - y) * log(1 - p))` with `p = sigmoid(x)`, and a loss given
`log(softmax(x))` (`F.nll_loss`, `nn.NLLLoss`, `F.cross_entropy`,
`tf.nn.softmax_cross_entropy_with_logits`). The pieces may sit in different
statements (`p = softmax(x)`, `ll = log(p)`, `loss = -reduce_sum(y * ll, 1)`) or in
local functions (a model function returning softmax, a `cross_entropy(y_pred,
y_true)` helper whose callers pass it), in either operand order, with an epsilon or
clip around `p`, the minus inside or outside the reductions. The diagnostic covers
the whole loss; the `log` inside it is not also reported as LGT002.

Not reported: the entropy of a distribution with itself (`-(p * log(p)).sum()`) and
focal-style weights computed from `p` (those are LGT002's `log` of softmax), entropy
of data histograms (no softmax or sigmoid in sight), GAN losses that take the log of
two different discriminator outputs, and log-likelihoods that are not negated.
"""
    why = """
`log(softmax(x))` underflows: with logits `[0, 200]`, `softmax` gives `[0, 1]` and its
log `[-inf, 0]`; a one-hot label on the first class makes the loss `inf` and every
gradient NaN. An epsilon (`log(p + 1e-8)`) or a clip hides the NaN but caps the loss
at about 18.4 and zeroes the gradient of exactly the examples the model gets most
wrong. The fused losses compute `logsumexp(x) - x[y]` directly and stay exact (100
for the example above). The TF1 MNIST tutorial that spread `-reduce_sum(y_ *
log(y_conv))` warned that it "can be numerically unstable".
"""
    instead = """
The framework's cross-entropy on the logits: `F.cross_entropy(x, y)` (class
probabilities are accepted as targets) or `F.binary_cross_entropy_with_logits(x, y)`;
`tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x)` or
`tf.nn.sigmoid_cross_entropy_with_logits`; `keras.ops.categorical_crossentropy(y, x,
from_logits=True)`; `optax.softmax_cross_entropy(x, y)` or
`optax.sigmoid_binary_cross_entropy`. The fix keeps the original reductions and is
unsafe: check the class axis and the reduction. It is display-only when the
reduction cannot be matched (a mean over the class axis, extra weights, a scale).
"""
    bad = """
import tensorflow as tf

def loss_fn(logits, onehot):
    probs = tf.nn.softmax(logits)
    return tf.reduce_mean(-tf.reduce_sum(onehot * tf.math.log(probs), axis=1))
"""
    good = """
import tensorflow as tf

def loss_fn(logits, onehot):
    xent = tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=logits)
    return tf.reduce_mean(xent)
"""

    def __init__(self, context: object) -> None:
        super().__init__(context)  # type: ignore[arg-type]
        self._covered: set[int] = set()  # log calls already inside a reported loss

    def visit_Call(self, node: cst.Call) -> None:
        self._check(node)

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        self._check(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self._check(node)

    def _check(self, node: Union[cst.Call, cst.UnaryOperation, cst.BinaryOperation]) -> None:
        site = self.site
        assert site is not None
        found = self.analysis.expressions.manual_cross_entropy(node, site, self.shadowed)
        if found is None or any(id(log) in self._covered for log in found.logs):
            return  # the outermost expression of a loss is visited, and reported, first
        self._covered.update(id(log) for log in found.logs)
        fix = self._fix(found)
        self.report(node, self._message(found, fix), fix, supersedes={"LGT002": found.logs})

    def _message(self, found: Found, fix: Optional[FixSpec]) -> str:
        prov = found.probs.provenance
        assert prov is not None
        what = "binary cross-entropy" if found.form == "binary" else "cross-entropy"
        act = "sigmoid" if found.form == "binary" else "softmax"
        source = f"{act} output `{snippet(self.context.module, prov.producer)}`"
        line = f" ({self.where(prov.producer)})"
        if found.form == "loss":
            head = f"`{found.loss_display}` of `log` of {source}{line} is a hand-written {what}"
        else:
            head = f"hand-written {what} on {source}{line}"
        instead = fix.message if fix is not None else _SUGGESTION
        return f"{head}: the log underflows to -inf; use {instead}"

    def _fix(self, found: Found) -> Optional[FixSpec]:
        site = self.site
        assert site is not None
        rewrite = fused_cross_entropy(self.analysis, self.context.module, found, site)
        return rewrite.fix(f"`{rewrite.text}` on the logits") if rewrite else None

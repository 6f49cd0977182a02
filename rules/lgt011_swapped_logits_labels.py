"""LGT011: a loss called with its prediction and labels in the wrong positional order."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis import ArgumentRole, LossUse
from logitlint.analysis.calls import positional_args
from logitlint.analysis.catalogue import LOSS_WORDS, Param
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import snippet
from logitlint.rule import FixSpec, NodeEdit, Rule


class SwappedLogitsLabels(Rule):
    code = "LGT011"
    name = "swapped-logits-labels"
    summary = "A loss is given its prediction and labels in the wrong positional order"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    triggers = LOSS_WORDS
    what = """
A loss called with two positional tensors whose order is swapped against that
framework's signature, judged by what the arguments evidently are: PyTorch takes
`(input, target)`, TF2's `tf.nn.*_cross_entropy_with_logits` and
`tf.compat.v1.losses.*` take `(labels, logits)`, Keras losses `(y_true, y_pred)`, the
Keras backend (≥ 2.0.7) and `keras.ops` `(target, output)`, optax `(logits, labels)`.
It covers TF 0.x code `softmax_cross_entropy_with_logits(logits, labels)` and the
Keras-1-era `K.categorical_crossentropy(y_pred, y_true)`.

It reports only with evidence on both arguments — a prediction in the labels slot
(named `logits`, `pred`, `y_pred`, `output(s)`, `out`, `y_hat`, `scores`, or the
output of a model, a linear layer or `outputs.logits`) and labels in the prediction
slot (named `labels`, `target(s)`, `y_true`, `gt`, `onehot`, `y`, or a `one_hot`
result) — and only for a resolved framework API, never for a function of your own
that shares its name. Keyword arguments are never reported.
"""
    why = """
Both tensors usually have the same shape, so nothing fails: the loss treats the
labels as scores and the scores as a target distribution, and the model trains
towards garbage. TensorFlow 1.0 made these functions keyword-only precisely because
the order had been switched (TF 0.x took `(logits, labels)`); TF2 accepts positional
arguments again, so old code now runs silently swapped. Keras 2.0.7 likewise
inverted the backend order from `(output, target)` to `(target, output)`.
"""
    instead = """
Pass both tensors by keyword, which cannot be swapped and reads the same in every
framework: `tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)`,
`F.cross_entropy(input=z, target=y)`. The fix rewrites the call with keywords in the
signature's order (unsafe: it trusts the names).
"""
    bad = """
import tensorflow as tf

def loss_fn(logits, labels):
    return tf.nn.softmax_cross_entropy_with_logits(logits, labels)
"""
    good = """
import tensorflow as tf

def loss_fn(logits, labels):
    return tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        use = self.analysis.loss_use(node, site, self.shadowed)
        if use is None or use.prediction is None or use.labels is None:
            return
        if use.prediction.keyword is not None or use.labels.keyword is not None:
            return
        prediction, labels = use.prediction.value, use.labels.value
        role = self.analysis.argument_role
        if role(prediction, site, self.shadowed) is not ArgumentRole.LABELS:
            return
        if role(labels, site, self.shadowed) is not ArgumentRole.PREDICTION:
            return
        self.report(node, self._message(use), self._fix(node, use))

    def _params(self, use: LossUse) -> tuple[Param, Param]:
        """The prediction and labels parameters of the API, in that order."""
        assert use.prediction_param is not None and use.api.labels is not None
        return use.prediction_param, use.api.labels

    def _message(self, use: LossUse) -> str:
        assert use.prediction is not None and use.labels is not None
        module = self.context.module
        prediction, labels = self._params(use)
        first, second = sorted((prediction, labels), key=lambda p: p.position or 0)
        callee = use.api.display if use.ctor is not None else snippet(module, use.call.func)
        return (
            f"`{callee}` takes `({first.name}, {second.name})`, but the arguments "
            f"look swapped: `{snippet(module, use.prediction.value)}` (labels) is passed "
            f"as `{prediction.name}` and `{snippet(module, use.labels.value)}` (a prediction) "
            f"as `{labels.name}`; pass them by keyword"
        )

    def _fix(self, node: cst.Call, use: LossUse) -> Optional[FixSpec]:
        assert use.prediction is not None and use.labels is not None
        if len(positional_args(node)) != 2 or any(a.star for a in node.args):
            return None  # keywords before a remaining positional would not parse
        prediction, labels = self._params(use)
        code = self.context.module.code_for_node
        # Each position keeps its parameter, now named, and takes the other argument.
        labels_kw = f"{labels.name}={code(use.prediction.value)}"
        prediction_kw = f"{prediction.name}={code(use.labels.value)}"
        edits = (
            NodeEdit(use.labels.value, labels_kw),
            NodeEdit(use.prediction.value, prediction_kw),
        )
        first, second = sorted(
            ((labels.position or 0, labels_kw), (prediction.position or 0, prediction_kw))
        )
        return FixSpec(f"Pass by keyword: `{first[1]}, {second[1]}`", Applicability.UNSAFE, edits)

"""LGT001: softmax/sigmoid output passed where a loss or sampler expects logits."""

from __future__ import annotations

import libcst as cst

from logitlint.analysis import PROBABILITY_KINDS, Kind, SinkUse, Value, Wrap
from logitlint.analysis.catalogue import PRODUCER_WORDS, SINK_NAMES
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import snippet, unwrap_edit
from logitlint.rule import FixSpec, Rule

_APPLIES = {
    "softmax": "applies log-softmax itself, so the softmax is applied twice",
    "sigmoid": "applies the sigmoid itself, so it is applied twice",
    "sampler": "samples from the softmax of its input, which flattens the distribution",
}


class ProbabilitiesAsLogits(Rule):
    code = "LGT001"
    name = "probabilities-as-logits"
    summary = "Softmax or sigmoid output is passed where logits are expected"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    triggers = PRODUCER_WORDS
    requires_calls = (SINK_NAMES,)
    what = """
A probability (the output of softmax or sigmoid) passed to a loss or sampler that
expects logits: `F.cross_entropy`, `nn.CrossEntropyLoss`, `BCEWithLogitsLoss`,
`tf.nn.*_cross_entropy_with_logits`, `tf.compat.v1.losses.*_cross_entropy`, Keras
losses built with `from_logits=True`, optax's cross-entropies, `tf.random.categorical`
and `jax.random.categorical` — inline, through variables, tensor methods
(`out.softmax(1)`) and module attributes (`self.softmax = nn.Softmax(dim=1)`).
Softmax on the *target* (soft labels) and `log_softmax` output are fine and not
reported.
"""
    why = """
These APIs apply softmax (or sigmoid) themselves. Given probabilities, they squash
twice: the loss is bounded (with 10 classes, cross-entropy on softmax output cannot
exceed about 2.46 and sits near ln 10 = 2.30), gradients shrink, and training stalls
without an error. `F.cross_entropy([[100, 0, 0]], [1])` is 100 on logits but 1.55 on
their softmax. Keras 3 corrects softmax + `from_logits=True` only on the TensorFlow
backend; on torch and JAX the loss is silently wrong.
"""
    instead = """
Pass the pre-activation tensor (the logits) and keep softmax for inference and
metrics. The fix removes the softmax/sigmoid: safe when it is inline, unsafe when it
rewires a variable or drops an epsilon.
"""
    bad = """
import torch.nn.functional as F

def step(model, x, y):
    out = model(x)
    return F.cross_entropy(F.softmax(out, dim=1), y)
"""
    good = """
import torch.nn.functional as F

def step(model, x, y):
    out = model(x)
    return F.cross_entropy(out, y)
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        sink = self.analysis.sink(node, site, self.shadowed)
        if sink is None or sink.logits is None:
            return
        argument = sink.logits.value
        value = self.analysis.value(argument, site, self.shadowed)
        if value.kind not in PROBABILITY_KINDS:
            return
        self.report(argument, self._message(sink, argument, value), self._fix(argument, value))

    def _message(self, sink: SinkUse, argument: cst.BaseExpression, value: Value) -> str:
        module = self.context.module
        what = "softmax" if value.kind is Kind.PROBS else "sigmoid"
        prov = value.provenance
        if prov is not None and value.via_variable:
            source = (
                f"`{snippet(module, argument)}` holds the {what} output "
                f"`{snippet(module, prov.producer)}` ({self.where(prov.producer)})"
            )
        else:
            source = f"`{snippet(module, argument)}` is {what} output"
        return (
            f"{source}, but `{sink.api.display}` expects logits and "
            f"{_APPLIES[sink.api.family]}; pass the logits"
        )

    def _fix(self, argument: cst.BaseExpression, value: Value) -> FixSpec | None:
        if Wrap.CLIP in value.wraps:
            return None  # clipping logits to [eps, 1] would be a new bug
        site = self.site
        assert site is not None
        edit = unwrap_edit(self.analysis, self.context.module, value, argument, site)
        if edit is None:
            return None
        safe = not value.via_variable and not value.wraps
        applicability = Applicability.SAFE if safe else Applicability.UNSAFE
        return FixSpec(f"Pass `{edit.content}` (the logits)", applicability, (edit,))

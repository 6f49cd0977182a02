"""LGT002: log of softmax/sigmoid output instead of the fused log_softmax/log_sigmoid."""

from __future__ import annotations

import libcst as cst

from logitlint.analysis import PROBABILITY_KINDS, Kind, Value, Wrap
from logitlint.analysis.catalogue import LOG_NAMES, PRODUCER_WORDS
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import inputs_unchanged, log_form, snippet
from logitlint.rule import FixSpec, NodeEdit, Rule


class LogOfSoftmax(Rule):
    code = "LGT002"
    name = "log-of-softmax"
    summary = "`log` of softmax or sigmoid output instead of `log_softmax` / `log_sigmoid`"
    severity = Severity.WARNING
    fix_availability = "sometimes"
    triggers = PRODUCER_WORDS
    requires_calls = (LOG_NAMES,)
    what = """
The natural log (`torch.log`, `.log()`, `tf.math.log`, TF1 `tf.log`, `np.log`,
`jnp.log`, `keras.ops.log`) of a softmax or sigmoid output, including the epsilon and
clipping hacks `log(p + 1e-8)`, `log(clip_by_value(p, 1e-10, 1.0))`,
`log(p.clamp(min=eps))`, and `log(1 - sigmoid(x))`.
"""
    why = """
Softmax underflows to exactly 0 for a logit a few dozen below the maximum, and the
log turns that into `-inf` and NaN gradients: `log(softmax([0, 200]))` is
`[-inf, 0]`, while `log_softmax` gives `[-200, 0]`. An epsilon hides the NaN but caps
the log-probability and kills the gradient. The fused functions compute
`x - logsumexp(x)` (and `-softplus(-x)` for the sigmoid) exactly.
"""
    instead = """
`log_softmax(x, axis)` with the same axis, `log_sigmoid(x)` (`F.logsigmoid`), and
`log_sigmoid(-x)` for `log(1 - sigmoid(x))`. The fix is safe for the plain form,
unsafe when it drops an epsilon or clip or reaches through a variable.
"""
    bad = """
import torch
import torch.nn.functional as F

def log_probs(logits):
    return torch.log(F.softmax(logits, dim=-1))
"""
    good = """
import torch
import torch.nn.functional as F

def log_probs(logits):
    return F.log_softmax(logits, dim=-1)
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        operand = self.analysis.log_operand(node, site, self.shadowed)
        if operand is None:
            return
        value = self.analysis.value(operand, site, self.shadowed)
        if value.kind not in PROBABILITY_KINDS:
            return
        self.report(node, self._message(value), self._fix(node, value))

    def _message(self, value: Value) -> str:
        module = self.context.module
        what = "softmax" if value.kind is Kind.PROBS else "sigmoid"
        prov = value.provenance
        if prov is None:
            if value.extra.get("complement"):
                what = f"1 - {what}"
            return f"`log` of {what} output underflows to -inf; use the fused log form"
        complement = "1 - " if prov.complement else ""
        fused = "log_softmax" if value.kind is Kind.PROBS else "log_sigmoid"
        return (
            f"`log` of {complement}{what} output `{snippet(module, prov.producer)}` "
            f"({self.where(prov.producer)}) underflows to -inf; use `{fused}`"
        )

    def _fix(self, node: cst.Call, value: Value) -> FixSpec | None:
        prov = value.provenance
        site = self.site
        if prov is None or value.ambiguous or Wrap.TRANSPARENT in value.wraps or site is None:
            return None
        if value.via_variable and not inputs_unchanged(self.analysis, prov, site):
            return None
        form = log_form(self.analysis, self.context.module, prov)
        if form is None:
            return None
        safe = not value.via_variable and not value.wraps
        applicability = Applicability.SAFE if safe else Applicability.UNSAFE
        edits = (NodeEdit(node, form.text), *form.imports)
        return FixSpec(f"Replace with `{form.text}`", applicability, edits)

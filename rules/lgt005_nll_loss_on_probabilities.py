"""LGT005: nll_loss / NLLLoss given softmax probabilities instead of log-probabilities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from logitlint.analysis import Kind, Value, Wrap
from logitlint.analysis.calls import argument, literal_bool, string_literal
from logitlint.analysis.catalogue import REDUCTION_PARAMS
from logitlint.analysis.flow import ProbabilitySinkUse
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import log_form, pre_activation_target, snippet
from logitlint.rule import FixSpec, NodeEdit, Rule

if TYPE_CHECKING:
    from logitlint.engine import FileContext


class NllLossOnProbabilities(Rule):
    code = "LGT005"
    name = "nll-loss-on-probabilities"
    summary = "`nll_loss` / `NLLLoss` given softmax probabilities instead of log-probabilities"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    triggers = ("nll",)
    what = """
`F.nll_loss` or `nn.NLLLoss` (called inline, or a loss object built elsewhere) whose
input is a softmax output — inline, through a variable, a module attribute
(`self.softmax = nn.Softmax(dim=1)`) or an `nn.Sequential` that ends in `nn.Softmax`.
Left alone: `nll_loss(log_softmax(x), y)`, which is correct, and the gather idiom
`-F.nll_loss(p, y, reduction="none")` (negated, or with `reduction="none"` /
`reduce=False`), which deliberately picks `p[y]`.
"""
    why = """
`nll_loss` does not take a log: it returns `-input[y]` and trusts the input to be
log-probabilities. Given probabilities it minimises `-p[y]`, a different objective
whose value is negative (the forum symptom "my loss is negative") and whose gradient
does not sharpen confident mistakes the way cross-entropy does. PyTorch does not
check the input; the `nn.Softmax` docs warn that it "doesn't work directly with
NLLLoss".
"""
    instead = """
`log_softmax` in place of `softmax` (same dim), or `F.cross_entropy` /
`nn.CrossEntropyLoss` on the logits. The fix swaps in `log_softmax`: safe when the
softmax is inline, unsafe through a variable or a wrapper.
"""
    bad = """
import torch.nn.functional as F

def nll_step(model, x, y):
    out = model(x)
    return F.nll_loss(F.softmax(out, dim=1), y)
"""
    good = """
import torch.nn.functional as F

def nll_step(model, x, y):
    out = model(x)
    return F.nll_loss(F.log_softmax(out, dim=1), y)
"""

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._negated: set[int] = set()

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.Minus):
            self._negated.add(id(node.expression))

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        use = self.analysis.probability_sink(node, site, self.shadowed)
        if use is None or use.prediction is None or use.expects is not Kind.LOG_PROBS:
            return
        if id(node) in self._negated or _is_gather(use):
            return
        value = self.analysis.value(use.prediction.value, site, self.shadowed)
        if value.kind is not Kind.PROBS:
            return
        self.report(node, self._message(use, value), self._fix(use, value))

    def _message(self, use: ProbabilitySinkUse, value: Value) -> str:
        prov = value.provenance
        if prov is None:
            source = "the model's output ends in a softmax"
            instead = "end the model in `nn.LogSoftmax`, or use `CrossEntropyLoss` on logits"
        else:
            source = (
                f"its input is the softmax output "
                f"`{snippet(self.context.module, prov.producer)}` ({self.where(prov.producer)})"
            )
            instead = "use `log_softmax`, or `cross_entropy` on the logits"
        return (
            f"`{use.api.display}` expects log-probabilities but {source}; the loss is "
            f"`-p[y]`, negative and the wrong objective; {instead}"
        )

    def _fix(self, use: ProbabilitySinkUse, value: Value) -> Optional[FixSpec]:
        site, prov = self.site, value.provenance
        assert site is not None and use.prediction is not None
        if prov is None or Wrap.CLIP in value.wraps or Wrap.EPSILON in value.wraps:
            return None
        target = pre_activation_target(self.analysis, value, use.prediction.value, site)
        form = log_form(self.analysis, self.context.module, prov)
        if target is None or form is None:
            return None
        safe = value.inline and not value.wraps
        applicability = Applicability.SAFE if safe else Applicability.UNSAFE
        edits = (NodeEdit(target, form.text), *form.imports)
        return FixSpec(f"Use `{form.text}`", applicability, edits)


def _is_gather(use: ProbabilitySinkUse) -> bool:
    """``reduction="none"`` or ``reduce=False``: per-sample ``-p[y]``, a gather."""
    params = REDUCTION_PARAMS.get(use.api.names[0])
    if params is None:
        return False
    holder = use.ctor if use.ctor is not None else use.call
    reduction, reduce = (argument(holder, param) for param in params)
    if reduction is not None and string_literal(reduction.value) == "none":
        return True
    return literal_bool(reduce) is False

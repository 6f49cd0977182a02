"""LGT010: argmax of a softmax output over the same axis (the softmax changes nothing)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis import Kind
from logitlint.analysis.calls import argument
from logitlint.analysis.catalogue import GRAPH_NAME
from logitlint.analysis.flow import Axis
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import snippet, unwrap_edit
from logitlint.rule import FixSpec, Rule


class SoftmaxBeforeArgmax(Rule):
    code = "LGT010"
    name = "softmax-before-argmax"
    summary = "`argmax` of a softmax output; the argmax of the logits is the same"
    severity = Severity.INFO
    fix_availability = "sometimes"
    triggers = ("argmax",)
    what = """
`argmax` (`torch.argmax`, `Tensor.argmax`, `tf.argmax`, `np.argmax`, `jnp.argmax`,
`keras.ops.argmax`, `K.argmax`) of a softmax output over the same axis — inline, or
through a variable whose only use is the argmax. The axes must provably agree:
`softmax(x, dim=1).argmax(1)`, TensorFlow's default -1 with `axis=-1`, SciPy's
whole-array softmax with a flattened argmax. One idiom is reported without a fix: a
softmax left on its default last axis followed by `argmax(..., 1)`
(`tf.argmax(tf.nn.softmax(logits), 1)`), the same only for a 2-D (batch, classes)
tensor. An implicit-dim `F.softmax(x)` has no known axis, and axes written out
differently (`softmax(x, dim=-1).argmax(1)`) are taken as deliberate.
Left alone: probabilities averaged or summed before the argmax (ensembles),
thresholds, softmax values also used elsewhere (confidence scores) or given a TF
graph `name=` (fetched by name from a session), softmin (its argmax is the argmin of
the input), and a model that ends in a softmax layer.
"""
    why = """
Softmax is strictly increasing along its axis, so the largest probability sits where
the largest logit does: the softmax costs an exp and a sum per element and changes no
prediction. Dropping it also avoids ties that appear when large logits saturate to
1.0 in float16.
"""
    instead = """
`argmax` of the logits over the same axis; keep the softmax only where probabilities
are needed. The fix is safe when the softmax is inline, unsafe through a variable
(the assignment is left in place).
"""
    bad = """
import torch

def predict(model, x):
    return torch.argmax(torch.softmax(model(x), dim=1), dim=1)
"""
    good = """
import torch

def predict(model, x):
    return torch.argmax(model(x), dim=1)
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        use = self.analysis.argmax(node, site, self.shadowed)
        if use is None:
            return
        value = self.analysis.value(use.input, site, self.shadowed)
        prov = value.provenance
        if value.kind is not Kind.PROBS or prov is None or value.wraps or value.ambiguous:
            return
        if argument(prov.producer, GRAPH_NAME) is not None:
            return  # a named graph op: fetched by name elsewhere
        if value.via_variable and not (
            isinstance(use.input, cst.Name) and self.analysis.reads(use.input.value, site) == 1
        ):
            return  # the probabilities are used elsewhere too
        softmax_axis = self.analysis.softmax_axis(prov)
        same = self.analysis.same_axis(softmax_axis, use.axis)
        if not same and not _last_and_second(softmax_axis, use.axis):
            return
        module = self.context.module
        edit = unwrap_edit(self.analysis, module, value, use.input, site) if same else None
        fix = None
        if edit is not None:
            applicability = Applicability.UNSAFE if value.via_variable else Applicability.SAFE
            fix = FixSpec(f"Take the argmax of `{edit.content}`", applicability, (edit,))
        condition = "" if same else " if the tensor is 2-D (softmax over -1, argmax over 1)"
        self.report(
            node,
            f"`argmax` of the softmax output `{snippet(module, prov.producer)}` "
            f"({self.where(prov.producer)}): softmax is increasing along its axis, so "
            f"the argmax of the logits is the same{condition}; drop the softmax",
            fix,
        )


def _last_and_second(softmax: Optional[Axis], argmax: Optional[Axis]) -> bool:
    """A default last-axis softmax and ``argmax(..., 1)``: the 2-D classifier idiom.

    Equal only for a (batch, classes) tensor, so reported without a fix; an axis the
    author wrote out (``softmax(x, dim=-1).argmax(1)``) is taken as deliberate.
    """
    return (
        softmax is not None
        and argmax is not None
        and softmax.default
        and softmax.index == -1
        and argmax.index == 1
        and not argmax.default
    )

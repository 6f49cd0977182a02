"""LGT010: argmax of a softmax output over the same axis (the softmax changes nothing)."""

from __future__ import annotations

import libcst as cst

from logitlint.analysis import Kind
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
whole-array softmax with a flattened argmax. `-1` and `1` are not assumed equal (they
are only for 2-D tensors), and an implicit-dim `F.softmax(x)` has no known axis.
Left alone: probabilities averaged or summed before the argmax (ensembles),
thresholds, softmax values also used elsewhere (confidence scores), softmin (its
argmax is the argmin of the input), and a model that ends in a softmax layer.
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
        if value.via_variable and not (
            isinstance(use.input, cst.Name) and self.analysis.reads(use.input.value, site) == 1
        ):
            return  # the probabilities are used elsewhere too
        if not self.analysis.same_axis(self.analysis.softmax_axis(prov), use.axis):
            return
        module = self.context.module
        edit = unwrap_edit(self.analysis, module, value, use.input, site)
        fix = None
        if edit is not None:
            applicability = Applicability.UNSAFE if value.via_variable else Applicability.SAFE
            fix = FixSpec(f"Take the argmax of `{edit.content}`", applicability, (edit,))
        self.report(
            node,
            f"`argmax` of the softmax output `{snippet(module, prov.producer)}` "
            f"(line {self.line(prov.producer)}): softmax is increasing along that axis, "
            f"so the argmax of the logits is the same; drop the softmax",
            fix,
        )

"""LGT009: PyTorch softmax / log_softmax / softmin without ``dim``."""

from __future__ import annotations

import libcst as cst

from logitlint.analysis.calls import argument
from logitlint.analysis.catalogue import IMPLICIT_DIM
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import keyword_arg, replacement_text, rewrite_node, snippet
from logitlint.rule import FixSpec, NodeEdit, Rule


class SoftmaxImplicitDim(Rule):
    code = "LGT009"
    name = "softmax-implicit-dim"
    summary = "PyTorch `softmax` / `log_softmax` / `softmin` without `dim`"
    severity = Severity.WARNING
    fix_availability = "always"  # display-only: shown, never applied
    triggers = ("softmax", "softmin")
    what = """
`torch.nn.functional.softmax`, `log_softmax` and `softmin`, and the modules
`nn.Softmax()`, `nn.LogSoftmax()`, `nn.Softmin()`, called without `dim` or with
`dim=None` (also when only `_stacklevel` or `dtype` is given). `torch.softmax`,
`torch.log_softmax` and `Tensor.softmax` require `dim` and fail loudly without it;
they are not reported, nor are TensorFlow, Keras, JAX or SciPy softmaxes, whose
default axis is documented (-1, or the whole array for SciPy).
"""
    why = """
Without `dim`, PyTorch warns ("Implicit dimension choice ... has been deprecated")
and guesses: dim 0 for 0-, 1- and 3-D input, else dim 1. A 2-D `(batch, classes)`
tensor is normalised correctly by luck; a 3-D `(batch, seq, vocab)` tensor is
normalised over the *batch*, so every position's "distribution" mixes examples and
the model trains on nonsense without an error.
"""
    instead = """
Pass the class axis explicitly: `dim=-1` for `(batch, ..., classes)`, `dim=1` for
`(N, C, H, W)` maps. The suggested fix shows `dim=-1`; it is display-only because
only the tensor's layout says which axis is right.
"""
    bad = """
import torch.nn as nn

head = nn.Sequential(nn.Linear(256, 10), nn.Softmax())
"""
    good = """
import torch.nn as nn

head = nn.Sequential(nn.Linear(256, 10), nn.Softmax(dim=-1))
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        signature = IMPLICIT_DIM.get(self.analysis.qualname(node.func, site, self.shadowed) or "")
        if signature is None or any(arg.star for arg in node.args):
            return
        param, accepted = signature
        if any(a.keyword is not None and a.keyword.value not in accepted for a in node.args):
            return  # `axis=` and the like: a TypeError, not an implicit dim
        dim = argument(node, param)
        if dim is not None and not (isinstance(dim.value, cst.Name) and dim.value.value == "None"):
            return
        module = self.context.module
        if dim is None:
            fixed = rewrite_node(node, {}, {id(node): [keyword_arg("dim", "-1")]})
        else:
            fixed = rewrite_node(node, {id(dim.value): cst.parse_expression("-1")})
        text = replacement_text(module, self.context.positions, node, fixed)
        fix = FixSpec(
            "Pass the class axis explicitly, e.g. `dim=-1`",
            Applicability.DISPLAY_ONLY,
            (NodeEdit(node, text),),
        )
        self.report(
            node,
            f"`{snippet(module, node)}` has no `dim`: PyTorch guesses dim 0 for 0-, 1- and 3-D "
            f"input (the batch axis of a (batch, seq, classes) tensor), else dim 1; pass `dim`",
            fix,
        )

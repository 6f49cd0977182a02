"""LGT008: softmax, log-sum-exp or softplus written by hand without the max-shift."""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from logitlint.analysis import catalogue as cat
from logitlint.analysis.expressions import ManualExp
from logitlint.diagnostics import Severity
from logitlint.rewrite import snippet, stable_form
from logitlint.rule import FixSpec, Rule

_WHAT = {
    "softmax": "hand-written softmax `exp(x) / sum(exp(x))`",
    "logsumexp": "`log(sum(exp(x)))`",
    "softplus": "`log(1 + exp(x))`",
}
_FAILS = {
    "softmax": "overflows to inf/inf = NaN",
    "logsumexp": "overflows to inf",
    "softplus": "overflows to inf",
}


# Prefilter evidence: every form starts from an exp, a catalogued function or the
# ``.exp()`` method, so a file without one of these identifiers has nothing to report.
_EXP_NAMES = tuple(
    sorted(
        {
            *cat.leaf_names(tuple(api for api in cat.EXPRESSION_APIS if api.op is cat.Op.EXP)),
            *(method for method, op in cat.METHOD_OPS.items() if op is cat.Op.EXP),
        }
    )
)


class UnstableManualSoftmax(Rule):
    code = "LGT008"
    name = "unstable-manual-softmax"
    summary = "Softmax, log-sum-exp or softplus written by hand without subtracting the max"
    severity = Severity.WARNING
    fix_availability = "sometimes"
    triggers = ("exp",)
    requires = (_EXP_NAMES,)
    what = """
Hand-written exponentials that overflow: `exp(x) / sum(exp(x))` (a softmax),
`log(sum(exp(x)))` (a log-sum-exp) and `log(1 + exp(x))` / `log1p(exp(x))` (a
softplus) in NumPy, PyTorch (functions and `x.exp()` methods), TensorFlow, JAX and
`keras.ops`, inline or through variables (`e = np.exp(x); e / e.sum(1, keepdims=True)`).

Not reported: the stable forms. The exponent is `x - m` with `m` a max-reduction
(`x.max(1, keepdims=True)`, `np.max(x, axis=1, keepdims=True)`, `torch.max(x, 1,
keepdim=True)[0]` / `.values`, `tf.reduce_max`) or a log-sum-exp, directly or through
a name; `x` was shifted before (`x = x - x.max()`, `x -= np.max(x)`); the exponent
cannot be positive (`-abs(x)`, `where(x >= 0, -x, x)`, an upper clamp,
log-probabilities); the exponent is a literal, also one made a tensor
(`tf.constant(30.)`, `torch.tensor(2.)`); or the formula is a branch of a `where` guard.
"""
    why = """
`exp` overflows float32 above 88.7 (float16 above 11.1): `np.exp(1000.)` is `inf`,
so a softmax of `[1000, 0]` is `[inf/inf, 0/inf]` = `[nan, 0]`, and `log(1 +
exp(100.))` is `inf` where the answer is 100. Logits of that size are ordinary
late in training or under a small temperature. Subtracting the maximum makes every
exponent at most 0, which is what the library functions do.
"""
    instead = """
`softmax(x, axis)`, `logsumexp(x, axis)` and `softplus(x)` of the framework
(`torch.softmax` / `torch.logsumexp` / `F.softplus`, `tf.nn.softmax` /
`tf.reduce_logsumexp` / `tf.nn.softplus`, `jax.nn.*`, `keras.ops.*`;
`scipy.special.softmax` / `logsumexp` and `np.logaddexp(0, x)` for NumPy), or
subtract the max first. The fix is unsafe (check the axis); display-only when the
sum has no `keepdims` (a softmax then also broadcasts wrongly) or for NumPy
softmax/logsumexp, which need SciPy.
"""
    bad = """
import torch

def attention_weights(scores):
    weights = torch.exp(scores)
    return weights / weights.sum(dim=-1, keepdim=True)
"""
    good = """
import torch

def attention_weights(scores):
    return torch.softmax(scores, dim=-1)
"""

    def visit_Call(self, node: cst.Call) -> None:
        self._check(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self._check(node)

    def _check(self, node: Union[cst.Call, cst.BinaryOperation]) -> None:
        site = self.site
        assert site is not None
        found = self.analysis.expressions.manual_exp(node, site, self.shadowed)
        if found is None:
            return
        fix = self._fix(found)
        self.report(node, self._message(found, fix), fix)

    def _message(self, found: ManualExp, fix: Optional[FixSpec]) -> str:
        exp = snippet(self.context.module, found.exp.argument.with_changes(lpar=[], rpar=[]))
        instead = fix.message if fix is not None else "the framework's stable function"
        shift = "" if found.form == "softplus" else " or subtract the max first"
        return (
            f"{_WHAT[found.form]} {_FAILS[found.form]} once `{exp}` exceeds about 88 "
            f"(float32); use {instead}{shift}"
        )

    def _fix(self, found: ManualExp) -> Optional[FixSpec]:
        site = self.site
        assert site is not None
        rewrite = stable_form(self.analysis, self.context.module, found, site)
        return rewrite.fix(f"`{rewrite.text}`") if rewrite else None

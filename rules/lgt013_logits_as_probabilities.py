"""LGT013: logits passed where probabilities are expected (the mirror of LGT001)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis import PROBABILITY_KINDS, Kind, LossUse, Value, Wrap
from logitlint.analysis import catalogue as cat
from logitlint.analysis.calls import argument, positional_args
from logitlint.analysis.catalogue import PROB_SINK_WORDS, Role
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import keyword_arg, renamed_callee, snippet, with_args
from logitlint.rule import FixSpec, NodeEdit, Rule
from logitlint.tree import visit

_ORDINAL = {0: "first", 1: "second"}


class LogitsAsProbabilities(Rule):
    code = "LGT013"
    name = "logits-as-probabilities"
    summary = "Logits are passed where probabilities are expected"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    triggers = PROB_SINK_WORDS
    what = """
A value that is evidently logits passed where probabilities are expected:
`torch.distributions.Categorical`, `Bernoulli`, `OneHotCategorical` (and the other
distributions whose `probs` comes first) given it positionally or as `probs=`,
`torch.multinomial` / `x.multinomial(n)`, `F.binary_cross_entropy` / `nn.BCELoss`,
`tf.compat.v1.losses.log_loss`, and Keras losses whose `from_logits` is false (the
default).

Evidence that a value is logits: the `logits` field of a model call's result
(`outputs.logits`, `outputs["logits"]` — Hugging Face models), the output of a linear
layer (`nn.Linear`, Keras `Dense` without activation, `tf.layers.dense`, flax
`Dense`) with nothing applied after it, a model of this file whose
`forward`/`call` returns such a value, or a callable whose output the same file
passes as `logits=` elsewhere (`Categorical(logits=self.policy(s))` in one method,
`Categorical(self.policy(s))` in another). A variable merely *named* `logits` is not
evidence. `Categorical` from distrax, TensorFlow Probability or Paddle takes logits
first and is never reported.
"""
    why = """
`Categorical(x)` binds `x` to `probs`: negative logits raise a constraint error, and
positive ones are silently renormalised by their sum instead of their softmax
(`[2, 1, 0.5]` gives `[0.57, 0.29, 0.14]`, not `[0.63, 0.23, 0.14]`), so the policy
samples and scores the wrong distribution. `torch.multinomial` draws in proportion
to raw scores. `binary_cross_entropy` rejects values outside [0, 1]; Keras with
`from_logits=False` renormalises and clips the scores, so the loss caps at 16.1 and
the gradients vanish (NaN on JAX).
"""
    instead = """
Tell the API it gets logits: `Categorical(logits=x)` (safe fix; unsafe when only
another use in the file says the value is logits),
`binary_cross_entropy_with_logits` / `BCEWithLogitsLoss`, or `from_logits=True`
(unsafe fix: check the other uses of the loss); for `torch.multinomial`, sample from
`softmax(x, dim=-1)` or `Categorical(logits=x)`.
"""
    bad = """
import torch.nn as nn
from torch.distributions import Categorical

class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(64, 4)

    def act(self, h):
        scores = self.head(h)
        return Categorical(scores).sample()
"""
    good = """
import torch.nn as nn
from torch.distributions import Categorical

class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(64, 4)

    def act(self, h):
        scores = self.head(h)
        return Categorical(logits=scores).sample()
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        use = self.analysis.loss_use(node, site, self.shadowed)
        if use is None or use.expects not in PROBABILITY_KINDS:
            return
        expr = use.prediction_expr
        if expr is None:
            return
        value = self.analysis.value(expr, site, self.shadowed, models=True)
        if value.kind is not Kind.LOGITS or Wrap.CLIP in value.wraps:
            return  # clipped into [0, 1], the scores are no longer plain logits
        self.report(
            expr, f"{self._evidence(expr, value)}, but {self._sink(use)}", self._fix(use, value)
        )

    def _evidence(self, expr: cst.BaseExpression, value: Value) -> str:
        """Why ``expr`` is logits: a model output's field or a linear layer's output."""
        module = self.context.module
        subject = f"`{snippet(module, expr)}`"
        prov = value.provenance
        if prov is not None and prov.api.role is Role.DECLARED:
            declared = (
                f"this file passes `{snippet(module, prov.producer.func)}(...)` as `logits=` "
                f"at {self.where(prov.input)}"
            )
            if _contains(expr, prov.producer):
                return f"{subject} is logits: {declared}"
            shown = f"`{snippet(module, prov.producer)}` ({self.where(prov.producer)})"
            return f"{subject} holds {shown}, and {declared}"
        if prov is None:
            source, node = "a linear layer's output", None
        elif prov.api.role is Role.FIELD:
            source, node = "a model output's logits", prov.input
        else:
            source, node = "a linear layer's output", prov.producer
        cited = f" `{snippet(module, node)}` ({self.where(node)})" if node is not None else ""
        if value.model is not None and node is None:
            returned = self.analysis.models.returned_at(value.model)
            cited = f" ({self.where(returned)})" if returned is not None else ""
        if value.model is not None:
            return (
                f"{subject} is the output of {value.model.described}, which returns {source}{cited}"
            )
        if node is None or not value.via_variable or _contains(expr, node):
            return f"{subject} is {source}" + ("" if "logits" in source else " (logits)")
        verb = "holds" if isinstance(expr, (cst.Name, cst.Attribute)) else "comes from"
        return f"{subject} {verb} {source}{cited}"

    def _sink(self, use: LossUse) -> str:
        api = use.api
        callee = f"`{snippet(self.context.module, use.call.func)}`"
        if use.ctor is not None or use.receiver is not None:
            callee = f"`{api.display}`"
        if api.role is Role.DISTRIBUTION and api.logits is not None and api.input is not None:
            if use.prediction is not None and use.prediction.keyword is not None:
                where = f"it is passed as `{api.input.name}`"
            else:
                ordinal = _ORDINAL.get(api.input.position or 0, "positional")
                where = f"the {ordinal} parameter of {callee} is `{api.input.name}`"
            return f"{where}; pass it as `{api.logits.name}=`"
        if api.role is Role.DISTRIBUTION:
            return (
                f"{callee} samples in proportion to its input, which must be probabilities; "
                f"sample from `softmax(x, dim=-1)` or `Categorical(logits=x)`"
            )
        if api.from_logits is not None:
            return (
                f"{callee} with `from_logits` false expects probabilities; pass `from_logits=True`"
            )
        form = cat.LOGITS_FORM.get(api.names[0]) or cat.LOGITS_ALTERNATIVE.get(api.names[0])
        advice = f"use `{form.rpartition('.')[2]}`" if form else "use the loss that takes logits"
        return f"{callee} expects probabilities in [0, 1]; {advice}"

    def _fix(self, use: LossUse, value: Value) -> Optional[FixSpec]:
        api = use.api
        if api.role is Role.DISTRIBUTION:
            return self._keyword_fix(use, value) if api.logits is not None else None
        if api.from_logits is not None:
            return self._from_logits_fix(use)
        if api.names[0] in cat.LOGITS_FORM:
            return self._form_fix(use)
        return None

    def _keyword_fix(self, use: LossUse, value: Value) -> Optional[FixSpec]:
        """``Categorical(x)`` / ``Categorical(probs=x)`` -> ``Categorical(logits=x)``;
        unsafe when only another use in the file says the value is logits."""
        arg, param = use.prediction, use.api.logits
        assert param is not None
        keyword = param.name
        call = use.call
        if arg is None or any(a.star for a in call.args):
            return None
        if any(a.keyword is not None and a.keyword.value == keyword for a in call.args):
            return None
        if arg.keyword is not None:
            edit = NodeEdit(arg.keyword, keyword)
        else:
            if positional_args(call)[-1] is not arg:
                return None  # a keyword before a later positional would not parse
            edit = NodeEdit(arg.value, f"{keyword}={self.source(arg.value)}")
        declared = value.provenance is not None and value.provenance.api.role is Role.DECLARED
        applicability = Applicability.UNSAFE if declared else Applicability.SAFE
        return FixSpec(f"Pass it as `{keyword}=`", applicability, (edit,))

    def _form_fix(self, use: LossUse) -> Optional[FixSpec]:
        """``F.binary_cross_entropy`` -> ``F.binary_cross_entropy_with_logits``; for a
        loss object, its constructor (display-only when the object is shared)."""
        site = self.site
        target = cat.LOGITS_FORM[use.api.names[0]]
        assert site is not None
        ctor = use.ctor
        callee = ctor.func if ctor is not None else use.call.func
        spelled = renamed_callee(self.analysis, self.context.module, callee, target, site)
        if spelled is None:
            return None
        text, imports = spelled
        shared = ctor is not None and use.call.func is not ctor
        applicability = Applicability.DISPLAY_ONLY if shared else Applicability.UNSAFE
        return FixSpec(f"Use `{text}`", applicability, (NodeEdit(callee, text), *imports))

    def _from_logits_fix(self, use: LossUse) -> Optional[FixSpec]:
        """Set ``from_logits=True`` where the loss is called or, for an object, built."""
        api = use.api
        target = use.ctor if use.ctor is not None else use.call
        if api.from_logits is None or any(a.star for a in target.args):
            return None
        shared = use.ctor is not None and use.call.func is not use.ctor
        applicability = Applicability.DISPLAY_ONLY if shared else Applicability.UNSAFE
        current = argument(target, api.from_logits)
        if current is not None:
            edit = NodeEdit(current.value, "True")
        else:
            new = with_args(target, [*target.args, keyword_arg("from_logits", "True")])
            edit = NodeEdit(
                target, self.context.module.code_for_node(new.with_changes(lpar=[], rpar=[]))
            )
        return FixSpec("Pass `from_logits=True`", applicability, (edit,))


class _Finder(cst.CSTVisitor):
    def __init__(self, target: cst.CSTNode) -> None:
        super().__init__()
        self.target = target
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.found = self.found or node is self.target
        return not self.found


def _contains(expr: cst.CSTNode, node: cst.CSTNode) -> bool:
    """``node`` is ``expr`` or part of it: the evidence is in the argument itself."""
    finder = _Finder(node)
    visit(expr, finder)
    return finder.found

"""LGT004: a probability-space loss applied straight to a sigmoid/softmax the code applied."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis import Kind, Value, Wrap
from logitlint.analysis.calls import is_constant
from logitlint.analysis.catalogue import (
    LOGITS_ALTERNATIVE,
    LOGITS_FORM,
    LOGITS_FUNCTION,
    PROBABILITY_SINK_CLASSES,
    PROBABILITY_SINKS,
    PRODUCER_WORDS,
    SINK_CLASSES,
    SINKS,
    leaf_names,
)
from logitlint.analysis.flow import ProbabilitySinkUse
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import (
    keyword_arg,
    pre_activation,
    pre_activation_target,
    renamed_callee,
    replacement_text,
    rewrite_node,
    snippet,
)
from logitlint.rule import FixSpec, ImportEdit, NodeEdit, Rule

# Prefilter evidence: the file names a loss that can expect probabilities (a
# probability loss, or a Keras loss whose ``from_logits`` may be False).
_PROBABILITY_LOSS_NAMES = leaf_names(
    PROBABILITY_SINKS,
    PROBABILITY_SINK_CLASSES,
    tuple(api for api in (*SINKS, *SINK_CLASSES) if api.from_logits is not None),
)


class ProbabilityLossAfterActivation(Rule):
    code = "LGT004"
    name = "probability-loss-after-activation"
    summary = "Probability-space loss on a sigmoid/softmax output instead of the logits form"
    severity = Severity.WARNING
    fix_availability = "sometimes"
    triggers = PRODUCER_WORDS
    requires = (_PROBABILITY_LOSS_NAMES,)
    what = """
A loss that takes probabilities applied to a sigmoid or softmax the same code just
computed: `F.binary_cross_entropy(torch.sigmoid(x), y)`, `nn.BCELoss()(sigmoid(x), y)`
(also through a variable, a loss object built elsewhere, or `self.sigmoid = nn.Sigmoid()`),
and Keras `binary_crossentropy` / `BinaryCrossentropy()` / `categorical_crossentropy` /
`CategoricalCrossentropy()` (and the sparse and focal variants, `keras.ops` and the
backend) with `from_logits` literally `False` or left out, on `sigmoid(x)` /
`softmax(x)`. A `from_logits` given as an expression is unknown and not reported.
Not reported: a model whose architecture ends in `nn.Sigmoid()` or a
`Dense(..., activation="sigmoid")` (the DCGAN and VAE examples document probability
outputs; changing them is a design decision, not a local rewrite), and BCE between
two probability maps that are not activations of a logit in scope.
"""
    why = """
The probability form has to clip: `BCELoss` clamps the log at -100, Keras clips to
`[1e-7, 1 - 1e-7]`, so a confidently wrong prediction gets a capped loss and no
gradient — `BCE(sigmoid(-200), 1)` is 100 while the logits form gives the true 200.
Under CUDA autocast `binary_cross_entropy` and `BCELoss` raise "unsafe to autocast"
outright. The logits forms compute `max(x, 0) - x*y + log(1 + exp(-|x|))`, exact for
every input.
"""
    instead = """
`F.binary_cross_entropy_with_logits(x, y)` / `nn.BCEWithLogitsLoss()(x, y)` on the
pre-activation `x`; for Keras, the same loss with `from_logits=True` on `x`. The fix
is safe when the activation is inline; unsafe through a variable, a wrapper such as
`.view(-1)`, or a loss object built elsewhere (it then calls the functional form).
"""
    bad = """
import torch
import torch.nn.functional as F

def bce_step(model, x, y):
    scores = model(x).squeeze(1)
    return F.binary_cross_entropy(torch.sigmoid(scores), y.float())
"""
    good = """
import torch
import torch.nn.functional as F

def bce_step(model, x, y):
    scores = model(x).squeeze(1)
    return F.binary_cross_entropy_with_logits(scores, y.float())
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        use = self.analysis.probability_sink(node, site, self.shadowed)
        if use is None or use.prediction is None or use.expects is Kind.LOG_PROBS:
            return
        value = self.analysis.value(use.prediction.value, site, self.shadowed)
        if value.kind is not use.expects or value.provenance is None:
            return  # no activation in scope: a model that outputs probabilities
        self.report(node, self._message(use, value), self._fix(use, value))

    def _message(self, use: ProbabilitySinkUse, value: Value) -> str:
        prov = value.provenance
        assert prov is not None
        what = "sigmoid" if value.kind is Kind.SIGMOID_PROBS else "softmax"
        name = use.api.names[0]
        form = LOGITS_FORM.get(name) or LOGITS_ALTERNATIVE.get(name)
        instead = f"`{form.rpartition('.')[2]}`" if form else "`from_logits=True`"
        autocast = " (and is unsafe under autocast)" if use.api.framework == "torch" else ""
        return (
            f"`{use.api.display}` on the {what} output "
            f"`{snippet(self.context.module, prov.producer)}` ({self.where(prov.producer)}) "
            f"clips the log and loses gradient{autocast}; use {instead} on the logits"
        )

    def _fix(self, use: ProbabilitySinkUse, value: Value) -> Optional[FixSpec]:
        site, module = self.site, self.context.module
        assert site is not None and use.prediction is not None
        if Wrap.CLIP in value.wraps or Wrap.EPSILON in value.wraps:
            return None
        target = pre_activation_target(self.analysis, value, use.prediction.value, site)
        if target is None:
            return None
        prov = value.provenance
        assert prov is not None
        direct = target is use.prediction.value and not prov.complement
        logits = prov.input if direct else cst.parse_expression(pre_activation(module, prov))
        replace: dict[int, cst.CSTNode] = {id(target): logits}
        append: dict[int, list[cst.Arg]] = {}
        imports: tuple[ImportEdit, ...] = ()
        safe = value.inline and not value.wraps
        form = LOGITS_FORM.get(use.api.names[0])
        if use.ctor is None and form is not None:  # F.binary_cross_entropy(...)
            callee = (use.call.func, form)
        elif use.ctor is not None and use.ctor is use.call.func and form is not None:
            callee = (use.ctor.func, form)  # nn.BCELoss()(...)
        elif use.ctor is not None and form is not None:  # criterion = nn.BCELoss()
            function = LOGITS_FUNCTION.get(use.api.names[0])
            settings = use.ctor.args
            if function is None or not all(a.keyword and is_constant(a.value) for a in settings):
                return None  # only literal settings can move to the call unchanged
            callee, safe = (use.call.func, function), False
            append[id(use.call)] = list(settings)  # reduction="sum" and the like
        elif use.api.from_logits is not None and (use.ctor is None or use.ctor is use.call.func):
            holder = use.ctor if use.ctor is not None else use.call
            if use.from_logits is not None:
                replace[id(use.from_logits.value)] = cst.Name("True")
            else:
                append[id(holder)] = [keyword_arg("from_logits", "True")]
            callee = None
        else:
            return None
        if callee is not None:
            renamed = renamed_callee(self.analysis, module, callee[0], callee[1], site)
            if renamed is None:
                return None
            replace[id(callee[0])] = cst.parse_expression(renamed[0])
            imports = renamed[1]
        new_call = rewrite_node(use.call, replace, append)
        fixed = replacement_text(module, self.context.positions, use.call, new_call)
        applicability = Applicability.SAFE if safe else Applicability.UNSAFE
        return FixSpec(
            f"Use the logits: `{snippet(module, new_call)}`",
            applicability,
            (NodeEdit(use.call, fixed), *imports),
        )

"""LGT007: a model whose forward/call returns probabilities, trained with a logits loss."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis import PROBABILITY_KINDS, Kind, SinkUse, Value
from logitlint.analysis.catalogue import PRODUCER_WORDS, SINK_NAMES, Role
from logitlint.analysis.models import ModelClass
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import pre_activation, snippet
from logitlint.rule import FixSpec, NodeEdit, Rule

_APPLIES = {
    "softmax": "applies log-softmax itself, so the softmax is applied twice",
    "sigmoid": "applies the sigmoid itself, so it is applied twice",
}


class ModelOutputsProbabilities(Rule):
    code = "LGT007"
    name = "model-outputs-probabilities"
    summary = "A model whose `forward`/`call` returns probabilities is trained with a logits loss"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    triggers = PRODUCER_WORDS
    requires_calls = (SINK_NAMES,)  # a logits-expecting loss, as for LGT001
    what = """
A model defined in the file — a `torch.nn.Module` (or Lightning module) subclass
whose `forward`, or a Keras `Model`/`Layer` subclass whose `call`, returns softmax or
sigmoid output on every path, or a functional `keras.Model(inputs, outputs)` whose
outputs are — whose output is passed, in the same file,
to a loss that expects logits (`nn.CrossEntropyLoss`, `F.cross_entropy`,
`BCEWithLogitsLoss`, Keras losses with `from_logits=True`, ...). The model may be
reached through variables (`model = Net().to(device)`, `self.net = Net()`,
`nn.DataParallel(model)`), through a parameter when every caller in the file passes
the same model (`def train(model, loader)` ... `train(Net(), loader)`), or called as
`self(x)` / `self.forward(x)` inside the class. Reported at the loss call, citing
the line in `forward`.

When the softmax is visible where the loss is called (`loss(F.softmax(model(x)), y)`,
or through a variable in the same function), LGT001 reports it and this rule stays
silent: one finding per call. A `forward` that returns logits in training and
probabilities only at inference (`if self.training: return logits`) is not reported,
nor is `log_softmax` output (valid logits).
"""
    why = """
The loss applies softmax (or sigmoid) to its input itself, so the probabilities
coming out of the model are squashed a second time: with 10 classes the
cross-entropy cannot exceed about 2.46, hovers near ln 10 = 2.30, and the
gradients shrink — training stalls without an error. Because the softmax sits in
another class, this is the form of the mistake that is hardest to see in review.
"""
    instead = """
Return the logits from `forward` / `call`, and apply softmax (or sigmoid) where
probabilities are wanted: at inference, in metrics, or in a separate `predict`
method. The fix is display-only: it shows the `forward` line without the
activation, because every other caller of the model changes with it.
"""
    bad = """
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)

model = Net()
criterion = nn.CrossEntropyLoss()

def train_step(x, y):
    return criterion(model(x), y)
"""
    good = """
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return self.fc(x)

model = Net()
criterion = nn.CrossEntropyLoss()

def train_step(x, y):
    return criterion(model(x), y)
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        sink = self.analysis.sink(node, site, self.shadowed)
        if sink is None or sink.logits is None or sink.api.family not in _APPLIES:
            return
        argument = sink.logits.value
        if self.analysis.value(argument, site, self.shadowed).kind in PROBABILITY_KINDS:
            return  # visible in this flow: LGT001's finding
        value = self.analysis.value(argument, site, self.shadowed, models=True)
        if value.kind not in PROBABILITY_KINDS or value.model is None:
            return
        model = value.model
        self.report(node, self._message(sink, argument, value, model), self._fix(value))

    def _message(
        self, sink: SinkUse, argument: cst.BaseExpression, value: Value, model: ModelClass
    ) -> str:
        module = self.context.module
        what = "softmax" if value.kind is Kind.PROBS else "sigmoid"
        prov = value.provenance
        returned = self.analysis.models.returned_at(model)
        if prov is not None and not value.ambiguous:
            where = f" `{snippet(module, prov.producer)}` ({self.where(prov.producer)})"
        elif returned is not None:
            where = f" ({self.where(returned)})"
        else:
            where = ""
        return (
            f"`{snippet(module, argument)}` is the output of {model.described}, "
            f"which returns {what} output{where}, but `{sink.api.display}` expects logits "
            f"and {_APPLIES[sink.api.family]}; return the logits from {model.described}"
        )

    def _fix(self, value: Value) -> Optional[FixSpec]:
        prov = value.provenance
        if (
            prov is None
            or value.ambiguous
            or prov.api.role not in (Role.PRODUCER, Role.MODULE_PRODUCER)
            or prov.api.fused
        ):
            return None
        replacement = pre_activation(self.context.module, prov)
        return FixSpec(
            f"Return the logits: `{replacement}` in place of the {prov.api.display} call "
            f"({self.where(prov.producer)})",
            Applicability.DISPLAY_ONLY,
            (NodeEdit(prov.producer, replacement),),
        )

"""LGT012: softmax over an axis of size one, whose output is always 1.0."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis.keras_models import SizeOne
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import snippet
from logitlint.rewrite_keras import sigmoid_activation, sigmoid_call, sigmoid_layer
from logitlint.rule import FixSpec, Rule


class SingleUnitSoftmax(Rule):
    code = "LGT012"
    name = "single-unit-softmax"
    summary = "Softmax over a single unit: the output is always 1.0"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    triggers = ("softmax",)
    what = """
A softmax over an axis of size one: `Dense(1, activation="softmax")` (Keras 2 and 3),
TF1 `tf.layers.dense(x, 1, activation=tf.nn.softmax)`, a width-one layer followed by
a last-axis softmax in a `Sequential` (`nn.Linear(h, 1), nn.Softmax(dim=-1)`;
`Dense(1), Softmax()`), or a softmax applied to a width-one layer's output
(`tf.nn.softmax(Dense(1)(h))`). The width must be a literal or a module-level
constant. A softmax over another axis of a width-one output (attention weights over
a sequence, `nn.Softmax(dim=1)` on `(batch, time, 1)`) is not this rule.
"""
    why = """
Softmax normalises over the axis: with one entry, `exp(z) / exp(z)` is 1.0 for every
input. The model's output is constant, the gradient through it is zero, and nothing
before it learns; the loss stays flat while accuracy sits at the positive-class rate.
Keras 2 and PyTorch run it silently; Keras 3.1 and later only warn at run time.
"""
    instead = """
For one output, use `sigmoid` (with binary cross-entropy), or keep the layer linear
and use a with-logits loss (`from_logits=True`, `BCEWithLogitsLoss`). For a
two-or-more-class softmax, give the layer one unit per class. The fix replaces the
softmax with a sigmoid (unsafe: the loss must be binary cross-entropy).
"""
    bad = """
from tensorflow import keras

model = keras.Sequential([
    keras.layers.Embedding(10000, 64),
    keras.layers.LSTM(64),
    keras.layers.Dense(1, activation="softmax"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
"""
    good = """
from tensorflow import keras

model = keras.Sequential([
    keras.layers.Embedding(10000, 64),
    keras.layers.LSTM(64),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        for hit in self.analysis.keras.single_unit_softmax(node, site, self.shadowed):
            self.report(hit.node, self._message(hit), self._fix(hit))

    def _message(self, hit: SizeOne) -> str:
        module = self.context.module
        if hit.node is hit.linear:
            return (
                f"`{snippet(module, hit.node)}` has one unit, so its softmax is always 1.0 "
                f"and the model cannot learn; use a sigmoid for a single output"
            )
        return (
            f"softmax over the single unit of `{snippet(module, hit.linear)}` "
            f"({self.where(hit.linear)}) is always 1.0 and the model cannot learn; "
            f"use a sigmoid for a single output"
        )

    def _fix(self, hit: SizeOne) -> Optional[FixSpec]:
        site = self.site
        assert site is not None
        target = hit.target
        if target is None:
            return None
        module = self.context.module
        imports: tuple = ()
        if hit.how == "activation":
            assert isinstance(target, cst.BaseExpression)
            edit = sigmoid_activation(self.analysis, module, target, site)
        elif hit.how == "layer":
            assert isinstance(target, cst.Call)
            found = sigmoid_layer(self.analysis, module, target, site)
            edit, imports = found if found is not None else (None, ())
        else:
            assert isinstance(target, cst.Call) and hit.input is not None
            found = sigmoid_call(self.analysis, module, target, hit.input, site)
            edit, imports = found if found is not None else (None, ())
        if edit is None:
            return None
        message = "Use a sigmoid (the loss must be binary cross-entropy)"
        return FixSpec(message, Applicability.UNSAFE, (edit, *imports))

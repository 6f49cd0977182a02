"""LGT006: a Keras model's final activation disagrees with its compiled loss's from_logits."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis import PROBABILITY_KINDS, Kind
from logitlint.analysis.keras_models import Compiled
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import snippet
from logitlint.rewrite_keras import flavoured, spell
from logitlint.rule import FixSpec, NodeEdit, Rule

_OUTPUTS = {
    Kind.PROBS: "applies softmax, so the model outputs probabilities",
    Kind.SIGMOID_PROBS: "applies sigmoid, so the model outputs probabilities",
    Kind.LOGITS: "is linear (no activation), so the model outputs logits",
    Kind.LOG_PROBS: "applies log_softmax, so the model outputs log-probabilities",
}
_EQUAL = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))


class KerasFromLogitsMismatch(Rule):
    code = "LGT006"
    name = "keras-from-logits-mismatch"
    summary = "A Keras model's final activation disagrees with the loss's `from_logits`"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    triggers = ("crossentropy",)
    what = """
`model.compile(loss=...)` on a Keras model (a `Sequential([...])` list, a chain of
`model.add(...)`, the functional API `Model(inputs, outputs)`, or a subclassed model
whose `call` returns its output layer) when the final layer and the loss disagree:
a final `softmax`/`sigmoid` (an activation argument, a `Softmax()` or
`Activation("softmax")` layer) with a cross-entropy built with `from_logits=True`,
or a final linear layer (`Dense(10)`, no activation) with a cross-entropy given as
a string (`"sparse_categorical_crossentropy"`), a function, or a loss object with
`from_logits` unset or `False`. A Hugging Face TF model with a task head
(`TFAutoModelForSequenceClassification.from_pretrained(...)`) outputs logits like a
linear layer. Only models whose last layer is evident in the file are checked.
"""
    why = """
`from_logits=True` makes the loss apply softmax (or sigmoid) itself; given
probabilities, it squashes twice and the gradients shrink. Keras corrects this only
on the TensorFlow backend (with a warning); on the torch and JAX backends of Keras 3
the loss is silently wrong (for a confident correct prediction, 1.55 where the true
cross-entropy is 20). The other way round, `from_logits=False` on raw logits divides
them by their sum and clips to [1e-7, 1 - 1e-7]: the loss caps at 16.1 with zero
gradient on the TensorFlow and torch backends and turns NaN on JAX.
"""
    instead = """
Make the two agree: a linear final layer with `from_logits=True` (numerically the
most stable, and the form the TensorFlow tutorials use), or a softmax/sigmoid final
layer with the default `from_logits=False`. The fix changes the loss's `from_logits`
to match the model (unsafe: it may be the model that should change); a string or
function loss becomes the loss class with `from_logits=True`. With a softmax head
and `from_logits=False`, Keras clips the probabilities to `[1e-7, 1 - 1e-7]`, so
each example's loss stops near 16.1 once its logits are far apart (only Keras's own
softmax layers on the TensorFlow backend avoid that); the linear head does not.
"""
    bad = """
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile(
    optimizer="adam",
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
"""
    good = """
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10),
])
model.compile(
    optimizer="adam",
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        compiled = self.analysis.keras.compiled(node, site, self.shadowed)
        if compiled is None:
            return
        kind, from_logits = compiled.head.kind, compiled.loss.from_logits
        if kind in PROBABILITY_KINDS and from_logits:
            self.report(node, self._message(compiled), self._fix(compiled, want=False))
        elif kind in (Kind.LOGITS, Kind.LOG_PROBS) and not from_logits:
            self.report(node, self._message(compiled), self._fix(compiled, want=True))

    def _message(self, compiled: Compiled) -> str:
        module = self.context.module
        head, loss = compiled.head, compiled.loss
        where = f"`{snippet(module, head.node)}` ({self.where(head.node)})"
        if head.pretrained:
            layer = f"the model {where} is a Hugging Face model with a task head: it outputs logits"
        else:
            layer = f"the model's last layer {where} {_OUTPUTS[head.kind]}"
        built = f"`{snippet(module, loss.ctor or loss.expr)}`"
        if not loss.inline:
            built += f" ({self.where(loss.ctor or loss.expr)})"
        activation = "sigmoid" if loss.api.family == "sigmoid" else "softmax"
        if loss.from_logits:
            return (
                f"{layer}, but the loss {built} treats them as logits and applies "
                f"{activation} again; set `from_logits=False` or drop the final activation"
            )
        cls = loss.api.display.rpartition(".")[2]
        other = "" if head.pretrained else f" or end the model with a {activation}"
        return (
            f"{layer}, but the loss {built} expects probabilities (`from_logits=False`); "
            f"use `{cls}(from_logits=True)`{other}"
        )

    def _fix(self, compiled: Compiled, want: bool) -> Optional[FixSpec]:
        loss = compiled.loss
        if not loss.inline:
            return None  # the loss object may be shared: the message says what to change
        literal = "True" if want else "False"
        message = f"Set `from_logits={literal}` to match the model's final layer"
        if loss.flag is not None:
            edit = NodeEdit(loss.flag.value, literal)
            return FixSpec(message, Applicability.UNSAFE, (edit,))
        if not want:
            return None
        if loss.ctor is not None:
            flag = cst.Arg(cst.Name("True"), keyword=cst.Name("from_logits"), equal=_EQUAL)
            ctor = loss.ctor.with_changes(args=(*loss.ctor.args, flag))
            edit = NodeEdit(loss.ctor, self.context.module.code_for_node(ctor))
            return FixSpec(message, Applicability.UNSAFE, (edit,))
        return self._class_fix(compiled, message)

    def _class_fix(self, compiled: Compiled, message: str) -> Optional[FixSpec]:
        """A string or function loss becomes its class with ``from_logits=True``."""
        site = self.site
        head, loss = compiled.head, compiled.loss
        assert site is not None
        hint = head.node.func if isinstance(head.node, cst.Call) else head.node
        assert isinstance(hint, cst.BaseExpression)
        target = flavoured(self.analysis, hint, head.site, loss.api.names[0])
        spelled = spell(self.analysis, target, site)
        if spelled is None:
            return None
        text, imports = spelled
        edit = NodeEdit(loss.expr, f"{text}(from_logits=True)")
        return FixSpec(message, Applicability.UNSAFE, (edit, *imports))

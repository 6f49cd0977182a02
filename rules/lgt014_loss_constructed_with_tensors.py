"""LGT014: tensors passed to a loss class's constructor instead of to its call."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis.catalogue import LOSS_CLASSES, LossClass, leaf_names, loss_class
from logitlint.diagnostics import Applicability, Severity
from logitlint.rewrite import replacement_text, snippet, with_args
from logitlint.rule import FixSpec, NodeEdit, Rule


class LossConstructedWithTensors(Rule):
    code = "LGT014"
    name = "loss-constructed-with-tensors"
    summary = "Tensors passed to a loss class's constructor instead of to the loss call"
    severity = Severity.WARNING
    fix_availability = "sometimes"
    triggers = ("loss",)
    requires = (leaf_names(LOSS_CLASSES),)  # the constructor is named in the file
    what = """
A loss class — any `torch.nn.*Loss`, or a Keras loss class such as
`CategoricalCrossentropy` — constructed with the prediction and the target:
`nn.CrossEntropyLoss(outputs, labels)`, `nn.MSELoss(pred, y)`,
`tf.keras.losses.CategoricalCrossentropy(y_true, y_pred)`. Reported when at least two
positional arguments look like tensors (a known value kind such as softmax output,
a name such as `outputs`, `labels`, `y_pred`, `target`, or a call of `model(...)`)
and one of them lands on a constructor parameter that is not a tensor
(`size_average`, `from_logits`, `margin`, ...). A single positional `weight`
(`nn.CrossEntropyLoss(class_weights)`), keyword arguments, literals, and settings
such as `nn.TripletMarginLoss(margin, p)` or `args.margin` are not reported.
"""
    why = """
The constructor takes settings, not data: `nn.CrossEntropyLoss(outputs, labels)`
binds `outputs` to `weight` and `labels` to `size_average`, and PyTorch fails with
the baffling "Boolean value of Tensor with more than one value is ambiguous" (or the
result is a loss *module*, and `loss.backward()` fails). Keras binds `y_true` to
`from_logits`.
"""
    instead = """
Construct the loss, then call it: `nn.CrossEntropyLoss()(outputs, labels)` — or
build `criterion = nn.CrossEntropyLoss()` once and call `criterion(outputs, labels)`,
or use the functional form `F.cross_entropy(outputs, labels)`. The fix moves the
positional arguments (and call keywords such as `sample_weight`) to a call and keeps
the constructor keywords; it is safe.
"""
    bad = """
import torch.nn as nn

def train_step(model, optimizer, images, labels):
    outputs = model(images)
    loss = nn.CrossEntropyLoss(outputs, labels)
    loss.backward()
    optimizer.step()
"""
    good = """
import torch.nn as nn

def train_step(model, optimizer, images, labels):
    outputs = model(images)
    loss = nn.CrossEntropyLoss()(outputs, labels)
    loss.backward()
    optimizer.step()
"""

    def visit_Call(self, node: cst.Call) -> None:
        site = self.site
        assert site is not None
        row = loss_class(self.analysis.qualname(node.func, site, self.shadowed))
        if row is None or any(arg.star for arg in node.args):
            return
        positional = [arg for arg in node.args if arg.keyword is None]
        tensors = [
            self.analysis.looks_like_tensor(arg.value, site, self.shadowed) for arg in positional
        ]
        if sum(tensors) < 2:
            return
        slots = [
            row.positional[i] if i < len(row.positional) else None for i in range(len(positional))
        ]
        if not any(tensor and slot not in row.tensors for tensor, slot in zip(tensors, slots)):
            return  # every tensor lands on a tensor parameter such as `weight`
        module = self.context.module
        misplaced = [
            f"`{snippet(module, arg.value)}` binds `{slot}`"
            for arg, tensor, slot in zip(positional, tensors, slots)
            if tensor and slot not in row.tensors and slot is not None
        ]
        binds = f" ({', '.join(misplaced)})" if misplaced else ""
        self.report(
            node,
            f"`{snippet(module, node.func)}` is a loss class: its constructor takes settings, "
            f"not tensors{binds}; construct it, then call it with the tensors",
            self._fix(node, row, positional),
        )

    def _fix(self, node: cst.Call, row: LossClass, positional: list[cst.Arg]) -> Optional[FixSpec]:
        keywords = [arg for arg in node.args if arg.keyword is not None]
        moved = [arg for arg in keywords if arg.keyword.value in row.call]  # type: ignore[union-attr]
        kept = [arg for arg in keywords if arg not in moved]
        if len(positional) > len(row.call):
            return None
        bare = node.with_changes(lpar=[], rpar=[])
        ctor = with_args(bare, kept) if kept else bare.with_changes(args=())
        fixed = cst.Call(func=ctor, args=with_args(node, [*positional, *moved]).args)
        text = replacement_text(self.context.module, self.context.positions, node, fixed)
        return FixSpec(f"Call the loss: `{text}`", Applicability.SAFE, (NodeEdit(node, text),))

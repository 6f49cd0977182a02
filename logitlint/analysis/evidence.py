"""Evidence that an argument is a prediction or labels, for the argument-order rule.

Loss APIs disagree on the order of their two tensors (PyTorch ``(input, target)``,
TF2 ``(labels, logits)``, Keras ``(y_true, y_pred)``, optax ``(logits, labels)``),
and a swapped call usually runs without an error. The only static evidence of a
swap is what the arguments evidently are: their data flow (a model output, a
linear layer's output or ``outputs.logits`` is a prediction; a ``one_hot`` is
labels) and, failing that, their names (``labels``, ``y_true``, ``target`` versus
``logits``, ``y_pred``, ``outputs``). A name counts only when it points one way:
``target_logits`` and ``pred_labels`` say nothing.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Optional

import libcst as cst

from logitlint.analysis import catalogue as cat
from logitlint.analysis.calls import argument, string_literal
from logitlint.analysis.catalogue import Role
from logitlint.analysis.kinds import PROBABILITY_KINDS, Kind
from logitlint.analysis.scopes import Site

if TYPE_CHECKING:
    from logitlint.analysis.flow import Analysis


class ArgumentRole(enum.Enum):
    LABELS = "labels"
    PREDICTION = "prediction"


# Whole names, compared lower-cased.
LABEL_NAMES = frozenset(
    {
        "y", "y_", "ys", "y_true", "ytrue", "y_batch", "batch_y", "y_train", "y_test",
        "y_val", "y_valid", "y_onehot", "true_y",
    }
)  # fmt: skip
PREDICTION_NAMES = frozenset({"y_pred", "ypred", "y_hat", "yhat", "y_logits", "y_out"})
# Words of a snake_case name (trailing digits dropped: ``labels2``, ``out1``).
LABEL_WORDS = frozenset(
    {"label", "labels", "target", "targets", "tgt", "tgts", "gt", "onehot", "truth"}
)
PREDICTION_WORDS = frozenset(
    {
        "logit", "logits", "pred", "preds", "prediction", "predictions", "output",
        "outputs", "out", "scores",
    }
)  # fmt: skip

# Methods that keep a tensor's meaning (``labels.long()``, ``y.view(-1)``).
_KEEP_METHODS = cat.TRANSPARENT_METHODS | frozenset({"long", "int", "bool", "squeeze_"})


def name_role(name: str) -> Optional[ArgumentRole]:
    """What a name says an argument is, if it says one thing."""
    low = name.lower()
    if low in LABEL_NAMES:
        return ArgumentRole.LABELS
    if low in PREDICTION_NAMES:
        return ArgumentRole.PREDICTION
    words = {w.rstrip("0123456789") for w in re.split(r"_+", low.replace("one_hot", "onehot"))}
    label = bool(words & LABEL_WORDS)
    prediction = bool(words & PREDICTION_WORDS)
    if label and not prediction:
        return ArgumentRole.LABELS
    if prediction and not label:
        return ArgumentRole.PREDICTION
    return None


def final_name(analysis: Analysis, expr: cst.BaseExpression, site: Site) -> Optional[str]:
    """The name an argument is known by: ``labels`` in ``batch.labels.long()``,
    ``logits`` in ``out["logits"]``, through indexing, casts and moves."""
    for _ in range(16):
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, cst.Attribute):
            return expr.attr.value
        if isinstance(expr, cst.Subscript):
            if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
                key = string_literal(expr.slice[0].slice.value)
                if key is not None:
                    return key
            expr = expr.value
            continue
        if isinstance(expr, cst.Call):
            func = expr.func
            api = analysis.api(func, site)
            if api is not None and api.role is Role.WRAPPER:
                arg = argument(expr, api.input)
                if arg is None:
                    return None
                expr = arg.value
                continue
            if (
                api is None
                and isinstance(func, cst.Attribute)
                and func.attr.value in _KEEP_METHODS
                and not analysis.is_module_reference(func.value, site)
            ):
                expr = func.value
                continue
        return None
    return None


def _label_producer(analysis: Analysis, expr: cst.BaseExpression, site: Site) -> bool:
    """``tf.one_hot(y, n)``, ``torch.ones_like(d)``, or a name bound only to such calls."""
    calls = analysis.calls_behind(expr, site)
    return bool(calls) and all(
        analysis.qualname(call.func, call_site) in cat.LABEL_PRODUCERS for call, call_site in calls
    )


def _model_output(analysis: Analysis, expr: cst.BaseExpression, site: Site) -> bool:
    """``model(x)`` for a model class of this file, whatever its forward returns."""
    calls = analysis.calls_behind(expr, site)
    return bool(calls) and all(
        analysis.value(_callee(call), call_site, models=True).kind is Kind.MODEL
        for call, call_site in calls
    )


def _callee(call: cst.Call) -> cst.BaseExpression:
    """The object a call runs: ``model`` for ``model(x)`` and ``model.forward(x)``."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in cat.MODEL_CALL_METHODS:
        return func.value
    return func


def argument_role(
    analysis: Analysis, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str]
) -> Optional[ArgumentRole]:
    """Data flow first (it cannot lie), then the name."""
    value = analysis.value(expr, site, shadowed, models=True)
    if value.kind in (Kind.LOGITS, Kind.LOG_PROBS):
        return ArgumentRole.PREDICTION
    if value.model is not None and value.kind in PROBABILITY_KINDS:
        return ArgumentRole.PREDICTION
    if value.kind in PROBABILITY_KINDS:
        return None  # softmax output may be a prediction or soft labels
    if _model_output(analysis, expr, site):
        return ArgumentRole.PREDICTION
    if _label_producer(analysis, expr, site):
        return ArgumentRole.LABELS
    name = final_name(analysis, expr, site)
    return name_role(name) if name is not None else None

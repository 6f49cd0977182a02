"""Small questions about call syntax: which argument binds a parameter, literal values."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis.catalogue import Param


def argument(call: cst.Call, param: Optional[Param]) -> Optional[cst.Arg]:
    """The argument bound to ``param`` by keyword or position, if the call shows it."""
    if param is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in param.keywords:
            return arg
    if param.position is None:
        return None
    leading: list[cst.Arg] = []
    for arg in call.args:
        if arg.keyword is not None or arg.star == "**":
            break
        if arg.star == "*":
            return None  # positions after *args are unknowable
        leading.append(arg)
    return leading[param.position] if param.position < len(leading) else None


def positional_args(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


def is_true(arg: Optional[cst.Arg]) -> bool:
    return arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "True"


def literal_bool(arg: Optional[cst.Arg]) -> Optional[bool]:
    if arg is None or not isinstance(arg.value, cst.Name):
        return None
    return {"True": True, "False": False}.get(arg.value.value)


def int_literal(expr: cst.BaseExpression) -> Optional[int]:
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if (
        isinstance(expr, cst.UnaryOperation)
        and isinstance(expr.operator, cst.Minus)
        and isinstance(expr.expression, cst.Integer)
    ):
        return -int(expr.expression.evaluated_value)
    return None


def number_literal(expr: cst.BaseExpression) -> Optional[float]:
    if isinstance(expr, (cst.Integer, cst.Float)):
        return float(expr.evaluated_value)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = number_literal(expr.expression)
        return None if inner is None else -inner
    return None


def string_literal(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def is_atomic(expr: cst.BaseExpression) -> bool:
    """True when ``expr`` can stand next to an operator or a ``.`` without parentheses."""
    if expr.lpar:
        return True
    return isinstance(
        expr,
        (
            cst.Name,
            cst.Attribute,
            cst.Call,
            cst.Subscript,
            cst.Integer,
            cst.Float,
            cst.SimpleString,
            cst.List,
            cst.Dict,
            cst.Tuple,
        ),
    ) and not (isinstance(expr, cst.Tuple) and not expr.lpar)


def is_constant(expr: cst.BaseExpression) -> bool:
    """A literal that means the same wherever it is written: numbers, strings, bools, None."""
    if isinstance(expr, cst.Name):
        return expr.value in ("True", "False", "None")
    if isinstance(expr, cst.UnaryOperation):
        return is_constant(expr.expression)
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return all(is_constant(element.value) for element in expr.elements)
    return isinstance(
        expr,
        (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString),
    )

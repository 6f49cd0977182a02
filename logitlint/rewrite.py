"""Building blocks for fixes and messages that several rules share.

Rules decide *whether* and *how safe*; these helpers turn a ``Provenance`` into the
replacement text (the producer's input, the fused log form) spelled with the
module's own imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst

from logitlint.analysis import Analysis, Provenance, Site, Value
from logitlint.analysis.calls import argument, int_literal, is_atomic
from logitlint.analysis.catalogue import Role, canonical
from logitlint.positions import Positions
from logitlint.rule import ImportEdit, NodeEdit
from logitlint.textedit import LineIndex

_MAX_SNIPPET = 48


def snippet(module: cst.Module, node: cst.CSTNode) -> str:
    """A node's source on one line, shortened for a message."""
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= _MAX_SNIPPET else text[: _MAX_SNIPPET - 3] + "..."


def atomic(module: cst.Module, expr: cst.BaseExpression) -> str:
    """The expression's text, parenthesised unless it can stand anywhere as it is."""
    text = module.code_for_node(expr)
    return text if is_atomic(expr) else f"({text})"


def pre_activation(module: cst.Module, prov: Provenance) -> str:
    """What the producer was applied to: ``x`` for ``softmax(x)``, ``-x`` for ``1 - sigmoid(x)``."""
    text = atomic(module, prov.input)
    return f"-{text}" if prov.complement else text


def inputs_unchanged(analysis: Analysis, prov: Provenance, use: Site) -> bool:
    """The producer's arguments mean the same at ``use`` as where it was called."""
    if prov.site is None:
        return False
    if prov.site is use:
        return True
    expressions = [arg.value for arg in prov.producer.args]
    if prov.method:
        expressions.append(prov.input)
    return all(analysis.same_value(e, prov.site, use) for e in expressions)


@dataclass(frozen=True)
class LogForm:
    """The fused log of a producer's output, ready to replace ``log(producer(...))``."""

    text: str
    imports: tuple[ImportEdit, ...] = ()


def log_form(analysis: Analysis, module: cst.Module, prov: Provenance) -> Optional[LogForm]:
    target = prov.api.log_form
    if target is None or prov.site is None:
        return None
    site = prov.site
    input_text = pre_activation(module, prov)
    if prov.module_ctor is not None:
        return _module_log_form(analysis, module, prov, target, input_text)
    if prov.method and "." not in target:  # x.softmax(1) -> x.log_softmax(1)
        func = prov.producer.func
        assert isinstance(func, cst.Attribute)
        call = prov.producer.with_changes(
            func=func.with_changes(attr=cst.Name(target)), lpar=[], rpar=[]
        )
        return LogForm(module.code_for_node(call))
    imports: tuple[ImportEdit, ...] = ()
    callee = prov.callee
    producer_name = analysis.qualname(callee, site) if callee is not None else None
    if (
        isinstance(callee, cst.Attribute)
        and producer_name is not None
        and producer_name.rpartition(".")[0] == canonical(target).rpartition(".")[0]
    ):
        callee_text = f"{module.code_for_node(callee.value)}.{target.rpartition('.')[2]}"
    else:
        spelling = analysis.spell(target, site)
        if spelling is None:
            return None
        callee_text = spelling.text
        if spelling.import_from:
            imports = (ImportEdit(*spelling.import_from),)
    if prov.method:  # x.sigmoid() -> F.logsigmoid(x)
        return LogForm(f"{callee_text}({input_text})", imports)
    call = prov.producer.with_changes(
        func=cst.parse_expression(callee_text), lpar=[], rpar=[], args=_with_input(prov)
    )
    return LogForm(module.code_for_node(call), imports)


def _with_input(prov: Provenance) -> tuple[cst.Arg, ...]:
    if not prov.complement:
        return tuple(prov.producer.args)
    negated = cst.UnaryOperation(
        cst.Minus(),
        prov.input
        if is_atomic(prov.input)
        else prov.input.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]),
    )
    return tuple(
        arg.with_changes(value=negated) if arg.value is prov.input else arg
        for arg in prov.producer.args
    )


def _module_log_form(
    analysis: Analysis, module: cst.Module, prov: Provenance, target: str, input_text: str
) -> Optional[LogForm]:
    """``nn.Softmax(dim=1)(h)`` -> ``F.log_softmax(h, dim=1)`` (the dim must be literal)."""
    assert prov.module_ctor is not None and prov.site is not None
    ctor_api = prov.api
    args = [input_text]
    if ctor_api.axis is not None:
        dim = argument(prov.module_ctor, ctor_api.axis)
        if dim is None or int_literal(dim.value) is None:
            return None
        args.append(f"dim={module.code_for_node(dim.value)}")
    spelling = analysis.spell(target, prov.site)
    if spelling is None:
        return None
    imports = (ImportEdit(*spelling.import_from),) if spelling.import_from else ()
    return LogForm(f"{spelling.text}({', '.join(args)})", imports)


def unwrap_edit(
    analysis: Analysis,
    module: cst.Module,
    value: Value,
    argument_expr: cst.BaseExpression,
    use: Site,
) -> Optional[NodeEdit]:
    """The edit that passes the pre-activation value instead of the producer's output.

    Inline (``loss(softmax(x))``), the producer call itself becomes ``x``. Through a
    variable (``p = softmax(x); loss(p)``), the argument becomes ``x``, and only when
    ``x`` provably still means the same at the use.
    """
    prov = value.provenance
    if prov is None or value.ambiguous or prov.api.role is Role.SINK:
        return None
    if prov.complement:  # `1 - sigmoid(x)`: the node to replace is not the producer
        return None
    replacement = pre_activation(module, prov)
    if not value.via_variable:
        return NodeEdit(prov.producer, replacement)
    if not isinstance(argument_expr, (cst.Name, cst.Attribute)):
        return None
    if not inputs_unchanged(analysis, prov, use):
        return None
    return NodeEdit(argument_expr, replacement)


EditList = tuple[Union[NodeEdit, ImportEdit], ...]


# --- rules-b: rewriting a call as a whole ---------------------------------------

_NO_SPACE = cst.SimpleWhitespace("")


def keyword_arg(name: str, value: str) -> cst.Arg:
    """``name=value`` spelled as PEP 8 wants keyword arguments (no spaces)."""
    return cst.Arg(
        cst.parse_expression(value),
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=_NO_SPACE, whitespace_after=_NO_SPACE),
    )


def with_args(call: cst.Call, args: list[cst.Arg]) -> cst.Call:
    """``call`` with ``args``, keeping a multi-line call's trailing-comma layout."""
    if not args:
        return call.with_changes(args=())
    last = call.args[-1] if call.args else None
    fixed = [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in args]
    if last is not None and isinstance(last.comma, cst.Comma):
        between = [a.comma for a in call.args[:-1] if isinstance(a.comma, cst.Comma)]
        comma = between[-1] if between else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        fixed = [arg.with_changes(comma=comma) for arg in fixed[:-1]]
        fixed.append(args[-1].with_changes(comma=last.comma))
    return call.with_changes(args=fixed)


class _Rewriter(cst.CSTTransformer):
    """Replaces nodes by identity and appends arguments to given calls."""

    def __init__(
        self,
        replace: dict[int, cst.CSTNode],
        append: dict[int, list[cst.Arg]],
    ) -> None:
        super().__init__()
        self.replace = replace
        self.append = append

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        new = self.replace.get(id(original_node))
        if new is not None:
            keep_parens = (
                isinstance(new, cst.BaseExpression)
                and isinstance(original_node, cst.BaseExpression)
                and original_node.lpar
                and not new.lpar
            )
            if keep_parens:
                new = new.with_changes(lpar=original_node.lpar, rpar=original_node.rpar)  # type: ignore[attr-defined]
            return new
        extra = self.append.get(id(original_node))
        if extra and isinstance(updated_node, cst.Call):
            return with_args(updated_node, [*updated_node.args, *extra])
        return updated_node


def rewrite_node(
    node: cst.CSTNode,
    replace: dict[int, cst.CSTNode],
    append: Optional[dict[int, list[cst.Arg]]] = None,
) -> cst.CSTNode:
    """``node`` with the nodes keyed by ``id`` in ``replace`` swapped for new ones."""
    result = node.visit(_Rewriter(replace, append or {}))
    assert isinstance(result, cst.CSTNode)
    return result


def renamed_callee(
    analysis: Analysis,
    module: cst.Module,
    callee: cst.BaseExpression,
    target: str,
    site: Site,
) -> Optional[tuple[str, tuple[ImportEdit, ...]]]:
    """How to call ``target`` in place of ``callee``: same module prefix if it has one.

    ``F.binary_cross_entropy`` becomes ``F.binary_cross_entropy_with_logits``; a bare
    imported name becomes whatever ``Analysis.spell`` finds, adding an import if needed.
    """
    source = analysis.qualname(callee, site)
    module_name, _, leaf = canonical(target).rpartition(".")
    if (
        isinstance(callee, cst.Attribute)
        and source is not None
        and source.rpartition(".")[0] == module_name
    ):
        return f"{module.code_for_node(callee.value)}.{leaf}", ()
    spelling = analysis.spell(target, site)
    if spelling is None:
        return None
    imports = (ImportEdit(*spelling.import_from),) if spelling.import_from else ()
    return spelling.text, imports


def pre_activation_target(
    analysis: Analysis, value: Value, argument_expr: cst.BaseExpression, use: Site
) -> Optional[cst.BaseExpression]:
    """The node to replace by the pre-activation expression, if that is a sound edit.

    Inline, the producer call (or, for ``1 - sigmoid(x)``, the subtraction when it is
    the argument itself); through a variable, the argument name, when the producer's
    inputs still mean the same at the use.
    """
    prov = value.provenance
    if prov is None or value.ambiguous:
        return None
    if value.via_variable:
        if not isinstance(argument_expr, (cst.Name, cst.Attribute)):
            return None
        return argument_expr if inputs_unchanged(analysis, prov, use) else None
    if not prov.complement:
        return prov.producer
    if isinstance(argument_expr, cst.BinaryOperation) and argument_expr.right is prov.producer:
        return argument_expr
    return None


def replacement_text(
    module: cst.Module, positions: Positions, old: cst.CSTNode, new: cst.CSTNode
) -> str:
    """The text of ``new`` as it would stand in place of ``old``.

    ``Module.code_for_node`` renders a multi-line node without the indentation of
    the block around it; rendering the whole module with the node swapped and cutting
    out the changed span keeps every continuation line where it was.
    """
    if isinstance(old, cst.BaseExpression) and isinstance(new, cst.BaseExpression):
        # the edit range excludes the node's own parentheses; so must the text
        new = new.with_changes(lpar=old.lpar, rpar=old.rpar)
        text = module.code_for_node(new.with_changes(lpar=[], rpar=[]))
    else:
        text = module.code_for_node(new)
    if "\n" not in module.code_for_node(old):
        return text
    code = module.code
    start, end = positions.range(old)
    index = LineIndex(code)
    begin, finish = index.offset(start), index.offset(end)
    swapped = rewrite_node(module, {id(old): new})
    assert isinstance(swapped, cst.Module)
    new_code = swapped.code
    return new_code[begin : len(new_code) - (len(code) - finish)]

"""Building blocks for fixes and messages that several rules share.

Rules decide *whether* and *how safe*; these helpers turn a ``Provenance`` into the
replacement text (the producer's input, the fused log form) spelled with the
module's own imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst

from logitlint.analysis import Analysis, Provenance, Site, Value, Wrap
from logitlint.analysis import catalogue as cat
from logitlint.analysis.calls import argument, int_literal, is_atomic
from logitlint.analysis.catalogue import Op, Role, canonical
from logitlint.analysis.expressions import ManualCrossEntropy, ManualExp, Operand, Reduction
from logitlint.diagnostics import Applicability
from logitlint.positions import Positions
from logitlint.rule import FixSpec, ImportEdit, NodeEdit
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
    if Wrap.TRANSPARENT in value.wraps:
        return None  # `q = p.view(-1)` / `q = p[0]`: `x` in place of `q` drops the reshape
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
        if Wrap.TRANSPARENT in value.wraps:
            # `flat = probs.view(-1, C)` or `q = probs[0]` between the producer and the
            # use: the name stands for a reshaped or indexed value, and putting the
            # producer's input in its place would drop the reshape or the index.
            return None
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


# --- fused losses and stable forms (LGT003, LGT008) --------------------------------


@dataclass(frozen=True)
class Rewrite:
    """A formula's fused replacement; ``exact`` when it computes the same value
    (then a rule offers it as an unsafe fix, else as display-only)."""

    text: str
    edits: EditList
    exact: bool

    def fix(self, message: str) -> FixSpec:
        """Unsafe when exact (a person checks axis and reduction), else display-only."""
        applicability = Applicability.UNSAFE if self.exact else Applicability.DISPLAY_ONLY
        return FixSpec(message, applicability, self.edits)


def softmax_axis(prov: Provenance) -> Optional[int]:
    """The literal axis a softmax normalises, with the framework default filled in."""
    api = prov.api
    if api.axis is None:
        return None
    call = prov.module_ctor if prov.module_ctor is not None else prov.producer
    arg = argument(call, api.axis)
    if arg is None:
        # tf.nn.softmax, keras and jax.nn default to the last axis; torch's F.softmax
        # guesses, and keyword-only axes (jax.scipy, scipy) default to every axis.
        defaults_last = api.framework in ("tensorflow", "keras", "jax")
        return -1 if defaults_last and api.axis.position is not None else None
    return int_literal(arg.value)


def _usable_here(analysis: Analysis, expr: cst.BaseExpression, where: Site, site: Site) -> bool:
    return where is site or analysis.same_value(expr, where, site)


def _logits_text(analysis: Analysis, module: cst.Module, value: Value, site: Site) -> Optional[str]:
    prov = value.provenance
    if prov is None or value.ambiguous or Wrap.TRANSPARENT in value.wraps:
        return None
    if prov.complement or not inputs_unchanged(analysis, prov, site):
        return None
    return module.code_for_node(prov.input)


def _parenthesised(expr: cst.BaseExpression) -> cst.BaseExpression:
    if is_atomic(expr):
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


_TIGHT_EQUAL = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)


def _shown_logits(module: cst.Module, value: Value) -> str:
    """The logits to show in a suggestion: the producer's input, unless the value came
    through branches or another function, where that text may mean something else."""
    prov = value.provenance
    if prov is None or value.ambiguous:
        return "logits"
    return _one_line(module, prov.input)


def _reapply(module: cst.Module, reduction: Reduction, inner: str) -> str:
    """``reduction`` written around ``inner`` instead of its own operand, on one line
    (the original's line breaks and comments belong to the code being replaced)."""
    parsed = cst.parse_expression(inner)
    call = reduction.call
    func = call.func
    if reduction.method:
        assert isinstance(func, cst.Attribute)
        func = func.with_changes(value=_parenthesised(parsed))
    args = [
        cst.Arg(
            value=parsed if arg.value is reduction.operand else arg.value,
            keyword=arg.keyword,
            equal=_TIGHT_EQUAL if arg.keyword is not None else cst.MaybeSentinel.DEFAULT,
            star=arg.star,
        )
        for arg in call.args
    ]
    return module.code_for_node(cst.Call(func=func, args=args))


def _one_line(module: cst.Module, expr: cst.BaseExpression) -> str:
    return " ".join(module.code_for_node(expr).split())


def _factors_text(module: cst.Module, factors: tuple[Operand, ...]) -> str:
    """``y`` or ``w * y``: the labels of a cross-entropy, with its weights folded in
    (``-sum(w * y * log p)`` is the cross-entropy against the target ``w * y``)."""
    if len(factors) == 1:
        return _one_line(module, factors[0][0])
    return " * ".join(module.code_for_node(_parenthesised(e)) for e, _ in factors)


_SHORT_PREFIXES = (
    ("torch.nn.functional.", "F."),
    ("tensorflow.", "tf."),
    ("jax.numpy.", "jnp."),
    ("numpy.", "np."),
)
_NAME = "__fused__"  # stands for the function's name until it is known


def _finish(
    analysis: Analysis,
    text: str,
    qualname: str,
    node: cst.CSTNode,
    site: Site,
    exact: bool,
) -> Rewrite:
    """Name the function in ``text``: with the module's own spelling when the fix
    can be applied (adding an import if needed), with a readable qualified name
    when it is only shown."""
    replacement = cst.parse_expression(text.replace(_NAME, "f"))
    if not is_atomic(replacement):
        text = f"({text})"  # the node may stand inside a tighter-binding operator
    spelling = analysis.spell(qualname, site)
    if spelling is not None and (exact or not spelling.import_from):
        imports = (ImportEdit(*spelling.import_from),) if spelling.import_from else ()
        text = text.replace(_NAME, spelling.text)
        return Rewrite(text, (NodeEdit(node, text), *imports), exact)
    short = next(
        (alias + qualname[len(prefix) :] for prefix, alias in _SHORT_PREFIXES
         if qualname.startswith(prefix)),
        qualname,
    )  # fmt: skip
    text = text.replace(_NAME, short)
    return Rewrite(text, (NodeEdit(node, text),), False)


def fused_cross_entropy(
    analysis: Analysis, module: cst.Module, found: ManualCrossEntropy, site: Site
) -> Optional[Rewrite]:
    """The framework's cross-entropy on the logits, reduced as the original was.

    The per-example fused loss replaces the class-axis sum (categorical) or the
    elementwise term (binary); the remaining reductions are written around it as
    they were, so shapes match. Anything that cannot be matched (a mean over the
    class axis, another axis than the softmax's, extra weights, a scale, a label
    or logits expression that means something else here) leaves a suggestion only.
    """
    prov = found.probs.provenance
    assert prov is not None
    if found.form == "loss":
        return _loss_rewrite(analysis, module, found, site)
    binary = found.form == "binary"
    table = cat.FUSED_BINARY_CROSS_ENTROPY if binary else cat.FUSED_CROSS_ENTROPY
    spec = table.get(prov.api.framework)
    if spec is None:
        return None
    qualname, template = spec
    x = _logits_text(analysis, module, found.probs, site)
    y = _factors_text(module, found.labels)
    exact = x is not None and not found.scaled
    exact = exact and all(_usable_here(analysis, e, where, site) for e, where in found.labels)
    reductions = list(found.reductions)
    if not binary:
        first = reductions[0]
        axis = softmax_axis(prov)
        matches = first.all_axes or (
            first.axis_value is not None
            and axis in (1, -1)
            and (first.axis_value == axis or {first.axis_value, axis} <= {1, -1})
        )
        exact = exact and first.op is Op.SUM and first.keepdims is False and matches
        if not first.all_axes:
            reductions.pop(0)  # the fused loss is this per-example sum
    reduction = ""
    if prov.api.framework in cat.BUILTIN_REDUCTION:
        reduction = ', reduction="none"'
        if len(reductions) == 1 and reductions[0].all_axes and not reductions[0].extra_args:
            reduction = "" if reductions[0].op is Op.MEAN else ', reduction="sum"'
            reductions = []
    logits = cst.parse_expression(x or _shown_logits(module, found.probs))
    text = template.format(
        f=_NAME,
        x=module.code_for_node(logits),
        xa=module.code_for_node(_parenthesised(logits)),
        y=y,
        ya=module.code_for_node(_parenthesised(cst.parse_expression(y))),
        reduction=reduction,
    )
    for outer in reductions:
        text = _reapply(module, outer, text)
    return _finish(analysis, text, qualname, found.node, site, exact)


def _loss_rewrite(
    analysis: Analysis, module: cst.Module, found: ManualCrossEntropy, site: Site
) -> Optional[Rewrite]:
    """``nll_loss(log(p), y)`` -> ``cross_entropy(x, y)``; ``loss(log(p))`` -> ``loss(x)``."""
    call, loss_input = found.loss_call, found.loss_input
    assert call is not None and loss_input is not None
    x = _logits_text(analysis, module, found.probs, site)
    prov = found.probs.provenance
    assert prov is not None
    logits = cst.parse_expression(x or _shown_logits(module, found.probs))
    new = call.with_changes(
        args=[a.with_changes(value=logits) if a.value is loss_input else a for a in call.args],
        lpar=[],
        rpar=[],
    )
    exact = x is not None
    if found.loss_kind == "logits":
        text = module.code_for_node(new)
        return Rewrite(text, (NodeEdit(call, text),), exact)
    new = new.with_changes(func=cst.Name(_NAME))
    exact = exact and found.loss_kind == "nll"
    qualname = "torch.nn.functional.cross_entropy"
    return _finish(analysis, module.code_for_node(new), qualname, call, site, exact)


def stable_form(
    analysis: Analysis, module: cst.Module, found: ManualExp, site: Site
) -> Optional[Rewrite]:
    """``softmax``/``logsumexp``/``softplus`` with the axis and keepdims of the sum."""
    framework = found.framework or "numpy"
    qualname = cat.STABLE_FORMS[found.form].get(framework)
    if qualname is None:
        return None
    exp = found.exp
    x = _one_line(module, exp.argument.with_changes(lpar=[], rpar=[]))  # an argument now
    exact = _usable_here(analysis, exp.argument, exp.site, site)
    if found.form == "softplus":
        text = f"{_NAME}(0, {x})" if framework == "numpy" else f"{_NAME}({x})"
        return _finish(analysis, text, qualname, found.node, site, exact)
    reduction = found.reduction
    assert reduction is not None
    args = [x]
    if not reduction.all_axes:
        args.append(f"{cat.AXIS_KEYWORD[framework]}={module.code_for_node(reduction.axis)}")  # type: ignore[arg-type]
        exact = exact and reduction.axis_value is not None
    elif framework == "torch" or found.form == "softmax":
        exact = False  # torch needs a dim; softmax over every axis differs per framework
    if found.form == "logsumexp" and reduction.keepdims:
        args.append(f"{cat.KEEPDIMS_KEYWORD[framework]}=True")
    if found.form == "softmax":
        exact = exact and reduction.keepdims is True and not found.reshaped
    exact = exact and not reduction.extra_args and framework != "numpy"
    text = f"{_NAME}({', '.join(args)})"
    return _finish(analysis, text, qualname, found.node, site, exact)

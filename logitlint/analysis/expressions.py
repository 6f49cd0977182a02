"""Formulas written by hand, assembled across statements: reductions, sums, products.

Rules LGT003 and LGT008 look for formulas that have a fused, stable library
function: a cross-entropy ``-sum(y * log(softmax(x)))``, a softmax
``exp(x) / sum(exp(x))``, ``log(sum(exp(x)))``, ``log(1 + exp(x))``. Real code
spreads them over statements (``p = softmax(x)``, ``ll = log(p)``, ``loss =
-reduce_sum(y * ll, 1)``), so this module

- resolves a name (or ``self`` attribute) to the one expression bound to it,
- reads reductions of every framework (function or tensor method, axis, keepdims),
- flattens sums, differences, negations, products and reductions into a signed list
  of terms, each a product of factors under a stack of reductions, and
- recognises the two families of formula on top of that.

Like the rest of the analysis it proves or stays silent: a name with several
possible bindings is an opaque factor, and anything that looks like a max-shift, a
guard or a bound on an exponent silences LGT008.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from logitlint.analysis import catalogue as cat
from logitlint.analysis.calls import argument, int_literal, literal_bool, number_literal
from logitlint.analysis.catalogue import ExprApi, Op, Role, expression_api
from logitlint.analysis.kinds import PROBABILITY_KINDS, UNKNOWN, Kind, Provenance, Value, Wrap
from logitlint.analysis.scopes import Binding, Site
from logitlint.tree import children

if TYPE_CHECKING:
    from logitlint.analysis.flow import Analysis

Operand = tuple[cst.BaseExpression, Site]

_NO_SHADOW: frozenset[str] = frozenset()
_MAX_HOPS = 12  # names followed in a row
_MAX_DEPTH = 24  # nesting of a formula


# --- records --------------------------------------------------------------------


@dataclass(frozen=True)
class Reduction:
    """``sum``/``mean`` over ``axis`` (``None``: every axis) of ``operand``."""

    call: cst.Call
    op: Op
    operand: cst.BaseExpression
    site: Site
    framework: Optional[str]  # None for a tensor method
    axis: Optional[cst.BaseExpression]
    keepdims: Optional[bool]  # None when not a literal
    extra_args: bool  # dtype=, out=, a positional keepdims ...

    @property
    def method(self) -> bool:
        return self.framework is None

    @property
    def all_axes(self) -> bool:
        axis = self.axis
        return axis is None or (isinstance(axis, cst.Name) and axis.value == "None")

    @property
    def axis_value(self) -> Optional[int]:
        """The axis as an integer, if it is one literal axis (``1``, ``[1]``, ``(-1,)``)."""
        axis = self.axis
        if isinstance(axis, (cst.List, cst.Tuple)) and len(axis.elements) == 1:
            axis = axis.elements[0].value
        return int_literal(axis) if axis is not None else None


@dataclass(frozen=True)
class Term:
    """One signed product of factors under a stack of reductions (innermost first)."""

    sign: int
    factors: tuple[Operand, ...]
    reductions: tuple[Reduction, ...] = ()
    scaled: bool = False  # multiplied or divided by something other than 1

    def negated(self) -> Term:
        return dataclasses.replace(self, sign=-self.sign)


@dataclass(frozen=True)
class Likelihood:
    """A term ``w1 * ... * log(p)`` with ``p`` a probability value."""

    term: Term
    log: cst.Call
    site: Site  # where the log is evaluated
    probs: Value
    weights: tuple[Operand, ...]


@dataclass(frozen=True)
class ManualCrossEntropy:
    """A cross-entropy assembled from probabilities.

    ``form`` is ``"categorical"`` (``-sum(y * log(softmax(x)))``), ``"binary"``
    (``-(y*log(p) + (1-y)*log(1-p))``, ``p = sigmoid(x)``) or ``"loss"`` (a loss
    given ``log(softmax(x))``: ``nll_loss``, ``cross_entropy``). ``logs`` are the
    log calls inside it; ``reductions`` those around the likelihood term.
    """

    node: cst.BaseExpression
    form: str
    logs: tuple[cst.Call, ...]
    probs: Value
    labels: tuple[Operand, ...]  # the factors multiplying the log (labels, weights)
    reductions: tuple[Reduction, ...] = ()
    scaled: bool = False
    loss_call: Optional[cst.Call] = None  # form "loss"
    loss_input: Optional[cst.BaseExpression] = None  # the argument holding the log
    loss_kind: str = ""  # "logits", "nll" or "nll-object"
    loss_display: str = ""


@dataclass(frozen=True)
class ExpCall:
    call: cst.Call
    argument: cst.BaseExpression
    site: Site
    framework: Optional[str]


@dataclass(frozen=True)
class ManualExp:
    """A hand-written softmax, log-sum-exp or softplus without a max-shift."""

    node: cst.BaseExpression
    form: str  # "softmax", "logsumexp" or "softplus"
    exp: ExpCall
    framework: Optional[str]
    reduction: Optional[Reduction] = None  # the sum over exp(x)
    reshaped: bool = False  # the sum was indexed or reshaped instead of keepdims


# --- the module -------------------------------------------------------------------


class Expressions:
    """Questions about formulas; one per ``Analysis``, reached as ``analysis.expressions``."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.symbols = analysis.symbols
        self._terms_cache: dict[tuple[int, frozenset[str]], tuple[Term, ...]] = {}
        self._guards: dict[int, tuple[set[int], set[str]]] = {}

    # --- names ------------------------------------------------------------------

    def binding(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[Binding]:
        """The single binding a name or ``self.attr`` certainly refers to at ``site``."""
        if isinstance(expr, cst.Name):
            if expr.value in shadowed:
                return None
            reaching = self.symbols.reaching(expr.value, site)
            if reaching and len(reaching) == 1 and isinstance(reaching[0], Binding):
                return reaching[0]
            return None
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            method = self.symbols.self_scope(expr.value.value, site.scope)
            if method is not None and method.class_scope is not None:
                bindings = method.class_scope.attributes.get(expr.attr.value, [])
                if len(bindings) == 1:
                    return bindings[0]
        return None

    def bound(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[Operand]:
        """The expression a name is assigned, where it was assigned, if there is one."""
        binding = self.binding(expr, site, shadowed)
        if binding is not None and binding.how == "assign" and binding.value is not None:
            return binding.value, binding.site
        return None

    def resolve(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Operand:
        """Follow names to the expression finally assigned (``a = b; b = f(x)``)."""
        for _ in range(_MAX_HOPS):
            target = self.bound(expr, site, shadowed)
            if target is None:
                break
            expr, site = target
            shadowed = _NO_SHADOW
        return expr, site

    # --- calls ------------------------------------------------------------------

    def _api(
        self, call: cst.Call, site: Site, shadowed: frozenset[str]
    ) -> tuple[Optional[ExprApi], bool]:
        """The building block a call is, and whether its callee is an imported name."""
        qualname = self.analysis.qualname(call.func, site, shadowed)
        return expression_api(qualname), qualname is not None

    def _method(self, call: cst.Call, site: Site) -> Optional[Op]:
        """``x.sum(1)``, ``x.exp()``: the op of a tensor method, if it is one."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        op = cat.METHOD_OPS.get(func.attr.value)
        if op is None or self._not_a_tensor(func.value, site):
            return None
        return op

    def _not_a_tensor(self, receiver: cst.BaseExpression, site: Site) -> bool:
        if isinstance(receiver, cst.Name) and (
            self.symbols.self_scope(receiver.value, site.scope) is not None
        ):
            return True  # self.sum(...) is the class's own method
        return self.analysis.is_module_reference(receiver, site)

    def reduction(
        self, call: cst.Call, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[Reduction]:
        """A ``sum``/``mean`` in any framework's spelling, function or method."""
        api, imported = self._api(call, site, shadowed)
        if imported:
            if api is None or api.op not in (Op.SUM, Op.MEAN):
                return None
            operand = argument(call, api.input)
            if operand is None:
                return None
            axis = argument(call, api.axis)
            keep = argument(call, api.keepdims)
            known = [a for a in (operand, axis, keep) if a is not None]
            return Reduction(
                call,
                api.op,
                operand.value,
                site,
                api.framework,
                axis.value if axis is not None else None,
                literal_bool(keep) if keep is not None else False,
                any(all(a is not k for k in known) for a in call.args),
            )
        op = self._method(call, site)
        if op not in (Op.SUM, Op.MEAN):
            return None
        assert isinstance(call.func, cst.Attribute)
        axis = argument(call, cat.METHOD_AXIS)
        keep = argument(call, cat.METHOD_KEEPDIMS)
        known = [a for a in (axis, keep) if a is not None]
        assert op is not None
        return Reduction(
            call,
            op,
            call.func.value,
            site,
            None,
            axis.value if axis is not None else None,
            literal_bool(keep) if keep is not None else False,
            any(all(a is not k for k in known) for a in call.args),
        )

    def exp_call(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[ExpCall]:
        """``exp(x)`` (through names): the call, its argument and framework."""
        expr, site = self.resolve(expr, site, shadowed)
        if not isinstance(expr, cst.Call):
            return None
        api, imported = self._api(expr, site, shadowed)
        if imported:
            if api is None or api.op is not Op.EXP:
                return None
            arg = argument(expr, api.input)
            return ExpCall(expr, arg.value, site, api.framework) if arg is not None else None
        if self._method(expr, site) is Op.EXP and not expr.args:
            assert isinstance(expr.func, cst.Attribute)
            return ExpCall(expr, expr.func.value, site, "torch")
        return None

    def log_call(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[tuple[cst.Call, cst.BaseExpression, Site]]:
        """A natural log (through names): the call, its operand, its site."""
        expr, site = self.resolve(expr, site, shadowed)
        if not isinstance(expr, cst.Call):
            return None
        operand = self.analysis.log_operand(expr, site, shadowed)
        return (expr, operand, site) if operand is not None else None

    # --- linear forms -------------------------------------------------------------

    def terms(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> tuple[Term, ...]:
        """``expr`` as a signed sum of products, reductions distributed over the sum."""
        return self._terms(expr, site, shadowed, 0)

    def _terms(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str], depth: int
    ) -> tuple[Term, ...]:
        key = (id(expr), shadowed)
        cached = self._terms_cache.get(key)
        if cached is None:
            cached = self._compute_terms(expr, site, shadowed, depth)
            self._terms_cache[key] = cached
        return cached

    def _compute_terms(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str], depth: int
    ) -> tuple[Term, ...]:
        atom = (Term(1, ((expr, site),)),)
        if depth > _MAX_DEPTH:
            return atom
        number = number_literal(expr)
        if number is not None:
            return (Term(-1 if number < 0 else 1, (), (), abs(number) != 1.0),)
        if isinstance(expr, cst.UnaryOperation):
            inner = self._terms(expr.expression, site, shadowed, depth + 1)
            if isinstance(expr.operator, cst.Minus):
                return tuple(t.negated() for t in inner)
            return inner if isinstance(expr.operator, cst.Plus) else atom
        if isinstance(expr, cst.BinaryOperation):
            return self._binary_terms(expr, site, shadowed, depth) or atom
        if isinstance(expr, cst.Call):
            reduction = self.reduction(expr, site, shadowed)
            if reduction is None:
                return atom
            inner = self._terms(reduction.operand, site, shadowed, depth + 1)
            return tuple(
                dataclasses.replace(t, reductions=(*t.reductions, reduction)) for t in inner
            )
        if isinstance(expr, (cst.Name, cst.Attribute)):
            target = self.bound(expr, site, shadowed)
            if target is not None and self._is_formula(*target):
                return self._terms(target[0], target[1], _NO_SHADOW, depth + 1)
        return atom

    def _is_formula(self, expr: cst.BaseExpression, site: Site) -> bool:
        """Worth expanding a name into: arithmetic, a reduction or a log.

        Anything else (``y = batch["labels"]``, ``p = softmax(x)``) stays the name
        itself, which is what a fix must write and what ``value`` follows anyway.
        """
        if isinstance(expr, (cst.UnaryOperation, cst.BinaryOperation)):
            return True
        if isinstance(expr, (cst.Name, cst.Attribute)):
            target, where = self.resolve(expr, site)
            return target is not expr and self._is_formula(target, where)
        return isinstance(expr, cst.Call) and (
            self.reduction(expr, site) is not None
            or self.analysis.log_operand(expr, site) is not None
        )

    def _binary_terms(
        self, expr: cst.BinaryOperation, site: Site, shadowed: frozenset[str], depth: int
    ) -> Optional[tuple[Term, ...]]:
        op = expr.operator
        if isinstance(op, (cst.Add, cst.Subtract)):
            left = self._terms(expr.left, site, shadowed, depth + 1)
            right = self._terms(expr.right, site, shadowed, depth + 1)
            if isinstance(op, cst.Subtract):
                right = tuple(t.negated() for t in right)
            return left + right
        if isinstance(op, cst.Multiply):
            return self._product(expr, site, shadowed, depth)
        if isinstance(op, cst.Divide):
            left = self._terms(expr.left, site, shadowed, depth + 1)
            divisor = number_literal(expr.right)
            flip = -1 if divisor is not None and divisor < 0 else 1
            return tuple(dataclasses.replace(t, sign=t.sign * flip, scaled=True) for t in left)
        return None

    def _product(
        self, expr: cst.BinaryOperation, site: Site, shadowed: frozenset[str], depth: int
    ) -> Optional[tuple[Term, ...]]:
        sides: list[Term] = []
        for side in (expr.left, expr.right):
            side_terms = self._terms(side, site, shadowed, depth + 1)
            if len(side_terms) == 1:
                sides.append(side_terms[0])
            elif any(self._is_log(f) for t in side_terms for f in t.factors):
                return None  # y * (log p - c): not distributed
            else:
                sides.append(Term(1, ((side, site),)))  # (1 - y) stays one factor
        left, right = sides
        if left.reductions and right.reductions:
            return None
        if (left.reductions and right.factors) or (right.reductions and left.factors):
            return None  # sum(a) * b: the reduction does not distribute
        return (
            Term(
                left.sign * right.sign,
                left.factors + right.factors,
                left.reductions or right.reductions,
                left.scaled or right.scaled,
            ),
        )

    def _is_log(self, factor: Operand) -> bool:
        expr, site = factor
        return isinstance(expr, cst.Call) and self.analysis.log_operand(expr, site) is not None

    # --- LGT003: cross-entropy by hand ----------------------------------------------

    def manual_cross_entropy(
        self, node: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[ManualCrossEntropy]:
        """``node`` computes a cross-entropy from probabilities, as a whole."""
        if isinstance(node, cst.Call):
            loss = self._loss_of_log(node, site, shadowed)
            if loss is not None:
                return loss
            if self.reduction(node, site, shadowed) is None:
                return None
        elif isinstance(node, cst.UnaryOperation):
            if not isinstance(node.operator, cst.Minus):
                return None
        elif not isinstance(node, cst.BinaryOperation) or not isinstance(
            node.operator, (cst.Add, cst.Subtract, cst.Multiply, cst.Divide)
        ):
            return None
        terms = self.terms(node, site, shadowed)
        if not terms or any(t.sign > 0 for t in terms):
            return None
        likelihoods: list[Likelihood] = []
        for term in terms:
            likelihood = self._likelihood(term, site, shadowed)
            if likelihood is None:
                return None
            likelihoods.append(likelihood)
        if len(likelihoods) == 1:
            return self._categorical(node, likelihoods[0])
        if len(likelihoods) == 2:
            return self._binary(node, likelihoods[0], likelihoods[1])
        return None

    def _likelihood(self, term: Term, top: Site, shadowed: frozenset[str]) -> Optional[Likelihood]:
        """The term as ``weights * log(p)``; ``shadowed`` holds for factors written at
        ``top`` (not for those reached through names bound elsewhere)."""
        logs: list[tuple[cst.Call, cst.BaseExpression, Site]] = []
        weights: list[Operand] = []
        for factor in term.factors:
            expr, site = factor
            local = shadowed if site is top else _NO_SHADOW
            operand = (
                self.analysis.log_operand(expr, site, local) if isinstance(expr, cst.Call) else None
            )
            if operand is not None:
                assert isinstance(expr, cst.Call)
                logs.append((expr, operand, site))
            else:
                weights.append(factor)
        if len(logs) != 1:
            return None
        log, operand, site = logs[0]
        probs = self.analysis.value(operand, site, shadowed if site is top else _NO_SHADOW)
        if probs.kind not in PROBABILITY_KINDS or probs.provenance is None:
            return None
        if any(self._involves(w, probs, shadowed if w[1] is top else _NO_SHADOW) for w in weights):
            return None  # entropy -p*log(p), focal (1-p)**g * log(p): not against labels
        return Likelihood(term, log, site, probs, tuple(weights))

    def _involves(self, weight: Operand, probs: Value, shadowed: frozenset[str]) -> bool:
        """The weight is computed from the same probabilities as the log."""
        expr, site = weight
        for node in _walk(expr):
            if isinstance(node, (cst.Name, cst.Call, cst.Attribute, cst.Subscript)):
                value = self.analysis.value(node, site, shadowed)
                if value.kind in PROBABILITY_KINDS and self._same_producer(value, probs):
                    return True
        return False

    def _same_producer(self, a: Value, b: Value) -> bool:
        pa, pb = a.provenance, b.provenance
        if pa is None or pb is None:
            return False
        if pa.producer is pb.producer:
            return True
        code = self.analysis.module.code_for_node
        return pa.api is pb.api and _squash(code(pa.producer)) == _squash(code(pb.producer))

    def _categorical(
        self, node: cst.BaseExpression, ll: Likelihood
    ) -> Optional[ManualCrossEntropy]:
        if ll.probs.kind is not Kind.PROBS or not ll.weights or not ll.term.reductions:
            return None
        return ManualCrossEntropy(
            node,
            "categorical",
            (ll.log,),
            ll.probs,
            ll.weights,
            ll.term.reductions,
            scaled=ll.term.scaled,
        )

    def _binary(
        self, node: cst.BaseExpression, a: Likelihood, b: Likelihood
    ) -> Optional[ManualCrossEntropy]:
        if a.probs.kind is not Kind.SIGMOID_PROBS or b.probs.kind is not Kind.SIGMOID_PROBS:
            return None
        pa, pb = a.probs.provenance, b.probs.provenance
        assert pa is not None and pb is not None
        if pa.complement == pb.complement or not self._same_producer(a.probs, b.probs):
            return None
        positive, negative = (a, b) if not pa.complement else (b, a)
        if len(positive.weights) != 1 or len(negative.weights) != 1:
            return None
        if not self._is_complement(negative.weights[0], positive.weights[0]):
            return None
        if _reduction_texts(self, a.term) != _reduction_texts(self, b.term):
            return None
        return ManualCrossEntropy(
            node,
            "binary",
            (positive.log, negative.log),
            positive.probs,
            positive.weights,
            positive.term.reductions,
            scaled=a.term.scaled or b.term.scaled,
        )

    def _is_complement(self, weight: Operand, label: Operand) -> bool:
        """``weight`` is ``1 - label`` (written out or through a name)."""
        expr, _ = self.resolve(*weight)
        if not (
            isinstance(expr, cst.BinaryOperation)
            and isinstance(expr.operator, cst.Subtract)
            and number_literal(expr.left) == 1.0
        ):
            return False
        code = self.analysis.module.code_for_node
        return _squash(code(expr.right)) == _squash(code(label[0]))

    def _loss_of_log(
        self, call: cst.Call, site: Site, shadowed: frozenset[str]
    ) -> Optional[ManualCrossEntropy]:
        """``nll_loss(log(softmax(x)), y)``, ``cross_entropy(log(p), y)`` and kin."""
        analysis = self.analysis
        kind = ""
        display = ""
        input_arg: Optional[cst.Arg] = None
        labels: Optional[cst.Arg] = None
        sink = analysis.sink(call, site, shadowed)
        if sink is not None:
            if sink.api.family != "softmax":
                return None
            kind, display, input_arg, labels = "logits", sink.api.display, sink.logits, sink.labels
        else:
            api, imported = self._api(call, site, shadowed)
            if api is not None and api.op is Op.NLL:
                kind, display = "nll", "F.nll_loss"
                input_arg, labels = argument(call, api.input), argument(call, api.labels)
            elif not imported and self._nll_object(call.func, site, shadowed) is not None:
                positional = [a for a in call.args if a.keyword is None and not a.star]
                kind, display = "nll-object", "nn.NLLLoss"
                input_arg = positional[0] if positional else None
                labels = positional[1] if len(positional) > 1 else None
        if input_arg is None:
            return None
        found = self.log_call(input_arg.value, site, shadowed)
        if found is None:
            return None
        log, operand, log_site = found
        probs = analysis.value(operand, log_site, shadowed if log_site is site else _NO_SHADOW)
        if probs.kind is not Kind.PROBS or probs.provenance is None:
            return None
        return ManualCrossEntropy(
            call,
            "loss",
            (log,),
            probs,
            ((labels.value, site),) if labels is not None else (),
            loss_call=call,
            loss_input=input_arg.value,
            loss_kind=kind,
            loss_display=display,
        )

    def _nll_object(
        self, func: cst.BaseExpression, site: Site, shadowed: frozenset[str]
    ) -> Optional[cst.Call]:
        """``criterion`` bound to ``nn.NLLLoss(...)`` (maybe ``.to(device)``)."""
        expr, where = self.resolve(func, site, shadowed)
        for _ in range(4):
            if not isinstance(expr, cst.Call):
                return None
            api, imported = self._api(expr, where, _NO_SHADOW)
            if imported:
                return expr if api is not None and api.op is Op.NLL_CLASS else None
            method = expr.func
            if not (
                isinstance(method, cst.Attribute)
                and method.attr.value in cat.OBJECT_PRESERVING_METHODS
            ):
                return None
            expr = method.value
        return None

    # --- LGT008: softmax, log-sum-exp and softplus by hand ---------------------------

    def manual_exp(
        self, node: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[ManualExp]:
        """``node`` is an unshifted ``exp(x)/sum(exp(x))``, ``log(sum(exp(x)))`` or
        ``log(1 + exp(x))`` / ``log1p(exp(x))``."""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            found = self._softmax(node, site, shadowed)
        elif isinstance(node, cst.Call):
            found = self._log_of_exp(node, site, shadowed)
        else:
            return None
        if found is None:
            return None
        exp = found.exp
        local = shadowed if exp.site is site else _NO_SHADOW
        if self.bounded_above(exp.argument, exp.site, local) or self.guarded(node, site):
            return None
        if self._only_when_empty(exp.argument, exp.site):
            return None
        return found

    def softmax_value(
        self, node: cst.BinaryOperation, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Value:
        """``exp(x) / sum(exp(x))``, shifted or not, holds probabilities.

        The provenance points at the ``exp`` call; the value is marked ambiguous so
        that no rule rewrites it as if it were a library softmax.
        """
        found = self._softmax(node, site, shadowed)
        if found is None:
            return UNKNOWN
        exp = found.exp
        prov = Provenance(exp.call, exp.argument, cat.MANUAL_SOFTMAX, site=exp.site)
        return Value(Kind.PROBS, prov, via_variable=True, ambiguous=True)

    def _softmax(
        self, node: cst.BinaryOperation, site: Site, shadowed: frozenset[str]
    ) -> Optional[ManualExp]:
        numerator = self.exp_call(node.left, site, shadowed)
        if numerator is None:
            return None
        denominator, where = self.resolve(node.right, site, shadowed)
        denominator, where, reshaped = self._unreshape(denominator, where)
        if not isinstance(denominator, cst.Call):
            return None
        reduction = self.reduction(denominator, where)
        if reduction is None or reduction.op is not Op.SUM:
            return None
        summed = self.exp_call(reduction.operand, where)
        if summed is None or not self._same_exp(numerator, summed):
            return None
        framework = numerator.framework or reduction.framework
        return ManualExp(node, "softmax", numerator, framework, reduction, reshaped)

    def _unreshape(
        self, expr: cst.BaseExpression, site: Site
    ) -> tuple[cst.BaseExpression, Site, bool]:
        """``s[:, None]``, ``s.unsqueeze(1)``, ``s.reshape(-1, 1)``: the ``s`` below."""
        reshaped = False
        for _ in range(4):
            if isinstance(expr, cst.Subscript):
                inner = expr.value
            elif (
                isinstance(expr, cst.Call)
                and isinstance(expr.func, cst.Attribute)
                and expr.func.attr.value in ("unsqueeze", "reshape", "view", "expand_dims")
            ):
                inner = expr.func.value
            elif isinstance(expr, cst.Call):
                api = self.analysis.api(expr.func, site)
                if api is None or api.role is not Role.WRAPPER or api.wrap is not Wrap.TRANSPARENT:
                    break
                arg = argument(expr, api.input)
                if arg is None:
                    break
                inner = arg.value
            else:
                break
            expr, site = self.resolve(inner, site)
            reshaped = True
        return expr, site, reshaped

    def _same_exp(self, a: ExpCall, b: ExpCall) -> bool:
        if a.call is b.call:
            return True
        code = self.analysis.module.code_for_node
        if _squash(code(a.argument)) != _squash(code(b.argument)):
            return False
        return a.site is b.site or self.analysis.same_value(a.argument, a.site, b.site)

    def _log_of_exp(
        self, call: cst.Call, site: Site, shadowed: frozenset[str]
    ) -> Optional[ManualExp]:
        log1p = self._log1p_operand(call, site, shadowed)
        if log1p is not None:
            operand, framework = log1p
            exp = self.exp_call(operand, site, shadowed)
            if exp is None:
                return None
            return ManualExp(call, "softplus", exp, exp.framework or framework)
        found = self.log_call(call, site, shadowed)
        if found is None or found[0] is not call:
            return None
        api = self.analysis.api(call.func, site, shadowed)
        framework = api.framework if api is not None else "torch"  # only torch has x.log()
        inner, where = self.resolve(found[1], site, shadowed)
        if isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.Add):
            for one, other in ((inner.left, inner.right), (inner.right, inner.left)):
                if number_literal(one) == 1.0:
                    exp = self.exp_call(other, where)
                    if exp is not None:
                        return ManualExp(call, "softplus", exp, exp.framework or framework)
            return None
        if not isinstance(inner, cst.Call):
            return None
        reduction = self.reduction(inner, where)
        if reduction is None or reduction.op is not Op.SUM:
            return None
        exp = self.exp_call(reduction.operand, where)
        if exp is None:
            return None
        framework = exp.framework or reduction.framework or framework
        return ManualExp(call, "logsumexp", exp, framework, reduction)

    def _log1p_operand(
        self, call: cst.Call, site: Site, shadowed: frozenset[str]
    ) -> Optional[tuple[cst.BaseExpression, str]]:
        """``log1p(v)`` / ``v.log1p()``: ``v`` and the framework."""
        api, imported = self._api(call, site, shadowed)
        if imported:
            if api is None or api.op is not Op.LOG1P:
                return None
            arg = argument(call, api.input)
            return (arg.value, api.framework) if arg is not None else None
        if self._method(call, site) is Op.LOG1P and not call.args:
            assert isinstance(call.func, cst.Attribute)
            return call.func.value, "torch"
        return None

    # --- what makes exp(x) safe ------------------------------------------------------

    def bounded_above(
        self,
        expr: cst.BaseExpression,
        site: Site,
        shadowed: frozenset[str] = _NO_SHADOW,
        depth: int = 0,
    ) -> bool:
        """``x`` cannot grow without bound: ``exp(x)`` cannot overflow.

        True for the max-shift ``x - max(x)`` (also via a name bound to the max, a
        reassigned ``x = x - m`` / ``x -= m``, or a helper whose name says max or
        logsumexp), a non-positive expression (``-abs(x)``, ``-x**2``,
        ``where(x >= 0, -x, x)``), an upper clamp, log-probabilities or any log
        (``exp(log(p) / T)`` re-weights probabilities), and constants.
        """
        if depth > _MAX_HOPS:
            return False
        if isinstance(expr, cst.Name) and expr.value in shadowed:
            return False  # a lambda or comprehension variable: nothing is known
        if _is_constant(expr):
            return True
        analysis = self.analysis
        if analysis.value(expr, site).kind is Kind.LOG_PROBS:
            return True
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if _says_shift(expr):
                return True
            binding = self.binding(expr, site)
            if binding is None:
                return False
            if binding.how == "assign" and binding.value is not None:
                return self.bounded_above(binding.value, binding.site, depth=depth + 1)
            aug = binding.aug
            if binding.how == "aug" and aug is not None:
                return isinstance(aug.operator, cst.SubtractAssign) and self._is_shift(
                    aug.value, binding.site, depth + 1
                )
            return False
        if isinstance(expr, cst.UnaryOperation):
            if isinstance(expr.operator, cst.Minus):
                return self.non_negative(expr.expression, site, depth + 1)
            return self.bounded_above(expr.expression, site, depth=depth + 1)
        if isinstance(expr, cst.BinaryOperation):
            return self._bounded_binary(expr, site, depth)
        if isinstance(expr, cst.Call):
            if analysis.log_operand(expr, site) is not None:
                return True  # exp(log(p) / T): re-weighting probabilities, p ** (1/T)
            if self._constant_tensor(expr, site):
                return True
            return self._bounded_call(expr, site, depth)
        if isinstance(expr, cst.Subscript):
            return self._masked_below(expr, site) or self.bounded_above(
                expr.value, site, depth=depth + 1
            )
        return False

    def _masked_below(self, expr: cst.Subscript, site: Site) -> bool:
        """``x[mask]`` with ``mask = x * beta <= threshold``: only the capped elements."""
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return False
        mask, _ = self.resolve(expr.slice[0].slice.value, site)
        return (
            isinstance(mask, cst.Comparison)
            and len(mask.comparisons) == 1
            and isinstance(mask.comparisons[0].operator, (cst.LessThan, cst.LessThanEqual))
        )

    def _only_when_empty(self, expr: cst.BaseExpression, site: Site) -> bool:
        """The statement runs under ``if x.numel() == 0:`` (or ``x.size == 0``,
        ``len(x) == 0``) for the exponentiated ``x``: there is nothing to overflow."""
        code = self.analysis.module.code_for_node
        wanted = _squash(code(expr))
        for block, tag in site.path:
            statement = self.symbols.sites.get(block)
            test = getattr(statement.node, "test", None) if statement is not None else None
            if tag != "body" or not isinstance(test, cst.Comparison):
                continue
            if len(test.comparisons) != 1 or number_literal(test.comparisons[0].comparator) != 0:
                continue
            if not isinstance(test.comparisons[0].operator, cst.Equal):
                continue
            size = test.left
            if isinstance(size, cst.Call):
                if isinstance(size.func, cst.Attribute) and size.func.attr.value == "numel":
                    size = size.func.value
                elif _leaf(size.func) == "len" and size.args:
                    size = size.args[0].value
            elif isinstance(size, cst.Attribute) and size.attr.value == "size":
                size = size.value
            if _squash(code(size)) == wanted:
                return True
        return False

    def _bounded_binary(self, expr: cst.BinaryOperation, site: Site, depth: int) -> bool:
        op, left, right = expr.operator, expr.left, expr.right
        if isinstance(op, cst.Subtract):
            return self._is_shift(right, site, depth + 1) or (
                self.bounded_above(left, site, depth=depth + 1)
                and self.non_negative(right, site, depth + 1)
            )
        if isinstance(op, cst.Add):
            return self.bounded_above(left, site, depth=depth + 1) and self.bounded_above(
                right, site, depth=depth + 1
            )
        if isinstance(op, cst.Divide):
            divisor = number_literal(right)
            if divisor is not None and divisor < 0:
                return self.non_negative(left, site, depth + 1)
            return self.bounded_above(left, site, depth=depth + 1)  # (x - max) / temperature
        if isinstance(op, cst.Multiply):
            for tensor, scale in ((left, right), (right, left)):
                factor = number_literal(scale)
                if factor is not None:
                    if factor < 0:
                        return self.non_negative(tensor, site, depth + 1)
                    return self.bounded_above(tensor, site, depth=depth + 1)
            return self.bounded_above(left, site, depth=depth + 1) or self.bounded_above(
                right, site, depth=depth + 1
            )
        return False

    def _bounded_call(self, call: cst.Call, site: Site, depth: int) -> bool:
        api, imported = self._api(call, site, _NO_SHADOW)
        op = api.op if api is not None else (None if imported else self._method(call, site))
        if op is Op.UPPER_BOUND:
            bound = (
                argument(call, api.bound)
                if api is not None and api.bound is not None
                else self._method_bound(call)
            )
            return bound is not None and not _is_none(bound.value)
        if op is Op.WHERE:
            return self._where_bounded(call, site, depth)
        inner = self._transparent_operand(call, site)
        return inner is not None and self.bounded_above(inner, site, depth=depth + 1)

    def _constant_tensor(self, call: cst.Call, site: Site) -> bool:
        """``tf.constant(30.)``, ``torch.tensor(-1.5)``: a literal made a tensor."""
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            return False
        if self.analysis.qualname(call.func, site) not in cat.CONSTANT_TENSORS:
            return False
        return _is_constant(call.args[0].value)

    def _method_bound(self, call: cst.Call) -> Optional[cst.Arg]:
        func = call.func
        assert isinstance(func, cst.Attribute)
        param = cat.METHOD_BOUNDS.get(func.attr.value)
        return argument(call, param) if param is not None else None

    def _where_bounded(self, call: cst.Call, site: Site, depth: int) -> bool:
        sign = self._abs_pattern(call, site)
        if sign < 0:
            return True
        branches = [a.value for a in call.args[1:3]]
        return len(branches) == 2 and all(
            self.bounded_above(b, site, depth=depth + 1) for b in branches
        )

    def _abs_pattern(self, call: cst.Call, site: Site) -> int:
        """``where(x >= 0, x, -x)`` is ``|x|`` (1); ``where(x >= 0, -x, x)`` is ``-|x|`` (-1)."""
        if len(call.args) < 3 or any(a.keyword is not None for a in call.args[:3]):
            return 0
        condition, _ = self.resolve(call.args[0].value, site)
        if not (isinstance(condition, cst.Comparison) and len(condition.comparisons) == 1):
            return 0
        target = condition.comparisons[0]
        if not self._is_zero(target.comparator, site):
            return 0
        if isinstance(target.operator, (cst.GreaterThan, cst.GreaterThanEqual)):
            positive = 1
        elif isinstance(target.operator, (cst.LessThan, cst.LessThanEqual)):
            positive = -1
        else:
            return 0
        code = self.analysis.module.code_for_node
        x = _squash(code(condition.left))
        first, second = (_squash(code(a.value)) for a in call.args[1:3])
        if first == x and second in (f"-{x}", f"-({x})"):
            return positive
        if second == x and first in (f"-{x}", f"-({x})"):
            return -positive
        return 0

    def _is_zero(self, expr: cst.BaseExpression, site: Site) -> bool:
        """``0`` or a name bound to ``zeros_like(x)`` / ``zeros(...)``."""
        expr, _ = self.resolve(expr, site)
        if isinstance(expr, cst.Call):
            return _leaf(expr.func).startswith("zeros")
        return number_literal(expr) == 0.0

    def non_negative(self, expr: cst.BaseExpression, site: Site, depth: int = 0) -> bool:
        """``abs``, squares, ``exp``, softplus/relu and ``where(x >= 0, x, -x)``."""
        if depth > _MAX_HOPS:
            return False
        number = number_literal(expr)
        if number is not None:
            return number >= 0
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if "abs" in _leaf(expr).lower():
                return True
            target = self.bound(expr, site)
            return target is not None and self.non_negative(target[0], target[1], depth + 1)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Power):
            exponent = int_literal(expr.right)
            return exponent is not None and exponent % 2 == 0
        if isinstance(expr, cst.Call):
            api, imported = self._api(expr, site, _NO_SHADOW)
            op = api.op if api is not None else (None if imported else self._method(expr, site))
            if op in (Op.ABS, Op.EXP):
                return True
            if op is Op.WHERE:
                return self._abs_pattern(expr, site) > 0
            return _leaf(expr.func).lower() in _NON_NEGATIVE_FUNCTIONS
        return False

    def _is_shift(self, expr: cst.BaseExpression, site: Site, depth: int) -> bool:
        """What ``x - m`` subtracts is a maximum or a log-normaliser, or unseen.

        A max-reduction or ``logsumexp`` (function or method, ``[0]`` / ``.values``
        of it, reshaped or detached), a name bound to one, a name or helper that
        says so (``max_score``, ``vec[0, argmax(vec)]``, ``log_sum_exp(v)``). A bare
        parameter is not enough: ``theta - difficulty`` is data, not a shift.
        """
        if depth > _MAX_HOPS:
            return False
        if isinstance(expr, cst.Attribute) and expr.attr.value in ("values", "data"):
            return self._is_shift(expr.value, site, depth + 1)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if _says_shift(expr):
                return True
            target = self.bound(expr, site)
            return target is not None and self._is_shift(target[0], target[1], depth + 1)
        if isinstance(expr, cst.Subscript):
            if self._is_shift(expr.value, site, depth + 1):
                return True
            return any(
                isinstance(element.slice, cst.Index)
                and isinstance(element.slice.value, cst.Call)
                and self._is_shift(element.slice.value, site, depth + 1)
                for element in expr.slice
            )
        if isinstance(expr, cst.BinaryOperation) and isinstance(
            expr.operator, (cst.Add, cst.Subtract)
        ):
            return self._is_shift(expr.left, site, depth + 1)
        if not isinstance(expr, cst.Call):
            return False
        api, imported = self._api(expr, site, _NO_SHADOW)
        op = api.op if api is not None else (None if imported else self._method(expr, site))
        if op in (Op.MAX, Op.LOGSUMEXP) or _says_shift(expr.func):
            return True
        inner = self._transparent_operand(expr, site)
        return inner is not None and self._is_shift(inner, site, depth + 1)

    def _transparent_operand(self, call: cst.Call, site: Site) -> Optional[cst.BaseExpression]:
        """``v`` in ``v.detach()``, ``v.view(1, -1).expand(...)``, ``tf.stop_gradient(v)``."""
        func = call.func
        if (
            isinstance(func, cst.Attribute)
            and (func.attr.value in cat.TRANSPARENT_METHODS or func.attr.value in _RESHAPE_METHODS)
            and not self.analysis.is_module_reference(func.value, site)
        ):
            return func.value
        api = self.analysis.api(func, site)
        if api is not None and api.role is Role.WRAPPER and api.wrap is Wrap.TRANSPARENT:
            arg = argument(call, api.input)
            return arg.value if arg is not None else None
        return None

    def guarded(self, node: cst.BaseExpression, site: Site) -> bool:
        """The formula is a branch of ``where`` (itself, or through the name it is
        assigned to): the guard picks a stable value where it would overflow."""
        inside, names = self._where_index(site)
        if id(node) in inside:
            return True
        statement = site.node
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                if isinstance(target.target, cst.Name) and target.target.value in names:
                    return True
        return False

    def _where_index(self, site: Site) -> tuple[set[int], set[str]]:
        """Every node inside a branch of a ``where`` call in the scope, and the names
        passed as a branch. Built once per scope, only when a candidate is found."""
        scope_node = site.scope.node
        cached = self._guards.get(id(scope_node))
        if cached is not None:
            return cached
        inside: set[int] = set()
        names: set[str] = set()
        for node in _walk(scope_node):
            if not isinstance(node, cst.Call) or _leaf(node.func) != "where":
                continue
            api, _ = self._api(node, site, _NO_SHADOW)
            if api is None or api.op is not Op.WHERE:
                continue
            for arg in node.args[1:]:
                if isinstance(arg.value, cst.Name):
                    names.add(arg.value.value)
                inside.update(id(child) for child in _walk(arg.value))
        self._guards[id(scope_node)] = (inside, names)
        return inside, names


# --- helpers ----------------------------------------------------------------------

_NON_NEGATIVE_FUNCTIONS = frozenset(
    {"square", "softplus", "relu", "relu6", "elu1p", "sqrt", "norm", "exp", "abs", "sigmoid"}
)


_RESHAPE_METHODS = frozenset({"view", "expand", "expand_as", "unsqueeze", "reshape"})


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def _squash(text: str) -> str:
    return "".join(text.split())


def _leaf(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return ""


def _says_shift(expr: cst.BaseExpression) -> bool:
    leaf = _leaf(expr).lower()
    return any(word in leaf for word in cat.SHIFT_WORDS)


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _is_constant(expr: cst.BaseExpression) -> bool:
    """No name, call or attribute anywhere: a literal formula like ``-0.5 * 2``."""
    if number_literal(expr) is not None:
        return True
    if isinstance(expr, cst.UnaryOperation):
        return _is_constant(expr.expression)
    if isinstance(expr, cst.BinaryOperation):
        return _is_constant(expr.left) and _is_constant(expr.right)
    return False


def _reduction_texts(expressions: Expressions, term: Term) -> tuple[tuple[str, str], ...]:
    code = expressions.analysis.module.code_for_node
    return tuple(
        (r.op.value, _squash(code(r.axis)) if r.axis is not None else "") for r in term.reductions
    )

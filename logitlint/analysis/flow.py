"""The semantic model every rule asks: names to APIs, expressions to value kinds.

``Analysis`` answers three questions for an expression at a statement (``Site``):
which catalogued API a callee is (import-resolved, never by spelling alone), what
kind of value an expression holds (following assignments, ``self`` attributes,
loss objects and value-preserving wrappers), and how to spell an API in this module
for a fix. It never guesses: whatever it cannot prove is ``UNKNOWN``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from logitlint.analysis import catalogue as cat
from logitlint.analysis.calls import argument, int_literal, is_true, string_literal
from logitlint.analysis.catalogue import Api, Role
from logitlint.analysis.kinds import (
    UNKNOWN,
    Kind,
    Provenance,
    Value,
    Wrap,
)
from logitlint.analysis.scopes import POSSIBLY_UNBOUND, Binding, Site, SymbolTable

if TYPE_CHECKING:
    from logitlint.analysis.expressions import Expressions
    from logitlint.analysis.summaries import Summaries

# Where a file never imports the framework (a notebook fragment, a pasted snippet),
# these conventional aliases stand in for the import.
CONVENTIONAL_ALIASES: dict[str, str] = {
    "tf": "tensorflow",
    "torch": "torch",
    "F": "torch.nn.functional",
    "nn": "torch.nn",
    "np": "numpy",
    "jnp": "jax.numpy",
    "jax": "jax",
    "keras": "keras",
    "K": "keras.backend",
    "optax": "optax",
    "scipy": "scipy",
}

_MAX_DEPTH = 40
_NO_SHADOW: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SinkUse:
    """A call of a logits-expecting API, with the arguments that matter."""

    api: Api
    call: cst.Call
    logits: Optional[cst.Arg]
    labels: Optional[cst.Arg]
    ctor: Optional[cst.Call] = None  # for loss objects: where they were built


@dataclass(frozen=True)
class Spelling:
    """How to write an API here; ``import_from`` is set when an import must be added."""

    text: str
    import_from: Optional[tuple[str, str]] = None


class Analysis:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.symbols = SymbolTable(module)
        self._binding_values: dict[int, Value] = {}
        self._in_progress: set[int] = set()
        self._depth = 0
        self._expressions: Optional[Expressions] = None
        self._summaries: Optional[Summaries] = None

    @property
    def expressions(self) -> Expressions:
        """Formulas across statements (reductions, sums of products); built on first use."""
        if self._expressions is None:
            from logitlint.analysis.expressions import Expressions

            self._expressions = Expressions(self)
        return self._expressions

    @property
    def summaries(self) -> Summaries:
        """Return values and parameters of local functions; built on first use."""
        if self._summaries is None:
            from logitlint.analysis.summaries import Summaries

            self._summaries = Summaries(self)
        return self._summaries

    def site(self, stmt: cst.CSTNode) -> Optional[Site]:
        return self.symbols.sites.get(id(stmt))

    # --- names ------------------------------------------------------------------

    def qualname(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[str]:
        """The canonical qualified name ``expr`` refers to, through the imports."""
        if isinstance(expr, cst.Attribute):
            base = self.qualname(expr.value, site, shadowed)
            return cat.canonical(f"{base}.{expr.attr.value}") if base else None
        if not isinstance(expr, cst.Name) or expr.value in shadowed:
            return None
        name = expr.value
        reaching = self.symbols.reaching(name, site)
        if reaching is None:
            for module in self.symbols.star_imports(site.scope):
                candidate = cat.canonical(f"{module}.{name}")
                if candidate in cat.BY_NAME:
                    return candidate
            alias = CONVENTIONAL_ALIASES.get(name)
            return cat.canonical(alias) if alias else None
        names = {
            cat.canonical(b.qualname) if b.how == "import" and b.qualname else None
            for b in reaching
            if isinstance(b, Binding)
        }
        if len(names) == 1:
            return names.pop()
        return None

    def api(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[Api]:
        return cat.lookup(self.qualname(expr, site, shadowed))

    def is_module_reference(self, expr: cst.BaseExpression, site: Site) -> bool:
        """True for ``np``, ``torch.nn`` ...: an imported name, not a runtime value."""
        return self.qualname(expr, site) is not None

    # --- values -----------------------------------------------------------------

    def value(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Value:
        if self._depth > _MAX_DEPTH:
            return UNKNOWN
        self._depth += 1
        try:
            return self._value(expr, site, shadowed)
        finally:
            self._depth -= 1

    def _value(self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str]) -> Value:
        if isinstance(expr, cst.Call):
            return self._call_value(expr, site, shadowed)
        if isinstance(expr, cst.Name):
            if expr.value in shadowed:
                return UNKNOWN
            reaching = self.symbols.reaching(expr.value, site)
            if not reaching:
                return UNKNOWN
            return self._merge([self._reaching_value(b) for b in reaching]).through_variable()
        if isinstance(expr, cst.Attribute):
            return self._attribute_value(expr, site, shadowed)
        if isinstance(expr, cst.Subscript):
            inner = self.value(expr.value, site, shadowed)
            return inner.wrapped(Wrap.TRANSPARENT) if _is_tensor(inner) else UNKNOWN
        if isinstance(expr, cst.BinaryOperation):
            return self._binary_value(expr, site, shadowed)
        if isinstance(expr, cst.IfExp):
            return self._merge(
                [self.value(expr.body, site, shadowed), self.value(expr.orelse, site, shadowed)]
            )
        return UNKNOWN

    def _reaching_value(self, binding: object) -> Value:
        if not isinstance(binding, Binding):
            return UNKNOWN  # POSSIBLY_UNBOUND
        key = id(binding)
        cached = self._binding_values.get(key)
        if cached is not None:
            return cached
        if key in self._in_progress:
            return UNKNOWN
        self._in_progress.add(key)
        try:
            result = self._binding_value(binding)
        finally:
            self._in_progress.discard(key)
        self._binding_values[key] = result
        return result

    def _binding_value(self, binding: Binding) -> Value:
        if binding.how == "assign" and binding.value is not None:
            return self.value(binding.value, binding.site)
        if binding.how == "param" and binding.default is not None:
            # `loss_fn=nn.CrossEntropyLoss()`: a default loss object is evidence enough;
            # a default tensor is not (callers pass their own).
            default = self.value(binding.default, binding.site)
            if default.kind is Kind.OBJECT:
                return default
        if binding.how == "param":
            return self.summaries.parameter(binding)
        if binding.how == "aug" and binding.aug is not None:
            aug = binding.aug
            if isinstance(aug.operator, (cst.AddAssign, cst.SubtractAssign)) and self.is_epsilon(
                aug.value, binding.site
            ):
                return self.value(aug.target, binding.site).wrapped(Wrap.EPSILON)
        return UNKNOWN

    def _attribute_value(self, expr: cst.Attribute, site: Site, shadowed: frozenset[str]) -> Value:
        owner = expr.value
        if isinstance(owner, cst.Name) and owner.value not in shadowed:
            method = self.symbols.self_scope(owner.value, site.scope)
            if method is not None and method.class_scope is not None:
                bindings = method.class_scope.attributes.get(expr.attr.value)
                if not bindings:
                    return UNKNOWN
                values = [self._reaching_value(b) for b in bindings]
                return self._merge(values).through_variable()
        return UNKNOWN

    def _binary_value(
        self, expr: cst.BinaryOperation, site: Site, shadowed: frozenset[str]
    ) -> Value:
        if isinstance(expr.operator, cst.Add):
            for tensor, other in ((expr.left, expr.right), (expr.right, expr.left)):
                if self.is_epsilon(other, site):
                    inner = self.value(tensor, site, shadowed)
                    if _is_tensor(inner):
                        return inner.wrapped(Wrap.EPSILON)
            return UNKNOWN
        if isinstance(expr.operator, cst.Divide):
            return self.expressions.softmax_value(expr, site, shadowed)
        if isinstance(expr.operator, cst.Subtract):
            if _is_one(expr.left):
                inner = self.value(expr.right, site, shadowed)
                prov = inner.provenance
                if inner.kind is Kind.SIGMOID_PROBS and prov is not None and not prov.complement:
                    complement = dataclasses.replace(prov, complement=True)
                    return Value(
                        inner.kind,
                        complement,
                        wraps=inner.wraps,
                        via_variable=inner.via_variable,
                        ambiguous=inner.ambiguous,
                    )
            return UNKNOWN
        return UNKNOWN

    def is_epsilon(self, expr: cst.BaseExpression, site: Site) -> bool:
        """A small constant added to dodge log(0): ``1e-8``, ``eps``, ``K.epsilon()``."""
        if isinstance(expr, (cst.Float, cst.Integer)):
            return 0 < float(expr.evaluated_value) < 0.1
        if isinstance(expr, cst.Name):
            reaching = self.symbols.reaching(expr.value, site)
            if not reaching:
                return False
            for binding in reaching:
                if not isinstance(binding, Binding):
                    return False
                candidate = binding.value if binding.how == "assign" else binding.default
                if candidate is None or not self.is_epsilon(candidate, binding.site):
                    return False
            return True
        if isinstance(expr, cst.Attribute):  # torch.finfo(t).eps, self.eps, np.finfo(...).eps
            return expr.attr.value in ("eps", "epsilon", "EPS", "EPSILON")
        if isinstance(expr, cst.Call) and isinstance(expr.func, (cst.Attribute, cst.Name)):
            qualname = self.qualname(expr.func, site)
            return qualname in ("keras.backend.epsilon", "keras.config.epsilon")
        return False

    def _call_value(self, call: cst.Call, site: Site, shadowed: frozenset[str]) -> Value:
        func = call.func
        qualname = self.qualname(func, site, shadowed)
        if qualname is not None:
            api = cat.lookup(qualname)
            if api is None:
                return UNKNOWN  # an imported API we do not catalogue
            return self._api_call_value(api, call, site, shadowed)
        callee = self.value(func, site, shadowed)
        if callee.kind is Kind.OBJECT and callee.api is not None:
            return self._object_call_value(callee, call, site, shadowed)
        if isinstance(func, cst.Attribute):
            return self._method_value(func, call, site, shadowed)
        return self.summaries.returned(call, site, shadowed)

    def _api_call_value(
        self, api: Api, call: cst.Call, site: Site, shadowed: frozenset[str]
    ) -> Value:
        if api.role is Role.PRODUCER:
            arg = argument(call, api.input)
            if arg is None or api.kind is None:
                return UNKNOWN
            prov = Provenance(call, arg.value, api, callee=call.func, site=site)
            return Value(api.kind, prov)
        if api.role is Role.WRAPPER:
            arg = argument(call, api.input)
            if arg is None or api.wrap is None:
                return UNKNOWN
            inner = self.value(arg.value, site, shadowed)
            return inner.wrapped(api.wrap) if _is_tensor(inner) else UNKNOWN
        if api.role in (Role.MODULE_PRODUCER, Role.SINK_CLASS, Role.CONTAINER):
            return Value(Kind.OBJECT, api=api, ctor=call)
        return UNKNOWN

    def _object_call_value(
        self, obj: Value, call: cst.Call, site: Site, shadowed: frozenset[str]
    ) -> Value:
        api, ctor = obj.api, obj.ctor
        assert api is not None and ctor is not None
        args = [a for a in call.args if a.keyword is None and not a.star]
        if not args:
            return UNKNOWN
        if api.role is Role.MODULE_PRODUCER:
            kind = api.kind or self._activation_kind(api, ctor, site)
            if kind is None:
                return UNKNOWN
            if api.fused:  # Dense(..., activation=...): no pre-activation expression
                return Value(kind, None, via_variable=True)
            prov = Provenance(
                call, args[0].value, api, callee=call.func, module_ctor=ctor, site=site
            )
            return Value(kind, prov)
        if api.role is Role.CONTAINER:
            layers = self._container_layers(ctor)
            if not layers:
                return UNKNOWN
            last = self.value(layers[-1], site)
            if last.kind is Kind.OBJECT and last.api is not None and last.ctor is not None:
                kind = last.api.kind or self._activation_kind(last.api, last.ctor, site)
                if kind is not None and last.api.role is Role.MODULE_PRODUCER:
                    return Value(kind, None, via_variable=True)
        return UNKNOWN

    def _container_layers(self, ctor: cst.Call) -> list[cst.BaseExpression]:
        args = [a for a in ctor.args if a.keyword is None and not a.star]
        if len(args) == 1 and isinstance(args[0].value, (cst.List, cst.Tuple)):
            return [e.value for e in args[0].value.elements]
        return [a.value for a in args]

    def _activation_kind(self, api: Api, ctor: cst.Call, site: Site) -> Optional[Kind]:
        arg = argument(ctor, api.activation)
        if arg is None:
            return None
        text = string_literal(arg.value)
        if text is not None:
            return cat.ACTIVATION_STRINGS.get(text)
        ref = self.api(arg.value, site)
        if ref is not None and ref.role is Role.PRODUCER:
            return ref.kind
        return None

    def _method_value(
        self, func: cst.Attribute, call: cst.Call, site: Site, shadowed: frozenset[str]
    ) -> Value:
        receiver = func.value
        method = func.attr.value
        if self._is_instance_name(receiver, site) or self.is_module_reference(receiver, site):
            return UNKNOWN
        producer = cat.TENSOR_METHODS.get(method)
        if producer is not None and _tensor_method_args_ok(producer, call):
            assert producer.kind is not None
            prov = Provenance(call, receiver, producer, method=True, site=site)
            return Value(producer.kind, prov)
        if method in cat.CLIP_METHODS or method in cat.TRANSPARENT_METHODS:
            inner = self.value(receiver, site, shadowed)
            if _is_tensor(inner):
                wrap = Wrap.CLIP if method in cat.CLIP_METHODS else Wrap.TRANSPARENT
                return inner.wrapped(wrap)
            if inner.kind is Kind.OBJECT and method in cat.OBJECT_PRESERVING_METHODS:
                return inner
        return UNKNOWN

    def _is_instance_name(self, expr: cst.BaseExpression, site: Site) -> bool:
        return (
            isinstance(expr, cst.Name)
            and self.symbols.self_scope(expr.value, site.scope) is not None
        )

    def _merge(self, values: list[Value]) -> Value:
        if not values or any(v.kind is Kind.UNKNOWN for v in values):
            return UNKNOWN
        first = values[0]
        if any(v.kind is not first.kind for v in values[1:]):
            return UNKNOWN
        if len(values) == 1:
            return first
        if first.kind is Kind.OBJECT:
            if any(v.api is not first.api for v in values):
                return UNKNOWN
            ctors = {cst.Module([]).code_for_node(v.ctor) for v in values if v.ctor is not None}
            if len(ctors) > 1:
                return UNKNOWN  # e.g. from_logits differs between branches
            return first
        producers = {id(v.provenance.producer) if v.provenance else None for v in values}
        wraps = tuple(dict.fromkeys(w for v in values for w in v.wraps))
        return Value(
            first.kind,
            first.provenance,
            wraps=wraps,
            via_variable=True,
            ambiguous=len(producers) > 1 or None in producers,
        )

    # --- calls that matter to rules ---------------------------------------------

    def sink(
        self, call: cst.Call, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[SinkUse]:
        """The logits-expecting API ``call`` invokes, if it provably is one."""
        api = self.api(call.func, site, shadowed)
        if api is not None:
            if api.role is not Role.SINK:
                return None
            if api.from_logits is not None and not is_true(argument(call, api.from_logits)):
                return None
            return SinkUse(api, call, argument(call, api.logits), argument(call, api.labels))
        if self.qualname(call.func, site, shadowed) is not None:
            return None
        callee = self.value(call.func, site, shadowed)
        obj = callee.api
        if callee.kind is not Kind.OBJECT or obj is None or obj.role is not Role.SINK_CLASS:
            return None
        if obj.from_logits is not None and not is_true(argument(callee.ctor, obj.from_logits)):
            return None
        return SinkUse(
            obj, call, argument(call, obj.logits), argument(call, obj.labels), callee.ctor
        )

    def log_operand(
        self, call: cst.Call, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[cst.BaseExpression]:
        """For an elementwise natural log (function or ``.log()``), its operand."""
        func = call.func
        api = self.api(func, site, shadowed)
        if api is not None:
            if api.role is not Role.LOG:
                return None
            arg = argument(call, api.input)
            return arg.value if arg is not None else None
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == cat.LOG_METHOD
            and not call.args
            and not self.is_module_reference(func.value, site)
        ):
            return func.value
        return None

    # --- fixes ------------------------------------------------------------------

    def spell(self, qualname: str, site: Site) -> Optional[Spelling]:
        """How to name ``qualname`` at ``site``, reusing the module's own imports."""
        target = cat.canonical(qualname)
        best: Optional[str] = None
        scope = site.scope
        while scope is not None:
            for name, bindings in scope.bindings.items():
                for binding in bindings:
                    if binding.how != "import" or not binding.qualname:
                        continue
                    if self.symbols.defining_scope(name, site.scope) is not scope:
                        continue
                    # A module alias canonicalises as a prefix: `import
                    # tensorflow.compat.v1 as tf` names `tensorflow.` (trailing dot).
                    as_module = cat.canonical(binding.qualname + ".")[:-1]
                    for bound in {cat.canonical(binding.qualname), as_module}:
                        if target == bound:
                            text = name
                        elif target.startswith(bound + "."):
                            text = name + target[len(bound) :]
                        else:
                            continue
                        if best is None or len(text) < len(best):
                            best = text
            scope = scope.parent
        if best is not None:
            return Spelling(best)
        module, _, leaf = target.rpartition(".")
        if not module or self.symbols.defining_scope(leaf, site.scope) is not None:
            return None
        return Spelling(leaf, (module, leaf))

    def same_value(self, expr: cst.BaseExpression, first: Site, second: Site) -> bool:
        """True when ``expr`` provably means the same at both statements."""
        if isinstance(expr, (cst.Integer, cst.Float, cst.SimpleString)):
            return True
        if isinstance(expr, cst.Name):
            a = self.symbols.reaching(expr.value, first)
            b = self.symbols.reaching(expr.value, second)
            if a is None or b is None:
                return a is None and b is None
            if POSSIBLY_UNBOUND in a or POSSIBLY_UNBOUND in b:
                return False
            return {id(x) for x in a} == {id(x) for x in b}
        if isinstance(expr, cst.Attribute):
            if self._is_instance_name(expr.value, first):
                method = self.symbols.self_scope(expr.value.value, first.scope)  # type: ignore[attr-defined]
                assert method is not None and method.class_scope is not None
                return len(method.class_scope.attributes.get(expr.attr.value, [])) <= 1
            return self.same_value(expr.value, first, second)
        if isinstance(expr, cst.Subscript):
            return self.same_value(expr.value, first, second) and all(
                isinstance(e.slice, cst.Index) and self.same_value(e.slice.value, first, second)
                for e in expr.slice
            )
        if isinstance(expr, cst.BinaryOperation):
            return self.same_value(expr.left, first, second) and self.same_value(
                expr.right, first, second
            )
        if isinstance(expr, cst.UnaryOperation):
            return self.same_value(expr.expression, first, second)
        return False


def _is_tensor(value: Value) -> bool:
    return value.kind not in (Kind.UNKNOWN, Kind.OBJECT)


def _is_one(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, (cst.Integer, cst.Float)) and float(expr.evaluated_value) == 1.0


def _tensor_method_args_ok(api: Api, call: cst.Call) -> bool:
    """``x.softmax(1)`` / ``x.softmax(dim=-1)`` / ``x.sigmoid()``: a tensor's method.

    A user object's ``softmax(h)`` takes a tensor, not an axis; only the torch
    signature (an integer axis, or ``dim=``) is accepted as evidence.
    """
    if api.axis is None:
        return not call.args
    positional = [a for a in call.args if a.keyword is None]
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if any(a.star for a in call.args) or not keywords <= {"dim", "dtype"}:
        return False
    if "dim" in keywords:
        return not positional
    return len(positional) == 1 and int_literal(positional[0].value) is not None

"""Model classes defined in the file, and what calling one of their instances returns.

A training loop rarely applies softmax where the loss is called: the activation sits
in ``forward`` (torch) or ``call`` (Keras) of a class defined elsewhere in the file,
and the loop sees only ``model(x)``. This module gives each such class a summary —
the value kind of its return statements when they all agree — and recognises the
ways an instance is reached: ``model = Net()``, ``Net().to(device)``,
``self.net = Net()`` in ``__init__``, ``nn.DataParallel(model)``, ``self(x)`` and
``self.forward(x)`` inside the class.

It is used only in the analysis's *models mode* (``Analysis.value(..., models=True)``):
the default answers stay exactly as without it, so rules that reason about the
visible flow (LGT001) never see through a model call and never report the same
call twice with a rule that does (LGT007).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from logitlint.analysis import catalogue as cat
from logitlint.analysis.calls import argument
from logitlint.analysis.kinds import UNKNOWN, Kind, Provenance, Value
from logitlint.analysis.scopes import Binding, Site
from logitlint.tree import visit

if TYPE_CHECKING:
    from logitlint.analysis.flow import Analysis


@dataclass(eq=False)
class ModelClass:
    """A model class of this file and the method its instances run when called.

    A Keras functional model (``keras.Model(inputs, outputs)``) has no class: its
    call returns ``outputs`` as built at ``ctor``.
    """

    node: Optional[cst.ClassDef]
    framework: str
    method_name: str  # "forward" or "call"
    method: Optional[cst.FunctionDef]  # own or inherited from a class of this file
    method_owner: str  # the class that defines ``method``
    returns: tuple[cst.Return, ...] = ()
    output: Optional[Value] = field(default=None, repr=False)  # computed lazily
    ctor: Optional[cst.Call] = None  # functional models
    outputs: Optional[cst.BaseExpression] = None  # functional models
    outputs_site: Optional[Site] = None

    @property
    def name(self) -> str:
        return self.node.name.value if self.node is not None else "keras.Model"

    @property
    def qualified_method(self) -> str:
        return f"{self.method_owner}.{self.method_name}"

    @property
    def described(self) -> str:
        """How messages name what the model runs."""
        if self.ctor is not None:
            return "the functional `keras.Model`"
        return f"`{self.qualified_method}`"


class Models:
    """Model classes of one module, found lazily and summarised once each."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._classes: dict[int, Optional[ModelClass]] = {}
        self._summarising: set[int] = set()
        self._calls: Optional[dict[str, list[tuple[cst.Call, Site]]]] = None
        self._declared: Optional[dict[tuple[int, str], cst.CSTNode]] = None

    # --- classes ------------------------------------------------------------------

    def class_of(self, binding: object) -> Optional[ModelClass]:
        """The model class a ``class`` binding defines, if it is one."""
        if not isinstance(binding, Binding) or binding.how != "class":
            return None
        node = binding.site.node
        if not isinstance(node, cst.ClassDef):
            return None
        key = id(node)
        if key not in self._classes:
            self._classes[key] = None  # breaks cycles (class A(B), class B(A))
            self._classes[key] = self._build(node, binding.site)
        return self._classes[key]

    def _build(self, node: cst.ClassDef, site: Site) -> Optional[ModelClass]:
        base: Optional[cat.ModelBase] = None
        inherited: Optional[ModelClass] = None
        for arg in node.bases:
            if arg.keyword is not None or arg.star:
                continue
            qualname = self.analysis.qualname(arg.value, site)
            if qualname is not None:
                found = cat.MODEL_BASE_BY_NAME.get(qualname)
                if found is not None:
                    base = base or found
                continue
            parent = self._class_named(arg.value, site)
            if parent is not None:
                inherited = inherited or parent
        if base is None and inherited is None:
            return None
        framework = base.framework if base is not None else inherited.framework  # type: ignore[union-attr]
        method_name = base.method if base is not None else inherited.method_name  # type: ignore[union-attr]
        method = _own_method(node, method_name)
        owner = node.name.value
        if method is None and inherited is not None:
            method, owner = inherited.method, inherited.method_owner
        returns = _returns(method) if method is not None else ()
        return ModelClass(node, framework, method_name, method, owner, returns)

    def _class_named(self, expr: cst.BaseExpression, site: Site) -> Optional[ModelClass]:
        if not isinstance(expr, cst.Name):
            return None
        reaching = self.analysis.symbols.reaching(expr.value, site)
        if not reaching or len(reaching) != 1:
            return None
        return self.class_of(reaching[0])

    # --- instances ----------------------------------------------------------------

    def instantiation(self, call: cst.Call, site: Site) -> Optional[Value]:
        """``Net(...)``: a new instance of a model class of this file."""
        cls = self._class_named(call.func, site)
        return Value(Kind.MODEL, model=cls) if cls is not None else None

    def self_instance(self, name: cst.Name, site: Site) -> Optional[Value]:
        """``self`` inside a method of a model class."""
        method = self.analysis.symbols.self_scope(name.value, site.scope)
        if method is None or method.class_scope is None:
            return None
        class_node = method.class_scope.node
        if not isinstance(class_node, cst.ClassDef):
            return None
        parent = method.class_scope.parent
        if parent is None:
            return None
        for binding in parent.bindings.get(class_node.name.value, []):
            if binding.site.node is class_node:
                cls = self.class_of(binding)
                return Value(Kind.MODEL, model=cls) if cls is not None else None
        return None

    def parameter_value(self, binding: Binding) -> Optional[Value]:
        """A parameter every in-file caller passes the same model instance to.

        ``def train(model, loader): ... model(x)`` called as ``train(Net(), loader)``;
        also ``__init__(self, model)`` reached through ``Trainer(Net())``. One model
        class on every call site of this file, and at least one call site.
        """
        func = binding.site.node
        scope = binding.site.scope
        if not isinstance(func, cst.FunctionDef) or scope.parent is None:
            return None
        position = _parameter_position(func, binding.name)
        if position is None:
            return None
        index, keyword_only = position
        parent = scope.parent
        if parent.kind == "class":
            if func.name.value != "__init__" or not isinstance(parent.node, cst.ClassDef):
                return None
            owner, index = parent.node, index - 1  # callers do not pass self
            if index < 0:
                return None
        else:
            owner = func
        param = cat.Param(binding.name, None if keyword_only else index)
        found: Optional[Value] = None
        for call, site in self._callers(owner):
            arg = argument(call, param)
            if arg is None:
                return None
            passed = self.analysis.value(arg.value, site, models=True)
            if passed.kind is not Kind.MODEL or (
                found is not None and passed.model is not found.model
            ):
                return None
            found = passed
        return found

    def _callers(self, definition: cst.CSTNode) -> list[tuple[cst.Call, Site]]:
        """Calls in the module whose callee name is bound to ``definition`` (def/class)."""
        if self._calls is None:
            collector = _CallCollector(self.analysis)
            visit(self.analysis.module, collector)
            self._calls = collector.calls
        if not isinstance(definition, (cst.FunctionDef, cst.ClassDef)):
            return []
        found = []
        for call, site in self._calls.get(definition.name.value, []):
            reaching = self.analysis.symbols.reaching(definition.name.value, site)
            if (
                reaching
                and len(reaching) == 1
                and isinstance(reaching[0], Binding)
                and reaching[0].site.node is definition
            ):
                found.append((call, site))
        return found

    def declared_logits(self, call: cst.Call, site: Site) -> Optional[Value]:
        """``self.policy(s)`` when this file elsewhere passes ``self.policy(...)`` to a
        framework API as ``logits=`` (``Categorical(logits=self.policy(x))``): the
        author declared what that callable returns."""
        key = self._callee_key(call.func, site)
        if key is None:
            return None
        if self._declared is None:
            self._declared = {}
            collector = _LogitsKeywordCollector(self.analysis)
            visit(self.analysis.module, collector)
            for declared_call, declared_site, argument_node in collector.found:
                found_key = self._callee_key(declared_call.func, declared_site)
                if found_key is not None:
                    self._declared.setdefault(found_key, argument_node)
        where = self._declared.get(key)
        if where is None:
            return None
        prov = Provenance(call, where, cat.DECLARED_LOGITS, site=site)
        return Value(Kind.LOGITS, prov)

    def _callee_key(self, func: cst.BaseExpression, site: Site) -> Optional[tuple[int, str]]:
        """Who is called: ``self.<attr>`` of one class, or a plain local name."""
        symbols = self.analysis.symbols
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and self.analysis.qualname(func, site) is None
        ):
            method = symbols.self_scope(func.value.value, site.scope)
            if method is not None and method.class_scope is not None:
                return id(method.class_scope), func.attr.value
            return None
        if isinstance(func, cst.Name) and self.analysis.qualname(func, site) is None:
            scope = symbols.defining_scope(func.value, site.scope)
            if scope is not None and all(
                b.how in ("assign", "param") for b in scope.bindings[func.value]
            ):
                return id(scope), func.value
        return None

    def functional(self, call: cst.Call, outputs: cst.BaseExpression, site: Site) -> ModelClass:
        """``keras.Model(inputs, outputs)``: a model whose call returns ``outputs``."""
        key = id(call)
        cls = self._classes.get(key)
        if cls is None:
            cls = ModelClass(None, "keras", "call", None, "keras.Model", (), None, call, outputs)
            cls.outputs_site = site
            self._classes[key] = cls
        return cls

    def output(self, cls: ModelClass) -> Value:
        """What calling an instance returns: the agreed kind of all return statements."""
        if cls.output is not None:
            return cls.output
        key = id(cls.node) if cls.node is not None else id(cls.ctor)
        if key in self._summarising or not (cls.returns or cls.outputs is not None):
            return UNKNOWN
        self._summarising.add(key)
        try:
            values = []
            if cls.outputs is not None and cls.outputs_site is not None:
                values.append(self.analysis.value(cls.outputs, cls.outputs_site, models=True))
            for ret in cls.returns:
                site = self.analysis.site(ret)
                if ret.value is None or site is None:
                    values.append(UNKNOWN)
                    continue
                values.append(self.analysis.value(ret.value, site, models=True))
            merged = self.analysis.merge(values)
        finally:
            self._summarising.discard(key)
        if merged.kind in (Kind.UNKNOWN, Kind.OBJECT, Kind.MODEL):
            cls.output = UNKNOWN
        else:
            cls.output = Value(
                merged.kind,
                merged.provenance,
                wraps=merged.wraps,
                via_variable=True,
                ambiguous=merged.ambiguous,
                model=cls,
            )
        return cls.output

    def returned_at(self, cls: ModelClass) -> Optional[cst.CSTNode]:
        """What a message cites: the first return of forward/call, or where a
        functional model is built."""
        if cls.ctor is not None:
            return cls.ctor
        return cls.returns[0] if cls.returns else None


def _parameter_position(func: cst.FunctionDef, name: str) -> Optional[tuple[int, bool]]:
    """(index among positional parameters, keyword-only?) of a named parameter."""
    params = func.params
    for index, param in enumerate([*params.posonly_params, *params.params]):
        if param.name.value == name:
            return index, False
    for param in params.kwonly_params:
        if param.name.value == name:
            return 0, True
    return None


class _CallCollector(cst.CSTVisitor):
    """Every call of a plain name, with the statement it stands in."""

    def __init__(self, analysis: Analysis) -> None:
        super().__init__()
        self.analysis = analysis
        self.calls: dict[str, list[tuple[cst.Call, Site]]] = {}
        self._sites: list[tuple[cst.CSTNode, Site]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        site = self.analysis.site(node)
        if site is not None:
            self._sites.append((node, site))
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and self._sites:
            self.calls.setdefault(node.func.value, []).append((node, self._sites[-1][1]))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self._sites and self._sites[-1][0] is original_node:
            self._sites.pop()


class _LogitsKeywordCollector(cst.CSTVisitor):
    """Calls of catalogued APIs given ``logits=<call>``: ``Categorical(logits=net(x))``."""

    def __init__(self, analysis: Analysis) -> None:
        super().__init__()
        self.analysis = analysis
        self.found: list[tuple[cst.Call, Site, cst.Call]] = []
        self._sites: list[tuple[cst.CSTNode, Site]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        site = self.analysis.site(node)
        if site is not None:
            self._sites.append((node, site))
        if isinstance(node, cst.Call) and self._sites:
            for arg in node.args:
                if (
                    arg.keyword is not None
                    and arg.keyword.value == "logits"
                    and isinstance(arg.value, cst.Call)
                ):
                    current = self._sites[-1][1]
                    if self.analysis.api(node.func, current) is not None:
                        self.found.append((arg.value, current, node))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self._sites and self._sites[-1][0] is original_node:
            self._sites.pop()


def _own_method(node: cst.ClassDef, name: str) -> Optional[cst.FunctionDef]:
    found: Optional[cst.FunctionDef] = None
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
            found = stmt  # the last definition wins, as at run time
    return found


class _ReturnCollector(cst.CSTVisitor):
    """Return statements of one function, not of the functions nested in it."""

    def __init__(self) -> None:
        super().__init__()
        self.returns: list[cst.Return] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node)


def _returns(method: cst.FunctionDef) -> tuple[cst.Return, ...]:
    collector = _ReturnCollector()
    visit(method.body, collector)
    return tuple(collector.returns)

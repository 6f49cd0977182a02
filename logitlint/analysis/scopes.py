"""Scopes, statements and bindings of one module, from a single walk over statements.

This is the engine's own, much cheaper, stand-in for libcst's Scope and
QualifiedName providers (which cost about two thirds of a naive pipeline): it visits
statements only, never expressions, and records for every name which statements bind
it, in source order, with the block path that says whether a binding always runs
before a later statement (dominates it) or only on some branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

# A block is one branch of a compound statement: (id of the statement, branch tag).
Block = tuple[int, str]
Path = tuple[Block, ...]


@dataclass(eq=False)
class Scope:
    node: cst.CSTNode
    kind: str  # "module", "function" or "class"
    parent: Optional[Scope]
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)
    self_name: Optional[str] = None  # methods: the instance parameter
    class_scope: Optional[Scope] = None  # methods: the class they belong to
    attributes: dict[str, list[Binding]] = field(default_factory=dict)  # classes: self.x


@dataclass(eq=False)
class Site:
    """A statement: where an expression is evaluated."""

    node: cst.CSTNode
    scope: Scope
    order: int
    path: Path

    def dominated_by(self, other: Site) -> bool:
        """True when ``other`` always ran before this statement."""
        return other.order < self.order and self.path[: len(other.path)] == other.path

    @property
    def loops(self) -> tuple[Block, ...]:
        return tuple(block for block in self.path if block[1] == "loop")


@dataclass(eq=False)
class Binding:
    name: str
    site: Site
    how: str  # assign, aug, import, param, def, class, target, del
    value: Optional[cst.BaseExpression] = None
    qualname: Optional[str] = None  # imports
    default: Optional[cst.BaseExpression] = None  # params
    aug: Optional[cst.AugAssign] = None


# Marks "no binding is certain to have run": the name may be unbound or come from a
# branch not seen; any kind computed through it is UNKNOWN.
POSSIBLY_UNBOUND = object()

Reaching = list[Union[Binding, object]]


class SymbolTable:
    def __init__(self, module: cst.Module) -> None:
        self.sites: dict[int, Site] = {}
        self.scopes: dict[int, Scope] = {}
        self._order = 0
        self.module_scope = self._new_scope(module, "module", None)
        self._walk_block(module.body, self.module_scope, ())

    # --- building -------------------------------------------------------------

    def _new_scope(self, node: cst.CSTNode, kind: str, parent: Optional[Scope]) -> Scope:
        scope = Scope(node, kind, parent)
        self.scopes[id(node)] = scope
        return scope

    def _site(self, node: cst.CSTNode, scope: Scope, path: Path) -> Site:
        self._order += 1
        site = Site(node, scope, self._order, path)
        self.sites[id(node)] = site
        return site

    def _bind(self, scope: Scope, binding: Binding) -> None:
        if binding.name in scope.global_names:
            scope = self.module_scope
        scope.bindings.setdefault(binding.name, []).append(binding)

    def _walk_block(self, body: object, scope: Scope, path: Path) -> None:
        statements = body.body if isinstance(body, cst.BaseSuite) else body
        if isinstance(statements, cst.BaseSmallStatement):  # `if x: y = 1` one-liners
            statements = (statements,)
        for stmt in statements:  # type: ignore[union-attr]
            self._walk_statement(stmt, scope, path)

    def _walk_statement(self, stmt: cst.CSTNode, scope: Scope, path: Path) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._bind_small(small, self._site(small, scope, path))
            return
        if isinstance(stmt, cst.BaseSmallStatement):
            self._bind_small(stmt, self._site(stmt, scope, path))
            return
        site = self._site(stmt, scope, path)
        key = id(stmt)
        if isinstance(stmt, cst.FunctionDef):
            self._bind(scope, Binding(stmt.name.value, site, "def"))
            self._walk_function(stmt, scope, site)
        elif isinstance(stmt, cst.ClassDef):
            self._bind(scope, Binding(stmt.name.value, site, "class"))
            class_scope = self._new_scope(stmt, "class", scope)
            self._walk_block(stmt.body, class_scope, ())
        elif isinstance(stmt, cst.If):
            self._walk_block(stmt.body, scope, (*path, (key, "body")))
            if isinstance(stmt.orelse, cst.If):
                self._walk_statement(stmt.orelse, scope, (*path, (key, "else")))
            elif stmt.orelse is not None:
                self._walk_block(stmt.orelse.body, scope, (*path, (key, "else")))
        elif isinstance(stmt, (cst.For, cst.While)):
            body_path = (*path, (key, "loop"))
            if isinstance(stmt, cst.For):
                self._bind_target(stmt.target, None, scope, site, "target", body_path)
            self._walk_block(stmt.body, scope, body_path)
            if stmt.orelse is not None:
                self._walk_block(stmt.orelse.body, scope, (*path, (key, "else")))
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None:
                    self._bind_target(item.asname.name, None, scope, site, "target", path)
            self._walk_block(stmt.body, scope, path)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            self._walk_block(stmt.body, scope, (*path, (key, "try")))
            for index, handler in enumerate(stmt.handlers):
                handler_path = (*path, (key, f"except{index}"))
                if handler.name is not None:
                    self._bind_target(handler.name.name, None, scope, site, "target", handler_path)
                self._walk_block(handler.body, scope, handler_path)
            if stmt.orelse is not None:
                self._walk_block(stmt.orelse.body, scope, (*path, (key, "else")))
            if stmt.finalbody is not None:
                self._walk_block(stmt.finalbody.body, scope, path)
        elif isinstance(stmt, cst.Match):
            for index, case in enumerate(stmt.cases):
                self._walk_block(case.body, scope, (*path, (key, f"case{index}")))

    def _walk_function(self, func: cst.FunctionDef, outer: Scope, site: Site) -> None:
        scope = self._new_scope(func, "function", outer)
        params = func.params
        ordered = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                ordered.append(extra)
        body_site = Site(func, scope, site.order, ())
        for param in ordered:
            self._bind(scope, Binding(param.name.value, body_site, "param", default=param.default))
        if outer.kind == "class" and params.params and not _is_static(func):
            scope.self_name = params.params[0].name.value
            scope.class_scope = outer
        elif outer.kind == "function" and outer.class_scope is not None:
            scope.class_scope = outer.class_scope  # closures inside a method see its self
        self._walk_block(func.body, scope, ())

    def _bind_small(self, small: cst.BaseSmallStatement, site: Site) -> None:
        scope = site.scope
        if isinstance(small, cst.Assign):
            for target in small.targets:
                self._bind_target(target.target, small.value, scope, site, "assign", site.path)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self._bind_target(small.target, small.value, scope, site, "assign", site.path)
        elif isinstance(small, cst.AugAssign):
            target = small.target
            if isinstance(target, cst.Name):
                self._bind(scope, Binding(target.value, site, "aug", aug=small))
            elif self._self_attribute(target, scope):
                self._bind_attribute(target, Binding(target.attr.value, site, "aug", aug=small))
        elif isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None:
                    local = _asname(alias.asname)
                    qualname = dotted
                else:
                    local = dotted.split(".", 1)[0]
                    qualname = local
                self._bind(scope, Binding(local, site, "import", qualname=qualname))
        elif isinstance(small, cst.ImportFrom):
            module = _dotted(small.module) if small.module is not None else None
            if small.relative:
                module = None
            if isinstance(small.names, cst.ImportStar):
                if module:
                    scope.star_imports.append(module)
                return
            for alias in small.names:
                name = _dotted(alias.name)
                local = _asname(alias.asname) if alias.asname is not None else name
                qualname = f"{module}.{name}" if module else None
                self._bind(scope, Binding(local, site, "import", qualname=qualname))
        elif isinstance(small, cst.Global):
            scope.global_names.update(item.name.value for item in small.names)
        elif isinstance(small, cst.Del):
            for target in _names_in(small.target):
                self._bind(scope, Binding(target, site, "del"))

    def _bind_target(
        self,
        target: cst.BaseExpression,
        value: Optional[cst.BaseExpression],
        scope: Scope,
        site: Site,
        how: str,
        path: Path,
    ) -> None:
        if path is not site.path:
            site = Site(site.node, scope, site.order, path)
        if isinstance(target, cst.Name):
            self._bind(scope, Binding(target.value, site, how, value=value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            values: list[Optional[cst.BaseExpression]] = [None] * len(elements)
            if (
                isinstance(value, (cst.Tuple, cst.List))
                and len(value.elements) == len(elements)
                and not any(isinstance(e, cst.StarredElement) for e in value.elements)
                and not any(isinstance(e, cst.StarredElement) for e in elements)
            ):
                values = [element.value for element in value.elements]
            for element, element_value in zip(elements, values):
                inner = element.value
                self._bind_target(inner, element_value, scope, site, how, path)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None, scope, site, how, path)
        elif self._self_attribute(target, scope):
            assert isinstance(target, cst.Attribute)
            self._bind_attribute(target, Binding(target.attr.value, site, how, value=value))

    def _self_attribute(self, target: cst.BaseExpression, scope: Scope) -> bool:
        return (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and scope.class_scope is not None
            and self.self_scope(target.value.value, scope) is not None
        )

    def _bind_attribute(self, target: cst.Attribute, binding: Binding) -> None:
        owner = self.self_scope(target.value.value, binding.site.scope)  # type: ignore[attr-defined]
        assert owner is not None and owner.class_scope is not None
        owner.class_scope.attributes.setdefault(binding.name, []).append(binding)

    # --- queries --------------------------------------------------------------

    def self_scope(self, name: str, scope: Scope) -> Optional[Scope]:
        """The method whose instance parameter ``name`` refers to, seen from ``scope``."""
        current: Optional[Scope] = scope
        while current is not None and current.kind == "function":
            if current.self_name == name:
                return current
            if name in current.bindings:
                return None  # shadowed by a local
            current = current.parent
        return None

    def defining_scope(self, name: str, scope: Scope) -> Optional[Scope]:
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if name in current.global_names:
                return self.module_scope if name in self.module_scope.bindings else None
            if name in current.bindings:
                return current
            first = False
            current = current.parent
        return None

    def reaching(self, name: str, site: Site) -> Optional[Reaching]:
        """The bindings of ``name`` that may hold at ``site``; None if never bound."""
        scope = self.defining_scope(name, site.scope)
        if scope is None:
            return None
        bindings = scope.bindings[name]
        if scope is not site.scope:
            return list(bindings)  # a free variable: any binding may be the live one
        result: Reaching = []
        for binding in reversed(bindings):
            if binding.site.order >= site.order:
                continue
            result.append(binding)
            if site.dominated_by(binding.site):
                break
        else:
            if not _both_branches_bind(result, site):  # type: ignore[arg-type]
                result.append(POSSIBLY_UNBOUND)
        for loop in site.loops:  # a later binding in the same loop reaches the next turn
            for binding in bindings:
                if binding.site.order > site.order and loop in binding.site.path:
                    result.append(binding)
        return result

    def star_imports(self, scope: Scope) -> list[str]:
        modules: list[str] = []
        current: Optional[Scope] = scope
        while current is not None:
            modules.extend(current.star_imports)
            current = current.parent
        return modules


def _is_static(func: cst.FunctionDef) -> bool:
    for decorator in func.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Name) and expr.value == "staticmethod":
            return True
    return False


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _asname(asname: cst.AsName) -> str:
    name = asname.name
    return name.value if isinstance(name, cst.Name) else ""


def _names_in(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _names_in(element.value)]
    return []


def _both_branches_bind(bindings: list[Binding], site: Site) -> bool:
    """``if c: x = a`` / ``else: x = b`` before ``site``: x is bound either way."""
    branches: dict[tuple[Path, int], set[str]] = {}
    for binding in bindings:
        path = binding.site.path
        if not path or site.path[: len(path) - 1] != path[:-1]:
            continue
        statement, tag = path[-1]
        if tag in ("body", "else") and (statement, tag) not in site.path:
            branches.setdefault((path[:-1], statement), set()).add(tag)
    return any(tags == {"body", "else"} for tags in branches.values())

"""The engine's own tree walk sees what libcst's visitor sees, in the same order.

The engine reads children straight off node attributes instead of letting libcst
rebuild the tree, and skips layout nodes; these tests pin that down against
``CSTNode.visit`` on every fixture and on a file with every statement and
expression form.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import libcst as cst
import pytest
from conftest import FIXTURES, ROOT, lint

from logitlint.analysis import Analysis
from logitlint.engine import _LEAVES, _TRIVIA, FileContext, _parse_unvalidated, _Walker
from logitlint.rule import Rule
from logitlint.tree import child_attributes, children, visit

SOURCES = [ROOT / "tests" / "data" / "syntax_tour.py", *sorted(FIXTURES.rglob("*.py"))]
IDS = [str(p.relative_to(ROOT)) for p in SOURCES]


def _parse(path: Path) -> cst.Module:
    return cst.parse_module(path.read_text(encoding="utf-8"))


class _Everything(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return True


def _attribute_walk(node: cst.CSTNode, seen: list[cst.CSTNode]) -> None:
    seen.append(node)
    for name in child_attributes(type(node)):
        value = getattr(node, name)
        items = value if isinstance(value, (tuple, list)) else (value,)
        for item in items:
            if isinstance(item, cst.CSTNode):
                _attribute_walk(item, seen)


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_child_attributes_give_libcst_visit_order(path: Path) -> None:
    module = _parse(path)
    expected = _Everything()
    module.visit(expected)
    seen: list[cst.CSTNode] = []
    _attribute_walk(module, seen)
    assert [id(n) for n in seen] == [id(n) for n in expected.seen]


class _Log(cst.CSTVisitor):
    """Logs every callback libcst makes; prunes at ``Lambda`` as visitors do."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.log.append(("visit", id(node)))
        return not isinstance(node, cst.Lambda)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.log.append(("leave", id(original_node)))


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_children_and_visit_match_libcst(path: Path) -> None:
    module = _parse(path)
    everything = _Everything()
    module.visit(everything)
    for node in everything.seen:
        assert [id(c) for c in children(node)] == [id(c) for c in node.children]
    expected, got = _Log(), _Log()
    module.visit(expected)
    visit(module, got)
    assert got.log == expected.log
    assert any(kind == "leave" for kind, _ in got.log)


class _FieldVisitor(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def visit_Call_func(self, node: cst.Call) -> None:
        self.fields.append("func")


def test_visit_hands_per_field_visitors_to_libcst() -> None:
    visitor = _FieldVisitor()
    visit(cst.parse_module("f(x)\ng(y)\n"), visitor)
    assert visitor.fields == ["func", "func"]


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_parsing_without_validation_builds_the_same_tree(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    module = _parse_unvalidated(source)
    assert module.deep_equals(cst.parse_module(source))
    assert module.code == source
    with pytest.raises(cst.CSTValidationError):  # validation is back once parsed
        cst.Name("not a name")


_EVENT_TYPES = ("Call", "Name", "Attribute", "Arg", "Lambda", "ListComp", "FunctionDef", "If")


def _recording_rule(events: list[tuple[str, str, int]]) -> type[Rule]:
    """A rule that logs every visit/leave of a few types, with the statement in force."""

    def handler(kind: str) -> typing.Callable[[Rule, cst.CSTNode], None]:
        def record(self: Rule, node: cst.CSTNode) -> None:
            site = self.site
            events.append((kind, type(node).__name__, id(site.node) if site else 0))

        return record

    members: dict[str, object] = {"code": "LGT999", "name": "recorder"}
    for node_type in _EVENT_TYPES:
        members[f"visit_{node_type}"] = handler("visit")
        members[f"leave_{node_type}"] = handler("leave")
    return type("Recorder", (Rule,), members)


class _LibcstRecorder(cst.CSTVisitor):
    """The same events under libcst's traversal, with the same statement tracking."""

    def __init__(self, analysis: Analysis, events: list[tuple[str, str, int]]) -> None:
        super().__init__()
        self.analysis = analysis
        self.events = events
        self.sites: list[object] = [None]

    def on_visit(self, node: cst.CSTNode) -> bool:
        site = self.analysis.site(node)
        self.sites.append(site if site is not None else self.sites[-1])
        self._record("visit", node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._record("leave", original_node)
        self.sites.pop()

    def _record(self, kind: str, node: cst.CSTNode) -> None:
        site = self.sites[-1]
        if type(node).__name__ in _EVENT_TYPES and site is not None:
            self.events.append((kind, type(node).__name__, id(site.node)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_rules_see_the_same_events_as_under_a_libcst_visitor(path: Path) -> None:
    module = _parse(path)
    analysis = Analysis(module)
    expected: list[tuple[str, str, int]] = []
    module.visit(_LibcstRecorder(analysis, expected))
    got: list[tuple[str, str, int]] = []
    context = FileContext(module, analysis)
    rule = _recording_rule(got)(context)
    _Walker(context, [rule], lambda r, e: pytest.fail(str(e))).walk(module)
    assert got == expected
    assert any(kind == "visit" and name == "Call" for kind, name, _ in got)


def _node_classes(annotation: object) -> set[type]:
    """The CSTNode classes an attribute annotation admits (through unions and sequences)."""
    if isinstance(annotation, type):
        return {annotation} if issubclass(annotation, cst.CSTNode) else set()
    found: set[type] = set()
    for argument in typing.get_args(annotation):
        found |= _node_classes(argument)
    return found


@pytest.mark.parametrize("cls", _LEAVES, ids=[c.__name__ for c in _LEAVES])
def test_leaf_classes_hold_only_layout(cls: type[cst.CSTNode]) -> None:
    """A class the walk never enters (when no rule wants it) has only layout children."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        for child in _node_classes(hints[field.name]):
            assert issubclass(child, _TRIVIA), f"{cls.__name__}.{field.name} may hold {child}"


def test_a_rule_may_ask_for_a_layout_node() -> None:
    """Skipping layout is an optimisation: a rule that names such a type still gets it."""
    seen: list[str] = []

    class Commas(Rule):
        code = "LGT998"
        name = "commas"

        def visit_Comma(self, node: cst.Comma) -> None:
            seen.append("comma")

        def visit_Name(self, node: cst.Name) -> None:
            seen.append(node.value)

    module = cst.parse_module("def f():\n    g(a, b)\n")
    context = FileContext(module, Analysis(module))
    _Walker(context, [Commas(context)], lambda r, e: pytest.fail(str(e))).walk(module)
    assert seen == ["f", "g", "a", "comma", "b"]


def test_mixed_bytes_and_text_literals_are_a_syntax_error_not_a_crash() -> None:
    found = lint(
        """
        import torch
        label = "a" b"b"
        y = torch.log(torch.softmax(label, 1))
        """
    )
    assert [(d.code, d.location.row) for d in found] == [("LGT000", 3)]
    assert "bytes" in found[0].message

"""Reading a libcst tree without rebuilding it: ``children`` and ``visit``.

libcst's own ``CSTNode.children`` and ``CSTNode.visit`` go through each node's
``_visit_and_replace_children``, which constructs (and validates) a new copy of
every node it passes, even for a read-only ``CSTVisitor`` that throws the copies
away: with every rule enabled that was most of the analysis time. The functions
here read the children straight off the node's attributes instead, in the order
libcst visits them (``child_attributes``), and call a visitor's callbacks in the
order ``CSTNode.visit`` does (``on_visit``, ``on_leave``; a visitor with per-field
callbacks is handed to libcst), returning nothing. tests/test_walk.py compares
both with libcst's over the fixtures.

Only for ``CSTVisitor``s: a transformer must use ``node.visit``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from collections.abc import Sequence

# Per node class: the attributes that may hold child nodes, in source order.
_CHILD_ATTRIBUTES: dict[type, tuple[str, ...]] = {}


def child_attributes(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    """The attributes of ``cls`` that hold children, in the order libcst visits them.

    The order comes from the field names that ``_visit_and_replace_children`` hands
    to its visit helpers, in the order its code names them; fields it never names
    (plain values such as a ``Name``'s string) follow.
    """
    found = _CHILD_ATTRIBUTES.get(cls)
    if found is not None:
        return found
    fields = [f.name for f in dataclasses.fields(cls)]
    code = getattr(cls._visit_and_replace_children, "__code__", None)
    ordered: list[str] = []
    for const in code.co_consts if code is not None else ():
        if isinstance(const, str) and const in fields and const not in ordered:
            ordered.append(const)
    ordered.extend(name for name in fields if name not in ordered)
    found = _CHILD_ATTRIBUTES[cls] = tuple(ordered)
    return found


_IS_NODE: dict[type, bool] = {}


def _is_node(cls: type) -> bool:
    """``issubclass(cls, CSTNode)``, cached: ``CSTNode`` is an ABC, whose
    ``isinstance`` costs ten times a dictionary lookup."""
    found = _IS_NODE.get(cls)
    if found is None:
        found = _IS_NODE[cls] = cst.CSTNode in cls.__mro__
    return found


def children(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """``node.children``, without building a copy of ``node``."""
    found: list[cst.CSTNode] = []
    is_node = _IS_NODE
    for attribute in _CHILD_ATTRIBUTES.get(type(node)) or child_attributes(type(node)):
        value = getattr(node, attribute)
        cls = type(value)
        if cls is tuple or cls is list:
            for item in value:
                if is_node.get(type(item)) or _is_node(type(item)):
                    found.append(item)
        elif is_node.get(cls) or _is_node(cls):
            found.append(value)
    return found


_PLAIN: dict[type, bool] = {}


def _plain(visitor_class: type) -> bool:
    """Whether the visitor ignores ``on_visit_attribute``/``on_leave_attribute``:
    it neither overrides them nor defines ``visit_<Type>_<field>`` callbacks of
    its own (node class names have no underscore, so those names have two;
    ``CSTVisitor`` itself defines them all as no-ops)."""
    found = _PLAIN.get(visitor_class)
    if found is None:
        found = (
            visitor_class.on_visit_attribute is cst.CSTVisitor.on_visit_attribute
            and visitor_class.on_leave_attribute is cst.CSTVisitor.on_leave_attribute
            and not any(
                name.startswith(("visit_", "leave_"))
                and name.count("_") > 1
                and getattr(visitor_class, name) is not getattr(cst.CSTVisitor, name, None)
                for name in dir(visitor_class)
            )
        )
        _PLAIN[visitor_class] = found
    return found


def visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a read-only visitor, without rebuilding the tree.

    A visitor with per-field callbacks gets libcst's own traversal.
    """
    if not _plain(type(visitor)):
        node.visit(visitor)
        return
    _visit(node, visitor)


def _visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    if visitor.on_visit(node):
        for child in children(node):
            _visit(child, visitor)
    visitor.on_leave(node)

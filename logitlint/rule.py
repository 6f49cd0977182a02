"""The rule base class: what a rule declares, and the one way it reports.

A rule is one class in one module under ``rules/``: its code, name, three-part
documentation, ``bad``/``good`` examples (run by the tests) and visitor methods
named like libcst's (``visit_Call``). It asks ``self.analysis`` questions and calls
``self.report``; it never resolves imports, follows data flow or formats output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Optional, Union

import libcst as cst

from logitlint.diagnostics import Applicability, Severity

if TYPE_CHECKING:
    from logitlint.analysis import Analysis, Site
    from logitlint.engine import FileContext


@dataclass(frozen=True)
class NodeEdit:
    """Replace a node's text (including its own parentheses) with ``content``."""

    node: cst.CSTNode
    content: str


@dataclass(frozen=True)
class ImportEdit:
    """Add ``from module import name`` after the module's top-level imports."""

    module: str
    name: str


@dataclass(frozen=True)
class FixSpec:
    message: str
    applicability: Applicability
    edits: tuple[Union[NodeEdit, ImportEdit], ...]


@dataclass
class Report:
    node: cst.CSTNode
    message: str
    fix: Optional[FixSpec]
    site: Optional[Site]
    extra: dict = field(default_factory=dict)
    # (code, node) pairs this finding makes redundant: a diagnostic of that code at
    # exactly that node is dropped when this one is emitted (LGT003 covers the
    # LGT002 on the log inside a hand-written cross-entropy).
    supersedes: tuple[tuple[str, cst.CSTNode], ...] = ()


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    what: ClassVar[str]  # what it finds
    why: ClassVar[str]  # why it is wrong, with the numbers
    instead: ClassVar[str]  # what to write instead
    bad: ClassVar[str]
    good: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    fix_availability: ClassVar[str] = "none"  # "always", "sometimes" or "none"
    # The prefilter (``engine.wanted_rules``) runs this rule on a file only when
    #  - one of ``triggers`` occurs in the text: lower-case words, matched as
    #    case-insensitive substrings anywhere (code, strings, comments), and
    #  - for each group in ``requires``, one of its names occurs as a whole
    #    identifier (case-sensitive; not part of a longer identifier), and
    #  - for each group in ``requires_calls``, one of its names occurs called or
    #    import-aliased (``f(``, ``m.f (``, ``(m.f)(``, ``import ... f as g``).
    # Every rule declares triggers. All conditions must be *necessary* for any
    # finding: a file lacking them must be one the rule can never report on, since
    # it is then not even parsed. Derive the names from the catalogue (the APIs'
    # leaf names: a call the analysis resolves spells its API's last name, and
    # ``requires_calls`` fits every API the rule only sees when it is called)
    # rather than listing them by hand, so that a new catalogue row widens the
    # filter by itself.
    triggers: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[tuple[str, ...], ...]] = ()
    requires_calls: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def __init__(self, context: FileContext) -> None:
        self.context = context

    @property
    def analysis(self) -> Analysis:
        return self.context.analysis

    @property
    def site(self) -> Optional[Site]:
        return self.context.site

    @property
    def shadowed(self) -> frozenset[str]:
        return self.context.shadowed

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        fix: Optional[FixSpec] = None,
        supersedes: Optional[Mapping[str, Iterable[cst.CSTNode]]] = None,
    ) -> None:
        covered = tuple(
            (code, covered_node)
            for code, nodes in (supersedes or {}).items()
            for covered_node in nodes
        )
        self.context.add_report(self, Report(node, message, fix, self.site, supersedes=covered))

    def source(self, node: cst.CSTNode) -> str:
        return self.context.code(node)

    def line(self, node: cst.CSTNode) -> int:
        return self.context.line(node)

    def where(self, node: cst.CSTNode) -> str:
        """ "line 12" (or "cell 3, line 2" in a notebook): cite related lines with this."""
        return self.context.where(node)

    @classmethod
    def documentation(cls) -> str:
        return (
            f"# {cls.code} {cls.name}\n\n{cls.summary}\n\n"
            f"## What it finds\n{cls.what.strip()}\n\n"
            f"## Why is this bad?\n{cls.why.strip()}\n\n"
            f"## What to write instead\n{cls.instead.strip()}\n\n"
            f"## Example\n```python\n{cls.bad.strip()}\n```\n\n"
            f"Use instead:\n```python\n{cls.good.strip()}\n```\n\n"
            f"Fix: {cls.fix_availability}.\n"
        )

"""The records every stage after the rules passes around: diagnostics, fixes, edits.

Positions here are already in the user's coordinates (1-based rows and columns, end
column exclusive); the conversion from libcst's positions happens once, in
``logitlint.positions``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional


class Applicability(str, enum.Enum):
    """How far a fix may be trusted; decides whether ``--fix`` applies it."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Location:
    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between two locations (end exclusive) with ``content``."""

    location: Location
    end_location: Location
    content: str


@dataclass(frozen=True)
class Fix:
    message: str
    applicability: Applicability
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    filename: str
    location: Location
    end_location: Location
    severity: Severity
    url: Optional[str] = None
    fix: Optional[Fix] = None
    noqa_row: Optional[int] = None
    cell: Optional[int] = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple:
        return (self.filename, self.cell or 0, self.location, self.code, self.message)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is Applicability.SAFE


@dataclass
class LintResult:
    """What linting one file produced (``engine.lint_text``, a worker, or the cache)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    text: Optional[str] = None  # kept when there are diagnostics, for the output
    cell_texts: dict[int, str] = field(default_factory=dict)  # notebooks: cell -> source

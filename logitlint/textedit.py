"""Applying text edits given in user coordinates (1-based rows and columns)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from logitlint.diagnostics import Edit, Location

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Row/column to offset, splitting lines exactly where libcst does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def offset(self, location: Location) -> int:
        row = min(max(location.row, 1), len(self.starts))
        return min(self.starts[row - 1] + location.column - 1, len(self.text))

    def line(self, row: int) -> str:
        start = self.starts[row - 1]
        end = self.starts[row] if row < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    @property
    def rows(self) -> int:
        return len(self.starts)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (the caller guarantees they do not overlap)."""
    index = LineIndex(text)
    pieces: list[str] = []
    cursor = 0
    ordered = sorted(edits, key=lambda e: (index.offset(e.location), index.offset(e.end_location)))
    for edit in ordered:
        start, end = index.offset(edit.location), index.offset(edit.end_location)
        pieces.append(text[cursor:start])
        pieces.append(edit.content)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)

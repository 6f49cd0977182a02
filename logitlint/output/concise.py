"""``path:row:col: CODE [*] message``: one line a diagnostic, for editors and grep."""

from __future__ import annotations

from collections.abc import Sequence

from logitlint.diagnostics import Diagnostic
from logitlint.output import Texts


def line(diagnostic: Diagnostic) -> str:
    marker = " [*]" if diagnostic.fixable else ""
    where = f"{diagnostic.filename}:"
    if diagnostic.cell is not None:
        where += f"cell {diagnostic.cell}:"
    where += f"{diagnostic.location.row}:{diagnostic.location.column}"
    return f"{where}: {diagnostic.code}{marker} {diagnostic.message}"


def render(diagnostics: Sequence[Diagnostic], texts: Texts, fmt: str) -> str:
    return "".join(line(d) + "\n" for d in diagnostics)

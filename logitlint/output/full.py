"""The default human format: message, location, the source with carets, the fix."""

from __future__ import annotations

from collections.abc import Sequence

from logitlint.diagnostics import Diagnostic
from logitlint.output import Texts
from logitlint.textedit import LineIndex, apply_edits

_MAX_CONTEXT_ROWS = 6


def render(diagnostics: Sequence[Diagnostic], texts: Texts, fmt: str) -> str:
    indexes = {key: LineIndex(text) for key, text in texts.items()}
    return "".join(_block(d, indexes.get((d.filename, d.cell))) for d in diagnostics)


def _block(diagnostic: Diagnostic, index: LineIndex | None) -> str:
    marker = " [*]" if diagnostic.fixable else ""
    cell = f"cell {diagnostic.cell}:" if diagnostic.cell is not None else ""
    start, end = diagnostic.location, diagnostic.end_location
    out = [
        f"{diagnostic.code}{marker} {diagnostic.message}",
        f" --> {diagnostic.filename}:{cell}{start.row}:{start.column}",
    ]
    if index is not None and start.row <= index.rows:
        last = min(end.row, start.row + _MAX_CONTEXT_ROWS - 1, index.rows)
        width = len(str(last))
        out.append(f"{' ' * width} |")
        for row in range(start.row, last + 1):
            text = index.line(row)
            out.append(f"{row:>{width}} | {text}")
            first_col = start.column if row == start.row else 1 + _indent(text)
            last_col = end.column if row == end.row else len(text) + 1
            carets = max(last_col - first_col, 1)
            out.append(f"{' ' * width} | {' ' * (first_col - 1)}{'^' * carets}")
        out.append(f"{' ' * width} |")
    fix = diagnostic.fix
    if fix is not None:
        out.append(f"help: {fix.message} ({fix.applicability.value} fix)")
        if index is not None:
            out.extend(_diff(index, diagnostic))
    return "\n".join(out) + "\n\n"


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _diff(index: LineIndex, diagnostic: Diagnostic) -> list[str]:
    """The changed lines, before and after, as a short diff."""
    assert diagnostic.fix is not None
    edits = diagnostic.fix.edits
    first = min(e.location.row for e in edits)
    last = max(e.end_location.row for e in edits)
    before = [index.line(row) for row in range(first, min(last, index.rows) + 1)]
    fixed = LineIndex(apply_edits(index.text, edits))
    added = sum(e.content.count("\n") for e in edits) - sum(
        e.end_location.row - e.location.row for e in edits
    )
    after = [fixed.line(row) for row in range(first, min(last + added, fixed.rows) + 1)]
    return [*(f"  - {line}" for line in before), *(f"  + {line}" for line in after)]

"""``check --add-noqa``: suppress every current finding, to adopt logitlint gradually.

Each finding gets its code added to a ``# noqa`` comment on its noqa row (the last line
of its statement, where ``logitlint`` looks). An existing ``# noqa: E501`` is extended
rather than duplicated, so other linters' codes survive. Running it twice changes
nothing: suppressed findings are no longer findings. Once code is fixed, LGT100
(unused-noqa) points at the comments that can go.

A comment cannot go everywhere: not after a line-continuation backslash and not at
the end of a line that ends inside a multi-line string. Such findings are left alone
and reported. The result must parse before it is written, and writes are atomic
(temporary file, then rename, keeping the file's mode, encoding and line endings).
"""

from __future__ import annotations

import ast
import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Sequence
from typing import Callable

from logitlint import source
from logitlint.diagnostics import Diagnostic, Edit, Location
from logitlint.registry import SOURCE_ERROR_CODE
from logitlint.settings import Settings
from logitlint.suppression import Directive, directives
from logitlint.textedit import LineIndex, apply_edits

UNUSED_NOQA_CODE = "LGT100"  # never suppressed by --add-noqa: it is about the comments


_FSTRING_MIDDLE = getattr(tokenize, "FSTRING_MIDDLE", -1)  # Python 3.12+


class NoqaError(Exception):
    """A noqa comment cannot be placed on this row without changing the code."""


def noqa_edit(text: str, row: int, codes: Sequence[str]) -> Edit:
    """The edit that makes ``row`` suppress ``codes`` (shared with the editor action).

    Raises NoqaError when no comment can go at the end of ``row``.
    """
    index = LineIndex(text)
    if not 1 <= row <= index.rows:
        raise NoqaError(f"row {row} is outside the file")
    existing = _directive_on(text, row)
    wanted = sorted(set(codes))
    if existing is not None:
        present = existing.code_set
        if present is None:  # a noqa without codes already suppresses everything
            return Edit(Location(row, existing.end), Location(row, existing.end), "")
        missing = [code for code in wanted if code not in present]
        end = Location(row, existing.codes[-1][2])
        return Edit(end, end, "".join(f", {code}" for code in missing))
    line = index.line(row)
    if line.rstrip().endswith("\\") or row in _rows_ending_in_strings(text):
        raise NoqaError(f"row {row} ends inside a string or continues on the next line")
    column = len(line.rstrip()) + 1
    spacing = "  " if line.strip() else ""
    where = Location(row, column)
    return Edit(where, Location(row, len(line) + 1), f"{spacing}# noqa: {', '.join(wanted)}")


def _directive_on(text: str, row: int) -> Directive | None:
    for directive in directives(text):
        if directive.row == row:
            return directive
    return None


def _rows_ending_in_strings(text: str) -> set[int]:
    rows: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            spans_rows = token.end[0] > token.start[0]
            if spans_rows and token.type in (tokenize.STRING, _FSTRING_MIDDLE):
                rows.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        pass
    return rows


def file_edits(text: str, diagnostics: Sequence[Diagnostic]) -> tuple[list[Edit], list[str]]:
    """The edits for one file's findings, and a message for each that cannot be placed."""
    by_row: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code in (SOURCE_ERROR_CODE, UNUSED_NOQA_CODE) or diagnostic.cell:
            continue
        by_row.setdefault(diagnostic.noqa_row or diagnostic.location.row, set()).add(
            diagnostic.code
        )
    edits: list[Edit] = []
    problems: list[str] = []
    for row, codes in sorted(by_row.items()):
        try:
            edit = noqa_edit(text, row, sorted(codes))
        except NoqaError as error:
            problems.append(f"{', '.join(sorted(codes))} not suppressed: {error}")
            continue
        if edit.content:
            edits.append(edit)
    return edits, problems


def add_noqa(
    files: Sequence[str], settings_for: Callable[[str], Settings]
) -> tuple[int, list[str]]:
    """Suppress every finding in ``files``; returns (directives changed, problems)."""
    from logitlint import runner

    changed = 0
    problems: list[str] = []
    for path in files:
        try:
            original = source.read(path)
        except source.SourceError:
            continue  # reported as LGT000 by a normal run; nothing to suppress here
        result = runner.lint_path(path, settings_for(path))
        edits, trouble = file_edits(original.text, result.diagnostics)
        problems.extend(f"{path}: {message}" for message in trouble)
        if not edits:
            continue
        updated = apply_edits(original.text, edits)
        try:
            ast.parse(updated, path)
        except (SyntaxError, ValueError) as error:
            problems.append(f"{path}: left unchanged, the result would not parse: {error}")
            continue
        _write_atomically(path, updated.encode(original.encoding))
        changed += len(edits)
    return changed, problems


def _write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".logitlint-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise

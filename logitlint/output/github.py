"""GitHub Actions workflow commands: one annotation per diagnostic on the pull request.

GitHub draws ``col``/``endColumn`` only within one line; on a multi-line range they
would underline the wrong text, so they are dropped there (``line``/``endLine`` stay).
Severity maps to the command: error -> ``::error``, warning -> ``::warning``,
info -> ``::notice``.
"""

from __future__ import annotations

from collections.abc import Sequence

from logitlint.diagnostics import Diagnostic, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def line(diagnostic: Diagnostic) -> str:
    start, end = diagnostic.location, diagnostic.end_location
    properties = [
        ("title", f"logitlint ({diagnostic.code})"),
        ("file", diagnostic.filename),
        ("line", str(start.row)),
        ("endLine", str(end.row)),
    ]
    if start.row == end.row:
        properties += [("col", str(start.column)), ("endColumn", str(end.column))]
    where = f"{diagnostic.filename}:"
    if diagnostic.cell is not None:
        where += f"cell {diagnostic.cell}:"
    where += f"{start.row}:{start.column}"
    rendered = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
    message = _escape_data(f"{where}: {diagnostic.code} {diagnostic.message}")
    return f"::{COMMANDS[diagnostic.severity]} {rendered}::{message}"


def render(diagnostics: Sequence[Diagnostic], texts: dict[str, str], fmt: str) -> str:
    return "".join(line(d) + "\n" for d in diagnostics)

"""Jupyter notebooks as Python sources: code cells joined into one module.

A misuse often spans cells (imports in cell 1, ``probs = softmax(...)`` in cell 3,
the loss in cell 7), so the code cells are joined into one module, keeping every
line where it was, and an index maps each row back to its cell. IPython syntax
(magics, shell escapes, help) is masked line by line so that rows never move.

``cell`` numbers are 1-based positions among *all* cells of the notebook, markdown
and raw cells included, so they match what a user counts in the file.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from logitlint.source import SourceError

NOTEBOOK_SUFFIX = ".ipynb"

# Cell magics whose body is not Python: the cell is left out entirely.
_NON_PYTHON_CELL_MAGICS = frozenset(
    {
        "bash", "sh", "script", "writefile", "file", "html", "javascript", "js", "latex",
        "markdown", "md", "perl", "ruby", "svg", "sql", "cmd", "powershell", "python2",
        "pypy", "system", "sx", "dot", "mermaid", "r", "R",
    }
)  # fmt: skip
_LINE_MAGIC = re.compile(r"^\s*(?:%|!|\?)")
_ASSIGNED_MAGIC = re.compile(r"^\s*[\w.,\s]+=\s*[%!]")
_HELP_SUFFIX = re.compile(r"^\s*[\w.]+\?{1,2}\s*$")
_AUTOMAGIC = re.compile(r"^\s*(?:pip|conda|mamba)\s+(?:install|uninstall|list|show)\b")
_INDENT = re.compile(r"^\s*")


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based among all cells
    source: str  # the cell's own text, unmasked
    first_row: int  # row of the cell's first line in the joined module


@dataclass(frozen=True)
class NotebookSource:
    text: str  # code cells joined, IPython syntax masked
    cells: tuple[Cell, ...]

    def locate(self, row: int) -> tuple[Cell, int]:
        """The cell holding joined-module ``row`` and the row within that cell."""
        starts = [cell.first_row for cell in self.cells]
        index = max(bisect.bisect_right(starts, row) - 1, 0)
        cell = self.cells[index]
        return cell, row - cell.first_row + 1


def cell_text(source: Any) -> str:
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def load(data: bytes) -> Any:
    """The notebook's JSON document; SourceError when it is not a notebook we read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"notebook is not UTF-8: byte 0x{data[error.start]:02x}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"notebook is not valid JSON: {error.msg}"
        raise SourceError(message, error.lineno, error.colno) from None
    except RecursionError:
        raise SourceError("notebook is not valid JSON: nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise SourceError("notebook has no list of cells (not nbformat 4)")
    if document.get("nbformat") != 4:
        raise SourceError(
            f"unsupported nbformat {document.get('nbformat')!r}; logitlint reads nbformat 4"
        )
    _check_shape(document)
    return document


def _check_shape(document: dict[str, Any]) -> None:
    """The parts of nbformat 4 that the linter and the fixer read must have its types.

    A cell that is not an object, or a code cell whose source is neither a string nor
    a list of strings, would otherwise be skipped when linting and mangled when fixing.
    """
    if not isinstance(document.get("metadata", {}), dict):
        raise SourceError("notebook metadata is not an object (not nbformat 4)")
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict):
            raise SourceError(f"notebook cell {number} is not an object (not nbformat 4)")
        source = cell.get("source", "")
        if not isinstance(source, str) and not (
            isinstance(source, list) and all(isinstance(part, str) for part in source)
        ):
            raise SourceError(
                f"notebook cell {number}'s source is not text or a list of text (not nbformat 4)"
            )


def is_python(document: Any) -> bool:
    metadata = document.get("metadata") or {}
    kernelspec = metadata.get("kernelspec")
    language_info = metadata.get("language_info")
    language = (kernelspec.get("language") if isinstance(kernelspec, dict) else None) or (
        language_info.get("name") if isinstance(language_info, dict) else None
    )
    return language is None or str(language).lower() == "python"


def join_cells(document: Any) -> NotebookSource:
    lines: list[str] = []
    cells: list[Cell] = []
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell_text(cell.get("source"))
        masked = mask(source)
        if masked is None or not source.strip():
            continue
        cells.append(Cell(number, source, len(lines) + 1))
        lines.extend(masked)
    return NotebookSource("".join(line + "\n" for line in lines), tuple(cells))


def mask(source: str) -> Optional[list[str]]:
    """The cell's lines with IPython syntax replaced by ``pass``; None to skip the cell."""
    lines = source.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    result: list[str] = []
    scanner = _LogicalLines()
    magic_continues = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if index == 0 and stripped.startswith("%%"):
            magic = stripped[2:].split(None, 1)[0] if len(stripped) > 2 else ""
            if magic in _NON_PYTHON_CELL_MAGICS:
                return None
            result.append("pass")
            continue
        line = line.rstrip("\r")
        if magic_continues:  # a magic's own backslash continuation
            result.append("")
            magic_continues = line.rstrip().endswith("\\")
            continue
        if scanner.at_statement_start and _is_ipython(line):
            result.append(_INDENT.match(line).group(0) + "pass")  # type: ignore[union-attr]
            magic_continues = line.rstrip().endswith("\\")
        else:
            scanner.feed(line)
            result.append(line)
    return result


def _is_ipython(line: str) -> bool:
    return bool(
        _LINE_MAGIC.match(line)
        or _ASSIGNED_MAGIC.match(line)
        or _HELP_SUFFIX.match(line)
        or _AUTOMAGIC.match(line)
    )


class _LogicalLines:
    """Tracks brackets, strings and backslashes to tell where a statement starts.

    IPython syntax is only recognised at the start of a statement: a line beginning
    with ``%`` inside parentheses is Python's modulo operator, not a magic.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.triple: Optional[str] = None
        self.continued = False

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.triple is None and not self.continued

    def feed(self, line: str) -> None:
        index, length = 0, len(line)
        while index < length:
            if self.triple is not None:
                end = line.find(self.triple, index)
                if end == -1:
                    break
                index, self.triple = end + 3, None
                continue
            char = line[index]
            if char == "#":
                break
            if char in "\"'":
                if line.startswith(char * 3, index):
                    self.triple, index = char * 3, index + 3
                    continue
                index = _string_end(line, index + 1, char)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            index += 1
        self.continued = self.triple is None and line.rstrip().endswith("\\")


def _string_end(line: str, index: int, quote: str) -> int:
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        if line[index] == quote:
            return index + 1
        index += 1
    return index

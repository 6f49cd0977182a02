"""Output formats. Each lives in its own module, imported only when chosen."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from logitlint.diagnostics import Diagnostic

FORMATS: dict[str, str] = {
    "full": "logitlint.output.full",
    "concise": "logitlint.output.concise",
    "json": "logitlint.output.json_format",
    "json-lines": "logitlint.output.json_format",
    "sarif": "logitlint.output.sarif",
    "github": "logitlint.output.github",
    "junit": "logitlint.output.junit",
}


class Renderer(Protocol):
    def __call__(
        self, diagnostics: Sequence[Diagnostic], texts: dict[str, str], fmt: str
    ) -> str: ...


def render(fmt: str, diagnostics: Sequence[Diagnostic], texts: dict[str, str]) -> str:
    module = importlib.import_module(FORMATS[fmt])
    renderer: Renderer = module.render
    return renderer(diagnostics, texts, fmt)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """The closing lines of the human formats, worded as ruff words them."""
    if not diagnostics:
        return "All checks passed!\n"
    count = len(diagnostics)
    lines = [f"Found {count} error{'s' if count != 1 else ''}."]
    fixable = sum(1 for d in diagnostics if d.fixable)
    if fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option.")
    return "\n".join(lines) + "\n"


def statistics(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    """``--statistics``: how often each rule fired, most frequent first.

    JSON formats get a list of ``{code, name, count, fixable}`` objects; every other
    format gets aligned text columns (count, code, ``[*]`` when all are fixable, name).
    """
    counts = Counter(d.code for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    fixable = Counter(d.code for d in diagnostics if d.fixable)
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    if fmt in ("json", "json-lines"):
        rows = [
            {"code": c, "name": names[c], "count": counts[c], "fixable": fixable[c] == counts[c]}
            for c in ordered
        ]
        return json.dumps(rows, indent=2) + "\n"
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = [
        f"{counts[c]:>{width}}\t{c}\t{'[*]' if fixable[c] == counts[c] else '[ ]'} {names[c]}"
        for c in ordered
    ]
    return "".join(line + "\n" for line in lines)

"""Output formats. Each lives in its own module, imported only when chosen."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Optional, Protocol

from logitlint.diagnostics import Diagnostic

# Source texts of the files with findings, keyed by (file name, notebook cell or None).
Texts = dict[tuple[str, Optional[int]], str]

FORMATS: dict[str, str] = {
    "full": "logitlint.output.full",
    "concise": "logitlint.output.concise",
    "json": "logitlint.output.json_format",
    "json-lines": "logitlint.output.json_format",
}


class Renderer(Protocol):
    def __call__(self, diagnostics: Sequence[Diagnostic], texts: Texts, fmt: str) -> str: ...


def render(fmt: str, diagnostics: Sequence[Diagnostic], texts: Texts) -> str:
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

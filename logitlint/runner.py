"""Runs the engine over files (or one stdin buffer) and gathers the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from logitlint import source
from logitlint.diagnostics import Diagnostic
from logitlint.engine import LintResult, lint_text, source_error
from logitlint.registry import SOURCE_ERROR_CODE
from logitlint.settings import Settings

__all__ = ["RunResult", "Settings", "lint_bytes", "lint_path", "lint_source", "run"]


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # sources of files with findings
    files: int = 0

    def add(self, filename: str, result: LintResult) -> None:
        self.diagnostics.extend(result.diagnostics)
        self.internal_errors.extend(result.internal_errors)
        if result.diagnostics and result.text is not None:
            self.texts[filename] = result.text
        self.files += 1

    def merge(self, other: RunResult) -> None:
        self.diagnostics.extend(other.diagnostics)
        self.internal_errors.extend(other.internal_errors)
        self.texts.update(other.texts)
        self.files += other.files

    def sort(self) -> None:
        self.diagnostics.sort(key=Diagnostic.sort_key)


def lint_path(path: str, settings: Settings) -> LintResult:
    try:
        text = source.read(path).text
    except source.SourceError as error:
        return _source_failure(path, error, settings)
    return _lint(text, path, settings)


def lint_bytes(data: bytes, filename: str, settings: Settings) -> LintResult:
    try:
        text = source.decode(data).text
    except source.SourceError as error:
        return _source_failure(filename, error, settings)
    return _lint(text, filename, settings)


def lint_source(text: str, filename: str, settings: Settings) -> LintResult:
    """Lint text already decoded (an editor buffer), as if it were the file ``filename``."""
    return _lint(text, filename, settings)


def _lint(text: str, filename: str, settings: Settings) -> LintResult:
    result = lint_text(text, filename, settings.rules(), prefilter=settings.prefilter)
    result.diagnostics = [
        settings.adjust(d) for d in result.diagnostics if d.code in settings.enabled
    ]
    return result


def _source_failure(filename: str, error: source.SourceError, settings: Settings) -> LintResult:
    result = LintResult()
    if SOURCE_ERROR_CODE in settings.enabled:
        diagnostic = source_error(filename, str(error), error.row, error.column)
        result.diagnostics.append(settings.adjust(diagnostic))
    return result


def run(paths: Sequence[str], settings: Settings) -> RunResult:
    result = RunResult()
    for path in paths:
        result.add(path, lint_path(path, settings))
    result.sort()
    return result

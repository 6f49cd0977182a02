"""Runs the engine over files (or one stdin buffer) and gathers the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from logitlint import source
from logitlint.diagnostics import Diagnostic
from logitlint.engine import LintResult, lint_text, source_error
from logitlint.notebook import NOTEBOOK_SUFFIX
from logitlint.notebook_lint import lint_notebook
from logitlint.registry import SOURCE_ERROR_CODE, all_rules
from logitlint.rule import Rule


@dataclass(frozen=True)
class Settings:
    enabled: frozenset[str]
    prefilter: bool = True

    def rules(self) -> list[type[Rule]]:
        return [rule for rule in all_rules() if rule.code in self.enabled]


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    # sources of files with findings, by (file, cell); cell is None outside notebooks
    texts: dict[tuple[str, Optional[int]], str] = field(default_factory=dict)
    files: int = 0

    def add(self, filename: str, result: LintResult) -> None:
        self.diagnostics.extend(result.diagnostics)
        self.internal_errors.extend(result.internal_errors)
        if result.diagnostics and result.text is not None:
            self.texts[(filename, None)] = result.text
        if result.diagnostics:
            for cell, text in result.cell_texts.items():
                self.texts[(filename, cell)] = text
        self.files += 1

    def sort(self) -> None:
        self.diagnostics.sort(key=Diagnostic.sort_key)


def lint_path(path: str, settings: Settings) -> LintResult:
    if path.endswith(NOTEBOOK_SUFFIX):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            failure = source.SourceError(f"cannot read file: {error.strerror or error}")
            return _source_failure(path, failure, settings)
        return lint_bytes(data, path, settings)
    try:
        text = source.read(path).text
    except source.SourceError as error:
        return _source_failure(path, error, settings)
    return _lint(text, path, settings)


def lint_bytes(data: bytes, filename: str, settings: Settings) -> LintResult:
    if filename.endswith(NOTEBOOK_SUFFIX):
        return lint_notebook(
            data, filename, lambda text, name, where: _lint(text, name, settings, where)
        )
    try:
        text = source.decode(data).text
    except source.SourceError as error:
        return _source_failure(filename, error, settings)
    return _lint(text, filename, settings)


def _lint(
    text: str,
    filename: str,
    settings: Settings,
    describe_row: Optional[Callable[[int], str]] = None,
) -> LintResult:
    result = lint_text(
        text, filename, settings.rules(), prefilter=settings.prefilter, describe_row=describe_row
    )
    result.diagnostics = [d for d in result.diagnostics if d.code in settings.enabled]
    return result


def _source_failure(filename: str, error: source.SourceError, settings: Settings) -> LintResult:
    result = LintResult()
    if SOURCE_ERROR_CODE in settings.enabled:
        result.diagnostics.append(source_error(filename, str(error), error.row, error.column))
    return result


def run(paths: Sequence[str], settings: Settings) -> RunResult:
    result = RunResult()
    for path in paths:
        result.add(path, lint_path(path, settings))
    result.sort()
    return result

"""Runs the engine over files (or one stdin buffer), fixing them if asked; gathers results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from logitlint import fixer, source
from logitlint.diagnostics import Diagnostic
from logitlint.engine import LintResult, lint_text, source_error
from logitlint.notebook import NOTEBOOK_SUFFIX
from logitlint.notebook_fix import NotebookFixError, fix_notebook
from logitlint.notebook_lint import lint_notebook
from logitlint.registry import SOURCE_ERROR_CODE
from logitlint.settings import Settings

__all__ = ["RunResult", "Settings", "lint_bytes", "lint_path", "lint_source", "run"]


@dataclass(frozen=True)
class Fixing:
    """What to do with fixes: ``write`` them to the files, or only compute ``diff``s."""

    unsafe: Optional[bool] = None  # None: as each file's settings say
    write: bool = True


@dataclass
class FileOutcome:
    """One file after linting (and fixing): what remains, what was fixed, what to show."""

    result: LintResult
    fixed: Counter[str] = field(default_factory=Counter)
    diff: str = ""  # the unified diff of the fixes, when they were not written
    output: Optional[bytes] = None  # stdin: the (fixed) bytes to print


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    # sources of files with findings, by (file, cell); cell is None outside notebooks
    texts: dict[tuple[str, Optional[int]], str] = field(default_factory=dict)
    files: int = 0
    fixed: dict[str, Counter[str]] = field(default_factory=dict)  # file -> code -> count
    diffs: list[str] = field(default_factory=list)

    def add(self, filename: str, result: LintResult) -> None:
        self.diagnostics.extend(result.diagnostics)
        self.internal_errors.extend(result.internal_errors)
        if result.diagnostics and result.text is not None:
            self.texts[(filename, None)] = result.text
        if result.diagnostics:
            for cell, text in result.cell_texts.items():
                self.texts[(filename, cell)] = text
        self.files += 1

    def merge(self, other: RunResult) -> None:
        self.diagnostics.extend(other.diagnostics)
        self.internal_errors.extend(other.internal_errors)
        self.texts.update(other.texts)
        self.files += other.files
        self.fixed.update(other.fixed)
        self.diffs.extend(other.diffs)

    def add_outcome(self, filename: str, outcome: FileOutcome) -> None:
        self.add(filename, outcome.result)
        if outcome.fixed:
            self.fixed[filename] = outcome.fixed
        if outcome.diff:
            self.diffs.append(outcome.diff)

    @property
    def fixed_count(self) -> int:
        return sum(sum(counts.values()) for counts in self.fixed.values())

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


def lint_source(text: str, filename: str, settings: Settings) -> LintResult:
    """Lint text already decoded (an editor buffer), as if it were the file ``filename``."""
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


def fix_source(
    text: str, filename: str, settings: Settings, unsafe: Optional[bool] = None
) -> fixer.FixedText:
    """Fix one text as ``logitlint check --fix`` would (nothing is written).

    ``unsafe`` None means: as the settings (``unsafe-fixes``) say.
    """
    return fixer.fix_text(
        text,
        filename,
        lambda t: _lint(t, filename, settings),
        unsafe=bool(settings.unsafe_fixes) if unsafe is None else unsafe,
        fixable=settings.is_fixable,
    )


def fix_path(path: str, settings: Settings, fixing: Fixing) -> FileOutcome:
    """Fix one file; write it (atomically, same encoding) or describe the change as a diff.

    A file that cannot be read or decoded, or whose fixes would not parse, is never
    written.
    """
    if path.endswith(NOTEBOOK_SUFFIX):
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as error:
            failure = source.SourceError(f"cannot read file: {error.strerror or error}")
            return FileOutcome(_source_failure(path, failure, settings))
        outcome, data = _fix_notebook(raw, path, settings, fixing)
    else:
        try:
            original = source.read(path)
        except source.SourceError as error:
            return FileOutcome(_source_failure(path, error, settings))
        outcome, data = _fix_decoded(original, path, settings, fixing)
    if data is not None:
        try:
            source.write(path, data)
        except source.SourceError as error:
            outcome.result.internal_errors.append(f"{path}: {error}; the file was left unchanged")
            outcome.fixed = Counter()
    return outcome


def fix_bytes(data: bytes, filename: str, settings: Settings, fixing: Fixing) -> FileOutcome:
    """Fix one stdin buffer; ``output`` is the fixed source (the input when nothing applies)."""
    if filename.endswith(NOTEBOOK_SUFFIX):
        outcome, fixed_notebook = _fix_notebook(data, filename, settings, fixing)
        outcome.output = data if fixed_notebook is None else fixed_notebook
        return outcome
    try:
        original = source.decode(data)
    except source.SourceError as error:
        return FileOutcome(_source_failure(filename, error, settings), output=data)
    outcome, fixed = _fix_decoded(original, filename, settings, fixing)
    outcome.output = data if fixed is None else fixed
    return outcome


def _fix_decoded(
    original: source.SourceFile, filename: str, settings: Settings, fixing: Fixing
) -> tuple[FileOutcome, Optional[bytes]]:
    """The outcome, and the bytes to write when fixes are written and something changed."""
    fixed = fix_source(original.text, filename, settings, fixing.unsafe)
    outcome = FileOutcome(fixed.result, fixed.fixed)
    outcome.result.internal_errors = fixed.internal_errors
    if not fixed.changed:
        return outcome, None
    if not fixing.write:
        outcome.diff = fixer.unified_diff(original.text, fixed.text, filename)
        return outcome, None
    try:
        return outcome, source.encode(fixed.text, original.encoding)
    except source.SourceError as error:
        outcome.result.internal_errors.append(f"{filename}: {error}; nothing was changed")
        outcome.fixed = Counter()
        return outcome, None


def _fix_notebook(
    data: bytes, filename: str, settings: Settings, fixing: Fixing
) -> tuple[FileOutcome, Optional[bytes]]:
    """Like ``_fix_decoded`` for a notebook: only changed cell sources are rewritten."""
    linted = lint_bytes(data, filename, settings)
    if any(d.code == SOURCE_ERROR_CODE for d in linted.diagnostics):
        return FileOutcome(linted), None  # unreadable notebooks are reported, never written
    try:
        done = fix_notebook(data, lambda text: fix_source(text, filename, settings, fixing.unsafe))
    except (source.SourceError, NotebookFixError) as error:
        linted.internal_errors.append(f"{filename}: {error}; the notebook was left unchanged")
        return FileOutcome(linted), None
    if done is None or not done.fixed.changed:
        return FileOutcome(linted), None
    new_data = done.raw.encode("utf-8")
    remaining = lint_bytes(new_data, filename, settings)
    remaining.internal_errors = done.fixed.internal_errors + remaining.internal_errors
    outcome = FileOutcome(remaining, done.fixed.fixed)
    if not fixing.write:
        original = data.decode("utf-8-sig")
        outcome.diff = fixer.unified_diff(original, done.raw.lstrip("\ufeff"), filename)
        return outcome, None
    return outcome, new_data


def run(paths: Sequence[str], settings: Settings, fixing: Optional[Fixing] = None) -> RunResult:
    result = RunResult()
    for path in paths:
        if fixing is None:
            result.add(path, lint_path(path, settings))
        else:
            result.add_outcome(path, fix_path(path, settings, fixing))
    result.sort()
    return result

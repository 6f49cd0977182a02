"""Runs the engine over files (or one stdin buffer) and gathers the results.

A run over many files, in three steps:

1. In this process: read each file, and answer it from the cache when its content
   is unchanged; otherwise decode it and apply the prefilter. A file no rule wants
   is done (its empty result is cached too).
2. The files left to parse go to a pool of ``jobs`` worker processes, largest
   first so that no worker is left with one big file at the end. ``jobs=1`` (or a
   single file) lints in this process.
3. Results are put back in path order and the diagnostics sorted, so the output is
   the same whatever the number of workers and whether the cache answered.

The engine (and libcst with it) is imported only when something must be parsed: a
run answered wholly from the cache never imports it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Optional

from logitlint import source
from logitlint.diagnostics import Diagnostic, LintResult
from logitlint.registry import SOURCE_ERROR_CODE

if TYPE_CHECKING:
    from logitlint.cache import Cache
    from logitlint.rule import Rule


@dataclass(frozen=True)
class Settings:
    """Everything that decides what a file's diagnostics are.

    Every field is part of the cache key (``cache.settings_key``): an option that
    changes what is reported belongs here, and then invalidates the cache by itself.
    """

    enabled: frozenset[str]
    prefilter: bool = True

    def rules(self) -> list[type[Rule]]:
        from logitlint.registry import all_rules

        return [rule for rule in all_rules() if rule.code in self.enabled]


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

    def sort(self) -> None:
        self.diagnostics.sort(key=Diagnostic.sort_key)


def default_jobs() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


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


def _lint(
    text: str,
    filename: str,
    settings: Settings,
    rules: Optional[Sequence[type[Rule]]] = None,
) -> LintResult:
    engine = _engine()
    if rules is None:
        result = engine.lint_text(text, filename, settings.rules(), prefilter=settings.prefilter)
    else:  # the prefilter already chose these
        result = engine.lint_text(text, filename, rules, prefilter=False)
    result.diagnostics = [d for d in result.diagnostics if d.code in settings.enabled]
    result.text = text if result.diagnostics else None
    return result


def _source_failure(filename: str, error: source.SourceError, settings: Settings) -> LintResult:
    result = LintResult()
    if SOURCE_ERROR_CODE in settings.enabled:
        diagnostic = _engine().source_error(filename, str(error), error.row, error.column)
        result.diagnostics.append(diagnostic)
    return result


def _engine() -> ModuleType:
    """The engine, imported on first use (libcst through the fast path)."""
    from logitlint._fastimport import import_libcst

    import_libcst()
    from logitlint import engine

    return engine


@dataclass
class _Pending:
    index: int
    path: str
    text: str
    digest: Optional[str]
    codes: tuple[str, ...]  # the rules the prefilter kept


def run(
    paths: Sequence[str],
    settings: Settings,
    *,
    jobs: int = 1,
    cache: Optional[Cache] = None,
) -> RunResult:
    results: list[Optional[LintResult]] = [None] * len(paths)
    pending: list[_Pending] = []
    for index, path in enumerate(paths):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            failure = source.SourceError(f"cannot read file: {error.strerror or error}")
            results[index] = _source_failure(path, failure, settings)
            continue
        digest: Optional[str] = None
        if cache is not None:
            from logitlint.cache import digest as content_digest

            digest = content_digest(data)
            hit = cache.get(path, digest)
            if hit is not None:
                results[index] = _from_cache(hit, data)
                continue
        try:
            text = source.decode(data).text
        except source.SourceError as error:
            results[index] = _source_failure(path, error, settings)
            continue
        codes = _wanted(text, settings)
        if codes is None:  # nothing to parse: clean, and remembered as such
            results[index] = LintResult()
            if cache is not None and digest is not None:
                cache.put(path, digest, results[index])  # type: ignore[arg-type]
            continue
        pending.append(_Pending(index, path, text, digest, codes))

    for item, result in _lint_pending(pending, settings, jobs):
        results[item.index] = result
        if cache is not None and item.digest is not None:
            cache.put(item.path, item.digest, result)
    if cache is not None:
        cache.save()

    run_result = RunResult()
    for path, result in zip(paths, results):
        assert result is not None
        run_result.add(path, result)
    run_result.sort()
    return run_result


def _from_cache(diagnostics: list[Diagnostic], data: bytes) -> LintResult:
    text: Optional[str] = None
    if diagnostics:  # the output shows source lines; the bytes decoded before
        text = source.decode(data).text
    return LintResult(diagnostics=diagnostics, text=text)


def _wanted(text: str, settings: Settings) -> Optional[tuple[str, ...]]:
    """The codes of the rules to run on ``text``; None when nothing needs a parse.

    A file with a ``# logitlint: noqa`` exemption is handed to the engine as it is,
    which knows what to make of it.
    """
    engine = _engine()
    rules = settings.rules()
    if settings.prefilter:
        rules = engine.wanted_rules(text, rules)
    if not rules:
        return None
    return tuple(rule.code for rule in rules)


def _lint_pending(
    pending: list[_Pending], settings: Settings, jobs: int
) -> list[tuple[_Pending, LintResult]]:
    if jobs <= 1 or len(pending) <= 1:
        return [(item, _lint_task(item, settings)) for item in pending]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    order = sorted(pending, key=lambda item: len(item.text), reverse=True)
    done: list[tuple[_Pending, LintResult]] = []
    crashed: list[_Pending] = []
    with ProcessPoolExecutor(min(jobs, len(order)), mp_context=_context()) as pool:
        futures = [(item, pool.submit(_lint_task, item, settings)) for item in order]
        for item, future in futures:
            try:
                done.append((item, future.result()))
            except BrokenProcessPool:
                crashed.append(item)
            except Exception as error:  # e.g. a result that would not unpickle
                done.append((item, _internal_error(item, error)))
    # A worker died (a crash in native code, the OOM killer) and took the pool with
    # it: retry what was lost one file at a time, so that only the culprit fails.
    for item in crashed:
        done.append((item, _isolated(item, settings)))
    return done


def _isolated(item: _Pending, settings: Settings) -> LintResult:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(1, mp_context=_context()) as pool:
            return pool.submit(_lint_task, item, settings).result()
    except BrokenProcessPool:
        return LintResult(internal_errors=[f"{item.path}: the worker process linting it died"])


def _lint_task(item: _Pending, settings: Settings) -> LintResult:
    """One file in a worker (or in this process): never raises."""
    try:
        by_code = {rule.code: rule for rule in settings.rules()}
        return _lint(item.text, item.path, settings, [by_code[code] for code in item.codes])
    except Exception as error:  # a bug in logitlint must cost one file, not the run
        return _internal_error(item, error)


def _internal_error(item: _Pending, error: Exception) -> LintResult:
    message = f"{item.path}: linting failed: {type(error).__name__}: {error}"
    return LintResult(internal_errors=[message])


def _context():  # type: ignore[no-untyped-def]
    """Fork where it is safe (Linux): workers inherit the imported rules and libcst."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return None

"""Applying fixes to one source text: rounds of non-overlapping edits until nothing changes.

Each round lints the current text, takes the applicable fixes in source order and
keeps a fix only when none of its edits overlaps an edit already taken (the others
wait for the next round, where they are recomputed against the new text), applies
them, and checks that the result still parses. Rounds repeat until no fix applies,
the text stops changing, or the bound is reached. A round whose output does not
parse abandons the whole file: the original text is kept, byte for byte, and an
internal error names the rules whose fixes were applied in that round.

This module works on text only; reading, writing and the command line are elsewhere
(``logitlint.source``, ``logitlint.runner``, ``logitlint.cli``).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from logitlint.diagnostics import Applicability, Diagnostic, Edit, Fix, LintResult
from logitlint.registry import SOURCE_ERROR_CODE
from logitlint.textedit import LineIndex, apply_edits

# Ruff allows 100 rounds; logitlint's fixes never feed each other more than a few
# times (a removed softmax can expose one more log), so a small bound is plenty and
# keeps a pathological file from costing much.
MAX_ROUNDS = 10

Lint = Callable[[str], LintResult]


def applies(fix: Optional[Fix], unsafe: bool) -> bool:
    """Whether ``--fix`` applies this fix: safe always, unsafe on request, never display-only."""
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def hidden(fix: Optional[Fix], unsafe: bool) -> bool:
    """An unsafe fix that ``--unsafe-fixes`` would enable (for the summary's hint)."""
    return fix is not None and not unsafe and fix.applicability is Applicability.UNSAFE


@dataclass
class FixedText:
    """The outcome of fixing one text."""

    original: str
    text: str  # the fixed text; equal to ``original`` when nothing applied or on failure
    result: LintResult  # what remains in ``text``
    fixed: Counter[str] = field(default_factory=Counter)  # rule code -> fixes applied
    internal_errors: list[str] = field(default_factory=list)
    rounds: int = 0

    @property
    def changed(self) -> bool:
        return self.text != self.original


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    edit: Edit

    def conflicts(self, other: _Span) -> bool:
        if self.edit == other.edit:
            return False  # the same edit twice (two fixes adding one import): applied once
        if self.start < other.end and other.start < self.end:
            return True
        # Two edits meeting at one point, one of them an insertion: the order of the
        # pieces would be a guess, so the later fix waits for the next round.
        touching = self.start == other.end or other.start == self.end
        empty = self.start == self.end or other.start == other.end
        return touching and empty


def select(
    text: str,
    diagnostics: Sequence[Diagnostic],
    unsafe: bool,
    fixable: Callable[[str], bool] = lambda code: True,
) -> tuple[list[Edit], list[Diagnostic]]:
    """The edits of one round and the diagnostics they fix, first come first served.

    ``fixable`` is the configuration's say (``fixable``/``unfixable``) per rule code.
    """
    index = LineIndex(text)
    taken: list[_Span] = []
    chosen: list[Diagnostic] = []
    candidates = (d for d in diagnostics if applies(d.fix, unsafe) and fixable(d.code))
    ordered = sorted(candidates, key=Diagnostic.sort_key)
    for diagnostic in ordered:
        assert diagnostic.fix is not None
        spans = [
            _Span(index.offset(e.location), index.offset(e.end_location), e)
            for e in diagnostic.fix.edits
        ]
        if any(span.end < span.start for span in spans):
            continue  # a malformed edit is never applied
        if any(span.conflicts(other) for span in spans for other in taken):
            continue
        if any(a.conflicts(b) for i, a in enumerate(spans) for b in spans[i + 1 :]):
            continue  # a fix whose own edits overlap has no defined result
        taken.extend(span for span in spans if span.edit not in {t.edit for t in taken})
        chosen.append(diagnostic)
    return [span.edit for span in taken], chosen


def parses(text: str) -> bool:
    """Whether the fixed text parses, by the same gate as linting (CPython, then libcst)."""
    from logitlint.engine import _parse  # libcst: not for the summary's fix counts

    return _parse(text, "<fixed>", LintResult()) is not None


def fix_text(
    text: str,
    filename: str,
    lint: Lint,
    *,
    unsafe: bool = False,
    fixable: Callable[[str], bool] = lambda code: True,
    max_rounds: int = MAX_ROUNDS,
) -> FixedText:
    """Apply fixes to ``text`` until none applies; ``lint`` lints a text as the run would."""
    result = lint(text)
    outcome = FixedText(text, text, result, internal_errors=list(result.internal_errors))
    if not parses_ok(result):
        return outcome  # LGT000: the file is reported and never touched
    seen = {text}
    current = text
    for _ in range(max_rounds):
        edits, fixed = select(current, result.diagnostics, unsafe, fixable)
        if not edits:
            break
        candidate = apply_edits(current, edits)
        if candidate in seen:
            break  # no change, or a cycle between fixes
        if not parses(candidate):
            codes = ", ".join(sorted({d.code for d in fixed}))
            outcome.internal_errors.append(
                f"{filename}: the fix of {codes} produced code that does not parse; "
                "the file was left unchanged"
            )
            outcome.text, outcome.result, outcome.fixed = text, lint(text), Counter()
            return outcome
        seen.add(candidate)
        current = candidate
        outcome.fixed.update(d.code for d in fixed)
        outcome.rounds += 1
        result = lint(current)
        for error in result.internal_errors:
            if error not in outcome.internal_errors:
                outcome.internal_errors.append(error)
    outcome.text, outcome.result = current, result
    return outcome


def parses_ok(result: LintResult) -> bool:
    """False when the lint found the text unparseable (an LGT000 with no rule behind it)."""
    return not any(d.code == SOURCE_ERROR_CODE for d in result.diagnostics)


def unified_diff(original: str, fixed: str, filename: str) -> str:
    """A unified diff as ``--diff`` prints it; line endings are the file's own."""
    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        fixed.splitlines(keepends=True),
        fromfile=filename,
        tofile=filename,
    )
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)

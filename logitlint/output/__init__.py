"""Output formats. Each lives in its own module, imported only when chosen."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Optional, Protocol

from logitlint.diagnostics import Diagnostic

# Source texts of the files with findings, keyed by (file name, notebook cell or None).
Texts = dict[tuple[str, Optional[int]], str]

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
    def __call__(self, diagnostics: Sequence[Diagnostic], texts: Texts, fmt: str) -> str: ...


def render(fmt: str, diagnostics: Sequence[Diagnostic], texts: Texts) -> str:
    module = importlib.import_module(FORMATS[fmt])
    renderer: Renderer = module.render
    return renderer(diagnostics, texts, fmt)


def _plural(count: int, word: str, suffix: str = "s") -> str:
    return f"{count} {word}{'' if count == 1 else suffix}"


def _fix_counts(diagnostics: Sequence[Diagnostic], unsafe: bool) -> tuple[int, int]:
    """(fixes ``--fix`` would apply now, unsafe fixes only ``--unsafe-fixes`` enables)."""
    from logitlint.fixer import applies, hidden

    applicable = sum(1 for d in diagnostics if applies(d.fix, unsafe))
    return applicable, sum(1 for d in diagnostics if hidden(d.fix, unsafe))


def summary(
    diagnostics: Sequence[Diagnostic], fixed: int = 0, unsafe_fixes: Optional[bool] = None
) -> str:
    """The closing lines of the human formats, worded as ruff words them.

    ``fixed`` counts the fixes applied in this run; ``unsafe_fixes`` is None when the
    user said nothing about unsafe fixes, and only then is the hint about them shown.
    """
    remaining = len(diagnostics)
    if fixed:
        total = fixed + remaining
        lines = [f"Found {_plural(total, 'error')} ({fixed} fixed, {remaining} remaining)."]
    elif remaining:
        lines = [f"Found {_plural(remaining, 'error')}."]
    else:
        lines = ["All checks passed!"]
    applicable, hidden = _fix_counts(diagnostics, bool(unsafe_fixes))
    hint = f"{_plural(hidden, 'hidden fix', 'es')} can be enabled with the `--unsafe-fixes` option"
    if unsafe_fixes is None and hidden:
        if applicable:
            lines.append(f"[*] {applicable} fixable with the `--fix` option ({hint}).")
        else:
            lines.append(f"No fixes available ({hint}).")
    elif applicable:
        lines.append(f"[*] {applicable} fixable with the `--fix` option.")
    return "\n".join(lines) + "\n"


def fix_only_summary(
    diagnostics: Sequence[Diagnostic], fixed: int, unsafe_fixes: Optional[bool], verb: str = "Fixed"
) -> str:
    """The closing line of ``--fix-only`` (verb "Fixed") and ``--diff`` ("Would fix")."""
    _, hidden = _fix_counts(diagnostics, bool(unsafe_fixes))
    none = "No errors fixed" if verb == "Fixed" else "No errors would be fixed"
    fixes = "fix" if hidden == 1 else "fixes"
    if hidden and fixed:
        return (
            f"{verb} {_plural(fixed, 'error')} "
            f"({hidden} additional {fixes} available with `--unsafe-fixes`).\n"
        )
    if hidden:
        return f"{none} ({hidden} {fixes} available with `--unsafe-fixes`).\n"
    if fixed:
        return f"{verb} {_plural(fixed, 'error')}.\n"
    return "" if verb == "Fixed" else f"{none}.\n"


def fixes_table(fixed: Mapping[str, Mapping[str, int]]) -> str:
    """``--show-fixes``: what was fixed, per file and rule code, most frequent first."""
    from logitlint.registry import rule_by_code

    total = sum(sum(counts.values()) for counts in fixed.values())
    if not total:
        return ""
    width = len(str(max(max(counts.values()) for counts in fixed.values() if counts)))
    lines = [f"Fixed {_plural(total, 'error')}:"]
    for filename in sorted(fixed):
        lines.append(f"- {filename}:")
        for code, count in sorted(fixed[filename].items(), key=lambda item: (-item[1], item[0])):
            rule = rule_by_code(code)
            name = f" ({rule.name})" if rule is not None else ""
            lines.append(f"    {count:>{width}} \u00d7 {code}{name}")
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

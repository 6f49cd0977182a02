"""LGT100: a ``# noqa: LGTxxx`` that no longer suppresses anything.

Not a visitor: the engine calls ``check_directives`` after suppression, with the
noqa comments of the file and the codes each one actually suppressed. Only LGT codes
are judged; a noqa without codes and other tools' codes belong to other linters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from logitlint.diagnostics import Applicability, Edit, Fix, Location, Severity
from logitlint.registry import SOURCE_ERROR_CODE, all_codes
from logitlint.rule import Rule
from logitlint.suppression import Directive
from logitlint.textedit import LineIndex

PREFIX = "LGT"


class UnusedNoqa(Rule):
    code = "LGT100"
    name = "unused-noqa"
    summary = "A `# noqa` names an LGT code that suppresses nothing on its line"
    severity = Severity.WARNING
    fix_availability = "always"
    triggers = ("noqa",)
    what = """
A `# noqa: LGTxxx` comment whose LGT code no longer matches a finding on its line,
because the code was fixed, the rule changed, or the comment moved. An LGT code that
no rule has (a typo such as `LGT01`) is reported as unknown. A `# noqa` without codes
and codes of other tools (`E501`, `F401`) are never reported: other linters own them.
Codes of rules that are not enabled in this run are not judged either.
"""
    why = """
A stale suppression hides the next real finding on that line: when someone later
writes a misuse there, logitlint stays silent. Removing suppressions that no longer
do anything keeps each remaining `noqa` meaningful, which is what makes
`logitlint check --add-noqa` safe to use when adopting logitlint on a large codebase.
"""
    instead = """
Delete the unused code from the comment (the fix does this, and removes the whole
comment when no code is left). Listing `LGT100` in the same comment keeps it.
"""
    bad = """
import torch.nn.functional as F

def log_probs(logits):
    return F.log_softmax(logits, dim=-1)  # noqa: LGT002
"""
    good = """
import torch.nn.functional as F

def log_probs(logits):
    return F.log_softmax(logits, dim=-1)
"""

    def check_directives(
        self,
        text: str,
        directives: Iterable[Directive],
        used: Mapping[int, set[str]],
        enabled: frozenset[str],
    ) -> list[tuple[Location, Location, str, Fix]]:
        """(start, end, message, fix) for each directive with unused LGT codes."""
        index = LineIndex(text)
        found = []
        known = set(all_codes())
        for directive in directives:
            unused, unknown = [], []
            for code, _, _ in directive.codes:
                if not code.startswith(PREFIX) or code in (self.code, SOURCE_ERROR_CODE):
                    continue
                if code not in known:
                    unknown.append(code)
                elif code in enabled and code not in used.get(directive.row, ()):
                    unused.append(code)
            if not unused and not unknown:
                continue
            parts = []
            if unused:
                parts.append("unused: " + ", ".join(f"`{c}`" for c in unused))
            if unknown:
                parts.append("unknown: " + ", ".join(f"`{c}`" for c in unknown))
            message = f"Unused `noqa` directive ({'; '.join(parts)})"
            removed = {*unused, *unknown}
            fix = Fix(
                "Remove the unused code" if len(removed) == 1 else "Remove the unused codes",
                Applicability.SAFE,
                (_removal(index.line(directive.row), directive, removed),),
            )
            start = Location(directive.row, directive.start)
            found.append((start, Location(directive.row, directive.end), message, fix))
        return found


def _removal(line: str, directive: Directive, removed: set[str]) -> Edit:
    """The edit that drops ``removed`` codes, or the whole directive if none remain."""
    row = directive.row
    kept = [(code, start, end) for code, start, end in directive.codes if code not in removed]
    if kept:
        first, last = directive.codes[0][1], directive.codes[-1][2]
        spelled = [line[start - 1 : end - 1] for _, start, end in kept]
        return Edit(Location(row, first), Location(row, last), ", ".join(spelled))
    start, end = directive.start, directive.end
    rest = line[end - 1 : directive.comment_end - 1]
    replacement = ""
    if start == directive.comment_start:
        if not rest.strip():
            start = _skip_space_left(line, start)  # the comment was only this directive
        elif rest.lstrip().startswith("#"):
            end += len(rest) - len(rest.lstrip())  # "# noqa: X  # why" -> "# why"
        else:
            replacement = "#"  # "# noqa: X reason" -> "# reason": stay a comment
    else:
        start = _skip_space_left(line, start)  # "# why  # noqa: X" -> "# why"
    return Edit(Location(row, start), Location(row, end), replacement)


def _skip_space_left(line: str, column: int) -> int:
    position = column - 1
    while position > 0 and line[position - 1] in " \t":
        position -= 1
    return position + 1

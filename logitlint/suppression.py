"""``# noqa`` comments: line-based, like flake8 and ruff, so users' habits carry over.

Comments are found with the tokenizer (a ``# noqa`` inside a string is not a
suppression), and only in files that have something to suppress.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Optional

_NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_FILE_NOQA = re.compile(
    r"^#\s*logitlint:\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

# row -> codes suppressed there; None means every code (a noqa comment without codes)
NoqaMap = dict[int, Optional[frozenset[str]]]


def file_exemption(text: str) -> Optional[frozenset[str]]:
    """Codes a ``# logitlint: noqa[: CODES]`` line exempts the whole file from.

    Returns an empty set for a bare exemption (every code), None when there is none.
    """
    if "logitlint" not in text:
        return None
    codes: set[str] = set()
    found = False
    for match in _FILE_NOQA.finditer(_comments_only(text)):
        found = True
        if not match.group("codes"):
            return frozenset()
        codes.update(code.upper() for code in _CODE.findall(match.group("codes")))
    return frozenset(codes) if found else None


@dataclass(frozen=True)
class Directive:
    """One ``# noqa`` comment, with the columns that editing it needs.

    Columns are 1-based code points, ends exclusive. ``codes`` is empty for a noqa
    without codes; each code keeps its own span so one can be removed alone.
    """

    row: int
    start: int  # the directive's "#"
    end: int  # after "noqa" or after the last code
    comment_start: int  # the whole comment token, which may hold other text
    comment_end: int
    codes: tuple[tuple[str, int, int], ...] = ()  # (CODE upper-cased, start, end)

    @property
    def code_set(self) -> Optional[frozenset[str]]:
        return frozenset(code for code, _, _ in self.codes) if self.codes else None


def directives(text: str) -> list[Directive]:
    """Every ``# noqa`` comment of the text, in order."""
    if "noqa" not in text.lower():
        return []
    found: list[Directive] = []
    for row, column, comment in _comment_tokens(text):
        match = _NOQA.search(comment)
        if match is None:
            continue
        base = column + 1
        codes: tuple[tuple[str, int, int], ...] = ()
        if match.group("codes"):
            offset = match.start("codes")
            codes = tuple(
                (code.group().upper(), base + offset + code.start(), base + offset + code.end())
                for code in _CODE.finditer(match.group("codes"))
            )
        found.append(
            Directive(
                row=row,
                start=base + match.start(),
                end=base + match.end(),
                comment_start=base,
                comment_end=base + len(comment),
                codes=codes,
            )
        )
    return found


def noqa_map(text: str) -> NoqaMap:
    return {directive.row: directive.code_set for directive in directives(text)}


def suppressing_row(noqa: NoqaMap, code: str, rows: tuple[int, ...]) -> Optional[int]:
    """The row whose noqa suppresses ``code`` (first of ``rows`` that does), or None."""
    for row in rows:
        if row in noqa:
            codes = noqa[row]
            if codes is None or code in codes:
                return row
    return None


def is_suppressed(noqa: NoqaMap, code: str, rows: tuple[int, ...]) -> bool:
    return suppressing_row(noqa, code, rows) is not None


def _comment_tokens(text: str) -> list[tuple[int, int, str]]:
    """(row, 0-based column, text) of every comment token."""
    comments: list[tuple[int, int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments.append((token.start[0], token.start[1], token.string))
    except (tokenize.TokenError, SyntaxError):
        pass  # the parse succeeded, so this is a tokenizer corner case: keep what we have
    return comments


def _comments_only(text: str) -> str:
    return "\n".join(comment for _, _, comment in _comment_tokens(text))

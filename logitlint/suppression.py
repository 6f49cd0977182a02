"""``# noqa`` comments: line-based, like flake8 and ruff, so users' habits carry over.

Comments are found with the tokenizer (a ``# noqa`` inside a string is not a
suppression), and only in files that have something to suppress.
"""

from __future__ import annotations

import io
import re
import tokenize
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


def noqa_map(text: str) -> NoqaMap:
    if "noqa" not in text.lower():
        return {}
    result: NoqaMap = {}
    for row, comment in _comment_tokens(text):
        match = _NOQA.search(comment)
        if match is None:
            continue
        codes = match.group("codes")
        result[row] = frozenset(code.upper() for code in _CODE.findall(codes)) if codes else None
    return result


def is_suppressed(noqa: NoqaMap, code: str, rows: tuple[int, ...]) -> bool:
    for row in rows:
        if row in noqa:
            codes = noqa[row]
            if codes is None or code in codes:
                return True
    return False


def _comment_tokens(text: str) -> list[tuple[int, str]]:
    comments: list[tuple[int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments.append((token.start[0], token.string))
    except (tokenize.TokenError, SyntaxError):
        pass  # the parse succeeded, so this is a tokenizer corner case: keep what we have
    return comments


def _comments_only(text: str) -> str:
    return "\n".join(comment for _, comment in _comment_tokens(text))

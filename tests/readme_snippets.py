"""The README's copy-paste snippets, found by the ``<!-- snippet: NAME -->`` comment
that precedes each fenced block, so the tests run them exactly as users read them."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def snippet(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(
        rf"<!-- snippet: {re.escape(name)} -->\s*\n```[^\n]*\n(?P<body>.*?)\n```", re.DOTALL
    )
    match = pattern.search(text)
    assert match, f"README.md has no snippet {name!r}"
    return match.group("body") + "\n"

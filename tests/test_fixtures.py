"""Every fixture file yields exactly the diagnostics its ``# expect:`` markers name.

A marker ``# expect: LGT001[, LGT002]`` ends the line where a diagnostic starts;
``near_miss*.py`` files carry none and must stay silent. Each file is linted with
and without the prefilter, which must never drop a diagnostic.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest
from conftest import FIXTURES

from logitlint.engine import lint_text
from logitlint.registry import all_rules

_MARKER = re.compile(r"#\s*expect:\s*(?P<codes>LGT\d{3}(?:\s*,\s*LGT\d{3})*)")

FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))


def expected(text: str) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            match = _MARKER.search(token.string)
            if match:
                for code in match.group("codes").split(","):
                    found.add((token.start[0], code.strip()))
    return found


def actual(text: str, path: Path, prefilter: bool) -> set[tuple[int, str]]:
    result = lint_text(text, str(path), all_rules(), prefilter=prefilter)
    assert not result.internal_errors, result.internal_errors
    return {(d.location.row, d.code) for d in result.diagnostics}


def test_fixture_tree_is_not_empty() -> None:
    assert len(FIXTURE_FILES) >= 10
    assert any(path.name.startswith("near_miss") for path in FIXTURE_FILES)


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])
@pytest.mark.parametrize(
    "path", FIXTURE_FILES, ids=[str(p.relative_to(FIXTURES)) for p in FIXTURE_FILES]
)
def test_fixture(path: Path, prefilter: bool) -> None:
    text = path.read_text(encoding="utf-8")
    want = expected(text)
    if path.name.startswith("near_miss"):
        assert not want, "near-miss files carry no expectations"
    else:
        assert want, "a positive fixture must expect something"
    got = actual(text, path, prefilter)
    missing = sorted(want - got)
    unexpected = sorted(got - want)
    assert not missing and not unexpected, f"missing={missing} unexpected={unexpected}"

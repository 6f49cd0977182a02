"""Every fixture file yields exactly the diagnostics its ``# expect:`` markers name.

A marker ``# expect: LGT001[, LGT002]`` ends the line where a diagnostic starts
(in notebooks, inside the cell: rows count from the cell's first line);
``near_miss*`` files carry none and must stay silent. Each file is linted with
and without the prefilter, which must never drop a diagnostic.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path
from typing import Optional

import pytest
from conftest import FIXTURES

from logitlint.notebook import cell_text, mask
from logitlint.registry import all_codes
from logitlint.runner import Settings, lint_bytes

_MARKER = re.compile(r"#\s*expect:\s*(?P<codes>LGT\d{3}(?:\s*,\s*LGT\d{3})*)")

FIXTURE_FILES = sorted([*FIXTURES.rglob("*.py"), *FIXTURES.rglob("*.ipynb")])


Expectation = tuple[Optional[int], int, str]  # (notebook cell or None, row, code)


def markers(text: str, cell: Optional[int] = None) -> set[Expectation]:
    found: set[Expectation] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            match = _MARKER.search(token.string)
            if match:
                for code in match.group("codes").split(","):
                    found.add((cell, token.start[0], code.strip()))
    return found


def expected(path: Path) -> set[Expectation]:
    if path.suffix != ".ipynb":
        return markers(path.read_text(encoding="utf-8"))
    document = json.loads(path.read_text(encoding="utf-8"))
    found: set[Expectation] = set()
    for number, cell in enumerate(document["cells"], start=1):
        if cell["cell_type"] == "code" and mask(cell_text(cell["source"])) is not None:
            found |= markers(cell_text(cell["source"]), number)
    return found


def actual(path: Path, prefilter: bool) -> set[Expectation]:
    settings = Settings(enabled=frozenset(all_codes()), prefilter=prefilter)
    result = lint_bytes(path.read_bytes(), str(path), settings)
    assert not result.internal_errors, result.internal_errors
    return {(d.cell, d.location.row, d.code) for d in result.diagnostics}


def test_fixture_tree_is_not_empty() -> None:
    assert len(FIXTURE_FILES) >= 10
    assert any(path.name.startswith("near_miss") for path in FIXTURE_FILES)


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])
@pytest.mark.parametrize(
    "path", FIXTURE_FILES, ids=[str(p.relative_to(FIXTURES)) for p in FIXTURE_FILES]
)
def test_fixture(path: Path, prefilter: bool) -> None:
    want = expected(path)
    if path.name.startswith("near_miss") or path.name == "r_kernel.ipynb":
        assert not want, "near-miss files carry no expectations"
    else:
        assert want, "a positive fixture must expect something"
    got = actual(path, prefilter)
    missing = sorted(want - got)
    unexpected = sorted(got - want)
    assert not missing and not unexpected, f"missing={missing} unexpected={unexpected}"

"""logitlint's position pass gives every node the range libcst's PositionProvider does."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from conftest import FIXTURES, ROOT
from libcst.metadata import MetadataWrapper, PositionProvider

from logitlint.positions import Positions, to_location

SOURCES = [ROOT / "tests" / "data" / "syntax_tour.py", *sorted(FIXTURES.rglob("*.py"))]
TOUR = SOURCES[0].read_text(encoding="utf-8")
VARIANTS = {
    "crlf": TOUR.replace("\n", "\r\n"),
    "no final newline": TOUR.rstrip("\n"),
    "tabs and unicode": "def f(x):\n\tif x:\n\t\treturn 'ü' + \"日本\"  # é\n\treturn x\n",
    "empty": "",
    "comment only": "# nothing\n",
}


def _check(text: str) -> int:
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    for node, code_range in expected.items():
        want = (
            to_location(code_range.start.line, code_range.start.column),
            to_location(code_range.end.line, code_range.end.column),
        )
        assert positions.range(node) == want, (type(node).__name__, want)
    return len(expected)


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_every_node_matches_libcst(path: Path) -> None:
    assert _check(path.read_text(encoding="utf-8")) > 10


@pytest.mark.parametrize("name", list(VARIANTS))
def test_line_endings_and_edges(name: str) -> None:
    assert _check(VARIANTS[name]) >= 1

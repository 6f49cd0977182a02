"""Shared helpers: lint a snippet with every rule, as the CLI would."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from logitlint.analysis import Analysis, Site
from logitlint.diagnostics import Diagnostic
from logitlint.engine import lint_text
from logitlint.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def lint(source: str, *, prefilter: bool = True, filename: str = "snippet.py") -> list[Diagnostic]:
    result = lint_text(textwrap.dedent(source), filename, all_rules(), prefilter=prefilter)
    assert not result.internal_errors, result.internal_errors
    return sorted(result.diagnostics, key=Diagnostic.sort_key)


def codes(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.code) for d in lint(source)]


def last_expression(source: str) -> tuple[Analysis, cst.BaseExpression, Site]:
    """The analysis of ``source`` and its last statement, an expression, with its site."""
    module = cst.parse_module(source)
    analysis = Analysis(module)
    statement = module.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, cst.Expr)
    site = analysis.site(small)
    assert site is not None
    return analysis, small.value, site


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """CLI runs in the tests cache their results outside the working tree."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOGITLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield

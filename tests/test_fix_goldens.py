"""Every fixture, fixed by logitlint, equals its reviewed golden file.

Beside ``fixtures/LGTxxx/name.py`` lie ``name.py.fixed`` (after ``--fix``) and
``name.py.unsafe-fixed`` (after ``--fix --unsafe-fixes``), wherever the fixes
change the file; a fixture that no fix changes has none, and a stale golden fails.
The suffixes keep the goldens out of every ``fixtures/**/*.py`` glob, so they are
never linted as inputs. Regenerate with ``LOGITLINT_UPDATE_GOLDEN=1 pytest
tests/test_fix_goldens.py`` and read the diff before committing it.

The test is data-driven: a new fixture (any rule) is covered without touching it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from logitlint import fixer
from logitlint.cli import main
from logitlint.registry import all_codes
from logitlint.runner import Settings, fix_source

FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))
MODES = {"fixed": False, "unsafe-fixed": True}
SETTINGS = Settings(enabled=frozenset(all_codes()))
UPDATE = bool(os.environ.get("LOGITLINT_UPDATE_GOLDEN"))


def golden_path(path: Path, mode: str) -> Path:
    return path.with_name(f"{path.name}.{mode}")


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(FIXTURES)) for p in paths]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids(FIXTURE_FILES))
def test_fixed_fixture_matches_golden(path: Path, mode: str) -> None:
    unsafe = MODES[mode]
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(ROOT).as_posix()
    outcome = fix_source(text, name, SETTINGS, unsafe)
    assert not outcome.internal_errors, outcome.internal_errors
    golden = golden_path(path, mode)
    if UPDATE:
        if outcome.changed:
            golden.write_text(outcome.text, encoding="utf-8", newline="")
        elif golden.exists():
            golden.unlink()
    if outcome.changed:
        assert golden.exists(), f"no golden {golden.name}: run with LOGITLINT_UPDATE_GOLDEN=1"
        assert outcome.text == golden.read_text(encoding="utf-8")
    else:
        assert not golden.exists(), f"stale golden {golden.name}: no fix changes {path.name}"
    assert bool(outcome.fixed) == outcome.changed
    # The loop converged: what remains has no fix this mode would apply, the result
    # parses, and a second pass changes nothing.
    assert fixer.parses(outcome.text)
    assert not [d for d in outcome.result.diagnostics if fixer.applies(d.fix, unsafe)]
    again = fix_source(outcome.text, name, SETTINGS, unsafe)
    assert not again.changed and not again.fixed


def test_every_rule_with_a_fix_has_a_golden() -> None:
    """The goldens exercise every rule that declares fixes (guards an empty glob too)."""
    from logitlint.registry import all_rules

    fixable = {r.code for r in all_rules() if r.fix_availability != "none"}
    covered = {p.parent.name for p in FIXTURES.rglob("*.py.unsafe-fixed")}
    assert fixable and fixable <= covered, sorted(fixable - covered)


def _expected(path: Path, mode: str) -> str:
    golden = golden_path(path, mode)
    return (golden if golden.exists() else path).read_text(encoding="utf-8")


@pytest.mark.parametrize("mode", list(MODES))
def test_cli_fix_writes_the_goldens(tmp_path: Path, mode: str) -> None:
    """``logitlint check --fix`` on a copy of the fixture tree writes exactly the goldens."""
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    unsafe = ["--unsafe-fixes"] if MODES[mode] else []
    args = ["check", str(copy), "--output-format", "concise", *unsafe]
    result = CliRunner().invoke(main, [*args, "--fix"], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # unfixable findings remain
    assert " fixed, " in result.output.splitlines()[-2 if not unsafe else -1]
    for path in FIXTURE_FILES:
        written = (copy / path.relative_to(FIXTURES)).read_text(encoding="utf-8")
        assert written == _expected(path, mode), path.name
    # A second run finds nothing to fix: --fix-only exits 0 despite --exit-non-zero-on-fix.
    again = CliRunner().invoke(main, [*args, "--fix-only", "--exit-non-zero-on-fix"])
    assert again.exit_code == 0, again.output
    assert not again.output.startswith("Fixed")

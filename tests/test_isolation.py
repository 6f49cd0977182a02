"""A bug in logitlint costs as little as possible: one rule on one file, or one file.

A rule that raises is reported with its code and the file, and the other rules still
report on that file; a worker process that dies costs only the file it was linting.
Either way the run goes on, the other files are linted, and the exit code is 2.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner, Result

from logitlint import registry, runner, settings
from logitlint.cli import main
from logitlint.diagnostics import LintResult
from logitlint.engine import lint_text
from logitlint.registry import all_rules
from logitlint.rule import Rule

MISUSE = "import torch\ny = torch.log(torch.softmax(x, 1))\n"
FORKED = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux"
)


class _TestOnly(Rule):
    """Shared documentation of the test-only rules below (never registered for real)."""

    summary = what = why = instead = bad = good = "test only"
    triggers = ("detonate",)


class ExplodesInVisit(_TestOnly):
    code = "LGT990"
    name = "explodes-in-visit"

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "detonate":
            raise RuntimeError("kaboom")
        if isinstance(node.func, cst.Name) and node.func.value == "harmless":
            self.report(node, "harmless call")


class ExplodesWhenBuilt(_TestOnly):
    code = "LGT991"
    name = "explodes-when-built"

    def __init__(self, context: object) -> None:
        raise ValueError("no context for me")


class ReportsAStrangerNode(_TestOnly):
    code = "LGT992"
    name = "reports-a-stranger-node"

    def visit_Call(self, node: cst.Call) -> None:
        self.report(cst.Name("not_in_this_module"), "a node the module does not hold")


TEST_RULES = (ExplodesInVisit, ExplodesWhenBuilt, ReportsAStrangerNode)


@pytest.fixture
def extra_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the test-only rules as if they were modules under ``rules/``."""
    rules = (*all_rules(), *TEST_RULES)
    codes = tuple(sorted({*registry.rule_codes(), *(rule.code for rule in TEST_RULES)}))
    monkeypatch.setattr(registry, "rule_codes", lambda: codes)
    monkeypatch.setattr(settings, "all_rules", lambda: rules)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--no-cache", "--isolated", *args])


def records(result: Result) -> set[tuple[str, str, int]]:
    return {
        (Path(r["filename"]).name, r["code"], r["location"]["row"])
        for r in json.loads(result.stdout)
    }


def test_each_failing_rule_is_named_and_the_others_still_report() -> None:
    text = MISUSE + "harmless()\ndetonate()\nharmless()\n"
    result = lint_text(text, "boom.py", [*all_rules(), *TEST_RULES], prefilter=False)
    errors = sorted(result.internal_errors)
    assert len(errors) == 3, errors
    assert errors[0].startswith("boom.py: rule LGT990 failed: RuntimeError: kaboom (")
    assert errors[1].startswith("boom.py: rule LGT991 failed: ValueError: no context for me (")
    assert errors[2].startswith("boom.py: rule LGT992 failed: ")
    found = {(d.code, d.location.row) for d in result.diagnostics}
    # LGT990 reported before it raised (row 3) and is disabled after (not row 5)
    assert found == {("LGT002", 2), ("LGT990", 3)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_raising_rule_on_the_command_line(tmp_path: Path, extra_rules: None, jobs: str) -> None:
    (tmp_path / "a.py").write_text(MISUSE + "harmless()\n")  # no trigger: the prefilter skips
    (tmp_path / "boom.py").write_text(MISUSE + "detonate()\n")
    (tmp_path / "c.py").write_text(MISUSE)
    if jobs == "2" and not sys.platform.startswith("linux"):
        pytest.skip("workers inherit the test-only rules only when forked")
    result = invoke(str(tmp_path), "--output-format", "json", "-j", jobs)
    assert result.exit_code == 2, result.output
    boom = str(tmp_path / "boom.py")
    assert f"error: internal error: {boom}: rule LGT990 failed: RuntimeError: kaboom" in (
        result.stderr
    )
    assert f"{boom}: rule LGT991 failed" in result.stderr
    assert records(result) == {
        ("a.py", "LGT002", 2),
        ("boom.py", "LGT002", 2),  # the other rules still report on the failing file
        ("c.py", "LGT002", 2),
    }


@FORKED
def test_a_dying_worker_through_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.py", "crash.py", "z.py"):
        (tmp_path / name).write_text(MISUSE)
    real = runner._lint

    def crashing(text: str, filename: str, *args: object, **kwargs: object) -> LintResult:
        if filename.endswith("crash.py"):
            os._exit(3)  # as a segfault in native code or the OOM killer would
        return real(text, filename, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_lint", crashing)
    result = invoke(str(tmp_path), "--output-format", "json", "-j", "2")
    assert result.exit_code == 2, result.output
    crash = tmp_path / "crash.py"
    assert f"error: internal error: {crash}: the worker process linting it died" in result.stderr
    assert records(result) == {("a.py", "LGT002", 2), ("z.py", "LGT002", 2)}


def test_a_fixer_bug_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.py", "crash.py", "z.py"):
        (tmp_path / name).write_text(MISUSE)
    real = runner.fix_path

    def failing(path: str, *args: object) -> runner.FileOutcome:
        if path.endswith("crash.py"):
            raise KeyError("a bug in the fixer")
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "fix_path", failing)
    result = invoke(str(tmp_path), "--fix", "--output-format", "json")
    assert result.exit_code == 2, result.output
    crash = tmp_path / "crash.py"
    assert f"{crash}: fixing failed: KeyError: 'a bug in the fixer'; nothing was written" in (
        result.stderr
    )
    assert crash.read_text() == MISUSE
    assert (tmp_path / "a.py").read_text() != MISUSE != (tmp_path / "z.py").read_text()


@pytest.mark.parametrize("fix", [False, True], ids=["lint", "fix"])
def test_a_bug_on_standard_input_is_reported_and_the_input_given_back(
    monkeypatch: pytest.MonkeyPatch, fix: bool
) -> None:
    def failing(*args: object) -> object:
        raise IndexError("a bug")

    monkeypatch.setattr(runner, "fix_bytes" if fix else "lint_bytes", failing)
    result = CliRunner().invoke(
        main, ["check", "-", "--no-cache", "--isolated", *(["--fix"] if fix else [])], input=MISUSE
    )
    assert result.exit_code == 2, result.output
    assert "error: internal error: -: IndexError: a bug" in result.stderr
    if fix:  # a pipe through the fixer never loses the user's buffer
        assert result.stdout.startswith(MISUSE)

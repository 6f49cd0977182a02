"""Configuration files, their discovery, command-line overrides and errors (exit 2)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from logitlint import config
from logitlint.cli import main
from logitlint.diagnostics import Applicability, Diagnostic, Fix, Location, Severity
from logitlint.settings import Overrides, Resolver, Settings, build

SAMPLE = (Path(__file__).parent / "data" / "sample.py").read_text(encoding="utf-8")
# sample.py: LGT001 on row 10, LGT002 on row 11 (and a suppressed LGT002 on row 12)


@pytest.fixture(autouse=True)
def _fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config.clear_cache()


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["check", *args], input=stdin)


def found(*args: str, stdin: str | None = None) -> list[tuple[str, str]]:
    """(file, code) pairs reported, from the JSON output."""
    result = run(*args, "--output-format", "json", stdin=stdin)
    assert result.exit_code in (0, 1), result.output
    records = json.loads(result.stdout)
    cwd = str(Path.cwd()) + "/"
    return sorted((r["filename"].replace(cwd, ""), r["code"]) for r in records)


def write(path: str, text: str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def test_pyproject_table_selects_rules() -> None:
    write("pyproject.toml", '[tool.logitlint]\nselect = ["LGT002"]\n')
    write("train.py", SAMPLE)
    assert found("train.py") == [("train.py", "LGT002")]


def test_nearest_configuration_wins_per_file() -> None:
    write("pyproject.toml", '[tool.logitlint]\nselect = ["LGT001"]\n')
    write("train.py", SAMPLE)
    write("research/logitlint.toml", 'select = ["LGT002"]\n')
    write("research/deep/notebook_export.py", SAMPLE)
    assert found(".") == [
        ("research/deep/notebook_export.py", "LGT002"),
        ("train.py", "LGT001"),
    ]


def test_logitlint_toml_beats_pyproject_and_tableless_pyproject_is_skipped() -> None:
    write("logitlint.toml", 'ignore = ["LGT001"]\n')
    write("pyproject.toml", '[tool.logitlint]\nignore = ["LGT002"]\n')
    write("pkg/pyproject.toml", '[project]\nname = "pkg"\n')  # no [tool.logitlint]
    write("pkg/model.py", SAMPLE)
    assert found("pkg/model.py") == [("pkg/model.py", "LGT002")]


def test_config_option_and_isolated() -> None:
    write("pyproject.toml", '[tool.logitlint]\nselect = ["LGT001"]\n')
    write("elsewhere/strict.toml", 'select = ["LGT002"]\n')
    write("train.py", SAMPLE)
    # the file named by --config need not be called logitlint.toml
    write("elsewhere/logitlint.toml", 'select = ["LGT002"]\n')
    assert found("--config", "elsewhere/logitlint.toml", "train.py") == [("train.py", "LGT002")]
    assert found("--isolated", "train.py") == [("train.py", "LGT001"), ("train.py", "LGT002")]


def test_command_line_overrides_the_file() -> None:
    write("pyproject.toml", '[tool.logitlint]\nselect = ["LGT001"]\nignore = ["LGT002"]\n')
    write("train.py", SAMPLE)
    assert found("train.py", "--select", "LGT002") == [("train.py", "LGT002")]
    assert found("train.py", "--extend-select", "LGT002") == [
        ("train.py", "LGT001"),
        ("train.py", "LGT002"),
    ]
    assert found("train.py", "--ignore", "LGT001") == []


def test_more_specific_selector_wins_within_a_layer() -> None:
    write("pyproject.toml", '[tool.logitlint]\nselect = ["LGT001"]\nignore = ["LGT"]\n')
    write("train.py", SAMPLE)
    assert found("train.py") == [("train.py", "LGT001")]


def test_per_file_ignores_globs_relative_to_the_config() -> None:
    write(
        "pyproject.toml",
        '[tool.logitlint.per-file-ignores]\n"tests/*.py" = ["LGT001"]\n"legacy_*.py" = ["LGT"]\n',
    )
    write("tests/test_train.py", SAMPLE)
    write("src/tests/test_train.py", SAMPLE)  # anchored: not matched
    write("src/legacy_eval.py", SAMPLE)  # no slash: matched at any depth
    assert found(".") == [
        ("src/tests/test_train.py", "LGT001"),
        ("src/tests/test_train.py", "LGT002"),
        ("tests/test_train.py", "LGT002"),
    ]


def test_exclude_extend_exclude_and_force_exclude() -> None:
    write("pyproject.toml", '[tool.logitlint]\nextend-exclude = ["generated", "*_pb2.py"]\n')
    write("generated/model.py", SAMPLE)
    write("proto/model_pb2.py", SAMPLE)
    write("build/lib/model.py", SAMPLE)  # excluded by default
    write("src/model.py", SAMPLE)
    assert {name for name, _ in found(".")} == {"src/model.py"}
    # a file named explicitly is linted, unless --force-exclude (as pre-commit passes it)
    assert found("generated/model.py")
    assert found("generated/model.py", "--force-exclude") == []
    assert found("build/lib/model.py", "proto/model_pb2.py", "--force-exclude") == []
    assert found("src/model.py", "--force-exclude")


def test_exclude_replaces_the_defaults() -> None:
    write("pyproject.toml", '[tool.logitlint]\nexclude = ["vendored"]\n')
    write("build/model.py", SAMPLE)
    write("vendored/model.py", SAMPLE)
    assert {name for name, _ in found(".")} == {"build/model.py"}


def test_severity_override_reaches_every_format() -> None:
    write(
        "pyproject.toml",
        '[tool.logitlint.severity]\nLGT001 = "info"\nLGT002 = "error"\n',
    )
    write("train.py", SAMPLE)
    records = json.loads(run("train.py", "--output-format", "json").stdout)
    assert {r["code"]: r["severity"] for r in records} == {"LGT001": "info", "LGT002": "error"}
    github = run("train.py", "--output-format", "github").stdout.splitlines()
    assert github[0].startswith("::notice ") and "LGT001" in github[0]
    assert github[1].startswith("::error ") and "LGT002" in github[1]
    sarif = json.loads(run("train.py", "--output-format", "sarif").stdout)
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels == {"LGT001": "note", "LGT002": "error"}


def test_output_format_from_the_file_and_the_flag_wins() -> None:
    write("pyproject.toml", '[tool.logitlint]\noutput-format = "concise"\n')
    write("train.py", SAMPLE)
    assert run("train.py").stdout.startswith("train.py:10:28: LGT001")
    assert run("train.py", "--output-format", "json-lines").stdout.startswith("{")


@pytest.mark.parametrize(
    ("file", "text", "wanted"),
    [
        ("pyproject.toml", '[tool.logitlint]\nselct = ["LGT001"]\n', "selct"),
        ("logitlint.toml", 'per_file_ignores = {"a.py" = ["LGT001"]}\n', "per_file_ignores"),
        ("logitlint.toml", 'select = "LGT001"\n', "select: expected a list of strings"),
        ("logitlint.toml", 'select = ["LGT999"]\n', "LGT999"),
        ("logitlint.toml", 'ignore = ["LGT001", "XYZ1"]\n', "XYZ1"),
        ("logitlint.toml", '[per-file-ignores]\n"tests/*" = ["LGT9"]\n', "LGT9"),
        ("logitlint.toml", '[severity]\nLGT001 = "fatal"\n', "fatal"),
        ("logitlint.toml", '[severity]\nLGT777 = "info"\n', "LGT777"),
        ("logitlint.toml", 'unsafe-fixes = "yes"\n', "unsafe-fixes: expected true or false"),
        ("logitlint.toml", 'output-format = "xml"\n', "xml"),
        ("logitlint.toml", "select = [\n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_exit_2_naming_file_and_key(file: str, text: str, wanted: str) -> None:
    write(file, text)
    write("train.py", SAMPLE)
    result = run("train.py")
    assert result.exit_code == 2, result.output
    assert file in result.stderr and wanted in result.stderr, result.stderr


def test_unknown_key_suggests_the_right_one() -> None:
    write("pyproject.toml", '[tool.logitlint]\nextend_select = ["LGT001"]\n')
    write("train.py", SAMPLE)
    assert "did you mean 'extend-select'" in run("train.py").stderr


def test_missing_config_file_is_exit_2() -> None:
    write("train.py", SAMPLE)
    result = run("--config", "nope.toml", "train.py")
    assert result.exit_code == 2 and "nope.toml" in result.stderr


def test_show_settings_names_the_file_and_values() -> None:
    write("pyproject.toml", '[tool.logitlint]\nselect = ["LGT002"]\n')
    write("src/train.py", SAMPLE)
    result = run("--show-settings", "src/train.py")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Resolved settings for: src/train.py"
    assert lines[1] == f"Settings path: {Path.cwd() / 'pyproject.toml'}"
    assert 'select = ["LGT002"]' in lines
    isolated = run("--show-settings", "--isolated", "src/train.py").stdout
    assert "built-in defaults" in isolated and '"LGT001"' in isolated


def test_stdin_filename_resolves_configuration_from_that_path() -> None:
    write("pyproject.toml", '[tool.logitlint.per-file-ignores]\n"scripts/*" = ["LGT001"]\n')
    write("scripts/logitlint.toml", 'select = ["LGT001"]\n')  # nearest to scripts/x.py
    write("tools/pyproject.toml", '[tool.logitlint]\nextend-exclude = ["gen_*.py"]\n')
    assert found("--stdin-filename", "scripts/x.py", "-", stdin=SAMPLE) == [
        ("scripts/x.py", "LGT001")
    ]
    assert found("--stdin-filename", "x.py", stdin=SAMPLE) == [
        ("x.py", "LGT001"),
        ("x.py", "LGT002"),
    ]
    assert found("--stdin-filename", "tools/gen_a.py", "--force-exclude", stdin=SAMPLE) == []
    assert len(found("--stdin-filename", "tools/gen_a.py", stdin=SAMPLE)) == 2


def test_fix_settings_contract_for_the_fixer(tmp_path: Path) -> None:
    write("logitlint.toml", 'unfixable = ["LGT002"]\nunsafe-fixes = true\nfix = true\n')
    settings = Resolver().settings_for(str(tmp_path / "a.py"))
    assert settings.fix is True and settings.unsafe_fixes is True
    assert settings.is_fixable("LGT001") and not settings.is_fixable("LGT002")

    def diagnostic(code: str, applicability: Applicability) -> Diagnostic:
        start = Location(1, 1)
        fix = Fix("f", applicability, ())
        return Diagnostic(code, "n", "m", "a.py", start, start, Severity.WARNING, fix=fix)

    assert settings.should_fix(diagnostic("LGT001", Applicability.UNSAFE))
    assert not settings.should_fix(diagnostic("LGT002", Applicability.SAFE))
    assert not settings.should_fix(diagnostic("LGT001", Applicability.DISPLAY_ONLY))
    cautious = build(None, Overrides(fixable=["LGT001"], unsafe_fixes=False))
    assert cautious.should_fix(diagnostic("LGT001", Applicability.SAFE))
    assert not cautious.should_fix(diagnostic("LGT001", Applicability.UNSAFE))
    assert not cautious.should_fix(diagnostic("LGT002", Applicability.SAFE))
    assert build(None).unsafe_fixes is None and build(None).fixable is None


def test_fingerprint_is_stable_and_sensitive(tmp_path: Path) -> None:
    write("logitlint.toml", 'select = ["LGT001"]\n')
    first = Resolver().settings_for(str(tmp_path / "a.py"))
    config.clear_cache()
    again = Resolver().settings_for(str(tmp_path / "a.py"))
    assert first == again and first.fingerprint() == again.fingerprint()
    assert len(first.fingerprint()) == 64
    copy = pickle.loads(pickle.dumps(first))
    assert copy == first and copy.fingerprint() == first.fingerprint()
    changed = build(None, Overrides(select=["LGT001"], ignore=["LGT001"]))
    assert changed.fingerprint() != first.fingerprint()
    assert Settings(enabled=frozenset({"LGT001"})).fingerprint() != first.fingerprint()


def test_settings_keep_the_old_runner_constructor() -> None:
    from logitlint.runner import Settings as RunnerSettings

    settings = RunnerSettings(enabled=frozenset({"LGT001"}), prefilter=False)
    assert [rule.code for rule in settings.rules()] == ["LGT001"]


def test_fixable_flags_reach_the_settings() -> None:
    write("logitlint.toml", 'unfixable = ["LGT001"]\n')

    def fixable(*args: str) -> list[str]:
        shown = run("--show-settings", *args, "x.py").stdout.splitlines()
        line = next(line for line in shown if line.startswith("fixable = "))
        return json.loads(line.split(" = ", 1)[1])

    assert "LGT001" not in fixable() and "LGT002" in fixable()
    assert fixable("--fixable", "LGT001") == ["LGT001"]  # --fixable resets, as --select does

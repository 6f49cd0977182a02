"""The command line as users run it: exit codes, formats, stdin, noqa, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from logitlint.cli import main

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
SAMPLE = "tests/data/sample.py"


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _in_root(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)


def _normalised(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "<root>/")


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "json-lines"])
def test_output_format_matches_golden(fmt: str, root: Path) -> None:
    result = invoke("check", SAMPLE, "--output-format", fmt)
    assert result.exit_code == 1
    golden = GOLDEN / f"sample.{fmt}.txt"
    output = _normalised(result.output, root)
    if os.environ.get("LOGITLINT_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


def test_json_fields_and_coordinates(root: Path) -> None:
    records = json.loads(invoke("check", SAMPLE, "--output-format", "json").output)
    assert [r["code"] for r in records] == ["LGT001", "LGT002"]
    first = records[0]
    assert set(first) == {
        "cell", "code", "end_location", "filename", "fix", "location", "message",
        "name", "noqa_row", "severity", "url",
    }  # fmt: skip
    line = (root / SAMPLE).read_text().splitlines()[first["location"]["row"] - 1]
    start, end = first["location"]["column"], first["end_location"]["column"]
    assert line[start - 1 : end - 1] == "probs"  # 1-based, end exclusive
    assert first["fix"]["applicability"] == "unsafe"
    assert first["fix"]["edits"][0]["content"] == "out"
    assert records[1]["fix"]["applicability"] == "safe"


def test_exit_codes() -> None:
    assert invoke("check", SAMPLE).exit_code == 1
    assert invoke("check", SAMPLE, "--exit-zero").exit_code == 0
    assert invoke("check", "fixtures/LGT001/near_miss.py").exit_code == 0
    assert invoke("check", SAMPLE, "--select", "LGT002", "--ignore", "LGT002").exit_code == 0


def test_clean_run_says_so() -> None:
    result = invoke("check", "fixtures/LGT001/near_miss.py")
    assert result.output == "All checks passed!\n"
    assert invoke("check", "-q", "fixtures/LGT001/near_miss.py").output == ""


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_rule_code_is_a_usage_error(option: str) -> None:
    result = CliRunner().invoke(main, ["check", SAMPLE, option, "LGT999"])
    assert result.exit_code == 2
    assert "LGT999" in result.output


def test_select_prefix_and_all() -> None:
    only = invoke("check", SAMPLE, "--select", "LGT002", "--output-format", "concise")
    assert "LGT001" not in only.output and "LGT002" in only.output
    prefix = invoke("check", SAMPLE, "--select", "LGT00", "--output-format", "concise")
    assert "LGT001" in prefix.output and "LGT002" in prefix.output
    extended = invoke(
        "check", SAMPLE, "--select", "LGT002", "--extend-select", "LGT001", "-q",
        "--output-format", "concise",
    )  # fmt: skip
    assert extended.output.count("\n") == 2


def test_missing_path_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["check", "no/such/file.py"])
    assert result.exit_code == 2
    assert "no/such/file.py" in result.output


def test_broken_file_is_lgt000_and_others_are_still_linted() -> None:
    result = invoke("check", "tests/data/broken.py", SAMPLE, "--output-format", "concise")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("tests/data/broken.py:4:") and "LGT000" in lines[0]
    assert any("sample.py" in line and "LGT001" in line for line in lines)


def test_undecodable_file_is_lgt000(tmp_path: Path) -> None:
    bad = tmp_path / "latin.py"
    bad.write_bytes(b"x = '\xe9'\n")
    result = invoke("check", str(bad), "--output-format", "concise")
    assert result.exit_code == 1
    assert "LGT000" in result.output and "cannot decode byte 0xe9" in result.output


def test_stdin_with_filename() -> None:
    data = (DATA / "sample.py").read_bytes()
    result = invoke(
        "check", "--stdin-filename", "train.py", "--output-format", "concise", stdin=data
    )
    assert result.exit_code == 1
    assert result.output.startswith("train.py:10:28: LGT001")


def test_stdin_dash() -> None:
    result = invoke("check", "-", "--output-format", "json", stdin=b"x = 1\n")
    assert result.exit_code == 0
    assert json.loads(result.output) == []


def test_noqa_variants(tmp_path: Path) -> None:
    source = (
        "import torch\n"
        "a = torch.log(torch.sigmoid(x))  # noqa\n"
        "b = torch.log(torch.sigmoid(x))  # noqa: LGT001\n"
        "c = torch.log(torch.sigmoid(x))  # NOQA:LGT002\n"
        "d = torch.log(\n"
        "    torch.sigmoid(x)\n"
        ")  # noqa: LGT002\n"
        "e = '# noqa'; f = torch.log(torch.sigmoid(x))\n"
    )
    path = tmp_path / "n.py"
    path.write_text(source)
    result = invoke("check", str(path), "--output-format", "concise", "-q")
    found = [(int(line.split(":")[1]), line.split()[1]) for line in result.output.splitlines()]
    # row 3's noqa names the wrong code: LGT002 stays, and LGT100 reports the stale LGT001
    assert found == [(3, "LGT002"), (3, "LGT100"), (8, "LGT002")]


def test_file_level_noqa(tmp_path: Path) -> None:
    path = tmp_path / "skip.py"
    path.write_text("# logitlint: noqa\nimport torch\na = torch.log(torch.sigmoid(x))\n")
    assert invoke("check", str(path)).exit_code == 0


def test_rule_and_rules_commands() -> None:
    doc = invoke("rule", "LGT001")
    assert doc.exit_code == 0 and "## Why is this bad?" in doc.output
    assert invoke("rule", "log-of-softmax").output.startswith("# LGT002 log-of-softmax")
    missing = CliRunner().invoke(main, ["rule", "LGT999"])
    assert missing.exit_code == 2
    listing = invoke("rules").output.splitlines()
    assert listing[0].startswith("LGT001  probabilities-as-logits")


def test_console_script_and_module_entry_points(root: Path) -> None:
    for command in (["logitlint"], [sys.executable, "-m", "logitlint"]):
        completed = subprocess.run(
            [*command, "check", SAMPLE, "--output-format", "concise"],
            capture_output=True,
            text=True,
            cwd=root,
            check=False,
        )
        assert completed.returncode == 1, completed.stderr
        assert "LGT001" in completed.stdout

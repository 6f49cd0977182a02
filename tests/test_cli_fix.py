"""The fix options as users run them: --fix, --unsafe-fixes, --diff, --fix-only,
--show-fixes, --exit-non-zero-on-fix, and fixing standard input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from logitlint.cli import main

SAMPLE = Path(__file__).parent / "data" / "sample.py"
# tests/data/sample.py has one unsafe LGT001 fix, one safe LGT002 fix, one noqa line.
SAFE_FIXED = "    lp = F.log_softmax(out, dim=1)\n"
UNSAFE_FIXED = "    loss = F.cross_entropy(out, y)\n"


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["check", *args], input=stdin, catch_exceptions=False)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    shutil.copyfile(SAMPLE, path)
    return path


def test_fix_applies_safe_fixes_and_reports_what_remains(sample: Path) -> None:
    result = invoke(str(sample), "--fix", "--output-format", "concise")
    assert result.exit_code == 1  # the unsafe LGT001 remains
    text = sample.read_text()
    assert SAFE_FIXED in text and UNSAFE_FIXED not in text
    lines = result.output.splitlines()
    assert len(lines) == 3 and "LGT001" in lines[0]
    assert lines[1] == "Found 2 errors (1 fixed, 1 remaining)."
    assert lines[2] == (
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    )


def test_unsafe_fixes_too_and_exit_zero_when_nothing_remains(sample: Path) -> None:
    result = invoke(str(sample), "--fix", "--unsafe-fixes")
    assert result.exit_code == 0
    assert result.output == "Found 2 errors (2 fixed, 0 remaining).\n"
    text = sample.read_text()
    assert SAFE_FIXED in text and UNSAFE_FIXED in text
    assert "torch.log(torch.sigmoid(out))  # noqa: LGT002" in text  # suppressed: untouched
    again = invoke(str(sample), "--fix", "--unsafe-fixes")
    assert again.output == "All checks passed!\n" and sample.read_text() == text


def test_unsafe_fixes_without_fix_writes_nothing(sample: Path) -> None:
    before = sample.read_bytes()
    result = invoke(str(sample), "--unsafe-fixes", "--output-format", "concise")
    assert result.exit_code == 1 and sample.read_bytes() == before
    assert result.output.splitlines()[-1] == "[*] 2 fixable with the `--fix` option."


def test_diff_prints_and_writes_nothing(sample: Path) -> None:
    before = sample.read_bytes()
    result = invoke(str(sample), "--diff")
    assert result.exit_code == 1 and sample.read_bytes() == before
    assert result.stdout.startswith(f"--- {sample}\n+++ {sample}\n@@ ")
    assert "-    lp = torch.log(F.softmax(out, dim=1))\n+" + SAFE_FIXED in result.stdout
    assert "+" + UNSAFE_FIXED not in result.stdout  # the unsafe fix is not in the diff
    assert (
        result.stderr == "Would fix 1 error (1 additional fix available with `--unsafe-fixes`).\n"
    )
    unsafe = invoke(str(sample), "--diff", "--unsafe-fixes")
    assert "+" + UNSAFE_FIXED in unsafe.stdout and unsafe.stderr == "Would fix 2 errors.\n"


def test_diff_exits_zero_when_there_is_nothing_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "clean.py"
    path.write_text("import torch\ny = torch.log_softmax(x, 1)\n")
    result = invoke(str(path), "--diff")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "No errors would be fixed.\n"


def test_fix_only_reports_fixes_only(sample: Path) -> None:
    result = invoke(str(sample), "--fix-only")
    assert result.exit_code == 0  # a finding remains, but --fix-only does not count it
    assert result.output == "Fixed 1 error (1 additional fix available with `--unsafe-fixes`).\n"
    assert SAFE_FIXED in sample.read_text()
    assert invoke(str(sample), "--fix-only").output == (
        "No errors fixed (1 fix available with `--unsafe-fixes`).\n"
    )


def test_exit_non_zero_on_fix(sample: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.py"
    shutil.copyfile(sample, copy)
    assert invoke(str(sample), "--fix-only", "--exit-non-zero-on-fix").exit_code == 1
    assert invoke(str(sample), "--fix-only", "--exit-non-zero-on-fix").exit_code == 0
    fixed_all = invoke(str(copy), "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix")
    assert fixed_all.exit_code == 1  # nothing remains, but something was fixed
    assert invoke(str(copy), "--fix", "--exit-non-zero-on-fix").exit_code == 0


def test_show_fixes_lists_fixes_per_file_and_rule(sample: Path, tmp_path: Path) -> None:
    other = tmp_path / "b.py"
    other.write_text(
        "import torch\na = torch.log(torch.sigmoid(x))\nb = torch.log(torch.softmax(x, 1))\n"
    )
    result = invoke(str(tmp_path), "--fix", "--unsafe-fixes", "--show-fixes")
    assert result.exit_code == 0
    assert result.output == (
        "Fixed 4 errors:\n"
        f"- {other}:\n"
        "    2 \u00d7 LGT002 (log-of-softmax)\n"
        f"- {sample}:\n"
        "    1 \u00d7 LGT001 (probabilities-as-logits)\n"
        "    1 \u00d7 LGT002 (log-of-softmax)\n"
        "\n"
        "Found 4 errors (4 fixed, 0 remaining).\n"
    )


def test_json_after_fix_lists_what_remains(sample: Path) -> None:
    result = invoke(str(sample), "--fix", "--output-format", "json")
    records = json.loads(result.output)
    assert [r["code"] for r in records] == ["LGT001"]
    assert records[0]["fix"]["applicability"] == "unsafe"
    assert records[0]["location"]["row"] == 10  # in the fixed file


def test_exit_zero_wins(sample: Path) -> None:
    assert invoke(str(sample), "--diff", "--exit-zero").exit_code == 0
    assert invoke(str(sample), "--fix", "--exit-zero").exit_code == 0


def test_stdin_fix_prints_the_fixed_source_and_reports_on_stderr() -> None:
    data = SAMPLE.read_bytes().replace(b"\n", b"\r\n")
    result = invoke(
        "--fix", "--stdin-filename", "train.py", "--output-format", "concise", stdin=data
    )
    assert result.exit_code == 1
    assert result.stdout_bytes == data.replace(
        b"torch.log(F.softmax(out, dim=1))", b"F.log_softmax(out, dim=1)"
    )  # CRLF kept
    assert result.stderr.startswith("train.py:10:28: LGT001")
    assert "(1 fixed, 1 remaining)" in result.stderr


def test_stdin_fix_echoes_input_it_cannot_fix() -> None:
    for data in (b"x = '\xe9'\n", b"import torch\ny = torch.log(torch.sigmoid(x)\n", b"x = 1\n"):
        result = invoke("--fix", "-", stdin=data)
        assert result.stdout_bytes == data


def test_stdin_diff() -> None:
    result = invoke("--diff", "-", stdin=b"import torch\ny = torch.log(torch.sigmoid(x))\n")
    assert result.exit_code == 1
    assert result.stdout == (
        "--- -\n+++ -\n@@ -1,2 +1,2 @@\n import torch\n"
        "-y = torch.log(torch.sigmoid(x))\n+y = torch.nn.functional.logsigmoid(x)\n"
    )


def test_fix_reports_a_fix_that_breaks_the_code(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round that does not parse: exit 2, the rule named, the file untouched."""
    from logitlint import fixer

    monkeypatch.setattr(fixer, "parses", lambda text: False)
    before = sample.read_bytes()
    result = invoke(str(sample), "--fix")
    assert result.exit_code == 2 and sample.read_bytes() == before
    assert "internal error" in result.stderr and "fix of LGT002" in result.stderr

"""The flake8 plugin, run through the real flake8: same findings, flake8's columns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from readme_snippets import snippet

TARGETS = ["tests/data/sample.py", "fixtures/LGT001", "fixtures/LGT002"]


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--format=%(path)s|%(row)d|%(col)d|%(code)s", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def parse(output: str) -> list[tuple[str, int, int, str]]:
    rows = []
    for line in output.splitlines():
        path, row, col, code = line.split("|")
        rows.append((path.removeprefix("./"), int(row), int(col), code))
    return sorted(rows)


def test_flake8_select_lgt_reports_what_logitlint_reports(root: Path) -> None:
    completed = flake8("--select", "LGT", *TARGETS, cwd=root)
    assert completed.returncode == 1, completed.stderr
    from_flake8 = parse(completed.stdout)
    logitlint = subprocess.run(
        [sys.executable, "-m", "logitlint", "check", "--output-format", "json",
         "--ignore", "LGT100", *TARGETS],
        capture_output=True, text=True, cwd=root, check=False,
    )  # fmt: skip
    records = json.loads(logitlint.stdout)
    expected = sorted(
        (
            str(Path(r["filename"]).relative_to(root)),
            r["location"]["row"],
            r["location"]["column"],  # flake8 prints its 0-based column plus one
            r["code"],
        )
        for r in records
    )
    assert len(expected) >= 30
    assert from_flake8 == expected


def test_flake8_message_and_noqa(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import torch\n"
        "a = torch.log(torch.sigmoid(x))\n"
        "b = torch.log(torch.sigmoid(x))  # noqa: LGT002\n",
        encoding="utf-8",
    )
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "LGT", "train.py"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert completed.stdout.splitlines() == [
        "train.py:2:5: LGT002 `log` of sigmoid output `torch.sigmoid(x)` (line 2) underflows "
        "to -inf; use `log_sigmoid`"
    ]


def test_readme_flake8_configuration_as_written(tmp_path: Path) -> None:
    (tmp_path / ".flake8").write_text(snippet("flake8-config"), encoding="utf-8")
    (tmp_path / "model.py").write_text(
        "import torch\n\n\ndef f(x):\n    return torch.log(torch.softmax(x, 1))\n",
        encoding="utf-8",
    )
    completed = flake8("model.py", cwd=tmp_path)
    assert [code for *_, code in parse(completed.stdout)] == ["LGT002"], completed.stderr

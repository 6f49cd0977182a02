"""The README's configuration, CI and ruff snippets, tried as written.

(The pre-commit, flake8 and editor snippets are tried in test_pre_commit.py,
test_flake8.py and test_lsp.py, with the tools they configure.)
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from readme_snippets import snippet
from test_output_formats import validate

MISUSE = "import torch\n\n\ndef nll(x):\n    return torch.log(torch.softmax(x, dim=1))\n"


def logitlint_command() -> str:
    return shutil.which("logitlint") or str(Path(sys.executable).with_name("logitlint"))


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_configuration_example(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": snippet("pyproject-config"),
            "src/model.py": MISUSE,
            "tests/test_model.py": MISUSE,  # per-file-ignores: LGT002
            "src/legacy_eval.py": MISUSE,  # per-file-ignores: every LGT code
            "generated/model.py": MISUSE,  # extend-exclude
            "src/stale.py": "x = 1  # noqa: LGT002\n",  # LGT100 is ignored
        },
    )
    completed = subprocess.run(
        [logitlint_command(), "check", "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert completed.returncode == 1, completed.stderr
    # output-format = "concise" comes from the file
    assert completed.stdout.splitlines()[0].startswith("src/model.py:5:12: LGT002")
    assert completed.stdout.count("LGT") == 1
    as_json = subprocess.run(
        [logitlint_command(), "check", "--output-format", "json", "src/model.py"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert json.loads(as_json.stdout)[0]["severity"] == "error"


def test_github_actions_job(tmp_path: Path) -> None:
    """The workflow's logitlint steps run as written; the SARIF they write is valid
    and is the file the upload step names (the actions themselves need GitHub)."""
    workflow = yaml.safe_load(snippet("github-actions"))
    job = workflow["jobs"]["logitlint"]
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["if"] == "always()"  # upload even though the lint step fails
    runs = [s["run"] for s in steps if "run" in s and s["run"].startswith("logitlint ")]
    assert len(runs) == 1
    write(tmp_path, {"train.py": MISUSE, "pkg/clean.py": "x = 1\n"})
    argv = shlex.split(runs[0])
    completed = subprocess.run(
        [logitlint_command(), *argv[1:]], cwd=tmp_path, capture_output=True, text=True
    )
    assert completed.returncode == 1, completed.stderr  # fails the job: findings
    document = json.loads((tmp_path / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    validate(document)
    (result,) = document["runs"][0]["results"]
    assert result["ruleId"] == "LGT002"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "train.py"


def test_ruff_keeps_logitlint_noqa_codes(tmp_path: Path) -> None:
    source = "import torch\n\ny = torch.log(torch.sigmoid(x))  # noqa: LGT002\n"
    write(tmp_path, {"m.py": source})

    def ruff() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--select", "RUF100,RUF102", "--no-cache",
             "m.py"],
            cwd=tmp_path, capture_output=True, text=True,
        )  # fmt: skip

    without = ruff()
    # RUF102 "invalid rule code" (RUF100 "unknown" before ruff 0.12): its fix deletes it
    assert without.returncode == 1 and "LGT002" in without.stdout, without.stdout
    write(tmp_path, {"pyproject.toml": snippet("ruff-config")})
    with_snippet = ruff()
    assert with_snippet.returncode == 0, with_snippet.stdout

"""The pre-commit hook, run by the real pre-commit (``try-repo``) in a scratch git repo.

The hook repository is a snapshot of this working tree (tracked and untracked files,
as git would commit them), so uncommitted changes are what is tested. try-repo
installs the hook into a fresh environment on every call (its store is temporary:
about 30-60 s each here); the tests that run the README's configuration share one.
Installing an environment needs the
package index (pip installs logitlint and its dependencies); the test is skipped, with
the reason, only when pre-commit cannot create an environment at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from readme_snippets import snippet

MISUSE = "import torch\n\n\ndef nll(x):\n    return torch.log(torch.softmax(x, dim=1))\n"
CLEAN = "import torch\n\n\ndef nll(x):\n    return torch.log_softmax(x, dim=1)\n"
TIMEOUT = 900  # seconds; the first run builds the hook's virtual environment


def git(*args: str, cwd: Path) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=_git_env()
    )
    return completed.stdout.strip()


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid",
        GIT_CONFIG_NOSYSTEM="1", HOME=os.environ.get("HOME", "/tmp"),
    )  # fmt: skip
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree as one commit: (path, sha)."""
    root = ROOT
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=root)
    for name in filter(None, listed.split("\0")):
        source = root / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git("init", "-q", cwd=snapshot)
    git("add", "-A", cwd=snapshot)
    git("commit", "-q", "-m", "snapshot", cwd=snapshot)
    return snapshot, git("rev-parse", "HEAD", cwd=snapshot)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    git("init", "-q", cwd=tmp_path)
    yield tmp_path


def pre_commit(*args: str, cwd: Path, store: Path) -> subprocess.CompletedProcess[str]:
    env = _git_env()
    env["PRE_COMMIT_HOME"] = str(store)
    env.pop("VIRTUAL_ENV", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    output = completed.stdout + completed.stderr
    if completed.returncode == 3 and "Installing environment" in output:
        log = store / "pre-commit.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else output[-2000:]
        if "virtualenv" in detail or "pip" in detail:
            pytest.skip(f"pre-commit cannot create a Python environment here:\n{detail}")
    return completed


def try_repo(hook_repo: tuple[Path, str], cwd: Path, store: Path):  # type: ignore[no-untyped-def]
    path, sha = hook_repo
    return pre_commit("try-repo", str(path), "logitlint", "--ref", sha, cwd=cwd, store=store)


def stage(project: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    git("add", *files, cwd=project)


def test_hook_fails_on_a_misuse(hook_repo: tuple[Path, str], project: Path, store: Path) -> None:
    stage(project, {"train.py": MISUSE})
    completed = try_repo(hook_repo, project, store)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "logitlint" in output and "Failed" in output
    assert "train.py:5:12" in output and "LGT002" in output


def test_hook_passes_on_clean_code(hook_repo: tuple[Path, str], project: Path, store: Path) -> None:
    stage(project, {"train.py": CLEAN, "stubs/model.pyi": "def f(x: int) -> int: ...\n"})
    completed = try_repo(hook_repo, project, store)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Passed" in completed.stdout


def test_hook_skips_when_no_python_file_is_staged(
    hook_repo: tuple[Path, str], project: Path, store: Path
) -> None:
    (project / "untracked.py").write_text(MISUSE, encoding="utf-8")  # not staged
    stage(project, {"README.md": "# notes\n", "data.csv": "a,b\n"})
    completed = try_repo(hook_repo, project, store)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "(no files to check)Skipped" in completed.stdout


def use_readme_config(hook_repo: tuple[Path, str], project: Path) -> None:
    """The README's snippet, with only the repository and rev pointed at the snapshot."""
    path, sha = hook_repo
    text = snippet("pre-commit-config")
    assert "repo: https://github.com/logitlint/logitlint" in text and "rev: v" in text
    lines = []
    for line in text.splitlines():
        if line.strip().startswith("- repo:"):
            line = line.split("- repo:")[0] + f"- repo: {path}"
        elif line.strip().startswith("rev:"):
            line = line.split("rev:")[0] + f"rev: {sha}"
        lines.append(line)
    stage(project, {".pre-commit-config.yaml": "\n".join(lines) + "\n"})


# The next tests use `pre-commit run` with the README's configuration: unlike try-repo,
# whose store is temporary, it keeps the hook environment, so only the first installs.


def test_readme_pre_commit_config_as_written(
    hook_repo: tuple[Path, str], project: Path, store: Path
) -> None:
    use_readme_config(hook_repo, project)
    stage(project, {"train.py": MISUSE})
    completed = pre_commit("run", cwd=project, store=store)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "LGT002" in completed.stdout


def test_hook_honours_excludes_for_staged_files(
    hook_repo: tuple[Path, str], project: Path, store: Path
) -> None:
    use_readme_config(hook_repo, project)
    stage(
        project,
        {
            "pyproject.toml": '[tool.logitlint]\nextend-exclude = ["generated"]\n',
            "generated/model.py": MISUSE,
            "train.py": CLEAN,
        },
    )
    completed = pre_commit("run", cwd=project, store=store)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "logitlint" in completed.stdout and "Passed" in completed.stdout
    stage(project, {"pyproject.toml": "[tool.logitlint]\n"})  # no longer excluded
    assert pre_commit("run", cwd=project, store=store).returncode == 1

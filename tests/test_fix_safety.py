"""What linting and fixing never do: run the code, or write where they were not asked.

- The code read is never imported, run or evaluated (tests/data/hostile.py leaves a
  marker file if it is), even with modules of the linted repository's own that shadow
  the ones logitlint imports.
- ``--fix`` writes only the files it was asked to lint; never through a symbolic link
  to outside the paths given; and a file it cannot write (read-only file or directory)
  is left intact, reported as an internal error (exit 2) with its findings as they
  still are in the file.

Read-only, as root: root ignores permission bits, and these tests run as root in some
environments, so ``read_only`` sets the immutable attribute too (``chattr +i``, which
binds root; Linux, CAP_LINUX_IMMUTABLE). Where that is not available either, it makes
the write fail the way the kernel would (a monkeypatched ``os.access`` for the file,
``tempfile.mkstemp`` for the directory) and says so in the test's id of mechanism.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from logitlint.cli import main

DATA = Path(__file__).parent / "data"
MISUSE = "import torch\ny = torch.log(torch.softmax(x, 1))\n"
FIXED = "import torch\ny = torch.log_softmax(x, 1)\n"
NOTEBOOK_HOSTILE = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
    "cells": [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": (DATA / "hostile.py").read_text().replace("__file__", "'nb.ipynb'"),
        }
    ],
}
# Modules logitlint imports, shadowed by the linted directory's own
SHADOWS = ("click", "libcst", "pathspec", "tempfile", "difflib", "torch")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--no-cache", "--isolated", *args])


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``directory``: content and modification time, links unfollowed."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(directory))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


# -- never runs the code ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["console-script", "python-m"])
def test_linting_and_fixing_never_run_the_code(tmp_path: Path, command: str) -> None:
    shutil.copy(DATA / "hostile.py", tmp_path / "hostile.py")
    (tmp_path / "nb.ipynb").write_text(json.dumps(NOTEBOOK_HOSTILE))
    for name in SHADOWS:  # what a `python -m` run would import from the working directory
        (tmp_path / f"{name}.py").write_text(
            f"import pathlib\npathlib.Path({str(tmp_path / 'MARKER')!r}).write_text('{name}')\n"
        )
    script = Path(sys.executable).with_name("logitlint")
    prefix = [str(script)] if command == "console-script" else [sys.executable, "-m", "logitlint"]
    if command == "console-script" and not script.exists():
        pytest.skip("no console script beside this interpreter")
    for options in ([], ["--fix", "--unsafe-fixes"]):
        completed = subprocess.run(
            [*prefix, "check", ".", "--no-cache", "--isolated", *options],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode in (0, 1), completed.stderr
        assert not (tmp_path / "MARKER").exists(), (tmp_path / "MARKER").read_text()
    fixed = (tmp_path / "hostile.py").read_text()
    assert "torch.log_softmax(x, dim=-1)" in fixed  # it was fixed, not just skipped
    assert "log_softmax" in (tmp_path / "nb.ipynb").read_text()
    assert not (tmp_path / "MARKER").exists()


# -- writes only what it was asked to ----------------------------------------------------


def test_fix_writes_only_the_files_named(tmp_path: Path) -> None:
    for name in ("named.py", "sibling.py", "sub/other.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(MISUSE)
    before = snapshot(tmp_path)
    result = invoke(str(tmp_path / "named.py"), "--fix")
    assert result.exit_code == 0, result.output
    after = snapshot(tmp_path)
    assert after.pop("named.py")[0] == FIXED.encode()
    before.pop("named.py")
    assert after == before  # byte for byte and not even touched; no stray files


def test_fix_never_writes_through_a_link_out_of_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target.py").write_text(MISUSE)
    (outside / "pkg").mkdir()
    (outside / "pkg" / "deep.py").write_text(MISUSE)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "own.py").write_text(MISUSE)
    (tree / "inner.py").write_text(MISUSE)
    (tree / "link_out.py").symlink_to(outside / "target.py")
    (tree / "link_in.py").symlink_to(tree / "inner.py")
    (tree / "linked_dir").symlink_to(outside / "pkg", target_is_directory=True)
    before = snapshot(outside)

    result = invoke(str(tree), "--fix", "--output-format", "json")

    assert snapshot(outside) == before  # nothing outside the tree changed
    assert (tree / "own.py").read_text() == FIXED
    assert (tree / "inner.py").read_text() == FIXED  # a link inside the tree may be fixed
    assert (tree / "link_out.py").is_symlink() and (tree / "link_in.py").is_symlink()
    # the link out is linted (as ruff does) and its finding stays; the linked
    # directory is not walked into (as ruff: directory links met while walking)
    remaining = [(Path(r["filename"]).name, r["code"]) for r in json.loads(result.stdout)]
    assert remaining == [("link_out.py", "LGT002")]
    assert result.exit_code == 1
    assert f"warning: {tree / 'link_out.py'}: not fixed: it is a symbolic link to " in (
        result.stderr
    )


def test_a_link_named_on_the_command_line_is_fixed_through(tmp_path: Path) -> None:
    """As in ruff: the user named it, so its target is what they asked to fix."""
    (tmp_path / "target.py").write_text(MISUSE)
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / "elsewhere" / "link.py"
    link.symlink_to(tmp_path / "target.py")
    assert invoke(str(link), "--fix").exit_code == 0
    assert link.is_symlink() and (tmp_path / "target.py").read_text() == FIXED


# -- a write that fails ----------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Make ``path`` unwritable for this process; yields the mechanism used."""
    mode = path.stat().st_mode
    path.chmod(mode & ~0o222)
    immutable = False
    try:
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            yield "chmod"
            return
        if shutil.which("chattr"):
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            immutable = done.returncode == 0
        if immutable:
            yield "chattr +i"
            return
        denied = OSError(errno.EACCES, "Permission denied")
        if path.is_dir():

            def refuse(*args: object, **kwargs: object) -> object:
                raise denied

            monkeypatch.setattr(tempfile, "mkstemp", refuse)
        else:
            real_access = os.access
            monkeypatch.setattr(
                os, "access", lambda p, m: False if m == os.W_OK else real_access(p, m)
            )
        yield "monkeypatched"
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_failed_write_leaves_the_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    directory = tmp_path / "project"
    directory.mkdir()
    path = directory / "m.py"
    path.write_text(MISUSE)
    (tmp_path / "ok.py").write_text(MISUSE)  # outside what is made read-only
    target = path if what == "file" else directory
    with read_only(target, monkeypatch) as mechanism:
        result = invoke(str(path), str(tmp_path / "ok.py"), "--fix", "--output-format", "json")
        assert path.read_text() == MISUSE, mechanism
        assert [p.name for p in directory.iterdir()] == ["m.py"]  # no temporary left
    reason = "the file is read-only" if what == "file" else "Permission denied"
    if mechanism == "chattr +i" and what == "directory":
        reason = "Operation not permitted"  # the immutable bit's error, not a mode's
    assert result.exit_code == 2, (mechanism, result.output)
    assert (
        f"error: internal error: {path}: cannot write file: {reason}; "
        "the file was left unchanged" in result.stderr
    ), (mechanism, result.stderr)
    # what is reported is what the file still holds, not what the fix would have left
    records = json.loads(result.stdout)
    assert [(Path(r["filename"]).name, r["code"]) for r in records] == [("m.py", "LGT002")]
    assert (tmp_path / "ok.py").read_text() == FIXED  # the other file was fixed

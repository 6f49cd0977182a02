"""Workers and the cache change how fast a run is, never what it reports.

No test here measures time (``bench/run.py`` does); they check that the output is
the same with one worker or several, with a cold cache or a warm one, and that the
cache notices every change that matters.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from click.testing import CliRunner, Result

from logitlint import cache, runner
from logitlint.cache import Cache, decode, encode, settings_key
from logitlint.cli import main
from logitlint.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    LintResult,
    Location,
    Severity,
)
from logitlint.registry import all_rules, resolve, rule_codes

ROOT = Path(__file__).resolve().parent.parent
BAD = "import torch\n\ndef f(x):\n    return torch.log(torch.softmax(x, 1))\n"
GOOD = "import torch\n\ndef f(x):\n    return torch.log_softmax(x, 1)\n"


def invoke(*args: str, cache_dir: Optional[Path] = None) -> Result:
    env = {"LOGITLINT_CACHE_DIR": str(cache_dir)} if cache_dir else None
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The fixtures and test data (broken and undecodable files too), copied."""
    target = tmp_path / "tree"
    shutil.copytree(ROOT / "fixtures", target / "fixtures")
    shutil.copytree(ROOT / "tests" / "data", target / "data")
    (target / "data" / "latin.py").write_bytes(b"import torch\nx = '\xe9'\n")
    return target


def test_same_output_with_one_or_two_workers_cold_or_warm(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    cache_dir = tmp_path / "cache"
    runs = {
        "jobs 1, no cache": invoke("check", "--no-cache", "-j", "1", "--output-format", "json"),
        "jobs 2, cold": invoke("check", "-j", "2", "--output-format", "json", cache_dir=cache_dir),
        "jobs 2, warm": invoke("check", "-j", "2", "--output-format", "json", cache_dir=cache_dir),
        "jobs 1, warm": invoke("check", "-j", "1", "--output-format", "json", cache_dir=cache_dir),
        "no prefilter": invoke(
            "check", "--no-cache", "--no-prefilter", "-j", "2", "--output-format", "json"
        ),
    }
    reference = runs["jobs 1, no cache"]
    records = json.loads(reference.output)
    assert reference.exit_code == 1
    assert {r["code"] for r in records} >= {"LGT000", "LGT001", "LGT002"}
    for name, result in runs.items():
        assert (result.exit_code, result.output) == (reference.exit_code, reference.output), name
    full = [invoke("check", "-j", n, cache_dir=cache_dir).output for n in ("1", "2")]
    assert full[0] == full[1] == invoke("check", "--no-cache").output


def test_warm_run_answers_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "other.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    cold = invoke("check", "--output-format", "concise", cache_dir=tmp_path / "c")
    assert cold.exit_code == 1 and "LGT002" in cold.output

    def no_linting(*args: object, **kwargs: object) -> LintResult:
        raise AssertionError("a warm run linted a file")

    monkeypatch.setattr(runner, "_lint_task", no_linting)
    monkeypatch.setattr(runner, "_wanted", no_linting)
    warm = invoke("check", "--output-format", "concise", cache_dir=tmp_path / "c")
    assert (warm.exit_code, warm.output) == (cold.exit_code, cold.output)
    full = invoke("check", cache_dir=tmp_path / "c").output
    assert "return torch.log(torch.softmax(x, 1))" in full  # source lines without a parse


def test_changed_content_is_linted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "model.py"
    target.write_text(BAD)
    assert invoke("check", "-q", cache_dir=tmp_path / "c").exit_code == 1
    target.write_text(GOOD)
    assert invoke("check", "-q", cache_dir=tmp_path / "c").exit_code == 0
    target.write_text(BAD.replace("def f", "\n\ndef f"))
    again = invoke("check", "--output-format", "concise", cache_dir=tmp_path / "c")
    assert "model.py:6:" in again.output  # the new row, not the cached one


def test_changed_settings_are_linted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(BAD)
    cache_dir = tmp_path / "c"
    assert invoke("check", "-q", cache_dir=cache_dir).exit_code == 1
    assert invoke("check", "-q", "--ignore", "LGT002", cache_dir=cache_dir).exit_code == 0
    assert invoke("check", "-q", cache_dir=cache_dir).exit_code == 1
    everything = runner.Settings(resolve(None, [], []))
    assert settings_key(everything) != settings_key(runner.Settings(frozenset({"LGT001"})))
    assert settings_key(everything) != settings_key(runner.Settings(everything.enabled, False))


def test_editing_logitlint_itself_invalidates(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = runner.Settings(frozenset({"LGT001"}))
    before = settings_key(settings)
    monkeypatch.setattr(cache, "source_hash", lambda: "edited")
    assert settings_key(settings) != before


def test_source_hash_covers_the_rules() -> None:
    digest = cache.source_hash()
    assert digest == cache.source_hash()
    rules_dir = Path(sys.modules[all_rules()[0].__module__].__file__ or "").parent
    assert any(p.name.startswith("lgt001_") for p in rules_dir.iterdir())


@pytest.mark.parametrize("damage", ["not json", "[]", '{"model.py": 3}', "entry"])
def test_corrupt_cache_is_ignored_and_rebuilt(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(BAD)
    cache_dir = tmp_path / "c"
    first = invoke("check", "--output-format", "json", cache_dir=cache_dir)
    [index] = list(cache_dir.rglob("*.json"))
    if damage == "entry":  # a well-formed index whose entry holds nonsense
        entries = json.loads(index.read_text())
        _digest, diagnostics = entries["model.py"]
        diagnostics[0]["location"] = ["one", 2]
        index.write_text(json.dumps(entries))
    else:
        index.write_text(damage)
    second = invoke("check", "--output-format", "json", cache_dir=cache_dir)
    assert (second.exit_code, second.output) == (first.exit_code, first.output)
    rebuilt = json.loads(index.read_text())
    assert rebuilt["model.py"][1][0]["location"] == [4, 12]


def test_no_cache_writes_nothing_and_clean_removes_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOGITLINT_CACHE_DIR")
    (tmp_path / "model.py").write_text(BAD)
    invoke("check", "--no-cache")
    assert not (tmp_path / ".logitlint_cache").exists()
    invoke("check")
    assert (tmp_path / ".logitlint_cache" / ".gitignore").read_text().endswith("*\n")
    assert invoke("clean").output == "Removed .logitlint_cache\n"
    assert not (tmp_path / ".logitlint_cache").exists()
    elsewhere = tmp_path / "elsewhere"
    invoke("check", cache_dir=elsewhere)
    assert list(elsewhere.rglob("*.json"))
    assert "Removed" in invoke("clean", cache_dir=elsewhere).output
    assert not elsewhere.exists()


def test_codec_round_trip_keeps_every_field() -> None:
    diagnostic = Diagnostic(
        code="LGT002",
        name="log-of-softmax",
        message="`log` of softmax ü",
        filename="a.py",
        location=Location(3, 5),
        end_location=Location(4, 1),
        severity=Severity.WARNING,
        url="https://example.invalid/lgt002",
        fix=Fix(
            "Replace",
            Applicability.UNSAFE,
            (Edit(Location(3, 5), Location(4, 1), "x"), Edit(Location(1, 1), Location(1, 1), "")),
        ),
        noqa_row=4,
        cell=2,
    )
    record = json.loads(json.dumps(encode(diagnostic)))
    assert decode("a.py", record) == diagnostic
    fields = set(Diagnostic.__dataclass_fields__)
    assert fields == cache.ENCODED_FIELDS, "teach logitlint/cache.py the new field"


def test_results_with_internal_errors_are_not_cached(tmp_path: Path) -> None:
    store = Cache(runner.Settings(frozenset({"LGT001"})), str(tmp_path))
    store.put("a.py", "d1", LintResult(internal_errors=["boom"]))
    store.put("b.py", "d2", LintResult())
    store.save()
    again = Cache(runner.Settings(frozenset({"LGT001"})), str(tmp_path))
    assert again.get("a.py", "d1") is None
    assert again.get("b.py", "d2") == []
    assert again.get("b.py", "other content") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_dying_worker_costs_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.py", "crash.py", "z.py"):
        (tmp_path / name).write_text(BAD)
    real = runner._lint

    def crashing(text: str, filename: str, *args: object) -> LintResult:
        if filename.endswith("crash.py"):
            os._exit(3)  # a worker killed from under us, as by a native crash
        return real(text, filename, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_lint", crashing)
    paths = [str(tmp_path / n) for n in ("a.py", "crash.py", "z.py")]
    result = runner.run(paths, runner.Settings(resolve(None, [], [])), jobs=2)
    assert [e.split(":")[0] for e in result.internal_errors] == [paths[1]]
    assert sorted({d.filename for d in result.diagnostics}) == [paths[0], paths[2]]


def test_rule_modules_are_named_after_their_codes() -> None:
    """``rule_codes`` reads codes from module names; they must match the classes."""
    assert rule_codes() == tuple(rule.code for rule in all_rules())
    for rule in all_rules():
        module = rule.__module__.rsplit(".", 1)[-1]
        assert module.startswith(rule.code.lower() + "_")


def _imported_after(*args: str, cache_dir: Path, stdin: Optional[str] = None) -> set[str]:
    """The modules a CLI run in a fresh interpreter has imported when it is done."""
    script = (
        "import sys\n"
        "from logitlint.cli import main\n"
        f"sys.argv = ['logitlint', *{list(args)!r}]\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {**os.environ, "LOGITLINT_CACHE_DIR": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-c", script], input=stdin, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


def test_a_warm_run_does_not_import_libcst(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "plain.py").write_text("x = 1\n")
    args = ("check", "-q", str(tmp_path))
    cold = _imported_after(*args, cache_dir=tmp_path / "c")
    assert "libcst" in cold
    warm = _imported_after(*args, cache_dir=tmp_path / "c")
    assert "libcst" not in warm and "logitlint.engine" not in warm


def test_the_editor_path_imports_only_what_it_uses(tmp_path: Path) -> None:
    modules = _imported_after(
        "check", "--output-format", "json", "--stdin-filename", "a.py",
        cache_dir=tmp_path, stdin=BAD,
    )  # fmt: skip
    assert "logitlint.output.json_format" in modules
    for unused in ("logitlint.output.full", "logitlint.output.concise", "logitlint.cache"):
        assert unused not in modules
    assert "concurrent.futures" not in modules and "multiprocessing" not in modules


_FAST_IMPORT = """
import dataclasses, sys
import logitlint._fastimport as fast
fast._table_path = lambda table="libcst": sys.argv[1]
compiled = fast.import_libcst()
import libcst as cst
assert not hasattr(dataclasses, "exec")
source = "import torch\\nx = torch.softmax(y, dim=1)  # c\\n"
module = cst.parse_module(source)
assert module.code == source
name = cst.Name("x")
assert name.deep_equals(cst.Name("x")) and not name.deep_equals(cst.Name("y"))
assert repr(name).startswith("Name(") and name == name and name != cst.Name("x")
assert name.with_changes(value="z").value == "z"
try:
    name.value = "w"
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError("nodes must stay frozen")
assert type(sys.modules["libcst.metadata"]).__name__ == "_DeferredPackage"
assert "libcst.metadata.scope_provider" not in sys.modules  # deferred: not imported yet
from libcst.metadata import MetadataWrapper, PositionProvider  # now it loads, whole
assert "libcst.metadata.scope_provider" in sys.modules and cst.metadata.ScopeProvider
positions = MetadataWrapper(module).resolve(PositionProvider)
assert max(p.end.line for p in positions.values()) == 3
print(compiled)
"""


def test_libcst_imports_the_same_from_the_compiled_table(tmp_path: Path) -> None:
    """The dataclass code table changes how fast libcst imports, not what it is."""
    table = tmp_path / "table.marshal"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run() -> int:
        done = subprocess.run(
            [sys.executable, "-c", _FAST_IMPORT, str(table)],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        return int(done.stdout)

    assert run() > 100  # first import: every method compiled, and the table written
    assert table.stat().st_size > 0
    assert run() == 0  # second: every method from the table
    table.write_bytes(b"\x00not marshal")
    assert run() > 100  # a damaged table is ignored (and rewritten)


def test_the_runner_knows_the_notebook_suffix() -> None:
    from logitlint import notebook, runner

    assert runner.NOTEBOOK_SUFFIX == notebook.NOTEBOOK_SUFFIX

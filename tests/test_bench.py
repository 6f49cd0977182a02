"""bench/run.py's bookkeeping: which files a corpus has, and the summary table.

Nothing here runs a tool or measures time; the README's Performance table is this
summary, so its ratios and bounds must say what the medians say.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
assert _SPEC is not None and _SPEC.loader is not None
bench = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_run"] = bench
_SPEC.loader.exec_module(bench)


def _tool(name: str, *walls: float, timed_out: bool = False) -> object:
    tool = bench.Tool(name, [name])
    tool.samples = [bench.Sample(w, w / 2, 50_000, 0, timed_out) for w in walls]
    return tool


def test_python_files_lists_a_corpus_inside_site_packages(tmp_path: Path) -> None:
    corpus = tmp_path / "lib" / "site-packages" / "torch"
    (corpus / "nn" / "__pycache__").mkdir(parents=True)
    (corpus / "nn" / "functional.py").write_text("x = 1\n")
    (corpus / "nn" / "__pycache__" / "functional.py").write_text("x = 1\n")
    (corpus / "__init__.py").write_text("")
    (corpus / "README.md").write_text("")
    found = bench.python_files(corpus)
    assert found == [str(corpus / "__init__.py"), str(corpus / "nn" / "functional.py")]


def test_summary_row_gives_medians_ratios_and_bounds() -> None:
    tools = [
        _tool("logitlint cold", 2.0, 4.0, 3.0),
        _tool("logitlint warm", 0.5, 0.4, 0.6),
        _tool("logitlint stdin", 0.3, 0.2, 0.25),
        _tool("ruff warm", 0.2, 0.2, 0.2),
        _tool("flake8", 9.0),
        _tool("TorchFix", 36.0, timed_out=True),
    ]
    row = bench.summary([bench.Measured(Path("/x/corpus"), 300, 12345, tools)]).splitlines()[2]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    named = dict(zip(bench.SUMMARY_COLUMNS, cells))
    assert named["corpus"] == "corpus" and named["lines"] == "12,345"
    assert named["logitlint cold (s)"] == "3.00" and named["logitlint warm (s)"] == "0.50"
    assert named["flake8 / cold"] == "3.0"
    assert named["TorchFix (s)"] == ">36.00" and named["TorchFix / cold"] == ">12.0"
    assert named["ruff warm / warm"] == "0.4" and named["ruff cold (s)"] == "-"
    assert named["cold files/s"] == "100" and named["editor path (s)"] == "0.25"
    assert named["peak RSS (MB)"] == "49"

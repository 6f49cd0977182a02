"""Benchmark logitlint against ruff, flake8 and TorchFix on real code.

    python bench/run.py [CORPUS ...] [--runs 5] [--jobs N] [--torchfix PATH] [--verify]

Each corpus is a directory of Python code (default: the installed ``torch``
package's sources, which the test extras bring). For each corpus the script lists
the ``.py`` files once and hands the same explicit list to every tool, then, in
rounds that alternate between the tools so that a busy machine slows them alike:

- logitlint cold (an empty cache directory every run), warm (the cache filled by a
  previous run, nothing changed) and the editor path (one ~500-line file that the
  prefilter keeps, through ``--stdin-filename``, process start included);
- ruff's default rules, cold (``--no-cache``) and warm (its cache filled);
- flake8's default plugins;
- TorchFix (``torchfix``), where installed.

Every tool gets ``--jobs`` workers where it has the option (ruff uses its threads)
and prints one line per finding (ruff and logitlint with ``--output-format
concise``) to a file. Reported per tool: files, lines, median wall time, files/s,
CPU time (user + system, workers included), the peak RSS of its largest process,
and the ratios the targets are stated in. A tool that runs longer than
``--slow-after`` seconds is run ``--slow-runs`` times only, and one that exceeds
``--timeout`` is stopped: its time is then a lower bound (shown as ``>``). With
``--enough F``, TorchFix runs after the rounds and is stopped once it has run F times
as long as logitlint's cold median: enough to show a ratio of at least F.

``--logitlint PATH`` measures another installation (e.g. a regular, non-editable
install: an editable one adds an import hook to every Python start). At the end, a
markdown table sums up every corpus (README.md's Performance section is one).

``--verify`` also lints each corpus with 1 and N workers, cold and warm, and
without the prefilter, and fails unless all outputs are identical.

TorchFix pins an old libcst, so it usually lives in its own virtual environment:
``--torchfix /path/to/venv/bin/torchfix``. Python tools run with bytecode writing
allowed (as on a user's machine), after one untimed warm-up run each.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

BIN = Path(sys.executable).parent


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_kb: int
    returncode: int
    timed_out: bool = False


@dataclass
class Tool:
    """One measured command: what to run, and how to prepare each run."""

    name: str
    argv: list[str]
    stdin: Optional[Path] = None
    prepare: Optional[str] = None  # "empty-cache" before each run
    cache_dir: Optional[Path] = None
    env: dict[str, str] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    wanted_runs: int = 0

    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    def bounded(self) -> bool:
        return any(s.timed_out for s in self.samples)


def default_corpus() -> Path:
    spec = importlib.util.find_spec("torch")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("no corpus given and torch is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def python_files(corpus: Path) -> list[str]:
    """Every ``.py`` file under ``corpus`` (not logitlint's discovery, whose default
    excludes would drop a corpus inside ``site-packages``, such as torch's)."""
    found: list[str] = []
    for directory, subdirectories, files in os.walk(corpus):
        subdirectories[:] = sorted(
            d for d in subdirectories if d != "__pycache__" and not d.startswith(".")
        )
        found.extend(
            os.path.join(directory, name) for name in sorted(files) if name.endswith(".py")
        )
    return found


def count_lines(files: Sequence[str]) -> int:
    total = 0
    for name in files:
        with open(name, "rb") as handle:
            total += handle.read().count(b"\n")
    return total


def editor_file(files: Sequence[str]) -> Optional[str]:
    """A file of about 500 lines that the prefilter keeps (so it is really linted)."""
    from logitlint.engine import wanted_rules
    from logitlint.registry import all_rules

    best: Optional[tuple[int, str]] = None
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        if not wanted_rules(text, all_rules()):
            continue
        distance = abs(text.count("\n") - 500)
        if best is None or distance < best[0]:
            best = (distance, name)
    return best[1] if best else None


def executable(name: str, given: Optional[str] = None) -> Optional[str]:
    if given:
        return given if os.access(given, os.X_OK) else None
    local = BIN / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def measure(tool: Tool, out: Path, timeout: float) -> Sample:
    if tool.prepare == "empty-cache" and tool.cache_dir is not None:
        shutil.rmtree(tool.cache_dir, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(tool.env)
    stdin = open(tool.stdin, "rb") if tool.stdin else subprocess.DEVNULL  # noqa: SIM115
    with open(out, "wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(
            tool.argv,
            stdin=stdin,
            stdout=sink,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        timed_out = False
        deadline = start + timeout
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    os.killpg(process.pid, signal.SIGKILL)
                    timed_out = True
                    pid, status, usage = os.wait4(process.pid, 0)
                    break
                time.sleep(0.002)
        except BaseException:  # interrupted: take the tool's whole process group along
            os.killpg(process.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if tool.stdin:
        stdin.close()  # type: ignore[union-attr]
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, usage.ru_maxrss, process.returncode, timed_out)


def bench_corpus(corpus: Path, args: argparse.Namespace, workdir: Path) -> Measured:
    files = python_files(corpus)
    lines = count_lines(files)
    print(f"\n## {corpus}\n{len(files)} files, {lines} lines", flush=True)
    listing = workdir / "files.txt"
    listing.write_text("\n".join(files))
    editor = args.stdin_file or editor_file(files)
    jobs = str(args.jobs)
    tools: list[Tool] = []
    logitlint = executable("logitlint", args.logitlint)
    if logitlint:
        cache = workdir / "logitlint-cache"
        check = [logitlint, "check", "--output-format", "concise", "-j", jobs, *files]
        env = {"LOGITLINT_CACHE_DIR": str(cache)}
        tools.append(Tool("logitlint cold", check, prepare="empty-cache", cache_dir=cache, env=env))
        tools.append(Tool("logitlint warm", check, env=env))
        if editor:
            print(f"editor file: {editor} ({count_lines([editor])} lines)")
            stdin_argv = [logitlint, "check", "--output-format", "json", "--stdin-filename", editor]
            tools.append(Tool("logitlint stdin", stdin_argv, stdin=Path(editor)))
    ruff = executable("ruff")
    if ruff:
        base = [ruff, "check", "--isolated", "--exit-zero", "--output-format", "concise"]
        ruff_cache = workdir / "ruff-cache"
        tools.append(Tool("ruff cold", [*base, "--no-cache", *files]))
        tools.append(Tool("ruff warm", [*base, "--cache-dir", str(ruff_cache), *files]))
        if editor:
            stdin_argv = [*base, "--no-cache", "--stdin-filename", editor, "-"]
            tools.append(Tool("ruff stdin", stdin_argv, stdin=Path(editor)))
    flake8 = executable("flake8")
    if flake8:
        tools.append(Tool("flake8", [flake8, "--isolated", "--exit-zero", "-j", jobs, *files]))
    torchfix = executable("torchfix", args.torchfix)
    if torchfix:
        tools.append(Tool("TorchFix", [torchfix, "-j", jobs, *files]))

    out = workdir / "out.txt"
    for tool in tools:  # untimed: bytecode and file cache; the warm runs' caches filled
        if tool.name.endswith("warm") or tool.stdin:
            measure(tool, out, args.timeout)
        else:  # on one file only: a slow tool must not pay a whole extra run
            measure(Tool(tool.name, [*tool.argv[: -len(files)], files[0]], env=tool.env), out, 60)
        tool.wanted_runs = args.runs
    cold = tools[0] if tools and tools[0].name == "logitlint cold" else None
    # With --enough, TorchFix (minutes per run) runs after the rounds, once logitlint
    # cold's median is known, and is stopped at that many times the median.
    late = [t for t in tools if args.enough and cold is not None and t.name == "TorchFix"]
    rounds = [(r, [t for t in tools if t not in late]) for r in range(args.runs)]
    rounds += [(args.runs + r, late) for r in range(args.runs)]
    for round_index, members in rounds:
        for tool in members:
            if len(tool.samples) >= tool.wanted_runs:
                continue
            timeout = args.timeout
            if tool in late and cold is not None and cold.samples:
                timeout = min(timeout, max(args.enough * cold.median(), 10.0))
            sample = measure(tool, out, timeout)
            tool.samples.append(sample)
            if sample.wall > args.slow_after or sample.timed_out:
                tool.wanted_runs = min(tool.wanted_runs, args.slow_runs)
            print(
                f"  round {round_index + 1}: {tool.name:<16} {sample.wall:8.2f} s"
                f"{' (stopped)' if sample.timed_out else ''}",
                flush=True,
            )
    report(corpus, files, lines, editor, tools, args)
    if args.verify and logitlint:
        verify(logitlint, files, workdir, args.jobs)
    return Measured(corpus, len(files), lines, tools)


@dataclass
class Measured:
    corpus: Path
    files: int
    lines: int
    tools: list[Tool]

    def median(self, name: str) -> Optional[float]:
        for tool in self.tools:
            if tool.name == name and tool.samples:
                return tool.median()
        return None

    def cell(self, name: str) -> str:
        for tool in self.tools:
            if tool.name == name and tool.samples:
                return _time(tool)
        return "-"

    def ratio(self, theirs: str, ours: str) -> str:
        mine, other = self.median(ours), self.median(theirs)
        if mine is None or other is None or mine <= 0:
            return "-"
        bounded = any(t.bounded() for t in self.tools if t.name == theirs)
        return f"{'>' if bounded else ''}{other / mine:.1f}"

    def peak_mb(self) -> str:
        ours = [s.rss_kb for t in self.tools if t.name.startswith("logitlint") for s in t.samples]
        return f"{max(ours) / 1024:.0f}" if ours else "-"


SUMMARY_COLUMNS = (
    "corpus", "files", "lines", "logitlint cold (s)", "logitlint warm (s)", "ruff cold (s)",
    "ruff warm (s)", "flake8 (s)", "TorchFix (s)", "flake8 / cold", "TorchFix / cold",
    "ruff warm / warm", "cold files/s", "peak RSS (MB)", "editor path (s)",
)  # fmt: skip


def summary(measured: Sequence[Measured]) -> str:
    """One markdown row per corpus: the table README.md's Performance section shows.

    Ratios are the peer's median over logitlint's (higher is better for
    logitlint); the targets: flake8 / cold >= 1, TorchFix / cold >= 10, ruff warm /
    warm >= 0.33, peak RSS < 300 MB, editor path < 0.35 s.
    """
    lines = [
        "| " + " | ".join(SUMMARY_COLUMNS) + " |",
        "| --- |" + " ---: |" * (len(SUMMARY_COLUMNS) - 1),
    ]
    for m in measured:
        cold = m.median("logitlint cold")
        rate = f"{m.files / cold:,.0f}" if cold else "-"
        cells = [
            m.corpus.name, str(m.files), f"{m.lines:,}", m.cell("logitlint cold"),
            m.cell("logitlint warm"), m.cell("ruff cold"), m.cell("ruff warm"),
            m.cell("flake8"), m.cell("TorchFix"), m.ratio("flake8", "logitlint cold"),
            m.ratio("TorchFix", "logitlint cold"), m.ratio("ruff warm", "logitlint warm"),
            rate, m.peak_mb(), m.cell("logitlint stdin"),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _time(tool: Tool) -> str:
    return f"{'>' if tool.bounded() else ''}{tool.median():.2f}"


def report(
    corpus: Path,
    files: Sequence[str],
    lines: int,
    editor: Optional[str],
    tools: list[Tool],
    args: argparse.Namespace,
) -> None:
    by_name = {tool.name: tool for tool in tools}
    print()
    print("| tool | runs | median wall (s) | files/s | CPU (s) | peak RSS (MB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for tool in tools:
        median = tool.median()
        count = 1 if tool.stdin else len(files)
        rate = f"{count / median:,.0f}" if median > 0 else "-"
        cpu = statistics.median(s.cpu for s in tool.samples)
        rss = max(s.rss_kb for s in tool.samples) / 1024
        cells = [tool.name, str(len(tool.samples)), _time(tool), rate, f"{cpu:.2f}", f"{rss:.0f}"]
        print("| " + " | ".join(cells) + " |")
    print()
    ratios: list[tuple[str, str, str, Optional[float], str]] = [
        ("logitlint cold", "flake8", "flake8 / logitlint cold", 1.0, ">= 1"),
        ("logitlint cold", "TorchFix", "TorchFix / logitlint cold", 10.0, ">= 10"),
        ("logitlint cold", "ruff cold", "ruff cold / logitlint cold", None, ""),
        ("logitlint warm", "ruff warm", "ruff warm / logitlint warm", 1 / 3, ">= 0.33"),
    ]
    for ours, theirs, label, target, wording in ratios:
        if ours in by_name and theirs in by_name:
            value = by_name[theirs].median() / by_name[ours].median()
            bound = ">" if by_name[theirs].bounded() else ""
            verdict = ""
            if target is not None:
                verdict = " (target " + wording + (": met)" if value >= target else ": MISSED)")
            print(f"- {label}: {bound}{value:.2f}{verdict}")
    if "logitlint stdin" in by_name:
        stdin = by_name["logitlint stdin"].median()
        verdict = "met" if stdin < 0.35 else "MISSED"
        print(f"- editor path ({editor}): {stdin:.3f} s (target < 0.35 s: {verdict})")
    ours = [s.rss_kb for t in tools if t.name.startswith("logitlint") for s in t.samples]
    peak = max(ours, default=0)
    if peak:
        verdict = "met" if peak / 1024 < 300 else "MISSED"
        print(f"- logitlint peak RSS: {peak / 1024:.0f} MB (target < 300 MB: {verdict})")


def verify(logitlint: str, files: Sequence[str], workdir: Path, jobs: int) -> None:
    """The same findings with 1 or N workers, cold or warm, with or without prefilter."""
    cache = workdir / "verify-cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["LOGITLINT_CACHE_DIR"] = str(cache)
    base = [logitlint, "check", "--output-format", "json-lines"]
    modes = {
        "1 worker, no cache": [*base, "-j", "1", "--no-cache"],
        f"{jobs} workers, cold": [*base, "-j", str(jobs)],
        f"{jobs} workers, warm": [*base, "-j", str(jobs)],
        "1 worker, warm": [*base, "-j", "1"],
        f"{jobs} workers, no prefilter": [*base, "-j", str(jobs), "--no-cache", "--no-prefilter"],
    }
    outputs: dict[str, str] = {}
    for name, argv in modes.items():
        done = subprocess.run([*argv, *files], capture_output=True, text=True, env=env)
        outputs[name] = done.stdout
        print(f"  verify {name}: {done.stdout.count(chr(10))} findings, exit {done.returncode}")
    reference = next(iter(outputs.values()))
    different = [name for name, text in outputs.items() if text != reference]
    if different:
        raise SystemExit(f"outputs differ: {different}")
    print("- outputs identical across workers, cache and prefilter")


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpora", nargs="*", type=Path, help="directories of Python code")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool (median)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--torchfix", help="the torchfix executable (own environment)")
    parser.add_argument(
        "--logitlint", help="the logitlint executable (default: this environment's)"
    )
    parser.add_argument("--stdin-file", help="the file for the editor path")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--slow-after", type=float, default=60.0)
    parser.add_argument("--slow-runs", type=int, default=1)
    parser.add_argument(
        "--enough",
        type=float,
        default=0.0,
        help="stop a peer once it ran this many times logitlint cold's median (a bound)",
    )
    parser.add_argument("--verify", action="store_true", help="check output identity too")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the running tool too
    corpora = args.corpora or [default_corpus()]
    print(f"# logitlint benchmark, {datetime.date.today()}, {machine()}, {args.jobs} jobs")
    measured: list[Measured] = []
    for corpus in corpora:
        with tempfile.TemporaryDirectory(prefix="logitlint-bench-") as workdir:
            measured.append(bench_corpus(corpus, args, Path(workdir)))
        # after each corpus, so that a long run shows what it has so far
        print(f"\n## Summary ({datetime.date.today()}, {machine()}, {args.jobs} jobs)\n")
        print(summary(measured), flush=True)


if __name__ == "__main__":
    main()

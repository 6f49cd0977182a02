"""The command line: ``logitlint check``, ``rule CODE``, ``rules``, ``server``, ``clean``.

Exit codes (every mode): 0 nothing to report, 1 findings remain, 2 usage error or
internal error. The option names and their behaviour follow ruff's, so that a ruff
user needs nothing new.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import TYPE_CHECKING, Optional

import click

from logitlint import __version__
from logitlint.output import FORMATS

if TYPE_CHECKING:
    from logitlint import runner
    from logitlint.runner import RunResult
    from logitlint.settings import Resolver, Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _selectors(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[str]:
    from logitlint.registry import SelectorError, parse_selectors

    try:
        return parse_selectors(values)
    except SelectorError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="logitlint")
def main() -> None:
    """Find logits misuse (softmax, sigmoid and log mix-ups) in Python ML code."""
    # Parsing allocates some 200 objects per source line, few of them garbage: with
    # the default thresholds the collector runs every 700 allocations and costs a
    # tenth of a run. Collecting 70 times less often costs a few MB.
    gc.set_threshold(50_000, 20, 100)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--select",
    multiple=True,
    callback=_selectors,
    help="Rule codes or prefixes to enable (comma-separated; ALL for every rule).",
)
@click.option(
    "--extend-select",
    multiple=True,
    callback=_selectors,
    help="Rule codes or prefixes to enable on top of --select.",
)
@click.option(
    "--ignore", multiple=True, callback=_selectors, help="Rule codes or prefixes to disable."
)
@click.option(
    "--fixable", multiple=True, callback=_selectors, help="Rule codes whose fixes --fix applies."
)
@click.option(
    "--unfixable",
    multiple=True,
    callback=_selectors,
    help="Rule codes whose fixes --fix never applies.",
)
@click.option(
    "--output-format",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="How to print diagnostics (default: the configuration's, else full).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the output to this file instead of standard output.",
)
@click.option(
    "--statistics", is_flag=True, help="Print how often each rule fired, not each finding."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Use this pyproject.toml or logitlint.toml for every file (no discovery).",
)
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option(
    "--show-settings", is_flag=True, help="Print the settings used for the first path and exit."
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply exclude/extend-exclude to paths named on the command line too (pre-commit).",
)
@click.option(
    "--stdin-filename",
    default=None,
    help="Lint standard input, reporting it under (and configuring it as) this file name.",
)
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every line with a finding.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--fix/--no-fix",
    default=None,
    help="Apply safe fixes (and unsafe ones with --unsafe-fixes); report what remains.",
)
@click.option(
    "--unsafe-fixes/--no-unsafe-fixes",
    default=None,
    help="Let --fix, --fix-only and --diff apply unsafe fixes too.",
)
@click.option(
    "--fix-only/--no-fix-only",
    default=None,
    help="Apply fixes and report nothing else; exit 0 unless --exit-non-zero-on-fix.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff and write nothing; exit 1 when there is one.",
)
@click.option(
    "--show-fixes/--no-show-fixes",
    default=None,
    help="List what was fixed, per file and rule.",
)
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit 1 when anything was fixed, even if nothing remains.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print diagnostics only, no summary.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for many files (default: one per CPU; 1: no workers).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the cache (.logitlint_cache, or $LOGITLINT_CACHE_DIR).",
)
@click.option("--no-prefilter", is_flag=True, hidden=True, help="Parse every file (testing).")
def check(
    paths: tuple[str, ...],
    select: list[str],
    extend_select: list[str],
    ignore: list[str],
    fixable: list[str],
    unfixable: list[str],
    output_format: Optional[str],
    output_file: Optional[str],
    statistics: bool,
    config_path: Optional[str],
    isolated: bool,
    show_settings: bool,
    force_exclude: bool,
    stdin_filename: Optional[str],
    add_noqa: bool,
    exit_zero: bool,
    fix: Optional[bool],
    unsafe_fixes: Optional[bool],
    fix_only: Optional[bool],
    diff: bool,
    show_fixes: Optional[bool],
    exit_non_zero_on_fix: bool,
    quiet: bool,
    jobs: Optional[int],
    no_cache: bool,
    no_prefilter: bool,
) -> None:
    """Lint PATHS (files or directories; default: the current directory; - for stdin).

    With --fix, fixes are applied in place (atomically, keeping encoding, BOM and line
    endings); with standard input, the fixed source is printed instead and the report
    goes to standard error.
    """
    from logitlint import output, runner
    from logitlint.config import ConfigError
    from logitlint.settings import Overrides, Resolver

    overrides = Overrides(
        select=select or None,
        extend_select=extend_select,
        ignore=ignore,
        fixable=fixable or None,
        unfixable=unfixable,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        output_format=output_format,
        prefilter=not no_prefilter,
    )
    use_stdin = "-" in paths or (stdin_filename is not None and not paths)
    fixed_stdin: Optional[bytes] = None
    try:
        resolver = Resolver(overrides, config_path, isolated)
        if show_settings:
            target = stdin_filename if use_stdin and stdin_filename else (paths or ["."])[0]
            _show_settings(resolver, target)
            return
        if add_noqa:
            if use_stdin:
                raise click.UsageError("--add-noqa rewrites files; it cannot read stdin")
            _add_noqa(resolver, paths, force_exclude)
            return
        here = resolver.settings_for(os.getcwd())
        only = bool(fix_only) or diff
        fixing: Optional[runner.Fixing] = None
        if (fix if fix is not None else here.fix) or only:
            roots = tuple(os.path.realpath(path) for path in paths or ["."])
            fixing = runner.Fixing(unsafe=unsafe_fixes, write=not diff, roots=roots)
        if use_stdin:
            result, fixed_stdin = _lint_stdin(resolver, stdin_filename, force_exclude, fixing)
        else:
            result = _lint_paths(
                resolver, paths, force_exclude, fixing, jobs=jobs, use_cache=not no_cache
            )
        fmt = output_format or here.output_format
        show_unsafe = unsafe_fixes if unsafe_fixes is not None else here.unsafe_fixes
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)

    fixed = result.fixed_count
    if diff:
        click.echo("".join(result.diffs), nl=False)
        if not quiet:
            text = output.fix_only_summary(result.diagnostics, fixed, show_unsafe, "Would fix")
            click.echo(text, nl=False, err=True)
    else:
        # Fixed stdin goes to standard output, so the report moves to standard error.
        if fixed_stdin is not None:
            sys.stdout.flush()
            sys.stdout.buffer.write(fixed_stdin)
            sys.stdout.buffer.flush()
        _emit(
            result,
            fmt,
            statistics,
            quiet,
            output_file,
            only=only,
            show_fixes=bool(show_fixes),
            unsafe=show_unsafe,
            to_stderr=fixed_stdin is not None,
        )
    for message in result.warnings:
        click.echo(f"warning: {message}", err=True)
    for message in result.internal_errors:
        click.echo(f"error: internal error: {message}", err=True)
    sys.exit(_exit_code(result, exit_zero, diff, only, exit_non_zero_on_fix))


def _exit_code(
    result: runner.RunResult, exit_zero: bool, diff: bool, only: bool, on_fix: bool
) -> int:
    """DESIGN.md's exit codes, with ruff's rules for the fix modes."""
    if result.internal_errors:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    if diff:
        return EXIT_FINDINGS if result.diffs else EXIT_CLEAN
    if on_fix and result.fixed_count:
        return EXIT_FINDINGS
    if only:
        return EXIT_CLEAN
    return EXIT_FINDINGS if result.diagnostics else EXIT_CLEAN


def _lint_stdin(
    resolver: Resolver,
    stdin_filename: Optional[str],
    force_exclude: bool,
    fixing: Optional[runner.Fixing],
) -> tuple[RunResult, Optional[bytes]]:
    """One buffer, configured as if it were the file ``stdin_filename`` (editors).

    With fixing, the second value is the (fixed) source to print.
    """
    from logitlint import runner

    name = stdin_filename or "-"
    result = runner.RunResult()
    data = sys.stdin.buffer.read()
    if stdin_filename is not None and force_exclude and resolver.excluded(name, False):
        return result, (data if fixing is not None else None)
    settings = resolver.for_file(name) if stdin_filename else resolver.settings_for(".")
    collecting = gc.isenabled()
    gc.disable()  # one buffer: its garbage is not worth collecting (the editor path)
    try:
        if fixing is None:
            result.add(name, runner.lint_bytes(data, name, settings))
            return result, None
        outcome = runner.fix_bytes(data, name, settings, fixing)
    except Exception as error:  # a bug in logitlint: report it, and give the input back
        failed = runner.LintResult(internal_errors=[f"{name}: {type(error).__name__}: {error}"])
        result.add(name, failed)
        return result, (data if fixing is not None else None)
    finally:
        if collecting:
            gc.enable()
    result.add_outcome(name, outcome)
    return result, outcome.output


def _lint_paths(
    resolver: Resolver,
    paths: tuple[str, ...],
    force_exclude: bool,
    fixing: Optional[runner.Fixing] = None,
    *,
    jobs: Optional[int] = None,
    use_cache: bool = True,
) -> RunResult:
    """Discover files, then lint each group of files that share settings.

    Each group has its own cache index (the key includes the settings' fingerprint)
    and its own worker pool; fixing is sequential and uncached.
    """
    from logitlint import discovery, runner

    try:
        files = discovery.discover(
            paths or ["."], excluded=resolver.excluded, force_exclude=force_exclude
        )
    except discovery.DiscoveryError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    groups: dict[Settings, list[str]] = {}
    for file in files:
        groups.setdefault(resolver.for_file(file), []).append(file)
    result = runner.RunResult()
    workers = jobs or runner.default_jobs()
    for settings, group in groups.items():
        cache = None
        if use_cache and fixing is None:
            from logitlint.cache import Cache

            cache = Cache(settings)
        result.merge(runner.run(group, settings, fixing, jobs=workers, cache=cache))
    result.sort()
    return result


def _emit(
    result: RunResult,
    fmt: str,
    statistics: bool,
    quiet: bool,
    output_file: Optional[str],
    *,
    only: bool = False,
    show_fixes: bool = False,
    unsafe: Optional[bool] = None,
    to_stderr: bool = False,
) -> None:
    from logitlint import output

    human = fmt in ("full", "concise")
    fixed = result.fixed_count
    if statistics:
        text = output.statistics(result.diagnostics, fmt)
    else:
        text = "" if only else output.render(fmt, result.diagnostics, result.texts)
        if show_fixes and human and fixed:
            text += ("\n" if text else "") + output.fixes_table(result.fixed) + "\n"
        if human and not quiet:
            if only:
                text += output.fix_only_summary(result.diagnostics, fixed, unsafe)
            else:
                text += output.summary(result.diagnostics, fixed, unsafe)
    if output_file is None:
        click.echo(text, nl=False, err=to_stderr)
        return
    directory = os.path.dirname(output_file)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(output_file, "w", encoding="utf-8") as handle:
        handle.write(text)


def _show_settings(resolver: Resolver, target: str) -> None:
    settings = resolver.for_file(target)
    click.echo(f"Resolved settings for: {target}")
    click.echo(f"Settings path: {settings.config_path or '(none: built-in defaults)'}")
    for key, value in settings.as_dict().items():
        if key != "config":
            click.echo(f"{key} = {json.dumps(value)}")


def _add_noqa(resolver: Resolver, paths: tuple[str, ...], force_exclude: bool) -> None:
    from logitlint import add_noqa, discovery

    try:
        files = discovery.discover(
            paths or ["."], excluded=resolver.excluded, force_exclude=force_exclude
        )
    except discovery.DiscoveryError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    added, problems = add_noqa.add_noqa(files, resolver.for_file)
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)


@main.command()
def server() -> None:
    """Run the language server (LSP over stdio) for editors; needs logitlint[lsp]."""
    try:
        from logitlint.server import main as serve
    except ImportError as error:
        click.echo(
            f"error: the language server needs pygls ({error}); "
            "install it with: pip install 'logitlint[lsp]'",
            err=True,
        )
        sys.exit(EXIT_ERROR)
    serve()


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Print the documentation of rule CODE (e.g. LGT001 or probabilities-as-logits)."""
    from logitlint.registry import rule_by_code

    found = rule_by_code(code)
    if found is None:
        click.echo(f"error: unknown rule {code!r}; `logitlint rules` lists them", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(found.documentation(), nl=False)


@main.command()
def rules() -> None:
    """List every rule: code, name, whether it has a fix, and what it finds."""
    from logitlint.docs import rule_rows

    for code, name, fix, summary in rule_rows():
        click.echo(f"{code}  {name:<34} fix: {fix:<9} {summary}")


@main.command()
def clean() -> None:
    """Remove the cache directory (.logitlint_cache, or $LOGITLINT_CACHE_DIR)."""
    from logitlint.cache import cache_dir
    from logitlint.cache import clean as remove

    if remove():
        click.echo(f"Removed {cache_dir()}")

"""The command line: ``logitlint check``, ``logitlint rule CODE``, ``logitlint rules``.

Exit codes (every mode): 0 nothing to report, 1 findings remain, 2 usage error or
internal error. The option names and their behaviour follow ruff's, so that a ruff
user needs nothing new.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

import click

from logitlint import __version__
from logitlint.output import FORMATS

if TYPE_CHECKING:
    from logitlint import runner

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
    "--output-format",
    type=click.Choice(list(FORMATS)),
    default="full",
    show_default=True,
    help="How to print diagnostics.",
)
@click.option(
    "--stdin-filename", default=None, help="Lint standard input, reporting it under this file name."
)
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
def check(
    paths: tuple[str, ...],
    select: list[str],
    extend_select: list[str],
    ignore: list[str],
    output_format: str,
    stdin_filename: Optional[str],
    exit_zero: bool,
    fix: Optional[bool],
    unsafe_fixes: Optional[bool],
    fix_only: Optional[bool],
    diff: bool,
    show_fixes: Optional[bool],
    exit_non_zero_on_fix: bool,
    quiet: bool,
) -> None:
    """Lint PATHS (files or directories; default: the current directory; - for stdin).

    With --fix, fixes are applied in place (atomically, keeping encoding, BOM and line
    endings); with standard input, the fixed source is printed instead and the report
    goes to standard error.
    """
    from logitlint import discovery, output, registry, runner

    settings = runner.Settings(
        enabled=registry.resolve(select or None, extend_select, ignore),
    )
    only = bool(fix_only) or diff
    fixing: Optional[runner.Fixing] = None
    if fix or only:
        fixing = runner.Fixing(unsafe=bool(unsafe_fixes), write=not diff)
    use_stdin = "-" in paths or (stdin_filename is not None and not paths)
    fixed_stdin: Optional[bytes] = None
    if use_stdin:
        name = stdin_filename or "-"
        result = runner.RunResult()
        data = sys.stdin.buffer.read()
        if fixing is None:
            result.add(name, runner.lint_bytes(data, name, settings))
        else:
            outcome = runner.fix_bytes(data, name, settings, fixing)
            result.add_outcome(name, outcome)
            fixed_stdin = outcome.output
    else:
        try:
            files = discovery.discover(paths or ["."])
        except discovery.DiscoveryError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        result = runner.run(files, settings, fixing)

    fixed = result.fixed_count
    human = output_format in ("full", "concise")
    if diff:
        click.echo("".join(result.diffs), nl=False)
        if not quiet:
            text = output.fix_only_summary(result.diagnostics, fixed, unsafe_fixes, "Would fix")
            click.echo(text, nl=False, err=True)
    else:
        # Fixed stdin goes to standard output, so the report moves to standard error.
        to_stderr = fixed_stdin is not None
        if fixed_stdin is not None:
            sys.stdout.flush()
            sys.stdout.buffer.write(fixed_stdin)
            sys.stdout.buffer.flush()
        text = "" if only else output.render(output_format, result.diagnostics, result.texts)
        if show_fixes and human and fixed:
            text += ("\n" if text else "") + output.fixes_table(result.fixed) + "\n"
        if human and not quiet:
            if only:
                text += output.fix_only_summary(result.diagnostics, fixed, unsafe_fixes)
            else:
                text += output.summary(result.diagnostics, fixed, unsafe_fixes)
        click.echo(text, nl=False, err=to_stderr)
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

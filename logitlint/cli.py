"""The command line: ``logitlint check``, ``logitlint rule CODE``, ``logitlint rules``.

Exit codes (every mode): 0 nothing to report, 1 findings remain, 2 usage error or
internal error. The option names and their behaviour follow ruff's, so that a ruff
user needs nothing new.
"""

from __future__ import annotations

import sys
from typing import Optional

import click

from logitlint import __version__
from logitlint.output import FORMATS

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
    output_format: str,
    stdin_filename: Optional[str],
    exit_zero: bool,
    quiet: bool,
    jobs: Optional[int],
    no_cache: bool,
    no_prefilter: bool,
) -> None:
    """Lint PATHS (files or directories; default: the current directory; - for stdin)."""
    from logitlint import discovery, output, registry, runner

    settings = runner.Settings(
        enabled=registry.resolve(select or None, extend_select, ignore),
        prefilter=not no_prefilter,
    )
    use_stdin = "-" in paths or (stdin_filename is not None and not paths)
    if use_stdin:
        name = stdin_filename or "-"
        result = runner.RunResult()
        result.add(name, runner.lint_bytes(sys.stdin.buffer.read(), name, settings))
    else:
        try:
            files = discovery.discover(paths or ["."])
        except discovery.DiscoveryError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        cache = None
        if not no_cache:
            from logitlint.cache import Cache

            cache = Cache(settings)
        result = runner.run(files, settings, jobs=jobs or runner.default_jobs(), cache=cache)
    text = output.render(output_format, result.diagnostics, result.texts)
    if output_format in ("full", "concise") and not quiet:
        text += output.summary(result.diagnostics)
    click.echo(text, nl=False)
    for message in result.internal_errors:
        click.echo(f"error: internal error: {message}", err=True)
    if result.internal_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.diagnostics and not exit_zero else EXIT_CLEAN)


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

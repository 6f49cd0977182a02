"""The flake8 plugin: ``flake8 --select LGT`` reports what ``logitlint check`` reports.

Registered under the ``flake8.extension`` entry point with the prefix ``LGT``. flake8
owns selection, ``per-file-ignores`` and ``# noqa`` for its users, so the plugin runs
every rule and leaves filtering to flake8; LGT100 (unused-noqa) is left out because
judging noqa comments is flake8's business there. flake8 wants 0-based columns (it
adds one when printing), so the one conversion is ``column - 1``; rows are shared.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from logitlint import __version__

LEFT_OUT = frozenset({"LGT100"})


class Plugin:
    name = "logitlint"
    version = __version__

    # flake8 decides what to pass by these parameter names; ``tree`` marks the plugin
    # as an AST plugin (run once per file), though the source lines are what it reads.
    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from logitlint.diagnostics import Diagnostic
        from logitlint.engine import lint_text
        from logitlint.registry import all_rules

        rules = [rule for rule in all_rules() if rule.code not in LEFT_OUT]
        result = lint_text("".join(self.lines), self.filename, rules)
        for diagnostic in sorted(result.diagnostics, key=Diagnostic.sort_key):
            yield (
                diagnostic.location.row,
                diagnostic.location.column - 1,
                f"{diagnostic.code} {diagnostic.message}",
                type(self),
            )

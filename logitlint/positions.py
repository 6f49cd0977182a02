"""The one place where libcst positions become user coordinates.

libcst counts lines from 1 and columns from 0 (code points, end exclusive); every
output of logitlint uses 1-based rows and columns with an exclusive end column, as
ruff does. Positions are computed lazily: only files that have a finding pay for
the position pass, and the module is never deep-copied.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from logitlint.diagnostics import Location


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._ranges: Optional[dict[cst.CSTNode, CodeRange]] = None

    def _resolve(self) -> dict[cst.CSTNode, CodeRange]:
        if self._ranges is None:
            wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
            self._ranges = dict(wrapper.resolve(PositionProvider))
        return self._ranges

    def range(self, node: cst.CSTNode) -> tuple[Location, Location]:
        code_range = self._resolve()[node]
        return to_location(code_range.start.line, code_range.start.column), to_location(
            code_range.end.line, code_range.end.column
        )


def to_location(line: int, zero_based_column: int) -> Location:
    return Location(line, zero_based_column + 1)

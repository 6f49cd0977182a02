"""The one place where libcst positions become user coordinates.

libcst counts lines from 1 and columns from 0 (code points, end exclusive); every
output of logitlint uses 1-based rows and columns with an exclusive end column, as
ruff does. Positions are computed lazily: only files that have a finding pay for
the position pass, and the module is never deep-copied.

The pass is libcst's own code generation, recording where each node starts and
ends exactly as ``PositionProvider`` does (the syntactic range, hoisted from child
nodes where libcst says so; tests/test_positions.py compares every node), but as
character offsets, turned into rows and columns only for the nodes asked about.
That avoids ``MetadataWrapper``'s extra traversal and a ``CodeRange`` per node: a
third of the time on a large file.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState

from logitlint.diagnostics import Location

_NEWLINE = re.compile(r"\r\n?|\n")  # as libcst counts lines


class _OffsetState(CodegenState):
    """Code generation that notes each node's (start, end) character offsets."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.offset = 0
        self.starts: list[int] = []
        self.ranges: dict[int, tuple[int, int]] = {}  # id(node) -> offsets
        self.popped = ""

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        # libcst drops the file's last newline from the code but not from the
        # position count; keep it for the line table so that offsets still match.
        if self.tokens:
            self.popped = self.tokens[-1]
        super().pop_trailing_newline()

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        key = id(node)
        if key not in self.ranges:  # a syntactic range recorded inside stands
            self.ranges[key] = (start, self.offset)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _OffsetState,
        node: cst.CSTNode,
        start_node: Optional[cst.CSTNode],
        end_node: Optional[cst.CSTNode],
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc_info: Any) -> None:
        ranges = self.state.ranges
        start = self.start if self.start_node is None else ranges[id(self.start_node)][0]
        end = self.state.offset if self.end_node is None else ranges[id(self.end_node)][1]
        ranges[id(self.node)] = (start, end)


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._ranges: Optional[dict[int, tuple[int, int]]] = None
        self._line_starts: list[int] = []

    def _resolve(self) -> dict[int, tuple[int, int]]:
        if self._ranges is None:
            state = _OffsetState(self._module)
            self._module._codegen(state)
            text = "".join(state.tokens) + state.popped
            self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]
            self._ranges = state.ranges
        return self._ranges

    def _location(self, offset: int) -> Location:
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return to_location(index + 1, offset - self._line_starts[index])

    def range(self, node: cst.CSTNode) -> tuple[Location, Location]:
        start, end = self._resolve()[id(node)]
        return self._location(start), self._location(end)


def to_location(line: int, zero_based_column: int) -> Location:
    return Location(line, zero_based_column + 1)

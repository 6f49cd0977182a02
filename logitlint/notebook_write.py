"""Writing fixed cell sources back into a notebook file, and nothing else.

Re-serialising the whole JSON document would reorder nothing but could still change
bytes the user never touched (escapes, indentation, separators). Instead this module
finds the exact span of each changed cell's ``source`` value in the original text and
replaces only that span; inside it, lines that did not change keep their original
JSON text, so a byte-level diff of the file shows the changed source lines only.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING_DECODER = json.decoder.scanstring  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


@dataclass(frozen=True)
class _SourceValue:
    span: _Span  # the whole value: a string, or an array of strings
    elements: tuple[_Span, ...]  # the array's string elements (empty for a string)
    is_array: bool


class _Scanner:
    """Just enough of a JSON parser to know where each cell's ``source`` value is."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sources: dict[int, _SourceValue] = {}  # 0-based cell index -> value

    def skip(self, index: int) -> int:
        return _WHITESPACE.match(self.text, index).end()  # type: ignore[union-attr]

    def value(self, index: int, path: tuple[Any, ...]) -> int:
        index = self.skip(index)
        char = self.text[index]
        if char == "{":
            return self._object(index + 1, path)
        if char == "[":
            return self._array(index + 1, path)
        if char == '"':
            _, end = _STRING_DECODER(self.text, index + 1)
            return end
        _, end = json.JSONDecoder().raw_decode(self.text, index)
        return end

    def _object(self, index: int, path: tuple[Any, ...]) -> int:
        index = self.skip(index)
        if self.text[index] == "}":
            return index + 1
        while True:
            index = self.skip(index)
            key, index = _STRING_DECODER(self.text, index + 1)
            index = self.skip(index) + 1  # the colon
            start = self.skip(index)
            child = (*path, key)
            end = self.value(start, child)
            if len(child) == 3 and child[0] == "cells" and key == "source":
                self._record(child[1], _Span(start, end))
            index = self.skip(end)
            if self.text[index] == "}":
                return index + 1
            index += 1  # the comma

    def _array(self, index: int, path: tuple[Any, ...]) -> int:
        index = self.skip(index)
        if self.text[index] == "]":
            return index + 1
        position = 0
        while True:
            index = self.value(index, (*path, position))
            index = self.skip(index)
            position += 1
            if self.text[index] == "]":
                return index + 1
            index += 1

    def _record(self, cell: Any, span: _Span) -> None:
        if not isinstance(cell, int):
            return
        raw = self.text[span.start : span.end]
        if not raw.startswith("["):
            self.sources[cell] = _SourceValue(span, (), False)
            return
        elements: list[_Span] = []
        index = self.skip(span.start + 1)
        while self.text[index] != "]":
            _, end = _STRING_DECODER(self.text, index + 1)
            elements.append(_Span(index, end))
            index = self.skip(end)
            if self.text[index] == ",":
                index = self.skip(index + 1)
        self.sources[cell] = _SourceValue(span, tuple(elements), True)


def _json_string(text: str, ascii_only: bool) -> str:
    return json.dumps(text, ensure_ascii=ascii_only)


def replace_sources(raw: str, new_sources: dict[int, str]) -> str:
    """``raw`` with the sources of the given cells (0-based index) replaced."""
    scanner = _Scanner(raw)
    scanner.value(0, ())
    ascii_only = raw.isascii() and "\\u" in raw
    pieces: list[str] = []
    cursor = 0
    for cell in sorted(new_sources):
        value = scanner.sources[cell]
        pieces.append(raw[cursor : value.span.start])
        pieces.append(_render(raw, value, new_sources[cell], ascii_only))
        cursor = value.span.end
    pieces.append(raw[cursor:])
    return "".join(pieces)


def _render(raw: str, value: _SourceValue, source: str, ascii_only: bool) -> str:
    if not value.is_array:
        return _json_string(source, ascii_only)
    old_texts = [raw[e.start : e.end] for e in value.elements]
    old_lines = [json.loads(text) for text in old_texts]
    new_lines = source.splitlines(keepends=True)
    if not value.elements:
        return json.dumps(new_lines, ensure_ascii=ascii_only)
    rendered: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            rendered.extend(old_texts[a1:a2])
        else:
            rendered.extend(_json_string(line, ascii_only) for line in new_lines[b1:b2])
    first, last = value.elements[0], value.elements[-1]
    opening = raw[value.span.start : first.start]  # "[" and the first indentation
    closing = raw[last.end : value.span.end]  # the closing whitespace and "]"
    separator = (
        raw[value.elements[0].end : value.elements[1].start]
        if len(old_texts) > 1
        else ("," + opening[1:] if opening[1:].strip() == "" and "\n" in opening else ", ")
    )
    if not rendered:
        return "[]"
    return opening + separator.join(rendered) + closing

"""JSON and JSON Lines, field-compatible with ruff's, plus ``name`` and ``severity``."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any, Optional

from logitlint.diagnostics import Diagnostic, Fix, Location
from logitlint.output import Texts


def _location(location: Location) -> dict[str, int]:
    return {"column": location.column, "row": location.row}


def _fix(fix: Optional[Fix]) -> Optional[dict[str, Any]]:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "edits": [
            {
                "content": edit.content,
                "end_location": _location(edit.end_location),
                "location": _location(edit.location),
            }
            for edit in fix.edits
        ],
        "message": fix.message,
    }


def to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    filename = diagnostic.filename
    if filename != "-":
        filename = os.path.abspath(filename)
    return {
        "cell": diagnostic.cell,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end_location),
        "filename": filename,
        "fix": _fix(diagnostic.fix),
        "location": _location(diagnostic.location),
        "message": diagnostic.message,
        "name": diagnostic.name,
        "noqa_row": diagnostic.noqa_row,
        "severity": diagnostic.severity.value,
        "url": diagnostic.url,
    }


def render(diagnostics: Sequence[Diagnostic], texts: Texts, fmt: str) -> str:
    records = [to_dict(d) for d in diagnostics]
    if fmt == "json-lines":
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"

"""SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards) ingests.

The run describes every rule with its full documentation and help URI, so a reader of
the code-scanning alert sees the same text as ``logitlint rule CODE``; each result
carries its fix as SARIF replacements. Columns are Unicode code points
(``columnKind``), 1-based with an exclusive end, which is exactly SARIF's convention
for ``startColumn``/``endColumn``. Paths are relative to the working directory
(``%SRCROOT%``), the form code scanning maps to repository files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from logitlint import __version__
from logitlint.diagnostics import Diagnostic, Fix, Location, Severity

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/logitlint/logitlint"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(filename: str) -> dict[str, str]:
    if filename == "-":
        return {"uri": "-"}
    relative = os.path.relpath(os.path.abspath(filename))
    if relative.startswith(os.pardir):
        return {"uri": Path(os.path.abspath(filename)).as_uri()}
    return {"uri": quote(relative.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _region(start: Location, end: Location) -> dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def _fix(fix: Fix, filename: str) -> dict[str, Any]:
    return {
        "description": {"text": fix.message},
        "artifactChanges": [
            {
                "artifactLocation": _uri(filename),
                "replacements": [
                    {
                        "deletedRegion": _region(edit.location, edit.end_location),
                        "insertedContent": {"text": edit.content},
                    }
                    for edit in fix.edits
                ],
            }
        ],
        "properties": {"applicability": fix.applicability.value},
    }


def rule_descriptors() -> list[dict[str, Any]]:
    """Every rule, plus LGT000 (unreadable or unparsable file), as SARIF descriptors."""
    from logitlint.engine import docs_url
    from logitlint.registry import SOURCE_ERROR_CODE, SOURCE_ERROR_NAME, all_rules

    descriptors = [
        {
            "id": SOURCE_ERROR_CODE,
            "name": SOURCE_ERROR_NAME,
            "shortDescription": {"text": "The file could not be read, decoded or parsed"},
            "helpUri": docs_url(SOURCE_ERROR_CODE, SOURCE_ERROR_NAME),
            "defaultConfiguration": {"level": "error"},
        }
    ]
    for rule in all_rules():
        documentation = rule.documentation()
        descriptors.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.what.strip()},
                "help": {"text": documentation, "markdown": documentation},
                "helpUri": docs_url(rule.code, rule.name),
                "defaultConfiguration": {"level": LEVELS[rule.severity]},
                "properties": {"fix": rule.fix_availability},
            }
        )
    return descriptors


def _result(diagnostic: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _uri(diagnostic.filename),
                    "region": _region(diagnostic.location, diagnostic.end_location),
                }
            }
        ],
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    if diagnostic.fix is not None and diagnostic.fix.edits:
        result["fixes"] = [_fix(diagnostic.fix, diagnostic.filename)]
    if diagnostic.cell is not None:
        result["properties"] = {"cell": diagnostic.cell}
    return result


def log(diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    rules = rule_descriptors()
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "logitlint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"uri": Path(os.getcwd()).as_uri().rstrip("/") + "/"}
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index) for d in diagnostics],
            }
        ],
    }


def render(diagnostics: Sequence[Diagnostic], texts: dict[str, str], fmt: str) -> str:
    return json.dumps(log(diagnostics), indent=2, ensure_ascii=False) + "\n"

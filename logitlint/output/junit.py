"""JUnit XML, for CI systems that show test reports but not lint results.

One ``testsuite`` per file, one failing ``testcase`` per diagnostic; a clean run is one
passing test case, so the report is never empty (some CI systems reject empty ones).
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from logitlint.diagnostics import Diagnostic


def render(diagnostics: Sequence[Diagnostic], texts: dict[str, str], fmt: str) -> str:
    count = str(len(diagnostics))
    suites = ET.Element("testsuites", name="logitlint", tests=count, failures=count, errors="0")
    if not diagnostics:
        suite = ET.SubElement(suites, "testsuite", name="logitlint", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="No errors found", classname="logitlint")
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    for filename, group in itertools.groupby(ordered, key=lambda d: d.filename):
        found = list(group)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=filename,
            tests=str(len(found)),
            failures=str(len(found)),
            errors="0",
        )
        for diagnostic in found:
            start = diagnostic.location
            where = f"cell {diagnostic.cell}, " if diagnostic.cell is not None else ""
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"org.logitlint.{diagnostic.code}",
                classname=filename,
                file=filename,
                line=str(start.row),
            )
            failure = ET.SubElement(
                case, "failure", message=diagnostic.message, type=diagnostic.code
            )
            failure.text = f"{where}line {start.row}, col {start.column}, {diagnostic.message}"
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

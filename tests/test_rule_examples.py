"""Each rule's documented ``bad`` example triggers it, and its ``good`` one is silent."""

from __future__ import annotations

import pytest
from conftest import lint

from logitlint.registry import all_rules
from logitlint.rule import Rule

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_bad_example_reports_only_this_rule(rule: type[Rule]) -> None:
    found = lint(rule.bad)
    assert found, f"{rule.code}'s bad example is silent"
    assert {d.code for d in found} == {rule.code}


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_good_example_is_silent(rule: type[Rule]) -> None:
    assert lint(rule.good) == []


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented(rule: type[Rule]) -> None:
    assert rule.code.startswith("LGT") and len(rule.code) == 6
    assert rule.name == rule.name.lower() and " " not in rule.name
    for part in (rule.summary, rule.what, rule.why, rule.instead):
        assert part.strip()
    assert rule.fix_availability in ("always", "sometimes", "none")
    assert rule.triggers, "the prefilter needs the rule's trigger words"
    doc = rule.documentation()
    assert "## Why is this bad?" in doc and rule.bad.strip() in doc

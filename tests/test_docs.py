"""The README's rule table and docs/rules.md are generated from the rule classes."""

from __future__ import annotations

from pathlib import Path

from logitlint.docs import rule_table, rules_markdown, updated_readme
from logitlint.registry import all_rules


def test_readme_rule_table_is_current(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme == updated_readme(readme), "run `python -m logitlint.docs`"
    for rule in all_rules():
        assert f"| {rule.name} |" in rule_table()


def test_rules_markdown_is_current(root: Path) -> None:
    committed = (root / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), "run `python -m logitlint.docs`"

"""A finding may make another rule's finding at a given node redundant.

The engine drops a diagnostic of code C at node N when an *emitted* report names
(C, N) in ``supersedes``; a suppressed superseding report leaves it visible. Tested
with two throw-away rules (not registered), then with LGT003 over LGT002.
"""

from __future__ import annotations

import textwrap

import libcst as cst
from conftest import lint

from logitlint.engine import lint_text
from logitlint.registry import all_rules, rule_by_code
from logitlint.rule import Rule


class _Sum(Rule):
    code = "LGT901"
    name = "test-sum"
    summary = what = why = instead = bad = good = "test"
    triggers = ("+",)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self.report(node, "a sum", supersedes={"LGT902": [node.left]})


class _Name(Rule):
    code = "LGT902"
    name = "test-name"
    summary = what = why = instead = bad = good = "test"
    triggers = ("a",)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in ("a", "b"):
            self.report(node, f"name {node.value}")


def _found(source: str, rules: list[type[Rule]]) -> list[tuple[int, int, str]]:
    result = lint_text(textwrap.dedent(source), "t.py", rules, prefilter=False)
    assert not result.internal_errors
    return sorted((d.location.row, d.location.column, d.code) for d in result.diagnostics)


def test_superseded_node_is_dropped_other_nodes_stay() -> None:
    assert _found("x = a + b\n", [_Sum, _Name]) == [(1, 5, "LGT901"), (1, 9, "LGT902")]


def test_suppressed_superseder_does_not_supersede() -> None:
    found = _found("x = a + b  # noqa: LGT901\n", [_Sum, _Name])
    assert found == [(1, 5, "LGT902"), (1, 9, "LGT902")]


def test_without_the_superseding_rule_nothing_is_dropped() -> None:
    assert _found("x = a + b\n", [_Name]) == [(1, 5, "LGT902"), (1, 9, "LGT902")]


_CE = """
import tensorflow as tf
probs = tf.nn.softmax(logits)
ll = tf.math.log(probs)
loss = -tf.reduce_sum(onehot * ll, axis=1)
"""


def test_manual_cross_entropy_supersedes_log_of_softmax_across_statements() -> None:
    assert [(d.location.row, d.code) for d in lint(_CE)] == [(5, "LGT003")]


def test_log_of_softmax_alone_when_lgt003_is_not_selected() -> None:
    lgt002 = rule_by_code("LGT002")
    assert lgt002 is not None
    result = lint_text(textwrap.dedent(_CE), "t.py", [lgt002])
    assert [(d.location.row, d.code) for d in result.diagnostics] == [(4, "LGT002")]


def test_noqa_on_lgt003_brings_back_lgt002() -> None:
    source = _CE.replace("axis=1)", "axis=1)  # noqa: LGT003")
    result = lint_text(textwrap.dedent(source), "t.py", all_rules())
    assert [(d.location.row, d.code) for d in result.diagnostics] == [(4, "LGT002")]

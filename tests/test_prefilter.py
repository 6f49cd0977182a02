"""The prefilter's contract: every rule declares its evidence, and the evidence holds.

``tests/test_fixtures.py`` lints every fixture with and without the prefilter and
requires the same findings; these tests check the declarations themselves and the
facts the identifier evidence rests on.
"""

from __future__ import annotations

import textwrap

import pytest
from conftest import lint

from logitlint.analysis import catalogue as cat
from logitlint.engine import has_call, has_identifier, wanted_rules
from logitlint.registry import all_rules, rule_by_code
from logitlint.rule import Rule

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_declares_triggers(rule: type[Rule]) -> None:
    assert rule.triggers, f"{rule.code} declares no trigger words: the prefilter needs them"
    for word in rule.triggers:
        # matched against the lower-cased text: an upper-case word would never match
        assert word and word == word.lower(), f"{rule.code}: trigger {word!r} must be lower case"
    for group in (*rule.requires, *rule.requires_calls):
        assert group, f"{rule.code}: an empty `requires` group would drop every file"
        for name in group:
            assert name.isidentifier(), f"{rule.code}: {name!r} is not an identifier"


def test_canonical_names_keep_their_leaf() -> None:
    """The identifier evidence assumes ``canonical()`` only rewrites module prefixes."""
    spellings = {
        "tensorflow.compat.v1.keras.", "tensorflow.compat.v2.keras.", "tensorflow.keras.",
        "tensorflow.python.keras.", "tensorflow.compat.v1.", "tensorflow.compat.v2.",
        "tf_keras.", "keras.api.", "keras.src.", "optax.losses.", "optax._src.loss.",
        "jax._src.nn.functions.", "flax.linen.", "flax.nnx.", "tensorflow.losses.",
        "keras.layers.activation.", "",
    }  # fmt: skip
    for name in cat.BY_NAME:
        leaf = name.rsplit(".", 1)[-1]
        for prefix in spellings:
            assert cat.canonical(prefix + leaf).rsplit(".", 1)[-1] == leaf
            assert cat.canonical(prefix + name).rsplit(".", 1)[-1] == leaf


def test_derived_names_cover_the_catalogue() -> None:
    for api in (*cat.SINKS, *cat.SINK_CLASSES):
        for name in api.names:
            assert name.rsplit(".", 1)[-1] in cat.SINK_NAMES
    assert "log" in cat.LOG_NAMES


def _wanted(source: str) -> list[str]:
    return [rule.code for rule in wanted_rules(textwrap.dedent(source), RULES)]


def test_log_must_be_called_or_aliased() -> None:
    base = "import torch\np = torch.softmax(x, 1)\n"
    lgt002 = rule_by_code("LGT002")
    assert lgt002 is not None and lgt002.requires_calls
    assert "LGT002" in _wanted(base + "y = torch.log(p)\n")
    assert "LGT002" in _wanted(base + "y = p.log()\n")
    assert "LGT002" in _wanted("from torch import log as ln\n" + base + "y = ln(p)\n")
    assert "LGT002" not in _wanted(base + "logits = p\nlogging.info(p)\n")
    assert "LGT002" not in _wanted(base + "y = torch.log_softmax(p, 1)\n")
    assert "LGT002" not in _wanted(base + "log = get_logger()\nlog.info(p)  # log of p\n")


def test_attention_softmax_without_loss_or_log_is_not_parsed() -> None:
    """The point of the evidence: a softmax alone (attention) needs no parse."""
    source = """
    import torch

    def attend(q, k, v):
        weights = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
        return weights @ v
    """
    assert [c for c in _wanted(source) if c in ("LGT001", "LGT002")] == []


def test_aliased_sink_is_still_found() -> None:
    source = """
    from torch.nn.functional import cross_entropy as ce, softmax

    def step(out, y):
        return ce(softmax(out, dim=1), y)
    """
    assert "LGT001" in _wanted(source)
    assert [d.code for d in lint(source)] == ["LGT001"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("log", True),
        ("x = log(p)", True),
        ("p.log()", True),
        ("(log)", True),
        ("logits + logger + dialog + log_softmax + log2 + _log", False),
        ("catalog\nlog", True),  # a later occurrence counts
        ("élog", True),  # a non-ASCII neighbour keeps the file: conservative
    ],
)
def test_has_identifier(text: str, found: bool) -> None:
    assert has_identifier(text, ("log",)) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("log(p)", True),
        ("torch.log (p)", True),
        ("(torch.log)(p)", True),
        ("(torch . log )  (p)", True),
        ("f(torch.log  # why\n    (p))", True),
        ("torch.log \\\n  (p)", True),
        ("from torch import log as ln", True),
        ("import torch.log as ln", True),
        ("from torch import (\n    log  # natural\n    as ln,\n)", True),
        ("log", False),
        ("log.info(p)", False),
        ("x = log", False),
        ("logits(p) + catalog(p) + log_softmax(p)", False),
        ("log [0](p)", False),
        ("log ascii(p)", False),
        ("import log", False),
        ("# log\n(p)", True),  # in a comment, yet followed by "(": kept, which is safe
    ],
)
def test_has_call(text: str, found: bool) -> None:
    assert has_call(text, ("log",)) is found

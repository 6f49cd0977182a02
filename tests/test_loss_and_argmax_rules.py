"""Fixes and analysis answers behind LGT004, LGT005, LGT009, LGT010 and LGT014.

Each fix case applies the one diagnostic's edits to the source and compares the
result with what a careful human would write, including its applicability; the
analysis cases pin the evidence the rules rely on (tensor-looking names, read
counts, axes).
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from conftest import lint

from logitlint.analysis import Analysis
from logitlint.diagnostics import Applicability
from logitlint.textedit import apply_edits


def _fixed(source: str, code: str) -> tuple[str, Applicability]:
    source = textwrap.dedent(source)
    (diagnostic,) = [d for d in lint(source) if d.code == code]
    assert diagnostic.fix is not None, diagnostic.message
    return apply_edits(source, diagnostic.fix.edits), diagnostic.fix.applicability


FIXES = {
    "bce on inline sigmoid": (
        """
        import torch
        import torch.nn.functional as F
        loss = F.binary_cross_entropy(torch.sigmoid(z), y, reduction="sum")
        """,
        "LGT004",
        'loss = F.binary_cross_entropy_with_logits(z, y, reduction="sum")',
        Applicability.SAFE,
    ),
    "bce imported by name gets the with-logits import": (  # no alias to reuse
        """
        from torch import sigmoid
        from torch.nn.functional import binary_cross_entropy
        loss = binary_cross_entropy(sigmoid(a - b), y)
        """,
        "LGT004",
        "from torch.nn.functional import binary_cross_entropy\n"
        "from torch.nn.functional import binary_cross_entropy_with_logits\n"
        "loss = binary_cross_entropy_with_logits(a - b, y)",
        Applicability.SAFE,
    ),
    "BCELoss built once becomes the functional form with its literal settings": (
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        crit = nn.BCELoss(reduction="none")
        def f(z, y):
            return crit(z.sigmoid(), y)
        """,
        "LGT004",
        'return F.binary_cross_entropy_with_logits(z, y, reduction="none")',
        Applicability.UNSAFE,
    ),
    "inline BCELoss module becomes BCEWithLogitsLoss": (
        """
        import torch
        from torch import nn
        loss = nn.BCELoss()(torch.sigmoid(z), y)
        """,
        "LGT004",
        "loss = nn.BCEWithLogitsLoss()(z, y)",
        Applicability.SAFE,
    ),
    "complement of a sigmoid negates the logits": (
        """
        import torch
        import torch.nn.functional as F
        loss = F.binary_cross_entropy(1 - torch.sigmoid(z), 1 - y)
        """,
        "LGT004",
        "loss = F.binary_cross_entropy_with_logits(-z, 1 - y)",
        Applicability.SAFE,
    ),
    "keras explicit from_logits=False turns True": (
        """
        import tensorflow as tf
        loss = tf.keras.losses.categorical_crossentropy(y, tf.nn.softmax(z), from_logits=False)
        """,
        "LGT004",
        "loss = tf.keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        Applicability.SAFE,
    ),
    "keras multi-line call keeps its layout": (
        """
        import tensorflow as tf
        def f(y, z):
            loss = tf.keras.losses.binary_crossentropy(
                y,
                tf.sigmoid(z),
            )
            return loss
        """,
        "LGT004",
        "    loss = tf.keras.losses.binary_crossentropy(\n"
        "        y,\n"
        "        z,\n"
        "        from_logits=True,\n"
        "    )\n",
        Applicability.SAFE,
    ),
    "nll on softmax uses log_softmax": (
        """
        import torch.nn.functional as F
        loss = F.nll_loss(F.softmax(z, dim=1), y)
        """,
        "LGT005",
        "loss = F.nll_loss(F.log_softmax(z, dim=1), y)",
        Applicability.SAFE,
    ),
    "nll through a variable rewires it": (
        """
        import torch.nn.functional as F
        p = F.softmax(z, 1)
        loss = F.nll_loss(p, y)
        """,
        "LGT005",
        "loss = F.nll_loss(F.log_softmax(z, 1), y)",
        Applicability.UNSAFE,
    ),
    "implicit dim suggests dim=-1": (
        """
        import torch.nn as nn
        head = nn.Sequential(nn.Linear(8, 2), nn.Softmax())
        """,
        "LGT009",
        "head = nn.Sequential(nn.Linear(8, 2), nn.Softmax(dim=-1))",
        Applicability.DISPLAY_ONLY,
    ),
    "dim=None becomes dim=-1": (
        """
        import torch.nn.functional as F
        p = F.log_softmax(x, dim=None)
        """,
        "LGT009",
        "p = F.log_softmax(x, dim=-1)",
        Applicability.DISPLAY_ONLY,
    ),
    "argmax of an inline softmax": (
        """
        import torch
        pred = torch.argmax(torch.softmax(model(x), dim=1), dim=1)
        """,
        "LGT010",
        "pred = torch.argmax(model(x), dim=1)",
        Applicability.SAFE,
    ),
    "argmax method chain": (
        """
        import torch
        pred = (a + b).softmax(-1).argmax(-1)
        """,
        "LGT010",
        "pred = (a + b).argmax(-1)",
        Applicability.SAFE,
    ),
    "loss constructed with tensors keeps settings on the constructor": (
        """
        import torch.nn as nn
        loss = nn.CrossEntropyLoss(outputs, labels, ignore_index=255)
        """,
        "LGT014",
        "loss = nn.CrossEntropyLoss(ignore_index=255)(outputs, labels)",
        Applicability.SAFE,
    ),
    "keras loss constructed with tensors moves sample_weight to the call": (
        """
        import tensorflow as tf
        def loss(y_true, y_pred):
            return tf.keras.losses.BinaryCrossentropy(y_true, y_pred, sample_weight=w)
        """,
        "LGT014",
        "return tf.keras.losses.BinaryCrossentropy()(y_true, y_pred, sample_weight=w)",
        Applicability.SAFE,
    ),
}


@pytest.mark.parametrize("name", list(FIXES))
def test_fix(name: str) -> None:
    source, code, expected, applicability = FIXES[name]
    fixed, got = _fixed(source, code)
    assert expected in fixed, fixed
    assert got is applicability
    cst.parse_module(fixed)


def test_loss_object_with_a_tensor_setting_has_no_fix() -> None:
    source = textwrap.dedent(
        """
        import torch
        import torch.nn as nn
        crit = nn.BCELoss(weight=class_weights)
        def f(z, y):
            return crit(torch.sigmoid(z), y)
        """
    )
    (diagnostic,) = lint(source)
    assert diagnostic.code == "LGT004" and diagnostic.fix is None


def test_keras_loss_object_built_elsewhere_has_no_fix() -> None:
    source = textwrap.dedent(
        """
        import tensorflow as tf
        bce = tf.keras.losses.BinaryCrossentropy()
        def f(y, z):
            return bce(y, tf.sigmoid(z))
        """
    )
    (diagnostic,) = lint(source)
    assert diagnostic.code == "LGT004" and diagnostic.fix is None


def test_two_d_idiom_is_reported_without_a_fix() -> None:
    source = "import tensorflow as tf\npred = tf.argmax(tf.nn.softmax(z), 1)\n"
    (diagnostic,) = lint(source)
    assert diagnostic.code == "LGT010" and diagnostic.fix is None
    assert "2-D" in diagnostic.message


def _analysis(source: str) -> tuple[Analysis, cst.Module]:
    module = cst.parse_module(textwrap.dedent(source))
    return Analysis(module), module


def _last_expression(analysis: Analysis, module: cst.Module) -> cst.BaseExpression:
    statement = module.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, cst.Expr)
    return small.value


@pytest.mark.parametrize(
    ("expression", "tensor"),
    [
        ("outputs", True),
        ("y_pred", True),
        ("labels.long()", True),
        ("batch['label']", True),
        ("model(x)", True),
        ("self.net(images)", True),
        ("predictedDelta", True),
        ("class_weights", False),
        ("pos_weight", False),
        ("args.margin", False),
        ("cfg.label_smoothing", False),
        ("from_logits", False),
        ("margin", False),
        ("0.5", False),
        ("True", False),
        ("'mean'", False),
        ("build(x)", False),
    ],
)
def test_looks_like_tensor(expression: str, tensor: bool) -> None:
    analysis, module = _analysis(f"{expression}\n")
    expr = _last_expression(analysis, module)
    site = analysis.site(module.body[-1].body[0])  # type: ignore[attr-defined]
    assert site is not None
    assert analysis.looks_like_tensor(expr, site) is tensor


def test_reads_counts_loads_not_bindings() -> None:
    analysis, module = _analysis(
        """
        def f(z):
            probs = g(z)
            out = probs.argmax(1)
            probs.sum()
            return out
        """
    )
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    statement = function.body.body[1]
    site = analysis.site(statement.body[0])  # type: ignore[attr-defined]
    assert site is not None
    assert analysis.reads("probs", site) == 2
    assert analysis.reads("out", site) == 1
    assert analysis.reads("z", site) == 1

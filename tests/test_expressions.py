"""Formulas across statements (logitlint/analysis/expressions.py), seen through
LGT003 and LGT008, plus the pieces they are built from: reductions and terms.

Each case is a small program and the exact (row, code) list it must produce; the
silent or LGT002-only cases are the look-alikes a spelling-based rule gets wrong.
"""

from __future__ import annotations

import libcst as cst
import pytest
from conftest import codes, last_expression, lint

from logitlint.analysis.catalogue import Op
from logitlint.diagnostics import Applicability

CASES = {
    "tf1 tutorial with reduction_indices": (
        """
        import tensorflow as tf
        pred = tf.nn.softmax(tf.matmul(x, W) + b)
        cost = tf.reduce_mean(-tf.reduce_sum(y * tf.log(pred), reduction_indices=1))
        """,
        [(4, "LGT003")],
    ),
    "minus outside both reductions, log first": (
        """
        import tensorflow as tf
        p = tf.nn.softmax(z)
        loss = -tf.reduce_mean(tf.reduce_sum(tf.math.log(p) * y, axis=1))
        """,
        [(4, "LGT003")],
    ),
    "three statements: probs, log, loss": (
        """
        import torch
        p = torch.softmax(z, 1)
        ll = torch.log(p + 1e-8)
        per_row = (y * ll).sum(1)
        loss = -per_row.mean()
        """,
        [(6, "LGT003")],
    ),
    "per-example loss then mean reports once": (
        """
        import torch
        p = torch.softmax(z, 1)
        ce = -(y * p.log()).sum(1)
        loss = ce.mean()
        """,
        [(4, "LGT003")],
    ),
    "minus on the labels": (
        """
        import numpy as np
        from scipy.special import softmax
        loss = np.sum(-y * np.log(softmax(z, axis=1)), axis=1)
        """,
        [(4, "LGT003")],
    ),
    "a log-likelihood that is not negated is only LGT002": (
        """
        import torch
        p = torch.softmax(z, 1)
        ll = (y * torch.log(p)).sum(1)
        """,
        [(4, "LGT002")],
    ),
    "no reduction: a weighting, not a loss": (
        """
        import torch
        p = torch.softmax(z, 1)
        w = -y * torch.log(p)
        """,
        [(4, "LGT002")],
    ),
    "entropy is LGT002, not LGT003": (
        """
        import torch.nn.functional as F
        import torch
        p = F.softmax(z, -1)
        h = -(p * torch.log(p)).sum(-1)
        """,
        [(5, "LGT002")],
    ),
    "entropy with the softmax written twice": (
        """
        import torch.nn.functional as F
        import torch
        h = -(F.softmax(z, 1) * torch.log(F.softmax(z, 1))).sum(1)
        """,
        [(4, "LGT002")],
    ),
    "soft targets from another softmax are labels": (
        """
        import torch.nn.functional as F
        import torch
        t = F.softmax(teacher, 1)
        loss = -(t * torch.log(F.softmax(student, 1))).sum(1).mean()
        """,
        [(5, "LGT003")],
    ),
    "plus a regulariser: the cross-entropy part is reported": (
        """
        import tensorflow as tf
        p = tf.nn.softmax(z)
        loss = -tf.reduce_sum(y * tf.math.log(p)) + 0.01 * tf.nn.l2_loss(W)
        """,
        [(4, "LGT003")],
    ),
    "binary with the complement through names": (
        """
        import torch
        p = torch.sigmoid(z)
        q = 1 - p
        neg = 1 - y
        loss = -(y * torch.log(p) + neg * torch.log(q)).mean()
        """,
        [(6, "LGT003")],
    ),
    "binary with the epsilon written before the one": (
        """
        import tensorflow as tf
        p = tf.sigmoid(z)
        ll = y * tf.math.log(1e-10 + p) + (1 - y) * tf.math.log(1e-10 + 1 - p)
        loss = -tf.reduce_sum(ll, 1)
        """,
        [(5, "LGT003")],
    ),
    "binary whose weights are not y and 1 - y": (
        """
        import torch
        p = torch.sigmoid(z)
        loss = -(a * torch.log(p) + b * torch.log(1 - p)).mean()
        """,
        [(4, "LGT002"), (4, "LGT002")],
    ),
    "gan loss on two different sigmoids": (
        """
        import torch
        loss = -torch.mean(torch.log(torch.sigmoid(d_real)) + torch.log(1 - torch.sigmoid(d_fake)))
        """,
        [(3, "LGT002"), (3, "LGT002")],
    ),
    "sigmoid in a categorical shape is only LGT002": (
        """
        import torch
        loss = -(y * torch.log(torch.sigmoid(z))).sum(1).mean()
        """,
        [(3, "LGT002")],
    ),
    "nll_loss on log of softmax": (
        """
        import torch.nn as nn
        import torch
        crit = nn.NLLLoss()
        loss = crit(torch.log(torch.softmax(z, 1)), y)
        """,
        [(5, "LGT003")],
    ),
    "nll_loss on log_softmax is correct": (
        """
        import torch.nn.functional as F
        loss = F.nll_loss(F.log_softmax(z, 1), y)
        """,
        [],
    ),
    "a log of a data histogram is not a model's": (
        """
        import torch
        p = counts / counts.sum()
        h = -(q * torch.log(p + 1e-10)).sum()
        """,
        [],
    ),
    "lambda parameter shadows the probabilities": (
        """
        import torch
        p = torch.softmax(z, 1)
        f = lambda p, y: -(y * torch.log(p)).sum(1)
        """,
        [],
    ),
    "naive softmax through a variable": (
        """
        import numpy as np
        e = np.exp(x)
        p = e / e.sum(axis=1, keepdims=True)
        """,
        [(4, "LGT008")],
    ),
    "softmax of different tensors is not a softmax": (
        """
        import numpy as np
        r = np.exp(x) / np.sum(np.exp(y))
        """,
        [],
    ),
    "max-shift through a name": (
        """
        import numpy as np
        m = np.max(x, axis=1, keepdims=True)
        p = np.exp(x - m) / np.sum(np.exp(x - m), axis=1, keepdims=True)
        """,
        [],
    ),
    "shift by something that is not a max": (
        """
        import torch
        y = x - bias
        p = torch.exp(y) / torch.exp(y).sum(1, keepdim=True)
        """,
        [(4, "LGT008")],
    ),
    "shift only on one branch": (
        """
        import numpy as np
        if stable:
            x = x - x.max()
        p = np.exp(x) / np.exp(x).sum()
        """,
        [(5, "LGT008")],
    ),
    "aug-assigned max-shift": (
        """
        import numpy as np
        x -= np.max(x, axis=-1, keepdims=True)
        p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
        """,
        [],
    ),
    "log-sum-exp as a method chain": (
        """
        import torch
        lse = scores.exp().sum(-1).log()
        """,
        [(3, "LGT008")],
    ),
    "softplus written with exp + 1": (
        """
        import tensorflow as tf
        sp = tf.math.log(tf.exp(x) + 1.0)
        """,
        [(3, "LGT008")],
    ),
    "log(1 + exp(-|x|)) is the stable form": (
        """
        import torch
        sp = torch.log1p(torch.exp(-torch.abs(x))) + torch.relu(x)
        """,
        [],
    ),
    "guarded by where": (
        """
        import numpy as np
        sp = np.where(x > 30, x, np.log(1 + np.exp(x)))
        """,
        [],
    ),
    "a user function called exp is not numpy's": (
        """
        def exp(v):
            return v
        r = exp(x) / exp(x).sum()
        """,
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str) -> None:
    source, want = CASES[name]
    assert codes(source) == want


def _fix(source: str, code: str) -> tuple[Applicability, str]:
    [found] = [d for d in lint(source) if d.code == code]
    assert found.fix is not None
    return found.fix.applicability, found.fix.edits[0].content


@pytest.mark.parametrize(
    ("source", "applicability", "content"),
    [
        (
            "import torch\np = torch.softmax(z, 1)\nloss = -(y * p.log()).sum(1).mean()\n",
            Applicability.UNSAFE,
            "torch.nn.functional.cross_entropy(z, y)",
        ),
        (
            "import torch\np = torch.softmax(z, 1)\nloss = -(y * p.log()).sum(1)\n",
            Applicability.UNSAFE,
            'torch.nn.functional.cross_entropy(z, y, reduction="none")',
        ),
        (  # a mean over the class axis is CE / C: shown, never applied
            "import torch\np = torch.softmax(z, 1)\nloss = -(y * p.log()).mean()\n",
            Applicability.DISPLAY_ONLY,
            "torch.nn.functional.cross_entropy(z, y)",
        ),
        (  # the sum runs over another axis than the softmax
            "import torch\np = torch.softmax(z, 1)\nloss = -(y * p.log()).sum(0).mean()\n",
            Applicability.DISPLAY_ONLY,
            "torch.nn.functional.cross_entropy(z, y)",
        ),
        (
            "import tensorflow as tf\np = tf.nn.softmax(z)\n"
            "loss = tf.reduce_mean(-tf.reduce_sum(y * tf.math.log(p), 1))\n",
            Applicability.UNSAFE,
            "tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z))",
        ),
        (
            "import torch\nlse = torch.log(torch.sum(torch.exp(v), dim=1, keepdim=True))\n",
            Applicability.UNSAFE,
            "torch.logsumexp(v, dim=1, keepdim=True)",
        ),
        (  # no keepdims: the original also broadcasts wrongly
            "import torch\np = torch.exp(v) / torch.exp(v).sum(1)\n",
            Applicability.DISPLAY_ONLY,
            "torch.softmax(v, dim=1)",
        ),
        (
            "import numpy as np\nsp = np.log(1 + np.exp(v))\n",
            Applicability.UNSAFE,
            "np.logaddexp(0, v)",
        ),
    ],
)
def test_fix(source: str, applicability: Applicability, content: str) -> None:
    code = "LGT008" if "exp(" in source else "LGT003"
    assert _fix(source, code) == (applicability, content)


@pytest.mark.parametrize(
    ("source", "op", "axis", "keepdims"),
    [
        ("import tensorflow as tf\ntf.reduce_sum(x, reduction_indices=[1])\n", Op.SUM, 1, False),
        ("import tensorflow as tf\ntf.reduce_mean(x, 1, keep_dims=True)\n", Op.MEAN, 1, True),
        ("import numpy as np\nnp.sum(x, axis=-1, keepdims=True)\n", Op.SUM, -1, True),
        ("import torch\ntorch.sum(x, dim=2)\n", Op.SUM, 2, False),
        ("x.sum(1, keepdim=True)\n", Op.SUM, 1, True),
        ("x.mean()\n", Op.MEAN, None, False),
    ],
)
def test_reduction(source: str, op: Op, axis: int, keepdims: bool) -> None:
    analysis, expr, site = last_expression(source)
    assert isinstance(expr, cst.Call)
    found = analysis.expressions.reduction(expr, site)
    assert found is not None
    assert (found.op, found.axis_value, found.keepdims) == (op, axis, keepdims)


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nnp.max(x, axis=1)\n",
        "import math\nmath.fsum(x)\n",
        "import torch\ntorch.nansum(x)\n",
    ],
)
def test_not_a_reduction(source: str) -> None:
    analysis, expr, site = last_expression(source)
    assert isinstance(expr, cst.Call)
    assert analysis.expressions.reduction(expr, site) is None


def test_terms_distribute_signs_and_reductions() -> None:
    source = "import torch\nll = torch.log(p)\n-(y * ll + (1 - y) * torch.log(q)).sum(1) / 2\n"
    analysis, expr, site = last_expression(source)
    terms = analysis.expressions.terms(expr, site)
    module = analysis.module
    shape = [
        (t.sign, sorted(module.code_for_node(e) for e, _ in t.factors), len(t.reductions), t.scaled)
        for t in terms
    ]
    assert shape == [
        (-1, ["torch.log(p)", "y"], 1, True),
        (-1, ["(1 - y)", "torch.log(q)"], 1, True),
    ]

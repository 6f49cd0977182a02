"""The analysis layer: name resolution, value kinds and data flow, seen through rules.

Each case is a small program and the exact (row, code) set it must produce; the
silent cases are the near-misses that a spelling-based linter would get wrong.
"""

from __future__ import annotations

import libcst as cst
import pytest
from conftest import codes

from logitlint.analysis import Analysis, Kind

CASES = {
    "alias import": (
        """
        import torch.nn.functional as nnf
        loss = nnf.cross_entropy(nnf.softmax(z, dim=1), y)
        """,
        [(3, "LGT001")],
    ),
    "from import with rename": (
        """
        from torch.nn.functional import softmax as sm, cross_entropy as ce
        loss = ce(sm(z, 1), y)
        """,
        [(3, "LGT001")],
    ),
    "from torch import nn then nn.functional": (
        """
        from torch import nn
        loss = nn.functional.cross_entropy(nn.functional.softmax(z, 1), y)
        """,
        [(3, "LGT001")],
    ),
    "star import": (
        """
        from torch.nn.functional import *
        loss = cross_entropy(softmax(z, 1), y)
        """,
        [(3, "LGT001")],
    ),
    "conventional alias without import": (
        """
        loss = F.cross_entropy(F.softmax(z, 1), y)
        """,
        [(2, "LGT001")],
    ),
    "user function named like the API": (
        """
        import torch.nn.functional as F
        def cross_entropy(p, y):
            return -(y * p).sum()
        loss = cross_entropy(F.softmax(z, 1), y)
        """,
        [],
    ),
    "user softmax shadows the import": (
        """
        import numpy as np
        from scipy.special import softmax
        def softmax(x):
            return x / x.sum()
        lp = np.log(softmax(x))
        """,
        [],
    ),
    "local variable shadows the alias": (
        """
        import torch.nn.functional as F
        def f(F, z, y):
            return F.cross_entropy(F.softmax(z, 1), y)
        """,
        [],
    ),
    "compat.v1 alias": (
        """
        import tensorflow.compat.v1 as tf
        loss = tf.losses.softmax_cross_entropy(onehot, tf.nn.softmax(z))
        xent = -tf.reduce_sum(y * tf.log(tf.nn.softmax(z)), 1)
        """,
        [(3, "LGT001"), (4, "LGT002")],
    ),
    "tf2 losses module is keras": (
        """
        import tensorflow as tf
        fn = tf.losses.CategoricalCrossentropy(from_logits=True)
        loss = fn(y, tf.nn.softmax(z))
        """,
        [(4, "LGT001")],
    ),
    "flax nn is not torch nn": (
        """
        from flax import linen as nn
        import jax.numpy as jnp
        lp = jnp.log(nn.softmax(z))
        """,
        [(4, "LGT002")],
    ),
    "reassignment kills the binding": (
        """
        import torch.nn.functional as F
        p = F.softmax(z, 1)
        p = model(x)
        loss = F.cross_entropy(p, y)
        """,
        [],
    ),
    "same-name reassignment keeps the kind": (
        """
        import torch.nn.functional as F
        out = model(x)
        out = F.softmax(out, 1)
        loss = F.cross_entropy(out, y)
        """,
        [(5, "LGT001")],
    ),
    "branches that disagree": (
        """
        import torch.nn.functional as F
        if flag:
            out = F.softmax(z, 1)
        else:
            out = z
        loss = F.cross_entropy(out, y)
        """,
        [],
    ),
    "branches that agree": (
        """
        import torch.nn.functional as F
        if flag:
            out = F.softmax(z, 1)
        else:
            out = torch.softmax(z, 1)
        loss = F.cross_entropy(out, y)
        """,
        [(7, "LGT001")],
    ),
    "binding only on one branch": (
        """
        import torch.nn.functional as F
        if flag:
            out = F.softmax(z, 1)
        loss = F.cross_entropy(out, y)
        """,
        [],
    ),
    "later binding in the same loop": (
        """
        import torch.nn.functional as F
        out = model(x)
        for step in range(3):
            loss = F.cross_entropy(out, y)
            out = F.softmax(out, 1)
        """,
        [],
    ),
    "tuple unpacking": (
        """
        import torch.nn.functional as F
        probs, target = F.softmax(z, 1), y
        loss = F.cross_entropy(probs, target)
        """,
        [(4, "LGT001")],
    ),
    "unpacking a call is unknown": (
        """
        import torch.nn.functional as F
        probs, target = model(x)
        loss = F.cross_entropy(probs, target)
        """,
        [],
    ),
    "self attribute across methods": (
        """
        import torch.nn as nn
        class M(nn.Module):
            def __init__(self):
                self.act = nn.Softmax(dim=1)
                self.loss = nn.CrossEntropyLoss()
            def step(self, h, y):
                return self.loss(self.act(h), y)
        """,
        [(8, "LGT001")],
    ),
    "self attribute reassigned differently": (
        """
        import torch.nn as nn
        class M(nn.Module):
            def __init__(self):
                self.loss = nn.CrossEntropyLoss()
            def swap(self):
                self.loss = nn.NLLLoss()
            def step(self, h, y):
                return self.loss(h.softmax(1), y)
        """,
        [],
    ),
    "module-level loss used in a function defined earlier": (
        """
        import torch
        def train(out, y):
            return criterion(torch.softmax(out, -1), y)
        criterion = torch.nn.CrossEntropyLoss()
        """,
        [(4, "LGT001")],
    ),
    "lambda parameter shadows": (
        """
        import torch.nn.functional as F
        probs = F.softmax(z, 1)
        fn = lambda probs, y: F.cross_entropy(probs, y)
        """,
        [],
    ),
    "comprehension target shadows": (
        """
        import torch.nn.functional as F
        probs = F.softmax(z, 1)
        losses = [F.cross_entropy(probs, y) for probs in batches]
        """,
        [],
    ),
    "epsilon, cast and index are value-preserving": (
        """
        import torch
        import torch.nn.functional as F
        p = F.softmax(z, 1)
        a = torch.log(p[:, 1].float() + 1e-8)
        """,
        [(5, "LGT002")],
    ),
    "mean is not value-preserving": (
        """
        import torch
        import torch.nn.functional as F
        a = torch.log(F.softmax(z, -1).mean(0) + 1e-8)
        """,
        [],
    ),
    "keras from_logits literal only": (
        """
        import tensorflow as tf
        a = tf.keras.losses.CategoricalCrossentropy(from_logits=True)(y, tf.nn.softmax(z))
        b = tf.keras.losses.CategoricalCrossentropy()(y, tf.nn.softmax(z))
        c = tf.keras.losses.CategoricalCrossentropy(from_logits=flag)(y, tf.nn.softmax(z))
        """,
        [(3, "LGT001"), (4, "LGT004")],  # b: a probability loss on softmax output
    ),
    "soft targets are legitimate": (
        """
        import torch.nn.functional as F
        loss = F.cross_entropy(student, F.softmax(teacher / 2.0, dim=1))
        """,
        [],
    ),
    "log_softmax into cross_entropy is redundant, not wrong": (
        """
        import torch.nn.functional as F
        loss = F.cross_entropy(F.log_softmax(z, 1), y)
        """,
        [],
    ),
    "user object method named softmax": (
        """
        import torch
        import torch.nn.functional as F
        loss = F.cross_entropy(head.softmax(features), y)
        """,
        [],
    ),
    "tensor method with axis": (
        """
        import torch.nn.functional as F
        loss = F.cross_entropy(out.softmax(dim=-1), y)
        """,
        [(3, "LGT001")],
    ),
    "nn.Sequential ending in Softmax": (
        """
        import torch.nn as nn
        net = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
        loss = nn.CrossEntropyLoss()(net(x), y)
        """,
        [(4, "LGT001")],
    ),
    "keras functional Dense softmax head": (
        """
        from tensorflow import keras
        probs = keras.layers.Dense(10, activation="softmax")(h)
        loss = keras.losses.sparse_categorical_crossentropy(y, probs, from_logits=True)
        """,
        [(4, "LGT001")],
    ),
    "global name rebound in a function": (
        """
        import torch.nn.functional as F
        probs = F.softmax(z, 1)
        def f():
            global probs
            probs = z
        loss = F.cross_entropy(probs, y)
        """,
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str) -> None:
    source, want = CASES[name]
    assert codes(source) == want


def _value_of_last_expression(source: str) -> Kind:
    module = cst.parse_module(source)
    analysis = Analysis(module)
    statement = module.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, cst.Expr)
    site = analysis.site(small)
    assert site is not None
    return analysis.value(small.value, site).kind


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("import torch\ntorch.softmax(x, 1)\n", Kind.PROBS),
        ("import torch\ntorch.sigmoid(x)\n", Kind.SIGMOID_PROBS),
        ("import torch\ntorch.log_softmax(x, 1)\n", Kind.LOG_PROBS),
        ("import jax\njax.nn.log_sigmoid(x)\n", Kind.LOG_PROBS),
        ("from scipy.special import expit\nexpit(x)\n", Kind.SIGMOID_PROBS),
        ("import torch\ntorch.relu(x)\n", Kind.UNKNOWN),
        ("import torch\nloss = torch.nn.CrossEntropyLoss()\nloss\n", Kind.OBJECT),
        ("import torch\np = torch.softmax(x, 1)\np if c else p\n", Kind.PROBS),
        ("import torch\n1 - torch.sigmoid(x)\n", Kind.SIGMOID_PROBS),
        ("import torch\n1 - torch.softmax(x, 1)\n", Kind.UNKNOWN),
        ("x.softmax(h)\n", Kind.UNKNOWN),
    ],
)
def test_value_kind(source: str, kind: Kind) -> None:
    assert _value_of_last_expression(source) is kind

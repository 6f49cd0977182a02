"""One level across local functions (logitlint/analysis/summaries.py).

A local function's return kind, and a parameter's kind when every call in the file
agrees and the function is only ever called; values that cross a function
boundary are reported but never rewritten.
"""

from __future__ import annotations

import pytest
from conftest import codes, lint

CASES = {
    "softmax returned by a local function": (
        """
        import torch
        import torch.nn.functional as F
        def head(h):
            return torch.softmax(h, 1)
        loss = F.cross_entropy(head(z), y)
        """,
        [(6, "LGT001")],
    ),
    "returns that disagree": (
        """
        import torch
        import torch.nn.functional as F
        def head(h, flag):
            if flag:
                return torch.softmax(h, 1)
            return h
        loss = F.cross_entropy(head(z, True), y)
        """,
        [],
    ),
    "a generator is not summarised": (
        """
        import torch
        import torch.nn.functional as F
        def heads(hs):
            for h in hs:
                yield torch.softmax(h, 1)
            return torch.softmax(hs[0], 1)
        loss = F.cross_entropy(heads(z), y)
        """,
        [],
    ),
    "recursion does not loop": (
        """
        import torch
        def f(x, n):
            if n:
                return f(x, n - 1)
            return torch.softmax(x, 1)
        lp = torch.log(f(z, 3))
        """,
        [],
    ),
    "a method is not a local function": (
        """
        import torch
        import torch.nn.functional as F
        class M:
            def head(self, h):
                return torch.softmax(h, 1)
            def loss(self, z, y):
                return F.cross_entropy(head(z), y)
        """,
        [],
    ),
    "a parameter every caller fills with softmax": (
        """
        import torch
        def nll(probs, y):
            return -torch.log(probs[range(len(y)), y]).mean()
        a = nll(torch.softmax(z1, 1), y1)
        b = nll(probs=torch.softmax(z2, 1), y=y2)
        """,
        [(4, "LGT002")],
    ),
    "callers that disagree": (
        """
        import torch
        def nll(probs, y):
            return -torch.log(probs[range(len(y)), y]).mean()
        a = nll(torch.softmax(z1, 1), y1)
        b = nll(counts / counts.sum(), y2)
        """,
        [],
    ),
    "a helper also passed as a callback has unseen callers": (
        """
        import torch
        def nll(probs, y):
            return -torch.log(probs[range(len(y)), y]).mean()
        a = nll(torch.softmax(z1, 1), y1)
        register(loss=nll)
        """,
        [],
    ),
    "a decorated helper has unseen callers": (
        """
        import torch
        import functools
        @functools.lru_cache
        def nll(probs, y):
            return -torch.log(probs[range(len(y)), y]).mean()
        a = nll(torch.softmax(z1, 1), y1)
        """,
        [],
    ),
    "a traced function is still summarised": (
        """
        import tensorflow as tf
        @tf.function
        def net(x):
            return tf.nn.softmax(x)
        lp = tf.math.log(net(z))
        """,
        [(6, "LGT002")],
    ),
    "a helper never called here": (
        """
        import torch
        def nll(probs, y):
            return -torch.log(probs[range(len(y)), y]).mean()
        """,
        [],
    ),
    "a default for the parameter is not seen": (
        """
        import torch
        def nll(y, probs=None):
            return -torch.log(probs[range(len(y)), y]).mean()
        a = nll(y1)
        """,
        [],
    ),
    "a hand-written softmax holds probabilities": (
        """
        import numpy as np
        e = np.exp(x - x.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        lp = np.log(p)
        """,
        [(5, "LGT002")],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str) -> None:
    source, want = CASES[name]
    assert codes(source) == want


def test_no_fix_across_a_function_boundary() -> None:
    source = """
    import torch
    import torch.nn.functional as F
    def head(h):
        return torch.softmax(h, 1)
    loss = F.cross_entropy(head(z), y)
    """
    [diagnostic] = lint(source)
    assert diagnostic.fix is None
    assert "line 5" in diagnostic.message

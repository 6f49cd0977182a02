"""Model-class summaries, logits evidence and argument roles, seen through LGT007,
LGT011 and LGT013; and the exact text of their fixes.

Each case is a small program and the exact (row, code) set it must produce.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from conftest import codes, lint

from logitlint.analysis import Analysis, ArgumentRole, Kind
from logitlint.analysis.evidence import name_role
from logitlint.diagnostics import Applicability
from logitlint.textedit import apply_edits

_NET = """
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)
"""

CASES = {
    "module-level model": (
        _NET
        + """
model = Net()
loss = F.cross_entropy(model(x), y)
""",
        [(14, "LGT007")],
    ),
    "model in a function parameter, passed by the only caller": (
        _NET
        + """
def train(model, x, y):
    return F.cross_entropy(model(x), y)

train(Net().cuda(), x, y)
""",
        [(14, "LGT007")],
    ),
    "two callers passing different models": (
        _NET
        + """
class Plain(nn.Module):
    def forward(self, x):
        return x

def train(model, x, y):
    return F.cross_entropy(model(x), y)

train(Net(), x, y)
train(Plain(), x, y)
""",
        [],
    ),
    "model handed to a trainer's __init__": (
        _NET
        + """
class Trainer:
    def __init__(self, net):
        self.net = net

    def step(self, x, y):
        return F.cross_entropy(self.net(x), y)

Trainer(Net())
""",
        [(18, "LGT007")],
    ),
    "softmax visible at the loss: LGT001 only": (
        _NET
        + """
model = Net()
loss = F.cross_entropy(F.softmax(model(x), dim=1), y)
""",
        [(14, "LGT001")],
    ),
    "log_softmax forward is valid logits": (
        """
        import torch.nn as nn
        import torch.nn.functional as F
        class Net(nn.Module):
            def forward(self, x):
                return F.log_softmax(x, dim=1)
        loss = F.cross_entropy(Net()(x), y)
        """,
        [],
    ),
    "forward returns softmax on one path only": (
        """
        import torch.nn as nn
        import torch.nn.functional as F
        class Net(nn.Module):
            def forward(self, x):
                if self.training:
                    return x
                return F.softmax(x, dim=1)
        loss = F.cross_entropy(Net()(x), y)
        """,
        [],
    ),
    "not a module subclass": (
        """
        import torch.nn.functional as F
        class Net:
            def forward(self, x):
                return F.softmax(x, dim=1)
            def __call__(self, x):
                return self.forward(x)
        loss = F.cross_entropy(Net()(x), y)
        """,
        [],
    ),
    "a model class reassigned on a branch": (
        _NET
        + """
model = Net()
if flag:
    model = make_other()
loss = F.cross_entropy(model(x), y)
""",
        [],
    ),
    "keras subclassed model": (
        """
        import tensorflow as tf
        class Net(tf.keras.Model):
            def call(self, x):
                return tf.nn.sigmoid(x)
        net = Net()
        loss = tf.keras.losses.BinaryCrossentropy(from_logits=True)(y, net(x))
        """,
        [(7, "LGT007")],
    ),
    "keras functional model with a softmax head": (
        """
        from tensorflow import keras
        inp = keras.Input(shape=(4,))
        out = keras.layers.Dense(3, activation="softmax")(inp)
        net = keras.Model(inp, out)
        loss = keras.losses.CategoricalCrossentropy(from_logits=True)(y, net(x))
        """,
        [(6, "LGT007")],
    ),
    "a layer of a model instance": (
        """
        import torch.nn as nn
        from torch.distributions import Categorical
        class Policy(nn.Module):
            def __init__(self):
                super().__init__()
                self.actor = nn.Linear(8, 2)
        policy = Policy()
        d = Categorical(policy.actor(h))
        """,
        [(9, "LGT013")],
    ),
    "hf logits into Categorical": (
        """
        from torch.distributions import Categorical
        out = model(**batch)
        d = Categorical(out.logits)
        """,
        [(4, "LGT013")],
    ),
    "logits attribute of a function's result is not evidence": (
        """
        from torch.distributions import Categorical
        def run(x):
            return x
        d = Categorical(run(x).logits)
        """,
        [],
    ),
    "logits keyword shown at construction decides": (
        """
        import torch
        from torch.distributions import Categorical
        out = Output(logits=torch.softmax(z, -1))
        d = Categorical(out.logits)
        """,
        [],
    ),
    "self.logits is an attribute, not a model output": (
        """
        import torch
        from torch.distributions import Categorical
        class A:
            def __init__(self, z):
                self.logits = torch.softmax(z, -1)
            def act(self):
                return Categorical(self.logits)
        """,
        [],
    ),
    "linear layer output through a Sequential": (
        """
        import torch.nn as nn
        from torch.distributions import Categorical
        head = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        d = Categorical(head(h))
        """,
        [(5, "LGT013")],
    ),
    "relu after the linear layer is not logits": (
        """
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.distributions import Categorical
        fc = nn.Linear(4, 2)
        d = Categorical(F.relu(fc(h)))
        """,
        [],
    ),
    "tfp and distrax take logits first": (
        """
        import torch.nn as nn
        import tensorflow_probability as tfp
        import distrax
        z = nn.Linear(4, 2)(h)
        a = tfp.distributions.Categorical(z)
        b = distrax.Categorical(z)
        """,
        [],
    ),
    "keras dense without activation into a default loss": (
        """
        from tensorflow import keras
        z = keras.layers.Dense(3)(h)
        loss = keras.losses.sparse_categorical_crossentropy(y, z)
        """,
        [(4, "LGT013")],
    ),
    "the file declares a callable's output as logits elsewhere": (
        """
        from torch.distributions import Categorical
        class Agent:
            def __init__(self, policy):
                self.policy = policy
            def act(self, s):
                return Categorical(logits=self.policy(s)).sample()
            def score(self, s, a):
                return Categorical(self.policy(s)).log_prob(a)
        """,
        [(9, "LGT013")],
    ),
    "a callable only ever passed as probs": (
        """
        from torch.distributions import Categorical
        class Agent:
            def __init__(self, policy):
                self.policy = policy
            def act(self, s):
                return Categorical(probs=self.policy(s)).sample()
            def score(self, s, a):
                return Categorical(self.policy(s)).log_prob(a)
        """,
        [],
    ),
    "swapped only with evidence on both sides": (
        """
        import torch.nn.functional as F
        a = F.cross_entropy(labels, logits)
        b = F.cross_entropy(labels, hidden)
        c = F.cross_entropy(features, logits)
        d = F.cross_entropy(target=labels, input=logits)
        """,
        [(3, "LGT011")],
    ),
    "user function named like the framework loss": (
        """
        def categorical_crossentropy(y_pred, y_true):
            return -(y_true * y_pred).sum()
        loss = categorical_crossentropy(y_pred, y_true)
        """,
        [],
    ),
    "a model output in the target slot": (
        """
        import torch.nn as nn
        import torch.nn.functional as F
        class Net(nn.Module):
            def forward(self, x):
                return self.body(x)
        net = Net()
        loss = F.cross_entropy(y, net(x))
        """,
        [(8, "LGT011")],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str) -> None:
    source, want = CASES[name]
    assert codes(textwrap.dedent(source)) == want


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("labels", ArgumentRole.LABELS),
        ("batch_labels", ArgumentRole.LABELS),
        ("y_true", ArgumentRole.LABELS),
        ("y", ArgumentRole.LABELS),
        ("one_hot_targets", ArgumentRole.LABELS),
        ("logits", ArgumentRole.PREDICTION),
        ("y_pred", ArgumentRole.PREDICTION),
        ("outputs2", ArgumentRole.PREDICTION),
        ("y_conv", None),
        ("target_logits", None),
        ("pred_labels", None),
        ("hidden", None),
    ],
)
def test_name_role(name: str, role: ArgumentRole | None) -> None:
    assert name_role(name) is role


def _kind_of_last(source: str, models: bool = False) -> Kind:
    module = cst.parse_module(textwrap.dedent(source))
    analysis = Analysis(module)
    small = module.body[-1].body[0]  # type: ignore[attr-defined]
    site = analysis.site(small)
    assert site is not None
    return analysis.value(small.value, site, models=models).kind


def test_model_call_is_unknown_by_default_and_followed_in_models_mode() -> None:
    source = _NET + "model = Net()\nmodel(x)\n"
    assert _kind_of_last(source) is Kind.UNKNOWN
    assert _kind_of_last(source, models=True) is Kind.PROBS


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("import torch.nn as nn\nnn.Linear(4, 2)(h)\n", Kind.LOGITS),
        ("from tensorflow import keras\nkeras.layers.Dense(2)(h)\n", Kind.LOGITS),
        (
            "from tensorflow import keras\nkeras.layers.Dense(2, activation='relu')(h)\n",
            Kind.UNKNOWN,
        ),
        ("import tensorflow as tf\ntf.compat.v1.layers.dense(h, 2)\n", Kind.LOGITS),
        ("out = model(x)\nout.logits\n", Kind.LOGITS),
        ("out = model(x)\nout['logits'] / 2.0\n", Kind.LOGITS),
        ("import numpy as np\nnp.load(f)['logits']\n", Kind.UNKNOWN),
        ("out = {'logits': z}\nout['logits']\n", Kind.UNKNOWN),
    ],
)
def test_logits_kind(source: str, kind: Kind) -> None:
    assert _kind_of_last(source) is kind


def _fixed(source: str, code: str) -> tuple[str, Applicability]:
    source = textwrap.dedent(source)
    (diagnostic,) = [d for d in lint(source) if d.code == code]
    assert diagnostic.fix is not None
    return apply_edits(source, diagnostic.fix.edits), diagnostic.fix.applicability


def test_lgt011_fix_names_both_arguments_in_signature_order() -> None:
    fixed, applicability = _fixed(
        """
        import tensorflow as tf
        loss = tf.nn.softmax_cross_entropy_with_logits(logits, labels, axis=-1)
        """,
        "LGT011",
    )
    assert "softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=-1)" in fixed
    assert applicability is Applicability.UNSAFE


def test_lgt011_no_fix_when_a_positional_argument_follows() -> None:
    source = "import torch.nn.functional as F\nloss = F.cross_entropy(target, out, w)\n"
    (diagnostic,) = lint(source)
    assert diagnostic.code == "LGT011" and diagnostic.fix is None


def test_lgt013_categorical_fix_is_safe() -> None:
    fixed, applicability = _fixed(
        """
        import torch.nn as nn
        from torch.distributions import Categorical
        fc = nn.Linear(4, 2)
        d = Categorical(fc(h), validate_args=False)
        """,
        "LGT013",
    )
    assert "Categorical(logits=fc(h), validate_args=False)" in fixed
    assert applicability is Applicability.SAFE


def test_lgt013_probs_keyword_is_renamed() -> None:
    fixed, _ = _fixed(
        """
        import torch.nn as nn
        from torch.distributions import Bernoulli
        d = Bernoulli(probs=nn.Linear(4, 1)(h))
        """,
        "LGT013",
    )
    assert "Bernoulli(logits=nn.Linear(4, 1)(h))" in fixed


def test_lgt013_from_logits_is_added() -> None:
    fixed, applicability = _fixed(
        """
        from tensorflow import keras
        z = keras.layers.Dense(3)(h)
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(y, z)
        """,
        "LGT013",
    )
    assert "CategoricalCrossentropy(label_smoothing=0.1, from_logits=True)(y, z)" in fixed
    assert applicability is Applicability.UNSAFE


def test_lgt013_with_logits_form_keeps_the_module_alias() -> None:
    fixed, _ = _fixed(
        """
        import torch.nn as nn
        import torch.nn.functional as F
        loss = F.binary_cross_entropy(nn.Linear(4, 1)(h), y)
        """,
        "LGT013",
    )
    assert "F.binary_cross_entropy_with_logits(nn.Linear(4, 1)(h), y)" in fixed


def test_lgt007_fix_is_display_only_and_edits_forward() -> None:
    fixed, applicability = _fixed(
        _NET + "model = Net()\nloss = F.cross_entropy(model(x), y)\n", "LGT007"
    )
    assert "return self.fc(x)" in fixed
    assert applicability is Applicability.DISPLAY_ONLY

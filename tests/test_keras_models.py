"""Model structure (logitlint/analysis/keras_models.py): final layers, compiled losses, fixes.

Each case is a small program; the model or loss under test is the last statement's.
The silent cases are the shapes where the final layer is not evident and the
analysis must say so (None) rather than guess.
"""

from __future__ import annotations

import textwrap
from typing import Optional

import libcst as cst
import pytest

from logitlint.analysis import Analysis, Kind, Site
from logitlint.analysis.keras_models import Head, Loss
from logitlint.engine import lint_text
from logitlint.registry import all_rules
from logitlint.textedit import apply_edits


def _last(source: str) -> tuple[Analysis, cst.BaseExpression, Site]:
    module = cst.parse_module(textwrap.dedent(source))
    analysis = Analysis(module)
    statement = module.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    site = analysis.site(small)
    assert site is not None and isinstance(small, cst.Expr)
    return analysis, small.value, site


def head(source: str) -> Optional[Head]:
    analysis, expr, site = _last(source)
    return analysis.keras.head(expr, site)


def loss(source: str) -> Optional[Loss]:
    analysis, expr, site = _last(source)
    return analysis.keras.loss(expr, site)


HEADS = {
    "sequential list": (
        """
        from tensorflow import keras
        m = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
        m
        """,
        Kind.LOGITS,
    ),
    "add chain with a loop before the last add": (
        """
        from keras import layers, models
        m = models.Sequential()
        for w in (64, 32):
            m.add(layers.Dense(w, activation="relu"))
        m.add(layers.Dense(4, activation="softmax"))
        history = m.fit(x, y)
        m
        """,
        Kind.PROBS,
    ),
    "forward pass, len and plot_model in between": (
        """
        import tensorflow as tf
        m = tf.keras.Sequential([tf.keras.layers.Dense(10)])
        preview = m(x[:1]).numpy()
        print(len(m.trainable_variables))
        tf.keras.utils.plot_model(m, show_shapes=True)
        m.layers[0].trainable = False
        m
        """,
        Kind.LOGITS,
    ),
    "functional with an Activation layer": (
        """
        import tensorflow as tf
        i = tf.keras.Input((4,))
        h = tf.keras.layers.Dense(2)(i)
        o = tf.keras.layers.Activation(tf.nn.sigmoid)(h)
        m = tf.keras.Model(inputs=i, outputs=o)
        m
        """,
        Kind.SIGMOID_PROBS,
    ),
    "identity Activation skipped": (
        """
        import keras
        cast = keras.layers.Activation("linear", dtype="float32")
        m = keras.Sequential([keras.layers.Dense(3, activation="softmax"), cast])
        m
        """,
        Kind.PROBS,
    ),
    "nested Sequential": (
        """
        import keras
        body = keras.Sequential([keras.layers.Dense(16, activation="relu")])
        m = keras.Sequential([body, keras.Sequential([keras.layers.Dense(2)])])
        m
        """,
        Kind.LOGITS,
    ),
    "subclassed call()": (
        """
        import keras
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = keras.layers.Dense(5, activation="log_softmax")
            def call(self, x):
                return self.out(x)
        m = Net()
        m
        """,
        Kind.LOG_PROBS,
    ),
    "helper function": (
        """
        import keras
        def build():
            net = keras.Sequential()
            net.add(keras.layers.Dense(1, activation="sigmoid"))
            return net
        m = build()
        m
        """,
        Kind.SIGMOID_PROBS,
    ),
    "model called as a layer": (
        """
        import keras
        disc = keras.Sequential([keras.layers.Dense(1)])
        z = keras.Input((8,))
        gan = keras.Model(z, disc(z))
        gan
        """,
        Kind.LOGITS,
    ),
    "Hugging Face task head": (
        """
        from transformers import TFAutoModelForTokenClassification as Tagger
        m = Tagger.from_pretrained("bert-base-cased")
        m
        """,
        Kind.LOGITS,
    ),
}

NO_HEAD = {
    "Hugging Face encoder without a head": """
        import transformers
        m = transformers.TFAutoModel.from_pretrained("bert-base-cased")
        m
        """,
    "conditional last add": """
        import keras
        m = keras.Sequential([keras.layers.Dense(3)])
        if probs:
            m.add(keras.layers.Softmax())
        m
        """,
    "passed to an unknown function": """
        import keras
        m = keras.Sequential([keras.layers.Dense(3)])
        finish(m)
        m
        """,
    "layers popped": """
        import keras
        m = keras.Sequential([keras.layers.Dense(3), keras.layers.Softmax()])
        m.layers.pop()
        m
        """,
    "last layer edited": """
        import keras
        m = keras.Sequential([keras.layers.Dense(3)])
        m.layers[-1].activation = keras.activations.softmax
        m
        """,
    "activation from a variable": """
        import keras
        act = pick()
        m = keras.Sequential([keras.layers.Dense(3, activation=act)])
        m
        """,
    "other activation": """
        import keras
        m = keras.Sequential([keras.layers.Dense(3, activation="relu")])
        m
        """,
    "several outputs": """
        import keras
        i = keras.Input((3,))
        m = keras.Model(i, [keras.layers.Dense(2)(i), keras.layers.Dense(1)(i)])
        m
        """,
    "subclass with train_step": """
        import keras
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = keras.layers.Dense(5)
            def call(self, x):
                return self.out(x)
            def train_step(self, data):
                return {}
        m = Net()
        m
        """,
    "not a Keras model": """
        m = torch.nn.Sequential(torch.nn.Linear(3, 2))
        m
        """,
}


@pytest.mark.parametrize("name", list(HEADS))
def test_head_kind(name: str) -> None:
    source, kind = HEADS[name]
    found = head(source)
    assert found is not None and found.kind is kind


@pytest.mark.parametrize("name", list(NO_HEAD))
def test_head_not_evident(name: str) -> None:
    assert head(NO_HEAD[name]) is None


LOSSES = {
    "string": ('import keras\n"binary_crossentropy"', "keras.losses.BinaryCrossentropy", False),
    "class name string": (
        'import keras\n"SparseCategoricalCrossentropy"',
        "keras.losses.SparseCategoricalCrossentropy",
        False,
    ),
    "function": (
        "import tensorflow as tf\ntf.keras.losses.categorical_crossentropy",
        "keras.losses.CategoricalCrossentropy",
        False,
    ),
    "object with from_logits": (
        "from tensorflow.keras import losses\nlosses.CategoricalCrossentropy(from_logits=True)",
        "keras.losses.CategoricalCrossentropy",
        True,
    ),
    "object through a variable": (
        "import keras\nce = keras.losses.BinaryCrossentropy(False, 0.1)\nce",
        "keras.losses.BinaryCrossentropy",
        False,
    ),
}

NO_LOSS = {
    "regression string": 'import keras\n"mse"',
    "class without parentheses": "import keras\nkeras.losses.CategoricalCrossentropy",
    "from_logits from a variable": "import keras\nkeras.losses.BinaryCrossentropy(from_logits=f)",
    "keyword unpacking": "import keras\nkeras.losses.CategoricalCrossentropy(**cfg)",
    "a metric": "import keras\nkeras.metrics.SparseCategoricalCrossentropy(from_logits=True)",
    "user function": "def categorical_crossentropy(a, b):\n    return a\ncategorical_crossentropy",
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss(name: str) -> None:
    source, api, from_logits = LOSSES[name]
    found = loss(source)
    assert found is not None
    assert found.api.names[0] == api and found.from_logits is from_logits


@pytest.mark.parametrize("name", list(NO_LOSS))
def test_loss_not_evident(name: str) -> None:
    assert loss(NO_LOSS[name]) is None


@pytest.mark.parametrize(
    ("source", "width"),
    [
        ("N = 1\nN", 1),
        ("N = 1\nN = 2\nN", None),
        ("def f(n=1):\n    return n\nn", None),
        ("-1", -1),
    ],
)
def test_constant_int(source: str, width: Optional[int]) -> None:
    analysis, expr, site = _last(source)
    assert analysis.keras.constant_int(expr, site) == width


def fixed(source: str, code: str) -> str:
    text = textwrap.dedent(source)
    (diagnostic,) = [d for d in lint_text(text, "x.py", all_rules()).diagnostics if d.code == code]
    assert diagnostic.fix is not None
    return apply_edits(text, diagnostic.fix.edits)


def test_string_loss_fix_uses_the_models_keras() -> None:
    source = """
        import keras
        import tensorflow as tf
        m = tf.keras.Sequential([tf.keras.layers.Dense(4)])
        m.compile(loss="categorical_crossentropy")
        """
    assert fixed(source, "LGT006").endswith(
        "m.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))\n"
    )


def test_string_loss_fix_imports_from_the_same_keras() -> None:
    source = """
        from tensorflow.keras import layers, models
        m = models.Sequential([layers.Dense(1)])
        m.compile(loss="binary_crossentropy")
        """
    after = fixed(source, "LGT006")
    assert "from tensorflow.keras.losses import BinaryCrossentropy\n" in after
    assert after.endswith("m.compile(loss=BinaryCrossentropy(from_logits=True))\n")


def test_softmax_layer_fix_imports_activation() -> None:
    source = """
        from tensorflow.keras.layers import Dense, Softmax
        from tensorflow.keras.models import Sequential
        m = Sequential([Dense(1), Softmax()])
        """
    after = fixed(source, "LGT012")
    assert "from tensorflow.keras.layers import Activation\n" in after
    assert after.endswith('m = Sequential([Dense(1), Activation("sigmoid")])\n')


def test_loss_through_a_variable_has_no_fix() -> None:
    source = textwrap.dedent(
        """
        import keras
        ce = keras.losses.CategoricalCrossentropy(from_logits=True)
        m = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
        m.compile(loss=ce)
        """
    )
    (diagnostic,) = lint_text(source, "x.py", all_rules()).diagnostics
    assert diagnostic.code == "LGT006" and diagnostic.fix is None
    assert "(line 3)" in diagnostic.message and "(line 4)" in diagnostic.message


def test_fix_without_a_keras_hint_uses_tensorflow_keras() -> None:
    source = """
        import tensorflow as tf
        from transformers import TFAutoModelForSequenceClassification
        m = TFAutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        m.compile(optimizer="adam", loss="binary_crossentropy")
        """
    assert fixed(source, "LGT006").endswith(
        "loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))\n"
    )

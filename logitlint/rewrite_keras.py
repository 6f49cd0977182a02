"""Fix text for model-head rules (LGT006, LGT012): spelling a sibling API the module's way.

A fix that swaps ``softmax`` for ``sigmoid`` or a loss string for a loss class must
name the new API as the file names its neighbours: ``tf.keras.losses.X`` in a file
that writes ``tf.keras.layers.Dense``, ``keras.losses.X`` after ``from tensorflow
import keras``, and an import from the same Keras (``tensorflow.keras`` or
``keras``) when nothing in scope reaches it. Mixing ``keras`` and ``tf.keras``
objects in one model fails on Keras 2, so the flavour matters.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from logitlint.analysis import Analysis, Site
from logitlint.analysis import catalogue as cat
from logitlint.analysis.catalogue import Role
from logitlint.analysis.flow import CONVENTIONAL_ALIASES
from logitlint.analysis.kinds import Kind
from logitlint.analysis.scopes import Binding
from logitlint.rule import ImportEdit, NodeEdit

Edits = tuple[ImportEdit, ...]


def raw_qualname(analysis: Analysis, expr: cst.BaseExpression, site: Site) -> Optional[str]:
    """The dotted name ``expr`` refers to as imported, before canonical folding."""
    if isinstance(expr, cst.Attribute):
        base = raw_qualname(analysis, expr.value, site)
        return f"{base}.{expr.attr.value}" if base else None
    if not isinstance(expr, cst.Name):
        return None
    reaching = analysis.symbols.reaching(expr.value, site)
    if reaching is None:
        return CONVENTIONAL_ALIASES.get(expr.value)
    names = {b.qualname if isinstance(b, Binding) and b.how == "import" else None for b in reaching}
    return names.pop() if len(names) == 1 else None


def flavoured(analysis: Analysis, hint: cst.BaseExpression, site: Site, target: str) -> str:
    """``target`` (canonical ``keras.X``) under the Keras the ``hint`` expression uses.

    Without a Keras hint (a Hugging Face model, say), a module that imports TensorFlow
    gets ``tensorflow.keras``: TF models and standalone Keras 3 objects do not mix.
    """
    if not target.startswith("keras."):
        return target
    raw = raw_qualname(analysis, hint, site)
    folded = cat.canonical(raw) if raw else None
    if raw is not None and folded is not None and folded.startswith("keras."):
        suffix = folded[len("keras") :]
        if raw.endswith(suffix):
            return raw[: -len(suffix)] + target[len("keras") :]
    imports = analysis.symbols.module_scope.bindings.values()
    if any(
        b.how == "import" and (b.qualname or "").split(".")[0] == "tensorflow"
        for bindings in imports
        for b in bindings
    ):
        return "tensorflow." + target
    return target


def spell(analysis: Analysis, raw_target: str, site: Site) -> Optional[tuple[str, Edits]]:
    """How to write ``raw_target`` at ``site``: through an import in scope, or a new one."""
    best: Optional[str] = None
    scope = site.scope
    while scope is not None:
        for name, bindings in scope.bindings.items():
            if analysis.symbols.defining_scope(name, site.scope) is not scope:
                continue
            for binding in bindings:
                bound = binding.qualname
                if binding.how != "import" or not bound:
                    continue
                if raw_target == bound or raw_target.startswith(bound + "."):
                    text = name + raw_target[len(bound) :]
                    if best is None or len(text) < len(best):
                        best = text
        scope = scope.parent
    if best is not None:
        return best, ()
    module, _, leaf = raw_target.rpartition(".")
    if not module or analysis.symbols.defining_scope(leaf, site.scope) is not None:
        return None
    return leaf, (ImportEdit(module, leaf),)


def sibling(
    analysis: Analysis,
    module: cst.Module,
    func: cst.BaseExpression,
    site: Site,
    leaf: str,
    wanted: str,
) -> Optional[tuple[str, Edits]]:
    """``tf.nn.softmax`` -> ``tf.nn.sigmoid``: ``leaf`` beside ``func``, if it is ``wanted``.

    ``wanted`` is a canonical name; a bare imported name is re-spelled from the
    module's imports (adding one when needed).
    """
    if isinstance(func, cst.Attribute):
        base = analysis.qualname(func.value, site)
        if base is not None and cat.canonical(f"{base}.{leaf}") == wanted:
            return f"{module.code_for_node(func.value)}.{leaf}", ()
        return None
    return spell(analysis, flavoured(analysis, func, site, wanted), site)


def sigmoid_activation(
    analysis: Analysis, module: cst.Module, value: cst.BaseExpression, site: Site
) -> Optional[NodeEdit]:
    """``activation="softmax"`` -> ``"sigmoid"``; ``tf.nn.softmax`` -> ``tf.nn.sigmoid``."""
    if isinstance(value, cst.SimpleString) and "softmax" in value.value:
        return NodeEdit(value, value.value.replace("softmax", "sigmoid"))
    if isinstance(value, cst.Attribute) and value.attr.value == "softmax":
        base = analysis.qualname(value.value, site)
        api = cat.lookup(f"{base}.sigmoid") if base is not None else None
        if api is not None and api.role is Role.PRODUCER and api.kind is Kind.SIGMOID_PROBS:
            return NodeEdit(value, f"{module.code_for_node(value.value)}.sigmoid")
    return None


# The layer that replaces a softmax layer, per framework: (leaf, canonical, arguments).
_SIGMOID_LAYERS = {
    "keras": ("Activation", "keras.layers.Activation", '"sigmoid"'),
    "torch": ("Sigmoid", "torch.nn.Sigmoid", ""),
}


def sigmoid_layer(
    analysis: Analysis, module: cst.Module, ctor: cst.Call, site: Site
) -> Optional[tuple[NodeEdit, Edits]]:
    """``layers.Softmax()`` -> ``layers.Activation("sigmoid")``; torch -> ``nn.Sigmoid()``.

    Same module prefix as the softmax layer, or an import from the same Keras.
    """
    api = analysis.api(ctor.func, site)
    if api is None or api.framework not in _SIGMOID_LAYERS:
        return None
    leaf, wanted, args = _SIGMOID_LAYERS[api.framework]
    spelled = sibling(analysis, module, ctor.func, site, leaf, wanted)
    if spelled is None:
        return None
    text, imports = spelled
    return NodeEdit(ctor, f"{text}({args})"), imports


def sigmoid_call(
    analysis: Analysis,
    module: cst.Module,
    call: cst.Call,
    input_expr: cst.BaseExpression,
    site: Site,
) -> Optional[tuple[NodeEdit, Edits]]:
    """``tf.nn.softmax(z, axis=-1)`` -> ``tf.nn.sigmoid(z)``; ``z.softmax(-1)`` -> ``z.sigmoid()``.

    The axis arguments go: a sigmoid is elementwise.
    """
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    if input_expr is func.value:  # a tensor method
        return NodeEdit(call, f"{module.code_for_node(func.value)}.sigmoid()"), ()
    api = analysis.api(func, site)
    if api is None:
        return None
    target = f"{api.names[0].rpartition('.')[0]}.sigmoid"
    sigmoid = cat.lookup(target)
    if sigmoid is None or sigmoid.kind is not Kind.SIGMOID_PROBS:
        return None
    spelled = sibling(analysis, module, func, site, "sigmoid", cat.canonical(target))
    if spelled is None:
        return None
    text, imports = spelled
    return NodeEdit(call, f"{text}({module.code_for_node(input_expr)})"), imports

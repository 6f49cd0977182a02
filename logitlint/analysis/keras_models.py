"""Model structure: what a model's final layer outputs and what its compiled loss expects.

LGT006 compares a Keras model's last activation with ``compile(loss=...)`` and LGT012
looks for a softmax over a width-one layer. Neither is visible in one expression:
the last layer is the end of a ``Sequential([...])`` list or of a chain of
``model.add`` calls, the ``outputs`` of ``Model(inputs, outputs)`` traced back through
the functional API, or what a subclassed model's ``call`` returns. This module reads
those shapes from the source and answers ``None`` whenever the structure is not
evident (an activation held in a variable, the last ``add`` inside a branch, a model
handed to a function that might change it): precision before recall.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, TypeVar

import libcst as cst

from logitlint.analysis import catalogue as cat
from logitlint.analysis.calls import argument, int_literal, literal_bool, string_literal
from logitlint.analysis.catalogue import Api, Role
from logitlint.analysis.kinds import Kind
from logitlint.analysis.scopes import Binding, Scope, Site
from logitlint.tree import visit

if TYPE_CHECKING:
    from logitlint.analysis.flow import Analysis

_MAX_DEPTH = 12
_NO_SHADOW: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LayerInfo:
    """A layer object: its constructor and what its output holds.

    ``kind`` is ``LOGITS`` for a layer with no (or a linear) activation, a probability
    kind for a softmax/sigmoid activation, ``None`` for anything else or unknown.
    ``units`` is the output width when it is a literal or a module-level constant.
    """

    ctor: cst.Call
    site: Site
    kind: Optional[Kind]
    units: Optional[int] = None
    layer: Optional[cat.Layer] = None  # width layers (Dense, nn.Linear)
    api: Optional[Api] = None  # activation layers (Softmax, Activation, nn.Softmax)
    activation: Optional[cst.Arg] = None  # the activation argument, when written
    last_axis: bool = False  # a softmax that provably normalises the last axis
    identity: bool = False  # Activation("linear"): the output is the input


@dataclass(frozen=True)
class Head:
    """What a model outputs: the kind of its final layer and that layer (to cite)."""

    kind: Kind
    node: cst.CSTNode
    site: Site
    pretrained: bool = False  # a Hugging Face model with a task head, not a layer


@dataclass(frozen=True)
class Loss:
    """A loss passed to ``compile``: strings and functions map to their loss class.

    ``from_logits`` is read literally (a string or function is always False);
    ``flag`` is the written ``from_logits`` argument; ``inline`` means the loss is
    spelled in the ``compile`` call itself rather than reached through a variable.
    """

    api: Api
    from_logits: bool
    expr: cst.BaseExpression
    form: str  # "string", "function" or "object"
    ctor: Optional[cst.Call] = None
    flag: Optional[cst.Arg] = None
    inline: bool = True


@dataclass(frozen=True)
class Compiled:
    call: cst.Call
    head: Head
    loss: Loss


@dataclass(frozen=True)
class SizeOne:
    """A softmax over a width-one axis.

    ``node`` is where to report (the fused layer, or the softmax layer or call);
    ``linear`` the width-one layer; ``target`` what a fix rewrites and ``how`` what
    it is: ``"activation"`` (an activation argument), ``"layer"`` (a softmax layer
    constructor), ``"call"`` (a softmax function or method call); ``target`` is None
    when the softmax is reached through a variable and no local rewrite exists.
    """

    node: cst.CSTNode
    linear: cst.CSTNode
    target: Optional[cst.CSTNode]
    how: str
    input: Optional[cst.BaseExpression] = None  # "call": the softmax's input


_T = TypeVar("_T")
_Method = Callable[..., Optional[_T]]


def _bounded(method: _Method[_T]) -> _Method[_T]:
    """Recursion through models, layers and bindings stops at a fixed depth (cycles)."""

    @functools.wraps(method)
    def bounded(self: KerasModels, *args: object) -> Optional[_T]:
        if self._depth > _MAX_DEPTH:
            return None
        self._depth += 1
        try:
            return method(self, *args)
        finally:
            self._depth -= 1

    return bounded


class KerasModels:
    """Answers model-structure questions for one module; built lazily by ``Analysis``."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.symbols = analysis.symbols
        self._by_scope: Optional[dict[int, list[Site]]] = None
        self._depth = 0

    # --- layers -------------------------------------------------------------------

    def layer(self, expr: cst.BaseExpression, site: Site) -> Optional[LayerInfo]:
        """The layer ``expr`` evaluates to: a constructor call, or a name bound to one."""
        found = self._ctor(expr, site)
        return self.describe(*found) if found is not None else None

    def describe(self, ctor: cst.Call, site: Site) -> Optional[LayerInfo]:
        qualname = self.analysis.qualname(ctor.func, site)
        if qualname is None:
            return None
        if any(arg.star for arg in ctor.args):
            return None  # Dense(**config): the arguments are not in the source
        layer = cat.LAYERS_BY_NAME.get(qualname)
        if layer is not None:
            units_arg = argument(ctor, layer.units)
            units = None if units_arg is None else self.constant_int(units_arg.value, site)
            activation = argument(ctor, layer.activation)
            kind = self.activation_kind(activation, site, layer.default_activation)
            return LayerInfo(ctor, site, kind, units, layer, activation=activation)
        api = cat.lookup(qualname)
        if api is None or api.role is not Role.MODULE_PRODUCER or api.fused:
            return None
        activation = argument(ctor, api.activation)
        kind = api.kind
        if api.activation is not None:
            kind = self.activation_kind(activation, site, "") if activation is not None else None
            if kind is Kind.LOGITS:  # Activation("linear"): passes its input through
                return LayerInfo(ctor, site, None, api=api, activation=activation, identity=True)
        last_axis = False
        if kind is Kind.PROBS:
            axis = argument(ctor, api.axis)
            if axis is None:
                last_axis = api.names[0] in cat.SOFTMAX_LAST_AXIS_DEFAULT
            else:
                last_axis = int_literal(axis.value) == -1
        return LayerInfo(ctor, site, kind, api=api, activation=activation, last_axis=last_axis)

    def activation_kind(
        self, arg: Optional[cst.Arg], site: Site, default: Optional[str]
    ) -> Optional[Kind]:
        """``LOGITS`` for no/linear activation, the kind of softmax/sigmoid, else None.

        ``default`` is what an absent argument means: ``None`` linear, a name otherwise.
        """
        if arg is None:
            return Kind.LOGITS if default is None else cat.ACTIVATION_STRINGS.get(default)
        value = arg.value
        if isinstance(value, cst.Name) and value.value == "None":
            return Kind.LOGITS
        text = string_literal(value)
        if text is not None:
            if text in cat.LINEAR_ACTIVATION_STRINGS:
                return Kind.LOGITS
            return cat.ACTIVATION_STRINGS.get(text)
        if not isinstance(value, (cst.Name, cst.Attribute)):
            return None
        qualname = self.analysis.qualname(value, site)
        if qualname in cat.LINEAR_ACTIVATIONS:
            return Kind.LOGITS
        api = cat.lookup(qualname)
        if api is not None and api.role is Role.PRODUCER:
            return api.kind
        return None

    def constant_int(self, expr: cst.BaseExpression, site: Site) -> Optional[int]:
        """An integer literal, or a name bound once, at module level, to one."""
        literal = int_literal(expr)
        if literal is not None or not isinstance(expr, cst.Name):
            return literal
        module = self.symbols.module_scope
        if self.symbols.defining_scope(expr.value, site.scope) is not module:
            return None
        bindings = module.bindings.get(expr.value, [])
        if len(bindings) != 1 or bindings[0].how != "assign" or bindings[0].value is None:
            return None
        return int_literal(bindings[0].value)

    # --- models -------------------------------------------------------------------

    def compiled(
        self, call: cst.Call, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[Compiled]:
        """``model.compile(loss=...)`` on a model whose final layer is evident."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "compile":
            return None
        receiver = func.value
        if not isinstance(receiver, cst.Name) or receiver.value in shadowed:
            return None
        loss_arg = argument(call, cat.KERAS_COMPILE_LOSS)
        if loss_arg is None:
            return None
        loss = self.loss(loss_arg.value, site, shadowed)
        if loss is None:
            return None
        head = self.head(receiver, site)
        return Compiled(call, head, loss) if head is not None else None

    def loss(
        self, expr: cst.BaseExpression, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> Optional[Loss]:
        """A Keras cross-entropy given as a string, a function or a loss object."""
        text = string_literal(expr)
        if text is not None:
            api = cat.lookup(cat.KERAS_LOSS_CLASS.get(text))
            return Loss(api, False, expr, "string") if api is not None else None
        if isinstance(expr, (cst.Name, cst.Attribute)):
            qualname = self.analysis.qualname(expr, site, shadowed)
            if qualname is not None:  # a function; a class without () is another bug
                api = cat.lookup(cat.KERAS_LOSS_CLASS.get(qualname))
                return Loss(api, False, expr, "function") if api is not None else None
        value = self.analysis.value(expr, site, shadowed)
        api, ctor = value.api, value.ctor
        if (
            value.kind is not Kind.OBJECT
            or api is None
            or ctor is None
            or api.names[0] not in cat.KERAS_LOSS_CLASS.values()
            or any(arg.star for arg in ctor.args)
        ):
            return None
        flag = argument(ctor, api.from_logits)
        from_logits = False if flag is None else literal_bool(flag)
        if from_logits is None:
            return None  # from_logits=self.flag: not evident
        return Loss(api, from_logits, expr, "object", ctor, flag, inline=ctor is expr)

    @_bounded
    def head(self, expr: cst.BaseExpression, site: Site) -> Optional[Head]:
        """The final layer of the model ``expr`` refers to at ``site``."""
        if isinstance(expr, cst.Call):
            return self._built_head(expr, site)
        if not isinstance(expr, cst.Name):
            return None
        binding = self._single_binding(expr.value, site)
        if binding is None or binding.value is None or binding.site.scope is not site.scope:
            return None
        grown = self._grown(expr.value, binding, site)
        if grown is None:
            return None
        if grown:
            if not self._is_sequential(binding.value, binding.site):
                return None  # add() proves nothing about a model we cannot see
            assert isinstance(binding.value, cst.Call)
            listed = self.sequential_layers(binding.value)
            if listed is None:
                return None
            return self._stack_head([*((e, binding.site) for e in listed), *grown], site)
        if isinstance(binding.value, cst.Name):  # model = base_model
            return self.head(binding.value, binding.site)
        return self._built_head(binding.value, binding.site)

    def _built_head(self, value: cst.BaseExpression, site: Site) -> Optional[Head]:
        if not isinstance(value, cst.Call):
            return None
        qualname = self.analysis.qualname(value.func, site)
        if self._is_hf_head_model(value.func, qualname, site):
            return Head(Kind.LOGITS, value, site, pretrained=True)
        if qualname in cat.KERAS_SEQUENTIAL:
            layers = self.sequential_layers(value)
            return self._stack_head([(e, site) for e in layers]) if layers else None
        if qualname in cat.KERAS_MODEL_CLASSES:
            outputs = argument(value, cat.KERAS_MODEL_OUTPUTS)
            if outputs is None or isinstance(outputs.value, (cst.List, cst.Tuple, cst.Dict)):
                return None  # several outputs take several losses
            return self.output_head(outputs.value, site)
        if qualname is not None or not isinstance(value.func, cst.Name):
            return None
        reaching = self.symbols.reaching(value.func.value, site)
        if not reaching or len(reaching) != 1 or not isinstance(reaching[0], Binding):
            return None
        binding = reaching[0]
        if binding.how == "class" and isinstance(binding.site.node, cst.ClassDef):
            return self._subclass_head(binding.site.node, binding.site)
        if binding.how == "def" and isinstance(binding.site.node, cst.FunctionDef):
            returned = self._single_return(binding.site.node)
            return self.head(*returned) if returned is not None else None
        return None

    def _is_hf_head_model(
        self, func: cst.BaseExpression, qualname: Optional[str], site: Site
    ) -> bool:
        """``TFAutoModelForSequenceClassification.from_pretrained(...)`` or its constructor."""
        if isinstance(func, cst.Attribute) and func.attr.value in cat.HF_MODEL_LOADERS:
            qualname = self.analysis.qualname(func.value, site)
        return qualname is not None and cat.HF_TF_HEAD_MODEL.fullmatch(qualname) is not None

    def _stack_head(
        self, stack: list[tuple[cst.BaseExpression, Site]], at: Optional[Site] = None
    ) -> Optional[Head]:
        """The head of a Sequential's layers, skipping identity ``Activation("linear")``.

        With ``at``, every layer looked at must have been added on every path to it.
        """
        for layer, site in reversed(stack):
            if at is not None and site is not at and not at.dominated_by(site):
                return None
            info = self.layer(layer, site)
            if info is None:
                return self.head(layer, site)  # a model as a layer: Sequential([base, head])
            if not info.identity:
                if info.kind is None or (info.layer is not None and info.layer.call_input):
                    return None
                return Head(info.kind, info.ctor, info.site)
        return None

    @_bounded
    def output_head(self, expr: cst.BaseExpression, site: Site) -> Optional[Head]:
        """What a functional output tensor holds: ``Dense(10)(x)``, ``tf.nn.softmax(h)``."""
        if isinstance(expr, cst.Name):
            binding = self._single_binding(expr.value, site)
            if binding is None or binding.value is None:
                return None
            return self.output_head(binding.value, binding.site)
        if not isinstance(expr, cst.Call):
            return None
        api = self.analysis.api(expr.func, site)
        if api is not None:
            if api.role is Role.PRODUCER and api.kind is not None:
                return Head(api.kind, expr, site)
            return None
        if isinstance(expr.func, (cst.Call, cst.Name, cst.Attribute)):
            info = self.layer(expr.func, site)
            if info is not None and info.identity:  # Activation("linear")(x): a cast
                inputs = [a for a in expr.args if a.keyword is None and not a.star]
                return self.output_head(inputs[0].value, site) if len(inputs) == 1 else None
            if info is not None and info.kind is not None:
                if info.layer is not None and info.layer.call_input:
                    return None
                return Head(info.kind, info.ctor, info.site)
            if info is None and isinstance(expr.func, cst.Name):
                return self.head(expr.func, site)  # a model called as a layer
        return None

    def _subclass_head(self, node: cst.ClassDef, site: Site) -> Optional[Head]:
        if not any(
            self.analysis.qualname(base.value, site) in cat.KERAS_MODEL_CLASSES
            for base in node.bases
        ):
            return None
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        methods = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
        if cat.KERAS_LOSS_OVERRIDES & methods.keys() or "call" not in methods:
            return None
        returned = self._single_return(methods["call"])
        return self.output_head(*returned) if returned is not None else None

    def sequential_layers(self, ctor: cst.Call) -> Optional[list[cst.BaseExpression]]:
        """The layers listed in ``Sequential([...])`` / ``nn.Sequential(a, b)``."""
        args = [a for a in ctor.args if a.keyword is None]
        if any(a.star for a in args):
            return None
        listed = argument(ctor, cat.KERAS_SEQUENTIAL_LAYERS)
        if listed is not None and isinstance(listed.value, (cst.List, cst.Tuple)):
            elements = listed.value.elements
            if any(isinstance(e, cst.StarredElement) for e in elements):
                return None
            return [e.value for e in elements]
        if listed is not None and listed.keyword is not None:
            return None
        return [a.value for a in args]

    def _is_sequential(self, value: cst.BaseExpression, site: Site) -> bool:
        return (
            isinstance(value, cst.Call)
            and self.analysis.qualname(value.func, site) in cat.KERAS_SEQUENTIAL
        )

    # --- LGT012 -------------------------------------------------------------------

    def single_unit_softmax(
        self, call: cst.Call, site: Site, shadowed: frozenset[str] = _NO_SHADOW
    ) -> list[SizeOne]:
        """Softmaxes over a width-one axis that ``call`` builds or applies."""
        qualname = self.analysis.qualname(call.func, site, shadowed)
        if qualname in cat.LAYERS_BY_NAME:
            info = self.describe(call, site)
            if info is None or info.units != 1 or info.kind is not Kind.PROBS:
                return []
            assert info.activation is not None  # no layer defaults to softmax
            return [SizeOne(call, call, info.activation.value, "activation")]
        if qualname is not None and cat.canonical(qualname) in _CONTAINERS:
            return self._container_pairs(call, site)
        if qualname is None and _is_add(call):
            return self._added_pair(call, site, shadowed)
        return self._applied(call, site, shadowed)

    def _container_pairs(self, call: cst.Call, site: Site) -> list[SizeOne]:
        layers = self.sequential_layers(call) or []
        found: list[SizeOne] = []
        for before, after in zip(layers, layers[1:]):
            hit = self._pair(before, site, after, site)
            if hit is not None:
                found.append(hit)
        return found

    def _added_pair(self, call: cst.Call, site: Site, shadowed: frozenset[str]) -> list[SizeOne]:
        func = call.func
        assert isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
        name = func.value.value
        if name in shadowed:
            return []
        binding = self._single_binding(name, site)
        if (
            binding is None
            or binding.value is None
            or binding.site.scope is not site.scope
            or not self._is_sequential(binding.value, binding.site)
        ):
            return []
        grown = self._grown(name, binding, site)
        if grown is None:
            return []
        if grown:
            before, before_site = grown[-1]
            if not site.dominated_by(before_site):
                return []
        else:
            assert isinstance(binding.value, cst.Call)
            listed = self.sequential_layers(binding.value)
            if not listed:
                return []
            before, before_site = listed[-1], binding.site
        hit = self._pair(before, before_site, call.args[0].value, site)
        return [hit] if hit is not None else []

    def _pair(
        self,
        before: cst.BaseExpression,
        before_site: Site,
        after: cst.BaseExpression,
        after_site: Site,
    ) -> Optional[SizeOne]:
        """``before`` a width-one linear layer and ``after`` a last-axis softmax layer."""
        softmax = self.layer(after, after_site)
        if softmax is None or softmax.api is None or not softmax.last_axis:
            return None
        linear = self.layer(before, before_site)
        if linear is None or linear.layer is None or linear.units != 1:
            return None
        if linear.kind is not Kind.LOGITS:
            return None
        inline = softmax.ctor is after
        if softmax.activation is not None:
            target: Optional[cst.CSTNode] = softmax.activation.value if inline else None
            return SizeOne(after, linear.ctor, target, "activation")
        return SizeOne(after, linear.ctor, after if inline else None, "layer")

    def _applied(self, call: cst.Call, site: Site, shadowed: frozenset[str]) -> list[SizeOne]:
        """``tf.nn.softmax(Dense(1)(h))``, ``self.fc(x).softmax(-1)``, ``Softmax()(z)``."""
        value = self.analysis.value(call, site, shadowed)
        prov = value.provenance
        if value.kind is not Kind.PROBS or prov is None or prov.producer is not call:
            return []
        linear = self._width_one_output(prov.input, site)
        if linear is None:
            return []
        if prov.module_ctor is not None:
            info = self.describe(prov.module_ctor, site)
            if info is None or not info.last_axis:
                return []
            inline = isinstance(call.func, cst.Call)
            if info.activation is not None:
                target = info.activation.value if inline else None
                return [SizeOne(call, linear, target, "activation")]
            return [SizeOne(call, linear, prov.module_ctor if inline else None, "layer")]
        axis = argument(call, prov.api.axis)
        if axis is None:
            if prov.method or prov.api.names[0] not in cat.SOFTMAX_LAST_AXIS_DEFAULT:
                return []
        elif int_literal(axis.value) != -1:
            return []
        return [SizeOne(call, linear, call, "call", prov.input)]

    @_bounded
    def _width_one_output(self, expr: cst.BaseExpression, site: Site) -> Optional[cst.CSTNode]:
        """The width-one linear layer whose output ``expr`` is, if it provably is one."""
        if isinstance(expr, cst.Name):
            binding = self._single_binding(expr.value, site)
            if binding is None or binding.value is None:
                return None
            return self._width_one_output(binding.value, binding.site)
        if not isinstance(expr, cst.Call):
            return None
        layer = cat.LAYERS_BY_NAME.get(self.analysis.qualname(expr.func, site) or "")
        if layer is not None:
            info = self.describe(expr, site) if layer.call_input else None
        elif isinstance(expr.func, (cst.Call, cst.Name, cst.Attribute)):
            info = self.layer(expr.func, site)
            if info is not None and (info.layer is None or info.layer.call_input):
                info = None
        else:
            info = None
        if info is None or info.units != 1 or info.kind is not Kind.LOGITS:
            return None
        return info.ctor

    # --- bindings and statements --------------------------------------------------

    def _single_binding(self, name: str, site: Site) -> Optional[Binding]:
        reaching = self.symbols.reaching(name, site)
        if not reaching or len(reaching) != 1:
            return None
        binding = reaching[0]
        if not isinstance(binding, Binding) or binding.how != "assign":
            return None
        return binding

    def _ctor(self, expr: cst.BaseExpression, site: Site) -> Optional[tuple[cst.Call, Site]]:
        """The constructor call a layer expression evaluates to, through plain bindings."""
        for _ in range(_MAX_DEPTH):
            if isinstance(expr, cst.Call):
                func = expr.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value in cat.OBJECT_PRESERVING_METHODS
                    and self.analysis.qualname(func, site) is None
                ):
                    expr = func.value  # nn.Linear(h, 1).to(device)
                    continue
                return expr, site
            if isinstance(expr, cst.Name):
                binding = self._single_binding(expr.value, site)
            elif isinstance(expr, cst.Attribute):
                binding = self._attribute_binding(expr, site)
            else:
                return None
            if binding is None or binding.value is None:
                return None
            expr, site = binding.value, binding.site
        return None

    def _attribute_binding(self, expr: cst.Attribute, site: Site) -> Optional[Binding]:
        owner = expr.value
        if not isinstance(owner, cst.Name):
            return None
        method = self.symbols.self_scope(owner.value, site.scope)
        if method is None or method.class_scope is None:
            return None
        bindings = method.class_scope.attributes.get(expr.attr.value, [])
        if len(bindings) != 1 or bindings[0].how != "assign":
            return None
        return bindings[0]

    def _single_return(self, func: cst.FunctionDef) -> Optional[tuple[cst.BaseExpression, Site]]:
        scope = self.symbols.scopes.get(id(func))
        if scope is None:
            return None
        returns = [s for s in self._sites(scope) if isinstance(s.node, cst.Return)]
        if len(returns) != 1:
            return None
        node = returns[0].node
        assert isinstance(node, cst.Return)
        return (node.value, returns[0]) if node.value is not None else None

    def _sites(self, scope: Scope) -> list[Site]:
        if self._by_scope is None:
            by_scope: dict[int, list[Site]] = {}
            for site in self.symbols.sites.values():
                by_scope.setdefault(id(site.scope), []).append(site)
            for sites in by_scope.values():
                sites.sort(key=lambda s: s.order)
            self._by_scope = by_scope
        return self._by_scope.get(id(scope), [])

    def _use(self, site: Site, name: str) -> Optional[str]:
        """How a statement that mentions the model ``name`` uses it.

        ``"add"`` for ``name.add(layer)``; ``"read"`` for a use that leaves the final
        layer alone (``model.fit(...)``, ``model.layers[0].trainable = False``,
        ``print(model.summary())``); None for anything else.
        """
        node = site.node
        if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            call = node.value
            if _is_add(call) and _root(call.func) == name and _depth(call.func) == 1:
                return None if _mentions(tuple(call.args), name) else "add"
            return "read" if self._reads(call, site, name) else None
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            return None
        value = node.value
        assert value is not None
        if not _mentions(tuple(targets), name):  # history = model.fit(...)
            reads = isinstance(value, cst.Call) and self._reads(value, site, name)
            return "read" if reads else None
        settable = all(
            isinstance(t, cst.Attribute)
            and t.attr.value in cat.KERAS_MODEL_SETTABLE
            and _root(t) == name
            for t in targets
        )
        return "read" if settable and not _mentions((value,), name) else None

    def _reads(self, call: cst.Call, site: Site, name: str) -> bool:
        """``model.fit(x)``, ``model.layers[0].set_weights(w)``, ``model(x).numpy()``,
        ``print(model.summary())``: calls that leave the model's layers as they are."""
        func = call.func
        if _forward(func, name):  # a method of the model's output tensor
            return not _mentions(tuple(call.args), name)
        if _is_name(func, name) or (isinstance(func, cst.Attribute) and _root(func) == name):
            reader = _is_name(func, name) or func.attr.value in cat.KERAS_MODEL_READERS
            return reader and not _mentions(tuple(call.args), name)
        if _mentions((func,), name):
            return False
        if isinstance(func, cst.Name) and func.value in cat.KERAS_MODEL_VIEWERS:
            return self.symbols.reaching(func.value, site) is None  # the builtin
        return self.analysis.qualname(func, site) in cat.KERAS_MODEL_VIEWERS

    def _grown(
        self, name: str, binding: Binding, site: Site
    ) -> Optional[list[tuple[cst.BaseExpression, Site]]]:
        """The layers ``name.add(...)`` appends between its binding and ``site``.

        None when ``name`` is used any other way in between (handed to a function,
        ``pop()``-ed, its layers edited), or when the last ``add`` does not always run
        before ``site``: then the final layer is not evident.
        """
        if any(block not in binding.site.path for block in site.loops):
            return None  # built outside a loop that also reaches this statement
        added: list[tuple[cst.BaseExpression, Site]] = []
        for between in self._sites(site.scope):
            if between.order <= binding.site.order:
                continue
            if between.order >= site.order:
                break
            if not _mentions(_header(between.node), name):
                continue
            use = self._use(between, name)
            if use is None:
                return None
            if use == "add":
                assert isinstance(between.node, cst.Expr)
                call = between.node.value
                assert isinstance(call, cst.Call)
                added.append((call.args[0].value, between))
        if added and not site.dominated_by(added[-1][1]):
            return None
        return added


_CONTAINERS = frozenset(name for api in cat.CONTAINERS for name in api.names)


def _is_add(call: cst.Call) -> bool:
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "add"
        and isinstance(func.value, cst.Name)
        and len(call.args) == 1
        and call.args[0].keyword is None
        and not call.args[0].star
    )


def _root(expr: cst.BaseExpression) -> Optional[str]:
    """The variable an attribute/subscript chain starts from: ``m`` in ``m.layers[0].x``."""
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _is_name(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _forward(expr: cst.BaseExpression, name: str) -> bool:
    """``model(x).numpy`` / ``model(x)[0]``: something taken from the model's output."""
    while isinstance(expr, (cst.Attribute, cst.Subscript, cst.Call)):
        inner = expr.func if isinstance(expr, cst.Call) else expr.value
        if isinstance(expr, cst.Call) and _is_name(inner, name):
            return True
        expr = inner
    return False


def _depth(expr: cst.BaseExpression) -> int:
    depth = 0
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
        depth += 1
    return depth


def _header(node: cst.CSTNode) -> tuple[cst.CSTNode, ...]:
    """The parts of a statement evaluated at it (a compound statement's body has sites)."""
    if isinstance(node, (cst.If, cst.While)):
        return (node.test,)
    if isinstance(node, cst.For):
        return (node.target, node.iter)
    if isinstance(node, cst.With):
        return tuple(node.items)
    if isinstance(node, (cst.Try, cst.TryStar, cst.Match)):
        return ()
    return (node,)  # small statements, and whole nested functions and classes


class _NameFinder(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> bool:
        if node.value == self.name:
            self.found = True
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        visit(node.value, self)  # the attribute's own name is not a use of the variable
        return False


def _mentions(nodes: tuple[cst.CSTNode, ...], name: str) -> bool:
    finder = _NameFinder(name)
    for node in nodes:
        visit(node, finder)
        if finder.found:
            return True
    return False

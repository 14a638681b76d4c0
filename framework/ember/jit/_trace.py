"""``ember.jit.trace``: run a function once, keep the ops it ran, replay them later.

Tracing is how PyTorch turns define-by-run code into a graph: it runs the function on
example inputs and records every op. Ember already records a graph for autograd, so the
tracer only has to ask for a little more: while ``TRACE_STATE["active"]`` is true,
``Function.apply`` notes on each node the op class (``ctx._trace_fn``) and the arguments
it got (``ctx._trace_args``). The tracer walks that graph back from the outputs to the
inputs and lists the ops in topological order; calling the traced function replays the
list with ``fn.apply`` on the new inputs, so autograd works on the replay too.

What a trace cannot see, it freezes: a tensor turned into a Python value (``if t > 0:``,
``t.item()``, ``len(t)`` in a loop) becomes a constant, so the branch taken on the example
is the only branch the trace knows (a ``TracerWarning`` says so). Only ops that autograd
records are traced, so a tensor made inside the function without the inputs
(``ember.ones(3)``), or from them by an op without a gradient (``x > 0``, ``x.detach()``,
integer inputs used as indices), is kept as the value it had during tracing.

This file holds the tracing and the traced callables; the recorded list of ops itself
(``Op``, ``Value``) and the walk, record and replay steps are in ``_graph.py``.

Example:
    >>> import ember, ember.jit
    >>> def f(x, y):
    ...     return x * 2 + y
    >>> traced = ember.jit.trace(f, (ember.ones(2), ember.ones(2)))
    >>> traced(ember.tensor([1., 2.]), ember.tensor([10., 10.]))
    tensor([12., 14.])
    >>> print(traced.code)
    def f(x, y):
        _0 = ember.mul(x, 2)
        _1 = ember.add(_0, y)
        return _1
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

from ember._dtype import dtype as ember_dtype
from ember._dtype import from_numpy_dtype
from ember._tensor import Tensor
from ember._tracing import TRACE_STATE, TracerWarning
from ember.autograd.grad_mode import enable_grad, no_grad
from ember.jit._graph import Op, Recorder, Value, replay, topological_nodes
from ember.ops.comparison import allclose

# ----------------------------------------------------------------- the traced callables


def _type_of(shape: tuple, dtype: Any) -> str:
    """``Float(2, 3)``: TorchScript's way to print a tensor type."""
    dt = dtype if isinstance(dtype, ember_dtype) else from_numpy_dtype(dtype)
    return f"{dt._legacy.removesuffix('Tensor')}({', '.join(str(d) for d in shape)})"


def _input_names(func: Callable[..., Any], count: int) -> list[str]:
    """The names of the first ``count`` parameters of ``func`` (``input_0``... if unknown)."""
    try:
        params = [p.name for p in inspect.signature(func).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"input_{i}" for i in range(count)]


class TracedFunction:
    """The ops of one run of a function, replayable on new inputs (``ember.jit.trace``).

    Attributes:
        graph: the recorded ops, printed like TorchScript's IR (also ``str(traced)``).
        code: the recorded ops as Python source.
    """

    def __init__(self, name: str, input_names: list[str], input_types: list[str],
                 ops: list[Op], outputs: list[Value | Tensor], single: bool,
                 parameter_names: dict[int, str]) -> None:
        self.__name__ = name
        self._input_names = input_names
        self._input_types = input_types
        self._ops = ops
        self._outputs = outputs
        self._single = single
        self._parameter_names = parameter_names
        self._code_name, self._code_args = name, input_names

    def __call__(self, *inputs: Any) -> Any:
        if len(inputs) != len(self._input_names):
            raise TypeError(f"{self.__name__}() expected {len(self._input_names)} "
                            f"argument(s) but received {len(inputs)} argument(s)")
        for position, value in enumerate(inputs):
            if not isinstance(value, Tensor):
                raise TypeError(f"{self.__name__}(): argument '{self._input_names[position]}'"
                                f" (position {position + 1}) must be Tensor, not "
                                f"{type(value).__name__}")
        results = replay(self._ops, list(inputs), self._outputs)
        return results[0] if self._single else tuple(results)

    # ----------------------------------------------------------------- printing
    def _names(self, style: str) -> tuple[Callable[[Any], str], list[str]]:
        """A function naming each argument, and the lines defining frozen tensors."""
        graph = style == "graph"
        slots = [("%" if graph else "") + n for n in self._input_names]
        slots += [f"%{i}" if graph else f"_{i}" for i in range(len(self._ops))]
        frozen: dict[int, str] = {}
        constants: list[Tensor] = []
        lines: list[str] = []

        def name(arg: Any) -> str:
            if isinstance(arg, Value):
                op = arg.slot - len(self._input_names)
                if arg.nr is None or op >= 0 and len(self._ops[op].meta) <= 1:
                    return slots[arg.slot]
                return f"{slots[arg.slot]}[{arg.nr}]"
            if not isinstance(arg, Tensor):
                return repr(arg)
            if id(arg) in frozen:
                return frozen[id(arg)]
            param = self._parameter_names.get(id(arg))
            if param is None:
                label, what = f"c{len(constants)}", f"ember.constant[value={_short(arg)}]()"
                constants.append(arg)
            else:
                label, what = param, f'ember.parameter[name="{param}"]()'
            if graph:
                lines.append(f"  %{label} : {_type_of(tuple(arg.shape), arg.dtype)} = {what}")
                frozen[id(arg)] = f"%{label}"
            else:
                frozen[id(arg)] = f"self.{label}" if param else f"CONSTANTS.{label}"
            return frozen[id(arg)]

        return name, lines

    @property
    def graph(self) -> str:
        """The ops in TorchScript's IR style: ``%2 : Float(2) = ember.mul(%x, %1)``."""
        name, constant_lines = self._names("graph")
        body = []
        for i, op in enumerate(self._ops):
            args = ", ".join(name(a) for a in op.args)
            types = ", ".join(_type_of(*m) for m in op.meta) or "Tensor"
            body.append(f"  %{i} : {types} = ember.{op.fn.__name__.lower()}({args})")
        outputs = ", ".join(name(out) for out in self._outputs)
        header = ",\n      ".join(f"%{n} : {t}"
                                   for n, t in zip(self._input_names, self._input_types,
                                                   strict=True))
        return "\n".join([f"graph({header}):", *constant_lines, *body,
                          f"  return ({outputs})"])

    @property
    def code(self) -> str:
        """The ops as the body of a Python function."""
        name, _ = self._names("code")
        lines = [f"def {self._code_name}({', '.join(self._code_args)}):"]
        for i, op in enumerate(self._ops):
            args = ", ".join(name(a) for a in op.args)
            lines.append(f"    _{i} = ember.{op.fn.__name__.lower()}({args})")
        outputs = ", ".join(name(out) for out in self._outputs)
        lines.append(f"    return {outputs if self._single else '(' + outputs + ')'}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.graph

    def __repr__(self) -> str:
        return f"<ember.jit.TracedFunction {self.__name__} ({len(self._ops)} ops)>"


def _short(tensor: Tensor) -> str:
    """A frozen tensor's value for the listing (its shape only when it is large)."""
    if tensor.numel() > 8:
        return f"<{_type_of(tuple(tensor.shape), tensor.dtype)}>"
    return " ".join(repr(tensor.detach()).split())


class TracedModule(TracedFunction):
    """A traced module: calls replay the trace; other attributes are the module's."""

    def __init__(self, module: Any, *args: Any) -> None:
        super().__init__(*args)
        self._module = module
        self._code_name, self._code_args = "forward", ["self", *self._input_names]

    def forward(self, *inputs: Any) -> Any:
        """Replay the trace (same as calling the traced module)."""
        return self(*inputs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_module":
            raise AttributeError(name)
        return getattr(self._module, name)

    def __repr__(self) -> str:
        kind = type(self._module).__name__
        return f"{kind}(original_name={kind})"


# ----------------------------------------------------------------- trace


def _example_leaf(value: Any) -> Tensor:
    """A copy of an example input that autograd tracks, so every op on it is recorded."""
    if not isinstance(value, Tensor):
        raise TypeError(f"Type '{type(value).__name__}' cannot be traced. Only Tensors and "
                        "(possibly nested) tuples of Tensors are supported as inputs or "
                        "outputs of traced functions")
    leaf = value.detach()
    if leaf.is_floating_point():
        leaf.requires_grad_(True)
    return leaf


def _run_traced(func: Callable[..., Any], leaves: list[Tensor]) -> Any:
    """``func(*leaves)`` with the tracing flag on and grad mode enabled."""
    previous = TRACE_STATE["active"]
    TRACE_STATE["active"] = True
    try:
        with enable_grad():
            return func(*leaves)
    finally:
        TRACE_STATE["active"] = previous


def trace(func: Callable[..., Any], example_inputs: Any,
          check_trace: bool = True) -> TracedFunction:
    """Record the ops ``func`` runs on ``example_inputs`` as a replayable graph.

    Args:
        func: a function of tensors, or a module (anything callable), returning a tensor
            or a tuple of tensors.
        example_inputs: a tensor or a tuple of tensors to run ``func`` on once.
        check_trace: replay the trace on the example inputs and warn
            (``TracerWarning``) when the results differ from the traced run.

    Returns:
        A ``TracedFunction`` (a ``TracedModule`` for an object with ``forward``) that
        replays the recorded ops; Python control flow taken while tracing is frozen.

    Example:
        >>> import ember, ember.jit
        >>> double = ember.jit.trace(lambda x: x * 2, ember.ones(2))
        >>> double(ember.tensor([1., 3.]))
        tensor([2., 6.])
    """
    examples = (example_inputs,) if isinstance(example_inputs, Tensor) else tuple(example_inputs)
    leaves = [_example_leaf(value) for value in examples]
    result = _run_traced(func, leaves)
    single = isinstance(result, Tensor)
    results = [result] if single else list(result) if isinstance(result, (tuple, list)) else []
    if not results or not all(isinstance(r, Tensor) for r in results):
        raise TypeError("Only tensors or tuples of tensors can be output from traced functions")

    inputs = {id(leaf): i for i, leaf in enumerate(leaves)}
    edges = [(r.grad_fn, getattr(r, "_output_nr", 0))
             if hasattr(r.grad_fn, "_trace_fn") else None for r in results]
    order = topological_nodes([e[0] for e in edges if e is not None], inputs)
    recorder = Recorder(leaves)
    recorder.record(order)
    outputs = [recorder.value_of(r, e) for r, e in zip(results, edges, strict=True)]

    is_module = hasattr(func, "forward")
    named = getattr(func, "named_parameters", None)
    parameter_names = {id(p): n for n, p in named()} if callable(named) else {}
    name = type(func).__name__ if is_module else getattr(func, "__name__", "traced")
    args = (name if name != "<lambda>" else "lambda_",
            _input_names(func.forward if is_module else func, len(leaves)),
            [_type_of(tuple(leaf.shape), leaf.dtype) for leaf in leaves],
            recorder.ops, outputs, single, parameter_names)
    traced = TracedModule(func, *args) if is_module else TracedFunction(*args)
    _warn_unused_inputs(traced)
    if check_trace:
        _check(traced, leaves, results)
    return traced


def _warn_unused_inputs(traced: TracedFunction) -> None:
    """Warn about inputs no recorded op reads: the trace cannot react to their values."""
    used = {a.slot for op in traced._ops for a in op.args if isinstance(a, Value)}
    used |= {out.slot for out in traced._outputs if isinstance(out, Value)}
    for position, name in enumerate(traced._input_names):
        if position not in used:
            warnings.warn(f"Input '{name}' of the traced function is not used by any recorded "
                          "op: its value was frozen (an index, a Python number, a tensor "
                          "without gradient) or ignored, so the trace ignores new values.",
                          TracerWarning, stacklevel=3)


def _check(traced: TracedFunction, leaves: list[Tensor], expected: list[Tensor]) -> None:
    """Warn when replaying on the example inputs does not give the traced run's outputs."""
    with no_grad():
        got = traced(*[leaf.detach() for leaf in leaves])
    got = [got] if traced._single else list(got)
    for nr, (a, b) in enumerate(zip(got, expected, strict=True)):
        if a.shape != b.shape or not allclose(a.detach().double(), b.detach().double(),
                                                    equal_nan=True):
            warnings.warn(f"Output nr {nr + 1}. of the traced function does not match the "
                          "corresponding output of the Python function: the function may "
                          "be nondeterministic or may have changed its inputs in place.",
                          TracerWarning, stacklevel=3)

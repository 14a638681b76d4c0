"""``ArrayFunction``: one differentiable operation, PyTorch's ``Function`` API on raw arrays.

Each op of ``ember/ops`` is a subclass with two static methods side by side:

* ``forward(ctx, *arrays)`` computes the result on raw arrays (``xp`` arrays, never
  tensors) and stashes what the backward pass needs with ``ctx.save_for_backward``;
* ``backward(ctx, grad)`` gets the gradient of the output (a raw array) and returns one
  gradient per ``forward`` argument: a tuple, with None for arguments that are not
  tensors or need no gradient.

``ArrayFunction.apply(*args)`` is the entry point: it unwraps tensors, runs ``forward``
and wraps the result. When grad mode is on and an input requires grad, it also **records
the graph**: the ``ctx`` becomes the output's ``grad_fn``, a node whose
``next_functions`` point at the nodes of the inputs. ``backward`` walks those links.

The public ``Function`` (forward and backward on *tensors*, for your own ops, stage 05)
lives in ``custom_function.py`` and is re-exported here, as ``torch.autograd.function``
does.

Example:
    >>> class Double(ArrayFunction):
    ...     @staticmethod
    ...     def forward(ctx, a):
    ...         return a * 2
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         return (grad * 2,)
    >>> import ember
    >>> x = ember.tensor([1., 2.], requires_grad=True)
    >>> y = Double.apply(x)
    >>> y.sum().backward()
    >>> x.grad
    tensor([2., 2.])
"""

from __future__ import annotations

from typing import Any, ClassVar

from ember._backend import ARRAY_TYPES, default_array_module
from ember._tensor import Tensor
from ember._tracing import TRACE_STATE
from ember.autograd.grad_mode import _state as _grad_state
from ember.autograd.graph import Node, accumulator, version_counter
from ember.autograd.node_names import NAMERS as _NAMERS
from ember.autograd.node_names import node_name

_new = object.__new__

_asarray = default_array_module().asarray
_NO_EDGE = (None, 0)

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class Context(Node):
    """What ``forward`` leaves for ``backward``, and the graph node of one op call.

    Attributes:
        saved_tensors: what ``save_for_backward`` stored, as a tuple (raises once the
            graph was freed by a backward without ``retain_graph=True``).
        needs_input_grad: one bool per ``apply`` argument.
        next_functions: one ``(node, output_nr)`` pair per ``apply`` argument; ``node`` is
            None for arguments that need no gradient.
    """

    # Slots keep recording cheap; __dict__ stays for the attributes forward sets itself
    # (``ctx.shape = a.shape``).
    __slots__ = ("_fn", "next_functions", "needs_input_grad", "_saved", "_versions", "_meta",
                 "_name", "_tensor_hooks", "_freed", "__dict__", "__weakref__")
    #: False: the engine gives a multi-output node zeros for outputs that got no gradient
    #: (a custom ``FunctionCtx`` does that itself, see ``set_materialize_grads``).
    _materializes_grads = False

    def __init__(self) -> None:
        self._fn: type | None = None
        self.next_functions: tuple = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self._saved: tuple = ()
        self._versions: tuple = ()
        self._meta: tuple = ()
        self._name: str | None = None
        self._tensor_hooks: dict[int, list] | None = None
        self._freed = False

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` for ``backward`` (read them back from ``ctx.saved_tensors``)."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        """The values given to ``save_for_backward``."""
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        return self._saved

    def name(self) -> str:
        """PyTorch's name of this node, e.g. ``MulBackward0`` (``MyFnBackward`` for yours)."""
        if self._name is not None:
            return self._name
        fn = self._fn
        if fn is None:
            return "Context"
        return node_name(fn)

    def _free(self) -> None:
        """Drop what forward saved (after a backward without ``retain_graph``)."""
        if self._saved or self.__dict__:
            self._saved = ()
            self._versions = ()
            # Keep the tracer's notes (``_trace_*``): they describe the op, not its data.
            for key in [k for k in self.__dict__ if not k.startswith("_trace")]:
                del self.__dict__[key]
            self._freed = True


class _NoGradContext(Context):
    """The shared context of un-recorded calls: saving is a no-op, so nothing is kept alive."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        # Forward functions may set attributes on ctx; nobody reads them without a graph.
        pass

    def save_for_backward(self, *values: Any) -> None:
        pass


#: The context passed to ``forward`` when no graph is recorded (the fast path of the ops).
NO_GRAD_CTX = _NoGradContext()


#: One ``Context`` subclass per node name, made on first use.
_NODE_CLASSES: dict[str, type[Context]] = {}
#: The node name of each op whose name does not depend on its arguments.
_FIXED_NAMES: dict[type, str] = {}


def _node_class(name: str) -> type[Context]:
    """The ``Context`` subclass called ``name`` (e.g. ``MulBackward0``)."""
    node_type = _NODE_CLASSES.get(name)
    if node_type is None:
        node_type = type(name, (Context,), {"__slots__": (), "__module__": __name__})
        _NODE_CLASSES[name] = node_type
    return node_type


def _fixed_name(fn: type) -> str:
    name = _FIXED_NAMES.get(fn)
    if name is None:
        name = _FIXED_NAMES[fn] = node_name(fn)
    return name


class ArrayFunction:
    """Base class of every built-in differentiable operation (forward and backward on arrays).

    Subclasses implement ``forward`` (stage 01) and ``backward`` (stage 02) as static
    methods and are called through ``apply``. Three class attributes declare what the
    rest of the framework must know of an op:

    * ``is_view``: the result always shares the input's memory (``view``, ``permute``,
      ``expand``), so it shares its version counter too;
    * ``may_be_view``: the result shares memory only when no copy was needed (``reshape``);
    * ``saves_output``: backward reads the op's output (``exp``, ``tanh``, ``sigmoid``,
      ``sqrt``: their derivatives are functions of it), so ``apply`` appends the output to
      ``ctx.saved_tensors``, and changing it in place before backward raises, as in PyTorch.

    One more, for gradients of gradients (``create_graph=True``, ``higher_order.py``):

    * ``tensor_backward``: the same chain rule as ``backward``, computed with tensor ops so
      that it records a graph. It receives tensors (the gradients, and ``saved_tensors``
      connected to the forward graph) and returns tensors. An op whose ``backward`` uses
      only operators that tensors share with arrays (``grad * b``, ``grad / a``,
      ``grad.reshape(shape)``) simply sets ``tensor_backward = backward``. None (the
      default): ``create_graph=True`` through this op raises.
    """

    is_view: ClassVar[bool] = False
    may_be_view: ClassVar[bool] = False
    saves_output: ClassVar[bool] = False
    tensor_backward: ClassVar[Any] = None

    @staticmethod
    def forward(ctx: Context, *args: Any) -> Any:
        """Compute the output array(s) from input arrays."""
        raise NotImplementedError("Function subclasses must implement forward")

    @staticmethod
    def backward(ctx: Context, *grad_outputs: Any) -> Any:
        """The gradient of each input given the gradient of the output (stage 02)."""
        raise NotImplementedError(
            "backward is not implemented yet: autograd comes in stage 02")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on tensors (and plain values); record the graph when needed.

        Args:
            *args: tensors (passed to ``forward`` as their arrays) and other values
                (passed unchanged, e.g. a dim or a shape).

        Returns:
            A new tensor, or a tuple of tensors when ``forward`` returns a tuple.
        """
        arrays = []
        edges = []
        needs = []
        record = False
        for arg in args:
            if isinstance(arg, Tensor):
                arrays.append(arg._data)
                if arg._requires_grad:
                    record = True
                    node = arg.grad_fn
                    edges.append((accumulator(arg), 0) if node is None
                                 else (node, arg._output_nr))
                    needs.append(True)
                    continue
            else:
                arrays.append(arg)
            edges.append(_NO_EDGE)
            needs.append(False)
        if not (record and _grad_state["enabled"]):
            output = cls.forward(NO_GRAD_CTX, *arrays)
            if type(output) is tuple:
                return tuple(Tensor._make(o) for o in output)
            return Tensor._make(output)
        # Recording: the ctx is the graph node of this call (PyTorch's grad_fn), an
        # instance of a class named after the node, so type(y.grad_fn).__name__ is
        # "MulBackward0" as in PyTorch.
        namer = _NAMERS.get(cls.__name__)
        name = namer(args) if namer is not None else _fixed_name(cls)
        ctx = _new(_node_class(name))
        ctx._fn = cls
        ctx._saved = ()
        ctx._name = name
        ctx._tensor_hooks = None
        ctx._freed = False
        ctx.next_functions = tuple(edges)
        ctx.needs_input_grad = tuple(needs)
        output = cls.forward(ctx, *arrays)
        if TRACE_STATE["active"]:
            ctx._trace_fn = cls
            ctx._trace_args = args
        if type(output) is tuple:
            return _wrap_outputs(ctx, args, arrays, output)
        # One output (the common case), inlined: this runs for every recorded op.
        if not isinstance(output, ARRAY_TYPES):
            output = _asarray(output)
        t = _new(Tensor)
        t._data = output
        t.grad = None
        ctx._meta = ((output.shape, output.dtype),)
        if output.dtype.kind in "fc":
            t._requires_grad = True
            t.grad_fn = ctx
            t._output_nr = 0
            # Created now: a recorded output is often saved by the next op (x * y * z).
            t._version_counter = [0]
        else:  # comparisons: no gradient flows through a bool result
            t._requires_grad = False
            t.grad_fn = None
        if cls.saves_output:  # backward reads the output: saved, and version-checked
            ctx._saved = (*ctx._saved, output)
        ctx._versions = _saved_versions(ctx, args, arrays, (output,), (t,)) \
            if ctx._saved or ctx.__dict__ else ()
        return t


def _wrap_outputs(ctx: Context, args: tuple, arrays: list, outputs: tuple) -> tuple:
    """The output tensors of a recorded call with several outputs (``max(dim)``)."""
    tensors = []
    meta = []
    for nr, array in enumerate(outputs):
        if not isinstance(array, ARRAY_TYPES):
            array = _asarray(array)
        t = _new(Tensor)
        t._data = array
        t.grad = None
        # Integer results (argmax indices) carry no gradient.
        differentiable = array.dtype.kind in "fc"
        t._requires_grad = differentiable
        t.grad_fn = ctx if differentiable else None
        t._output_nr = nr
        tensors.append(t)
        meta.append((array.shape, array.dtype))
    ctx._meta = tuple(meta)
    ctx._versions = _saved_versions(ctx, args, arrays, outputs, tensors)
    return tuple(tensors)


def _saved_versions(ctx: Context, args: tuple, arrays: list, outputs: tuple,
                    tensors: tuple) -> tuple:
    """``(counter, version, (array, position))`` of every tensor whose array was saved.

    ``position`` is the tensor's index among the arguments, or ``-1 - k`` for output k.

    ``forward`` saves raw arrays; we find the tensor each one came from by identity, and
    remember its version so that the engine can detect a later in-place change (stage 03).
    """
    saved = ctx._saved
    extra = ctx.__dict__
    candidates = [*saved, *extra.values()] if extra else saved
    found = []
    for value in candidates:
        if not isinstance(value, ARRAY_TYPES):
            continue
        for position, array in enumerate(arrays):
            if array is value:
                tensor = args[position]
                if isinstance(tensor, Tensor):
                    counter = version_counter(tensor)
                    found.append((counter, counter[0], (value, position)))
                break
        else:
            for nr, array in enumerate(outputs):
                if array is value:
                    counter = tensors[nr]._version_counter = [0]
                    found.append((counter, 0, (array, -1 - nr)))
                    break
    return tuple(found)


# The public, tensor-level API (stage 05) builds on the classes above.
from ember.autograd.custom_function import (  # noqa: E402, F401
    Function,
    FunctionCtx,
    once_differentiable,
)

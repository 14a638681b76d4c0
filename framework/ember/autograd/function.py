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

from collections.abc import Callable
from typing import Any, ClassVar

from ember._backend import ARRAY_TYPES
from ember._tensor import Tensor
from ember._tracing import TRACE_STATE
from ember.autograd.grad_mode import GRAD_STATE as _grad_state
from ember.autograd.graph import Node, accumulator, version_counter
from ember.autograd.node_names import NAMERS, node_name

_make = Tensor._make
_NO_EDGE = (None, 0)

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


#: One stored copy of each small immutable tuple that many nodes hold alike (see ``_shared``).
_SHARED: dict[tuple, tuple] = {}
_SHARED_LIMIT = 4096


def _shared(value: tuple) -> tuple:
    """The one stored copy of a tuple equal to ``value`` (``value`` itself the first time).

    Every node keeps ``needs_input_grad`` (``(True, False)``...) and ``_meta`` (the shape and
    dtype of its outputs), and most nodes of a graph hold equal ones. Sharing them means
    fewer objects alive per recorded op: each live object is work for Python's cyclic
    garbage collector, which otherwise takes a large part of a long forward pass. The
    table stops growing at ``_SHARED_LIMIT`` entries (a program with ever-new shapes).
    """
    if len(_SHARED) < _SHARED_LIMIT:
        return _SHARED.setdefault(value, value)
    return _SHARED.get(value, value)


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

    def __init__(self, fn: type | None = None, next_functions: tuple = ()) -> None:
        self._fn = fn
        self.next_functions = next_functions
        self.needs_input_grad = _shared(tuple([node is not None for node, _ in next_functions]))
        self._saved: tuple = ()
        self._versions: tuple = ()
        self._meta: tuple = ()
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


def _node_class(name: str) -> type[Context]:
    """The ``Context`` subclass called ``name`` (e.g. ``MulBackward0``)."""
    node_type = _NODE_CLASSES.get(name)
    if node_type is None:
        node_type = type(name, (Context,), {"__slots__": (), "__module__": __name__})
        _NODE_CLASSES[name] = node_type
    return node_type


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

    The class of the op's graph node (``MulBackward0``) is decided once, when the subclass
    is defined; only the few ops whose PyTorch name depends on the arguments (``sum`` with
    or without ``dim``, ``matmul`` by shape) name each call (``node_names.NAMERS``).

    One more attribute, for gradients of gradients (``create_graph=True``, ``higher_order.py``):

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
    _namer: ClassVar[Callable[[tuple], str] | None] = None
    _node_type: ClassVar[type[Context] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._namer = NAMERS.get(cls.__name__)
        cls._node_type = None if cls._namer else _node_class(node_name(cls))

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
        arrays = [arg._data if isinstance(arg, Tensor) else arg for arg in args]
        edges = tuple(map(_edge, args))
        if not _grad_state.enabled or edges.count(_NO_EDGE) == len(edges):
            output = cls.forward(NO_GRAD_CTX, *arrays)
            return tuple(map(_make, output)) if type(output) is tuple else _make(output)
        # The ctx is the graph node of this call (PyTorch's grad_fn), an instance of a
        # class named after the node: type(y.grad_fn).__name__ is "MulBackward0".
        node_type = cls._node_type or _node_class(cls._namer(args))
        ctx = node_type(cls, edges)
        output = cls.forward(ctx, *arrays)
        several = type(output) is tuple
        tensors = tuple([_attach(ctx, array, nr)
                         for nr, array in enumerate(output if several else (output,))])
        ctx._meta = _shared(tuple([(t._data.shape, t._data.dtype) for t in tensors]))
        if cls.saves_output:  # backward reads the output: saved, and version-checked
            ctx._saved = (*ctx._saved, *[t._data for t in tensors])
        if ctx._saved or ctx.__dict__:
            ctx._versions = _saved_versions(ctx, args, tensors)
        if TRACE_STATE["active"]:  # notes for jit.trace, which rebuilds the op list
            ctx._trace_fn, ctx._trace_args = cls, args
        return tensors if several else tensors[0]


def _edge(arg: Any) -> tuple:
    """``(node, output_nr)``: where the gradient of argument ``arg`` goes in backward."""
    if isinstance(arg, Tensor) and arg._requires_grad:
        node = arg.grad_fn
        return accumulator(arg).edge if node is None else (node, arg._output_nr)
    return _NO_EDGE


def _attach(ctx: Context, array: Any, nr: int) -> Tensor:
    """Output ``nr`` of a recorded call, as a tensor whose ``grad_fn`` is ``ctx``."""
    t = _make(array)
    if t._data.dtype.kind in "fc":  # integer and bool results carry no gradient
        t._requires_grad = True
        t.grad_fn = ctx
        t._output_nr = nr
        # Created now: a recorded output is often saved by the next op (x * y * z).
        t._version_counter = [0]
    return t


def _saved_versions(ctx: Context, args: tuple, outputs: tuple) -> tuple:
    """``(counter, version, array, position)`` of every tensor whose array was saved.

    ``position`` is the tensor's index among the arguments, or ``-1 - k`` for output k.

    ``forward`` saves raw arrays; we find the tensor each one came from by identity, and
    remember its version so that the engine can detect a later in-place change (stage 03).
    """
    found = []
    for value in (*ctx._saved, *ctx.__dict__.values()):
        if not isinstance(value, ARRAY_TYPES):
            continue
        for position, arg in enumerate(args):
            if isinstance(arg, Tensor) and arg._data is value:
                counter = version_counter(arg)
                found.append((counter, counter[0], value, position))
                break
        else:
            for nr, tensor in enumerate(outputs):
                if tensor._data is value:
                    counter = version_counter(tensor)
                    found.append((counter, counter[0], value, -1 - nr))
                    break
    return tuple(found)


#: The tensor-level API that PyTorch spells ``torch.autograd.function.Function``; it lives in
#: ``custom_function.py`` (stage 05), which subclasses the classes above.
_PUBLIC_API = ("Function", "FunctionCtx", "once_differentiable")


def __getattr__(name: str) -> Any:
    """``ember.autograd.function.Function`` and friends, at PyTorch's path (PEP 562)."""
    if name in _PUBLIC_API:
        # Deferred: custom_function.py imports this module, so this one cannot import it
        # at the top without a cycle.
        from ember.autograd import custom_function

        return getattr(custom_function, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

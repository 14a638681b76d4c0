"""``Function``: PyTorch's public API for a differentiable operation of your own, on tensors.

Built-in ops subclass ``ArrayFunction`` (forward and backward on raw arrays, see
``function.py``). You write a custom op the way a PyTorch user does, on **tensors**:

* ``forward(ctx, *args)`` computes the outputs from tensors (and plain values); it runs
  with grad mode off, so nothing inside it is recorded: the whole call becomes ONE node;
* ``backward(ctx, *grad_outputs)`` gets one gradient tensor per output and returns one
  gradient per ``forward`` argument (None for non-tensors and inputs needing no gradient).
  It runs with grad mode off, unless the engine was asked for ``create_graph=True``: then
  it runs with grad mode on, so a backward written in tensor ops is itself differentiable;
* ``ctx.mark_dirty(x)`` in a forward that changed its input ``x`` in place makes ``x``
  itself the output (its version bumped, its history ending at the new node).

``apply`` is a thin bridge to the engine: the ``ctx`` is the graph node (an instance of
``FunctionCtx`` named ``<YourClass>Backward``); its ``_fn`` is an ``ArrayFunction`` whose
array-level ``backward`` wraps the engine's arrays as tensors, calls your ``backward`` and
hands the result back. The engine then checks the number and shapes of the gradients.

Example:
    >>> import ember
    >>> class MyReLU(Function):
    ...     @staticmethod
    ...     def forward(ctx, input):
    ...         ctx.save_for_backward(input)
    ...         return input.clamp(min=0)
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         (input,) = ctx.saved_tensors
    ...         grad_input = grad_output.clone()
    ...         grad_input[input < 0] = 0
    ...         return grad_input
    >>> x = ember.tensor([-1., 2.], requires_grad=True)
    >>> y = MyReLU.apply(x)
    >>> y
    tensor([0., 2.], grad_fn=<MyReLUBackward>)
    >>> y.sum().backward()
    >>> x.grad
    tensor([0., 1.])
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from ember._backend import default_array_module
from ember._tensor import Tensor
from ember._tracing import TRACE_STATE
from ember.autograd.function import ArrayFunction, Context
from ember.autograd.grad_mode import GRAD_STATE as _grad_state
from ember.autograd.grad_mode import no_grad
from ember.autograd.graph import accumulator, share_storage, version_counter

_new = object.__new__
_NO_EDGE = (None, 0)


class FunctionCtx(Context):
    """The ``ctx`` of a custom ``Function``: what forward leaves for backward, and the node.

    Attributes:
        needs_input_grad: one bool per ``apply`` argument: does it need a gradient?
        materialize_grads: when True (the default), ``backward`` gets zeros, never None,
            for outputs that received no gradient.
    """

    __slots__ = ("materialize_grads", "_non_differentiable", "_tensor_args", "_dirty")
    # The engine leaves missing gradients as None for this node: the bridge makes them
    # zeros itself, or not, as ``set_materialize_grads`` says.
    _materializes_grads = True

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (or None) for ``backward``; read them back from ``saved_tensors``.

        Saved inputs and outputs are checked at backward time: changing one in place
        in between raises PyTorch's "modified by an inplace operation" error.
        """
        for index, value in enumerate(tensors):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument "
                                f"{index} is of type {type(value).__name__}")
        self._saved = tensors

    @property
    def saved_variables(self) -> tuple:
        """The old name of ``saved_tensors`` (deprecated, as in PyTorch)."""
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'",
                      DeprecationWarning, stacklevel=2)
        return self.saved_tensors

    def mark_non_differentiable(self, *args: Tensor) -> None:
        """Mark outputs (returned by ``forward``) that get no gradient (indices, masks).

        They do not require grad; ``backward`` still receives a gradient for each of them
        (zeros, or None after ``set_materialize_grads(False)``).
        """
        self._non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` gets zeros (True, default) or None for unused outputs."""
        self.materialize_grads = bool(value)

    def __repr__(self) -> str:
        return f"<ember.autograd.function.{self.name()} object at {id(self):#x}>"

    def mark_dirty(self, *args: Tensor) -> None:
        """Declare the inputs that ``forward`` modified in place (call it once, in forward).

        Each of them must also be returned by ``forward``: that input tensor itself becomes
        the output, its version is bumped (so a stale saved copy of it is detected), and
        its history now ends at this node. Modifying in place a leaf that requires grad
        raises, as for any in-place op.

        Example:
            >>> import ember
            >>> class Double_(Function):
            ...     @staticmethod
            ...     def forward(ctx, x):
            ...         ctx.mark_dirty(x)
            ...         return x.mul_(2)
            ...     @staticmethod
            ...     def backward(ctx, grad):
            ...         return grad * 2
            >>> a = ember.ones(2, requires_grad=True)
            >>> b = a.clone()
            >>> Double_.apply(b) is b, b.grad_fn.name()
            (True, 'Double_Backward')
        """
        self._dirty = args


# ------------------------------------------------------------------- the engine's side
class _Bridge(ArrayFunction):
    """The array-level op the engine runs for a custom ``Function``'s node."""

    function: type[Function]

    @classmethod
    def backward(cls, ctx: FunctionCtx, *grads: Any) -> tuple:  # type: ignore[override]
        """Wrap ``grads`` as tensors, run the user's backward without grad, check the count."""
        tensors = _grad_tensors(ctx, grads)
        # Without create_graph PyTorch runs backward with grad mode off.
        previous = _grad_state.enabled
        _grad_state.enabled = False
        try:
            result = cls.function.backward(ctx, *tensors)
        finally:
            _grad_state.enabled = previous
        return _checked_result(ctx, result)

    @classmethod
    def tensor_backward(cls, ctx: FunctionCtx, *grads: Any) -> tuple:
        """``create_graph=True``: the user's backward on the gradient tensors, grad mode on.

        As in PyTorch, whatever tensor ops that backward runs are recorded, so a backward
        written in tensor ops is differentiable (the engine has turned grad mode on).
        """
        if ctx.materialize_grads:
            grads = tuple(Tensor._make(_xp_zeros(*ctx._meta[nr])) if g is None else g
                          for nr, g in enumerate(grads))
        return _checked_result(ctx, cls.function.backward(ctx, *grads))


def _grad_tensors(ctx: FunctionCtx, grads: tuple) -> list:
    """One gradient tensor per output, each a copy that ``backward`` may change in place."""
    tensors = []
    for nr, grad in enumerate(grads):
        if grad is None:  # only outputs of a multi-output node can receive nothing
            # Hint: zeros of the output's shape and dtype (``ctx._meta[nr]``) when
            # ``ctx.materialize_grads``, else None.
            ### BEGIN SOLUTION 05
            if ctx.materialize_grads:
                shape, dtype = ctx._meta[nr]
                tensors.append(Tensor._make(_xp_zeros(shape, dtype)))
            else:
                tensors.append(None)
            ### END SOLUTION
            continue
        tensors.append(Tensor._make(grad.copy()))
    return tensors


def _xp_zeros(shape: tuple, dtype: Any) -> Any:
    return default_array_module().zeros(shape, dtype=dtype)


def _checked_result(ctx: FunctionCtx, result: Any) -> tuple:
    """``backward``'s result as a tuple; extra trailing Nones are dropped as in PyTorch."""
    if type(result) is not tuple:
        result = (result,)
    expected = len(ctx.next_functions)
    if len(result) > expected and all(g is None for g in result[expected:]):
        result = result[:expected]
    for index, grad in enumerate(result[:expected]):
        if grad is not None and not ctx._tensor_args[index]:
            # Hint: PyTorch's RuntimeError "function <name> returned a gradient different
            # than None at position <index + 1>, but the corresponding forward input was
            # not a Variable".
            ### BEGIN SOLUTION 05
            raise RuntimeError(f"function {ctx.name()} returned a gradient different than "
                               f"None at position {index + 1}, but the corresponding "
                               "forward input was not a Variable")
            ### END SOLUTION
    return result  # the engine checks the count and the shapes


_BRIDGES: dict[type, type[_Bridge]] = {}
_NODES: dict[type, type[FunctionCtx]] = {}


def _bridge(cls: type[Function]) -> type[_Bridge]:
    bridge = _BRIDGES.get(cls)
    if bridge is None:
        bridge = _BRIDGES[cls] = type(f"{cls.__name__}Bridge", (_Bridge,), {"function": cls})
    return bridge


def _node_type(cls: type[Function]) -> type[FunctionCtx]:
    """The node class of ``cls``: ``MyFnBackward`` as in PyTorch, whatever the module."""
    node_type = _NODES.get(cls)
    if node_type is None:
        node_type = type(f"{cls.__name__}Backward", (FunctionCtx,),
                         {"__slots__": (), "__module__": "ember.autograd.function"})
        _NODES[cls] = node_type
    return node_type


# ------------------------------------------------------------------- the user's side
class Function:
    """Base class of custom differentiable operations written on tensors (PyTorch's API).

    Subclass it with two static methods, ``forward(ctx, *args)`` and
    ``backward(ctx, *grad_outputs)``, and call it with ``MyFn.apply(*args)`` (never
    ``MyFn()(...)`` nor ``MyFn.forward``).
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        """Compute the output(s) from tensors and plain values (runs with grad off)."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        """One gradient per ``forward`` argument, given one gradient per output."""
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backwards "
                                  "mode AD.")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` on ``args``; record one graph node when a gradient is needed.

        Returns:
            What ``forward`` returned; its tensors get the node as ``grad_fn`` when grad
            mode is on and an input requires grad.
        """
        edges, needs = [], []
        for arg in args:
            if isinstance(arg, Tensor) and arg._requires_grad:
                node = arg.grad_fn
                edges.append(accumulator(arg).edge if node is None
                             else (node, arg._output_nr))
                needs.append(True)
            else:
                edges.append(_NO_EDGE)
                needs.append(False)
        record = _grad_state.enabled and any(needs)
        ctx = _new_ctx(cls, args, tuple(edges) if record else (), tuple(needs))
        previous = _grad_state.enabled
        _grad_state.enabled = False
        try:
            output = cls.forward(ctx, *args)
        finally:
            _grad_state.enabled = previous
        if ctx._dirty:
            _process_dirty(ctx, args, output, record)
        if not record:
            return output
        if TRACE_STATE["active"]:
            ctx._trace_fn = cls
            ctx._trace_args = args
        if isinstance(output, tuple):
            return _wrap_outputs(ctx, args, output)
        output = _attach(ctx, args, output, 0)
        ctx._meta = (_meta_of(output),)
        ctx._versions = _saved_versions(ctx, args, (output,))
        return output


def _new_ctx(cls: type[Function], args: tuple, edges: tuple, needs: tuple) -> FunctionCtx:
    ctx = _new(_node_type(cls))
    ctx._fn = _bridge(cls)
    ctx._saved = ()
    ctx._versions = ()
    ctx._meta = ()
    ctx._name = type(ctx).__name__
    ctx._tensor_hooks = None
    ctx._freed = False
    ctx.next_functions = edges
    ctx.needs_input_grad = needs
    ctx.materialize_grads = True
    ctx._non_differentiable = ()
    ctx._dirty = ()
    ctx._tensor_args = tuple(isinstance(arg, Tensor) for arg in args)
    return ctx


def _attach(ctx: FunctionCtx, args: tuple, value: Any, nr: int) -> Any:
    """Make output ``nr`` of ``forward`` an output of the node ``ctx``."""
    if not isinstance(value, Tensor):
        return value
    dirty = any(value is t for t in ctx._dirty)
    if dirty:  # modified in place: the input itself becomes the output (mark_dirty)
        if value._data.dtype.kind in "fc" and not _is_non_differentiable(ctx, value):
            _rebase_dirty(ctx, value, nr)
        return value
    if any(value is arg for arg in args):  # forward returned an input: a new view of it
        value = share_storage(value, Tensor._make(value._data))
    if ctx._non_differentiable and any(value is t for t in ctx._non_differentiable):
        # Hint: a non-differentiable output is a tensor without history.
        ### BEGIN SOLUTION 05
        value._requires_grad = False
        value.grad_fn = None
        return value
        ### END SOLUTION
    if value._data.dtype.kind in "fc":
        value._requires_grad = True
        value.grad_fn = ctx
        value._output_nr = nr
    return value


def _is_non_differentiable(ctx: FunctionCtx, value: Tensor) -> bool:
    return any(value is t for t in ctx._non_differentiable)


def _process_dirty(ctx: FunctionCtx, args: tuple, output: Any, record: bool) -> None:
    """PyTorch's checks of ``mark_dirty``; bump the version of each dirtied tensor.

    Raises:
        RuntimeError: a dirtied tensor is not returned by ``forward``, or (while recording)
            it is a leaf that requires grad.
    """
    outputs = output if isinstance(output, tuple) else (output,)
    for tensor in ctx._dirty:
        if not any(tensor is out for out in outputs):
            raise RuntimeError("Some elements marked as dirty during the forward method were "
                               "not returned as output. The inputs that are modified inplace "
                               "must all be outputs of the Function.")
        if not any(tensor is arg for arg in args):
            warnings.warn("ctx.mark_dirty() received a tensor that was not an input. Only "
                          "input Tensors that have been mutated should be passed to "
                          "ctx.mark_dirty().", UserWarning, stacklevel=4)
        base = getattr(tensor, "_base", None)
        if record and tensor._requires_grad and tensor.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an "
                               "in-place operation.")
        if record and base is not None and base._requires_grad and base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                               "in an in-place operation.")
        if record and base is not None and len(outputs) > 1:
            raise RuntimeError("If your Function modifies inplace an input that is a view "
                               "of another Tensor, your Function cannot return more than "
                               "one Tensor. You should either make sure the input is not a "
                               "view (using .clone() for example) or make your Function "
                               "only return one Tensor.")
        # Every saved copy of the old values is now stale: a later backward that reads
        # one raises "modified by an inplace operation".
        version_counter(tensor)[0] += 1


def _rebase_dirty(ctx: FunctionCtx, tensor: Tensor, nr: int) -> None:
    """Make the dirtied input ``tensor`` output ``nr`` of ``ctx`` (its new history).

    For a view, its base changed too: as for ember's in-place ops, the base becomes
    ``CopySlices(old base, new values)`` and the view is read back from the new base.
    """
    base = getattr(tensor, "_base", None)
    tensor._requires_grad = True
    tensor.grad_fn = ctx
    tensor._output_nr = nr
    if base is not None:
        from ember.ops.inplace import _rebase_view  # ops build on autograd, not back

        result = Tensor._make(tensor._data, requires_grad=True)
        result.grad_fn, result._output_nr = ctx, nr
        _rebase_view(tensor, base, result, None)


def _meta_of(value: Any) -> tuple:
    """``(shape, dtype)`` of an output: what a gradient flowing into it must match."""
    if isinstance(value, Tensor):
        return value._data.shape, value._data.dtype
    return (), _xp_zeros((), "float32").dtype


def _wrap_outputs(ctx: FunctionCtx, args: tuple, outputs: tuple) -> tuple:
    """Attach every output of a multi-output ``forward`` to ``ctx``; note their metadata."""
    # Hint: output ``nr`` becomes ``_attach(ctx, args, value, nr)``; ``ctx._meta`` holds
    # ``_meta_of`` of each output, in order.
    ### BEGIN SOLUTION 05
    wrapped = tuple(_attach(ctx, args, value, nr) for nr, value in enumerate(outputs))
    ctx._meta = tuple(_meta_of(value) for value in wrapped)
    ### END SOLUTION
    ctx._versions = _saved_versions(ctx, args, wrapped)
    return wrapped


def _saved_versions(ctx: FunctionCtx, args: tuple, outputs: tuple) -> tuple:
    """The version of each saved input or output, for the engine's in-place check."""
    found = []
    for value in ctx._saved:
        if not isinstance(value, Tensor):
            continue
        position = next((i for i, arg in enumerate(args) if arg is value), None)
        if position is None:
            nr = next((k for k, out in enumerate(outputs) if out is value), None)
            if nr is None:  # an intermediate of forward: nobody else can change it
                continue
            position = -1 - nr
        counter = version_counter(value)
        found.append((counter, counter[0], value._data, position))
    return tuple(found)


class DelayedError(ArrayFunction):
    """The node behind the gradients of a ``@once_differentiable`` backward: it raises.

    Under ``create_graph=True`` such a backward still runs without grad, so its results
    have no history; instead of letting a second derivative come out silently as zero,
    they are passed through this op, whose backward reports the problem.
    """

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        return a

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")

    tensor_backward = backward


def _guard_double_backward(outputs: Any, grads: tuple) -> Any:
    """The results of a ``@once_differentiable`` backward, made to raise if differentiated.

    Only under ``create_graph=True`` (grad mode on and a gradient that requires grad);
    otherwise ``outputs`` are returned unchanged.
    """
    if not (_grad_state.enabled and any(isinstance(g, Tensor) and g.requires_grad
                                            for g in grads)):
        return outputs
    if isinstance(outputs, tuple):
        return tuple(_delayed_error(value) for value in outputs)
    return _delayed_error(outputs)


def _delayed_error(value: Any) -> Any:
    """``value`` (a tensor or None) as an output of a ``DelayedError`` node."""
    if not isinstance(value, Tensor):
        return value
    alias = Tensor._make(value._data, requires_grad=True)  # a detached alias needing grad
    return DelayedError.apply(alias)


def once_differentiable(fn: Callable) -> Callable:
    """Decorate a ``backward`` that cannot itself be differentiated (PyTorch's decorator).

    The wrapped backward runs under ``no_grad``, so its operations record no graph. Under
    ``create_graph=True`` (grad mode on, a gradient that requires grad) its results get a
    node that raises if anyone differentiates through them, as in PyTorch.

    Example:
        >>> class Square(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     @once_differentiable
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad
    """
    # Hint: functools.wraps keeps fn's name and docstring on the wrapper.
    ### BEGIN SOLUTION 05
    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        return _guard_double_backward(outputs, args)

    return wrapper
    ### END SOLUTION


__all__ = ["Function", "FunctionCtx", "once_differentiable"]

"""``Function``: one differentiable operation, PyTorch's ``torch.autograd.Function`` API.

Each op of ``ember/ops`` is a subclass with two static methods side by side:

* ``forward(ctx, *arrays)`` computes the result on raw arrays (``xp`` arrays, never
  tensors) and may stash what the backward pass needs with ``ctx.save_for_backward``;
* ``backward(ctx, grad)`` returns one gradient per input (stage 02).

``Function.apply(*args)`` is the public entry point: it unwraps tensors, runs
``forward`` and wraps the result. Stage 02 makes it record the graph as well.

Example:
    >>> class Double(Function):
    ...     @staticmethod
    ...     def forward(ctx, a):
    ...         return a * 2
    >>> import ember
    >>> Double.apply(ember.tensor([1., 2.]))
    tensor([2., 4.])
"""

from __future__ import annotations

from typing import Any

from ember._tensor import Tensor


class Context:
    """What ``forward`` leaves for ``backward``: saved tensors/arrays and input flags.

    Attributes:
        saved_tensors: what ``save_for_backward`` stored, as a tuple.
        needs_input_grad: one bool per ``apply`` argument (stage 02 fills it).
    """

    def __init__(self) -> None:
        self.saved_tensors: tuple = ()
        self.needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        """Keep ``values`` for ``backward`` (read them back from ``ctx.saved_tensors``)."""
        self.saved_tensors = values


class _NoGradContext(Context):
    """The shared context of un-recorded calls: saving is a no-op, so nothing is kept alive."""

    def __setattr__(self, name: str, value: Any) -> None:
        # Forward functions may set attributes on ctx; nobody reads them without a graph.
        pass

    def save_for_backward(self, *values: Any) -> None:
        pass


#: The context passed to ``forward`` when no graph is recorded (the fast path of the ops).
NO_GRAD_CTX = _NoGradContext()


class Function:
    """Base class of every differentiable operation.

    Subclasses implement ``forward`` (stage 01) and ``backward`` (stage 02) as static
    methods and are called through ``apply``.
    """

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
        """Run the op on tensors (and plain values): unwrap, ``forward``, wrap.

        Args:
            *args: tensors (passed to ``forward`` as their arrays) and other values
                (passed unchanged, e.g. a dim or a shape).

        Returns:
            A new tensor, or a tuple of tensors when ``forward`` returns a tuple.
        """
        ctx = Context()
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        output = cls.forward(ctx, *arrays)
        if isinstance(output, tuple):
            return tuple(Tensor._make(o) for o in output)
        # Stage 02 records the graph here: when grad mode is on and an input requires
        # grad, the result gets requires_grad=True and grad_fn pointing at this node.
        return Tensor._make(output)

"""The pieces of the recorded graph: nodes, leaf accumulators, hooks and version counters.

Running an op on a tensor that requires grad records one **node** (the op's ``ctx``, see
``function.py``); each node points at the nodes that made its inputs through
``next_functions``, a tuple of ``(node, output_nr)`` pairs. The graph ends at **leaves**:
a leaf that requires grad gets one ``AccumulateGrad`` node, which adds the incoming
gradient into ``leaf.grad``. ``backward`` (``engine.py``) walks this graph from the output
back to the leaves.

Example:
    >>> import ember
    >>> x = ember.ones(2, requires_grad=True)
    >>> y = x * 3
    >>> y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()
    ('MulBackward0', 'AccumulateGrad')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def version_counter(tensor: Any) -> list[int]:
    """The tensor's version counter, created on first use.

    The counter is a one-element list ``[n]``: the tiniest shared mutable box. Every tensor
    viewing the same memory holds the *same* list, so ``view.add_(1)`` is seen by the base.
    Saved tensors remember ``n`` at save time; the engine compares before backward (stage
    03). Tensors get their counter lazily so that creating a tensor on the fast path costs
    nothing extra: most tensors are never modified in place nor saved.
    """
    try:
        return tensor._version_counter
    except AttributeError:
        counter = tensor._version_counter = [0]
        return counter


def share_storage(base: Any, view: Any) -> Any:
    """Mark ``view`` as a view of ``base``: one version counter, one ``_base``.

    Returns:
        ``view``, for chaining in the ops that make views.
    """
    view._version_counter = version_counter(base)
    root = getattr(base, "_base", None)
    view._base = base if root is None else root
    return view


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class Node:
    """Base of everything ``backward`` can visit (PyTorch's ``torch.autograd.graph.Node``).

    Subclasses provide ``next_functions`` and ``name()``. ``_tensor_hooks`` maps an output
    number to the hooks registered on that output tensor (``tensor.register_hook``); the
    engine runs them on the gradient of that output before using it.
    """

    __slots__ = ()

    def name(self) -> str:
        """The node's name as PyTorch prints it, e.g. ``MulBackward0``."""
        return type(self).__name__

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward (unused)."""
        raise NotImplementedError("Node.register_hook is not supported; use "
                                  "Tensor.register_hook")

    def _hook_list(self, output_nr: int) -> list:
        """The list of tensor hooks of output ``output_nr`` (created on first use)."""
        hooks = self._tensor_hooks
        if hooks is None:
            hooks = self._tensor_hooks = {}
        return hooks.setdefault(output_nr, [])

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds incoming gradients into ``leaf.grad``.

    Attributes:
        variable: the leaf tensor.
        edge: ``(self, 0)``, the edge that every op reading the leaf records in its
            ``next_functions``: made once, so recording an op builds one tuple fewer.
    """

    __slots__ = ("variable", "edge", "_tensor_hooks", "__weakref__")

    next_functions: tuple = ()

    def __init__(self, variable: Any) -> None:
        self.variable = variable
        self.edge = (self, 0)
        self._tensor_hooks: dict[int, list] | None = None

    def name(self) -> str:
        return "AccumulateGrad"

    @property
    def _meta(self) -> tuple:
        """``((shape, dtype),)`` of the leaf: what an incoming gradient must match."""
        data = self.variable._data
        return ((data.shape, data.dtype),)


def accumulator(leaf: Any) -> AccumulateGrad:
    """The ``AccumulateGrad`` node of ``leaf`` (one per leaf, created on first use)."""
    try:
        node = leaf._accumulator
    except AttributeError:
        node = None
    if node is None:
        node = leaf._accumulator = AccumulateGrad(leaf)
    return node


__all__ = ["AccumulateGrad", "Node", "RemovableHandle", "accumulator",
           "share_storage", "version_counter"]

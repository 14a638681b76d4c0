"""``Parameter`` and ``Buffer``: the two kinds of tensor a ``Module`` owns, by type.

A parameter is an ordinary tensor (same memory, same ops) that requires grad by default
and announces itself in its repr. ``Module.parameters()`` finds a module's parameters by
this type, and an optimizer updates them. A ``Buffer`` marks a tensor that is module state
without being learned (BatchNorm's running mean): ``module.name = nn.Buffer(t)`` is
``module.register_buffer("name", t)``.

Example:
    >>> import ember
    >>> ember.nn.Parameter(ember.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
"""

from __future__ import annotations

from typing import Any

from ember._creation import empty
from ember._tensor import Tensor

_new = object.__new__


def _leaf_sharing(cls: type[Tensor], data: Tensor | None) -> Tensor:
    """A new ``cls`` instance: a leaf reading ``data``'s memory (empty when ``data`` is None)."""
    if data is None:
        data = empty(0)
    leaf = _new(cls)
    leaf._data = data._data
    leaf.grad = None
    leaf.grad_fn = None
    leaf._requires_grad = False
    return leaf


class Parameter(Tensor):
    """A leaf tensor sharing ``data``'s memory, with ``requires_grad=True`` by default."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        param = _leaf_sharing(cls, data)
        param.requires_grad = requires_grad  # the setter rejects integer tensors
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ would parse sizes)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__  # print(param) shows the header too, as in PyTorch

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (self._data.copy(), self._requires_grad))


class Buffer(Tensor):
    """A tensor that, assigned to a module attribute, becomes one of its buffers.

    ``persistent=False`` keeps it out of ``state_dict()`` (``register_buffer``'s flag). The
    module stores a plain tensor sharing ``data``'s memory.

    Example:
        >>> import ember
        >>> m = ember.nn.Module()
        >>> m.steps = ember.nn.Buffer(ember.zeros(1))
        >>> m.scratch = ember.nn.Buffer(ember.zeros(2), persistent=False)
        >>> [name for name, _ in m.named_buffers()], list(m.state_dict())
        (['steps', 'scratch'], ['steps'])
    """

    __slots__ = ("persistent",)

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        buffer = _leaf_sharing(cls, data)
        buffer._requires_grad = data is not None and data._requires_grad
        buffer.persistent = bool(persistent)
        return buffer

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass  # everything happens in __new__

    def as_tensor(self) -> Tensor:
        """The plain tensor (same memory, same ``requires_grad``) a module stores."""
        return Tensor._make(self._data).requires_grad_(self._requires_grad)


def _rebuild_parameter(data: Any, requires_grad: bool) -> Parameter:
    """Unpickle (and deep-copy) a parameter as a parameter."""
    return Parameter(Tensor._make(data), requires_grad)

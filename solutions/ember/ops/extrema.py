"""Extrema: ``max min argmax argmin``, the reductions that pick one element.

Unlike ``sum`` or ``mean``, which mix every element into the result, an extremum *selects*
one element of each slice, so its gradient is a selection too: the chosen element receives
the upstream gradient and every other element 0,

    ∂ max(x) / ∂x_i = 1 if i is the index of the maximum, else 0.

When several elements tie, ``max(dim)`` routes the gradient to the index it returned, while
the full reduction ``max()`` shares it evenly among the tied elements, as PyTorch does.
``max(input, dim)`` returns a named pair ``(values, indices)``; ``max(input, other)`` is the
elementwise ``maximum`` of two tensors.

Example:
    >>> import ember
    >>> x = ember.tensor([[1., 5.], [7., 2.]])
    >>> x.max(dim=1).indices, x.argmin()
    (tensor([1, 0]), tensor(0))
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from ember._backend import get_array_module
from ember._dtype import int64
from ember._tensor import Tensor, normalize_dim
from ember.autograd.function import NO_GRAD_CTX, ArrayFunction, Context
from ember.ops._dispatch import binary, tracks_grad, unary
from ember.ops.elementwise import Maximum, Minimum


class _ReturnType:
    """Shared ``repr`` of PyTorch's ``torch.return_types.max(values=..., indices=...)``."""

    __slots__ = ()

    def __repr__(self) -> str:
        pairs = zip(self._fields, self, strict=True)
        fields = ",\n".join(f"{name}={value!r}" for name, value in pairs)
        return f"ember.return_types.{type(self).__name__}(\n{fields})"


def _return_type(name: str) -> type:
    """A named tuple ``(values, indices)`` called ``name``, e.g. the result of ``t.max(dim)``."""
    return type(name, (_ReturnType, namedtuple(name, ["values", "indices"])), {"__slots__": ()})


_ReturnTypes = {"max": _return_type("max"), "min": _return_type("min")}


class MaxMin(ArrayFunction):
    """The largest (``largest=True``) or smallest value along one axis, and its index.

    Only the selected element of each slice moves the result: it receives the gradient
    of ``values``, every other element 0 (the ``indices`` output has no gradient).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axis: int, keepdim: bool, largest: bool) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ctx.reduced = (axis, keepdim, largest)  # for backward (stage 02)
        # Hint: a.max/a.argmax (and min/argmin) take axis and keepdims; indices are int64.
        ### BEGIN SOLUTION 01
        if largest:
            values, indices = a.max(axis, keepdims=keepdim), a.argmax(axis, keepdims=keepdim)
        else:
            values, indices = a.min(axis, keepdims=keepdim), a.argmin(axis, keepdims=keepdim)
        return values, indices.astype(int64.numpy, copy=False)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any, grad_indices: Any = None) -> tuple[Any, ...]:
        (a,) = ctx.saved_tensors
        axis, keepdim, largest = ctx.reduced
        xp = get_array_module(a)
        if grad is None:  # only the indices were used: no gradient reaches a
            return xp.zeros_like(a), None, None, None
        # Hint: xp.put_along_axis writes values at per-slice indices.
        ### BEGIN SOLUTION 02
        indices = (a.argmax if largest else a.argmin)(axis, keepdims=True)
        if not keepdim:
            grad = xp.expand_dims(grad, axis)
        result = xp.zeros_like(a)
        xp.put_along_axis(result, indices, grad, axis)
        return result, None, None, None
        ### END SOLUTION


class Amax(ArrayFunction):
    """The largest (or smallest) of all elements.

    When several elements tie for the extreme value, PyTorch shares the gradient evenly
    among them: each gets ``grad / count``.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, largest: bool) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ctx.largest = largest  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return a.max() if largest else a.min()
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        (a,) = ctx.saved_tensors
        xp = get_array_module(a)
        extreme = a.max() if ctx.largest else a.min()
        ### BEGIN SOLUTION 02
        # A NaN result comes from the NaN elements: they share the gradient then.
        selected = xp.isnan(a) if xp.isnan(extreme) else a == extreme
        return xp.where(selected, grad / int(selected.sum()), 0), None
        ### END SOLUTION


def _max_or_min(input: Tensor, dim: Any, keepdim: bool, largest: bool) -> Any:
    name = "max" if largest else "min"
    if isinstance(dim, Tensor):  # max(input, other): the elementwise maximum
        return binary(Maximum if largest else Minimum, input, dim)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        return unary(Amax, input, largest)
    axis = normalize_dim(dim, input._data.ndim)
    if input._data.ndim and input._data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    if input._data.ndim == 0:
        zero = get_array_module(input._data).zeros((), dtype=int64.numpy)
        return _ReturnTypes[name](input.clone(), Tensor._make(zero))
    if tracks_grad(input):
        values, indices = MaxMin.apply(input, axis, keepdim, largest)
    else:
        pair = MaxMin.forward(NO_GRAD_CTX, input._data, axis, keepdim, largest)
        values, indices = Tensor._make(pair[0]), Tensor._make(pair[1])
    return _ReturnTypes[name](values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The largest element (a 0-dim tensor), or ``(values, indices)`` along ``dim``.

    ``max(input, other_tensor)`` is the elementwise ``maximum``.

    Example:
        >>> import ember
        >>> ember.tensor([[1, 5], [7, 2]]).max(dim=1).indices
        tensor([1, 0])
    """
    return _max_or_min(input, dim, keepdim, largest=True)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The smallest element, or ``(values, indices)`` along ``dim`` (see ``max``)."""
    return _max_or_min(input, dim, keepdim, largest=False)


def _arg_extreme(input: Tensor, dim: Any, keepdim: bool, largest: bool) -> Tensor:
    """Shared body of ``argmax``/``argmin``: checks, then the index of the extreme value."""
    name = "argmax" if largest else "argmin"
    data = input._data
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not "
                        f"{type(dim).__name__}")
    if data.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None and data.size == 0:
        raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                         "input.numel() == 0.")
    axis = None if dim is None else normalize_dim(dim, data.ndim)
    if axis is not None and data.ndim == 0:
        axis = None  # a 0-dim tensor along "dim 0": its only element
    elif axis is not None and data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    ### BEGIN SOLUTION 01
    xp = get_array_module(data)
    pick = xp.argmax if largest else xp.argmin
    indices = pick(data, axis=axis, keepdims=keepdim and axis is not None)
    return Tensor._make(xp.asarray(indices, dtype=int64.numpy))
    ### END SOLUTION


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The index of the largest element (in the flattened tensor when ``dim`` is None).

    Example:
        >>> import ember
        >>> ember.tensor([[1, 5], [7, 2]]).argmax()
        tensor(2)
    """
    return _arg_extreme(input, dim, keepdim, largest=True)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The index of the smallest element (in the flattened tensor when ``dim`` is None)."""
    return _arg_extreme(input, dim, keepdim, largest=False)

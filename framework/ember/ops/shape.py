"""Shape ops: views that share memory, and the few ops that must copy.

A **view** is a new tensor over the *same* memory with different shape/strides: ``view``,
``transpose``, ``permute``, ``t``, ``squeeze``, ``unsqueeze``, ``expand`` (stride 0 for
stretched dimensions) and ``split``/``chunk``. Writing through a view changes the original.
``reshape`` and ``flatten`` return a view when the strides allow it and copy otherwise;
``repeat``, ``cat``, ``stack``, ``contiguous`` (of a non-contiguous tensor) and ``clone``
always produce new memory.

Example:
    >>> import ember
    >>> x = ember.zeros(2, 3)
    >>> x.t()[0, 1] = 7.
    >>> x[1, 0]
    tensor(7.)
"""

from __future__ import annotations

import math
from typing import Any

from ember._backend import get_array_module
from ember._tensor import Tensor, normalize_dim
from ember.autograd.function import Context, Function
from ember.ops._dispatch import unary


def shape_args(shape: tuple) -> tuple[int, ...]:
    """Sizes given as varargs ``view(2, 3)`` or as one sequence ``view((2, 3))``."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        return tuple(shape[0])
    return shape


def infer_size(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """``shape`` with its one ``-1`` replaced so that the sizes multiply to ``numel``.

    Raises:
        RuntimeError: "only one dimension can be inferred", or "shape '[3, 5]' is invalid
            for input of size 10" when no size fits.
    """
    # Hint: math.prod of the sizes; with one -1 the product is minus the known part.
    raise NotImplementedError("Stage 01: implement infer_size")


class View(Function):
    """The same memory read with another shape; never copies."""

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...]) -> Any:
        # Hint: a.reshape(shape, copy=False) raises ValueError when a view is impossible.
        raise NotImplementedError("Stage 01: implement View.forward")


class Reshape(Function):
    """Another shape: a view when the strides allow it, else a copy."""

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...]) -> Any:
        raise NotImplementedError("Stage 01: implement Reshape.forward")


class Permute(Function):
    """Dimensions reordered: output dim i is input dim ``dims[i]`` (a view)."""

    @staticmethod
    def forward(ctx: Context, a: Any, dims: tuple[int, ...]) -> Any:
        raise NotImplementedError("Stage 01: implement Permute.forward")


class Expand(Function):
    """Size-1 dimensions stretched to ``shape`` with stride 0 (a view, no copy)."""

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...]) -> Any:
        raise NotImplementedError("Stage 01: implement Expand.forward")


class Repeat(Function):
    """The tensor tiled ``repeats[i]`` times along dimension i (a copy)."""

    @staticmethod
    def forward(ctx: Context, a: Any, repeats: tuple[int, ...]) -> Any:
        raise NotImplementedError("Stage 01: implement Repeat.forward")


class Contiguous(Function):
    """A row-major (C-order) copy."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return get_array_module(a).ascontiguousarray(a)


class Clone(Function):
    """A copy in new memory with the same memory layout (strides), like PyTorch's."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return get_array_module(a).array(a, copy=True)


def view(input: Tensor, *shape: Any) -> Tensor:
    """The same memory with a new shape (one size may be -1); never copies.

    Raises:
        RuntimeError: when the sizes do not multiply to ``numel()``, or when the strides
            make a view impossible (use ``reshape`` then).

    Example:
        >>> import ember
        >>> ember.arange(6).view(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]])
    """
    size = infer_size(shape_args(shape), input._data.size)
    return unary(View, input, size)


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """A tensor with a new shape: a view when possible, else a copy."""
    size = infer_size(shape_args(shape), input._data.size)
    return unary(Reshape, input, size)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.view(other.shape)``."""
    return view(input, other.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.reshape(other.shape)``."""
    return reshape(input, other.shape)


def permute(input: Tensor, *dims: Any) -> Tensor:
    """A view with the dimensions reordered: ``x.permute(2, 0, 1)``."""
    dims = shape_args(dims)
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input "
                           "does not match the length of the desired ordering of dimensions "
                           f"i.e. input.dim() = {ndim} is not equal to len(dims) = {len(dims)}")
    axes = tuple(normalize_dim(d, ndim) for d in dims)
    if len(set(axes)) != ndim:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return unary(Permute, input, axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """A view with dimensions ``dim0`` and ``dim1`` swapped."""
    ndim = input._data.ndim
    if ndim == 0:  # dims 0 and -1 of a 0-dim tensor name the tensor itself
        normalize_dim(dim0, ndim), normalize_dim(dim1, ndim)
        return unary(View, input, ())
    raise NotImplementedError("Stage 01: implement transpose")
    return unary(Permute, input, tuple(axes))


swapaxes = transpose


def reverse_dims(input: Tensor) -> Tensor:
    """``t.T``: a view with all dimensions in reverse order."""
    return unary(Permute, input, tuple(range(input._data.ndim - 1, -1, -1)))


def matrix_transpose(input: Tensor) -> Tensor:
    """``t.mT``: a view with the last two dimensions swapped (a batch of transposes)."""
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (0-D and 1-D tensors are returned as they are)."""
    if input._data.ndim > 2:
        raise RuntimeError("t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return transpose(input, 0, -1) if input._data.ndim == 2 else view(input, input.shape)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """A view without size-1 dimensions (only those in ``dim`` when given).

    A listed dimension whose size is not 1 is left alone, as in PyTorch.
    """
    shape = input._data.shape
    if not shape:  # a 0-dim tensor has nothing to squeeze; dims 0 and -1 are allowed
        for d in (() if dim is None else (dim,) if isinstance(dim, int) else dim):
            normalize_dim(d, 0)
        return unary(View, input, ())
    raise NotImplementedError("Stage 01: implement squeeze")
    return unary(View, input, new_shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A view with a new size-1 dimension inserted at position ``dim``."""
    shape = input._data.shape
    raise NotImplementedError("Stage 01: implement unsqueeze")
    return unary(View, input, new_shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions ``start_dim..end_dim`` merged into one (a view when possible)."""
    shape = input._data.shape
    if not shape:  # a 0-dim tensor flattens to one element; its dims are 0 and -1
        normalize_dim(start_dim, 1), normalize_dim(end_dim, 1)
        return reshape(input, 1)
    raise NotImplementedError("Stage 01: implement flatten")


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """A view with size-1 dimensions repeated to ``sizes`` (-1 keeps a size); no copy.

    New leading dimensions may be added: ``ember.ones(3).expand(2, 3)``.
    """
    sizes = tuple(shape_args(sizes))
    shape = input._data.shape
    raise NotImplementedError("Stage 01: implement expand")
    return unary(Expand, input, tuple(target))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.expand(other.shape)``."""
    return expand(input, other.shape)


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    """A copy tiled ``repeats[i]`` times along each dimension (may add leading dims)."""
    repeats = tuple(shape_args(repeats))
    if len(repeats) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                           "number of dimensions of tensor")
    return unary(Repeat, input, repeats)


def contiguous(input: Tensor) -> Tensor:
    """``input`` itself when already contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return unary(Contiguous, input)


def clone(input: Tensor) -> Tensor:
    """A copy of ``input`` in new memory."""
    return unary(Clone, input)

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
from ember.autograd.function import ArrayFunction, Context
from ember.autograd.higher_order import sum_to
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
    ### BEGIN SOLUTION 01
    shape = tuple(shape)
    if -1 not in shape:
        if math.prod(shape) == numel and (not shape or min(shape) >= 0):
            return shape
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = -math.prod(shape)  # the product of the other sizes (the -1 flips the sign)
    if known == 0 and numel == 0:
        raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} "
                           "because the unspecified dimension size -1 can be any value and "
                           "is ambiguous")
    if known <= 0 or numel % known:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(numel // known if size == -1 else size for size in shape)
    ### END SOLUTION


class View(ArrayFunction):
    """The same memory read with another shape; never copies.

    Reshaping moves no value, so the gradient is the upstream gradient read back in the
    input's shape (the same for ``Reshape``).
    """

    is_view = True

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...]) -> Any:
        ctx.shape = a.shape  # for backward (stage 02)
        # Hint: a.reshape(shape, copy=False) raises ValueError when a view is impossible.
        ### BEGIN SOLUTION 01
        try:
            # copy=False makes the array module raise instead of silently copying.
            return a.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least "
                "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead.") from None
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        ### BEGIN SOLUTION 02
        return grad.reshape(ctx.shape), None
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Squeeze(View):
    """``squeeze()``: a ``View``; its own class only so its node is ``SqueezeBackward0``."""


class SqueezeDim(View):
    """``squeeze(dim)``: a ``View`` whose node PyTorch names ``SqueezeBackward1``."""


class Unsqueeze(View):
    """``unsqueeze(dim)``: a ``View``; its node is ``UnsqueezeBackward0``."""


class Reshape(ArrayFunction):
    """Another shape: a view when the strides allow it, else a copy."""

    may_be_view = True

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...]) -> Any:
        ctx.shape = a.shape  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return a.reshape(shape)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        ### BEGIN SOLUTION 02
        return grad.reshape(ctx.shape), None
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Permute(ArrayFunction):
    """Dimensions reordered: output dim i is input dim ``dims[i]`` (a view).

    The gradient is permuted back with the inverse permutation: input dim ``dims[i]``
    is output dim i. For a transpose (two dims swapped) the inverse is the same swap.
    """

    is_view = True

    @staticmethod
    def forward(ctx: Context, a: Any, dims: tuple[int, ...]) -> Any:
        ctx.dims = dims  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return a.transpose(dims)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        dims = ctx.dims
        ### BEGIN SOLUTION 02
        inverse = [0] * len(dims)
        for i, d in enumerate(dims):
            inverse[d] = i
        return grad.transpose(inverse), None
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        """``backward`` in tensor ops (``create_graph=True``): permuted back."""
        dims = ctx.dims
        return grad.permute(sorted(range(len(dims)), key=dims.__getitem__)), None
    ### END REFERENCE ONLY


class Transpose(Permute):
    """``transpose(dim0, dim1)``: a ``Permute`` that swaps two dimensions.

    A class of its own only so that the graph node has PyTorch's name,
    ``TransposeBackward0``; ``forward`` and ``backward`` are ``Permute``'s.
    """


class T(Permute):
    """``t()`` of a matrix: a ``Permute`` named ``TBackward0`` in the graph, like PyTorch's."""


class Expand(ArrayFunction):
    """Size-1 dimensions stretched to ``shape`` with stride 0 (a view, no copy).

    One input element feeds every position of a stretched (or new leading) dimension, so
    its gradient is the sum over those positions.
    """

    is_view = True

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...]) -> Any:
        ctx.shape = a.shape  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).broadcast_to(a, shape)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        ### BEGIN SOLUTION 02
        return sum_to_shape(grad, ctx.shape), None
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        """``backward`` in tensor ops (``create_graph=True``)."""
        return sum_to(grad, ctx.shape), None
    ### END REFERENCE ONLY


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """``grad`` summed over the dimensions that broadcasting stretched to reach its shape.

    Example:
        >>> import numpy as np
        >>> sum_to_shape(np.ones((2, 3)), (3,))
        array([2., 2., 2.])
    """
    ### BEGIN SOLUTION 02
    lead = grad.ndim - len(shape)  # new leading dimensions: summed away
    stretched = tuple(lead + i for i, size in enumerate(shape)
                      if size == 1 and grad.shape[lead + i] != 1)
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))
    if stretched:
        grad = grad.sum(axis=tuple(i - lead for i in stretched), keepdims=True)
    return grad
    ### END SOLUTION


class Repeat(ArrayFunction):
    """The tensor tiled ``repeats[i]`` times along dimension i (a copy).

    Each input element appears once in every tile, so its gradient is the sum over the
    tiles: split each output dimension of size ``r·s`` into ``(r, s)`` and sum the r's.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, repeats: tuple[int, ...]) -> Any:
        ctx.repeated = (a.shape, repeats)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).tile(a, repeats)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        shape, repeats = ctx.repeated
        padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)  # tile adds leading 1s
        ### BEGIN SOLUTION 02
        tiles = []
        for r, s in zip(repeats, padded, strict=True):
            tiles += [r, s]
        summed = grad.reshape(tiles).sum(axis=tuple(range(0, len(tiles), 2)))
        return summed.reshape(shape), None
        ### END SOLUTION


class Contiguous(ArrayFunction):
    """A row-major (C-order) copy; the values are unchanged, so d/da = 1."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return get_array_module(a).ascontiguousarray(a)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        ### BEGIN SOLUTION 02
        return grad
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Clone(ArrayFunction):
    """A copy in new memory with the same memory layout (strides), like PyTorch's; d/da = 1."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return get_array_module(a).array(a, copy=True)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        ### BEGIN SOLUTION 02
        return grad
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


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
    ### BEGIN SOLUTION 01
    axes = list(range(ndim))
    d0, d1 = normalize_dim(dim0, ndim), normalize_dim(dim1, ndim)
    axes[d0], axes[d1] = axes[d1], axes[d0]
    ### END SOLUTION
    return unary(Transpose, input, tuple(axes))


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
    if input._data.ndim == 2:
        return unary(T, input, (1, 0))
    return view(input, input.shape)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """A view without size-1 dimensions (only those in ``dim`` when given).

    A listed dimension whose size is not 1 is left alone, as in PyTorch.
    """
    shape = input._data.shape
    if not shape:  # a 0-dim tensor has nothing to squeeze; dims 0 and -1 are allowed
        for d in (() if dim is None else (dim,) if isinstance(dim, int) else dim):
            normalize_dim(d, 0)
        return unary(View, input, ())
    ### BEGIN SOLUTION 01
    if dim is None:
        dims = range(len(shape))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = [normalize_dim(d, len(shape)) for d in dims]
    drop = {d for d in dims if shape[d] == 1}
    new_shape = tuple(s for i, s in enumerate(shape) if i not in drop)
    ### END SOLUTION
    return unary(Squeeze if dim is None else SqueezeDim, input, new_shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A view with a new size-1 dimension inserted at position ``dim``."""
    shape = input._data.shape
    ### BEGIN SOLUTION 01
    position = normalize_dim(dim, len(shape) + 1)
    new_shape = shape[:position] + (1,) + shape[position:]
    ### END SOLUTION
    return unary(Unsqueeze, input, new_shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions ``start_dim..end_dim`` merged into one (a view when possible)."""
    shape = input._data.shape
    if not shape:  # a 0-dim tensor flattens to one element; its dims are 0 and -1
        normalize_dim(start_dim, 1), normalize_dim(end_dim, 1)
        return reshape(input, 1)
    ### BEGIN SOLUTION 01
    start, end = normalize_dim(start_dim, len(shape)), normalize_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = 1
    for size in shape[start:end + 1]:
        merged *= size
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])
    ### END SOLUTION


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """A view with size-1 dimensions repeated to ``sizes`` (-1 keeps a size); no copy.

    New leading dimensions may be added: ``ember.ones(3).expand(2, 3)``.
    """
    sizes = tuple(shape_args(sizes))
    shape = input._data.shape
    ### BEGIN SOLUTION 01
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(ember.{input.type().split('.')[-1]}{{{list(shape)}}}, size={list(sizes)}): "
            f"the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})")
    padded = (None,) * (len(sizes) - len(shape)) + shape
    target = []
    for dim, (old, new) in enumerate(zip(padded, sizes, strict=True)):
        if new == -1 and old is None:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                               f"leading, non-existing dimension {dim}")
        if new == -1:
            new = old
        elif old is not None and old != 1 and old != new:
            raise RuntimeError(
                f"The expanded size of the tensor ({new}) must match the existing size "
                f"({old}) at non-singleton dimension {dim}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}")
        target.append(new)
    ### END SOLUTION
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

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: infer_size, View.forward, Reshape.forward, Permute.forward, Expand.forward,
#             Repeat.forward, transpose, squeeze, unsqueeze, flatten, expand
#   stage 02: View.backward, Reshape.backward, Permute.backward, Expand.backward, sum_to_shape,
#             Repeat.backward, Contiguous.backward, Clone.backward
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
    # ---- your code (stage 01): infer_size ----
    raise NotImplementedError("Stage 01: implement infer_size")
    # ---- end of your code (stage 01) ----


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
        # ---- your code (stage 01): View.forward ----
        raise NotImplementedError("Stage 01: implement View.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        # ---- your code (stage 02): View.backward ----
        raise NotImplementedError("Stage 02: implement View.backward")
        # ---- end of your code (stage 02) ----

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
        # ---- your code (stage 01): Reshape.forward ----
        raise NotImplementedError("Stage 01: implement Reshape.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        # ---- your code (stage 02): Reshape.backward ----
        raise NotImplementedError("Stage 02: implement Reshape.backward")
        # ---- end of your code (stage 02) ----

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
        # ---- your code (stage 01): Permute.forward ----
        raise NotImplementedError("Stage 01: implement Permute.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        dims = ctx.dims
        # ---- your code (stage 02): Permute.backward ----
        raise NotImplementedError("Stage 02: implement Permute.backward")
        # ---- end of your code (stage 02) ----


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
        # ---- your code (stage 01): Expand.forward ----
        raise NotImplementedError("Stage 01: implement Expand.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        # ---- your code (stage 02): Expand.backward ----
        raise NotImplementedError("Stage 02: implement Expand.backward")
        # ---- end of your code (stage 02) ----


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """``grad`` summed over the dimensions that broadcasting stretched to reach its shape.

    Example:
        >>> import numpy as np
        >>> sum_to_shape(np.ones((2, 3)), (3,))
        array([2., 2., 2.])
    """
    # ---- your code (stage 02): sum_to_shape ----
    raise NotImplementedError("Stage 02: implement sum_to_shape")
    # ---- end of your code (stage 02) ----


class Repeat(ArrayFunction):
    """The tensor tiled ``repeats[i]`` times along dimension i (a copy).

    Each input element appears once in every tile, so its gradient is the sum over the
    tiles: split each output dimension of size ``r·s`` into ``(r, s)`` and sum the r's.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, repeats: tuple[int, ...]) -> Any:
        ctx.repeated = (a.shape, repeats)  # for backward (stage 02)
        # ---- your code (stage 01): Repeat.forward ----
        raise NotImplementedError("Stage 01: implement Repeat.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        shape, repeats = ctx.repeated
        padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)  # tile adds leading 1s
        # ---- your code (stage 02): Repeat.backward ----
        raise NotImplementedError("Stage 02: implement Repeat.backward")
        # ---- end of your code (stage 02) ----


class Contiguous(ArrayFunction):
    """A row-major (C-order) copy; the values are unchanged, so d/da = 1."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return get_array_module(a).ascontiguousarray(a)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        # ---- your code (stage 02): Contiguous.backward ----
        raise NotImplementedError("Stage 02: implement Contiguous.backward")
        # ---- end of your code (stage 02) ----

    tensor_backward = backward  # the formula uses only operators tensors have too


class Clone(ArrayFunction):
    """A copy in new memory with the same memory layout (strides), like PyTorch's; d/da = 1."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return get_array_module(a).array(a, copy=True)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        # ---- your code (stage 02): Clone.backward ----
        raise NotImplementedError("Stage 02: implement Clone.backward")
        # ---- end of your code (stage 02) ----

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
    # ---- your code (stage 01): transpose ----
    # It must define axes: the code after it reads it.
    raise NotImplementedError("Stage 01: implement transpose")
    # ---- end of your code (stage 01) ----
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
    # ---- your code (stage 01): squeeze ----
    # It must define new_shape: the code after it reads it.
    raise NotImplementedError("Stage 01: implement squeeze")
    # ---- end of your code (stage 01) ----
    return unary(Squeeze if dim is None else SqueezeDim, input, new_shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A view with a new size-1 dimension inserted at position ``dim``."""
    shape = input._data.shape
    # ---- your code (stage 01): unsqueeze ----
    # It must define new_shape: the code after it reads it.
    raise NotImplementedError("Stage 01: implement unsqueeze")
    # ---- end of your code (stage 01) ----
    return unary(Unsqueeze, input, new_shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions ``start_dim..end_dim`` merged into one (a view when possible)."""
    shape = input._data.shape
    if not shape:  # a 0-dim tensor flattens to one element; its dims are 0 and -1
        normalize_dim(start_dim, 1), normalize_dim(end_dim, 1)
        return reshape(input, 1)
    # ---- your code (stage 01): flatten ----
    raise NotImplementedError("Stage 01: implement flatten")
    # ---- end of your code (stage 01) ----


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """A view with size-1 dimensions repeated to ``sizes`` (-1 keeps a size); no copy.

    New leading dimensions may be added: ``ember.ones(3).expand(2, 3)``.
    """
    sizes = tuple(shape_args(sizes))
    shape = input._data.shape
    # ---- your code (stage 01): expand ----
    # It must define target: the code after it reads it.
    raise NotImplementedError("Stage 01: implement expand")
    # ---- end of your code (stage 01) ----
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

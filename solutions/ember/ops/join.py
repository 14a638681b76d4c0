"""Joining and splitting: ``cat``, ``stack``, ``split``, ``chunk``.

``cat`` glues tensors along an existing dimension, ``stack`` along a new one (both copy).
``split`` and ``chunk`` cut one tensor into pieces that are **views** of it.

Example:
    >>> import ember
    >>> a, b = ember.arange(5).split([2, 3])
    >>> a, b
    (tensor([0, 1]), tensor([2, 3, 4]))
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._tensor import Tensor, normalize_dim
from ember.autograd.function import NO_GRAD_CTX, ArrayFunction, Context
from ember.ops._dispatch import promoted_arrays, tracks_grad


class Cat(ArrayFunction):
    """Arrays concatenated along ``axis``.

    Each input owns a block of the output along ``axis``: its gradient is that block of
    the upstream gradient (the blocks start at the running sums of the sizes).
    """

    @staticmethod
    def forward(ctx: Context, axis: int, *arrays: Any) -> Any:
        ctx.axis = axis  # for backward (stage 02)
        ctx.sizes = [array.shape[axis] for array in arrays]  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(arrays[0]).concatenate(arrays, axis=axis)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        axis, sizes = ctx.axis, ctx.sizes
        xp = get_array_module(grad)
        ### BEGIN SOLUTION 02
        offsets, start = [], 0
        for size in sizes[:-1]:
            start += size
            offsets.append(start)
        return None, *xp.split(grad, offsets, axis=axis)
        ### END SOLUTION


class Stack(ArrayFunction):
    """Arrays of one shape stacked along a new ``axis``.

    Input i is the slice i of the output along ``axis``, so its gradient is slice i of
    the upstream gradient.
    """

    @staticmethod
    def forward(ctx: Context, axis: int, *arrays: Any) -> Any:
        ctx.axis = axis  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(arrays[0]).stack(arrays, axis=axis)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        xp = get_array_module(grad)
        ### BEGIN SOLUTION 02
        return None, *xp.moveaxis(grad, ctx.axis, 0)
        ### END SOLUTION


class Slice(ArrayFunction):
    """``a[start:stop]`` along ``axis`` (a view; the pieces of ``split`` and ``chunk``).

    The gradient is zero outside the piece and the upstream gradient inside it.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axis: int, start: int, stop: int) -> Any:
        ctx.shape = a.shape  # for backward (stage 02)
        ctx.piece = (axis, start, stop)  # for backward (stage 02)
        return a[(slice(None),) * axis + (slice(start, stop),)]

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        axis, start, stop = ctx.piece
        xp = get_array_module(grad)
        ### BEGIN SOLUTION 02
        result = xp.zeros(ctx.shape, dtype=grad.dtype)
        result[(slice(None),) * axis + (slice(start, stop),)] = grad
        return result, None, None, None
        ### END SOLUTION


def _common_tensors(tensors: Any, name: str) -> list[Tensor]:
    """The tensors converted to their promoted dtype (``cat`` promotes like ``+``)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"ember.{name}(): expected a non-empty list of Tensors")
    result = tensors[0]
    for t in tensors[1:]:
        _, _, dt = promoted_arrays(result, t)
        if dt is not None:
            result = result.to(dt)
    return [t.to(result.dtype) for t in tensors]


def _run(fn: type[ArrayFunction], axis: int, tensors: list[Tensor]) -> Tensor:
    if tracks_grad(*tensors):
        return fn.apply(axis, *tensors)
    return Tensor._make(fn.forward(NO_GRAD_CTX, axis, *(t._data for t in tensors)))


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """The tensors joined along dimension ``dim`` (all other sizes must match).

    Raises:
        RuntimeError: "Sizes of tensors must match except in dimension 0. Expected size 3
            but got size 4 for tensor number 1 in the list."
    """
    tensors = _common_tensors(tensors, "cat")
    # PyTorch skips 1-D empty tensors (the legacy "empty" placeholder) in cat.
    tensors = [t for t in tensors if t.shape != (0,)] or tensors[:1]
    ndim = tensors[0].ndim
    axis = normalize_dim(dim, ndim)
    ### BEGIN SOLUTION 01
    first = tensors[0].shape
    for number, t in enumerate(tensors[1:], start=1):
        if t.ndim != ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ndim} "
                               f"and {t.ndim}")
        for d in range(ndim):
            if d != axis and t.shape[d] != first[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{first[d]} but got size {t.shape[d]} for tensor number {number} in the "
                    "list.")
    ### END SOLUTION
    return _run(Cat, axis, tensors)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """The tensors (all of one shape) stacked along a new dimension ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    tensors = _common_tensors(tensors, "stack")
    ### BEGIN SOLUTION 01
    for entry, t in enumerate(tensors[1:], start=1):
        if t.shape != tensors[0].shape:
            raise RuntimeError("stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at "
                               f"entry {entry}")
    axis = normalize_dim(dim, tensors[0].ndim + 1)
    ### END SOLUTION
    return _run(Stack, axis, tensors)


def _pieces(input: Tensor, axis: int, sizes: list[int]) -> tuple[Tensor, ...]:
    """Views of consecutive pieces of ``sizes`` along ``axis``."""
    pieces, start = [], 0
    for size in sizes:
        if tracks_grad(input):
            pieces.append(Slice.apply(input, axis, start, start + size))
        else:
            pieces.append(Tensor._make(
                Slice.forward(NO_GRAD_CTX, input._data, axis, start, start + size)))
        start += size
    return tuple(pieces)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of pieces of ``tensor`` along ``dim``.

    An int gives pieces of that size (the last may be smaller); a list gives the sizes.

    Example:
        >>> import ember
        >>> [p.shape[0] for p in ember.zeros(5).split(2)]
        [2, 2, 1]
    """
    axis = normalize_dim(dim, tensor.ndim)
    length = tensor.shape[axis]
    # Hint: turn the argument into a list of piece sizes along the axis.
    ### BEGIN SOLUTION 01
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and length:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={step}")
        sizes = [min(step, length - start) for start in range(0, length, step)] if step else []
        sizes = sizes or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to "
                               f"{length} (input tensor's size at dimension {axis}), but got "
                               f"split_sizes={sizes}")
    ### END SOLUTION
    return _pieces(tensor, axis, sizes)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` views of (nearly) equal size ``ceil(n / chunks)`` along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    length = input.shape[normalize_dim(dim, input.ndim)]
    ### BEGIN SOLUTION 01
    size = -(-length // chunks)  # ceil division
    ### END SOLUTION
    if size == 0:
        return split(input, [0] * chunks, dim) if length == 0 else (input,)
    return split(input, size, dim)

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: Cat.forward, Stack.forward, cat, stack, split, chunk
#   stage 02: Cat.backward, Stack.backward, Slice.backward
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
        # ---- your code (stage 01): Cat.forward ----
        raise NotImplementedError("Stage 01: implement Cat.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        axis, sizes = ctx.axis, ctx.sizes
        xp = get_array_module(grad)
        # ---- your code (stage 02): Cat.backward ----
        raise NotImplementedError("Stage 02: implement Cat.backward")
        # ---- end of your code (stage 02) ----


class Stack(ArrayFunction):
    """Arrays of one shape stacked along a new ``axis``.

    Input i is the slice i of the output along ``axis``, so its gradient is slice i of
    the upstream gradient.
    """

    @staticmethod
    def forward(ctx: Context, axis: int, *arrays: Any) -> Any:
        ctx.axis = axis  # for backward (stage 02)
        # ---- your code (stage 01): Stack.forward ----
        raise NotImplementedError("Stage 01: implement Stack.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        xp = get_array_module(grad)
        # ---- your code (stage 02): Stack.backward ----
        raise NotImplementedError("Stage 02: implement Stack.backward")
        # ---- end of your code (stage 02) ----


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
        # ---- your code (stage 02): Slice.backward ----
        raise NotImplementedError("Stage 02: implement Slice.backward")
        # ---- end of your code (stage 02) ----


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
    # ---- your code (stage 01): cat ----
    raise NotImplementedError("Stage 01: implement cat")
    # ---- end of your code (stage 01) ----
    return _run(Cat, axis, tensors)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """The tensors (all of one shape) stacked along a new dimension ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    tensors = _common_tensors(tensors, "stack")
    # ---- your code (stage 01): stack ----
    # It must define axis: the code after it reads it.
    raise NotImplementedError("Stage 01: implement stack")
    # ---- end of your code (stage 01) ----
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
    # ---- your code (stage 01): split ----
    # It must define sizes: the code after it reads it.
    raise NotImplementedError("Stage 01: implement split")
    # ---- end of your code (stage 01) ----
    return _pieces(tensor, axis, sizes)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` views of (nearly) equal size ``ceil(n / chunks)`` along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    length = input.shape[normalize_dim(dim, input.ndim)]
    # ---- your code (stage 01): chunk ----
    # It must define size: the code after it reads it.
    raise NotImplementedError("Stage 01: implement chunk")
    # ---- end of your code (stage 01) ----
    if size == 0:
        return split(input, [0] * chunks, dim) if length == 0 else (input,)
    return split(input, size, dim)

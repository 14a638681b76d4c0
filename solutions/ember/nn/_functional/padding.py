"""``F.pad``: add (or, with negative sizes, remove) values at the edges of the last dims.

``pad`` lists sizes from the last dimension backwards, two per dimension:
``(left, right)`` pads the last one, ``(left, right, top, bottom)`` the last two. Four ways
to choose the new values, for a row ``a b c d`` padded by 2 on the left:

==============  ==================  ==================================================
mode            result              source of output position ``j`` (``p = j - left``)
==============  ==================  ==================================================
``constant``    ``v v a b c d``     ``value``, or ``x[p]`` inside
``reflect``     ``c b a b c d``     ``p`` mirrored at the edges, the edge not repeated
``replicate``   ``a a a b c d``     ``p`` clipped to ``[0, n-1]``
``circular``    ``c d a b c d``     ``p mod n``
==============  ==================  ==================================================

A negative size removes that many values first; the other sizes then pad what is left.

The three non-constant modes are gathers along each padded dimension: ``y = x[idx]`` with
the index map of the table. The gradient scatters back through the same map,
``∂L/∂x[i] = Σ_{j: idx[j] = i} ∂L/∂y[j]`` (an edge element that was copied three times
collects three gradients).
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context

#: The non-constant modes and the index map of each (positions ``p``, length ``n``).
_MODES = ("constant", "reflect", "replicate", "circular")


def _index_map(xp: Any, mode: str, n: int, before: int, after: int) -> Any:
    """Which input position each output position of one dimension reads.

    A negative size crops first (as in PyTorch); the positive sizes then pad what is left.
    """
    start, m = max(-before, 0), n - max(-before, 0) - max(-after, 0)
    p = xp.arange(-max(before, 0), m + max(after, 0))
    if mode == "replicate":
        local = xp.clip(p, 0, m - 1)
    elif mode == "circular":
        local = p % m
    elif m == 1:  # reflect needs two elements to mirror; PyTorch refuses earlier
        local = xp.zeros_like(p)
    else:
        q = p % (2 * m - 2)
        local = xp.where(q < m, q, 2 * m - 2 - q)
    return local + start


class Gather(ArrayFunction):
    """Reflect, replicate or circular padding: a gather per padded dimension."""

    @staticmethod
    def forward(ctx: Context, x: Any, maps: tuple[tuple[int, Any], ...]) -> Any:
        ctx.maps, ctx.shapes = maps, []
        xp = get_array_module(x)
        for axis, index in maps:
            ctx.shapes.append(x.shape)
            x = xp.take(x, index, axis=axis)
        return x

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        xp = get_array_module(grad)
        for (axis, index), shape in zip(reversed(ctx.maps), reversed(ctx.shapes), strict=True):
            source = xp.zeros(shape, dtype=grad.dtype)
            moved = xp.moveaxis(source, axis, 0)  # a view: add.at writes into ``source``
            xp.add.at(moved, index, xp.moveaxis(grad, axis, 0))
            grad = source
        return grad, None


class ConstantPad(ArrayFunction):
    """Constant padding; negative sizes crop. The gradient is the uncropped, unpadded part."""

    @staticmethod
    def forward(ctx: Context, x: Any, pairs: tuple[tuple[int, int], ...], value: float) -> Any:
        xp = get_array_module(x)
        ctx.shape, ctx.pairs = x.shape, pairs
        crop = tuple(slice(max(-b, 0), n - max(-a, 0))
                     for (b, a), n in zip(pairs, x.shape, strict=True))
        grow = [(max(b, 0), max(a, 0)) for b, a in pairs]
        return xp.pad(x[crop], grow, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None]:
        xp = get_array_module(grad)
        inside = tuple(slice(max(b, 0), n - max(a, 0))
                       for (b, a), n in zip(ctx.pairs, grad.shape, strict=True))
        cropped = [(max(-b, 0), max(-a, 0)) for b, a in ctx.pairs]
        return xp.pad(grad[inside], cropped), None, None


def _pairs(pad: tuple[int, ...], ndim: int) -> tuple[tuple[int, int], ...]:
    """``(before, after)`` for every dimension, first to last (unpadded ones ``(0, 0)``)."""
    pairs = [(0, 0)] * ndim
    for k in range(len(pad) // 2):
        pairs[ndim - 1 - k] = (int(pad[2 * k]), int(pad[2 * k + 1]))
    return tuple(pairs)


def _check_non_constant(input: Tensor, pad: tuple[int, ...], mode: str) -> None:
    """PyTorch's limits on reflect, replicate and circular padding."""
    dims, ndim = len(pad) // 2, input.dim()
    if dims not in (1, 2, 3) or ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for k in range(dims):
        before, after = pad[2 * k], pad[2 * k + 1]
        dim = ndim - 1 - k
        n = input.shape[dim]
        if mode == "reflect" and not (before < n and after < n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({before}, {after}) at dimension {dim} of input "
                f"{list(input.shape)}")
        if mode == "circular" and not (before <= n and after <= n):
            raise RuntimeError("Padding value causes wrapping around more than once.")


def pad(input: Tensor, pad: tuple[int, ...] | list[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions of ``input`` (see the module docstring).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.pad(ember.tensor([[1., 2., 3.]]), (2, 1), mode="reflect")
        tensor([[3., 2., 1., 2., 3., 2.]])
    """
    pad = tuple(pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.dim()}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pairs = _pairs(pad, input.dim())
    if mode == "constant":
        return ConstantPad.apply(input, pairs, 0.0 if value is None else value)
    if value:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    _check_non_constant(input, pad, mode)
    xp = get_array_module(input._data)
    maps = tuple((axis, _index_map(xp, mode, input.shape[axis], before, after))
                 for axis, (before, after) in reversed(list(enumerate(pairs)))
                 if before or after)
    return Gather.apply(input, maps)

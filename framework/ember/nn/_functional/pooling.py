# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: MaxPool2DWithIndices.forward, MaxPool2DWithIndices.backward, AvgPool2D.forward,
#             AvgPool2D.backward, AdaptiveAvgPool2D.forward, AdaptiveAvgPool2D.backward
"""Pooling: ``F.max_pool2d``, ``F.avg_pool2d`` and ``F.adaptive_avg_pool2d``.

Pooling summarises each window of a feature map by one number: its maximum or its mean.
Both reuse the sliding-window view of ``conv.py`` (no loop over pixels); their backward
passes add gradients back through the same windows (col2im), one kernel offset at a time.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
"""

from __future__ import annotations

import math
from typing import Any

from ember._backend import get_array_module
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.nn._functional.conv import add_windows, pad_array, pair, windows


def _pool_geometry(shape: tuple[int, ...], kernel: Any, stride: Any, padding: Any,
                   dilation: Any, ceil_mode: bool) -> tuple:
    """Checked ``(kernel, stride, pads, dilation, out_size)`` of a pooling call.

    ``pads`` is ``(top, bottom, left, right)``; with ``ceil_mode`` the bottom/right pads
    grow so that the last, partial window fits (PyTorch's rule: a window must start inside
    the input or the left padding).
    """
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = pair(kernel, "kernel_size")
    stride = kernel if stride is None or stride == [] else pair(stride, "stride")
    padding, dilation = pair(padding, "padding"), pair(dilation, "dilation")
    if min(stride) <= 0:
        raise RuntimeError("stride should not be zero")
    out, pads = [], []
    for dim in range(2):
        size, k, s, p, d = shape[-2 + dim], kernel[dim], stride[dim], padding[dim], dilation[dim]
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
        span = size + 2 * p - d * (k - 1) - 1
        length = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (length - 1) * s >= size + p:
            length -= 1  # the last window would start in the right padding
        out.append(length)
        pads += [p, max(p, (length - 1) * s + d * (k - 1) + 1 - size - p)]
    if min(out) < 1:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, shape[-3:]))}). Calculated "
                           f"output size: ({shape[-3]}x{out[0]}x{out[1]}). Output size is too "
                           "small")
    return kernel, stride, tuple(pads), dilation, tuple(out)


class MaxPool2DWithIndices(ArrayFunction):
    """The maximum of each window; the gradient flows to the (first) maximum only.

    Math: ``y[n, c, p, q] = max_{i,j} x[n, c, p·s + i·d, q·s + j·d]``, so ∂y/∂x is 1 at the
    argmax of the window and 0 elsewhere; ties go to the first maximum in row-major order.
    Padding counts as -∞ (it never wins).
    """

    @staticmethod
    def forward(ctx: Context, x: Any, kernel: tuple[int, int], stride: tuple[int, int],
                pads: tuple[int, ...], dilation: tuple[int, int], out_size: tuple[int, int],
                return_indices: bool) -> Any:
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        ctx.geometry = (x.shape, kernel, stride, pads, dilation, unbatched)
        # Hint: windows(...) of x padded with -inf is (N, C, kh, kw, OH, OW); walk the kernel
        # offsets in row-major order, keeping the running maximum and the offset k = i·kw + j
        # where it was found (a later offset wins only if strictly larger: ties go first).
        # One vectorised step per offset beats argmax over rows of length kh·kw, which NumPy
        # runs row by row.
        # ---- your code (stage 04): MaxPool2DWithIndices.forward ----
        # It must define out, arg and ctx.arg: the code after it reads them.
        raise NotImplementedError("Stage 04: implement MaxPool2DWithIndices.forward")
        # ---- end of your code (stage 04) ----
        if return_indices:
            indices = _flat_indices(arg, x.shape, kernel, stride, pads, dilation)
            return (out[0], indices[0]) if unbatched else (out, indices)
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx: Context, grad: Any, *unused: Any) -> tuple[Any, ...]:
        shape, kernel, stride, pads, dilation, unbatched = ctx.geometry
        arg = ctx.arg
        xp = get_array_module(grad)
        if unbatched:
            grad = grad[None]
        # Hint: for each kernel offset k = i·kw + j, the windows whose argmax is k send
        # their gradient to offset (i, j): a (N, C, kh, kw, OH, OW) array for add_windows.
        # ---- your code (stage 04): MaxPool2DWithIndices.backward ----
        # It must define grad_x: the code after it reads it.
        raise NotImplementedError("Stage 04: implement MaxPool2DWithIndices.backward")
        # ---- end of your code (stage 04) ----
        return (grad_x[0] if unbatched else grad_x), None, None, None, None, None, None


def _flat_indices(arg: Any, shape: tuple[int, ...], kernel: tuple[int, int],
                  stride: tuple[int, int], pads: tuple[int, ...],
                  dilation: tuple[int, int]) -> Any:
    """PyTorch's ``return_indices``: the argmax as a flat index ``row·W + col`` into x."""
    xp = get_array_module(arg)
    oh, ow = arg.shape[2:]
    rows = xp.arange(oh)[:, None] * stride[0] - pads[0] + (arg // kernel[1]) * dilation[0]
    cols = xp.arange(ow)[None, :] * stride[1] - pads[2] + (arg % kernel[1]) * dilation[1]
    return (rows * shape[3] + cols).astype(xp.int64)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: PLR0913
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum over each ``kernel_size`` window of (N, C, H, W) or (C, H, W) input.

    Args:
        kernel_size, stride (default: ``kernel_size``), padding (implicit -∞, at most half
            the kernel), dilation: ints or pairs.
        ceil_mode: round the output size up (a last, partial window) instead of down.
        return_indices: also return the argmax of each window as a flat index into H·W.

    Example:
        >>> import ember
        >>> max_pool2d(ember.tensor([[[1., 3.], [2., 0.]]]), 2)
        tensor([[[3.]]])
    """
    geometry = _pool_geometry(tuple(input.shape), kernel_size, stride, padding, dilation,
                              ceil_mode)
    return MaxPool2DWithIndices.apply(input, *geometry, return_indices)


class AvgPool2D(ArrayFunction):
    """The mean of each window: ``y = Σ_window x / divisor``, so ∂y/∂x = 1 / divisor on
    every element of the window (padding included or not, as the divisor says).
    """

    @staticmethod
    def forward(ctx: Context, x: Any, kernel: tuple[int, int], stride: tuple[int, int],
                pads: tuple[int, ...], out_size: tuple[int, int], divisor: Any) -> Any:
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        ctx.geometry = (x.shape, kernel, stride, pads, divisor, unbatched)
        # ---- your code (stage 04): AvgPool2D.forward ----
        # It must define out: the code after it reads it.
        raise NotImplementedError("Stage 04: implement AvgPool2D.forward")
        # ---- end of your code (stage 04) ----
        out = out.astype(x.dtype, copy=False)
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        shape, kernel, stride, pads, divisor, unbatched = ctx.geometry
        xp = get_array_module(grad)
        if unbatched:
            grad = grad[None]
        # ---- your code (stage 04): AvgPool2D.backward ----
        # It must define grad_x: the code after it reads it.
        raise NotImplementedError("Stage 04: implement AvgPool2D.backward")
        # ---- end of your code (stage 04) ----
        return (grad_x[0] if unbatched else grad_x), None, None, None, None, None


def _avg_divisor(shape: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int], pads: tuple[int, ...], out_size: tuple[int, int],
                 count_include_pad: bool, xp: Any) -> Any:
    """The number each window's sum is divided by: (OH, OW), or an int when all are equal.

    PyTorch counts the padding (``count_include_pad``) but never the extra cells that
    ``ceil_mode`` adds beyond it.
    """
    if not count_include_pad or pads[1] > padding[0] or pads[3] > padding[1]:
        lengths = []
        for dim, size in enumerate(shape[-2:]):
            starts = [p * stride[dim] - padding[dim] for p in range(out_size[dim])]
            low = 0 if not count_include_pad else -padding[dim]
            high = size if not count_include_pad else size + padding[dim]
            lengths.append([min(s + kernel[dim], high) - max(s, low) for s in starts])
        return xp.outer(xp.asarray(lengths[0]), xp.asarray(lengths[1])).astype(xp.float64)
    return kernel[0] * kernel[1]


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: PLR0913
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean over each ``kernel_size`` window of (N, C, H, W) or (C, H, W) input.

    Args:
        kernel_size, stride (default: ``kernel_size``), padding (zeros): ints or pairs.
        ceil_mode: round the output size up instead of down.
        count_include_pad: divide by the whole window, padding included (default), or
            only by the input cells it covers.
        divisor_override: divide every sum by this number instead.

    Example:
        >>> import ember
        >>> avg_pool2d(ember.tensor([[[1., 3.], [2., 0.]]]), 2)
        tensor([[[1.5000]]])
    """
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel, stride, pads, _, out = _pool_geometry(tuple(input.shape), kernel_size, stride,
                                                  padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = divisor_override
    else:
        divisor = _avg_divisor(tuple(input.shape), kernel, stride, pair(padding, "padding"),
                               pads, out, count_include_pad, get_array_module(input._data))
    return AvgPool2D.apply(input, kernel, stride, pads, out, divisor)


def _bounds(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: cell i covers ``[⌊i·size/out⌋, ⌈(i+1)·size/out⌉)``."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


class AdaptiveAvgPool2D(ArrayFunction):
    """The mean of each adaptive window (windows may overlap and differ in size)."""

    @staticmethod
    def forward(ctx: Context, x: Any, out_size: tuple[int, int]) -> Any:
        ctx.shape = x.shape
        h, w = x.shape[-2:]
        oh, ow = out_size
        # Hint: when out divides the input size every window is a (h/oh, w/ow) block: a
        # reshape and a mean. Otherwise loop over the (few) output cells with _bounds.
        # ---- your code (stage 04): AdaptiveAvgPool2D.forward ----
        raise NotImplementedError("Stage 04: implement AdaptiveAvgPool2D.forward")
        # ---- end of your code (stage 04) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        shape = ctx.shape
        xp = get_array_module(grad)
        h, w = shape[-2:]
        oh, ow = grad.shape[-2:]
        # ---- your code (stage 04): AdaptiveAvgPool2D.backward ----
        raise NotImplementedError("Stage 04: implement AdaptiveAvgPool2D.backward")
        # ---- end of your code (stage 04) ----


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output size, whatever the input size.

    Output cell (p, q) averages rows ``⌊p·H/OH⌋ … ⌈(p+1)·H/OH⌉ - 1`` and the columns
    likewise; ``None`` in ``output_size`` keeps that input dimension.

    Example:
        >>> import ember
        >>> adaptive_avg_pool2d(ember.ones(2, 5, 7), (1, 1)).shape
        ember.Size([2, 1, 1])
    """
    sizes = (output_size, output_size) if isinstance(output_size, int) or output_size is None \
        else tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"Input dimension should be at least {len(sizes) + 1}")
    if input.ndim < 3:
        raise ValueError(f"Input dimension should be at least {len(sizes) + 1}")
    sizes = tuple(input.shape[-2 + i] if s is None else int(s) for i, s in enumerate(sizes))
    if min(sizes) < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{sizes[0]}, {sizes[1]}}}")
    return AdaptiveAvgPool2D.apply(input, sizes)


__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "max_pool2d"]

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: windows, add_windows, Convolution.forward, Convolution.backward, _input_grad
"""Convolution, ``F.conv2d``: one fused op built on im2col (sliding windows + a matmul).

A 2-D convolution (a cross-correlation, as in every deep-learning library: the kernel is
*not* flipped) slides each filter over the input and takes a dot product at every stop:

    out[n, o, p, q] = b[o] + Σ_{c, i, j} w[o, c, i, j] · x[n, c, p·s + i·d, q·s + j·d]

(s the stride, d the dilation, x zero-padded). **im2col** turns this into one matrix
product: a *strided view* of x lists, for each output position (p, q), the ``C·kh·kw``
input values under the kernel; copying that view gives the matrix ``cols`` of shape
``(C·kh·kw, OH·OW)`` per image, and ``out = W @ cols`` with W of shape ``(O, C·kh·kw)``.
The backward pass is two more products and **col2im**, the adjoint of the view:
each column gradient is added back to the input pixel it was copied from.

We fuse all of this into one ``ArrayFunction`` rather than composing tensor ops: the
composed version records a dozen nodes and copies the big ``cols`` matrix several times;
the fused one copies it once and keeps it for the backward pass.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.conv2d(ember.ones(1, 1, 4, 4), ember.ones(2, 1, 3, 3), padding=1).shape
    ember.Size([1, 2, 4, 4])
"""

from __future__ import annotations

import math
from typing import Any

from ember._backend import get_array_module
from ember._dtype import SCALAR_TYPE_NAMES
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.ops._dispatch import dtype_of


def pair(value: Any, name: str) -> tuple[int, int]:
    """``3`` → ``(3, 3)``; a pair stays a pair (PyTorch's error for other lengths)."""
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return (value[0], value[0])
    if len(value) != 2:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of 2 "
                           "values to match the convolution dimensions, but got "
                           f"{name}={list(value)}")
    return value


def pad_array(x: Any, pads: tuple[int, int, int, int], value: float = 0.0) -> Any:
    """``x`` (N, C, H, W) with ``pads = (top, bottom, left, right)`` rows/columns of ``value``.

    A preallocated array and one slice assignment: faster than ``xp.pad`` on small inputs.
    """
    if not any(pads):
        return x
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    out = get_array_module(x).full((n, c, h + top + bottom, w + left + right), value,
                                   dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x
    return out


def windows(x: Any, kernel: tuple[int, int], stride: tuple[int, int],
            dilation: tuple[int, int], out_size: tuple[int, int]) -> Any:
    """A read-only strided *view* of ``x`` (N, C, H, W) of shape (N, C, kh, kw, OH, OW).

    ``view[n, c, i, j, p, q] = x[n, c, p·sh + i·dh, q·sw + j·dw]``: no data is copied, the
    view only steps through x's memory with larger strides (``as_strided``).
    """
    # Hint: x.strides gives the byte steps of (n, c, h, w); moving i (kernel row) by one
    # moves dh rows of x, moving p (output row) by one moves sh rows of x.
    # ---- your code (stage 04): windows ----
    raise NotImplementedError("Stage 04: implement windows")
    # ---- end of your code (stage 04) ----


def add_windows(target: Any, cols: Any, stride: tuple[int, int],
                dilation: tuple[int, int]) -> None:
    """col2im, the adjoint of :func:`windows`: ``target[n, c, p·sh + i·dh, q·sw + j·dw] +=
    cols[n, c, i, j, p, q]``, in place.

    One strided slice per kernel offset (i, j): a loop of kh·kw steps, each adding a whole
    (N, C, OH, OW) block, so overlapping windows add up correctly without ``add.at``.
    """
    # ---- your code (stage 04): add_windows ----
    raise NotImplementedError("Stage 04: implement add_windows")
    # ---- end of your code (stage 04) ----


#: Scratch arrays of the backward pass, by (role, shape, dtype); see ``scratch``.
_SCRATCH: dict[tuple, Any] = {}
_SCRATCH_LIMIT = 16 * 2**20


def scratch(role: str, shape: tuple[int, ...], dtype: Any, xp: Any) -> Any:
    """A reusable uninitialised array for a temporary that never leaves the op.

    Speed: a fresh multi-megabyte array per call costs the operating system's page faults
    (zeroing every page) — on small convolutions as much time as the arithmetic. PyTorch
    avoids them with a caching allocator; we keep one scratch array per role and shape
    (only up to 16 MiB: for larger arrays the arithmetic dominates, and memory matters).
    """
    key = (role, shape, dtype)
    array = _SCRATCH.get(key)
    if array is None:
        if math.prod(shape) * xp.dtype(dtype).itemsize > _SCRATCH_LIMIT:
            return xp.empty(shape, dtype=dtype)
        if len(_SCRATCH) >= 16:  # a few shapes per model; forget old ones
            _SCRATCH.clear()
        array = _SCRATCH[key] = xp.empty(shape, dtype=dtype)
    return array


def out_length(size: int, kernel: int, stride: int, pad: int, dilation: int) -> int:
    """⌊(size + pad - dilation·(kernel - 1) - 1) / stride⌋ + 1 (``pad`` counts both sides)."""
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


class Convolution(ArrayFunction):
    """``conv2d(x, w, b)`` with im2col; the node PyTorch calls ``ConvolutionBackward0``.

    With ``cols`` (N, G, K, L) the windows of x per group (K = C/G·kh·kw, L = OH·OW) and
    ``W`` (G, O/G, K): ``out = W @ cols + b``. For an upstream gradient g (N, G, O/G, L):
    ``dW = Σ_n g @ colsᵀ``, ``db = Σ_{n,p,q} g``, ``dcols = Wᵀ @ g`` and dx = col2im(dcols).
    """

    @staticmethod
    def forward(ctx: Context, x: Any, w: Any, b: Any, stride: tuple[int, int],
                pads: tuple[int, int, int, int], dilation: tuple[int, int],
                groups: int) -> Any:
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        n, c, h, width = x.shape
        out_ch, _, kh, kw = w.shape
        oh = out_length(h, kh, stride[0], pads[0] + pads[1], dilation[0])
        ow = out_length(width, kw, stride[1], pads[2] + pads[3], dilation[1])
        ctx.geometry = (x.shape, stride, pads, dilation, groups, unbatched)
        # Hint: windows(...) of the padded x, reshaped (this copies: the im2col matrix) to
        # (N, G, K, L); the weight to (G, O/G, K); one broadcast matmul; add the bias.
        # ---- your code (stage 04): Convolution.forward ----
        # It must define out: the code after it reads it.
        raise NotImplementedError("Stage 04: implement Convolution.forward")
        # ---- end of your code (stage 04) ----
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        cols, w = ctx.saved_tensors
        shape, stride, pads, dilation, groups, unbatched = ctx.geometry
        needs_x, needs_w, needs_b = ctx.needs_input_grad[:3]
        xp = get_array_module(grad)
        if unbatched:
            grad = grad[None]
        grad_x = grad_w = grad_b = None
        # ---- your code (stage 04): Convolution.backward ----
        # It must define grad_w, grad_b and grad_x: the code after it reads them.
        raise NotImplementedError("Stage 04: implement Convolution.backward")
        # ---- end of your code (stage 04) ----
        return grad_x, grad_w, grad_b, None, None, None, None


def _input_grad(g: Any, w: Any, shape: tuple[int, ...], stride: tuple[int, int],
                pads: tuple[int, ...], dilation: tuple[int, int]) -> Any:
    """dx for the upstream gradient ``g`` (N, G, O/G, OH·OW): dcols = Wᵀ @ g, then col2im.

    Speed: col2im adds (N, C, OH, OW) blocks whose rows are only OW long, and NumPy pays a
    call per row. So the output rows are first *widened* to the padded width Wp (g placed
    at columns q·sw, zeros elsewhere): then the pixel of (p, q', i, j) is at
    ``(p·sh + i·dh)·Wp + q' + j·dw`` of the flattened padded image, every kernel offset
    adds one long block (OH·Wp values in a row when sh = 1), and the zeros that spill
    into the next row add nothing.
    """
    xp = get_array_module(g)
    n, groups, _, _ = g.shape
    out_ch, _, kh, kw = w.shape
    _, channels, height, width = shape
    oh, ow = out_length(height, kh, stride[0], pads[0] + pads[1], dilation[0]), \
        out_length(width, kw, stride[1], pads[2] + pads[3], dilation[1])
    hp, wp = height + pads[0] + pads[1], width + pads[2] + pads[3]
    wide = scratch("wide", (n, groups, out_ch // groups, oh, wp), g.dtype, xp)
    wide.fill(0)
    wide[..., :stride[1] * (ow - 1) + 1:stride[1]] = g.reshape(*g.shape[:3], oh, ow)
    # ---- your code (stage 04): _input_grad ----
    raise NotImplementedError("Stage 04: implement _input_grad")
    # ---- end of your code (stage 04) ----


def _padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` from an int, a pair, ``'valid'`` or ``'same'``.

    ``'same'`` pads ``dilation·(kernel - 1)`` in total per dimension, the odd one out at the
    bottom/right (PyTorch's rule), so the output has the input's size (stride 1 only).
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for d, k in zip(dilation, kernel, strict=True)]
        return (total[0] // 2, total[0] - total[0] // 2, total[1] // 2, total[1] - total[1] // 2)
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError("negative padding is not supported")
    return (ph, ph, pw, pw)


def _check_conv(input: Tensor, weight: Tensor, bias: Tensor | None, groups: int) -> None:
    """PyTorch's errors for shapes and dtypes that do not fit together."""
    if input.ndim not in (3, 4):
        raise RuntimeError("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                           f"input of size: {list(input.shape)}")
    if weight.ndim != 4:
        raise RuntimeError(f"Expected 4-dimensional weight for 4-dimensional input "
                           f"{list(input.shape)}, but got {weight.ndim}-dimensional weight "
                           f"of size {list(weight.shape)} instead")
    shape = tuple(input.shape) if input.ndim == 4 else (1, *input.shape)
    out_ch, group_ch = weight.shape[:2]
    if out_ch % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size "
                           f"[{list(weight.shape)}] instead")  # sic: PyTorch doubles the brackets
    if shape[1] != group_ch * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{list(shape)} to have {group_ch * groups} channels, "
                           f"but got {shape[1]} channels instead")
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {out_ch} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    for other in (weight, bias):
        if other is not None and other._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected scalar type {SCALAR_TYPE_NAMES[dtype_of(input._data)]}"
                               f" but found {SCALAR_TYPE_NAMES[dtype_of(other._data)]}")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: PLR0913
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of ``input`` (N, C, H, W) or (C, H, W).

    Math: ``out[n, o, p, q] = b[o] + Σ_{c,i,j} w[o, c, i, j] x[n, g·C/G + c, p·s + i·d,
    q·s + j·d]`` for the group g of output channel o; output size
    ``⌊(H + 2·pad - d·(k - 1) - 1) / s⌋ + 1``.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        weight: (O, C / groups, kh, kw).
        bias: (O,) or None.
        stride, dilation: an int or a pair.
        padding: an int, a pair, ``'valid'`` (no padding) or ``'same'`` (output size =
            input size; stride 1 only).
        groups: split the channels into ``groups`` independent convolutions.

    Example:
        >>> import ember
        >>> x = ember.arange(16.).reshape(1, 1, 4, 4)
        >>> conv2d(x, ember.ones(1, 1, 2, 2), stride=2)
        tensor([[[[10., 18.],
                  [42., 50.]]]])
    """
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    _check_conv(input, weight, bias, groups)
    kernel = tuple(weight.shape[2:])
    pads = _padding(padding, kernel, stride, dilation)
    size = (input.shape[-2] + pads[0] + pads[1], input.shape[-1] + pads[2] + pads[3])
    reach = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True))
    if reach[0] > size[0] or reach[1] > size[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({size[0]} x {size[1]})."
                           f" Kernel size: ({reach[0]} x {reach[1]}). Kernel size can't be "
                           "greater than actual input size")
    return Convolution.apply(input, weight, bias, stride, pads, dilation, groups)


__all__ = ["conv2d"]

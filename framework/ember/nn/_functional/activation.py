# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: relu, LeakyRelu.forward, LeakyRelu.backward, Gelu.forward, Gelu.backward, tanh,
#             log_softmax_array, Softmax.forward, Softmax.backward, LogSoftmax.forward,
#             LogSoftmax.backward
"""Activations as functions: ``relu leaky_relu gelu tanh softmax log_softmax``.

``sigmoid`` lives in ``ember.nn.functional`` since stage 02. ``relu`` and ``tanh`` reuse
the tensor ops of stage 01; ``leaky_relu``, ``gelu``, ``softmax`` and ``log_softmax`` are
ops of their own (``ArrayFunction`` subclasses), each with its forward and backward side by
side. Softmax and log-softmax are fused rather than composed from ``exp``/``sum``/``log``:
that is both cheaper (one graph node instead of four) and stable (the max is subtracted
before ``exp``, so logits like 1000 do not overflow).

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.softmax(ember.tensor([0., 1000.]), dim=0)
    tensor([0., 1.])
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ember._backend import get_array_module
from ember._dtype import as_dtype, from_numpy_dtype, unsupported_dtype
from ember._tensor import Tensor, normalize_dim
from ember.autograd.function import ArrayFunction, Context
from ember.ops import unary
from ember.ops._dispatch import unary as run_unary
from ember.ops.inplace import apply_inplace

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_CUBIC = 0.044715


def _check_floating(input: Tensor, op: str) -> None:
    """The float-only activations refuse integer and bool inputs, as in PyTorch."""
    if input._data.dtype.kind != "f":
        raise unsupported_dtype(op, from_numpy_dtype(input._data.dtype), "a floating-point dtype")


# --------------------------------------------------------------------------- relu family
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise; d/dx = 1 where x > 0, else 0.

    Args:
        input: any tensor (integer tensors keep their dtype).
        inplace: overwrite ``input`` with the result (and return it).

    Example:
        >>> import ember
        >>> ember.nn.functional.relu(ember.tensor([-1., 2.]))
        tensor([0., 2.])
    """
    # ---- your code (stage 04): relu ----
    raise NotImplementedError("Stage 04: implement relu")
    # ---- end of your code (stage 04) ----


class LeakyRelu(ArrayFunction):
    """``x if x > 0 else slope·x``; d/dx = 1 where x > 0, else ``slope``."""

    @staticmethod
    def forward(ctx: Context, a: Any, slope: float) -> Any:
        ctx.save_for_backward(a)
        ctx.slope = slope
        # ---- your code (stage 04): LeakyRelu.forward ----
        raise NotImplementedError("Stage 04: implement LeakyRelu.forward")
        # ---- end of your code (stage 04) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        (a,) = ctx.saved_tensors
        # ---- your code (stage 04): LeakyRelu.backward ----
        raise NotImplementedError("Stage 04: implement LeakyRelu.backward")
        # ---- end of your code (stage 04) ----


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for x > 0, ``negative_slope · x`` otherwise.

    Example:
        >>> import ember
        >>> ember.nn.functional.leaky_relu(ember.tensor([-2., 3.]), 0.5)
        tensor([-1.,  3.])
    """
    _check_floating(input, "leaky_relu")
    if inplace:
        return apply_inplace(input, lambda t, _: run_unary(LeakyRelu, t, negative_slope))
    return run_unary(LeakyRelu, input, negative_slope)


# --------------------------------------------------------------------------- gelu
def _erfc(x: Any) -> Any:
    """The complementary error function erfc(x) = 1 - erf(x), elementwise, in float64.

    NumPy has no ``erf``, so we evaluate two classic expansions (Abramowitz & Stegun
    7.1.6 and 7.1.14), each where it converges fast:

    * |x| < 2: erf(x) = 2/√π · e^(-x²) · Σₙ x (2x²)ⁿ / (1·3·5···(2n+1)), 32 terms, all
      positive (no cancellation); erfc = 1 - erf.
    * |x| ≥ 2: the continued fraction erfc(z) = e^(-z²)/√π · 1/(z + ½/(z + 1/(z + 3/2/(z
      + ...)))) for z = |x|, 60 levels evaluated bottom-up; erfc(-z) = 2 - erfc(z).

    The relative error against ``math.erfc`` is below 5e-13 for every x with
    erfc(x) > 1e-300 (measured on 200,000 points in [-6, 27]); past that the result is
    subnormal or 0, like the true value.
    """
    xp = get_array_module(x)
    x = x.astype("float64", copy=False)
    out = xp.empty_like(x)
    small = xp.abs(x) < 2.0
    z = x[small]
    term = z.copy()
    total = z.copy()
    two_z2 = 2 * z * z
    for n in range(1, 32):
        term = term * two_z2 / (2 * n + 1)
        total += term
    out[small] = 1 - (2 / math.sqrt(math.pi)) * xp.exp(-z * z) * total
    large = ~small
    z = xp.abs(x[large])
    fraction = z.copy()
    for k in range(60, 0, -1):
        fraction = z + (k / 2) / fraction
    tail = xp.exp(-z * z) / math.sqrt(math.pi) / fraction
    out[large] = xp.where(x[large] > 0, tail, 2 - tail)
    return out


def _normal_cdf(x: Any) -> Any:
    """Φ(x) = ½ erfc(-x/√2), the standard normal CDF (accurate for x ≪ 0 too)."""
    return 0.5 * _erfc(-x / _SQRT_2)


class Gelu(ArrayFunction):
    """GELU(x) = x·Φ(x); d/dx = Φ(x) + x·φ(x), with φ the standard normal density.

    With ``approximate='tanh'``: GELU(x) ≈ ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), and
    d/dx = ½(1 + tanh u) + ½x(1 - tanh² u)·√(2/π)(1 + 3·0.044715x²).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, approximate: str) -> Any:
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        xp = get_array_module(a)
        # ---- your code (stage 04): Gelu.forward ----
        raise NotImplementedError("Stage 04: implement Gelu.forward")
        # ---- end of your code (stage 04) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        (a,) = ctx.saved_tensors
        xp = get_array_module(a)
        # ---- your code (stage 04): Gelu.backward ----
        raise NotImplementedError("Stage 04: implement Gelu.backward")
        # ---- end of your code (stage 04) ----


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """The Gaussian Error Linear Unit x·Φ(x) (Hendrycks & Gimpel, 2016).

    Args:
        input: a floating point tensor.
        approximate: ``'none'`` (exact, with erf) or ``'tanh'`` (the tanh approximation).

    Example:
        >>> import ember
        >>> ember.nn.functional.gelu(ember.tensor([0., 1.]))
        tensor([0.0000, 0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_floating(input, "gelu")
    return run_unary(Gelu, input, approximate)


def tanh(input: Tensor) -> Tensor:
    """(e^x - e^-x) / (e^x + e^-x), elementwise; d/dx = 1 - tanh²(x)."""
    # ---- your code (stage 04): tanh ----
    raise NotImplementedError("Stage 04: implement tanh")
    # ---- end of your code (stage 04) ----


# --------------------------------------------------------------------------- softmax
def amax_keepdims(a: Any, axis: int) -> Any:
    """``a.max(axis, keepdims=True)``, fast for the usual (batch, classes) logits.

    NumPy reduces a short last axis slowly (about 5 µs for 64×10); reducing the first
    axis of a contiguous transposed copy gives the same numbers 2-3 times faster.
    """
    xp = get_array_module(a)
    if a.ndim == 2 and axis == 1 and a.shape[1] <= 64:
        return xp.ascontiguousarray(a.T).max(axis=0)[:, None]
    return a.max(axis=axis, keepdims=True)


def sum_keepdims(a: Any, axis: int) -> Any:
    """``a.sum(axis, keepdims=True)``; over a last axis as a product with a column of ones
    (one BLAS call, about twice as fast as NumPy's reduction for small rows)."""
    xp = get_array_module(a)
    if axis == a.ndim - 1 and a.ndim > 1 and a.dtype.kind == "f":
        return a @ xp.ones((a.shape[-1], 1), dtype=a.dtype)
    return a.sum(axis=axis, keepdims=True)


def log_softmax_array(a: Any, axis: int) -> Any:
    """log softmax(a) along ``axis``, shifted by the max so that ``exp`` cannot overflow.

    log softmax(a)ᵢ = aᵢ - log Σⱼ e^(aⱼ) = (aᵢ - m) - log Σⱼ e^(aⱼ - m) for any m; with
    m = max a every exponent is ≤ 0 (the log-sum-exp trick).
    """
    xp = get_array_module(a)
    # Hint: amax_keepdims and sum_keepdims are a.max / a.sum(axis, keepdims=True).
    # ---- your code (stage 04): log_softmax_array ----
    raise NotImplementedError("Stage 04: implement log_softmax_array")
    # ---- end of your code (stage 04) ----


class Softmax(ArrayFunction):
    """yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along ``dim``; the vector-Jacobian product is
    ∂L/∂xᵢ = yᵢ (gᵢ - Σⱼ gⱼ yⱼ).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axis: int) -> Any:
        ctx.axis = axis
        # ---- your code (stage 04): Softmax.forward ----
        raise NotImplementedError("Stage 04: implement Softmax.forward")
        # ---- end of your code (stage 04) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        (out,) = ctx.saved_tensors
        # ---- your code (stage 04): Softmax.backward ----
        raise NotImplementedError("Stage 04: implement Softmax.backward")
        # ---- end of your code (stage 04) ----


class LogSoftmax(ArrayFunction):
    """yᵢ = xᵢ - log Σⱼ e^(xⱼ) along ``dim``; ∂L/∂xᵢ = gᵢ - e^(yᵢ) Σⱼ gⱼ."""

    @staticmethod
    def forward(ctx: Context, a: Any, axis: int) -> Any:
        ctx.axis = axis
        # ---- your code (stage 04): LogSoftmax.forward ----
        raise NotImplementedError("Stage 04: implement LogSoftmax.forward")
        # ---- end of your code (stage 04) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        (out,) = ctx.saved_tensors
        xp = get_array_module(out)
        # ---- your code (stage 04): LogSoftmax.backward ----
        raise NotImplementedError("Stage 04: implement LogSoftmax.backward")
        # ---- end of your code (stage 04) ----


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's deprecated implicit dim: 0 for 0-, 1- and 3-dim inputs, else 1."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_call(fn: type[ArrayFunction], name: str, input: Tensor, dim: Any,
                  stacklevel: int, dtype: Any) -> Tensor:
    """Shared argument handling of ``softmax`` and ``log_softmax``."""
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    if dim is None:
        dim = _softmax_dim(name, input.dim(), stacklevel + 1)
    _check_floating(input, name)
    ndim = input._data.ndim
    axis = normalize_dim(dim, ndim) if ndim else 0
    if ndim == 0:  # a single number: softmax is 1, log-softmax 0 (as 1-element vectors)
        return run_unary(fn, input.reshape(1), 0).reshape(())
    return run_unary(fn, input, axis)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along ``dim`` (entries ≥ 0, summing to 1).

    Args:
        input: a floating point tensor.
        dim: the dimension to normalise over (None: PyTorch's deprecated implicit choice,
            with a warning).
        dtype: convert the input to this dtype first.

    Example:
        >>> import ember
        >>> ember.nn.functional.softmax(ember.tensor([[1., 1.]]), dim=1)
        tensor([[0.5000, 0.5000]])
    """
    return _softmax_call(Softmax, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """log softmax(x)ᵢ = xᵢ - log Σⱼ e^(xⱼ) along ``dim``, computed stably.

    Example:
        >>> import ember
        >>> ember.nn.functional.log_softmax(ember.tensor([0., 0.]), dim=0)
        tensor([-0.6931, -0.6931])
    """
    return _softmax_call(LogSoftmax, "log_softmax", input, dim, _stacklevel, dtype)


__all__ = ["gelu", "leaky_relu", "log_softmax", "relu", "softmax", "tanh"]

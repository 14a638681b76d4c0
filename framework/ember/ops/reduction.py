# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: reduction_axes, Sum.forward, Mean.forward, Prod.forward, Var.forward, _sum_dtype,
#             mean, _logical
#   stage 02: expand_reduced, Sum.backward, Mean.backward, Prod.backward, _product_of_others,
#             Var.backward, Std.backward
"""Reductions: ``sum mean prod std var all any`` (``max min argmax argmin``: ``extrema.py``).

A reduction collapses the dimensions listed in ``dim`` (all of them when ``dim`` is None).
With ``keepdim=True`` each collapsed dimension stays as size 1, so the result still
broadcasts against the input: ``x - x.mean(1, keepdim=True)`` centres every row.

dtypes follow PyTorch: ``sum``/``prod`` of integers or bools give ``int64``; ``mean``,
``std`` and ``var`` need a floating point input.

Example:
    >>> import ember
    >>> x = ember.tensor([[1., 2.], [3., 4.]])
    >>> x.sum(dim=0), x.mean(1, keepdim=True).shape
    (tensor([4., 6.]), ember.Size([2, 1]))
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module, quiet
from ember._dtype import SCALAR_TYPE_NAMES, as_dtype, from_numpy_dtype, int64, uint8
from ember._tensor import Tensor, normalize_dim
from ember.autograd.function import NO_GRAD_CTX, ArrayFunction, Context
from ember.autograd.grad_mode import GRAD_STATE as _grad_state
from ember.ops._dispatch import dtype_of, unary


def reduction_axes(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` (None, an int, or a tuple/list of ints) as a tuple of non-negative axes.

    Raises:
        IndexError: "Dimension out of range (expected to be in range of [-2, 1], but got 2)".
    """
    # Hint: normalize_dim checks one dim and makes it non-negative.
    # ---- your code (stage 01): reduction_axes ----
    raise NotImplementedError("Stage 01: implement reduction_axes")
    # ---- end of your code (stage 01) ----


def expand_reduced(grad: Any, shape: tuple[int, ...], axes: Any, keepdim: bool) -> Any:
    """The gradient of a reduction's output broadcast back to the input's ``shape``.

    Without ``keepdim`` the reduced dimensions are gone from ``grad``: put them back as
    size 1 first, so that each output element's gradient lines up with the input elements
    it combined. The result is a read-only broadcast view (no copy).

    Example:
        >>> import numpy as np
        >>> expand_reduced(np.array([1., 2.]), (2, 3), (0,), False)
        array([[1., 2.],
               [1., 2.]])
    """
    xp = get_array_module(grad)
    # ---- your code (stage 02): expand_reduced ----
    raise NotImplementedError("Stage 02: implement expand_reduced")
    # ---- end of your code (stage 02) ----


class Sum(ArrayFunction):
    """``Σ a`` over ``axes``; d/da = 1 broadcast back.

    Every input element adds once into its output element, so it receives that output's
    gradient unchanged.

    ``sum`` is so cheap on small tensors that even storing the shapes costs a noticeable
    share of it, so ``forward`` stores them only when a graph is recorded (``ctx`` is not
    the shared no-op context of the fast path).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axes: Any, keepdim: bool, dt: Any) -> Any:
        if ctx is not NO_GRAD_CTX:  # for backward (stage 02); skipped on the fast path
            ctx.reduced = (a.shape, a.dtype, axes, keepdim)
        # ---- your code (stage 01): Sum.forward ----
        raise NotImplementedError("Stage 01: implement Sum.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        shape, dtype, axes, keepdim = ctx.reduced
        # sum(dtype=...) may have changed the dtype: the gradient takes the input's again.
        grad = grad.astype(dtype, copy=False)
        # ---- your code (stage 02): Sum.backward ----
        raise NotImplementedError("Stage 02: implement Sum.backward")
        # ---- end of your code (stage 02) ----


class Mean(ArrayFunction):
    """``Σ a / n`` over ``axes``; d/da = 1/n broadcast back."""

    @staticmethod
    def forward(ctx: Context, a: Any, axes: Any, keepdim: bool) -> Any:
        if ctx is not NO_GRAD_CTX:  # for backward (stage 02); skipped on the fast path
            ctx.reduced = (a.shape, axes, keepdim)
        # ---- your code (stage 01): Mean.forward ----
        raise NotImplementedError("Stage 01: implement Mean.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None]:
        shape, axes, keepdim = ctx.reduced
        count = _count(shape, range(len(shape)) if axes is None else axes)
        count = count or 1  # an empty input gets an empty gradient (no 0 / 0)
        # ---- your code (stage 02): Mean.backward ----
        raise NotImplementedError("Stage 02: implement Mean.backward")
        # ---- end of your code (stage 02) ----



def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    """How many elements each output element of a reduction over ``axes`` combines."""
    count = 1
    for axis in axes:
        count *= shape[axis]
    return count


class Prod(ArrayFunction):
    """``Π a`` over one axis (or all); d/daᵢ = Π_{j≠i} aⱼ, the product of the others.

    Dividing the product by ``aᵢ`` would fail at zeros, so the backward multiplies the
    products of the elements before and after ``i`` (exclusive cumulative products).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axes: Any, keepdim: bool, dt: Any) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ctx.reduced = (axes, keepdim)  # for backward (stage 02)
        # ---- your code (stage 01): Prod.forward ----
        raise NotImplementedError("Stage 01: implement Prod.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        (a,) = ctx.saved_tensors
        axes, keepdim = ctx.reduced
        grad = expand_reduced(grad.astype(a.dtype, copy=False), a.shape, axes, keepdim)
        # ---- your code (stage 02): Prod.backward ----
        raise NotImplementedError("Stage 02: implement Prod.backward")
        # ---- end of your code (stage 02) ----


def _product_of_others(a: Any, axis: int) -> Any:
    """For each element, the product of all the *other* elements along ``axis``.

    Example:
        >>> import numpy as np
        >>> _product_of_others(np.array([2., 0., 5.]), 0)
        array([ 0., 10.,  0.])
    """
    xp = get_array_module(a)
    # ---- your code (stage 02): _product_of_others ----
    raise NotImplementedError("Stage 02: implement _product_of_others")
    # ---- end of your code (stage 02) ----


class Var(ArrayFunction):
    """``Σ (a - mean)² / (n - correction)`` over ``axes``.

    d/daᵢ = 2 (aᵢ - mean) / (n - correction): the mean's own dependence on ``aᵢ`` drops
    out because the deviations from the mean sum to zero.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axes: Any, correction: Any, keepdim: bool) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ctx.reduced = (axes, correction, keepdim)  # for backward (stage 02)
        # ---- your code (stage 01): Var.forward ----
        raise NotImplementedError("Stage 01: implement Var.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        (a,) = ctx.saved_tensors
        axes, correction, keepdim = ctx.reduced
        count = a.size if axes is None else _count(a.shape, axes)
        grad = expand_reduced(grad, a.shape, axes, keepdim)
        # ---- your code (stage 02): Var.backward ----
        raise NotImplementedError("Stage 02: implement Var.backward")
        # ---- end of your code (stage 02) ----


class Std(ArrayFunction):
    """``√var(a)`` over ``axes`` (the arguments of ``Var``).

    d/daᵢ = d var/daᵢ / (2·std) = (aᵢ - mean) / ((n - correction)·std). Where std = 0 (all
    values equal) that is 0/0; PyTorch returns 0 there, and so do we.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axes: Any, correction: Any, keepdim: bool) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ctx.reduced = (axes, correction, keepdim)  # for backward (stage 02)
        return get_array_module(a).sqrt(Var.forward(NO_GRAD_CTX, a, axes, correction, keepdim))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        (a,) = ctx.saved_tensors
        axes, correction, keepdim = ctx.reduced
        xp = get_array_module(a)
        count = a.size if axes is None else _count(a.shape, axes)
        grad = expand_reduced(grad, a.shape, axes, keepdim)
        with quiet(grad):  # fewer elements than the correction: inf/nan, like forward
            std = xp.sqrt(Var.forward(NO_GRAD_CTX, a, axes, correction, True))
            mean = a.sum(axis=axes, keepdims=True) / count
            # ---- your code (stage 02): Std.backward ----
            # It must define grad_a: the code after it reads it.
            raise NotImplementedError("Stage 02: implement Std.backward")
            # ---- end of your code (stage 02) ----
        return grad_a, None, None, None


def _sum_dtype(input: Tensor, dtype: Any) -> Any:
    """The accumulation dtype: ``dtype`` if given, int64 for integers and bools."""
    if dtype is not None:
        return as_dtype(dtype).numpy
    # ---- your code (stage 01): _sum_dtype ----
    raise NotImplementedError("Stage 01: implement _sum_dtype")
    # ---- end of your code (stage 01) ----


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        dtype: Any = None) -> Tensor:
    """The sum over ``dim`` (all elements when None).

    Example:
        >>> import ember
        >>> ember.tensor([[True, False], [True, True]]).sum(1)
        tensor([1, 2])
    """
    axes = None if dim is None else reduction_axes(dim, input._data.ndim)
    dt = _sum_dtype(input, dtype)
    if input._requires_grad and _grad_state.enabled:
        return Sum.apply(input, axes, keepdim, dt)
    return Tensor._make(Sum.forward(NO_GRAD_CTX, input._data, axes, keepdim, dt))


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product over one dimension ``dim`` (all elements when None)."""
    if dim is not None and not isinstance(dim, int):
        raise TypeError("prod(): argument 'dim' (position 1) must be int, not "
                        f"{type(dim).__name__}")
    axes = reduction_axes(dim, input._data.ndim)
    return unary(Prod, input, axes, keepdim, _sum_dtype(input, dtype))


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The arithmetic mean over ``dim``; the input must be floating point.

    Raises:
        RuntimeError: for integer or bool inputs, in PyTorch's words.
    """
    if dtype is not None:
        input = input.to(dtype)
    # ---- your code (stage 01): mean ----
    raise NotImplementedError("Stage 01: implement mean")
    # ---- end of your code (stage 01) ----
    return unary(Mean, input, reduction_axes(dim, input._data.ndim), keepdim)


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """The variance ``Σ (x - mean)² / (N - correction)`` over ``dim``.

    ``correction`` defaults to 1 (Bessel's correction, the unbiased estimate);
    ``unbiased=False`` means ``correction=0``.
    """
    return _var_or_std(Var, input, dim, unbiased, keepdim, correction)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """The standard deviation, ``sqrt(var(...))``, with the same arguments as ``var``."""
    return _var_or_std(Std, input, dim, unbiased, keepdim, correction)


def _var_or_std(fn: type[ArrayFunction], input: Tensor, dim: Any, unbiased: Any, keepdim: bool,
                correction: Any) -> Tensor:
    """Shared argument handling of ``var`` and ``std``."""
    if isinstance(dim, bool):  # var(unbiased) positional form
        dim, unbiased = None, dim
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 0 if unbiased is False else 1
    with quiet(input._data):  # fewer elements than the correction: nan, silently
        return unary(fn, input, reduction_axes(dim, input._data.ndim), correction, keepdim)


def _logical(input: Tensor, dim: Any, keepdim: bool, every: bool) -> Tensor:
    """Shared body of ``all``/``any``; uint8 inputs give uint8 like PyTorch, others bool."""
    axes = reduction_axes(dim, input._data.ndim)
    # ---- your code (stage 01): _logical ----
    # It must define result: the code after it reads it.
    raise NotImplementedError("Stage 01: implement _logical")
    # ---- end of your code (stage 01) ----
    if input._data.dtype == uint8.numpy:
        result = result.astype(uint8.numpy)
    return Tensor._make(result)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element over ``dim`` is non-zero."""
    return _logical(input, dim, keepdim, every=True)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element over ``dim`` is non-zero."""
    return _logical(input, dim, keepdim, every=False)

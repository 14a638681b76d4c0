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
    ### BEGIN SOLUTION 01
    if dim is None:
        return None
    if type(dim) is int and ndim:  # the common case, kept short: it runs on every call
        return (normalize_dim(dim, ndim),)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    axes = tuple(normalize_dim(d, ndim) for d in dims)
    if ndim == 0:
        return None  # a 0-dim tensor reduced over "dim 0" is itself
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return axes
    ### END SOLUTION


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
    ### BEGIN SOLUTION 02
    if not keepdim and axes is not None:
        grad = xp.expand_dims(grad, axes)
    return xp.broadcast_to(grad, shape)
    ### END SOLUTION


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
        ### BEGIN SOLUTION 01
        return a.sum(axis=axes, keepdims=keepdim, dtype=dt)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        shape, dtype, axes, keepdim = ctx.reduced
        # sum(dtype=...) may have changed the dtype: the gradient takes the input's again.
        grad = grad.astype(dtype, copy=False)
        ### BEGIN SOLUTION 02
        return expand_reduced(grad, shape, axes, keepdim), None, None, None
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        """``backward`` in tensor ops (``create_graph=True``)."""
        shape, dtype, axes, keepdim = ctx.reduced
        grad = grad.to(from_numpy_dtype(dtype))  # sum(dtype=...): the input's dtype again
        return _expand_reduced_tensor(grad, shape, axes, keepdim), None, None, None
    ### END REFERENCE ONLY


class Mean(ArrayFunction):
    """``Σ a / n`` over ``axes``; d/da = 1/n broadcast back."""

    @staticmethod
    def forward(ctx: Context, a: Any, axes: Any, keepdim: bool) -> Any:
        if ctx is not NO_GRAD_CTX:  # for backward (stage 02); skipped on the fast path
            ctx.reduced = (a.shape, axes, keepdim)
        ### BEGIN SOLUTION 01
        count = a.size if axes is None else _count(a.shape, axes)
        if count == 0:  # an empty mean is nan in PyTorch (without NumPy's warning)
            return a.sum(axis=axes, keepdims=keepdim) * float("nan")
        if a.dtype.itemsize < 4:  # float16 would overflow: accumulate in float32
            total = a.sum(axis=axes, keepdims=keepdim, dtype="float32")
            return (total / count).astype(a.dtype)
        return a.sum(axis=axes, keepdims=keepdim) / count
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None]:
        shape, axes, keepdim = ctx.reduced
        count = _count(shape, range(len(shape)) if axes is None else axes)
        count = count or 1  # an empty input gets an empty gradient (no 0 / 0)
        ### BEGIN SOLUTION 02
        return expand_reduced(grad / count, shape, axes, keepdim), None, None
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        """``backward`` in tensor ops (``create_graph=True``)."""
        shape, axes, keepdim = ctx.reduced
        count = _count(shape, range(len(shape)) if axes is None else axes) or 1
        return _expand_reduced_tensor(grad / count, shape, axes, keepdim), None, None
    ### END REFERENCE ONLY


### BEGIN REFERENCE ONLY 02
def _expand_reduced_tensor(grad: Tensor, shape: tuple[int, ...], axes: Any,
                           keepdim: bool) -> Tensor:
    """``expand_reduced`` with tensor ops: reduced dims back as size 1, then expanded."""
    if not keepdim and axes is not None:
        grad = grad.reshape(tuple(1 if i in axes else s for i, s in enumerate(shape)))
    return grad.expand(shape) if tuple(grad.shape) != tuple(shape) else grad
### END REFERENCE ONLY


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
        ### BEGIN SOLUTION 01
        return a.prod(axis=axes, keepdims=keepdim, dtype=dt)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        (a,) = ctx.saved_tensors
        axes, keepdim = ctx.reduced
        grad = expand_reduced(grad.astype(a.dtype, copy=False), a.shape, axes, keepdim)
        ### BEGIN SOLUTION 02
        if axes is None:  # all elements: the same along one axis of the flattened input
            others = _product_of_others(a.reshape(-1), 0).reshape(a.shape)
        else:
            others = _product_of_others(a, axes[0])
        return grad * others, None, None, None
        ### END SOLUTION


def _product_of_others(a: Any, axis: int) -> Any:
    """For each element, the product of all the *other* elements along ``axis``.

    Example:
        >>> import numpy as np
        >>> _product_of_others(np.array([2., 0., 5.]), 0)
        array([ 0., 10.,  0.])
    """
    xp = get_array_module(a)
    ### BEGIN SOLUTION 02
    a = xp.moveaxis(a, axis, -1)
    ones = xp.ones_like(a[..., :1])
    # before[i] = a[0]·...·a[i-1] and after[i] = a[i+1]·...·a[n-1] (1 when empty).
    before = xp.concatenate([ones, xp.cumprod(a[..., :-1], axis=-1)], axis=-1)
    after = xp.concatenate([xp.cumprod(a[..., :0:-1], axis=-1)[..., ::-1], ones], axis=-1)
    return xp.moveaxis(before * after, -1, axis)
    ### END SOLUTION


class Var(ArrayFunction):
    """``Σ (a - mean)² / (n - correction)`` over ``axes``.

    d/daᵢ = 2 (aᵢ - mean) / (n - correction): the mean's own dependence on ``aᵢ`` drops
    out because the deviations from the mean sum to zero.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, axes: Any, correction: Any, keepdim: bool) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ctx.reduced = (axes, correction, keepdim)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        count = a.size if axes is None else _count(a.shape, axes)
        mean = a.sum(axis=axes, keepdims=True) / count
        squares = ((a - mean) ** 2).sum(axis=axes, keepdims=keepdim)
        # Fewer elements than the correction: divide by 0 and get inf/nan, as PyTorch does.
        return squares / (count - correction if count > correction else 0)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        (a,) = ctx.saved_tensors
        axes, correction, keepdim = ctx.reduced
        count = a.size if axes is None else _count(a.shape, axes)
        grad = expand_reduced(grad, a.shape, axes, keepdim)
        ### BEGIN SOLUTION 02
        with quiet(grad):  # fewer elements than the correction: inf/nan, like forward
            mean = a.sum(axis=axes, keepdims=True) / count
            grad_a = 2 * grad * (a - mean) / (count - correction if count > correction else 0)
        return grad_a, None, None, None
        ### END SOLUTION


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
            ### BEGIN SOLUTION 02
            grad_var = xp.where(std == 0, 0, grad / (2 * std))  # the chain rule through √
            grad_a = 2 * grad_var * (a - mean) / (count - correction if count > correction else 0)
            ### END SOLUTION
        return grad_a, None, None, None


def _sum_dtype(input: Tensor, dtype: Any) -> Any:
    """The accumulation dtype: ``dtype`` if given, int64 for integers and bools."""
    if dtype is not None:
        return as_dtype(dtype).numpy
    ### BEGIN SOLUTION 01
    return int64.numpy if input._data.dtype.kind in "biu" else None
    ### END SOLUTION


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
    ### BEGIN SOLUTION 01
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {SCALAR_TYPE_NAMES[dtype_of(input._data)]}")
    ### END SOLUTION
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
    ### BEGIN SOLUTION 01
    xp = get_array_module(input._data)
    reduce = xp.all if every else xp.any
    result = xp.asarray(reduce(input._data, axis=axes, keepdims=keepdim))
    ### END SOLUTION
    if input._data.dtype == uint8.numpy:
        result = result.astype(uint8.numpy)
    return Tensor._make(result)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element over ``dim`` is non-zero."""
    return _logical(input, dim, keepdim, every=True)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element over ``dim`` is non-zero."""
    return _logical(input, dim, keepdim, every=False)

"""One-tensor elementwise math: ``neg abs exp log sqrt sin cos tanh sigmoid relu sign clamp``.

Functions of real analysis (``exp``, ``log``, ``sqrt``, ``sin``, ``cos``, ``tanh``,
``sigmoid``) turn integer tensors into the default float dtype first (``float32``, like
PyTorch; NumPy alone would give ``float64``). ``neg``, ``abs``, ``sign``, ``relu`` and
``clamp`` keep the dtype.

Example:
    >>> import ember
    >>> ember.tensor([1, 4]).sqrt()
    tensor([1., 2.])
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module, quiet
from ember._dtype import bool as bool_
from ember._dtype import unsupported_dtype
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.ops._dispatch import floating, promoted_arrays, tracks_grad, unary


class Neg(ArrayFunction):
    """``-a``; d/da = -1."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ### BEGIN SOLUTION 01
        return -a
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        ### BEGIN SOLUTION 02
        return -grad
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Abs(ArrayFunction):
    """``|a|``; d/da = sign(a)."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).abs(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        xp = get_array_module(a)
        ### BEGIN SOLUTION 02
        return grad * xp.sign(a)
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> Tensor:
        """``backward`` in tensor ops (``create_graph=True``)."""
        (a,) = ctx.saved_tensors
        return grad * a.sign()
    ### END REFERENCE ONLY


class Exp(ArrayFunction):
    """``e^a``; d/da = e^a, which is the output: backward reuses it instead of recomputing."""

    saves_output = True  # apply saves the output: ctx.saved_tensors is (e^a,)

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ### BEGIN SOLUTION 01
        return get_array_module(a).exp(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors  # the output e^a (saves_output)
        ### BEGIN SOLUTION 02
        return grad * out
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Log(ArrayFunction):
    """``ln a`` (``-inf`` at 0, ``nan`` below, without warnings); d/da = 1/a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).log(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        ### BEGIN SOLUTION 02
        with quiet(grad):  # 1 / 0 = inf, silently
            return grad / a
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Sqrt(ArrayFunction):
    """``√a`` (``nan`` below 0); d/da = 1/(2√a), from the saved output √a."""

    saves_output = True  # apply saves the output: ctx.saved_tensors is (√a,)

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ### BEGIN SOLUTION 01
        return get_array_module(a).sqrt(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors  # the output √a (saves_output)
        ### BEGIN SOLUTION 02
        with quiet(grad):  # 1 / (2·√0) = inf, silently
            return grad / (2 * out)
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Sin(ArrayFunction):
    """``sin a``; d/da = cos a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).sin(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        xp = get_array_module(a)
        ### BEGIN SOLUTION 02
        return grad * xp.cos(a)
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> Tensor:
        """``backward`` in tensor ops (``create_graph=True``)."""
        (a,) = ctx.saved_tensors
        return grad * a.cos()
    ### END REFERENCE ONLY


class Cos(ArrayFunction):
    """``cos a``; d/da = -sin a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).cos(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        xp = get_array_module(a)
        ### BEGIN SOLUTION 02
        return -grad * xp.sin(a)
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> Tensor:
        """``backward`` in tensor ops (``create_graph=True``)."""
        (a,) = ctx.saved_tensors
        return -grad * a.sin()
    ### END REFERENCE ONLY


class Tanh(ArrayFunction):
    """``tanh a``; d/da = 1 - tanh² a, from the saved output."""

    saves_output = True  # apply saves the output: ctx.saved_tensors is (tanh a,)

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ### BEGIN SOLUTION 01
        return get_array_module(a).tanh(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors  # the output tanh a (saves_output)
        ### BEGIN SOLUTION 02
        return grad * (1 - out * out)
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Sigmoid(ArrayFunction):
    """``σ(a) = 1 / (1 + e^-a)``; d/da = σ(a)(1 - σ(a)), from the saved output σ(a).

    ``e^-a`` overflows for large negative ``a``, so both branches use ``e = e^-|a|`` (at
    most 1): ``1 / (1 + e)`` for ``a ≥ 0`` and the equal ``e / (1 + e)`` for ``a < 0``.
    """

    saves_output = True  # apply saves the output: ctx.saved_tensors is (σ(a),)

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ### BEGIN SOLUTION 01
        xp = get_array_module(a)
        e = xp.exp(-xp.abs(a))
        return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors  # the output σ(a) (saves_output)
        ### BEGIN SOLUTION 02
        return grad * out * (1 - out)
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Relu(ArrayFunction):
    """``max(a, 0)``; d/da = 1 where a > 0 else 0."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).maximum(a, 0)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        ### BEGIN SOLUTION 02
        # A multiply by the 0/1 mask is several times faster than xp.where here; it
        # differs only for a nan/inf gradient arriving where a <= 0 (PyTorch gives 0).
        return grad * (a > 0)
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> Tensor:
        """``backward`` in tensor ops (``create_graph=True``).

        The step 1[a > 0] is written ``relu(sign(a))`` rather than ``a > 0`` so that, as in
        PyTorch, the gradient stays connected to ``a``: its derivative there is 0, and a
        parameter behind ``a`` gets a zero gradient rather than none.
        """
        (a,) = ctx.saved_tensors
        return grad * a.sign().relu()
    ### END REFERENCE ONLY


class Sign(ArrayFunction):
    """-1, 0 or 1 by the sign of ``a``; gradient 0."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ### BEGIN SOLUTION 01
        return get_array_module(a).sign(a)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        ### BEGIN SOLUTION 02
        return get_array_module(grad).zeros_like(grad)
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> Any:
        """``backward`` for ``create_graph=True``: a constant zero."""
        return get_array_module(grad._data).zeros_like(grad._data)
    ### END REFERENCE ONLY


class Clamp(ArrayFunction):
    """``min(max(a, low), high)``; d/da = 1 inside ``[low, high]`` else 0.

    The bounds are numbers, None or tensors; a tensor bound gets the gradient where it is
    the result: d/dlow = 1 where a < low, d/dhigh = 1 where a > high (PyTorch's rules,
    with high winning when low > high).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, low: Any, high: Any) -> Any:
        ctx.save_for_backward(a)  # for backward (stage 02)
        ctx.bounds = (low, high)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a).clip(a, low, high)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, Any]:
        (a,) = ctx.saved_tensors
        low, high = ctx.bounds
        needs_a, needs_low, needs_high = ctx.needs_input_grad[:3]
        xp = get_array_module(a)
        grad_a = grad_low = grad_high = None
        ### BEGIN SOLUTION 02
        if needs_a:
            inside = True
            if low is not None:
                inside = a >= low
            if high is not None:
                inside = inside & (a <= high)
            grad_a = xp.where(inside, grad, 0)
        if needs_low:  # the result is low where a < low (unless high < low wins)
            below = a < low if high is None else (a < low) & (low < high)
            grad_low = xp.where(below, grad, 0)
        if needs_high:  # the result is high where a > high, and wherever high < low
            above = a > high if low is None else (a > high) | (high < low)
            grad_high = xp.where(above, grad, 0)
        ### END SOLUTION
        return grad_a, grad_low, grad_high


def neg(input: Tensor) -> Tensor:
    """``-input``.

    Example:
        >>> import ember
        >>> ember.neg(ember.tensor([1, -2]))
        tensor([-1,  2])
    """
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")
    return unary(Neg, input)


def abs(input: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    """``|input|`` elementwise."""
    if input._data.dtype.kind == "b":
        raise unsupported_dtype("abs", bool_, "a number dtype (for bool, abs is the identity)")
    return unary(Abs, input)


def exp(input: Tensor) -> Tensor:
    """``e ** input`` elementwise (integers become the default float dtype)."""
    with quiet(input._data):  # exp(100.) = inf silently, as in PyTorch
        return unary(Exp, floating(input))


def log(input: Tensor) -> Tensor:
    """The natural logarithm elementwise (integers become the default float dtype)."""
    with quiet(input._data):  # log(0) = -inf and log(-1) = nan, silently as in PyTorch
        return unary(Log, floating(input))


def sqrt(input: Tensor) -> Tensor:
    """The square root elementwise (integers become the default float dtype)."""
    with quiet(input._data):  # sqrt(-1) = nan, silently as in PyTorch
        return unary(Sqrt, floating(input))


def sin(input: Tensor) -> Tensor:
    """The sine elementwise, in radians."""
    return unary(Sin, floating(input))


def cos(input: Tensor) -> Tensor:
    """The cosine elementwise, in radians."""
    return unary(Cos, floating(input))


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent elementwise."""
    return unary(Tanh, floating(input))


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + e^-x)`` elementwise."""
    return unary(Sigmoid, floating(input))


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)`` elementwise (the dtype is kept)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return unary(Relu, input)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 elementwise, in the input's dtype (a bool is its own sign)."""
    if input._data.dtype.kind == "b":
        return input.clone()
    return unary(Sign, input)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit every element to ``[min, max]`` (either bound may be None).

    The bounds take part in type promotion: an integer tensor clamped with float bounds
    becomes float32.

    Example:
        >>> import ember
        >>> ember.tensor([-2., 0.5, 3.]).clamp(min=0., max=1.)
        tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("ember.clamp: At least one of 'min' or 'max' must not be None")
    for bound in (min, max):
        if bound is not None:
            _, _, dt = promoted_arrays(input, bound)
            input = input.to(dt) if dt is not None else input
    if tracks_grad(input, min, max):  # tensor bounds are differentiable too
        min, max = (b.to(input.dtype) if isinstance(b, Tensor) else b for b in (min, max))
        return Clamp.apply(input, min, max)
    low = min._data if isinstance(min, Tensor) else min
    high = max._data if isinstance(max, Tensor) else max
    return unary(Clamp, input, low, high)


clip = clamp

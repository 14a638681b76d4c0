"""Binary elementwise arithmetic: ``+ - * **``, ``maximum``, ``minimum``, ``where``.

All of them broadcast (``ember/ops/broadcast.py`` states the rule) and promote their
operands to a common dtype first (``ember/_promotion.py``), in ``_dispatch.binary``. The
``forward`` methods then only see two arrays of the same dtype, or an array and a Python
number.

Example:
    >>> import ember
    >>> ember.tensor([1, 2, 3]) * 2
    tensor([2, 4, 6])

Division (``/ // %``) lives in ``division.py``.
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module, quiet
from ember._dtype import SCALAR_TYPE_NAMES, unsupported_dtype
from ember._dtype import bool as bool_
from ember._tensor import Tensor
from ember.autograd.function import NO_GRAD_CTX, ArrayFunction, Context
from ember.ops._dispatch import (
    as_operand,
    binary,
    promoted_arrays,
    require_tensor,
    tracks_grad,
)


class Add(ArrayFunction):
    """``a + b``; d/da = 1, d/db = 1.

    Every backward here returns gradients in the shape of the *output*: when an input was
    broadcast, the engine sums its gradient back to the input's shape (in one place).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ### BEGIN SOLUTION 01
        return a + b
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        ### BEGIN SOLUTION 02
        return grad, grad
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Sub(ArrayFunction):
    """``a - b``; d/da = 1, d/db = -1."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ### BEGIN SOLUTION 01
        return a - b
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        ### BEGIN SOLUTION 02
        return grad, -grad
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Mul(ArrayFunction):
    """``a * b``; d/da = b, d/db = a.

    ``ctx.needs_input_grad`` (one bool per argument of ``apply``) lets a backward skip the
    gradients nobody needs: an input that does not require grad, or a Python number.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return a * b
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        ### BEGIN SOLUTION 02
        return (grad * b if needs_a else None), (grad * a if needs_b else None)
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class Pow(ArrayFunction):
    """``a ** b``; d/da = b·a^(b-1), d/db = a^b·ln a.

    Like PyTorch, d/da is 0 where b = 0 (``a ** 0`` is the constant 1, even at a = 0) and
    d/db is 0 where a = 0 and b ≥ 0 (where ``a^b·ln a`` would be ``0·(-inf)``).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a, b).power(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        xp = get_array_module(grad)
        grad_a = grad_b = None
        ### BEGIN SOLUTION 02
        with quiet(grad):  # 0 ** -1 = inf and ln 0 = -inf, silently as in PyTorch
            if needs_a:
                grad_a = grad * xp.where(b == 0, 0, b * xp.power(a, b - 1))
            if needs_b:
                # a may be a Python number (2 ** t): take its log in the gradient's dtype.
                a = xp.asarray(a, dtype=grad.dtype)
                grad_b = grad * xp.where((a == 0) & (b >= 0), 0, xp.power(a, b) * xp.log(a))
        ### END SOLUTION
        return grad_a, grad_b

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Any, Any]:
        """``backward`` in tensor ops (``create_graph=True``), with the same two rules at 0."""
        a, b = (_constant(v, grad) for v in ctx.saved_tensors)  # 2 ** t, t ** 2: numbers
        needs_a, needs_b = ctx.needs_input_grad[:2]
        grad_a = grad_b = None
        with quiet(None):
            if needs_a:
                grad_a = grad * where(b == 0, 0.0, b * a ** (b - 1))
            if needs_b:
                grad_b = grad * where((a == 0) & (b >= 0), 0.0, a ** b * a.log())
        return grad_a, grad_b
    ### END REFERENCE ONLY


def _constant(value: Any, like: Tensor) -> Tensor:
    """A number saved by ``forward`` as a 0-dim tensor of ``like``'s dtype (no gradient)."""
    if isinstance(value, Tensor):
        return value
    return Tensor._make(get_array_module(like._data).asarray(value, dtype=like._data.dtype))


class Maximum(ArrayFunction):
    """Elementwise ``max(a, b)`` (NaN propagates).

    d/da = 1 where a > b, 0 where a < b; at a tie both get half the gradient (PyTorch's
    rule, the average of the two one-sided derivatives).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a, b).maximum(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        return _select_backward(ctx, grad, a < b, a > b, a == b)


class Minimum(ArrayFunction):
    """Elementwise ``min(a, b)`` (NaN propagates).

    d/da = 1 where a < b, 0 where a > b; at a tie both get half the gradient.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a, b).minimum(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        return _select_backward(ctx, grad, a > b, a < b, a == b)


def _select_backward(ctx: Context, grad: Any, a_loses: Any, b_loses: Any,
                     tie: Any) -> tuple[Any, Any]:
    """Gradients of ``maximum``/``minimum``: all to the winner, half each at a tie.

    A NaN neither wins nor loses nor ties, so both inputs get the full gradient there, as
    in PyTorch.
    """
    needs_a, needs_b = ctx.needs_input_grad[:2]
    xp = get_array_module(grad)
    ### BEGIN SOLUTION 02
    shared = xp.where(tie, grad / 2, grad)
    grad_a = xp.where(a_loses, 0, shared) if needs_a else None
    grad_b = xp.where(b_loses, 0, shared) if needs_b else None
    return grad_a, grad_b
    ### END SOLUTION


class Where(ArrayFunction):
    """``condition ? a : b`` elementwise, broadcasting all three.

    d/da = 1 where the condition holds, else 0; d/db the opposite. The condition (bool)
    has no gradient.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, condition: Any) -> Any:
        ctx.save_for_backward(condition)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(condition).where(condition, a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, None]:
        (condition,) = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        xp = get_array_module(grad)
        ### BEGIN SOLUTION 02
        grad_a = xp.where(condition, grad, 0) if needs_a else None
        grad_b = xp.where(condition, 0, grad) if needs_b else None
        return grad_a, grad_b, None
        ### END SOLUTION

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Any, Any, None]:
        """``backward`` in tensor ops (``create_graph=True``)."""
        (condition,) = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        grad_a = where(condition, grad, 0.0) if needs_a else None
        grad_b = where(condition, 0.0, grad) if needs_b else None
        return grad_a, grad_b, None
    ### END REFERENCE ONLY


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other``, broadcast and promoted.

    Example:
        >>> import ember
        >>> ember.add(ember.tensor([1., 2.]), ember.tensor([10., 20.]), alpha=2)
        tensor([21., 42.])
    """
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Add, input, other)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``, broadcast and promoted."""
    if is_bool(input) and is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if is_bool(input) or is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Sub, input, other)


def rsub(input: Any, other: Any) -> Tensor:
    """``other - input`` (the reflected ``-``)."""
    return sub(other, input)


def mul(input: Any, other: Any) -> Tensor:
    """``input * other``, broadcast and promoted."""
    return binary(Mul, input, other)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    """``input ** exponent`` elementwise, broadcast and promoted."""
    input, exponent = as_operand(input), as_operand(exponent)
    if is_bool(input) and is_bool(exponent):
        if isinstance(exponent, Tensor):
            raise unsupported_dtype("pow", bool_, "a number dtype for a tensor exponent")
        return input.clone() if exponent else input.eq(input)  # x ** True = x, x ** False = 1
    if is_integral(input) and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with quiet(None):  # 0 ** -1 = inf and overflow, silently as in PyTorch
        return binary(Pow, input, exponent)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise maximum of two tensors."""
    require_tensor(other, "maximum", "other")
    return binary(Maximum, input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum of two tensors."""
    require_tensor(other, "minimum", "other")
    return binary(Minimum, input, other)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` is True, else ``other`` (all broadcast together).

    With only ``condition``, returns the indices of its True elements (like ``nonzero``).

    Example:
        >>> import ember
        >>> x = ember.tensor([-1., 2.])
        >>> ember.where(x > 0, x, 0.)
        tensor([0., 2.])
    """
    if input is None and other is None:
        return tuple(Tensor._make(i) for i in condition._data.nonzero())
    if condition.dtype.name != "bool":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {_scalar_name(condition)}")
    input, other = as_operand(input), as_operand(other)
    a, b, dt = promoted_arrays(input, other)
    if tracks_grad(input, other):
        return Where.apply(_cast(input, dt), _cast(other, dt), condition)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        a = get_array_module(condition._data).asarray(a, dtype=dt.numpy if dt else None)
    return Tensor._make(Where.forward(NO_GRAD_CTX, a, b, condition._data))


def tensor_where(self: Tensor, condition: Tensor, other: Any) -> Tensor:
    """``self.where(condition, other)``: ``self`` where ``condition``, else ``other``."""
    return where(condition, self, other)


def _cast(value: Any, dt: Any) -> Any:
    return value.to(dt) if isinstance(value, Tensor) and dt is not None else value


def is_bool(value: Any) -> bool:
    """True for a bool tensor or a Python bool."""
    if isinstance(value, Tensor):
        return value._data.dtype.kind == "b"
    return isinstance(value, bool)


def is_integral(value: Any) -> bool:
    """True for integer/bool tensors and Python ints/bools."""
    if isinstance(value, Tensor):
        return value._data.dtype.kind in "biu"
    return isinstance(value, int)


def _scalar_name(t: Tensor) -> str:
    return SCALAR_TYPE_NAMES[t.dtype]


__all__ = ["add", "sub", "rsub", "mul", "pow", "maximum", "minimum", "where"]

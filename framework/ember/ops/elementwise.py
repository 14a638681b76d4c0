# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: Add.forward, Sub.forward, Mul.forward, Pow.forward, Maximum.forward,
#             Minimum.forward, Where.forward
#   stage 02: Add.backward, Sub.backward, Mul.backward, Pow.backward, _select_backward,
#             Where.backward
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
        # ---- your code (stage 01): Add.forward ----
        raise NotImplementedError("Stage 01: implement Add.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        # ---- your code (stage 02): Add.backward ----
        raise NotImplementedError("Stage 02: implement Add.backward")
        # ---- end of your code (stage 02) ----

    tensor_backward = backward  # the formula uses only operators tensors have too


class Sub(ArrayFunction):
    """``a - b``; d/da = 1, d/db = -1."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        # ---- your code (stage 01): Sub.forward ----
        raise NotImplementedError("Stage 01: implement Sub.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        # ---- your code (stage 02): Sub.backward ----
        raise NotImplementedError("Stage 02: implement Sub.backward")
        # ---- end of your code (stage 02) ----

    tensor_backward = backward  # the formula uses only operators tensors have too


class Mul(ArrayFunction):
    """``a * b``; d/da = b, d/db = a.

    ``ctx.needs_input_grad`` (one bool per argument of ``apply``) lets a backward skip the
    gradients nobody needs: an input that does not require grad, or a Python number.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        # ---- your code (stage 01): Mul.forward ----
        raise NotImplementedError("Stage 01: implement Mul.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        # ---- your code (stage 02): Mul.backward ----
        raise NotImplementedError("Stage 02: implement Mul.backward")
        # ---- end of your code (stage 02) ----

    tensor_backward = backward  # the formula uses only operators tensors have too


class Pow(ArrayFunction):
    """``a ** b``; d/da = b·a^(b-1), d/db = a^b·ln a.

    Like PyTorch, d/da is 0 where b = 0 (``a ** 0`` is the constant 1, even at a = 0) and
    d/db is 0 where a = 0 and b ≥ 0 (where ``a^b·ln a`` would be ``0·(-inf)``).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        # ---- your code (stage 01): Pow.forward ----
        raise NotImplementedError("Stage 01: implement Pow.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        xp = get_array_module(grad)
        grad_a = grad_b = None
        # ---- your code (stage 02): Pow.backward ----
        # It must define grad_a and grad_b: the code after it reads them.
        raise NotImplementedError("Stage 02: implement Pow.backward")
        # ---- end of your code (stage 02) ----
        return grad_a, grad_b


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
        # ---- your code (stage 01): Maximum.forward ----
        raise NotImplementedError("Stage 01: implement Maximum.forward")
        # ---- end of your code (stage 01) ----

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
        # ---- your code (stage 01): Minimum.forward ----
        raise NotImplementedError("Stage 01: implement Minimum.forward")
        # ---- end of your code (stage 01) ----

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
    # ---- your code (stage 02): _select_backward ----
    raise NotImplementedError("Stage 02: implement _select_backward")
    # ---- end of your code (stage 02) ----


class Where(ArrayFunction):
    """``condition ? a : b`` elementwise, broadcasting all three.

    d/da = 1 where the condition holds, else 0; d/db the opposite. The condition (bool)
    has no gradient.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, condition: Any) -> Any:
        ctx.save_for_backward(condition)  # for backward (stage 02)
        # ---- your code (stage 01): Where.forward ----
        raise NotImplementedError("Stage 01: implement Where.forward")
        # ---- end of your code (stage 01) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, None]:
        (condition,) = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        xp = get_array_module(grad)
        # ---- your code (stage 02): Where.backward ----
        raise NotImplementedError("Stage 02: implement Where.backward")
        # ---- end of your code (stage 02) ----


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

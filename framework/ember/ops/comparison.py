# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: Eq.forward, Ne.forward, Lt.forward, Le.forward, Gt.forward, Ge.forward, equal
"""Comparisons and logic: ``== != < <= > >=``, ``equal``, ``allclose`` and ``& | ^ ~``.

Comparisons broadcast and promote like arithmetic, then return **bool** tensors. They
have no gradient.

Example:
    >>> import ember
    >>> ember.tensor([1, 2, 3]) > 1.5
    tensor([False,  True,  True])
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.ops._dispatch import binary, unary


class Eq(ArrayFunction):
    """``a == b`` elementwise."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        # ---- your code (stage 01): Eq.forward ----
        raise NotImplementedError("Stage 01: implement Eq.forward")
        # ---- end of your code (stage 01) ----


class Ne(ArrayFunction):
    """``a != b`` elementwise."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        # ---- your code (stage 01): Ne.forward ----
        raise NotImplementedError("Stage 01: implement Ne.forward")
        # ---- end of your code (stage 01) ----


class Lt(ArrayFunction):
    """``a < b`` elementwise."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        # ---- your code (stage 01): Lt.forward ----
        raise NotImplementedError("Stage 01: implement Lt.forward")
        # ---- end of your code (stage 01) ----


class Le(ArrayFunction):
    """``a <= b`` elementwise."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        # ---- your code (stage 01): Le.forward ----
        raise NotImplementedError("Stage 01: implement Le.forward")
        # ---- end of your code (stage 01) ----


class Gt(ArrayFunction):
    """``a > b`` elementwise."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        # ---- your code (stage 01): Gt.forward ----
        raise NotImplementedError("Stage 01: implement Gt.forward")
        # ---- end of your code (stage 01) ----


class Ge(ArrayFunction):
    """``a >= b`` elementwise."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        # ---- your code (stage 01): Ge.forward ----
        raise NotImplementedError("Stage 01: implement Ge.forward")
        # ---- end of your code (stage 01) ----


class BitwiseAnd(ArrayFunction):
    """``a & b`` (logical and for bool tensors)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        return a & b


class BitwiseOr(ArrayFunction):
    """``a | b`` (logical or for bool tensors)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        return a | b


class BitwiseXor(ArrayFunction):
    """``a ^ b`` (logical xor for bool tensors)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        return a ^ b


class BitwiseNot(ArrayFunction):
    """``~a`` (logical not for bool tensors)."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return ~a


def eq(input: Tensor, other: Any) -> Tensor:
    """``input == other`` elementwise, as a bool tensor."""
    return binary(Eq, input, other)


def ne(input: Tensor, other: Any) -> Tensor:
    """``input != other`` elementwise, as a bool tensor."""
    return binary(Ne, input, other)


def lt(input: Tensor, other: Any) -> Tensor:
    """``input < other`` elementwise, as a bool tensor."""
    return binary(Lt, input, other)


def le(input: Tensor, other: Any) -> Tensor:
    """``input <= other`` elementwise, as a bool tensor."""
    return binary(Le, input, other)


def gt(input: Tensor, other: Any) -> Tensor:
    """``input > other`` elementwise, as a bool tensor."""
    return binary(Gt, input, other)


def ge(input: Tensor, other: Any) -> Tensor:
    """``input >= other`` elementwise, as a bool tensor."""
    return binary(Ge, input, other)


def _check_integral(op: str, *values: Any) -> None:
    """Bitwise ops need integer or bool operands (PyTorch raises RuntimeError too)."""
    for v in values:
        if isinstance(v, Tensor) and v._data.dtype.kind == "f" or isinstance(v, float):
            raise RuntimeError(f"{op} is not implemented for floating-point operands: "
                               "it needs integer or bool tensors")


def bitwise_and(input: Tensor, other: Any) -> Tensor:
    """``input & other``: bitwise for integers, logical for bool."""
    _check_integral("bitwise_and", input, other)
    return binary(BitwiseAnd, input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:
    """``input | other``: bitwise for integers, logical for bool."""
    _check_integral("bitwise_or", input, other)
    return binary(BitwiseOr, input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:
    """``input ^ other``: bitwise for integers, logical for bool."""
    _check_integral("bitwise_xor", input, other)
    return binary(BitwiseXor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """``~input``: bitwise for integers, logical for bool."""
    _check_integral("bitwise_not", input)
    return unary(BitwiseNot, input)


def logical_not(input: Tensor) -> Tensor:
    """True where ``input`` is zero/False."""
    return eq(input, 0)


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """True where both are non-zero."""
    return bitwise_and(ne(input, 0), ne(other, 0))


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """True where either is non-zero."""
    return bitwise_or(ne(input, 0), ne(other, 0))


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape and the same values.

    Example:
        >>> import ember
        >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1., 2.]))
        True
    """
    # ---- your code (stage 01): equal ----
    raise NotImplementedError("Stage 01: implement equal")
    # ---- end of your code (stage 01) ----


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise."""
    b = other._data if isinstance(other, Tensor) else other
    xp = get_array_module(input._data)
    return Tensor._make(xp.isclose(input._data, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when every element satisfies ``|input - other| <= atol + rtol * |other|``."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())

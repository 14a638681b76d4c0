"""Binds the ops as ``Tensor`` methods and operators: ``t.sum()``, ``a + b``, ``t[0]``.

PyTorch generates its tensor methods from the same definitions as its functions; we do
the same by assigning the functions of ``ember/ops`` to the class. A method is the function
with the tensor as first argument, so ``t.view(2, 3)`` is ``shape.view(t, 2, 3)``.
Operators point straight at the op functions (no wrapper in between) to keep small-tensor
overhead low.
"""

from __future__ import annotations

from typing import Any

from ember._tensor import Tensor
from ember.ops import (
    comparison,
    conversion,
    division,
    elementwise,
    extrema,
    linalg,
    reduction,
    shape,
    unary,
    views,
)
from ember.ops.inplace import INPLACE_METHODS
from ember.ops.random_inplace import RANDOM_METHODS


def _reflected(function: Any) -> Any:
    """``other OP self`` for Python's reflected operators (``2 - t`` → ``sub(2, t)``)."""

    def method(self: Tensor, other: Any) -> Tensor:
        return function(other, self)

    method.__name__ = f"r{function.__name__}"
    return method


def _eq(self: Tensor, other: Any) -> Any:
    # ``t == None`` is False in PyTorch (and lets ``x in list_of_tensors`` skip Nones).
    return False if other is None else comparison.eq(self, other)


def _ne(self: Tensor, other: Any) -> Any:
    return True if other is None else comparison.ne(self, other)


def _floordiv(self: Tensor, other: Any) -> Tensor:
    return division.floor_divide(self, other)


def _rfloordiv(self: Tensor, other: Any) -> Tensor:
    return division.floor_divide(other, self)


def _split(self: Tensor, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
    return views.split(self, split_size, dim)


OPERATORS = {
    "__add__": elementwise.add, "__radd__": _reflected(elementwise.add),
    "__sub__": elementwise.sub, "__rsub__": _reflected(elementwise.sub),
    "__mul__": elementwise.mul, "__rmul__": _reflected(elementwise.mul),
    "__truediv__": division.div, "__rtruediv__": _reflected(division.div),
    "__floordiv__": _floordiv, "__rfloordiv__": _rfloordiv,
    "__mod__": division.remainder, "__rmod__": _reflected(division.remainder),
    "__pow__": elementwise.pow, "__rpow__": _reflected(elementwise.pow),
    "__matmul__": linalg.matmul, "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": unary.neg, "__abs__": unary.abs, "__pos__": lambda self: self,
    "__eq__": _eq, "__ne__": _ne, "__lt__": comparison.lt, "__le__": comparison.le,
    "__gt__": comparison.gt, "__ge__": comparison.ge,
    "__and__": comparison.bitwise_and, "__rand__": _reflected(comparison.bitwise_and),
    "__or__": comparison.bitwise_or, "__ror__": _reflected(comparison.bitwise_or),
    "__xor__": comparison.bitwise_xor, "__rxor__": _reflected(comparison.bitwise_xor),
    "__invert__": comparison.bitwise_not,
    "__getitem__": views.getitem,
}

METHODS = {
    # elementwise and unary math
    **{name: getattr(elementwise, name) for name in (
        "add", "sub", "mul", "pow", "maximum", "minimum")},
    **{name: getattr(division, name) for name in (
        "div", "true_divide", "floor_divide", "remainder")},
    "where": elementwise.tensor_where, "multiply": elementwise.mul,
    "subtract": elementwise.sub, "divide": division.div,
    **{name: getattr(unary, name) for name in (
        "neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign",
        "clamp", "clip")},
    "negative": unary.neg,
    # comparisons
    **{name: getattr(comparison, name) for name in (
        "eq", "ne", "lt", "le", "gt", "ge", "equal", "allclose", "isclose", "logical_not",
        "logical_and", "logical_or", "bitwise_and", "bitwise_or", "bitwise_xor",
        "bitwise_not")},
    # reductions
    **{name: getattr(reduction, name) for name in (
        "sum", "mean", "prod", "std", "var", "all", "any")},
    **{name: getattr(extrema, name) for name in ("max", "min", "argmax", "argmin")},
    # linear algebra
    **{name: getattr(linalg, name) for name in ("matmul", "mm", "bmm", "dot", "mv")},
    # shape
    **{name: getattr(shape, name) for name in (
        "view", "reshape", "view_as", "reshape_as", "permute", "transpose", "swapaxes", "t",
        "squeeze", "unsqueeze", "flatten", "expand", "expand_as", "repeat", "contiguous",
        "clone")},
    "split": _split, "chunk": views.chunk,
    # conversion
    **{name: getattr(conversion, name) for name in (
        "to", "type", "float", "double", "half", "long", "int", "byte", "bool", "cpu")},
}


def bind() -> None:
    """Attach ``OPERATORS`` and ``METHODS`` to ``Tensor``."""
    for name, function in {**OPERATORS, **METHODS, **INPLACE_METHODS,
                           **RANDOM_METHODS}.items():
        setattr(Tensor, name, function)
    Tensor.T = property(shape.reverse_dims, doc="All dimensions reversed (a view).")
    Tensor.mT = property(shape.matrix_transpose, doc="The last two dimensions swapped.")


bind()

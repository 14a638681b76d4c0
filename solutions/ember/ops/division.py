"""Division: ``/ // %``, ``div`` with its rounding modes, ``floor_divide``, ``remainder``.

Division is the one arithmetic op whose result dtype and error cases depend on more than
the promoted dtype, so it has its own file:

* true division of integers gives the default float dtype (``float32``), as in PyTorch —
  not NumPy's ``float64``;
* ``rounding_mode="trunc"`` rounds the quotient towards zero, ``"floor"`` (and ``//``)
  towards minus infinity; both keep integer dtypes;
* integer division by zero is an error, floating-point division by zero gives inf or nan
  silently;
* ``a % b`` has the sign of ``b`` (Python's rule): ``a % b = a - floor(a / b)·b``.

The derivatives: d(a/b)/da = 1/b, d(a/b)/db = -a/b²; the rounded quotients are step
functions with zero gradient almost everywhere.

Example:
    >>> import ember
    >>> ember.tensor([-7, 7]) // 2, ember.tensor([-7, 7]) % 3
    (tensor([-4,  3]), tensor([2, 1]))
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module, quiet
from ember._dtype import bool as bool_
from ember._dtype import get_default_dtype, unsupported_dtype
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.ops._dispatch import OPERAND_TYPES, as_operand, binary
from ember.ops.elementwise import is_bool, is_integral


class Div(ArrayFunction):
    """``a / b`` with ``rounding_mode`` None (true), ``"trunc"`` or ``"floor"``.

    d/da = 1/b, d/db = -a/b² (true division; the rounded forms have zero gradient).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, rounding_mode: str | None = None) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        ctx.rounding_mode = rounding_mode  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        if rounding_mode is None:
            return a / b
        if rounding_mode == "floor":
            return a // b
        array = a if hasattr(a, "dtype") else b
        if array.dtype.kind == "f":
            return get_array_module(a, b).trunc(a / b)
        # Integers: floor division rounds negative quotients down; move them up by one
        # where the division was not exact, which rounds towards zero instead.
        quotient = a // b
        return quotient + ((quotient < 0) & (quotient * b != a))
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, None]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        ### BEGIN SOLUTION 02
        if ctx.rounding_mode is not None:  # a step function: flat almost everywhere
            zeros = get_array_module(grad).zeros_like(grad)
            return (zeros if needs_a else None), (zeros if needs_b else None), None
        with quiet(grad):  # b = 0 gives inf/nan silently, as in PyTorch
            grad_a = grad / b if needs_a else None
            grad_b = -grad * a / (b * b) if needs_b else None
        return grad_a, grad_b, None
        ### END SOLUTION

    tensor_backward = backward  # the formula uses only operators tensors have too


class FloorDivide(Div):
    """``a // b``: ``Div`` with ``rounding_mode="floor"``, without a derivative in PyTorch."""

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, None]:
        raise RuntimeError("floor_divide (//) has no derivative, in PyTorch as in ember: for a "
                           "zero gradient use div(input, other, rounding_mode='floor')")

    tensor_backward = backward  # no derivative with create_graph either


class Remainder(ArrayFunction):
    """``a % b`` with the sign of ``b`` (Python's rule, like ``torch.remainder``).

    ``a % b = a - floor(a / b)·b``, so d/da = 1 and d/db = -floor(a / b).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        ### BEGIN SOLUTION 01
        return get_array_module(a, b).remainder(a, b)
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        ### BEGIN SOLUTION 02
        if not needs_b:
            return grad, None
        with quiet(grad):
            grad_b = -grad * get_array_module(grad).floor(a / b)
        return (grad if needs_a else None), grad_b
        ### END SOLUTION


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other``: true division, or rounded with ``"trunc"`` / ``"floor"``.

    True division of integers gives the default float dtype (``float32``), not ``float64``:
    ``ember.tensor([1, 2]) / 2`` is ``tensor([0.5000, 1.0000])`` in float32.

    Example:
        >>> import ember
        >>> ember.div(ember.tensor([-7, 7]), 2, rounding_mode="trunc")
        tensor([-3,  3])
    """
    if rounding_mode not in (None, "trunc", "floor"):
        raise ValueError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    if not isinstance(other, OPERAND_TYPES):
        other = as_operand(other)
    if not isinstance(input, OPERAND_TYPES):
        input = as_operand(input)
    if rounding_mode is not None:
        _check_integer_division(f"div(rounding_mode='{rounding_mode}')", input, other)
    # Hint: NumPy's int / int is float64; PyTorch's is the default dtype (float32).
    ### BEGIN SOLUTION 01
    if rounding_mode is None and not (_is_floating(input) or _is_floating(other)):
        # Integer / integer is a float in PyTorch: the default dtype, not float64.
        default = get_default_dtype()
        input = input.to(default) if isinstance(input, Tensor) else float(input)
        other = other.to(default) if isinstance(other, Tensor) else float(other)
    ### END SOLUTION
    return _divide(Div, input, other, rounding_mode)


def _divide(fn: type[ArrayFunction], input: Any, other: Any, rounding_mode: str | None) -> Tensor:
    """Run the division op ``fn`` (``Div`` or ``FloorDivide``) on promoted operands."""
    if _nonzero(other):
        return binary(fn, input, other, rounding_mode)
    # PyTorch divides by zero silently (inf, nan); silence NumPy's warnings. Only here,
    # because entering errstate costs more than a whole small division.
    with quiet(None):
        return binary(fn, input, other, rounding_mode)


def _nonzero(divisor: Any) -> bool:
    """True when ``divisor`` certainly has no zeros (checked for small tensors only)."""
    if not isinstance(divisor, Tensor):
        return divisor != 0
    data = divisor._data
    # count_nonzero is the cheapest full check the array module has (no reduction setup).
    return data.size <= 4096 and get_array_module(data).count_nonzero(data) == data.size


def true_divide(input: Any, other: Any) -> Tensor:
    """``input / other`` (alias of ``div`` without rounding)."""
    return div(input, other)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``: division rounded towards minus infinity.

    The values of ``div(input, other, rounding_mode="floor")``; unlike it, and like
    PyTorch, ``//`` has no derivative (backward raises).
    """
    if not isinstance(other, OPERAND_TYPES):
        other = as_operand(other)
    if not isinstance(input, OPERAND_TYPES):
        input = as_operand(input)
    _check_integer_division("floor_divide", input, other)
    return _divide(FloorDivide, input, other, "floor")


def remainder(input: Any, other: Any) -> Tensor:
    """``input % other``; the result has the sign of ``other`` like Python's ``%``."""
    input, other = as_operand(input), as_operand(other)
    _check_integer_division("remainder", input, other)
    with quiet(None):  # x % 0 is nan silently in PyTorch
        return binary(Remainder, input, other)


def _check_integer_division(op: str, input: Any, other: Any) -> None:
    """Rounded division refuses two bools and integer division by zero, as PyTorch does."""
    if is_bool(input) and is_bool(other):
        raise unsupported_dtype(op, bool_, "integer or floating-point tensors (try .int())")
    if not (is_integral(input) and is_integral(other)):
        return
    divisor = other._data if isinstance(other, Tensor) else other
    if not get_array_module(divisor).all(divisor):
        raise RuntimeError(f"{op}: integer division by zero (PyTorch refuses it too); "
                           "floating-point division gives inf or nan instead")


def _is_floating(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value._data.dtype.kind == "f"
    return isinstance(value, float)


__all__ = ["div", "true_divide", "floor_divide", "remainder"]

"""How every op runs: promote the operands, then call the op's ``ArrayFunction``.

Two paths:

* **fast path** (no tensor requires grad, or grad mode is off): call
  ``Op.forward(NO_GRAD_CTX, *arrays)`` directly and wrap the array. No argument parsing,
  no graph: this is why a 4×4 ``a + b`` costs about a microsecond.
* **graph path**: ``Op.apply(*tensors)``, which stage 02 makes record the graph.

Example:
    >>> import ember
    >>> from ember.ops.elementwise import Add
    >>> binary(Add, ember.tensor([1, 2]), 0.5)
    tensor([1.5000, 2.5000])
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._creation import as_tensor
from ember._dtype import dtype, from_numpy_dtype, get_default_dtype
from ember._promotion import result_type
from ember._tensor import Tensor
from ember.autograd.function import NO_GRAD_CTX, ArrayFunction
from ember.autograd.grad_mode import GRAD_STATE as _grad_state
from ember.autograd.graph import share_storage
from ember.ops.broadcast import broadcast_error

_make = Tensor._make
OPERAND_TYPES = (Tensor, bool, int, float)


def _scalar_keeps_dtype(kind: str, scalar: Any) -> bool:
    """True when adding a Python ``scalar`` to an array of ``kind`` keeps the array's dtype."""
    scalar_type = type(scalar)
    if scalar_type is float:
        return kind == "f"
    if scalar_type is int:
        return kind != "b"
    return scalar_type is bool


def as_operand(value: Any) -> Any:
    """A tensor or Python number; other values (NumPy scalars, lists, arrays) become tensors."""
    if isinstance(value, OPERAND_TYPES):
        return value
    return as_tensor(value)


def cast_operand(value: Any, dt: dtype) -> Any:
    """The array of a tensor converted to ``dt`` (no copy when it already is ``dt``).

    Python numbers stay Python numbers: the array module treats them as "weak" and keeps
    the array's dtype, which is what the promotion already decided.
    """
    if isinstance(value, Tensor):
        return value._data.astype(dt.numpy, copy=False)
    return value


def promoted_arrays(input: Any, other: Any) -> tuple[Any, Any, dtype | None]:
    """The arrays (or Python numbers) of two operands converted to their common dtype.

    Returns:
        ``(a, b, dt)`` where ``dt`` is None when no conversion was needed.
    """
    if isinstance(input, Tensor):
        a = input._data
        if isinstance(other, Tensor):
            if a.dtype == other._data.dtype:
                return a, other._data, None
        elif _scalar_keeps_dtype(a.dtype.kind, other):
            return a, other, None
    elif isinstance(other, Tensor) and _scalar_keeps_dtype(other._data.dtype.kind, input):
        return input, other._data, None
    dt = result_type(input, other)
    return cast_operand(input, dt), cast_operand(other, dt), dt


def tracks_grad(*values: Any) -> bool:
    """True when grad mode is on and a tensor among ``values`` requires grad."""
    if not _grad_state.enabled:
        return False
    for value in values:
        if isinstance(value, Tensor) and value._requires_grad:
            return True
    return False


def to_dtype(value: Any, dt: dtype | None) -> Any:
    """``value`` converted to ``dt`` through the (recorded) cast op; numbers unchanged."""
    if dt is None or not isinstance(value, Tensor) or value.dtype is dt:
        return value
    return value.to(dt)


def binary(fn: type[ArrayFunction], input: Any, other: Any, *extra: Any) -> Tensor:
    """Run a two-operand op with broadcasting and type promotion."""
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        # The hot path: two tensors, usually of one dtype; no tuple building, no promotion.
        a, b, dt = input._data, other._data, None
        if a.dtype is not b.dtype and a.dtype != b.dtype:
            a, b, dt = promoted_arrays(input, other)
        track = input._requires_grad or other._requires_grad
    else:
        input, other = as_operand(input), as_operand(other)
        a, b, dt = promoted_arrays(input, other)
        track = tracks_grad(input, other)
    try:
        if track and _grad_state.enabled:
            return fn.apply(to_dtype(input, dt), to_dtype(other, dt), *extra)
        return _make(fn.forward(NO_GRAD_CTX, a, b, *extra))
    except ValueError as error:
        # The array module's broadcasting error, re-raised in PyTorch's words.
        raise broadcast_error(error, a, b) from None
    except OverflowError:
        # A Python int outside the tensor's integer range (uint8 - 1): PyTorch wraps it.
        return binary(fn, _wrap_int(input, other), _wrap_int(other, input), *extra)


def _wrap_int(value: Any, like: Any) -> Any:
    """A Python int as a 0-dim tensor of ``like``'s dtype, wrapped around like C casts."""
    if type(value) is not int or not isinstance(like, Tensor):
        return value
    xp = get_array_module(like._data)
    return _make(xp.asarray(value).astype(like._data.dtype))


def unary(fn: type[ArrayFunction], input: Tensor, *extra: Any) -> Tensor:
    """Run a one-tensor op; ``extra`` are non-tensor arguments (dims, shapes, ...)."""
    if input._requires_grad and _grad_state.enabled:
        out = fn.apply(input, *extra)
    else:
        out = _make(fn.forward(NO_GRAD_CTX, input._data, *extra))
    if fn.is_view or (fn.may_be_view and shares_memory(out._data, input._data)):
        # A view shares its input's version counter: in-place changes are seen by both.
        share_storage(input, out)
    return out


def shares_memory(a: Any, b: Any) -> bool:
    """True when two arrays may overlap in memory (a cheap bounds check)."""
    return bool(get_array_module(a).may_share_memory(a, b))


def floating(input: Tensor) -> Tensor:
    """``input`` itself if floating point, else converted to the default float dtype.

    ``exp``, ``sqrt``, true division... of integer tensors give ``float32`` in PyTorch;
    NumPy would give ``float64``, so we convert first.
    """
    ### BEGIN SOLUTION 01
    if input._data.dtype.kind == "f":
        return input
    return input.to(get_default_dtype())
    ### END SOLUTION


def require_tensor(value: Any, name: str, argument: str = "input") -> Tensor:
    """``value`` if it is a tensor, else PyTorch's TypeError for argument ``argument``."""
    if isinstance(value, Tensor):
        return value
    raise TypeError(f"{name}(): argument '{argument}' (position 1) must be Tensor, "
                    f"not {type(value).__name__}")


def dtype_of(array: Any) -> dtype:
    """The ember dtype of a backend array."""
    return from_numpy_dtype(array.dtype)


__all__ = ["OPERAND_TYPES", "as_operand", "binary", "floating", "promoted_arrays",
           "require_tensor", "tracks_grad", "unary"]

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: _infer_dtype, tensor, from_numpy, zeros, ones, full, arange
"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``linspace``,
``eye``, random tensors, ``*_like``, and NumPy interop (``from_numpy``, ``as_tensor``).

Default dtypes follow PyTorch: Python floats → ``float32`` (the default dtype), Python
ints → ``int64``, Python bools → ``bool``; a NumPy array keeps its dtype.

Example:
    >>> tensor([[1, 2], [3, 4]]).dtype
    ember.int64
    >>> zeros(2, 3).shape
    ember.Size([2, 3])
"""

from __future__ import annotations

import math
from typing import Any

from ember._backend import ARRAY_TYPES, default_array_module
from ember._device import as_device
from ember._dtype import (
    as_dtype,
    dtype,
    from_numpy_dtype,
    get_default_dtype,
    int64,
    unsupported_dtype,
)
from ember._dtype import bool as bool_
from ember._random import default_generator
from ember._tensor import Tensor

_make = Tensor._make


def size_args(size: tuple) -> tuple[int, ...]:
    """Sizes given as varargs ``zeros(2, 3)`` or one sequence ``zeros((2, 3))``."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, int) or isinstance(s, bool):
            raise TypeError(f"sizes must be ints, not {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
    return tuple(size)


def _finish(array: Any, requires_grad: bool, device: Any = None) -> Tensor:
    as_device(device)  # validates the device; stage 06 allocates on it
    if requires_grad and array.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    return _make(array, requires_grad)


def _infer_dtype(array: Any) -> dtype:
    """The dtype PyTorch infers for data that came from Python lists and numbers."""
    # ---- your code (stage 01): _infer_dtype ----
    raise NotImplementedError("Stage 01: implement _infer_dtype")
    # ---- end of your code (stage 01) ----


def _check_ragged(data: Any, dim: int = 0) -> None:
    """PyTorch's ValueError for nested lists of unequal lengths."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    lengths = [len(d) if isinstance(d, (list, tuple)) else None for d in data]
    first = lengths[0]
    if first is not None and None in lengths:
        raise TypeError("not a sequence")
    for length in lengths:
        if length != first:
            got = length if length is not None else type(data[lengths.index(length)]).__name__
            raise ValueError(f"expected sequence of length {first} at dim {dim + 1} "
                             f"(got {got})")
    for item in data:
        _check_ragged(item, dim + 1)


def tensor(data: Any, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or tensor).

    Example:
        >>> tensor([1.5, 2])
        tensor([1.5000, 2.0000])
        >>> tensor(3)
        tensor(3)
    """
    xp = default_array_module()
    # ---- your code (stage 01): tensor ----
    # It must define array: the code after it reads it.
    raise NotImplementedError("Stage 01: implement tensor")
    # ---- end of your code (stage 01) ----
    return _finish(array, requires_grad, device)


def _has_tensors(data: Any) -> bool:
    return any(isinstance(d, Tensor) or isinstance(d, (list, tuple)) and _has_tensors(d)
               for d in data)


def _tensors_to_lists(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(d) for d in data]
    return data


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory when possible (a tensor or array of that dtype)."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, ARRAY_TYPES):
        tensor_dtype = as_dtype(dtype) if dtype is not None else from_numpy_dtype(data.dtype)
        return _make(data.astype(tensor_dtype.numpy, copy=False))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray: Any) -> Tensor:
    """A tensor that **shares memory** with ``ndarray`` and keeps its dtype.

    Example:
        >>> import numpy as np
        >>> a = np.zeros(2)
        >>> t = from_numpy(a)
        >>> a[0] = 1.0
        >>> t
        tensor([1., 0.], dtype=ember.float64)
    """
    if not isinstance(ndarray, ARRAY_TYPES):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    from_numpy_dtype(ndarray.dtype)
    # Hint: sharing memory means wrapping the very same array, not a copy of it.
    # ---- your code (stage 01): from_numpy ----
    raise NotImplementedError("Stage 01: implement from_numpy")
    # ---- end of your code (stage 01) ----


def _filled(size: tuple, fill: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    xp = default_array_module()
    array = xp.full(size_args(size), fill, dtype=dt.numpy)
    return _finish(array, requires_grad, device)


def zeros(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros, e.g. ``zeros(2, 3)`` or ``zeros((2, 3))`` (float32 by default)."""
    # ---- your code (stage 01): zeros ----
    raise NotImplementedError("Stage 01: implement zeros")
    # ---- end of your code (stage 01) ----


def ones(*size: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 by default)."""
    # ---- your code (stage 01): ones ----
    raise NotImplementedError("Stage 01: implement ones")
    # ---- end of your code (stage 01) ----


def empty(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (ember fills it with zeros; do not rely on it)."""
    return _filled(size, 0, dtype, device, requires_grad)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value's type."""
    # ---- your code (stage 01): full ----
    raise NotImplementedError("Stage 01: implement full")
    # ---- end of your code (stage 01) ----


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, start + step, ...]`` up to but excluding ``end``.

    ``arange(5)`` is ``0..4`` (int64); any float argument gives the default float dtype.
    """
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    # ---- your code (stage 01): arange ----
    # It must define array: the code after it reads it.
    raise NotImplementedError("Stage 01: implement arange")
    # ---- end of your code (stage 01) ----
    return _finish(array, requires_grad, device)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    xp = default_array_module()
    array = xp.linspace(start, end, steps, dtype="float64").astype(dt.numpy)
    return _finish(array, requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n × m`` identity matrix (ones on the diagonal)."""
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    array = default_array_module().eye(n, m, dtype=dt.numpy)
    return _finish(array, requires_grad, device)


def rand(*size: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in ``[0, 1)`` (seed with ``ember.manual_seed``)."""
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    _require_float(dt, "rand")
    array = default_generator().random(size_args(size), dtype=_float_sampling(dt))
    return _finish(array.astype(dt.numpy, copy=False), requires_grad, device)


def randn(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    if math.prod(size_args(size)):  # PyTorch never calls the kernel for an empty tensor
        _require_float(dt, "randn")
    array = default_generator().standard_normal(size_args(size), dtype=_float_sampling(dt))
    return _finish(array.astype(dt.numpy, copy=False), requires_grad, device)


def _require_float(dt: dtype, op: str) -> None:
    """Sampling real numbers needs a floating-point dtype (PyTorch refuses the others too)."""
    if not dt.is_floating_point:
        raise unsupported_dtype(op, dt, "a floating-point dtype")


def _float_sampling(dt: dtype) -> str:
    """The dtype NumPy samples in: float32 or float64 (float16 is converted afterwards)."""
    return "float64" if dt.name == "float64" else "float32"


def randint(low: int, high: Any = None, size: Any = None, *, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)``: ``randint(10, (2, 3))`` or ``randint(3, 10, (2,))``."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if low >= high:
        raise RuntimeError("random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    dt = as_dtype(dtype) if dtype is not None else int64
    array = default_generator().integers(low, high, size_args((size,)))
    return _finish(array.astype(dt.numpy), requires_grad, device)


def _like(input: Tensor, dtype: Any) -> Any:
    return input.dtype if dtype is None else dtype


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and by default the dtype) of ``input``."""
    return zeros(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and by default the dtype) of ``input``."""
    return ones(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with the shape (and dtype) of ``input``."""
    return empty(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with the shape (and dtype) of ``input``."""
    return full(input.shape, fill_value, dtype=_like(input, dtype),
                requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Uniform ``[0, 1)`` numbers with the shape (and dtype) of ``input``."""
    return rand(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Standard normal numbers with the shape (and dtype) of ``input``."""
    return randn(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randint_like(input: Tensor, low: int, high: Any = None, *, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)`` with the shape (and dtype) of ``input``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=_like(input, dtype),
                   requires_grad=requires_grad)

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 02: Cast.backward
"""dtype and device conversion: ``to``, ``type``, ``float()``, ``long()``, ...

A conversion returns the tensor **itself** when nothing changes (as PyTorch does) and a
converted copy otherwise.

Example:
    >>> import ember
    >>> t = ember.tensor([1, 2])
    >>> t.float(), t.type()
    (tensor([1., 2.]), 'ember.LongTensor')
"""

from __future__ import annotations

from typing import Any

from ember._device import as_device, device
from ember._dtype import (
    ALL_DTYPES,
    as_dtype,
    dtype,
    float16,
    float32,
    float64,
    from_numpy_dtype,
    int32,
    int64,
    uint8,
)
from ember._dtype import bool as bool_
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.ops._dispatch import unary

_BY_LEGACY_NAME = {d._legacy: d for d in ALL_DTYPES}


class Cast(ArrayFunction):
    """The values converted to another dtype (a copy); the gradient is cast back."""

    @staticmethod
    def forward(ctx: Context, a: Any, np_dtype: Any) -> Any:
        ctx.dtype = a.dtype  # for backward (stage 02)
        return a.astype(np_dtype)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        # ---- your code (stage 02): Cast.backward ----
        raise NotImplementedError("Stage 02: implement Cast.backward")
        # ---- end of your code (stage 02) ----


def _cast(input: Tensor, dt: dtype, copy: bool = False) -> Tensor:
    if input._data.dtype == dt.numpy and not copy:
        return input
    return unary(Cast, input, dt.numpy)


def to(input: Tensor, *args: Any, dtype: Any = None, device: Any = None,  # noqa: PLR0913
       copy: bool = False, non_blocking: bool = False) -> Tensor:
    """``input`` on ``device`` with ``dtype``: ``t.to(ember.float64)``, ``t.to("cpu")``,
    ``t.to(other)`` (other's dtype and device), ``t.to("cpu", ember.int64)``.
    """
    for arg in args:
        if isinstance(arg, Tensor):
            dtype, device = arg.dtype, arg.device
        elif isinstance(arg, (str, _device_type())):
            device = arg
        elif arg is not None:
            dtype = arg
    if device is not None:
        as_device(device)  # validates; stage 06 moves memory between devices
    return _cast(input, as_dtype(dtype) if dtype is not None else input.dtype, copy)


def _device_type() -> type:
    return device


def type(input: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:  # noqa: A001
    """Without ``dtype``: the legacy type name, e.g. ``"ember.FloatTensor"``.

    With ``dtype`` (an ember dtype, a legacy type like ``ember.DoubleTensor`` or its name
    ``"ember.DoubleTensor"``/``"torch.DoubleTensor"``): the converted tensor.
    """
    if dtype is None:
        return f"ember.{input.dtype._legacy}"
    if isinstance(dtype, str):
        name = dtype.split(".")[-1]
        if name not in _BY_LEGACY_NAME or dtype.split(".")[0] not in ("ember", "torch"):
            raise ValueError(f"invalid type: '{dtype}'")
        return _cast(input, _BY_LEGACY_NAME[name])
    target = getattr(dtype, "dtype", dtype)  # a legacy tensor type carries its dtype
    return _cast(input, as_dtype(target))


def float(input: Tensor) -> Tensor:  # noqa: A001
    """``input`` as float32."""
    return _cast(input, float32)


def double(input: Tensor) -> Tensor:
    """``input`` as float64."""
    return _cast(input, float64)


def half(input: Tensor) -> Tensor:
    """``input`` as float16."""
    return _cast(input, float16)


def long(input: Tensor) -> Tensor:
    """``input`` as int64."""
    return _cast(input, int64)


def int(input: Tensor) -> Tensor:  # noqa: A001
    """``input`` as int32."""
    return _cast(input, int32)


def byte(input: Tensor) -> Tensor:
    """``input`` as uint8."""
    return _cast(input, uint8)


def bool(input: Tensor) -> Tensor:  # noqa: A001
    """``input`` as bool (non-zero → True)."""
    return _cast(input, bool_)


def cpu(input: Tensor) -> Tensor:
    """``input`` on the CPU (itself, until stage 06 adds GPUs)."""
    return input

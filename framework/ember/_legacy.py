"""PyTorch's legacy tensor types: ``FloatTensor``, ``DoubleTensor``, ``LongTensor``, ...

Each is a constructor (``ember.FloatTensor([1, 2])``, ``ember.LongTensor(2, 3)``) and a
type test: ``isinstance(t, ember.FloatTensor)`` is True for a float32 tensor. A metaclass
makes both work while every tensor stays a plain ``ember.Tensor``.

Example:
    >>> import ember
    >>> isinstance(ember.tensor([1.0]), FloatTensor)
    True
    >>> DoubleTensor([1, 2]).dtype
    ember.float64
"""

from __future__ import annotations

from typing import Any

from ember._dtype import bool, dtype, float16, float32, float64, int32, int64, uint8
from ember._tensor import Tensor, legacy_data


class _LegacyTensorMeta(type):
    """Calls build a tensor of the class's dtype; ``isinstance`` compares dtypes."""

    dtype: dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        return Tensor._make(legacy_data(args, cls.dtype))

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'ember.{cls.__name__}'>"


def _legacy_type(name: str, dt: dtype) -> type:
    return _LegacyTensorMeta(name, (), {"dtype": dt, "__doc__": f"Legacy type of {dt!r}."})


FloatTensor = _legacy_type("FloatTensor", float32)
DoubleTensor = _legacy_type("DoubleTensor", float64)
HalfTensor = _legacy_type("HalfTensor", float16)
LongTensor = _legacy_type("LongTensor", int64)
IntTensor = _legacy_type("IntTensor", int32)
ByteTensor = _legacy_type("ByteTensor", uint8)
BoolTensor = _legacy_type("BoolTensor", bool)

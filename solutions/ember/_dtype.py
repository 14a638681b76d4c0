"""Data types: ``ember.float32``, ``ember.int64``, ... and the default dtype.

A dtype is a small immutable object naming one NumPy dtype, printed the PyTorch way
(``ember.float32``). This module is one of the two places allowed to touch NumPy dtypes
directly (the other is ``_backend``): it holds the tables between ember and NumPy dtypes.

Example:
    >>> float32
    ember.float32
    >>> float32.is_floating_point, float32.itemsize
    (True, 4)
"""

from __future__ import annotations

from typing import Any

import numpy


class dtype:  # noqa: N801 - PyTorch's name
    """One element type of a tensor.

    Attributes:
        name: short name, e.g. ``"float32"``.
        numpy: the NumPy dtype that stores it.
        is_floating_point: True for float16/32/64.
        is_signed: True unless unsigned (``uint8``, ``bool``).
        itemsize: bytes per element.
    """

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "_legacy")

    def __init__(self, name: str, legacy: str) -> None:
        self.name = name
        self.numpy = numpy.dtype(name)
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "fi"
        self.itemsize = self.numpy.itemsize
        self._legacy = legacy

    @property
    def is_complex(self) -> bool:
        """Always False: ember has no complex dtypes."""
        return False

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self) -> str:
        # Pickle as the module attribute so unpickling returns the same object.
        return self.name


float16 = dtype("float16", "HalfTensor")
float32 = dtype("float32", "FloatTensor")
float64 = dtype("float64", "DoubleTensor")
uint8 = dtype("uint8", "ByteTensor")
int32 = dtype("int32", "IntTensor")
int64 = dtype("int64", "LongTensor")
bool = dtype("bool", "BoolTensor")  # noqa: A001 - PyTorch's name

half, float, double = float16, float32, float64  # noqa: A001
int, long = int32, int64  # noqa: A001

#: Every dtype, in PyTorch's promotion order within a category.
ALL_DTYPES = (bool, uint8, int32, int64, float16, float32, float64)

_BY_NUMPY = {d.numpy: d for d in ALL_DTYPES}
_BY_NAME = {d.name: d for d in ALL_DTYPES}
#: Names PyTorch prints in error messages ("Got: Long").
SCALAR_TYPE_NAMES = {
    bool: "Bool", uint8: "Byte", int32: "Int", int64: "Long",
    float16: "Half", float32: "Float", float64: "Double",
}

_default_dtype = [float32]


def unsupported_dtype(op: str, dt: dtype, needs: str) -> NotImplementedError:
    """The error for an op called on a dtype it has no kernel for.

    PyTorch raises ``NotImplementedError`` here too, naming its C++ kernel
    (``"normal_kernel_cpu" not implemented for 'Long'``); ember names the op and what it needs.

    Example:
        >>> print(unsupported_dtype("randn", int64, "a floating-point dtype"))
        randn is not implemented for ember.int64 tensors: it needs a floating-point dtype
    """
    return NotImplementedError(f"{op} is not implemented for {dt} tensors: it needs {needs}")


def get_default_dtype() -> dtype:
    """The dtype of new floating point tensors (``float32`` unless changed)."""
    return _default_dtype[0]


def set_default_dtype(d: dtype) -> None:
    """Change the default floating point dtype (``float32`` or ``float64``)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_dtype[0] = d


def from_numpy_dtype(np_dtype: Any) -> dtype:
    """The ember dtype stored as NumPy dtype ``np_dtype``.

    Raises:
        TypeError: for NumPy dtypes ember does not support, in PyTorch's words.
    """
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        name = numpy.dtype(np_dtype).type.__name__
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{name}. The only supported types are: "
            "float64, float32, float16, int64, int32, uint8, and bool."
        ) from None


def as_dtype(value: Any) -> dtype:
    """``value`` (an ember dtype, a NumPy dtype, a name or a Python type) as an ember dtype."""
    if isinstance(value, dtype):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        return from_numpy_dtype(numpy.dtype(value))
    except TypeError:
        raise TypeError(f"{value!r} is not an ember dtype") from None

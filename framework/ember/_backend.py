"""The one place that chooses the array module (``xp``) behind a tensor.

Every op works on raw arrays through ``xp = get_array_module(array)`` instead of importing
NumPy itself. Stage 06 adds CuPy here, and no op has to change: ``xp.exp`` is NumPy's
``exp`` for a CPU array and CuPy's for a GPU array.

Example:
    >>> import numpy as np
    >>> get_array_module(np.zeros(3)) is np
    True
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy

#: Array types a tensor may hold. Stage 06 appends ``cupy.ndarray``.
ARRAY_TYPES: tuple[type, ...] = (numpy.ndarray,)


def get_array_module(*arrays: Any) -> ModuleType:
    """The array module (NumPy, later CuPy) that owns ``arrays``.

    Args:
        *arrays: arrays, Python numbers or None; none given means the default (CPU) module.

    Returns:
        The module whose functions accept ``array``.
    """
    return numpy


def default_array_module() -> ModuleType:
    """The array module used to create new CPU tensors."""
    return numpy


def quiet(array: Any = None) -> Any:
    """A context in which the array module does not warn about inf/nan results.

    PyTorch computes ``log(0) = -inf`` or ``0 / 0 = nan`` silently; NumPy warns. Entering
    it costs about a microsecond, so hot ops (``+``, ``*``) do without it.
    """
    return get_array_module(array).errstate(divide="ignore", invalid="ignore", over="ignore")


def as_array(value: Any, xp: ModuleType | None = None) -> Any:
    """``value`` as an array of ``xp`` (NumPy scalars become 0-d arrays, no copy otherwise)."""
    if isinstance(value, ARRAY_TYPES):
        return value
    return (xp or numpy).asarray(value)

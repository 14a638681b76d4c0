# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: promote_types, _combine, result_type
"""PyTorch's type promotion: which dtype ``a + b`` has.

Two rules decide it.

1. **Categories** ``bool < integer < floating``: the result is in the highest category of
   the operands. Within a category the wider type wins (``promote_types``).
2. **Priority** ``dimensioned tensor > zero-dim tensor > Python scalar``: an operand of lower
   priority only changes the dtype when it brings a *higher category*. A Python ``float``
   brings the default dtype (``float32``), a Python ``int`` brings ``int64``.

So ``int32 tensor + 5`` is ``int32``, ``int64 tensor + 2.5`` is ``float32``, ``float32
tensor + float64 zero-dim tensor`` is ``float32``, but ``int64 tensor + float64 zero-dim
tensor`` is ``float64``.

Example:
    >>> import ember
    >>> ember.promote_types(ember.int32, ember.float16)
    ember.float16
"""

from __future__ import annotations

import builtins
from typing import Any

from ember._dtype import ALL_DTYPES, bool, dtype, float64, get_default_dtype, int64

_RANK = {d: rank for rank, d in enumerate(ALL_DTYPES)}
_SCALAR = 0  # a Python number
_ZERO_DIM = 1  # a tensor with dim() == 0
_DIMENSIONED = 2  # a tensor with dim() >= 1


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing category.

    Ember's dtypes are ordered ``bool < uint8 < int32 < int64 < float16 < float32 <
    float64``; for these seven the promoted type is simply the later of the two.

    Args:
        type1: an ember dtype.
        type2: another ember dtype.

    Returns:
        The promoted dtype.

    Example:
        >>> import ember
        >>> ember.promote_types(ember.uint8, ember.int64)
        ember.int64
    """
    # Hint: ALL_DTYPES lists the dtypes in promotion order; _RANK maps a dtype to its place.
    # ---- your code (stage 01): promote_types ----
    raise NotImplementedError("Stage 01: implement promote_types")
    # ---- end of your code (stage 01) ----


def _category(d: dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating point."""
    if d is bool:
        return 0
    return 2 if d.is_floating_point else 1


def _priority_and_dtype(operand: Any) -> tuple[int, dtype]:
    """(priority, dtype) of one operand: a tensor or a Python bool/int/float."""
    if isinstance(operand, builtins.bool):
        return _SCALAR, bool
    if isinstance(operand, builtins.int):
        return _SCALAR, int64
    if isinstance(operand, builtins.float):
        return _SCALAR, get_default_dtype()
    if isinstance(operand, complex):
        raise TypeError("ember does not support complex numbers")
    return (_DIMENSIONED if operand.ndim else _ZERO_DIM), operand.dtype


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Merge the dtype of a higher-priority group with a lower-priority one."""
    # ---- your code (stage 01): _combine ----
    raise NotImplementedError("Stage 01: implement _combine")
    # ---- end of your code (stage 01) ----


def result_type(tensor: Any, other: Any) -> dtype:
    """The dtype of an arithmetic operation on ``tensor`` and ``other``.

    Args:
        tensor: a tensor or Python number.
        other: a tensor or Python number.

    Returns:
        The promoted dtype, following PyTorch's category and priority rules.

    Example:
        >>> import ember
        >>> ember.result_type(ember.tensor([1, 2]), 2.5)
        ember.float32
        >>> ember.result_type(ember.tensor([1., 2.]), ember.tensor(1., dtype=ember.float64))
        ember.float32
    """
    # Hint: promote within each priority group first, then merge the groups from the
    # lowest priority up with _combine.
    # ---- your code (stage 01): result_type ----
    raise NotImplementedError("Stage 01: implement result_type")
    # ---- end of your code (stage 01) ----

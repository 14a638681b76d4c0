"""The ``reduction`` argument of the losses (PyTorch's ``torch.nn._reduction``).

``reduction`` is ``'mean'``, ``'sum'`` or ``'none'``. The older ``size_average`` and
``reduce`` arguments still work: they are translated with a deprecation warning.

Example:
    >>> legacy_get_string(False, None, emit_warning=False)
    'sum'
"""

from __future__ import annotations

import warnings
from typing import Any

from ember._tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def legacy_get_string(size_average: bool | None, reduce: bool | None,
                      emit_warning: bool = True) -> str:
    """The ``reduction`` string equivalent to the deprecated ``size_average``/``reduce``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        result = "mean"
    elif reduce:
        result = "sum"
    else:
        result = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{result}' instead.", UserWarning, stacklevel=3)
    return result


def resolve(size_average: Any, reduce: Any, reduction: str) -> str:
    """The effective reduction; a ValueError in PyTorch's words for an unknown one."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def reduce_losses(loss: Tensor, reduction: str) -> Tensor:
    """Mean, sum, or the elementwise losses themselves."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def warn_size(input: Tensor, target: Tensor) -> None:
    """PyTorch's warning when a target would broadcast against the input."""
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=3)

"""The names PyTorch prints for graph nodes: ``grad_fn=<MulBackward0>``.

PyTorch names a node after the ATen function that made it plus an overload number:
``x.sum()`` gives ``SumBackward0`` but ``x.sum(1)`` gives ``SumBackward1``, and ``x @ w``
gives ``MmBackward0``, ``MvBackward0`` or ``DotBackward0`` depending on the shapes. Our
ops are fewer and more general, so most names follow from the class name
(``Exp`` → ``ExpBackward0``) and a few are chosen from the call's arguments here.
A ``Function`` you write yourself is named like in PyTorch: ``MyFn`` → ``MyFnBackward``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Ops whose PyTorch name differs from ``<ClassName>Backward0`` whatever the arguments.
_FIXED = {
    "Cast": "ToCopyBackward0", "Contiguous": "CloneBackward0", "Reshape": "ViewBackward0",
    "Clamp": "ClampBackward1", "Slice": "SplitBackward0", "Var": "VarBackward0",
    "CopySlices": "CopySlices", "Fill": "FillBackward2", "Copy": "CopyBackwards",
    "SqueezeDim": "SqueezeBackward1", "FloorDivide": "NotImplemented",
    # cross_entropy fuses log_softmax and nll_loss; torch names the node after the last.
    "CrossEntropy": "NllLossBackward0",
}


def node_name(fn: type) -> str:
    """The node name of a call of ``fn`` whose name does not depend on the arguments."""
    name = fn.__name__
    if not fn.__module__.startswith("ember."):
        return f"{name}Backward"
    return _FIXED.get(name) or f"{name}Backward0"


def _ndim(value: Any) -> int:
    return value._data.ndim if hasattr(value, "_data") else 0


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "_data")


def _reduction(name: str) -> Callable[[tuple], str]:
    """``SumBackward0`` for a full reduction, ``SumBackward1`` with a ``dim``."""
    def namer(args: tuple) -> str:
        return f"{name}Backward{0 if args[1] is None else 1}"
    return namer


def _matmul(args: tuple) -> str:
    a, b = _ndim(args[0]), _ndim(args[1])
    if a == 2 and b == 2:
        return "MmBackward0"
    if a == 1 and b == 1:
        return "DotBackward0"
    if a == 2 and b == 1:
        return "MvBackward0"
    if a == 1 and b == 2:
        return "SqueezeBackward4"
    return "BmmBackward0" if a == 3 and b == 3 else "UnsafeViewBackward0"


def _pow(args: tuple) -> str:
    if not _is_tensor(args[1]):
        return "PowBackward0"
    return "PowBackward1" if _is_tensor(args[0]) else "PowBackward2"


def _sub(args: tuple) -> str:
    return "SubBackward0" if _is_tensor(args[0]) else "RsubBackward1"


def _getitem(args: tuple) -> str:
    items = args[1] if isinstance(args[1], tuple) else (args[1],)
    kinds = {type(item) for item in items if item is not Ellipsis}
    if kinds - {int, slice, type(None)}:
        return "IndexBackward0"
    if int in kinds:
        return "SelectBackward0"
    if slice in kinds:
        return "SliceBackward0"
    return "UnsqueezeBackward0" if type(None) in kinds else "AliasBackward0"


def _max_min(args: tuple) -> str:
    return "MaxBackward0" if args[3] else "MinBackward0"


def _amax(args: tuple) -> str:
    return "MaxBackward1" if args[1] else "MinBackward1"


#: Ops whose name depends on the arguments of the call (computed when it is recorded).
NAMERS: dict[str, Callable[[tuple], str]] = {
    "Sum": _reduction("Sum"), "Mean": _reduction("Mean"), "Prod": _reduction("Prod"),
    "MatMul": _matmul, "Pow": _pow, "Sub": _sub, "GetItem": _getitem,
    "MaxMin": _max_min, "Amax": _amax,
}

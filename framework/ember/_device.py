"""``ember.device``: where a tensor's memory lives.

Stage 01 only knows the CPU; stage 06 adds ``"cuda"``.

Example:
    >>> device("cpu")
    device(type='cpu')
    >>> str(device("cpu"))
    'cpu'
"""

from __future__ import annotations

from typing import Any

_KNOWN_TYPES = ("cpu", "cuda")


class device:  # noqa: N801 - PyTorch's name
    """A device type and an optional index, e.g. ``device("cuda", 0)`` or ``device("cuda:0")``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments: {type!r}")
        if ":" in type:
            type, _, number = type.partition(":")
            index = int(number)
        if type not in _KNOWN_TYPES:
            raise RuntimeError(
                "Expected one of cpu, cuda device type at start of device string: " + type
            )
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


#: The device every stage-01 tensor lives on.
CPU = device("cpu")


def as_device(value: Any) -> device:
    """``value`` (None, a string or a device) as a device; None means the CPU."""
    if value is None:
        return CPU
    return value if isinstance(value, device) else device(value)

"""``ember.Size``: the shape of a tensor, a tuple that prints like PyTorch's.

Example:
    >>> Size([10, 5])
    ember.Size([10, 5])
    >>> Size([10, 5])[0]
    10
"""

from __future__ import annotations

from typing import Any


class Size(tuple):
    """A tuple of dimension sizes; ``Size((2, 3)) == (2, 3)``.

    Slicing returns a ``Size`` again, like ``torch.Size``.
    """

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds (1 for ``Size([])``)."""
        count = 1
        for size in self:
            count *= size
        return count

    def __add__(self, other: Any) -> Size:
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other: Any) -> Size:
        return Size(tuple(other) + tuple(self))

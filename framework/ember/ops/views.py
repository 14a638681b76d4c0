"""The view-aware wrappers of indexing and splitting.

A view shares its base's memory, so it must also share its **version counter**: after
``base[0].add_(1)`` a value of ``base`` saved for backward is stale, and backward must
notice (stage 03). Single ops declare it themselves (``ArrayFunction.is_view``); the
functions below mark the results of basic indexing and of ``split``/``chunk``, which are
views or not depending on the arguments, with ``share_storage``.

Example:
    >>> import ember
    >>> base = ember.zeros(3)
    >>> row = base[1:]
    >>> row.add_(1)
    tensor([1., 1.])
    >>> base._version
    1
"""

from __future__ import annotations

from typing import Any

from ember._tensor import Tensor
from ember.autograd.graph import share_storage
from ember.ops import indexing, join
from ember.ops._dispatch import shares_memory


def _share_if_view(base: Tensor, out: Tensor) -> Tensor:
    if shares_memory(out._data, base._data):
        share_storage(base, out)
    return out


def getitem(self: Tensor, index: Any) -> Tensor:
    """``self[index]``: basic indexing gives a view sharing the version counter."""
    return _share_if_view(self, indexing.getitem(self, index))


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """``ember.split``: the pieces are views of ``tensor``."""
    return tuple(_share_if_view(tensor, piece)
                 for piece in join.split(tensor, split_size_or_sections, dim))


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``ember.chunk``: the pieces are views of ``input``."""
    return tuple(_share_if_view(input, piece) for piece in join.chunk(input, chunks, dim))


__all__ = ["chunk", "getitem", "split"]

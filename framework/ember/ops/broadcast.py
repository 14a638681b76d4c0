# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: _broadcast_pair
"""Broadcasting: the rule that lets ``(5, 1, 3) + (4, 3)`` work and gives shape ``(5, 4, 3)``.

Line the shapes up **from the right**. Two sizes in the same column are compatible when
they are equal or one of them is 1 (a missing leading dimension counts as 1); the result
takes the larger. Size-1 dimensions are stretched without copying (stride 0).

::

    a:      5  1  3
    b:         4  3
    result: 5  4  3

Example:
    >>> broadcast_shapes((5, 1, 3), (4, 3))
    ember.Size([5, 4, 3])
"""

from __future__ import annotations

from typing import Any

from ember._size import Size
from ember._tensor import Tensor


def _broadcast_pair(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape of ``a`` and ``b``, or PyTorch's RuntimeError.

    Raises:
        RuntimeError: "The size of tensor a (3) must match the size of tensor b (4) at
            non-singleton dimension 1" (the dimension counted in the result).
    """
    # Hint: pad the shorter shape with leading 1s, then compare column by column.
    # ---- your code (stage 01): _broadcast_pair ----
    raise NotImplementedError("Stage 01: implement _broadcast_pair")
    # ---- end of your code (stage 01) ----


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of ``shapes`` broadcast to.

    Args:
        *shapes: shapes (tuples, lists, ``Size``) or single ints.

    Returns:
        The broadcast shape.

    Raises:
        RuntimeError: when two sizes in one column differ and neither is 1.

    Example:
        >>> broadcast_shapes((2, 1), (3,))
        ember.Size([2, 3])
    """
    result: tuple[int, ...] = ()
    for shape in shapes:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        result = _broadcast_pair(result, shape)
    return Size(result)


def broadcast_error(error: Exception, *operands: Any) -> Exception:
    """PyTorch's error for operands whose shapes do not broadcast, else ``error`` itself.

    The array module reports the mismatch in its own words (NumPy: "operands could not be
    broadcast together"); ops call this to re-raise it in PyTorch's.
    """
    shapes = [getattr(o, "shape", ()) for o in operands]
    try:
        broadcast_shapes(*shapes)
    except RuntimeError as torch_error:
        return torch_error
    return error


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Views of ``tensors`` expanded to their common broadcast shape."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    """A view of ``input`` expanded to ``size`` (same as ``input.expand(size)``)."""
    return input.expand(size)

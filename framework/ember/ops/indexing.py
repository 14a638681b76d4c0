# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: convert_index, setitem
#   stage 02: GetItem.backward
"""Indexing: ``t[...]`` for reading and ``t[...] = value`` for writing.

**Basic** indices (ints, slices, ``None``, ``...``) select a regular sub-grid, so the
result is a *view* sharing memory. **Advanced** indices (bool masks, integer index
tensors or lists) pick arbitrary elements, so the result is a *copy*; on the left of
``=`` they write into the original (``t[t < 0] = 0``).

Example:
    >>> import ember
    >>> t = ember.arange(6).view(2, 3)
    >>> t[:, 1], t[t > 3]
    (tensor([1, 4]), tensor([4, 5]))
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ember._backend import get_array_module
from ember._dtype import SCALAR_TYPE_NAMES
from ember._tensor import Tensor
from ember.autograd.function import NO_GRAD_CTX, ArrayFunction, Context
from ember.ops._dispatch import tracks_grad


def convert_index(index: Any) -> Any:
    """``index`` with every tensor replaced by its array, ready for the array module.

    Raises:
        IndexError: for floating point index tensors, in PyTorch's words.
    """
    # Hint: an index may be one item or a tuple of items; only Tensor items need converting.
    # ---- your code (stage 01): convert_index ----
    raise NotImplementedError("Stage 01: implement convert_index")
    # ---- end of your code (stage 01) ----


def _as_view_key(key: Any) -> Any:
    """``key`` plus a trailing ``...`` so that integer indexing returns a 0-d *array*.

    NumPy turns ``a[0]`` of a 1-D array into a scalar (a copy); ``a[0, ...]`` is a 0-d
    view, which is what PyTorch returns.
    """
    if isinstance(key, tuple):
        return key if any(k is Ellipsis for k in key) else (*key, Ellipsis)
    return key if key is Ellipsis else (key, Ellipsis)


def _torch_index_error(error: IndexError, ndim: int) -> IndexError:
    """NumPy's IndexError message rephrased the way PyTorch says it."""
    message = str(error)
    if message.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {ndim}")
    return IndexError(message.replace(" axis ", " dimension "))


def check_index(index: Any, shape: tuple[int, ...]) -> None:
    """PyTorch's errors for keys NumPy would accept or word differently.

    Raises:
        ValueError: "step must be greater than zero" for reversed slices (``t[::-1]``).
        IndexError: a bool mask whose shape differs from the dimensions it covers.
    """
    items = index if isinstance(index, tuple) else (index,)
    consumed = sum(_dims_consumed(item) for item in items if item is not Ellipsis)
    dim = 0
    for item in items:
        if isinstance(item, slice) and item.step is not None and item.step <= 0:
            raise ValueError("step must be greater than zero")
        if item is Ellipsis:
            dim += len(shape) - consumed
            continue
        if isinstance(item, Tensor) and item._data.dtype.kind == "b":
            _check_mask(item._data.shape, shape, dim)
        dim += _dims_consumed(item)


def _dims_consumed(item: Any) -> int:
    """How many dimensions of the indexed tensor one index item covers."""
    if item is None:
        return 0
    if isinstance(item, Tensor) and item._data.dtype.kind == "b":
        return item._data.ndim
    return 1


def _check_mask(mask: tuple[int, ...], shape: tuple[int, ...], start: int) -> None:
    for i, size in enumerate(mask):
        if start + i < len(shape) and shape[start + i] != size:
            raise IndexError(f"The shape of the mask {list(mask)} at index {i} does not match "
                             f"the shape of the indexed tensor {list(shape)} at index "
                             f"{start + i}")


class GetItem(ArrayFunction):
    """``a[key]``: a view for basic keys, a copy for advanced ones.

    Each output element is one input element, so the gradient is zero except at the
    selected positions, which receive the upstream gradient. An index tensor may select
    one element several times (``t[[0, 0]]``): those gradients must **add up**, which
    ``result[key] += grad`` does not do (repeated positions are written, not summed);
    ``xp.add.at`` (an unbuffered add) does.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, key: Any) -> Any:
        ctx.indexed = (a.shape, key)  # for backward (stage 02)
        return a[key]

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        shape, key = ctx.indexed
        xp = get_array_module(grad)
        result = xp.zeros(shape, dtype=grad.dtype)
        # ---- your code (stage 02): GetItem.backward ----
        raise NotImplementedError("Stage 02: implement GetItem.backward")
        # ---- end of your code (stage 02) ----

    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        """``backward`` as a recorded op of its own (``create_graph=True``)."""
        return IndexBackward.apply(grad, ctx.indexed), None


class IndexBackward(ArrayFunction):
    """``GetItem``'s backward (scatter the gradient into zeros) as an op, for double backward.

    Scattering is linear in the gradient, so its own backward is the transpose: read the
    incoming gradient back at ``key``, which is ``GetItem``'s forward. The forward reuses
    ``GetItem.backward`` as it is; only the shape and key it reads from ``ctx`` are needed.
    """

    @staticmethod
    def forward(ctx: Context, grad: Any, indexed: tuple) -> Any:
        ctx.indexed = indexed  # for backward (the key)
        return GetItem.backward(SimpleNamespace(indexed=indexed), grad)[0]

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        _, key = ctx.indexed
        return grad[key], None

    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        _, key = ctx.indexed
        return GetItem.apply(grad, key), None


def _is_basic(key: Any) -> bool:
    """True when ``key`` holds only ints, slices, None and ``...`` (a view, no repeats)."""
    items = key if isinstance(key, tuple) else (key,)
    return all(item is None or item is Ellipsis or isinstance(item, (int, slice))
               for item in items)


def getitem(self: Tensor, index: Any) -> Tensor:
    """``self[index]`` (views for ints/slices/None/..., copies for masks and index tensors)."""
    if not isinstance(index, int):
        check_index(index, self._data.shape)
    key = _as_view_key(convert_index(index))
    try:
        if tracks_grad(self):
            return GetItem.apply(self, key)
        return Tensor._make(GetItem.forward(NO_GRAD_CTX, self._data, key))
    except IndexError as error:
        raise _torch_index_error(error, self._data.ndim) from None


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """``self[index] = value``: write ``value`` (broadcast, cast to ``self.dtype``) in place."""
    if not isinstance(index, int):
        check_index(index, self._data.shape)
    key = convert_index(index)
    if isinstance(value, Tensor) and value._data.ndim and _is_advanced(index) \
            and value._data.dtype != self._data.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{_type_name(self)} for the destination and {_type_name(value)} "
                           "for the source.")
    # ---- your code (stage 01): setitem ----
    # It must define array: the code after it reads it.
    raise NotImplementedError("Stage 01: implement setitem")
    # ---- end of your code (stage 01) ----
    try:
        self._data[key] = array
    except IndexError as error:
        raise _torch_index_error(error, self._data.ndim) from None
    except ValueError as error:
        if "could not broadcast" not in str(error):
            raise
        target = self._data[key].shape
        shape = getattr(value, "shape", ())
        raise RuntimeError(_expand_message(shape, target)) from None


def _is_advanced(index: Any) -> bool:
    """True when ``index`` holds an index tensor, list or array (advanced indexing)."""
    items = index if isinstance(index, tuple) else (index,)
    return any(not isinstance(i, (int, slice)) and i is not None and i is not Ellipsis
               for i in items)


def _type_name(t: Tensor) -> str:
    return SCALAR_TYPE_NAMES[t.dtype]


def _expand_message(shape: tuple[int, ...], target: tuple[int, ...]) -> str:
    """PyTorch's error for a value that does not broadcast to the indexed shape."""
    padded = (1,) * (len(target) - len(shape)) + tuple(shape)
    for dim, (old, new) in enumerate(zip(padded, target, strict=True)):
        if old not in (1, new):
            return (f"The expanded size of the tensor ({new}) must match the existing size "
                    f"({old}) at non-singleton dimension {dim}.  Target sizes: "
                    f"{list(target)}.  Tensor sizes: {list(shape)}")
    return f"shape mismatch: value of shape {list(shape)} cannot be broadcast to {list(target)}"

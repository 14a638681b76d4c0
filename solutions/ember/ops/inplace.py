"""In-place ops: ``add_ sub_ mul_ div_ zero_ fill_ clamp_ copy_``, ``+= -= *= /=``, ``t[i] = v``.

An in-place op writes its result into the tensor's own memory and returns the tensor
itself (``t.add_(1) is t``). Two things make that delicate for autograd (stage 03):

* **saved values go stale.** ``y = x * w`` saves ``w`` for backward; ``w.add_(1)``
  afterwards would silently corrupt ``x``'s gradient. Each tensor therefore carries a
  version counter (shared by all views of its memory) that every in-place op bumps;
  backward compares it with the version noted when the value was saved, and raises.
* **the graph must follow the change.** After ``y.mul_(2)`` the tensor ``y`` holds
  ``2 * y_old``: its ``grad_fn`` becomes the node of that multiplication (we "rebase" the
  graph). A leaf that requires grad has no node to rebase and may not be modified while
  recording (``with ember.no_grad():`` is how optimizers update parameters).

Writing into a *view* changes its base too: the base's node becomes ``CopySlices``
(base with the view's elements replaced), and the view reads from that new base.

Example:
    >>> import ember
    >>> x = ember.tensor([1., 2.], requires_grad=True)
    >>> y = x * 1
    >>> y.mul_(3)
    tensor([3., 6.], grad_fn=<MulBackward0>)
    >>> y._version
    1
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember._backend import get_array_module
from ember._dtype import SCALAR_TYPE_NAMES, from_numpy_dtype
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.autograd.grad_mode import GRAD_STATE as _grad_state
from ember.autograd.graph import accumulator, version_counter
from ember.ops import division, elementwise, indexing, unary

_new = object.__new__

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_MESSAGE = ("a view of a leaf Variable that requires grad is being used in an "
                        "in-place operation.")
OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor "
                   "refers to a single memory location. Please clone() the tensor before "
                   "performing the operation.")


# --------------------------------------------------------------------------- checks
def check_inplace(tensor: Tensor) -> None:
    """Refuse to modify (a view of) a leaf that requires grad while recording.

    A leaf's ``.grad`` is defined with respect to its *current* value; overwriting it
    leaves nothing to differentiate. Inside ``no_grad()`` the change is not recorded,
    so it is allowed (that is how ``optimizer.step()`` updates parameters).

    Also refuse, in any grad mode, to write through a view whose elements share memory
    (``expand`` gives stride 0 to a stretched dimension): one write would land in many
    places. PyTorch lets ``fill_``, ``zero_`` and one-element writes through, since every
    position gets the same value; ember refuses those too (its expanded views are
    read-only NumPy arrays).

    Raises:
        RuntimeError: PyTorch's "a leaf Variable that requires grad is being used in an
            in-place operation." (or its "a view of a leaf Variable" form), or its
            "unsupported operation: more than one element ... refers to a single memory
            location".
    """
    array = tensor._data
    strides = array.strides
    if 0 in strides and array.size > 1 and any(
            s == 0 and n > 1 for s, n in zip(strides, array.shape, strict=True)):
        raise RuntimeError(OVERLAP_MESSAGE)
    if not _grad_state.enabled:
        return
    base = getattr(tensor, "_base", None)
    if tensor._requires_grad and tensor.grad_fn is None:
        ### BEGIN SOLUTION 03
        raise RuntimeError(LEAF_MESSAGE)
        ### END SOLUTION
    if base is not None and base._requires_grad and base.grad_fn is None:
        ### BEGIN SOLUTION 03
        raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
        ### END SOLUTION


def bump_version(tensor: Tensor) -> None:
    """Count one more in-place change of ``tensor``'s memory (seen by all its views)."""
    version_counter(tensor)[0] += 1


def _check_result(tensor: Tensor, result: Tensor) -> None:
    """PyTorch's errors when the result cannot be written into ``tensor``."""
    if result._data.shape != tensor._data.shape:
        raise RuntimeError(f"output with shape {list(tensor._data.shape)} doesn't match the "
                           f"broadcast shape {list(result._data.shape)}")
    kinds = "biuf"  # bool < integers < floating point: a cast may not go down this list
    have, want = result._data.dtype, tensor._data.dtype
    if kinds.index(have.kind) > kinds.index(want.kind) and not (
            have.kind in "iu" and want.kind in "iu"):
        raise RuntimeError(
            f"result type {SCALAR_TYPE_NAMES[from_numpy_dtype(have)]} can't be cast to the "
            f"desired output type {SCALAR_TYPE_NAMES[from_numpy_dtype(want)]}")


# --------------------------------------------------------------------------- graph pieces
def _snapshot(tensor: Tensor, copy: bool = True) -> Tensor:
    """A tensor at ``tensor``'s place in the graph holding (a copy of) its current values.

    The op that is about to overwrite ``tensor`` runs on the snapshot, so whatever it saves
    for backward keeps the *old* values.
    """
    old = _new(Tensor)
    old._data = tensor._data.copy() if copy else tensor._data
    old.grad = None
    old._requires_grad = tensor._requires_grad
    old.grad_fn = tensor.grad_fn
    old._output_nr = tensor._output_nr if tensor.grad_fn is not None else 0
    if tensor._requires_grad and tensor.grad_fn is None:
        old._accumulator = accumulator(tensor)  # gradients still reach tensor.grad
    return old


def _rebase(tensor: Tensor, result: Tensor) -> None:
    """Make ``tensor`` the output of ``result``'s node (its history now ends there)."""
    tensor.grad_fn = result.grad_fn
    tensor._output_nr = getattr(result, "_output_nr", 0)
    tensor._requires_grad = result._requires_grad


def positions_in_base(view: Any, base: Any) -> Any:
    """For every element of the array ``view``, its flat (row-major) index in ``base``.

    Both arrays look into the same memory; an element is found by its byte offset.
    """
    xp = get_array_module(base)

    def offsets(array: Any) -> Any:
        start = array.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        result = xp.full(array.shape, start, dtype=xp.int64)
        for axis, (size, stride) in enumerate(zip(array.shape, array.strides, strict=True)):
            shape = [1] * array.ndim
            shape[axis] = size
            result = result + xp.arange(size, dtype=xp.int64).reshape(shape) * stride
        return result

    flat = offsets(base).reshape(-1)
    order = xp.argsort(flat, kind="stable")
    return order[xp.searchsorted(flat[order], offsets(view))]


class CopySlices(ArrayFunction):
    """``base`` with the elements at flat ``positions`` replaced by ``values``.

    ∂/∂base = the upstream gradient with those positions zeroed (they were overwritten);
    ∂/∂values = the upstream gradient at those positions.
    """

    @staticmethod
    def forward(ctx: Context, base: Any, positions: Any, values: Any) -> Any:
        ctx.positions = positions  # for backward (stage 02)
        out = base.copy()
        out.reshape(-1)[positions] = values
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, Any]:
        positions = ctx.positions
        grad_base = grad.copy()
        grad_base.reshape(-1)[positions] = 0
        return grad_base, None, grad.reshape(-1)[positions]


class AsStrided(ArrayFunction):
    """The elements of ``base`` at flat ``positions`` (how a view reads its new base)."""

    @staticmethod
    def forward(ctx: Context, base: Any, positions: Any) -> Any:
        ctx.base_shape = base.shape  # for backward (stage 02)
        ctx.positions = positions  # for backward (stage 02)
        return base.reshape(-1)[positions]

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        xp = get_array_module(grad)
        result = xp.zeros(ctx.base_shape, dtype=grad.dtype)
        xp.add.at(result.reshape(-1), ctx.positions, grad)
        return result, None


class Fill(ArrayFunction):
    """Every element set to the number ``value``; the old values get a zero gradient."""

    @staticmethod
    def forward(ctx: Context, a: Any, value: Any) -> Any:
        return get_array_module(a).full_like(a, value)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        return get_array_module(grad).zeros_like(grad), None


class Zero(Fill):
    """``zero_()``: every element set to 0."""


class Copy(ArrayFunction):
    """``copy_(src)``: ``src`` broadcast to ``a``'s shape and cast to its dtype.

    ∂/∂a = 0 (overwritten); ∂/∂src = the upstream gradient (summed over broadcasting).
    """

    @staticmethod
    def forward(ctx: Context, a: Any, src: Any) -> Any:
        xp = get_array_module(a)
        return xp.broadcast_to(src, a.shape).astype(a.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        return get_array_module(grad).zeros_like(grad), grad


# --------------------------------------------------------------------------- the driver
def apply_inplace(tensor: Tensor, compute: Callable[[Tensor, Any], Tensor], other: Any = None,
                  check_dtype: bool = True) -> Tensor:
    """Write ``compute(tensor, other)`` into ``tensor``'s memory, update the graph, bump
    the version.

    Args:
        tensor: the tensor to modify.
        compute: the out-of-place op, e.g. ``lambda t, o: t * o``.
        other: its second operand (``tensor`` itself in ``y *= y``).
        check_dtype: refuse results of a "higher" dtype (``int_tensor.add_(0.5)``).

    Returns:
        ``tensor``.
    """
    check_inplace(tensor)
    base = getattr(tensor, "_base", None)
    recording = _grad_state.enabled
    positions = None
    if not recording:
        old = tensor
    elif base is not None and (base._requires_grad or tensor._requires_grad):
        # The old values of a view, read through its base's graph node.
        positions = positions_in_base(tensor._data, base._data)
        old = AsStrided.apply(_snapshot(base), positions)
    else:
        # On a snapshot: what the op saves for backward must keep the old values.
        old = _snapshot(tensor)
    result = compute(old, old if other is tensor else other)
    if check_dtype:
        _check_result(tensor, result)
    tensor._data[...] = result._data
    if recording and result._requires_grad:
        if base is None:
            _rebase(tensor, result)
        else:
            _rebase_view(tensor, base, result, positions)
    bump_version(tensor)
    return tensor


def _rebase_view(view: Tensor, base: Tensor, result: Tensor, positions: Any) -> None:
    """The base becomes ``CopySlices(old base, result)``; the view reads the new base."""
    if positions is None:
        positions = positions_in_base(view._data, base._data)
    new_base = CopySlices.apply(_snapshot(base, copy=False), positions, result)
    _rebase(base, new_base)
    _rebase(view, AsStrided.apply(base, positions))


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """``self[index] = value``: an in-place write, recorded when gradients are involved."""
    check_inplace(self)
    value_grad = isinstance(value, Tensor) and value._requires_grad
    if not (_grad_state.enabled and (value_grad or self._requires_grad)):
        indexing.setitem(self, index, value)
        bump_version(self)
        return
    base = getattr(self, "_base", None)
    root = self if base is None else base
    xp = get_array_module(root._data)
    if base is None:
        mine = xp.arange(self._data.size).reshape(self._data.shape)
    else:
        mine = positions_in_base(self._data, base._data)
    positions = mine[indexing.convert_index(index)]
    old_root = _snapshot(root, copy=False)
    indexing.setitem(self, index, value.detach() if value_grad else value)
    if value_grad and value.dtype is not root.dtype:
        value = value.to(root.dtype)
    new_root = CopySlices.apply(old_root, positions, value)
    _rebase(root, new_root)
    if base is not None:
        _rebase(self, AsStrided.apply(root, mine))
    bump_version(self)


# --------------------------------------------------------------------------- the methods
def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``self += alpha * other`` in place."""
    return apply_inplace(self, lambda t, o: elementwise.add(t, o, alpha=alpha), other)


def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``self -= alpha * other`` in place."""
    return apply_inplace(self, lambda t, o: elementwise.sub(t, o, alpha=alpha), other)


def mul_(self: Tensor, other: Any) -> Tensor:
    """``self *= other`` in place."""
    return apply_inplace(self, elementwise.mul, other)


def div_(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``self /= other`` in place (true division of an integer tensor is refused)."""
    return apply_inplace(
        self, lambda t, o: division.div(t, o, rounding_mode=rounding_mode), other)


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit every element to ``[min, max]`` in place."""
    return apply_inplace(self, lambda t, _: unary.clamp(t, min, max))


def fill_(self: Tensor, value: Any) -> Tensor:
    """Set every element to ``value`` (a number or a one-element tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        return copy_(self, value)
    return apply_inplace(self, lambda t, _: Fill.apply(t, value), check_dtype=False)


def zero_(self: Tensor) -> Tensor:
    """Set every element to zero."""
    return apply_inplace(self, lambda t, _: Zero.apply(t, 0), check_dtype=False)


def copy_(self: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast to ``self.dtype``) into ``self``."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    try:
        get_array_module(src._data).broadcast_shapes(src._data.shape, self._data.shape)
    except ValueError:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(src._data.shape)}") from None
    return apply_inplace(self, Copy.apply, src, check_dtype=False)


INPLACE_METHODS = {
    "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_, "clamp_": clamp_, "clip_": clamp_,
    "fill_": fill_, "zero_": zero_, "copy_": copy_, "subtract_": sub_, "multiply_": mul_,
    "divide_": div_, "__iadd__": add_, "__isub__": sub_, "__imul__": mul_,
    "__itruediv__": div_, "__setitem__": setitem,
}

__all__ = ["INPLACE_METHODS", "add_", "apply_inplace", "check_inplace", "clamp_", "copy_",
           "div_", "fill_", "mul_", "setitem", "sub_", "zero_"]

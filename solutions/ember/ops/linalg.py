"""Matrix products: ``@``/``matmul``, ``mm``, ``bmm``, ``dot``.

``matmul`` chooses by the number of dimensions, like PyTorch:

=========  =========  ====================================================
``a``      ``b``      result
=========  =========  ====================================================
1-D (n)    1-D (n)    dot product, a 0-dim tensor
2-D        2-D        matrix product ``(n, k) @ (k, m) → (n, m)``
1-D (k)    2-D        ``a`` as a row ``(1, k)``, then the 1 is removed: ``(m,)``
2-D        1-D (k)    ``b`` as a column ``(k, 1)``, then the 1 is removed: ``(n,)``
≥3-D       any ≥1-D   batched: leading (batch) dimensions broadcast
=========  =========  ====================================================

Both operands must have the same dtype (no promotion, as in PyTorch).

Example:
    >>> import ember
    >>> (ember.ones(2, 3) @ ember.ones(3)).shape
    ember.Size([2])
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._dtype import SCALAR_TYPE_NAMES, unsupported_dtype
from ember._dtype import bool as bool_
from ember._tensor import Tensor
from ember.autograd.function import NO_GRAD_CTX, ArrayFunction, Context
from ember.autograd.grad_mode import GRAD_STATE as _grad_state
from ember.ops._dispatch import dtype_of, require_tensor
from ember.ops.broadcast import broadcast_shapes


class MatMul(ArrayFunction):
    """``a @ b`` with PyTorch's 1-D rules; d/da = g @ bᵀ, d/db = aᵀ @ g.

    For ``c = a @ b``, ``c[i, j] = Σₖ a[i, k] b[k, j]``: ``a[i, k]`` meets every ``b[k, j]``
    of row k, so d/da[i, k] = Σⱼ g[i, j] b[k, j] = (g @ bᵀ)[i, k]; likewise for b. The
    shapes check the formula: g is (n, m), bᵀ is (m, k), and (n, k) is the shape of a.

    1-D operands are made 2-D in the backward exactly as in the forward (a row ``(1, k)``
    on the left, a column ``(k, 1)`` on the right), and the added dimension is removed
    from the gradient. Broadcast batch dimensions are summed by the engine.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)  # for backward (stage 02)
        # Hint: make 1-D operands 2-D (a[None, :], b[:, None]), multiply, then drop that dim.
        ### BEGIN SOLUTION 01
        if a.ndim == 2 and b.ndim == 2:
            return a @ b  # the common case first: no reshaping needed
        xp = get_array_module(a, b)
        if a.ndim == 1 and b.ndim == 1:
            return xp.dot(a, b)
        rows = a[None, :] if a.ndim == 1 else a  # 1-D on the left: a row vector
        cols = b[:, None] if b.ndim == 1 else b  # 1-D on the right: a column vector
        out = xp.matmul(rows, cols)
        if a.ndim == 1:
            out = out[..., 0, :]  # remove the prepended dimension
        if b.ndim == 1:
            out = out[..., 0]  # remove the appended dimension
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        xp = get_array_module(grad)
        grad_a = grad_b = None
        ### BEGIN SOLUTION 02
        if a.ndim == 1 and b.ndim == 1:  # the dot product Σ aᵢ bᵢ; grad is 0-dim
            return (grad * b if needs_a else None), (grad * a if needs_b else None)
        rows = a[None, :] if a.ndim == 1 else a
        cols = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            grad = xp.expand_dims(grad, -2)  # the row dimension the forward removed
        if b.ndim == 1:
            grad = xp.expand_dims(grad, -1)  # the column dimension the forward removed
        if needs_a:
            grad_a = xp.matmul(grad, xp.swapaxes(cols, -1, -2))
            grad_a = grad_a[..., 0, :] if a.ndim == 1 else grad_a
        if needs_b:
            grad_b = xp.matmul(xp.swapaxes(rows, -1, -2), grad)
            grad_b = grad_b[..., 0] if b.ndim == 1 else grad_b
        ### END SOLUTION
        return grad_a, grad_b

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Any, Any]:
        """``backward`` in tensor ops (``create_graph=True``); the engine sums batch dims."""
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad[:2]
        if a.dim() == 1 and b.dim() == 1:
            return (grad * b if needs_a else None), (grad * a if needs_b else None)
        rows = a.unsqueeze(0) if a.dim() == 1 else a
        cols = b.unsqueeze(1) if b.dim() == 1 else b
        grad = grad.unsqueeze(-2) if a.dim() == 1 else grad
        grad = grad.unsqueeze(-1) if b.dim() == 1 else grad
        grad_a = grad_b = None
        if needs_a:
            grad_a = grad @ cols.transpose(-1, -2)
            grad_a = grad_a.squeeze(-2) if a.dim() == 1 else grad_a
        if needs_b:
            grad_b = rows.transpose(-1, -2) @ grad
            grad_b = grad_b.squeeze(-1) if b.dim() == 1 else grad_b
        return grad_a, grad_b
    ### END REFERENCE ONLY


def _run(input: Tensor, other: Tensor) -> Tensor:
    """Run ``MatMul`` on two checked tensors (fast path without a graph, like ``binary``)."""
    if (input._requires_grad or other._requires_grad) and _grad_state.enabled:
        return MatMul.apply(input, other)
    return Tensor._make(MatMul.forward(NO_GRAD_CTX, input._data, other._data))


def _check_not_bool(a: Tensor, op: str) -> None:
    """PyTorch has no boolean matrix products (``b`` has ``a``'s dtype: checked before)."""
    if a._data.dtype.kind == "b":
        raise unsupported_dtype(op, bool_, "integer or floating-point tensors (try .int())")


def _check_same_dtype(a: Tensor, b: Tensor) -> None:
    if a._data.dtype is not b._data.dtype and a._data.dtype != b._data.dtype:
        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                           f"{_name(a).lower()} != {_name(b).lower()}")


def _name(t: Tensor) -> str:
    return SCALAR_TYPE_NAMES[dtype_of(t._data)]


def _shape_str(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape)


def check_matmul_shapes(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """Raise PyTorch's RuntimeError when shapes ``a`` and ``b`` cannot be matrix-multiplied.

    Raises:
        RuntimeError: e.g. "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
            "size mismatch, got input (2), mat (2x3), vec (4)", or a batch dimension
            mismatch in broadcasting's words.
    """
    # Hint: k of a is a[-1]; k of b is b[0] for 1-D, else b[-2]; batch dims broadcast.
    ### BEGIN SOLUTION 01
    if not a or not b:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{len(a)}D and {len(b)}D")
    k_a = a[-1]
    k_b = b[0] if len(b) == 1 else b[-2]
    if k_a == k_b:
        if len(a) > 2 or len(b) > 2:
            broadcast_shapes(a[:-2], b[:-2])  # the batch dimensions must broadcast
        return
    if len(a) == 1 and len(b) == 1:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src "
                           f"[{k_b}] to have the same number of elements, but got {k_a} "
                           f"and {k_b} elements respectively")
    if len(b) == 1 and len(a) == 2:
        raise RuntimeError(f"size mismatch, got input ({a[0]}), mat ({_shape_str(a)}), "
                           f"vec ({k_b})")
    if len(b) <= 2:
        rows = 1
        for size in a[:-1]:
            rows *= size  # PyTorch folds a's batch dimensions into rows
        b2 = b if len(b) == 2 else (b[0], 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and "
                           f"{_shape_str(b2)})")
    batch = 1
    for size in broadcast_shapes(a[:-2], b[:-2]):
        batch *= size
    raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                       f"[{batch}, {k_a}] but got: [{batch}, {k_b}].")
    ### END SOLUTION


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product with PyTorch's 1-D, 2-D and batched rules (see the module doc).

    Example:
        >>> import ember
        >>> ember.matmul(ember.ones(3), ember.ones(3, 4)).shape
        ember.Size([4])
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        require_tensor(input, "matmul")
        require_tensor(other, "matmul", "other")
    a, b = input._data, other._data
    # Two matrices that fit need no further checks: skip them on this (hot) path.
    if not (a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]):
        check_matmul_shapes(a.shape, b.shape)
    if a.dtype is not b.dtype:
        _check_same_dtype(input, other)
    if a.dtype.kind == "b":
        _check_not_bool(input, "matmul")
    if (input._requires_grad or other._requires_grad) and _grad_state.enabled:
        return MatMul.apply(input, other)
    return Tensor._make(MatMul.forward(NO_GRAD_CTX, a, b))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices: ``(n, k) @ (k, m) → (n, m)``; no broadcasting."""
    ### BEGIN SOLUTION 01
    a, b = input._data.shape, mat2._data.shape
    if len(a) != 2:
        raise RuntimeError("self must be a matrix")
    if len(b) != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a[1] != b[0]:
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied "
                           f"({_shape_str(a)} and {_shape_str(b)})")
    ### END SOLUTION
    if input._data.dtype is not mat2._data.dtype:
        _check_same_dtype(input, mat2)
    _check_not_bool(input, "mm")
    return _run(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product ``(B, n, k) @ (B, k, m) → (B, n, m)``; no broadcasting."""
    ### BEGIN SOLUTION 01
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    batch, _, k = input.shape
    if mat2.shape[:2] != (batch, k):
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {k}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    ### END SOLUTION
    _check_same_dtype(input, mat2)
    _check_not_bool(input, "bmm")
    return _run(input, mat2)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The dot product ``Σ aᵢ bᵢ`` of two 1-D tensors, as a 0-dim tensor."""
    ### BEGIN SOLUTION 01
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D "
                           "tensors")
    check_matmul_shapes(input.shape, tensor.shape)
    ### END SOLUTION
    if input._data.dtype != tensor._data.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{_name(input)} and {_name(tensor)}")
    _check_not_bool(input, "dot")
    return _run(input, tensor)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix times vector: ``(n, k) @ (k,) → (n,)``."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError("vector + matrix @ vector expected, got "
                           f"{input.ndim}, {input.ndim}, {vec.ndim}")
    return matmul(input, vec)

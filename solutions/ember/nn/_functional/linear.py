"""``F.linear``: the affine map ``y = x Wᵀ + b`` of ``nn.Linear``, fused into one op.

PyTorch stores the weight as (out_features, in_features), one *row* per output unit, so
the forward pass multiplies by the transpose. One fused op (PyTorch's ``addmm``) instead
of three recorded nodes (transpose, matmul, add) keeps the training step of a small MLP
as fast as PyTorch's.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.linear(ember.ones(2, 3), ember.ones(4, 3), ember.zeros(4)).shape
    ember.Size([2, 4])
"""

from __future__ import annotations

from typing import Any

from ember._dtype import SCALAR_TYPE_NAMES
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.ops._dispatch import dtype_of


class Addmm(ArrayFunction):
    """``y = x @ Wᵀ + b`` for x (..., in), W (out, in), b (out,) or None.

    Math: ``y[..., o] = Σ_k x[..., k] W[o, k] + b[o]``, so for an upstream gradient g
    (..., out): ``dx = g @ W``, ``dW = gᵀ @ x`` (summed over every leading dimension, i.e.
    with g and x flattened to matrices) and ``db = Σ g`` over the leading dimensions.
    """

    @staticmethod
    def forward(ctx: Context, x: Any, w: Any, b: Any) -> Any:
        ctx.save_for_backward(x, w)
        ### BEGIN SOLUTION 04
        out = x @ w.T
        if b is not None:
            out += b
        return out
        ### END SOLUTION

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, Any]:
        x, w = ctx.saved_tensors
        needs_x, needs_w, needs_b = ctx.needs_input_grad
        grad_x = grad_w = grad_b = None
        # Hint: flatten the leading dimensions: g2 = grad.reshape(-1, out), x2 likewise.
        ### BEGIN SOLUTION 04
        g2 = grad.reshape(-1, w.shape[0])
        if needs_x:
            grad_x = grad @ w
        if needs_w:
            grad_w = g2.T @ x.reshape(-1, w.shape[1])
        if needs_b:
            grad_b = g2.sum(axis=0)
        ### END SOLUTION
        return grad_x, grad_w, grad_b

    ### BEGIN REFERENCE ONLY 04
    @staticmethod
    def tensor_backward(ctx: Context, grad: Tensor) -> tuple[Any, Any, Any]:
        """``backward`` in tensor ops (``create_graph=True``)."""
        x, w = ctx.saved_tensors
        needs_x, needs_w, needs_b = ctx.needs_input_grad
        g2 = grad.reshape(-1, w.shape[0])
        grad_x = grad @ w if needs_x else None
        grad_w = g2.t() @ x.reshape(-1, w.shape[1]) if needs_w else None
        grad_b = g2.sum(dim=0) if needs_b else None
        return grad_x, grad_w, grad_b
    ### END REFERENCE ONLY


class Mm(Addmm):
    """``x @ Wᵀ`` without a bias (PyTorch names this node ``MmBackward0``)."""


def _check_linear(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's errors for a linear map whose shapes or dtypes do not fit."""
    if input.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"0D and {weight.ndim}D")
    if weight.ndim != 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{weight.ndim}D")
    if input.shape[-1] != weight.shape[1]:
        rows = 1
        for size in input.shape[:-1]:
            rows *= size
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x"
                           f"{input.shape[-1]} and {weight.shape[1]}x{weight.shape[0]})")
    for other in (weight, bias):
        if other is not None and other._data.dtype != input._data.dtype:
            names = (SCALAR_TYPE_NAMES[dtype_of(input._data)],
                     SCALAR_TYPE_NAMES[dtype_of(other._data)])
            raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                               f"{names[0].lower()} != {names[1].lower()}")
    if bias is not None and tuple(bias.shape) not in ((weight.shape[0],), (1,), ()):
        target = [*input.shape[:-1], weight.shape[0]]
        raise RuntimeError(f"The expanded size of the tensor ({weight.shape[0]}) must match "
                           f"the existing size ({bias.shape[-1]}) at non-singleton dimension "
                           f"{len(target) - 1}.  Target sizes: {target}.  Tensor sizes: "
                           f"{list(bias.shape)}")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The affine map ``y = x Wᵀ + b`` applied to the last dimension of ``input``.

    Args:
        input: (*, in_features).
        weight: (out_features, in_features).
        bias: (out_features,) or None.

    Returns:
        (*, out_features).

    Example:
        >>> import ember
        >>> linear(ember.tensor([[1., 2.]]), ember.tensor([[1., 0.], [1., 1.]]))
        tensor([[1., 3.]])
    """
    _check_linear(input, weight, bias)
    return (Mm if bias is None else Addmm).apply(input, weight, bias)


__all__ = ["linear"]

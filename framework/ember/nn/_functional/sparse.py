# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: Embedding.forward, Embedding.backward
"""``F.embedding``: a lookup table, ``weight[input]``, whose backward adds rows up.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.embedding(ember.tensor([[0, 2]]), ember.eye(3)).shape
    ember.Size([1, 2, 3])
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context


class Embedding(ArrayFunction):
    """``out[...] = weight[input[...]]``: row ``input[k]`` of the table for each index k.

    Math: ∂out[k, :]/∂weight[r, :] = 1 exactly when input[k] = r, so row r of the weight's
    gradient is the *sum* of the upstream gradients of every position that looked up r
    (an index used twice gets both contributions). ``padding_idx``'s row gets none;
    ``scale_grad_by_freq`` divides each contribution by how often its index occurs.
    """

    @staticmethod
    def forward(ctx: Context, indices: Any, weight: Any, padding_idx: int | None,
                scale_grad_by_freq: bool) -> Any:
        ctx.save_for_backward(indices)
        ctx.options = (weight.shape, padding_idx, scale_grad_by_freq)
        # ---- your code (stage 04): Embedding.forward ----
        raise NotImplementedError("Stage 04: implement Embedding.forward")
        # ---- end of your code (stage 04) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[None, Any, None, None]:
        (indices,) = ctx.saved_tensors
        shape, padding_idx, scale_grad_by_freq = ctx.options
        xp = get_array_module(grad)
        flat = indices.reshape(-1)
        rows = grad.reshape(-1, shape[1])
        if scale_grad_by_freq:
            counts = xp.bincount(flat, minlength=shape[0])
            rows = rows / counts[flat][:, None]
        # Hint: xp.add.at(grad_weight, flat, rows) adds repeated indices up (plain
        # grad_weight[flat] += rows would keep only one of them).
        # ---- your code (stage 04): Embedding.backward ----
        # It must define grad_weight: the code after it reads it.
        raise NotImplementedError("Stage 04: implement Embedding.backward")
        # ---- end of your code (stage 04) ----
        return None, grad_weight, None, None


def _check_indices(input: Tensor, num_embeddings: int) -> None:
    """PyTorch's errors for non-integer or out-of-range indices."""
    kind = input._data.dtype
    if kind.kind not in "iu" or kind.itemsize not in (4, 8) or kind.kind == "u":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    data = input._data
    if data.size and (int(data.min()) < 0 or int(data.max()) >= num_embeddings):
        raise IndexError("index out of range in self")


def _renorm(input: Tensor, weight: Tensor, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and untracked, the looked-up rows whose norm exceeds ``max_norm``."""
    xp = get_array_module(weight._data)
    rows = xp.unique(input._data.reshape(-1))
    norms = (xp.abs(weight._data[rows]) ** norm_type).sum(axis=1) ** (1 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    weight._data[rows] *= scale[:, None].astype(weight._data.dtype)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: PLR0913
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) by the integer ``input``.

    Args:
        input: int64 or int32 indices of any shape; the result has shape
            ``(*input.shape, embedding_dim)``.
        weight: the table.
        padding_idx: an index whose row receives no gradient (negative counts from the end).
        max_norm: rows looked up are first rescaled in place to at most this norm.
        norm_type: the p of the p-norm for ``max_norm``.
        scale_grad_by_freq: divide gradients by the frequency of their index in the batch.
        sparse: sparse gradients are not supported by ember (raises).

    Example:
        >>> import ember
        >>> embedding(ember.tensor([1, 1]), ember.tensor([[0., 0.], [1., 2.]]))
        tensor([[1., 2.],
                [1., 2.]])
    """
    if sparse:
        raise NotImplementedError("ember has no sparse tensors: use sparse=False")
    num_embeddings = weight.shape[0]
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= num_embeddings
    _check_indices(input, num_embeddings)
    if max_norm is not None:
        _renorm(input, weight, max_norm, norm_type)
    return Embedding.apply(input, weight, padding_idx, scale_grad_by_freq)


__all__ = ["embedding"]

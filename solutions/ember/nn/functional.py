"""``ember.nn.functional``: layers as plain functions (PyTorch's ``torch.nn.functional``).

Each function is composed from tensor ops, or is one fused op with its own backward where
speed or numerical stability needs it (convolution, pooling, cross-entropy, batch norm); the
implementations live in ``_functional/``, one file per family.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.mse_loss(ember.tensor([1., 3.]), ember.tensor([1., 1.]))
    tensor(2.)
"""

from __future__ import annotations

from ember._tensor import Tensor
from ember.nn import _reduction
from ember.nn._functional.activation import (
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    softmax,
    tanh,
)
from ember.nn._functional.conv import conv2d
from ember.nn._functional.dropout import dropout
from ember.nn._functional.linear import linear
from ember.nn._functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    nll_loss,
)
from ember.nn._functional.normalization import batch_norm
from ember.nn._functional.padding import pad
from ember.nn._functional.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ember.nn._functional.sparse import embedding
from ember.ops import unary


def sigmoid(input: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e^(-x)), elementwise; dσ/dx = σ(x)(1 - σ(x))."""
    return unary.sigmoid(input)


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The squared error (input - target)², averaged (``"mean"``), summed or kept (``"none"``).

    Math: L = 1/N Σ_i (x_i - y_i)², so ∂L/∂x_i = 2 (x_i - y_i) / N.
    """
    reduction = _reduction.resolve(size_average, reduce, reduction)
    _reduction.warn_size(input, target)
    return _reduction.reduce_losses((input - target) ** 2, reduction)


__all__ = ["mse_loss", "sigmoid"]
__all__ += ["adaptive_avg_pool2d", "avg_pool2d", "conv2d", "dropout", "embedding", "linear",
            "max_pool2d"]
__all__ += ["batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits",
            "cross_entropy", "gelu", "l1_loss", "leaky_relu", "log_softmax", "nll_loss", "pad",
            "relu", "softmax", "tanh"]

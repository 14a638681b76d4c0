# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: _BatchNorm.forward
"""Batch normalisation layers: ``BatchNorm1d`` ((N, C) or (N, C, L)) and ``BatchNorm2d``
((N, C, H, W)).

The learnable γ (``weight``, ones) and β (``bias``, zeros) are parameters; the running
statistics are buffers (saved in the ``state_dict`` but not trained): ``running_mean``
(zeros), ``running_var`` (ones) and ``num_batches_tracked`` (an int64 counter). Training
mode normalises with the batch's statistics and updates the running ones; evaluation mode
uses the running ones. ``momentum=None`` makes the running statistics a cumulative
average (momentum 1/n at the n-th batch).

Example:
    >>> import ember
    >>> bn = ember.nn.BatchNorm1d(3)
    >>> bn
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(ember.randn(8, 3)).shape
    ember.Size([8, 3])
"""

from __future__ import annotations

from ember._creation import ones, tensor, zeros
from ember._dtype import int64
from ember._tensor import Tensor
from ember.nn import functional as F  # noqa: N812 - PyTorch's convention
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter


class _BatchNorm(Module):
    """What ``BatchNorm1d`` and ``BatchNorm2d`` share; they differ in the input check."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: None = None,
                 dtype: None = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features))
            if bias:
                self.bias = Parameter(zeros(num_features))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features))
            self.register_buffer("running_var", ones(num_features))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch seen."""
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        """Running statistics reset, γ = 1 and β = 0."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        """Normalise with batch statistics in training (updating the running ones), with
        the running statistics in evaluation (batch ones when none are tracked)."""
        self._check_input_dim(input)
        # ---- your code (stage 04): _BatchNorm.forward ----
        raise NotImplementedError("Stage 04: implement _BatchNorm.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


__all__ = ["BatchNorm1d", "BatchNorm2d"]

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: _batch_stats, NativeBatchNorm.forward, NativeBatchNorm.backward, batch_norm
"""Batch normalisation as a function: ``batch_norm``.

For an input of shape (N, C, *) every channel c is normalised with a mean and a variance
taken over the batch and the spatial positions (M = N·∏* values per channel):

    x̂ = (x - μ_c) / √(σ²_c + ε),    y = γ_c x̂ + β_c.

In training, μ and σ² are the batch's own statistics (σ² biased: divided by M), and the
running statistics move towards them: ``running = (1 - momentum)·running + momentum·batch``,
where the batch variance is the UNBIASED one (divided by M - 1), as in PyTorch. In
evaluation the running statistics replace the batch ones.

The op is fused with a hand-derived backward (one node instead of a dozen): through batch
statistics the gradient of x is

    ∂L/∂x = γ/(M·√(σ² + ε)) · (M·g - Σg - x̂·Σ(g·x̂)),   ∂L/∂γ = Σ g·x̂,   ∂L/∂β = Σ g,

with the sums over everything but the channel axis.

Example:
    >>> import ember
    >>> x = ember.tensor([[1.], [3.]])
    >>> ember.nn.functional.batch_norm(x, None, None, training=True, eps=0.)
    tensor([[-1.],
            [ 1.]])
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.ops.inplace import bump_version


def _channel_axes(ndim: int) -> tuple[int, ...]:
    """Every axis but the channel axis 1: the axes the statistics run over."""
    return (0, *range(2, ndim))


def _per_channel(v: Any, ndim: int) -> Any:
    """A (C,) array reshaped to (1, C, 1, ...) so that it broadcasts against the input."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _batch_stats(x: Any) -> tuple[Any, Any]:
    """The per-channel mean and BIASED variance (divided by M) of a batch (N, C, *)."""
    axes = _channel_axes(x.ndim)
    # ---- your code (stage 04): _batch_stats ----
    raise NotImplementedError("Stage 04: implement _batch_stats")
    # ---- end of your code (stage 04) ----


class NativeBatchNorm(ArrayFunction):
    """y = γ (x - μ)/√(σ² + ε) + β per channel (see the module docstring for the backward).

    Named after PyTorch's kernel, so that the node prints as ``NativeBatchNormBackward0``.

    ``batch_stats`` says whether ``mean``/``var`` are the input's own statistics (then the
    gradient flows through them too) or fixed running statistics.
    """

    @staticmethod
    def forward(ctx: Context, x: Any, weight: Any, bias: Any, mean: Any, var: Any,
                eps: float, batch_stats: bool) -> Any:
        xp = get_array_module(x)
        ndim = x.ndim
        # ---- your code (stage 04): NativeBatchNorm.forward ----
        # It must define invstd, xhat and out: the code after it reads them.
        raise NotImplementedError("Stage 04: implement NativeBatchNorm.forward")
        # ---- end of your code (stage 04) ----
        ctx.save_for_backward(xhat, invstd, weight)
        ctx.batch_stats = batch_stats
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        xhat, invstd, weight = ctx.saved_tensors
        axes = _channel_axes(grad.ndim)
        ndim = grad.ndim
        # ---- your code (stage 04): NativeBatchNorm.backward ----
        # It must define grad_bias, grad_weight and grad_x: the code after it reads them.
        raise NotImplementedError("Stage 04: implement NativeBatchNorm.backward")
        # ---- end of your code (stage 04) ----
        return grad_x, grad_weight, grad_bias, None, None, None, None


def _check_batch_norm(input: Tensor, running_mean: Any, training: bool) -> None:
    """PyTorch's errors: a channel-count mismatch, a single value per channel in training."""
    channels = input.shape[1] if input.dim() > 1 else 1
    if running_mean is not None and running_mean.numel() != channels:
        raise RuntimeError(f"running_mean should contain {channels} elements not "
                           f"{running_mean.numel()}")
    if training and input.numel() // channels <= 1:
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {input.shape!r}")


def _update_running(running: Tensor | None, batch: Any, momentum: float) -> None:
    """running ← (1 - momentum)·running + momentum·batch, in place (no graph)."""
    if running is not None:
        running._data[...] = (1 - momentum) * running._data + momentum * batch
        bump_version(running)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of ``input`` (N, C, *), then scale and shift it.

    Args:
        input: a tensor of shape (N, C) or (N, C, *).
        running_mean, running_var: (C,) buffers, or None; updated in place when
            ``training``.
        weight, bias: the affine γ and β of shape (C,), or None.
        training: normalise with the batch statistics (and update the running ones);
            otherwise with ``running_mean``/``running_var``.
        momentum: the weight of the new batch in the running statistics.
        eps: added to the variance before the square root.

    Example:
        >>> import ember
        >>> x = ember.tensor([[0., 2.], [2., 6.]])
        >>> ember.nn.functional.batch_norm(x, ember.zeros(2), ember.ones(2), eps=0.)
        tensor([[0., 2.],
                [2., 6.]])
    """
    _check_batch_norm(input, running_mean, training)
    x = input._data
    # ---- your code (stage 04): batch_norm ----
    # It must define batch_stats, mean and var: the code after it reads them.
    raise NotImplementedError("Stage 04: implement batch_norm")
    # ---- end of your code (stage 04) ----
    return NativeBatchNorm.apply(input, weight, bias, mean, var, eps, batch_stats)


__all__ = ["batch_norm"]

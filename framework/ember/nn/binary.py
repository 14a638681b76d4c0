# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 05: BinarizeSTE.forward, BinarizeSTE.backward, binary_weight, BinaryLinear.forward,
#             BinaryConv2d.forward
"""XNOR-Net's binary layers (Rastegari et al., 2016): 1-bit weights, real-valued training.

A binary layer keeps a real-valued **latent** weight ``W`` (the ``Parameter`` the optimiser
updates) and computes with its binary approximation

    W ≈ α · sign(W),    α_o = mean |W_o|   (one α per output channel o),

the scaling that minimises ``‖W - α·B‖²`` over ``B ∈ {-1, +1}`` (the paper's eq. 3-4).
Stored as 1 bit per weight plus one float per output channel, the weights take ~32× less
memory than float32.

``sign`` has a zero derivative almost everywhere, so nothing would reach ``W``. The
**straight-through estimator** (STE) pretends the forward was the identity clipped to
[-1, 1]: the gradient passes through where ``|x| < 1`` and is zeroed elsewhere, so weights
that are already far past ±1 stop growing.

Example:
    >>> import ember
    >>> w = ember.tensor([[0.5, -1.5], [2.0, 0.0]], requires_grad=True)
    >>> binary_weight(w)
    tensor([[ 1., -1.],
            [ 1.,  1.]], grad_fn=<MulBackward0>)
"""

from __future__ import annotations

from ember._tensor import Tensor
from ember.autograd.custom_function import Function, FunctionCtx
from ember.nn import functional as F
from ember.nn.modules.conv import Conv2d
from ember.nn.modules.linear import Linear


class BinarizeSTE(Function):
    r"""``sign`` forward with the straight-through gradient backward.

    Forward: :math:`b = +1` if :math:`x \ge 0` else :math:`-1`. We take sign(0) = +1 (torch's
    ``sign`` gives 0 there) so that every weight is one bit.

    Backward (STE, the paper's :math:`\partial C/\partial r = g \cdot 1_{|r| < 1}`, i.e.
    the gradient of ``hardtanh``): :math:`\partial L/\partial x = g` where :math:`|x| < 1`,
    0 where :math:`|x| \ge 1` (strict, as ``hardtanh``'s gradient is zero at ±1).
    """

    @staticmethod
    def forward(ctx: FunctionCtx, input: Tensor) -> Tensor:
        ctx.save_for_backward(input)
        # Hint: a comparison gives a bool tensor; .to(input.dtype) makes it 0/1.
        # ---- your code (stage 05): BinarizeSTE.forward ----
        raise NotImplementedError("Stage 05: implement BinarizeSTE.forward")
        # ---- end of your code (stage 05) ----

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: Tensor) -> Tensor:
        (input,) = ctx.saved_tensors
        # Hint: grad_output is yours to change (a copy): zero it where |input| >= 1.
        # ---- your code (stage 05): BinarizeSTE.backward ----
        raise NotImplementedError("Stage 05: implement BinarizeSTE.backward")
        # ---- end of your code (stage 05) ----


def binarize(input: Tensor) -> Tensor:
    """±1 of ``input`` (sign, with sign(0) = +1), differentiable by the straight-through rule.

    Example:
        >>> import ember
        >>> binarize(ember.tensor([-0.3, 0.0, 2.0]))
        tensor([-1.,  1.,  1.])
    """
    return BinarizeSTE.apply(input)


def binary_weight(weight: Tensor) -> Tensor:
    r"""XNOR-Net's weight approximation :math:`\alpha \cdot \mathrm{binarize}(W)`.

    :math:`\alpha_o = \frac{1}{n} \sum_i |W_{o,i}|`, the mean absolute value over every
    dimension but the first (output channels), kept as shape ``[out, 1, ...]`` so it
    broadcasts. Autograd differentiates both factors: with :math:`b = \mathrm{sign}(W)`
    and upstream gradient :math:`g`, :math:`W_{o,j}` receives
    :math:`\alpha_o\,g_{o,j}\,1_{|W_{o,j}|<1} + \frac{b_{o,j}}{n}\sum_i g_{o,i}\,b_{o,i}`
    (the paper's :math:`g\,(\frac{1}{n} + \alpha\,1_{|W|<1})` keeps only the diagonal).

    Args:
        weight: the latent weight, shape ``[out_features, ...]``.

    Returns:
        A tensor of ``weight``'s shape whose row ``o`` holds ``±α_o``.
    """
    # Hint: weight.abs().mean(dim=..., keepdim=True) over dims 1 .. weight.dim() - 1.
    # ---- your code (stage 05): binary_weight ----
    raise NotImplementedError("Stage 05: implement binary_weight")
    # ---- end of your code (stage 05) ----


class BinaryLinear(Linear):
    """A ``Linear`` layer computing with XNOR-Net's binary weights ``α · sign(W)``.

    ``weight`` stays the real-valued latent ``Parameter`` the optimiser updates; the bias
    stays real. Same constructor as ``nn.Linear``.

    Example:
        >>> import ember
        >>> layer = BinaryLinear(4, 2)
        >>> layer(ember.randn(3, 4)).shape
        ember.Size([3, 2])
    """

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 05): BinaryLinear.forward ----
        raise NotImplementedError("Stage 05: implement BinaryLinear.forward")
        # ---- end of your code (stage 05) ----


class BinaryConv2d(Conv2d):
    """A ``Conv2d`` layer computing with binary weights scaled per output channel.

    Same constructor as ``nn.Conv2d``; ``weight`` is the real-valued latent ``Parameter``.

    Example:
        >>> import ember
        >>> conv = BinaryConv2d(1, 4, 3, padding=1)
        >>> conv(ember.randn(2, 1, 8, 8)).shape
        ember.Size([2, 4, 8, 8])
    """

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 05): BinaryConv2d.forward ----
        raise NotImplementedError("Stage 05: implement BinaryConv2d.forward")
        # ---- end of your code (stage 05) ----


__all__ = ["BinarizeSTE", "BinaryConv2d", "BinaryLinear", "binarize", "binary_weight"]

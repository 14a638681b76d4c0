"""``Conv2d``: a learnable 2-D convolution layer (PyTorch's ``nn.Conv2d``).

Example:
    >>> import ember
    >>> conv = ember.nn.Conv2d(1, 16, 3, padding=1)
    >>> conv
    Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> conv(ember.zeros(64, 1, 8, 8)).shape
    ember.Size([64, 16, 8, 8])
"""

from __future__ import annotations

import math
from typing import Any

from ember._creation import empty
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn._functional.conv import conv2d, pair
from ember.nn._functional.padding import pad
from ember.nn.modules.linear import uniform_fill
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _check_arguments(in_channels: int, out_channels: int, groups: int, padding: Any,
                     stride: tuple[int, int], padding_mode: str) -> None:
    """PyTorch's ``ValueError``s for a layer that cannot be built."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                             "{'valid', 'same'}")
        if padding == "same" and stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("padding_mode must be one of {'replicate', 'reflect', 'circular', "
                         f"'zeros'}}, but got padding_mode='{padding_mode}'")


class Conv2d(Module):
    """2-D convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)) inputs.

    Output size per spatial dimension: ``⌊(H + 2·padding - dilation·(kernel_size - 1) - 1)
    / stride⌋ + 1``.

    Attributes:
        weight: (out_channels, in_channels / groups, kh, kw), U(-1/√fan_in, 1/√fan_in)
            with fan_in = in_channels / groups · kh · kw.
        bias: (out_channels,), the same distribution, or None with ``bias=False``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,  # noqa: PLR0913
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        stride = pair(stride, "stride")
        _check_arguments(in_channels, out_channels, groups, padding, stride, padding_mode)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = stride
        self.padding = padding if isinstance(padding, str) else pair(padding, "padding")
        self.dilation = pair(dilation, "dilation")
        self.transposed = False
        self.output_padding = (0, 0)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(empty(out_channels, in_channels // groups, *self.kernel_size,
                                      dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default, U(-1/√fan_in, 1/√fan_in) for weight and bias (see ``Linear``)."""
        # Hint: fan_in is the number of inputs of one output value: weight[0].numel().
        ### BEGIN SOLUTION 04
        fan_in = self.in_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        with no_grad():
            uniform_fill(self.weight, bound)
            if self.bias is not None:
                uniform_fill(self.bias, bound)
        ### END SOLUTION

    def mode_padding(self) -> tuple[int, int, int, int]:
        """``F.pad``'s ``(left, right, top, bottom)`` for ``padding_mode`` other than zeros."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            total = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size, strict=True)]
            return (total[1] // 2, total[1] - total[1] // 2, total[0] // 2,
                    total[0] - total[0] // 2)
        return (self.padding[1], self.padding[1], self.padding[0], self.padding[0])

    def forward(self, input: Tensor) -> Tensor:
        padding = self.padding
        if self.padding_mode != "zeros":  # the mode's values are added here, once
            input, padding = pad(input, self.mode_padding(), mode=self.padding_mode), (0, 0)
        # Hint: convolve ``input`` with ``padding`` (not self.padding: with a padding_mode,
        # the padding is already in ``input``).
        ### BEGIN SOLUTION 04
        return conv2d(input, self.weight, self.bias, self.stride, padding, self.dilation,
                      self.groups)
        ### END SOLUTION

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):  # a string ('same', 'valid') is printed too
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text

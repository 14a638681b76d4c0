# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: MaxPool2d.forward, AvgPool2d.forward, AdaptiveAvgPool2d.forward
"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d``.

Example:
    >>> import ember
    >>> ember.nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> ember.nn.MaxPool2d(2)(ember.zeros(8, 16, 8, 8)).shape
    ember.Size([8, 16, 4, 4])
"""

from __future__ import annotations

from typing import Any

from ember._tensor import Tensor
from ember.nn._functional.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ember.nn.modules.module import Module


class MaxPool2d(Module):
    """The maximum over each window (see ``F.max_pool2d``); ``stride`` defaults to
    ``kernel_size``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: PLR0913
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        # ---- your code (stage 04): MaxPool2d.forward ----
        raise NotImplementedError("Stage 04: implement MaxPool2d.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
                f", dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean over each window (see ``F.avg_pool2d``); ``stride`` defaults to
    ``kernel_size``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: PLR0913
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): AvgPool2d.forward ----
        raise NotImplementedError("Stage 04: implement AvgPool2d.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (an int, a pair, None keeps a dimension)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): AdaptiveAvgPool2d.forward ----
        raise NotImplementedError("Stage 04: implement AdaptiveAvgPool2d.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"

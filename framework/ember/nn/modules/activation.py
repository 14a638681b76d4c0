# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: ReLU.forward, LeakyReLU.forward, GELU.forward, Sigmoid.forward, Tanh.forward,
#             Softmax.forward, LogSoftmax.forward
"""Activation layers: ``ReLU LeakyReLU GELU Sigmoid Tanh Softmax LogSoftmax``.

Each layer stores its options and calls the function of ``ember.nn.functional`` in
``forward``; ``extra_repr`` prints the options as PyTorch does (``LeakyReLU(negative_slope=
0.01)``).

Example:
    >>> import ember
    >>> ember.nn.ReLU()(ember.tensor([-1., 2.]))
    tensor([0., 2.])
"""

from __future__ import annotations

from ember._tensor import Tensor
from ember.nn import functional as F  # noqa: N812 - PyTorch's convention
from ember.nn.modules.module import Module


class ReLU(Module):
    """max(x, 0) elementwise (``inplace=True`` overwrites the input)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): ReLU.forward ----
        raise NotImplementedError("Stage 04: implement ReLU.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x for x > 0, ``negative_slope``·x otherwise."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): LeakyReLU.forward ----
        raise NotImplementedError("Stage 04: implement LeakyReLU.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"negative_slope={self.negative_slope}{inplace}"


class GELU(Module):
    """x·Φ(x) (``approximate='tanh'``: the tanh approximation)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): GELU.forward ----
        raise NotImplementedError("Stage 04: implement GELU.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """1 / (1 + e^(-x)) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Sigmoid.forward ----
        raise NotImplementedError("Stage 04: implement Sigmoid.forward")
        # ---- end of your code (stage 04) ----


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Tanh.forward ----
        raise NotImplementedError("Stage 04: implement Tanh.forward")
        # ---- end of your code (stage 04) ----


class Softmax(Module):
    """softmax along ``dim`` (entries in [0, 1] summing to 1)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Softmax.forward ----
        raise NotImplementedError("Stage 04: implement Softmax.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log softmax along ``dim``, computed stably."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): LogSoftmax.forward ----
        raise NotImplementedError("Stage 04: implement LogSoftmax.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


__all__ = ["GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Tanh"]

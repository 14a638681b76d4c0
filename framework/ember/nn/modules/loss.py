"""Loss modules: thin wrappers that call ``ember.nn.functional``."""

from __future__ import annotations

from ember._tensor import Tensor
from ember.nn import functional as F  # noqa: N812 - PyTorch's convention
from ember.nn.modules.module import Module


class MSELoss(Module):
    """The mean squared error ``mean((input - target)²)`` (``reduction`` as in ``mse_loss``).

    Example:
        >>> import ember
        >>> ember.nn.MSELoss()(ember.tensor([0., 2.]), ember.tensor([0., 0.]))
        tensor(2.)
    """

    def __init__(self, size_average: None = None, reduce: None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)

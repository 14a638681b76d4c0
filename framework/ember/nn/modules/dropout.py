# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: Dropout.forward
"""``Dropout``: randomly zero activations while training (identity in ``eval()`` mode).

Example:
    >>> import ember
    >>> drop = ember.nn.Dropout(p=0.2)
    >>> drop
    Dropout(p=0.2, inplace=False)
    >>> drop.eval()(ember.ones(3))
    tensor([1., 1., 1.])
"""

from __future__ import annotations

from ember._tensor import Tensor
from ember.nn._functional.dropout import dropout
from ember.nn.modules.module import Module


class Dropout(Module):
    """Zero each element with probability ``p`` in training mode and scale the rest by
    1 / (1 - p) (see ``F.dropout``); the identity in evaluation mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Dropout.forward ----
        raise NotImplementedError("Stage 04: implement Dropout.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"

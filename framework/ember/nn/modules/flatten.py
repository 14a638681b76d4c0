# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: Flatten.forward, Unflatten.forward
"""``Flatten`` and ``Unflatten``: reshape layers for ``Sequential`` models.

Example:
    >>> import ember
    >>> ember.nn.Flatten()(ember.zeros(8, 16, 2, 2)).shape
    ember.Size([8, 64])
"""

from __future__ import annotations

from typing import Any

from ember._tensor import Tensor
from ember.nn.modules.module import Module


class Flatten(Module):
    """Merge dimensions ``start_dim … end_dim`` into one (by default all but the batch)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Flatten.forward ----
        raise NotImplementedError("Stage 04: implement Flatten.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (one entry may be -1)."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        dim = self.dim % input.ndim if input.ndim else 0
        sizes = self.unflattened_size
        known = 1
        for size in sizes:
            known *= size if size != -1 else 1
        if -1 not in sizes and known != input.shape[dim] or known == 0 \
                or input.shape[dim] % known:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {self.dim} ({input.shape[dim]}) in the input "
                               "tensor")
        # ---- your code (stage 04): Unflatten.forward ----
        raise NotImplementedError("Stage 04: implement Unflatten.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

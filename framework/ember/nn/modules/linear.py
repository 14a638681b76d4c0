# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: uniform_fill, Identity.forward, Linear.reset_parameters, Linear.forward
"""``Linear`` (the fully connected layer) and ``Identity``.

Example:
    >>> import ember
    >>> layer = ember.nn.Linear(64, 128)
    >>> layer
    Linear(in_features=64, out_features=128, bias=True)
    >>> layer(ember.zeros(8, 64)).shape
    ember.Size([8, 128])
"""

from __future__ import annotations

import math
from typing import Any

from ember._creation import empty, rand
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn._functional.linear import linear
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter


def uniform_fill(tensor: Tensor, bound: float) -> None:
    """Overwrite ``tensor``'s values with draws from U(-bound, bound), in place, untracked.

    This is what ``nn.init.uniform_(tensor, -bound, bound)`` does; ``nn.init`` is the
    subject of stage 07, so the layers of stage 04 use the stage-01 generator directly
    (``ember.rand`` draws U(0, 1), seeded by ``ember.manual_seed``).
    """
    # ---- your code (stage 04): uniform_fill ----
    raise NotImplementedError("Stage 04: implement uniform_fill")
    # ---- end of your code (stage 04) ----


class Identity(Module):
    """A placeholder that returns its input unchanged (any constructor arguments ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Identity.forward ----
        raise NotImplementedError("Stage 04: implement Identity.forward")
        # ---- end of your code (stage 04) ----


class Linear(Module):
    """``y = x Wᵀ + b`` on the last dimension: (*, in_features) → (*, out_features).

    Attributes:
        weight: (out_features, in_features), initialised from U(-1/√in, 1/√in).
        bias: (out_features,), from the same distribution, or None with ``bias=False``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight and bias ~ U(-1/√fan_in, 1/√fan_in), fan_in = in_features.

        PyTorch writes this as ``kaiming_uniform_(weight, a=√5)``: the bound
        gain·√(3/fan_in) with gain = √(2/(1 + a²)) = √(1/3) is exactly 1/√fan_in. We draw
        with the stage-01 generator (``uniform_fill``) so that this layer works before
        ``nn.init`` exists (stage 07); the distribution is the same.
        """
        # ---- your code (stage 04): Linear.reset_parameters ----
        raise NotImplementedError("Stage 04: implement Linear.reset_parameters")
        # ---- end of your code (stage 04) ----

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Linear.forward ----
        raise NotImplementedError("Stage 04: implement Linear.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")

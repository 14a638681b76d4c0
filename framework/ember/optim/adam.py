# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 08: Adam._update
r"""``Adam`` and ``AdamW``: adaptive moment estimation, PyTorch's update rules.

Adam keeps two running averages per parameter, of the gradient (the first moment ``m``)
and of its square (the second moment ``v``), and steps each coordinate by ``m / sqrt(v)``:
a step whose size is about ``lr`` whatever the scale of the gradient. Both averages start
at zero, so early on they are too small; dividing by ``1 - β^t`` corrects that bias.

Example:
    >>> import ember
    >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w      # the first step moves every coordinate by lr, against its gradient's sign
    tensor([ 0.9000, -1.9000], requires_grad=True)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ember._tensor import Tensor
from ember.ops.elementwise import maximum
from ember.ops.shape import clone
from ember.optim.optimizer import Optimizer


def _check_adam_arguments(lr: float, betas: tuple[float, float], eps: float,
                          weight_decay: float) -> None:
    """Raise torch's ValueError for an argument outside its range."""
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015), with PyTorch's options.

    For each parameter θ with gradient g, at this parameter's step t = 1, 2, ...::

        if maximize:                       g = -g
        if weight_decay≠0 and decoupled:   θ = θ · (1 - lr · weight_decay)      (AdamW)
        if weight_decay≠0 and not:         g = g + weight_decay · θ             (L2, Adam)
        m = β₁ · m + (1 - β₁) · g                      m₀ = 0
        v = β₂ · v + (1 - β₂) · g²                     v₀ = 0
        if amsgrad:  v_max = max(v_max, v), and v_max replaces v below
        θ = θ - lr · (m / (1 - β₁ᵗ)) / (sqrt(v / (1 - β₂ᵗ)) + eps)

    The state of θ (``self.state[θ]``): ``"step"`` (t, an int), ``"exp_avg"`` (m),
    ``"exp_avg_sq"`` (v) and, with amsgrad, ``"max_exp_avg_sq"``. t is counted per
    parameter: one that gets a gradient every other step has its own, smaller t.

    Args:
        params: the parameters (or parameter groups) to optimize.
        lr: the learning rate.
        betas: (β₁, β₂), the decay rates of the two moving averages.
        eps: added to the denominator, so that a zero gradient does not divide by zero.
        weight_decay: L2 penalty (Adam) or decoupled decay (AdamW).
        amsgrad: use the running maximum of v (Reddi et al., 2018).
        maximize: ascend the objective instead of descending.
        decoupled_weight_decay: decay the weights directly (AdamW) instead of adding
            weight_decay · θ to the gradient.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,  # noqa: PLR0913
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        _check_adam_arguments(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        """One Adam update of ``param`` in place (inside ``no_grad``); never changes .grad."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        decay = group["weight_decay"]
        grad = param.grad
        # Hint: follow the class docstring. Create the state on the parameter's first step
        # (zeros like the parameter), count its own "step", and update the parameter in
        # place (param.mul_, param.sub_) so that its memory is kept.
        # ---- your code (stage 08): Adam._update ----
        raise NotImplementedError("Stage 08: implement Adam._update")
        # ---- end of your code (stage 08) ----


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): ``θ ← θ(1 - lr·λ)``
    before the Adam step, instead of adding ``λθ`` to the gradient.

    With L2 (Adam's ``weight_decay``) the penalty's gradient is divided by ``sqrt(v)`` like
    every other gradient, so weights with large gradients are barely decayed; decoupled
    decay shrinks every weight by the same factor. The default decay is 1e-2, as torch's.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,  # noqa: PLR0913
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

"""``SGD``: stochastic gradient descent with momentum, PyTorch's update rule.

Example:
    >>> import ember
    >>> w = ember.tensor([1.], requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> (w * 3).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0.7000], requires_grad=True)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ember.optim.optimizer import Optimizer


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum.

    For each parameter θ with gradient g, at step t (PyTorch's algorithm)::

        if maximize:        g = -g
        if weight_decay≠0:  g = g + weight_decay · θ
        if momentum≠0:
            b = g                                     (first step)
            b = momentum · b + (1 - dampening) · g    (later steps)
            g = g + momentum · b  if nesterov  else  b
        θ = θ - lr · g

    The momentum buffer ``b`` lives in ``self.state[θ]["momentum_buffer"]``.

    Args:
        params: the parameters (or parameter groups) to optimize.
        lr: the learning rate.
        momentum: the momentum factor (0 disables momentum).
        dampening: dampening of the momentum's new gradient term.
        weight_decay: L2 penalty coefficient.
        nesterov: use Nesterov momentum.
        maximize: ascend the objective instead of descending.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,  # noqa: PLR0913
                 momentum: float = 0, dampening: float = 0, weight_decay: float = 0,
                 nesterov: bool = False, *, maximize: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def _update(self, param: Any, group: dict[str, Any]) -> None:
        """One SGD update of ``param`` in place (inside ``no_grad``)."""
        grad = param.grad
        lr, momentum = group["lr"], group["momentum"]
        # Hint: follow the algorithm of the class docstring with tensor ops; update the
        # parameter in place (param.add_(...)) so that its memory is kept.
        ### BEGIN SOLUTION 02
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        if momentum != 0:
            state = self.state[param]
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = grad.clone()
            else:
                buffer = momentum * buffer + (1 - group["dampening"]) * grad
            state["momentum_buffer"] = buffer
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param.sub_(lr * grad)
        ### END SOLUTION

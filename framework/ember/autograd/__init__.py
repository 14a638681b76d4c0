"""``ember.autograd``: the ``Function`` API and gradient modes (the engine comes in stage 02)."""

from ember.autograd.function import Context, Function
from ember.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "Context", "Function", "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled",
]

"""``ember.nn``: building blocks for neural networks (PyTorch's ``torch.nn``).

Stage 02 needs only what the article's first training loop uses: ``Parameter``, a minimal
``Module``, ``MSELoss`` and ``functional.sigmoid``/``mse_loss``. Stage 04 builds the rest.
"""

from ember.nn import functional, init
from ember.nn.modules import Module, MSELoss
from ember.nn.parameter import Parameter

__all__ = ["MSELoss", "Module", "Parameter", "functional", "init"]

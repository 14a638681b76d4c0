"""``ember.nn``: building blocks for neural networks (PyTorch's ``torch.nn``).

Stage 02 needs only what the article's first training loop uses: ``Parameter``, a minimal
``Module``, ``MSELoss`` and ``functional.sigmoid``/``mse_loss``. Stage 04 builds the rest.
"""

from ember.nn import functional
from ember.nn.modules import (
    GELU,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    LeakyReLU,
    LogSoftmax,
    Module,
    MSELoss,
    NLLLoss,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from ember.nn.parameter import Parameter

__all__ = ["MSELoss", "Module", "Parameter", "functional"]
__all__ += ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "CrossEntropyLoss",
            "GELU", "L1Loss", "LeakyReLU", "LogSoftmax", "NLLLoss", "ReLU", "Sigmoid", "Softmax",
            "Tanh"]

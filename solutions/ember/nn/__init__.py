"""``ember.nn``: building blocks for neural networks (PyTorch's ``torch.nn``).

Stage 02 needs only what the article's first training loop uses: ``Parameter``, a minimal
``Module``, ``MSELoss`` and ``functional.sigmoid``/``mse_loss``. Stage 04 builds the rest.
"""

from ember.nn import functional
from ember.nn.binary import BinaryConv2d, BinaryLinear
from ember.nn.modules import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    Linear,
    MaxPool2d,
    Module,
    MSELoss,
    Unflatten,
)
from ember.nn.modules.container import ModuleDict, ModuleList, Sequential
from ember.nn.parameter import Parameter

__all__ = ["MSELoss", "Module", "Parameter", "functional"]
__all__ += ["ModuleDict", "ModuleList", "Sequential"]
__all__ += ["AdaptiveAvgPool2d", "AvgPool2d", "Conv2d", "Dropout", "Embedding", "Flatten",
            "Identity", "Linear", "MaxPool2d", "Unflatten"]
__all__ += ["BinaryConv2d", "BinaryLinear"]

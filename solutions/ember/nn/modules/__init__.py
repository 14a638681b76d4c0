"""The module classes of ``ember.nn`` (stage 04 adds layers and containers)."""

from ember.nn.modules.activation import (
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from ember.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from ember.nn.modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from ember.nn.modules.module import Module

__all__ = ["MSELoss", "Module"]
__all__ += ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "CrossEntropyLoss",
            "GELU", "L1Loss", "LeakyReLU", "LogSoftmax", "NLLLoss", "ReLU", "Sigmoid", "Softmax",
            "Tanh"]

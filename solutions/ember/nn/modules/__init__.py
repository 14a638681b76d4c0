"""The module classes of ``ember.nn`` (stage 04 adds layers and containers)."""

from ember.nn.modules.container import ModuleDict, ModuleList, Sequential
from ember.nn.modules.conv import Conv2d
from ember.nn.modules.dropout import Dropout
from ember.nn.modules.flatten import Flatten, Unflatten
from ember.nn.modules.linear import Identity, Linear
from ember.nn.modules.loss import MSELoss
from ember.nn.modules.module import Module
from ember.nn.modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from ember.nn.modules.sparse import Embedding

__all__ = ["MSELoss", "Module"]
__all__ += ["ModuleDict", "ModuleList", "Sequential"]
__all__ += ["AdaptiveAvgPool2d", "AvgPool2d", "Conv2d", "Dropout", "Embedding", "Flatten",
            "Identity", "Linear", "MaxPool2d", "Unflatten"]

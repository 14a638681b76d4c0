"""The module classes of ``ember.nn`` (stage 04 adds layers and containers)."""

from ember.nn.modules.container import ModuleDict, ModuleList, Sequential
from ember.nn.modules.loss import MSELoss
from ember.nn.modules.module import Module

__all__ = ["MSELoss", "Module"]
__all__ += ["ModuleDict", "ModuleList", "Sequential"]

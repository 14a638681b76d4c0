"""``ember.optim``: optimizers that update parameters from their gradients."""

from ember.optim.optimizer import Optimizer
from ember.optim.sgd import SGD

__all__ = ["SGD", "Optimizer"]

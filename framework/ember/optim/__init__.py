"""``ember.optim``: optimizers that update parameters from their gradients."""

from ember.optim.adam import Adam, AdamW
from ember.optim.optimizer import Optimizer, required
from ember.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "required"]

"""``ember.nn``: building blocks for neural networks (PyTorch's ``torch.nn``).

* ``modules/`` — ``Module`` (stage 04), the containers, layers and losses;
* ``functional.py`` — the same layers as functions (implemented in ``_functional/``);
* ``parameter.py`` — ``Parameter`` and ``Buffer``;
* ``init.py`` — weight initialisation (stage 07);
* ``binary.py`` — XNOR-Net's binary layers, built on a custom ``autograd.Function`` (stage 05).

Stage 02 uses only ``Parameter``, ``MSELoss`` and ``functional.sigmoid``/``mse_loss``.
"""

from ember.nn import functional, init
from ember.nn.binary import BinaryConv2d, BinaryLinear
from ember.nn.modules import *  # noqa: F403 - the layers, as torch.nn exports them
from ember.nn.modules import __all__ as _modules_all
from ember.nn.parameter import Buffer, Parameter

__all__ = ["BinaryConv2d", "BinaryLinear", "Buffer", "Parameter", "functional", "init",
           *_modules_all]

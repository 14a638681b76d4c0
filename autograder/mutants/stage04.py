"""Planted bugs of stage 04 (``nn``): the module core, the layers and the functional forms.

The three parts live in ``stage04_module.py`` (``Module``, containers, ``state_dict``),
``stage04_layers.py`` (linear, convolution, pooling, embedding, dropout) and
``stage04_functional.py`` (activations, batch norm, losses).
"""

from __future__ import annotations

from autograder.mutants.classes import for_stage as _class_mutants
from autograder.mutants.stage04_functional import FUNCTIONAL_MUTANTS
from autograder.mutants.stage04_layers import LAYERS_MUTANTS
from autograder.mutants.stage04_module import MODULE_MUTANTS

MUTANTS = MODULE_MUTANTS + LAYERS_MUTANTS + FUNCTIONAL_MUTANTS

# The mutants that only a class of test added for issue 10 catches.
MUTANTS = (*MUTANTS, *_class_mutants("04"))

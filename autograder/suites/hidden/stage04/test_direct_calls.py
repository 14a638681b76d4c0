"""Hidden · stage 04: functional forms called by name, not only through their modules.

``tests/test_suite_coverage.py`` traces the graded suites: ``F.tanh`` and ``F.pad`` were
reached only through other code (``nn.Tanh`` may call ``ember.tanh`` itself), so a bug in
them could not show. Oracle: NumPy and float64 central differences.
"""

import numpy as np

import ember
import ember.nn.functional as F
from autograder.suites.helpers import assert_tensor, check_grad


def test_functional_tanh_values_and_gradient():
    x = np.array([[-2.0, -0.5, 0.0], [0.3, 1.0, 4.0]], dtype=np.float32)
    assert_tensor(F.tanh(ember.tensor(x)), np.tanh(x), ember.float32, rtol=1e-6,
                  what="F.tanh")
    check_grad(F.tanh, (2, 3), what="F.tanh (d/dx = 1 - tanh(x)^2)")


def test_functional_pad_constant():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    assert_tensor(F.pad(ember.tensor(x), (1, 2)), np.pad(x, ((0, 0), (1, 2))), ember.float32,
                  what="F.pad(x, (1, 2)) pads the last dimension")
    assert_tensor(F.pad(ember.tensor(x), (0, 1, 2, 0), value=-1.0),
                  np.pad(x, ((2, 0), (0, 1)), constant_values=-1.0), ember.float32,
                  what="F.pad(x, (0, 1, 2, 0), value=-1)")

"""Hidden · stage 04: functional forms called by name, not only through their modules.

``tests/test_suite_coverage.py`` traces the graded suites: ``F.tanh`` was reached only
through other code (``nn.Tanh`` may call ``ember.tanh`` itself), so a bug in it could not
show. Oracle: NumPy and float64 central differences.
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


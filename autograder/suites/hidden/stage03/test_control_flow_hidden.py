"""Hidden · stage 03: data-dependent control flow with in-place accumulation, checked
against central differences (the path taken does not change under tiny perturbations).
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import check_grad


def _newton_sqrt(a):
    """Newton's iteration for sqrt(a), stopping when the update is small (data-dependent)."""
    x = a * 1
    for _ in range(50):
        new = x * 0.5
        new += a / (2 * x)  # in place on an intermediate: new = (x + a / x) / 2
        done = (new - x).abs().max() < 1e-12
        x = new
        if done:
            break
    return x


def test_newton_iterations_have_the_gradient_of_sqrt():
    a = np.array([2.0, 9.0, 0.5])
    check_grad(_newton_sqrt, a, rtol=1e-4, what="Newton sqrt")

    def newton_inplace(t):
        x = t * 1
        while True:
            step = (x * x - t) / (2 * x)  # saves x
            x -= step                      # then overwrites it
            if step.abs().max() < 1e-12:
                return x

    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        newton_inplace(ember.tensor(a, requires_grad=True)).sum().backward()


def test_loop_with_inplace_running_product():
    def f(x):
        acc = ember.ones_like(x)
        k = 0
        while acc.sum() < 20 and k < 10:
            acc *= x
            k += 1
        return acc

    check_grad(f, np.array([1.5, 2.0]), what="running product until the sum reaches 20")
    a = ember.tensor([1.5, 2.0], requires_grad=True)
    h = a * 1
    acc = f(h)  # acc *= h saved h
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        acc.sum().backward()


def test_empty_tensor_has_no_truth_value_and_inplace_keeps_identity():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(ember.zeros(0))
    t = ember.tensor([2.0])
    ref = t
    while t < 10:
        t += 3
    assert ref is t and t.item() == 11.0 and t._version == 3
    a = ember.tensor([2.0], requires_grad=True)
    h = a * 1
    s = h.log()  # saves h
    while h < 10:
        h += 3
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.backward()

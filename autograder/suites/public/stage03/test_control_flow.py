"""Stage 03 · control_flow: Python's own ``if`` and ``while`` steer an eager computation.

Oracles: hand-derived values and gradients. A define-by-run graph records only the path
that ran, so the gradient is the gradient of that path. Running accumulators use in-place
updates (``+=``), which autograd must get right: these tests need the in-place checks of
exercise 2, and the notebook's check cell comes after it. (The comparison of an eager loop
with ``ember.static.while_loop`` is in ``test_static.py``: it needs the session.)
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import grad_of

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."


def test_bool_of_tensors_in_if_and_while():
    x = ember.tensor([3.0])
    assert bool(x > 2) is True and bool(ember.tensor(0.0)) is False, "one element: its truth"
    with pytest.raises(RuntimeError,
                       match="Boolean value of Tensor with more than one value is ambiguous"):
        if ember.tensor([1.0, 2.0]) > 0:
            pass
    steps = ember.tensor(0)
    while x < 100:
        x *= 3  # in place: x keeps its identity
        steps += 1
    assert steps.item() == 4 and x.item() == 243.0, (
        f"3 → 9 → 27 → 81 → 243 is 4 steps, got {steps.item()} steps ending at {x.item()}")
    assert x._version == 4, "each x *= 3 is one in-place change (version 4)"
    w = ember.tensor([3.0], requires_grad=True)
    with pytest.raises(RuntimeError,
                       match="a leaf Variable that requires grad is being used in an in-place "
                             "operation."):
        while w < 100:
            w *= 3  # not on a leaf that requires grad: rebind instead (w = w * 3)


def _grow(x, limit):
    """Double y until its sum exceeds ``limit``, accumulating the path in place."""
    y = x * 1
    total = ember.zeros_like(x)
    n = 0
    while y.sum() < limit:
        y = y * 2
        total += y  # in place on an intermediate result
        n += 1
    return total, n


def test_data_dependent_loop_gradient():
    x = ember.tensor([0.5, 1.0], requires_grad=True)
    total, n = _grow(x, 10.0)
    assert n == 3, f"sums 1.5 → 3 → 6 → 12: three doublings, got {n}"
    total.sum().backward()
    np.testing.assert_allclose(grad_of(x), [2 + 4 + 8.0, 2 + 4 + 8.0],
                               err_msg="total = 2x + 4x + 8x: the gradient is 14 (this path)")
    x2 = ember.tensor([5.0, 6.0], requires_grad=True)
    total2, n2 = _grow(x2, 10.0)
    assert n2 == 0 and not total2.requires_grad, (
        "the loop never runs for a large x: total is the zeros it started as, and the graph "
        "holds only what ran, so total does not depend on x at all")
    leaf = ember.tensor([0.5, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=LEAF_INPLACE):
        leaf += leaf * 2  # accumulating into the leaf itself is refused


def test_branch_gradient_follows_the_taken_path():
    def f(x):
        y = x * 1
        if y.sum() > 0:
            y *= x       # x^2 on this path
        else:
            y -= 3 * x   # -2x on this path
        return y.sum()

    pos = ember.tensor([1.0, 2.0], requires_grad=True)
    f(pos).backward()
    np.testing.assert_allclose(grad_of(pos, "pos"), [2.0, 4.0], err_msg="x^2 path: 2x")
    neg = ember.tensor([-1.0, -2.0], requires_grad=True)
    f(neg).backward()
    np.testing.assert_allclose(grad_of(neg, "neg"), [-2.0, -2.0], err_msg="-2x path: -2")

    def g(x):
        y = x * 1
        z = y.sin()  # saves y for backward
        if y.sum() > 0:
            y *= 2  # then overwrites it on this path
        return (z + y).sum()

    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        g(ember.tensor([1.0, 2.0], requires_grad=True)).backward()

"""Stage 02 · elementwise_grad: the backward formula of every elementwise op.

Oracles: hand-derived derivatives on small tensors, and float64 central differences with a
random upstream gradient (``check_grad``), including broadcasting where the engine must sum
the gradient back to each input's shape.
"""

import numpy as np

import ember
from autograder.suites.helpers import check_grad, grad_of


def test_mul_backward_by_hand():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = ember.tensor([4.0, 5.0, 6.0], requires_grad=True)
    # An upstream gradient of ones is what .sum() would send (Sum.backward is exercise 3).
    (x * y).backward(ember.ones(3))
    np.testing.assert_allclose(grad_of(x, "x"), [4.0, 5.0, 6.0],
                               err_msg="d(x*y)/dx = y")
    np.testing.assert_allclose(grad_of(y, "y"), [1.0, 2.0, 3.0],
                               err_msg="d(x*y)/dy = x")


def test_square_plus_linear_by_hand():
    # f(x) = x^2 + 3x  →  f'(x) = 2x + 3
    x = ember.tensor(2.0, requires_grad=True)
    f = x * x + 3 * x
    f.backward()
    assert abs(x.grad.item() - 7.0) < 1e-6, f"f = x*x + 3*x at x=2: f'(2) = 7, got {x.grad}"


def test_add_sub_backward():
    check_grad(lambda a, b: a + b, (2, 3), (2, 3), what="a + b")
    check_grad(lambda a, b: a - b, (2, 3), (2, 3), what="a - b")
    check_grad(lambda a: 2.5 - a, (4,), what="2.5 - a (reflected)")
    check_grad(lambda a, b: ember.add(a, b, alpha=-3), (3,), (3,), what="add(a, b, alpha=-3)")


def test_mul_div_backward():
    check_grad(lambda a, b: a * b, (2, 3), (2, 3), what="a * b")
    rng = np.random.default_rng(1)
    denom = rng.uniform(0.5, 2.0, (2, 3)) * rng.choice([-1, 1], (2, 3))
    check_grad(lambda a, b: a / b, (2, 3), denom, what="a / b")
    check_grad(lambda b: 3.0 / b, denom, what="3 / b (reflected)")


def test_neg_pow_backward():
    check_grad(lambda a: -a, (5,), what="-a")
    pos = np.random.default_rng(2).uniform(0.5, 2.0, (3, 2))
    check_grad(lambda a: a ** 3, (3, 2), what="a ** 3")
    check_grad(lambda a: a ** 0.5, pos, what="a ** 0.5")
    check_grad(lambda a, b: a ** b, pos, (3, 2), what="a ** b (both inputs)")
    check_grad(lambda b: 2.0 ** b, (4,), what="2 ** b (reflected)")


def test_unary_math_backward():
    pos = np.random.default_rng(3).uniform(0.5, 2.0, (2, 4))
    check_grad(lambda a: a.exp(), (2, 4), what="exp")
    check_grad(lambda a: a.log(), pos, what="log")
    check_grad(lambda a: a.sqrt(), pos, what="sqrt")
    check_grad(lambda a: a.sin(), (2, 4), what="sin")
    check_grad(lambda a: a.cos(), (2, 4), what="cos")
    check_grad(lambda a: a.tanh(), (2, 4), what="tanh")
    check_grad(lambda a: a.sigmoid(), (2, 4), what="sigmoid")


def test_piecewise_ops_backward():
    # Values well away from the kinks so that central differences are exact.
    x = np.array([[-2.0, -0.7, 0.4], [0.9, 1.6, -1.3]])
    check_grad(lambda a: a.abs(), x, what="abs")
    check_grad(lambda a: a.relu(), x, what="relu")
    check_grad(lambda a: a.clamp(-1.0, 1.0), x, what="clamp(-1, 1)")
    check_grad(lambda a: a.clamp(min=0.5), x, what="clamp(min=0.5)")
    check_grad(lambda a: a.sign() * a, x, what="sign(a) * a (sign has zero gradient)")


def test_maximum_minimum_where_backward():
    a = np.array([1.0, -2.0, 3.0, 0.5])
    b = np.array([0.0, 1.0, 2.5, 2.0])
    check_grad(ember.maximum, a, b, what="maximum(a, b)")
    check_grad(ember.minimum, a, b, what="minimum(a, b)")
    cond = ember.tensor([True, False, False, True])
    check_grad(lambda x, y: ember.where(cond, x, y), a, b, what="where(cond, a, b)")


def test_broadcast_gradients_are_summed_to_the_input_shape():
    check_grad(lambda a, b: a * b, (2, 3), (3,), what="(2,3) * (3,)")
    check_grad(lambda a, b: a + b, (4, 1), (1, 3), what="(4,1) + (1,3)")
    check_grad(lambda a, b: a / b, (2, 3, 4), np.full((3, 1), 1.5), what="(2,3,4) / (3,1)")
    check_grad(lambda a, b: a - b, (), (2, 2), what="0-dim - (2,2)")


def test_broadcast_gradient_by_hand():
    b = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = ember.ones(4, 3)
    (x * b).backward(ember.ones(4, 3))  # ones: the gradient .sum() would send back
    np.testing.assert_allclose(
        grad_of(b, "b"), [4.0, 4.0, 4.0],
        err_msg="b was broadcast over 4 rows: its gradient is the sum over those rows")


def test_gradient_dtype_matches_float32_input():
    x = ember.tensor([0.5, 1.5], requires_grad=True)
    (x.exp() * 2).backward(ember.ones(2))  # ones: the gradient .sum() would send back
    assert x.grad.dtype == ember.float32, f"x is float32, its grad is {x.grad.dtype!r}"
    np.testing.assert_allclose(grad_of(x), 2 * np.exp([0.5, 1.5]), rtol=1e-6)

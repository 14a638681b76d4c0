"""Stage 02 · reduction_grad: backward of sum, mean, prod, max/min, std/var.

Oracles: hand-derived gradients (sum spreads the upstream gradient, mean divides it by the
count, max sends it to the selected element) and float64 central differences with a random
upstream gradient for every dim / keepdim combination.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import check_grad, grad_of


def test_sum_backward_spreads_the_upstream_gradient():
    x = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    x.sum(dim=1).backward(ember.tensor([10.0, -1.0]))
    np.testing.assert_allclose(
        grad_of(x), [[10.0, 10.0, 10.0], [-1.0, -1.0, -1.0]],
        err_msg="sum(dim=1) backward: each element gets its row's upstream gradient "
                "(not ones: multiply by the incoming gradient)")


def test_mean_backward_divides_by_the_count():
    x = ember.ones(2, 4, requires_grad=True)
    x.mean().backward()
    np.testing.assert_allclose(grad_of(x), np.full((2, 4), 1 / 8), err_msg="mean of 8 elements")


@pytest.mark.parametrize(
    ("dim", "keepdim"),
    [(None, False), (0, False), (1, True), (-1, False), (-1, True), ((0, 2), False),
     ((0, 2), True)],
)
def test_sum_and_mean_over_dims(dim, keepdim):
    if dim is None:
        check_grad(lambda a: a.sum(), (2, 3, 2), what="sum()")
        check_grad(lambda a: a.mean(), (2, 3, 2), what="mean()")
        return
    check_grad(lambda a: a.sum(dim, keepdim=keepdim), (2, 3, 2),
               what=f"sum(dim={dim}, keepdim={keepdim})")
    check_grad(lambda a: a.mean(dim, keepdim=keepdim), (2, 3, 2),
               what=f"mean(dim={dim}, keepdim={keepdim})")


def test_prod_backward():
    check_grad(lambda a: a.prod(), (2, 3), what="prod()")
    check_grad(lambda a: a.prod(1), (2, 3), what="prod(1)")
    check_grad(lambda a: a.prod(0, keepdim=True), (3, 2), what="prod(0, keepdim=True)")


def test_max_along_a_dim_routes_the_gradient_to_the_argmax():
    x = ember.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    out = x.max(dim=1)
    out.values.backward(ember.tensor([2.0, -3.0]))
    np.testing.assert_allclose(
        grad_of(x), [[0.0, 2.0, 0.0], [-3.0, 0.0, 0.0]],
        err_msg="max(dim=1).values: only the maximum of each row receives the gradient")


def test_max_min_backward_numerically():
    a = np.random.default_rng(4).permutation(24).reshape(2, 3, 4) / 5.0  # no ties
    check_grad(lambda t: t.max(), a, what="max()")
    check_grad(lambda t: t.min(), a, what="min()")
    check_grad(lambda t: t.max(dim=2).values, a, what="max(dim=2).values")
    check_grad(lambda t: t.min(0, keepdim=True)[0], a, what="min(0, keepdim=True)[0]")
    check_grad(lambda t: ember.max(t, -2).values, a, what="ember.max(t, -2).values")


def test_std_var_backward():
    check_grad(lambda a: a.var(), (3, 4), what="var()")
    check_grad(lambda a: a.std(), (3, 4), what="std()")
    check_grad(lambda a: a.var(dim=1), (3, 4), what="var(dim=1)")
    check_grad(lambda a: a.std(0, keepdim=True), (3, 4), what="std(0, keepdim=True)")
    check_grad(lambda a: a.var(1, unbiased=False), (3, 4), what="var(1, unbiased=False)")
    check_grad(lambda a: a.std(dim=1, correction=0), (3, 4), what="std(dim=1, correction=0)")


def test_std_backward_by_hand():
    # std of [1, 2, 4]: mean 7/3; d std / d x_i = (x_i - mean) / ((n - 1) * std)
    x = ember.tensor([1.0, 2.0, 4.0], dtype=ember.float64, requires_grad=True)
    x.std().backward()
    v = np.array([1.0, 2.0, 4.0])
    expected = (v - v.mean()) / (2 * v.std(ddof=1))
    np.testing.assert_allclose(grad_of(x), expected, rtol=1e-10, err_msg="std() gradient")


def test_function_forms_and_empty_reductions():
    check_grad(lambda a: ember.sum(a, 1), (2, 3), what="ember.sum(a, 1)")
    check_grad(lambda a: ember.mean(a, dim=0), (2, 3), what="ember.mean(a, dim=0)")
    x = ember.zeros(0, 3, requires_grad=True)
    x.sum().backward()
    assert tuple(x.grad.shape) == (0, 3), "the gradient of an empty tensor is empty, same shape"


def test_a_diamond_of_add_mul_and_sum_is_walked_in_topological_order():
    # The engine's diamond (test_engine.py) again, on the formulas of exercises 2 and 3:
    # a reaches d along two paths, so its node must wait for both gradients.
    x = ember.tensor([1.0, -2.0], dtype=ember.float64, requires_grad=True)
    a = x * x
    b = a * 3
    c = a + 1
    d = (b * c).sum()
    d.backward()
    v = np.array([1.0, -2.0])
    expected = 3 * (2 * v**2 + 1) * 2 * v
    np.testing.assert_allclose(grad_of(x), expected, rtol=1e-10,
                               err_msg="d = sum(3 x^2 (x^2 + 1)), so dd/dx = 3 (2 x^2 + 1) 2x")



def test_grad_fn_nodes_and_next_functions():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor([3.0, 4.0])
    y = x * w
    assert y.grad_fn is not None and y.grad_fn.name() == "MulBackward0", (
        f"y = x * w must have grad_fn MulBackward0, got {y.grad_fn!r}")
    assert not y.is_leaf and x.is_leaf, "results of ops are not leaves; x is a leaf"
    nexts = y.grad_fn.next_functions
    assert len(nexts) == 2, f"Mul has two inputs, so two next_functions, got {nexts!r}"
    assert type(nexts[0][0]).__name__ == "AccumulateGrad", (
        "the next function of a leaf that requires grad is an AccumulateGrad node")
    assert nexts[1][0] is None, "w does not require grad: its next function is None"
    s = y.sum()
    assert s.grad_fn.next_functions[0][0] is y.grad_fn, "sum's input node is y.grad_fn"
    s.backward()
    np.testing.assert_allclose(grad_of(x), [3.0, 4.0],
                               err_msg="walking Sum → Mul → AccumulateGrad gives dx = w")

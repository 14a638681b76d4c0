"""Hidden · stage 02: engine corner cases, ties, exact derivatives, hooks and a small MLP.

Oracles: PyTorch's documented behaviour (ties in ``max()`` share the gradient evenly, in
``max(dim)`` the returned index gets it; ``clamp`` passes the gradient at its bounds), hand
derivations, and float64 central differences with random upstream gradients.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import check_grad, grad_of, to_numpy


def test_full_max_shares_the_gradient_between_ties():
    x = ember.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(grad_of(x), [0.0, 0.5, 0.5, 0.0],
                               err_msg="max() with two tied maxima: each gets half")


def test_max_dim_sends_the_gradient_to_the_returned_index():
    x = ember.tensor([[1.0, 3.0, 3.0, 2.0]], requires_grad=True)
    out = x.max(1)
    out.values.sum().backward()
    np.testing.assert_allclose(grad_of(x), [[0.0, 1.0, 0.0, 0.0]],
                               err_msg="max(dim) with ties: only the index it returned (first)")


def test_prod_with_a_zero_has_a_finite_gradient():
    x = ember.tensor([1.0, 0.0, 3.0, 2.0], requires_grad=True)
    x.prod().backward()
    np.testing.assert_allclose(grad_of(x), [0.0, 6.0, 0.0, 0.0],
                               err_msg="prod with one zero: dividing the product by x gives "
                                       "nan; the zero's gradient is the product of the others")


def test_clamp_passes_the_gradient_at_its_bounds():
    x = ember.tensor([0.0, 1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x.clamp(1.0, 3.0).backward(ember.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    np.testing.assert_allclose(grad_of(x), [0.0, 2.0, 3.0, 4.0, 0.0],
                               err_msg="clamp(1, 3): gradient 1 inside [1, 3], bounds included")


def test_where_with_broadcast_condition_and_scalar():
    cond = ember.tensor([[True], [False]])
    check_grad(lambda a, b: ember.where(cond, a, b), (2, 3), (3,), what="where, broadcast")
    check_grad(lambda a: ember.where(cond, a, 0.0), (1, 3), what="where(cond, a, 0.)")


def test_a_10000_op_chain():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(10000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_allclose(grad_of(x), [1.0, 1.0], err_msg="10,000 additions")


def test_hooks_run_in_registration_order():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    order = []
    y.register_hook(lambda g: order.append("first"))
    y.register_hook(lambda g: order.append("second"))
    y.sum().backward()
    assert order == ["first", "second"], f"hooks run in registration order, got {order}"
    np.testing.assert_allclose(grad_of(x), [2.0, 2.0])


def test_retain_graph_with_autograd_grad():
    x = ember.tensor([2.0], requires_grad=True)
    y = (x * x * x).sum()
    (g1,) = ember.autograd.grad(y, x, retain_graph=True)
    (g2,) = ember.autograd.grad(y, x)
    assert g1.item() == 12.0 and g2.item() == 12.0, "dy/dx = 3x^2 = 12 twice"
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        ember.autograd.grad(y, x)


def test_mlp_gradients_numerically():
    def mlp(x, w1, b1, w2):
        return ((x @ w1 + b1).relu() @ w2).sigmoid().mean(0)

    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 3))
    check_grad(mlp, x, (3, 4), (4,), (4, 2), seed=7, what="sigmoid(relu(x W1 + b1) W2)")


def test_detach_inside_a_graph_and_requires_grad_false_inputs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = y.detach() * x + y
    z.sum().backward()
    np.testing.assert_allclose(grad_of(x), [1.0 + 2.0, 4.0 + 4.0],
                               err_msg="z = stop(x^2) x + x^2: dz/dx = x^2 + 2x")


def test_float32_gradients_stay_float32():
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    w = ember.tensor([[0.5], [0.25]], dtype=ember.float64)
    y = (x.double() @ w).sum()
    y.backward()
    assert x.grad.dtype == ember.float32, (
        f"x is float32: the gradient through .double() is cast back, got {x.grad.dtype!r}")
    np.testing.assert_allclose(to_numpy(x.grad), [[0.5, 0.25]])


def test_zero_dim_and_size_one_broadcasts():
    check_grad(lambda a, b: a * b, (), (2, 1, 3), what="0-dim * (2,1,3)")
    check_grad(lambda a, b: (a + b).sum(1), (1, 1), (4, 1), what="(1,1) + (4,1), sum(1)")


def test_setitem_with_a_tensor_that_requires_grad_on_a_slice():
    v = ember.tensor([[1.0, 2.0]], dtype=ember.float64, requires_grad=True)
    w = ember.tensor([3.0, 4.0, 5.0], dtype=ember.float64, requires_grad=True)
    y = ember.zeros(3, 2, dtype=ember.float64)
    y = y + w.unsqueeze(1)
    y[1:2] = v * 2
    y.backward(ember.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=ember.float64))
    np.testing.assert_allclose(grad_of(v, "v"), [[6.0, 8.0]], err_msg="v's gradient: 2 * row 1")
    np.testing.assert_allclose(grad_of(w, "w"), [3.0, 0.0, 11.0],
                               err_msg="w's row 1 was overwritten: no gradient there")


def test_remainder_gradients():
    a = np.array([5.5, -3.2, 0.7])
    b = np.array([2.0, 1.5, -0.4])
    check_grad(lambda x, y: x % y, a, b, what="a % b (da = 1, db = -floor(a / b))")


def test_clone_contiguous_mT_and_casts():
    check_grad(lambda x: x.clone() * x, (2, 3), what="clone() * x")
    check_grad(lambda x: x.t().contiguous(), (2, 3), what="t().contiguous()")
    check_grad(lambda x: x.mT, (2, 3, 4), what=".mT")
    check_grad(lambda x: x.float().double() * 2, (3,), eps=1e-2, rtol=1e-4, atol=1e-4,
               what="float().double() * 2")

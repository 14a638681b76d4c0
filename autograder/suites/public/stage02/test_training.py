"""Stage 02 · training: the article's first training loop, by hand and with ``optim.SGD``.

Oracles: a small linear regression whose exact solution is known (training must converge
to it), hand-derived values of ``sigmoid``/``mse_loss`` and their gradients, and a NumPy
re-implementation of PyTorch's SGD update rule (momentum and weight decay included).
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import grad_of, to_numpy

TRUE_W = np.array([[2.0], [-3.0], [0.5]])
TRUE_B = 0.7


def _regression_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = x @ TRUE_W + TRUE_B
    return ember.tensor(x, dtype=ember.float32), ember.tensor(y, dtype=ember.float32)


def test_manual_gradient_descent_converges():
    x, y = _regression_data()
    w = ember.zeros(3, 1, requires_grad=True)
    b = ember.zeros(1, requires_grad=True)
    lr = 0.1
    for _ in range(150):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        w.data -= lr * w.grad
        b.data -= lr * b.grad
        w.grad = None  # zero the gradients: otherwise the next backward adds to them
        b.grad = None
    np.testing.assert_allclose(w.detach().numpy(), TRUE_W, atol=1e-3,
                               err_msg="w after 150 manual steps of gradient descent")
    assert abs(b.item() - TRUE_B) < 1e-3, f"b should reach {TRUE_B}, got {b.item()}"
    assert loss.item() < 1e-5, f"the loss should be ~0, got {loss.item()}"


def test_forgetting_to_zero_the_gradients_changes_the_step():
    x, y = _regression_data()
    w = ember.zeros(3, 1, requires_grad=True)
    ((x @ w - y) ** 2).mean().backward()
    first = grad_of(w, "w").copy()
    ((x @ w - y) ** 2).mean().backward()
    np.testing.assert_allclose(grad_of(w, "w"), 2 * first, rtol=1e-5,
                               err_msg="without zeroing, the second backward doubles w.grad")


def test_sigmoid_and_mse_loss_values_and_gradients():
    F = ember.nn.functional
    z = ember.tensor([0.0, 2.0, -1.0], dtype=ember.float64, requires_grad=True)
    s = F.sigmoid(z)
    sig = 1 / (1 + np.exp(-np.array([0.0, 2.0, -1.0])))
    np.testing.assert_allclose(s.detach().numpy(), sig, rtol=1e-12, err_msg="sigmoid values")
    target = ember.tensor([1.0, 0.0, 0.5], dtype=ember.float64)
    loss = F.mse_loss(s, target)
    assert abs(loss.item() - np.mean((sig - [1.0, 0.0, 0.5]) ** 2)) < 1e-12, "mse_loss (mean)"
    loss.backward()
    expected = 2 * (sig - [1.0, 0.0, 0.5]) / 3 * sig * (1 - sig)
    np.testing.assert_allclose(grad_of(z, "z"), expected, rtol=1e-10,
                               err_msg="d mse(sigmoid(z), t)/dz = 2(s - t)/n * s(1 - s)")
    a, t = ember.tensor([1.0, 3.0]), ember.tensor([0.0, 1.0])
    assert F.mse_loss(a, t, reduction="sum").item() == 5.0, "reduction='sum'"
    np.testing.assert_allclose(to_numpy(F.mse_loss(a, t, reduction="none")), [1.0, 4.0],
                               err_msg="reduction='none' keeps the elementwise squares")
    assert ember.nn.MSELoss()(a, t).item() == 2.5, "nn.MSELoss() averages by default"


def test_sgd_training_loop_converges():
    x, y = _regression_data(seed=1)
    w = ember.zeros(3, 1, requires_grad=True)
    b = ember.zeros(1, requires_grad=True)
    opt = ember.optim.SGD([w, b], lr=0.1)
    loss_fn = ember.nn.MSELoss()
    for _ in range(150):
        opt.zero_grad()
        loss = loss_fn(x @ w + b, y)
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.detach().numpy(), TRUE_W, atol=1e-3,
                               err_msg="w after 150 SGD steps")
    assert abs(b.item() - TRUE_B) < 1e-3, f"b should reach {TRUE_B}, got {b.item()}"


def test_zero_grad_sets_gradients_to_none():
    w = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    assert w.grad is not None, "backward must fill w.grad"
    opt.zero_grad()
    assert w.grad is None, "zero_grad() sets .grad to None by default (set_to_none=True)"


def _numpy_sgd(p, grads, lr, momentum=0.0, weight_decay=0.0):
    """PyTorch's SGD (dampening 0, no nesterov) in NumPy: the oracle of the update rule."""
    p = p.copy()
    buf = None
    for g in grads:
        d = g + weight_decay * p
        if momentum:
            buf = d.copy() if buf is None else momentum * buf + d
            d = buf
        p = p - lr * d
    return p


@pytest.mark.parametrize(("momentum", "weight_decay"), [(0.0, 0.0), (0.9, 0.0), (0.0, 0.1),
                                                        (0.5, 0.01)])
def test_sgd_update_rule_matches_numpy(momentum, weight_decay):
    rng = np.random.default_rng(3)
    p0 = rng.standard_normal(4)
    grads = [rng.standard_normal(4) for _ in range(4)]
    w = ember.tensor(p0, dtype=ember.float64, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.05, momentum=momentum, weight_decay=weight_decay)
    for g in grads:
        opt.zero_grad()
        (w * ember.tensor(g)).sum().backward()  # w.grad = g
        opt.step()
    np.testing.assert_allclose(
        w.detach().numpy(), _numpy_sgd(p0, grads, 0.05, momentum, weight_decay), rtol=1e-12,
        err_msg=f"SGD(lr=0.05, momentum={momentum}, weight_decay={weight_decay}) after 4 steps; "
                "momentum: buf = g on the first step, then buf = momentum * buf + g")
    assert w.is_leaf and w.grad_fn is None, "step() must update in place, under no_grad"

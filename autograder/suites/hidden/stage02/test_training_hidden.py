"""Hidden · stage 02: the training pieces beyond the public loop (a logistic fit with
``sigmoid``, parameters without gradients, ``param_groups``, ``zero_grad(set_to_none=False)``).

Oracles: NumPy re-implementations of the same computation and PyTorch's SGD semantics.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import grad_of


def test_logistic_regression_loss_decreases_and_matches_numpy():
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((40, 2))
    ys = (xs @ np.array([2.0, -1.0]) > 0).astype(np.float64)[:, None]
    x, y = ember.tensor(xs), ember.tensor(ys)
    w = ember.zeros(2, 1, dtype=ember.float64, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.5)
    wn = np.zeros((2, 1))
    losses = []
    for _ in range(30):
        opt.zero_grad()
        p = ember.nn.functional.sigmoid(x @ w)
        loss = ember.nn.functional.mse_loss(p, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        pn = 1 / (1 + np.exp(-(xs @ wn)))
        wn = wn - 0.5 * xs.T @ (2 * (pn - ys) / len(xs) * pn * (1 - pn))
    assert losses[-1] < losses[0] * 0.7, f"the loss must fall: {losses[0]} → {losses[-1]}"
    np.testing.assert_allclose(w.detach().numpy(), wn, rtol=1e-8,
                               err_msg="30 SGD steps of mse(sigmoid(xw), y) vs NumPy")


def test_sgd_skips_parameters_without_gradient_and_reads_param_groups():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([5.0], requires_grad=True)
    opt = ember.optim.SGD([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.param_groups[0]["lr"] = 0.5  # schedulers change the rate through param_groups
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [1.0 - 0.5 * 2, 2.0 - 0.5 * 4],
                               err_msg="a -= lr * 2a with the lr set in param_groups")
    assert b.item() == 5.0 and b.grad is None, "b got no gradient: step() leaves it alone"


def test_zero_grad_without_set_to_none_keeps_zero_tensors():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = ember.optim.SGD([a], lr=0.1)
    (a * 3).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_allclose(grad_of(a, "a"), [0.0, 0.0],
                               err_msg="zero_grad(set_to_none=False) fills .grad with zeros")
    (a * 3).sum().backward()
    np.testing.assert_allclose(grad_of(a, "a"), [3.0, 3.0])


def test_mse_loss_broadcast_free_gradient_by_hand():
    p = ember.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    t = ember.tensor([[0.0, 2.0], [1.0, 1.0]])
    ember.nn.MSELoss(reduction="sum")(p, t).backward()
    np.testing.assert_allclose(grad_of(p, "p"), [[2.0, 0.0], [4.0, 8.0]],
                               err_msg="d/dp sum((p - t)^2) = 2(p - t)")


def _numpy_sgd(p, grads, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """torch.optim.SGD's documented algorithm, in NumPy."""
    buf = None
    for g in grads:
        g = -g if maximize else g
        g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


@pytest.mark.parametrize(
    "options",
    [dict(momentum=0.9, nesterov=True), dict(momentum=0.8, dampening=0.5),
     dict(momentum=0.5, weight_decay=0.2, nesterov=True), dict(maximize=True, momentum=0.3)],
)
def test_sgd_options_match_numpy(options):
    rng = np.random.default_rng(11)
    p0 = rng.standard_normal(3)
    grads = [rng.standard_normal(3) for _ in range(5)]
    w = ember.tensor(p0, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1, **options)
    for g in grads:
        opt.zero_grad()
        (w * ember.tensor(g)).sum().backward()
        opt.step()
    full = dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)
    full.update(options)
    np.testing.assert_allclose(w.detach().numpy(), _numpy_sgd(p0, grads, 0.1, **full),
                               rtol=1e-12, err_msg=f"SGD(lr=0.1, {options}) after 5 steps")

"""Stage 08 · adam: ``Adam`` and ``AdamW``, every option, state per parameter.

Oracle: a NumPy replay of the update in the ``Adam`` docstring (PyTorch's algorithm), in
float64 over many steps with random gradients, so that a wrong bias correction, a
coupled weight decay or a shared state shows as a different trajectory.
"""

import numpy as np
import pytest

import ember
from ember.optim import Adam, AdamW

OPTIONS = [
    {},
    {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
    {"weight_decay": 0.1},
    {"amsgrad": True},
    {"maximize": True, "weight_decay": 0.05},
    {"amsgrad": True, "weight_decay": 0.02, "lr": 0.05},
]


def _numpy_adam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                amsgrad=False, maximize=False, decoupled=False):
    p = p.copy()
    m, v, vmax = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if weight_decay and decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        if amsgrad:
            vmax = np.maximum(vmax, v)
        second = vmax if amsgrad else v
        p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(second / (1 - betas[1] ** t)) + eps)
    return p


def _run(opt_class, options, steps=40, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    start = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) * rng.uniform(0.1, 3.0) for _ in range(steps)]
    w = ember.tensor(start, dtype=ember.float64, requires_grad=True)
    opt = opt_class([w], **options)
    for g in grads:
        w.grad = ember.tensor(g, dtype=ember.float64)
        opt.step()
    return w, opt, start, grads


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: str(o) or "defaults")
def test_adam_matches_the_algorithm(options):
    w, _, start, grads = _run(Adam, options)
    np.testing.assert_allclose(w.detach().numpy(), _numpy_adam(start, grads, **options),
                               rtol=1e-10, atol=1e-12, err_msg=f"Adam({options}) after 40 steps")


@pytest.mark.parametrize("options", [{}, {"weight_decay": 0.3, "lr": 0.01},
                                     {"amsgrad": True, "maximize": True}],
                         ids=lambda o: str(o) or "defaults")
def test_adamw_decays_the_weights_directly(options):
    w, _, start, grads = _run(AdamW, options)
    expected = _numpy_adam(start, grads, decoupled=True, **{"weight_decay": 1e-2, **options})
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-10, atol=1e-12,
                               err_msg=f"AdamW({options}): θ ← θ(1 - lr·λ), then Adam")


def test_first_step_moves_by_lr():
    w = ember.tensor([1.0, -2.0, 3.0], dtype=ember.float64, requires_grad=True)
    opt = Adam([w], lr=0.1)
    w.grad = ember.tensor([5.0, -0.01, 100.0], dtype=ember.float64)
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.9, -1.9, 2.9], rtol=1e-6,
                               err_msg="with bias correction the first step is lr·sign(g)")


def test_state_is_per_parameter():
    rng = np.random.default_rng(3)
    a0, b0 = rng.standard_normal(4), rng.standard_normal(4)
    a = ember.tensor(a0, dtype=ember.float64, requires_grad=True)
    b = ember.tensor(b0, dtype=ember.float64, requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    grads_a, grads_b = [], []
    for step in range(10):
        ga = rng.standard_normal(4)
        a.grad = ember.tensor(ga, dtype=ember.float64)
        grads_a.append(ga)
        b.grad = None
        if step % 2 == 0:   # b gets a gradient every other step only
            gb = rng.standard_normal(4)
            b.grad = ember.tensor(gb, dtype=ember.float64)
            grads_b.append(gb)
        opt.step()
    assert opt.state[a]["step"] == 10 and opt.state[b]["step"] == 5, (
        "each parameter counts its own steps (b was skipped when its .grad was None)")
    assert {"exp_avg", "exp_avg_sq"} <= set(opt.state[a])
    np.testing.assert_allclose(a.detach().numpy(), _numpy_adam(a0, grads_a, lr=0.1),
                               rtol=1e-10)
    np.testing.assert_allclose(b.detach().numpy(), _numpy_adam(b0, grads_b, lr=0.1),
                               rtol=1e-10, err_msg="b's bias correction uses b's own step")


def test_step_never_changes_the_gradient():
    w = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    grad = ember.tensor([0.5, -1.0], dtype=ember.float64)
    w.grad = grad
    opt = AdamW([w], lr=0.1, weight_decay=0.5, amsgrad=True, maximize=True)
    opt.step()
    opt.step()
    assert w.grad is grad, "step() keeps the .grad tensor"
    np.testing.assert_array_equal(grad.numpy(), [0.5, -1.0], err_msg="and its values")


def test_adam_state_dict_round_trip():
    w, opt, _, _ = _run(Adam, {"amsgrad": True, "lr": 0.01}, steps=5)
    sd = opt.state_dict()
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    saved = sd["state"][0]["exp_avg"].numpy().copy()
    copy = ember.tensor(w.detach().numpy(), dtype=ember.float64, requires_grad=True)
    g = np.linspace(-1, 1, 12).reshape(3, 4)
    w.grad = ember.tensor(g, dtype=ember.float64)
    opt.step()   # Adam updates its moments in place: the saved dict must not follow
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].numpy(), saved,
                                  err_msg="state_dict() holds copies of the state tensors")
    fresh = Adam([copy], lr=0.5)
    fresh.load_state_dict(sd)
    copy.grad = ember.tensor(g, dtype=ember.float64)
    fresh.step()
    np.testing.assert_array_equal(copy.detach().numpy(), w.detach().numpy(),
                                  err_msg="a loaded Adam continues exactly")


def test_adam_on_a_model_with_closure():
    ember.manual_seed(0)
    model = ember.nn.Linear(3, 1)
    x, y = ember.randn(16, 3), ember.randn(16, 1)
    opt = Adam(model.parameters(), lr=0.05)

    def closure():
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        return loss

    first = opt.step(closure).item()
    for _ in range(50):
        last = opt.step(closure).item()
    assert last < first, f"Adam lowers the loss of a linear fit ({first:.4f} -> {last:.4f})"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lr": -1}, "Invalid learning rate: -1"),
    ({"eps": -0.1}, "Invalid epsilon value: -0.1"),
    ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ({"betas": (0.9, -0.5)}, "Invalid beta parameter at index 1: -0.5"),
    ({"weight_decay": -1e-3}, "Invalid weight_decay value: -0.001"),
])
def test_adam_argument_errors(kwargs, message):
    w = ember.zeros(2, requires_grad=True)
    for opt_class in (Adam, AdamW):
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            opt_class([w], **kwargs)
    # valid arguments give a working optimizer
    opt = Adam([w])
    w.grad = ember.ones(2)
    opt.step()
    assert opt.state[w]["step"] == 1

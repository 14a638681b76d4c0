"""Stage 08 · optimizer: parameter groups and the optimizer's state dict.

Oracle: PyTorch's ``torch.optim.Optimizer`` (``ember`` replaces ``torch``) and NumPy
replays of SGD's update. Groups get every option they do not name from the defaults; a
parameter belongs to one group only; ``state_dict()`` numbers the parameters over the
groups in order and copies the state; ``load_state_dict()`` restores options and state.
"""

import numpy as np
import pytest

import ember
from ember.optim import SGD, Optimizer, required


def _params(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [ember.tensor(rng.standard_normal(s), dtype=ember.float64, requires_grad=True)
            for s in shapes]


def _set_grads(params, seed):
    rng = np.random.default_rng(seed)
    for p in params:
        p.grad = ember.tensor(rng.standard_normal(tuple(p.shape)), dtype=ember.float64)


def test_groups_get_the_defaults():
    a, b = _params((2,), (3,))
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.9)
    first, second = opt.param_groups
    assert first["params"][0] is a and second["params"][0] is b, "params kept in order"
    assert (first["lr"], second["lr"]) == (0.1, 0.01), "a group's own lr wins"
    for group in opt.param_groups:
        assert group["momentum"] == 0.9, "an option the group does not name is the default"
        assert set(group) == {"params", "lr", "momentum", "dampening", "weight_decay",
                              "nesterov", "maximize"}, f"every option is filled: {set(group)}"


def test_add_param_group_steps_with_its_own_options():
    a, b = _params((2,), (2, 2))
    a0, b0 = a.detach().numpy().copy(), b.detach().numpy().copy()
    opt = SGD([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.5})   # a single tensor is a group of one
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["params"][0] is b
    _set_grads([a, b], seed=1)
    ga, gb = a.grad.numpy().copy(), b.grad.numpy().copy()
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), a0 - 0.1 * ga, rtol=1e-12)
    np.testing.assert_allclose(b.detach().numpy(), b0 - 0.5 * gb, rtol=1e-12,
                               err_msg="the added group steps with its own lr")


def test_a_parameter_in_two_groups_is_refused():
    a, b = _params((2,), (2,))
    message = "some parameters appear in more than one parameter group"
    with pytest.raises(ValueError, match=message):
        SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1)
    opt = SGD([{"params": [a]}], lr=0.1)
    with pytest.raises(ValueError, match=message):
        opt.add_param_group({"params": [a]})
    assert len(opt.param_groups) == 1, "a refused group is not added"


def test_a_required_option_must_be_given():
    (a,) = _params((2,))

    class Plain(Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Plain([{"params": [a]}])
    assert Plain([{"params": [a], "lr": 0.3}]).param_groups[0]["lr"] == 0.3


def test_zero_grad_sets_none_or_zeros():
    a, b = _params((2,), (3,))
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    _set_grads([a, b], seed=2)
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and not a.grad.numpy().any(), (
        "zero_grad(set_to_none=False) zeroes the gradient tensors in place")
    opt.zero_grad()
    assert a.grad is None and b.grad is None, (
        "zero_grad() (set_to_none=True, the default) sets .grad to None in every group")


def test_state_dict_layout():
    a, b, c = _params((2,), (3,), (2, 2))
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.01}], lr=0.1, momentum=0.9)
    for step in range(2):
        _set_grads([a, b, c], seed=step)
        opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}, "torch's two keys"
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]], (
        "parameters are numbered over the groups in order")
    assert sd["param_groups"][1]["lr"] == 0.01 and sd["param_groups"][0]["momentum"] == 0.9
    assert set(sd["state"]) == {0, 1, 2}
    for number, p in enumerate([a, b, c]):
        np.testing.assert_array_equal(sd["state"][number]["momentum_buffer"].numpy(),
                                      opt.state[p]["momentum_buffer"].numpy())
    saved = sd["state"][0]["momentum_buffer"].numpy().copy()
    _set_grads([a, b, c], seed=7)
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"].numpy(), saved,
                                  err_msg="the state dict holds copies, not the live state")


def test_load_state_dict_continues_the_run():
    shapes = ((2,), (3,))
    run, copy = _params(*shapes), _params(*shapes)
    opt = SGD([{"params": run[:1]}, {"params": run[1:], "lr": 0.05}], lr=0.1, momentum=0.9,
              nesterov=True)
    for step in range(3):
        _set_grads(run, seed=step)
        opt.step()
    with ember.no_grad():
        for p, q in zip(copy, run, strict=True):
            p.copy_(q)
    fresh = SGD([{"params": copy[:1]}, {"params": copy[1:]}], lr=1.0, momentum=0.5)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.param_groups[1]["lr"] == 0.05 and fresh.param_groups[0]["momentum"] == 0.9, (
        "load_state_dict restores every group's options")
    assert fresh.param_groups[0]["params"][0] is copy[0], "and keeps its own parameters"
    for step in range(3, 6):
        _set_grads(run, seed=step)
        _set_grads(copy, seed=step)
        opt.step()
        fresh.step()
    for p, q in zip(copy, run, strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(),
                                      err_msg="the loaded optimizer continues the same run")


def test_load_state_dict_checks_the_groups():
    a, b = _params((2,), (2,))
    opt = SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        SGD([a, b], lr=0.1).load_state_dict(opt.state_dict())
    two = SGD([{"params": [a, b]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        SGD([{"params": [a]}], lr=0.1).load_state_dict(two)

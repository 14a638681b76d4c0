"""Stage 08 against PyTorch: optimizers over 100 steps, optimizer state dicts, grad modes.

The same small model (a linear layer and a tanh layer, float64) is trained by ember and by
torch from the same start on the same batches; after 100 steps the parameters agree to
rtol 1e-10 (float64 rounding only: both follow the same algorithm), for every option
combination of SGD, Adam and AdamW.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch

import ember

STEPS = 100


def _batches(seed: int = 0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 4)), rng.standard_normal((8, 2))) for _ in range(STEPS)]


def _start(seed: int = 1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((4, 3)) * 0.5, rng.standard_normal(3) * 0.1,
            rng.standard_normal((3, 2)) * 0.5]


def _loss(lib, params, x, y):
    w1, b1, w2 = params
    return ((lib.tanh(x @ w1 + b1) @ w2 - y) ** 2).mean()


def _train(lib, make_opt, skip_every: int = 0, sign: float = 1.0):
    """100 steps; with skip_every, the bias gets no gradient on every skip_every-th step.

    ``sign=-1`` trains on the negated loss (for ``maximize=True``: ascending a loss that
    grows without bound would amplify rounding differences chaotically)."""
    params = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in _start()]
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.02}]
    opt = make_opt(lib, groups)
    for step, (x, y) in enumerate(_batches()):
        opt.zero_grad()
        (sign * _loss(lib, params, lib.tensor(x), lib.tensor(y))).backward()
        if skip_every and step % skip_every == 0:
            params[1].grad = None
        opt.step()
    return [p.detach().numpy() for p in params], opt


SGD_OPTIONS = [dict(zip(("momentum", "dampening", "nesterov", "weight_decay", "maximize"), v,
                        strict=True))
               for v in itertools.product((0.0, 0.9), (0.0, 0.3), (False, True), (0.0, 0.01),
                                          (False, True))
               if not (v[2] and (v[0] == 0 or v[1] != 0))]
ADAM_OPTIONS = [dict(zip(("weight_decay", "amsgrad", "maximize"), v, strict=True))
                for v in itertools.product((0.0, 0.05), (False, True), (False, True))]


def _compare(make_opt, skip_every=0, maximize=False):
    sign = -1.0 if maximize else 1.0
    ours, _ = _train(ember, make_opt, skip_every, sign)
    theirs, _ = _train(torch, make_opt, skip_every, sign)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=str)
def test_sgd_matches_torch(options):
    _compare(lambda lib, groups: lib.optim.SGD(groups, lr=0.05, **options),
             maximize=options["maximize"])


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=str)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_matches_torch(name, options):
    def make(lib, groups):
        return getattr(lib.optim, name)(groups, lr=0.01, betas=(0.85, 0.99), eps=1e-7,
                                        **options)
    _compare(make, maximize=options["maximize"])


@pytest.mark.parametrize("name", ["Adam", "AdamW", "SGD"])
def test_parameters_that_skip_steps_match_torch(name):
    options = {"momentum": 0.9} if name == "SGD" else {"amsgrad": True}
    _compare(lambda lib, groups: getattr(lib.optim, name)(groups, lr=0.01, **options),
             skip_every=3)


@pytest.mark.parametrize("name", ["Adam", "SGD"])
def test_state_dict_layout_matches_torch(name):
    options = {"momentum": 0.9} if name == "SGD" else {"amsgrad": True}
    _, ours = _train(ember, lambda lib, g: getattr(lib.optim, name)(g, lr=0.01, **options))
    _, theirs = _train(torch, lambda lib, g: getattr(lib.optim, name)(g, lr=0.01, **options))
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b) == ["state", "param_groups"]
    assert [g["params"] for g in a["param_groups"]] == [g["params"] for g in b["param_groups"]]
    for ga, gb in zip(a["param_groups"], b["param_groups"], strict=True):
        common = set(ga) & set(gb)
        assert {k: ga[k] for k in common} == {k: gb[k] for k in common}
        # torch has extra implementation switches (foreach, fused, capturable, ...)
        assert set(ga) <= set(gb), f"ember's group options are torch's: {set(ga) - set(gb)}"
    assert list(a["state"]) == list(b["state"])
    for number, state in a["state"].items():
        assert set(state) == set(b["state"][number])
        for key, value in state.items():
            theirs_value = b["state"][number][key]
            if key == "step":   # torch keeps a float tensor, ember an int
                assert value == int(theirs_value.item())
            else:
                np.testing.assert_allclose(value.numpy(), theirs_value.numpy(), rtol=1e-10)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"lr": -1}, "Adam"), ({"eps": -1.0}, "Adam"), ({"betas": (1.0, 0.9)}, "AdamW"),
    ({"betas": (0.9, 1.5)}, "Adam"), ({"weight_decay": -0.5}, "AdamW"),
])
def test_argument_errors_match_torch(kwargs, name):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_group_errors_match_torch():
    for lib in (torch, ember):
        a = lib.zeros(2, requires_grad=True)
        with pytest.raises(ValueError, match="some parameters appear in more than one "
                                             "parameter group"):
            lib.optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)


def test_volatile_warning_matches_torch():
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.autograd.Variable(torch.ones(2), volatile=True)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        ember.autograd.Variable(ember.ones(2), volatile=True)
    assert [str(w.message).replace("torch", "ember") for w in theirs] == [
        str(w.message) for w in ours]


def test_generator_decorator_modes_match_torch():
    def modes(lib):
        @lib.no_grad()
        def gen():
            yield lib.is_grad_enabled()
            yield lib.is_grad_enabled()
        seen = []
        for inside in gen():
            seen.append((inside, lib.is_grad_enabled()))
        with lib.inference_mode():
            seen.append(lib.is_inference_mode_enabled())
        return seen
    assert modes(ember) == modes(torch)

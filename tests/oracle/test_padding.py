"""``F.pad`` and ``Conv2d(padding_mode=...)`` against torch 2.13: values, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _oracle import check

import ember

CASES = [
    ((1, 2, 5), (2, 1)), ((1, 2, 5), (0, 3)), ((2, 3, 4), (-1, 2)), ((2, 1, 4, 5), (1, 2, 3, 1)),
    ((3, 4, 5), (2, 2, 1, 0)), ((1, 2, 3, 4, 3), (1, 1, 2, 0, 1, 2)), ((2, 5), (4, 4)),
]
MODES = ["constant", "reflect", "replicate", "circular"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, pad", CASES)
def test_pad_values_and_gradients_like_torch(shape, pad, mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    got = check(lambda: torch.nn.functional.pad(tx, pad, mode=mode),
                lambda: ember.nn.functional.pad(ex, pad, mode=mode), match=True)
    if got is None:
        return  # torch refused; ember raised the same
    mine, theirs = got
    weights = rng.standard_normal(tuple(theirs.shape))
    (theirs * torch.tensor(weights)).sum().backward()
    (mine * ember.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12,
                               err_msg="each output position sends its gradient to its source")


def test_constant_pad_value_and_errors():
    x = np.arange(6.0).reshape(1, 2, 3)
    check(lambda: torch.nn.functional.pad(torch.tensor(x), (1, 2), value=7.5),
          lambda: ember.nn.functional.pad(ember.tensor(x), (1, 2), value=7.5))
    for pad, mode in [((1,), "constant"), ((1, 1), "foo"), ((1,) * 8, "constant"),
                      ((3, 3), "reflect"), ((4, 0), "circular"), ((1, 1), "reflect")]:
        shape = (3,) if pad == (1, 1) and mode == "reflect" else x.shape
        check(lambda p=pad, m=mode, s=shape: torch.nn.functional.pad(torch.zeros(s), p, mode=m),
              lambda p=pad, m=mode, s=shape: ember.nn.functional.pad(ember.zeros(s), p, mode=m),
              match=True)
    check(lambda: torch.nn.functional.pad(torch.zeros(1, 3), (1, 1), "reflect", 1.0),
          lambda: ember.nn.functional.pad(ember.zeros(1, 3), (1, 1), "reflect", 1.0), match=True)


@pytest.mark.parametrize("padding", [1, (2, 1), "same", "valid"])
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv2d_padding_modes_like_torch(mode, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 7))
    theirs = torch.nn.Conv2d(3, 4, 3, padding=padding, padding_mode=mode).double()
    mine = ember.nn.Conv2d(3, 4, 3, padding=padding, padding_mode=mode, dtype=ember.float64)
    with ember.no_grad():
        mine.weight.copy_(ember.tensor(theirs.weight.detach().numpy()))
        mine.bias.copy_(ember.tensor(theirs.bias.detach().numpy()))
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    out_t, out_e = theirs(tx), mine(ex)
    np.testing.assert_allclose(out_e.detach().numpy(), out_t.detach().numpy(), rtol=1e-10)
    out_t.sum().backward()
    out_e.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-10)
    assert repr(mine) == repr(theirs).replace("torch.", "ember."), "the repr names the mode"

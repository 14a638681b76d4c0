"""Module backward hooks (``register_full_backward_hook`` and its pre form) against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _pair(seed: int = 0):
    """A 3-4-2 MLP in torch and ember with the same weights, and an input for both."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s) for s in ((4, 3), (4,), (2, 4), (2,))]
    x = rng.standard_normal((5, 3))
    models = []
    for m in (torch, ember):
        net = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.ReLU(), m.nn.Linear(4, 2)).double()
        with m.no_grad():
            for p, w in zip(net.parameters(), weights, strict=True):
                p.copy_(m.tensor(w))
        models.append(net)
    return models, x


def _shapes(grads) -> list:
    return [None if g is None else tuple(g.shape) for g in grads]


def _record(m, net, x, *, replace=None, pre=None, input_grad=True):
    seen = []

    def hook(module, grad_input, grad_output):
        seen.append(("full", type(module).__name__, _shapes(grad_input), _shapes(grad_output),
                     [None if g is None else g.detach().numpy().copy() for g in grad_input]))
        return replace(grad_input) if replace else None

    def pre_hook(module, grad_output):
        seen.append(("pre", type(module).__name__, _shapes(grad_output)))
        return pre(grad_output) if pre else None

    handles = [net[0].register_full_backward_hook(hook), net.register_full_backward_hook(hook),
               net[2].register_full_backward_pre_hook(pre_hook)]
    tx = m.tensor(x, requires_grad=input_grad)
    net(tx).sum().backward()
    for handle in handles:
        handle.remove()
    return seen, tx


def _same(mine, theirs):
    assert [s[:4] if s[0] == "full" else s for s in mine] == [
        s[:4] if s[0] == "full" else s for s in theirs], "hooks called in the same order"
    for a, b in zip(mine, theirs, strict=True):
        if a[0] == "full":
            for ga, gb in zip(a[4], b[4], strict=True):
                assert (ga is None) == (gb is None)
                if ga is not None:
                    np.testing.assert_allclose(ga, gb, rtol=1e-12)


def test_hooks_see_the_gradients_torch_sees_in_torchs_order():
    (tnet, enet), x = _pair()
    theirs, tx = _record(torch, tnet, x)
    mine, ex = _record(ember, enet, x)
    _same(mine, theirs)
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_returned_gradients_replace_the_originals():
    (tnet, enet), x = _pair(1)
    double = lambda grads: tuple(None if g is None else 2 * g for g in grads)  # noqa: E731
    theirs, tx = _record(torch, tnet, x, replace=double, pre=double)
    mine, ex = _record(ember, enet, x, replace=double, pre=double)
    _same(mine, theirs)
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    for a, b in zip(enet.parameters(), tnet.parameters(), strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12,
                                   err_msg="the pre-hook's gradient reaches the weights")


def test_an_input_without_grad_gives_none_and_removed_hooks_are_silent():
    (tnet, enet), x = _pair(2)
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        theirs, _ = _record(torch, tnet, x, input_grad=False)
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        mine, _ = _record(ember, enet, x, input_grad=False)
    _same(mine, theirs)
    assert mine and all(s[2] == [None] for s in mine if s[0] == "full")
    calls = []
    handle = enet.register_full_backward_hook(lambda *a: calls.append(1))
    handle.remove()
    enet(ember.tensor(x, requires_grad=True)).sum().backward()
    assert calls == [], "a removed hook is never called"

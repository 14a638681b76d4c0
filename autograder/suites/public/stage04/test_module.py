"""Stage 04 · module: the walkers of ``nn.Module``, modes, hooks and ``repr``.

Registration itself (``__setattr__``, ``__getattr__``) is tested in ``test_registration.py``.

Oracle: PyTorch's behaviour, names and messages (``ember`` replaces ``torch``), on small
modules defined here (parameters, buffers, nested children), and hand-computed values.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import grad_of, to_numpy

nn = ember.nn


class _Affine(nn.Module):
    """``x * w + b`` with ``n`` features and a step counter buffer."""

    def __init__(self, n=2):
        super().__init__()
        self.w = nn.Parameter(ember.ones(n))
        self.b = nn.Parameter(ember.zeros(n))
        self.register_buffer("steps", ember.zeros(1))

    def extra_repr(self):
        return f"n={self.w.shape[0]}"

    def forward(self, x):
        return x * self.w + self.b


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = _Affine(2)
        self.scale = nn.Parameter(ember.tensor([3.0]))
        self.inner = nn.Module()
        self.inner.second = _Affine(3)
        self.note = "plain attribute"

    def forward(self, x):
        return self.first(x) * self.scale


def _names(pairs):
    return [name for name, _ in pairs]


def test_named_parameters_dotted_names_in_order():
    net = _Net()
    assert _names(net.named_parameters()) == ["scale", "first.w", "first.b",
                                              "inner.second.w", "inner.second.b"], (
        "own parameters first, then each child's with 'child.' prefixes, depth first; got "
        f"{_names(net.named_parameters())}")
    assert _names(net.named_parameters(recurse=False)) == ["scale"], "recurse=False: own only"
    assert _names(net.named_parameters(prefix="model")) == [
        "model.scale", "model.first.w", "model.first.b", "model.inner.second.w",
        "model.inner.second.b"], "prefix is prepended with a dot"
    params = list(net.parameters())
    assert len(params) == 5 and params[0] is net.scale, "parameters() yields the same objects"
    assert sum(p.numel() for p in net.parameters()) == 1 + 2 * 2 + 2 * 3, "parameter count"


def test_named_modules_children_and_buffers():
    net = _Net()
    assert _names(net.named_modules()) == ["", "first", "inner", "inner.second"], (
        f"named_modules: self as '', then descendants depth first: {_names(net.named_modules())}")
    assert list(net.modules())[0] is net, "modules() starts with the module itself"
    assert _names(net.named_children()) == ["first", "inner"], "named_children: direct only"
    assert list(net.children()) == [net.first, net.inner], "children(): the child objects"
    assert _names(net.named_buffers()) == ["first.steps", "inner.second.steps"], (
        f"named_buffers: dotted names of registered buffers, got {_names(net.named_buffers())}")
    assert len(list(net.buffers())) == 2, "buffers()"


def test_shared_parameters_and_modules_are_listed_once():
    net = nn.Module()
    layer = _Affine(2)
    net.a = layer
    net.b = layer  # the same module under two names
    net.w = nn.Parameter(ember.ones(1))
    net.v = net.w  # the same parameter under two names
    assert _names(net.named_parameters()) == ["w", "a.w", "a.b"], (
        "a shared parameter or module is listed once, under its first name; got "
        f"{_names(net.named_parameters())}")
    assert sum(p.numel() for p in net.parameters()) == 5, "shared parameters counted once"
    assert _names(net.named_modules()) == ["", "a"], "a shared module is listed once"
    assert _names(net.named_parameters(remove_duplicate=False)) == [
        "w", "v", "a.w", "a.b", "b.w", "b.b"], "remove_duplicate=False lists every name"


def test_train_and_eval_reach_every_descendant():
    net = _Net()
    assert all(m.training for m in net.modules()), "modules start in training mode"
    assert net.eval() is net, "eval() returns the module"
    assert not any(m.training for m in net.modules()), (
        "eval() must set training=False on every descendant, not just the top module")
    net.inner.train()
    assert net.inner.second.training and not net.first.training, "train() on a sub-tree"
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train(1)


def test_zero_grad_and_requires_grad():
    net = _Net()
    x = ember.tensor([1.0, 2.0])
    net(x).sum().backward()
    np.testing.assert_allclose(grad_of(net.first.w, "first.w"), [3.0, 6.0],
                               err_msg="d sum((x*w+b)*s)/dw = x*s")
    net.zero_grad(set_to_none=False)
    np.testing.assert_allclose(grad_of(net.first.w, "first.w"), [0.0, 0.0],
                               err_msg="zero_grad(set_to_none=False) fills zeros")
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters()), "zero_grad() sets grads to None"
    assert net.requires_grad_(False) is net, "requires_grad_ returns the module"
    assert not any(p.requires_grad for p in net.parameters()), "requires_grad_(False) freezes"


def test_apply_visits_children_first():
    net = _Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net, "apply returns self"
    assert seen == ["_Affine", "_Affine", "Module", "_Net"], (
        f"apply calls fn on children (recursively) before the module itself, got {seen}")


def test_forward_hooks_and_handles():
    layer = _Affine(2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 10,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(out.shape))
    out = layer(ember.tensor([1.0, 2.0]))
    np.testing.assert_allclose(to_numpy(out.detach()), [10.0, 20.0],
                               err_msg="a pre-hook's returned args replace the inputs")
    assert len(calls) == 1, "the forward hook runs once per call"
    pre.remove()
    post.remove()
    np.testing.assert_allclose(to_numpy(layer(ember.tensor([1.0, 2.0])).detach()), [1.0, 2.0],
                               err_msg="after handle.remove() the hook no longer runs")
    layer.register_forward_hook(lambda m, args, out: out + 1)
    np.testing.assert_allclose(to_numpy(layer(ember.tensor([0.0, 0.0])).detach()), [1.0, 1.0],
                               err_msg="a forward hook's non-None result replaces the output")


def test_layer_called_twice_shares_weights_and_adds_gradients():
    layer = _Affine(2)
    net = nn.Module()
    net.layer = layer
    x = ember.tensor([1.0, 2.0])
    (layer(x) + layer(x * 3)).sum().backward()
    np.testing.assert_allclose(grad_of(layer.w, "w"), [4.0, 8.0],
                               err_msg="two uses of one layer: dw = x + 3x")
    assert len(list(net.parameters())) == 2, "one layer, one set of parameters"


def test_repr_composes_extra_repr_and_children():
    expected = ("_Net(\n"
                "  (first): _Affine(n=2)\n"
                "  (inner): Module(\n"
                "    (second): _Affine(n=3)\n"
                "  )\n"
                ")")
    assert repr(_Net()) == expected, f"repr like torch's, got:\n{_Net()!r}"
    assert repr(_Affine(4)) == "_Affine(n=4)", "no children: extra_repr on one line"
    assert repr(nn.Module()) == "Module()", "nothing to show: Name()"


def test_a_plain_list_of_layers_is_not_registered():
    class Bad(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [_Affine(2), _Affine(2)]  # the classic bug: a plain list

    bad = Bad()
    assert list(bad.parameters()) == [], (
        "modules in a plain Python list are not registered: parameters() cannot see them")
    assert bad.layers[0].w is not None and list(bad.children()) == [], "only plain attributes"

"""Stage 02 · api: the Tensor's autograd attributes and the ``ember.autograd`` functions.

Oracle: PyTorch's behaviour and error messages (``ember`` replaces ``torch``): which
tensors are leaves, what ``detach``/``.data``/``no_grad`` do, hooks, ``retain_grad``,
``autograd.grad``/``autograd.backward`` and the legacy ``Variable``.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import grad_of, to_numpy

FLOAT_ONLY = "[Oo]nly Tensors of floating point"


def test_requires_grad_propagates_and_repr_shows_grad_fn():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)", repr(x)
    y = x * 2
    assert y.requires_grad, "an op on a tensor that requires grad gives one that requires grad"
    assert repr(y) == "tensor([2., 4.], grad_fn=<MulBackward0>)", (
        f"repr of x * 2 must name its backward node like torch, got {y!r}")
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward0>)", repr(x.sum())
    y.sum().backward()
    assert repr(x.grad) == "tensor([2., 2.])", (
        f"x.grad is a plain tensor (no grad_fn, no requires_grad), got {x.grad!r}")


def test_requires_grad_on_an_integer_tensor_raises():
    t = ember.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match=FLOAT_ONLY):
        t.requires_grad = True
    with pytest.raises(RuntimeError, match=FLOAT_ONLY):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match=FLOAT_ONLY):
        ember.tensor([1, 2], requires_grad=True)
    f = ember.tensor([1.0]).requires_grad_()
    assert f.requires_grad and (f * 1).requires_grad, "requires_grad_() turns tracking on"
    (f * 3).sum().backward()
    np.testing.assert_allclose(grad_of(f, "f"), [3.0], err_msg="f.requires_grad_() then backward")


def test_numpy_of_a_tensor_that_requires_grad_raises():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError,
                       match=r"Can't call numpy\(\) on Tensor that requires grad. "
                             r"Use tensor.detach\(\).numpy\(\) instead."):
        x.numpy()
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        (x * 2).numpy()  # a result computed from x requires grad too
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 1.0])
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0],
                                  err_msg="x.grad does not require grad: numpy() works on it")


def test_detach_shares_data_but_leaves_the_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf, (
        "detach() returns a leaf that does not require grad")
    z = (d * x).sum()
    z.backward()
    np.testing.assert_allclose(grad_of(x), [3.0, 6.0],
                               err_msg="d = (3x).detach() is a constant: d(d*x)/dx = d")


def test_data_is_untracked_and_shares_storage():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    assert not w.data.requires_grad, ".data is a plain tensor that does not require grad"
    w.data -= 0.5  # the article's manual update, untracked
    assert w.requires_grad and w.is_leaf, "updating .data keeps w a leaf that requires grad"
    (w * w).sum().backward()
    np.testing.assert_allclose(grad_of(w, "w"), [1.0, 3.0],
                               err_msg="the gradient uses the updated values 0.5 and 1.5")


def test_no_grad_stops_recording():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None, "inside no_grad() nothing is recorded"
    z = x * 2
    assert z.requires_grad and z.grad_fn is not None, "outside no_grad() recording resumes"
    (y * z).sum().backward()
    np.testing.assert_allclose(grad_of(x), [4.0, 4.0],
                               err_msg="y = 2x computed under no_grad is a constant: "
                                       "d(y * 2x)/dx = 2y = 4")

    @ember.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad, "no_grad also works as a decorator"
    assert ember.is_grad_enabled(), "no_grad restores grad mode on exit"


def test_register_hook_can_change_the_gradient():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    seen = []

    def hook(g):
        seen.append(to_numpy(g, "the hook's gradient").copy())
        return g * 10

    y.register_hook(hook)
    y.backward(ember.tensor([1.0, 2.0]))
    np.testing.assert_allclose(seen[0], [1.0, 2.0], err_msg="the hook sees y's gradient")
    np.testing.assert_allclose(grad_of(x), [20.0, 40.0],
                               err_msg="the hook's return value replaces the gradient")


def test_hook_handle_remove_and_leaf_hooks():
    x = ember.ones(2, requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    (x * 3).sum().backward()
    assert calls == [1], "a leaf's hook runs once per backward"
    handle.remove()
    (x * 3).sum().backward()
    assert calls == [1], "after handle.remove() the hook no longer runs"
    np.testing.assert_allclose(grad_of(x), [6.0, 6.0])


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    z = y * 3
    z.sum().backward()
    np.testing.assert_allclose(grad_of(y, "y"), [3.0, 3.0],
                               err_msg="y.retain_grad() keeps dz/dy in y.grad")
    assert z.grad is None, "without retain_grad a non-leaf gets no .grad"
    np.testing.assert_allclose(grad_of(x), [6.0, 12.0])


def test_autograd_grad_returns_without_touching_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor(3.0, requires_grad=True)
    out = (x * x * w).sum()
    gx, gw = ember.autograd.grad(out, [x, w])
    np.testing.assert_allclose(to_numpy(gx, "dx"), [6.0, 12.0], err_msg="d/dx sum(x^2 w) = 2xw")
    assert abs(gw.item() - 5.0) < 1e-6, "d/dw sum(x^2 w) = sum(x^2) = 5"
    assert x.grad is None and w.grad is None, "autograd.grad must not write .grad"
    (g,) = ember.autograd.grad(x * 2, x, grad_outputs=ember.tensor([1.0, -1.0]))
    np.testing.assert_allclose(to_numpy(g), [2.0, -2.0], err_msg="grad_outputs is the upstream")


def test_autograd_grad_of_an_unused_input_raises():
    x = ember.ones(2, requires_grad=True)
    u = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ember.autograd.grad((x * 2).sum(), [x, u])
    gx, gu = ember.autograd.grad((x * 2).sum(), [x, u], allow_unused=True)
    assert gu is None, "allow_unused=True gives None for an unused input"


def test_autograd_backward_of_several_outputs():
    x = ember.ones(2, requires_grad=True)
    ember.autograd.backward([(x * 2).sum(), (x * 3).sum()])
    np.testing.assert_allclose(grad_of(x), [5.0, 5.0], err_msg="gradients of both outputs add")


def test_variable_is_a_tensor():
    v = ember.autograd.Variable(ember.tensor([1.0, 2.0]), requires_grad=True)
    assert isinstance(v, ember.Tensor), "Variable(...) returns a plain Tensor, as in PyTorch"
    assert v.requires_grad and v.is_leaf
    (v * v).sum().backward()
    np.testing.assert_allclose(grad_of(v, "v"), [2.0, 4.0])
    assert not ember.autograd.Variable(ember.ones(1)).requires_grad, "requires_grad defaults off"

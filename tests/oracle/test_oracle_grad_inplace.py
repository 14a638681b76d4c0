"""In-place ops (stage 03) against torch: values, gradients through non-leaf in-place
ops, version counters (``t._version``, shared with views) and the two in-place errors.
"""

import numpy as np
import pytest
import torch
from _oracle import assert_grads, assert_same, exception_kind, leaves, message, quiet

import ember

RNG = np.random.default_rng(31)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)
G = RNG.standard_normal((3, 4)).astype(np.float32)

# name -> f(m, y, b): an in-place op on the non-leaf y (b is a leaf that requires grad)
INPLACE = {
    "add_(b)": lambda m, y, b: y.add_(b),
    "add_(b, alpha=2)": lambda m, y, b: y.add_(b, alpha=2),
    "add_(1.5)": lambda m, y, b: y.add_(1.5),
    "sub_(b)": lambda m, y, b: y.sub_(b),
    "mul_(b)": lambda m, y, b: y.mul_(b),
    "mul_(3)": lambda m, y, b: y.mul_(3),
    "div_(b.exp())": lambda m, y, b: y.div_(b.exp()),
    "div_(4)": lambda m, y, b: y.div_(4),
    "zero_()": lambda m, y, b: y.zero_(),
    "fill_(2.5)": lambda m, y, b: y.fill_(2.5),
    "clamp_(-0.5, 0.5)": lambda m, y, b: y.clamp_(-0.5, 0.5),
    "clamp_(min=0)": lambda m, y, b: y.clamp_(min=0),
    "copy_(b * 2)": lambda m, y, b: y.copy_(b * 2),
    "+= b": lambda m, y, b: y.__iadd__(b),
    "-= b": lambda m, y, b: y.__isub__(b),
    "*= b": lambda m, y, b: y.__imul__(b),
    "/= 2": lambda m, y, b: y.__itruediv__(2),
    "add_ row (broadcast)": lambda m, y, b: y.add_(b[0]),
    "mul_ then add_": lambda m, y, b: y.mul_(b).add_(b),
    "(y + 1).mul_(b)": lambda m, y, b: (y + 1).mul_(b),
}


def _node_name(node):
    """``node.name()`` without torch's C++ namespace (``torch::autograd::CopyBackwards``)."""
    return node.name().rsplit("::", 1)[-1]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_on_non_leaf(name):
    """Values, the returned object (self), grad_fn name, version and gradients of x and b."""
    fn = INPLACE[name]
    (tx, tb), (ex, eb) = leaves([A, B])
    results = {}
    for label, m, x, b in (("torch", torch, tx, tb), ("ember", ember, ex, eb)):
        y = x * 1.5
        out = fn(m, y, b)
        if name != "(y + 1).mul_(b)":
            assert out is y, f"{name}: returns a new object, not self"
        results[label] = (out, out._version, _node_name(out.grad_fn))
        z = (out * out).sum() + (out * m.tensor(G)).sum()
        z.backward()
    eo, ev, en = results["ember"]
    to, tv, tn = results["torch"]
    assert_same(eo, to)
    assert ev == tv, f"{name}: _version {ev} != torch's {tv}"
    assert en == tn, f"{name}: grad_fn {en} != torch's {tn}"
    assert_grads([ex.grad, eb.grad], [tx.grad, tb.grad], "float32", where=f"{name}: ")


def test_inplace_on_leaf_requiring_grad_raises():
    for op in ("add_", "mul_", "sub_", "div_"):
        with pytest.raises(RuntimeError) as expected:
            getattr(torch.tensor(A, requires_grad=True), op)(2)
        with pytest.raises(RuntimeError) as got:
            getattr(ember.tensor(A, requires_grad=True), op)(2)
        assert str(got.value) == message(expected.value)
    for m in (torch, ember):
        x = m.tensor(A, requires_grad=True)
        with pytest.raises(RuntimeError):
            x += 1
        with pytest.raises(RuntimeError):
            x.zero_()
        with pytest.raises(RuntimeError):
            x[0] = 1.0


def test_inplace_on_leaf_under_no_grad_is_allowed():
    """The SGD update: ``w -= lr * w.grad`` under no_grad keeps w a leaf."""
    out = []
    for m in (torch, ember):
        w = m.tensor(A.copy(), requires_grad=True)
        (w * w).sum().backward()
        with m.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
        out.append((w, w.is_leaf, w.requires_grad, w.grad_fn, w._version))
    assert_same(out[1][0].detach(), out[0][0].detach())
    assert out[1][1:4] == (True, True, None) == out[0][1:4]
    assert out[1][4] == out[0][4]


def _version_script(m):
    """The same sequence in both libraries; returns the versions seen along the way."""
    seen = []
    a = m.zeros(3)
    seen.append(a._version)
    a.add_(1)
    seen.append(a._version)
    v = a[0:2]  # a view shares the counter
    v.mul_(2)
    seen += [a._version, v._version]
    a[0] = 3.0
    seen += [a._version, v._version]
    d = a.detach()  # so does detach()
    d.add_(1)
    seen.append(a._version)
    a += 1
    a -= 1
    a *= 2
    a /= 2
    seen.append(a._version)
    a.zero_()
    a.fill_(2)
    a.clamp_(0, 1)
    a.copy_(m.ones(3))
    seen.append(a._version)
    b = a * 2  # a new tensor starts at 0
    seen.append(b._version)
    r = a.view(3, 1)
    r.sub_(1)
    seen += [a._version, r._version]
    return seen


def test_version_counters():
    assert _version_script(ember) == _version_script(torch)


def test_modified_saved_tensor_raises():
    """Modifying a tensor that backward needs, then calling backward, raises."""

    def run(m, kind):
        x = m.tensor(A.copy(), requires_grad=True)
        y = x * 2
        if kind == "mul":
            z = y * y  # saves y
        elif kind == "exp":
            y = y.exp()  # saves its output
            z = y * 1
        elif kind == "pow":
            z = y**2
        y.add_(1)
        z.sum().backward()

    for kind in ("mul", "exp", "pow"):
        with pytest.raises(Exception) as expected:
            quiet(lambda: run(torch, kind))  # noqa: B023
        with pytest.raises(exception_kind(expected.type)) as got:
            quiet(lambda: run(ember, kind))  # noqa: B023
        want, have = message(expected.value), str(got.value)
        head = "one of the variables needed for gradient computation has been modified by " \
            "an inplace operation: [ember.FloatTensor [3, 4]]"
        assert have.startswith(head), have
        tail = want[want.index(", is at version"):want.index("instead.") + len("instead.")]
        assert tail in have, f"{kind}: {tail!r} not in {have!r}"


def test_inplace_not_needed_by_backward_is_fine():
    """add's backward saves nothing: modifying its input afterwards is allowed."""
    (tx,), (ex,) = leaves([A])
    for m, x in ((torch, tx), (ember, ex)):
        y = x * 2
        z = y + 1
        y.mul_(3)
        (z * m.tensor(G)).sum().backward()
    assert_grads([ex.grad], [tx.grad], "float32")


def test_inplace_through_view_of_non_leaf():
    """An in-place op on a view of a non-leaf reaches its base's gradient (CopySlices)."""
    (tx, tb), (ex, eb) = leaves([A, B[0]])
    for m, x, b in ((torch, tx, tb), (ember, ex, eb)):
        y = x * 1
        y[1].mul_(b)
        y[:, 0] = 0.0
        (y * m.tensor(G)).sum().backward()
    assert_grads([ex.grad, eb.grad], [tx.grad, tb.grad], "float32")


def test_copy_into_plain_tensor_joins_graph():
    (tb,), (eb,) = leaves([B])
    tz, ez = torch.zeros(3, 4), ember.zeros(3, 4)
    tz.copy_(tb.exp())
    ez.copy_(eb.exp())
    assert ez.requires_grad == tz.requires_grad
    assert _node_name(ez.grad_fn) == _node_name(tz.grad_fn)
    tz.backward(torch.tensor(G))
    ez.backward(ember.tensor(G))
    assert_grads([eb.grad], [tb.grad], "float32")


#: Writes torch refuses on an expanded view (it allows fill_, zero_ and one-element writes,
#: which ember refuses with the same error: see ember.ops.inplace.check_inplace).
EXPANDED_WRITES = {
    "add_": lambda t: t.add_(1),
    "mul_": lambda t: t.mul_(2),
    "clamp_": lambda t: t.clamp_(0, 1),
    "copy_": lambda t: t.copy_(t.detach().clone()),
    "normal_": lambda t: t.normal_(),
    "uniform_": lambda t: t.uniform_(),
    "setitem slice": lambda t: t.__setitem__(slice(None), 3),
}


@pytest.mark.parametrize("grad_mode", [True, False])
@pytest.mark.parametrize("name", list(EXPANDED_WRITES))
def test_writing_into_an_expanded_view_raises_like_torch(name, grad_mode):
    """One element of an expanded view is many positions: torch refuses to write to it."""
    results = []
    for m in (torch, ember):
        view = m.zeros(3, 1).expand(3, 4)
        with m.set_grad_enabled(grad_mode):
            try:
                EXPANDED_WRITES[name](view)
                results.append(None)
            except Exception as exc:  # noqa: BLE001 - compared below
                results.append(exc)
    theirs, mine = results
    assert theirs is not None and isinstance(mine, exception_kind(type(theirs))), (theirs, mine)
    assert str(mine) == message(theirs)
    fine = ember.zeros(3, 1).expand(3, 4).clone()
    fine.add_(1)
    assert fine.sum().item() == 12, "a clone of the view is writable"

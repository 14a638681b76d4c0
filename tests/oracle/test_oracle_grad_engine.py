"""The autograd API against torch: grad_fn names, reprs, graph attributes, errors,
accumulation, ``autograd.grad``, hooks, ``retain_grad``, ``detach``/``.data``, deep graphs.
"""

import numpy as np
import pytest
import torch
from _oracle import assert_grads, assert_same, exception_kind, leaves, message, quiet

import ember

RNG = np.random.default_rng(21)
A = RNG.standard_normal((3, 4)).astype(np.float32)
POS = (np.abs(A) + 0.5).astype(np.float32)

# name -> f(m, x) for a 3x4 float32 leaf x (positive where the op needs it)
GRAD_FN = {
    "x + 1": lambda m, x: x + 1,
    "x + x": lambda m, x: x + x,
    "x - 1": lambda m, x: x - 1,
    "x * 2": lambda m, x: x * 2,
    "x / 2": lambda m, x: x / 2,
    "x / x": lambda m, x: x / x,
    "-x": lambda m, x: -x,
    "x ** 2": lambda m, x: x**2,
    "x ** x": lambda m, x: x**x,
    "exp": lambda m, x: x.exp(),
    "log": lambda m, x: x.log(),
    "sqrt": lambda m, x: x.sqrt(),
    "sin": lambda m, x: x.sin(),
    "cos": lambda m, x: x.cos(),
    "tanh": lambda m, x: x.tanh(),
    "sigmoid": lambda m, x: x.sigmoid(),
    "relu": lambda m, x: x.relu(),
    "abs": lambda m, x: x.abs(),
    "clamp(0, 1)": lambda m, x: x.clamp(0, 1),
    "maximum": lambda m, x: m.maximum(x, x * 2),
    "where": lambda m, x: m.where(x > 1, x, x * 2),
    "sum()": lambda m, x: x.sum(),
    "sum(1)": lambda m, x: x.sum(1),
    "mean()": lambda m, x: x.mean(),
    "mean(0)": lambda m, x: x.mean(0),
    "prod()": lambda m, x: x.prod(),
    "max()": lambda m, x: x.max(),
    "max(1)": lambda m, x: x.max(1)[0],
    "var()": lambda m, x: x.var(),
    "std()": lambda m, x: x.std(),
    "x @ x.T": lambda m, x: x @ x.t(),
    "mm": lambda m, x: x.mm(x.t()),
    "bmm": lambda m, x: x.unsqueeze(0).bmm(x.t().unsqueeze(0)),
    "view": lambda m, x: x.view(12),
    "reshape": lambda m, x: x.reshape(4, 3),
    "permute": lambda m, x: x.permute(1, 0),
    "transpose": lambda m, x: x.transpose(0, 1),
    "t": lambda m, x: x.t(),
    "unsqueeze": lambda m, x: x.unsqueeze(0),
    "squeeze(0)": lambda m, x: x.unsqueeze(0).squeeze(0),
    "expand": lambda m, x: x.expand(2, 3, 4),
    "repeat": lambda m, x: x.repeat(2, 1),
    "clone": lambda m, x: x.clone(),
    "cat": lambda m, x: m.cat([x, x]),
    "stack": lambda m, x: m.stack([x, x]),
    "split": lambda m, x: x.split(2)[0],
    "x[0]": lambda m, x: x[0],
    "x[1:]": lambda m, x: x[1:],
    "x[idx]": lambda m, x: x[m.tensor([0, 0])],
    "x[mask]": lambda m, x: x[x > 1],
    "double()": lambda m, x: x.double(),
}


def _grad_fns(name):
    (tx,), (ex,) = leaves([POS])
    t, e = GRAD_FN[name](torch, tx), GRAD_FN[name](ember, ex)
    assert e.grad_fn is not None, f"{name}: grad_fn is None, torch's is {t.grad_fn.name()}"
    assert e.is_leaf is False and e.requires_grad is True
    return e.grad_fn, t.grad_fn


@pytest.mark.parametrize("name", GRAD_FN)
def test_grad_fn_name(name):
    """``t.grad_fn.name()`` is torch's (``MulBackward0``)."""
    e, t = _grad_fns(name)
    assert e.name() == t.name(), f"{name}: {e.name()} != {t.name()}"


@pytest.mark.parametrize("name", GRAD_FN)
def test_grad_fn_type_name(name):
    """``type(t.grad_fn).__name__`` is torch's too (what code and tutorials print)."""
    e, t = _grad_fns(name)
    want = type(t).__name__
    assert type(e).__name__ == want, f"{name}: {type(e).__name__} != {want}"


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1.0, 2.0, 3.0], requires_grad=True),
        lambda m: m.tensor([1.0, 2.0, 3.0], requires_grad=True) * 2,
        lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).sum(),
        lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True),
        lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True).exp(),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True).double(),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True).detach(),
        lambda m: m.tensor(3.0, requires_grad=True) * 2,
        lambda m: m.zeros(0, 2, requires_grad=True),
    ],
)
def test_repr_with_grad(make):
    """``grad_fn=<MulBackward0>`` / ``requires_grad=True`` in the repr, as torch prints them."""
    assert repr(make(ember)) == repr(make(torch)).replace("torch.", "ember.")


def test_graph_attributes():
    (tx, tw), (ex, ew) = leaves([A, A[0]])
    t, e = tx * tw + 1, ex * ew + 1
    assert ex.is_leaf and ex.grad_fn is None and ex.grad is None
    assert e.grad_fn.next_functions[1] == (None, 0) and t.grad_fn.next_functions[1] == (None, 0)
    mul_t, mul_e = t.grad_fn.next_functions[0][0], e.grad_fn.next_functions[0][0]
    assert mul_e.name() == mul_t.name() == "MulBackward0"
    names = [type(f).__name__ for f, _ in mul_e.next_functions]
    assert names == [type(f).__name__ for f, _ in mul_t.next_functions] == [
        "AccumulateGrad", "AccumulateGrad"]
    assert mul_e.next_functions[0][0].variable is ex
    # results of ops on tensors that do not require grad are leaves without grad_fn
    plain = ember.tensor(A) * 2
    assert plain.is_leaf and plain.grad_fn is None and not plain.requires_grad
    with ember.no_grad():
        inside = ex * 2
    assert inside.is_leaf and not inside.requires_grad


def _raises_like(torch_fn, ember_fn, match=True):
    """ember raises torch's exception kind (and message, ``torch.`` → ``ember.``)."""
    with pytest.raises(Exception) as expected:
        quiet(torch_fn)
    kind = exception_kind(expected.type)
    with pytest.raises(kind) as got:
        quiet(ember_fn)
    if match:
        assert str(got.value) == message(expected.value)


def test_second_backward_raises():
    def run(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()

    _raises_like(lambda: run(torch), lambda: run(ember))


def test_retain_graph_allows_second_backward_and_accumulates():
    out = []
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0, -1.5], requires_grad=True)
        y = (x.exp() * x * x).sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        out.append((first, x.grad))
    assert_same(out[1][0], out[0][0])
    assert_same(out[1][1], out[0][1])


def test_backward_errors():
    """Non-scalar without gradient; a tensor without grad_fn; ints requiring grad; numpy()."""
    _raises_like(lambda: torch.tensor([1.0, 2.0], requires_grad=True).mul(2).backward(),
                 lambda: ember.tensor([1.0, 2.0], requires_grad=True).mul(2).backward())
    _raises_like(lambda: torch.tensor([1.0, 2.0]).sum().backward(),
                 lambda: ember.tensor([1.0, 2.0]).sum().backward())
    _raises_like(lambda: torch.tensor([1, 2], requires_grad=True),
                 lambda: ember.tensor([1, 2], requires_grad=True))
    _raises_like(lambda: torch.tensor([1, 2]).requires_grad_(),
                 lambda: ember.tensor([1, 2]).requires_grad_())
    _raises_like(lambda: torch.tensor([1.0], requires_grad=True).numpy(),
                 lambda: ember.tensor([1.0], requires_grad=True).numpy())
    # a gradient of the wrong shape
    _raises_like(
        lambda: torch.tensor([1.0, 2.0], requires_grad=True).mul(2).backward(torch.ones(3)),
        lambda: ember.tensor([1.0, 2.0], requires_grad=True).mul(2).backward(ember.ones(3)),
        match=False,
    )


def test_gradients_accumulate_across_calls():
    (tx,), (ex,) = leaves([A])
    for x in (tx, ex):
        (x * x).sum().backward()
        (x.exp() * 3).mean().backward()
        (x[0] * 2).sum().backward()
    assert_grads([ex.grad], [tx.grad], "float32")


def test_autograd_grad():
    (tx, ty), (ex, ey) = leaves([A, POS])
    g = RNG.standard_normal((3, 4)).astype(np.float32)
    tz, ez = tx * ty.log() + tx.exp(), ex * ey.log() + ex.exp()
    tgot = torch.autograd.grad(tz, [tx, ty], grad_outputs=torch.tensor(g), retain_graph=True)
    egot = ember.autograd.grad(ez, [ex, ey], grad_outputs=ember.tensor(g), retain_graph=True)
    assert isinstance(egot, tuple) and len(egot) == 2
    assert_grads(list(egot), list(tgot), "float32")
    assert ex.grad is None and ey.grad is None  # grad() does not accumulate into .grad
    # scalar output, single input (not in a list), default grad_outputs
    (ts,), (es,) = torch.autograd.grad(tz.sum(), tx), ember.autograd.grad(ez.sum(), ex)
    assert_grads([es], [ts], "float32")


def test_autograd_grad_unused_input():
    def run(m, allow):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        u = m.tensor([3.0], requires_grad=True)
        return m.autograd.grad((x * 2).sum(), [x, u], allow_unused=allow)

    _raises_like(lambda: run(torch, False), lambda: run(ember, False))
    got, want = run(ember, True), run(torch, True)
    assert got[1] is None and want[1] is None
    assert_same(got[0], want[0])


def test_autograd_backward_several_roots():
    (tx,), (ex,) = leaves([A])
    g = RNG.standard_normal(4).astype(np.float32)
    torch.autograd.backward([tx.sum(), (tx * tx).sum(0)], [torch.tensor(1.0), torch.tensor(g)])
    ember.autograd.backward([ex.sum(), (ex * ex).sum(0)], [ember.tensor(1.0), ember.tensor(g)])
    assert_grads([ex.grad], [tx.grad], "float32")


def test_hooks_and_retain_grad():
    out = {}
    for label, m in (("torch", torch), ("ember", ember)):
        x = m.tensor(A.copy(), requires_grad=True)
        seen = []
        x.register_hook(lambda g, seen=seen: seen.append(g.clone()))
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g * 2)  # replaces the gradient flowing on
        z = (y * y).sum()
        z.backward()
        out[label] = (x.grad, y.grad, seen[0])
    for got, want in zip(out["ember"], out["torch"], strict=True):
        assert_same(got, want, rtol=1e-5, atol=1e-4)


def test_non_leaf_grad_is_none_without_retain_grad():
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.sum().backward()
        with pytest.warns(UserWarning) if m is torch else _maybe_warns():
            assert y.grad is None


class _maybe_warns:
    """Ember may warn (like torch) or not when reading a non-leaf's ``.grad``."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def test_detach_and_data():
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        assert not d.requires_grad and d.is_leaf and d.grad_fn is None
        assert not x.data.requires_grad
        x.data.mul_(2)  # the same storage, untracked
        assert x.tolist() == [2.0, 4.0] and d.tolist() == [2.0, 4.0]
        y = (x * d).sum()
        y.backward()
        assert x.grad.tolist() == [2.0, 4.0]


def test_requires_grad_propagation_and_setter():
    x = ember.tensor([1.0, 2.0])
    y = ember.tensor([3.0, 4.0], requires_grad=True)
    assert not (x * 2).requires_grad and (x * y).requires_grad
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    assert x.requires_grad_(False) is x and not x.requires_grad
    v = ember.autograd.Variable(ember.tensor([1.0]), requires_grad=True)
    assert isinstance(v, ember.Tensor) and v.requires_grad


def test_deep_chain_backward():
    """10,000 ops deep: the engine is iterative (no RecursionError), result matches torch."""
    (tx,), (ex,) = leaves([np.array([0.5, -0.25], dtype=np.float64)])
    ty, ey = tx, ex
    for _ in range(10_000):
        ty, ey = ty * 1.0001 - 0.0001, ey * 1.0001 - 0.0001
    ty.sum().backward()
    ey.sum().backward()
    assert_grads([ex.grad], [tx.grad], "float64")


def test_diamond_graph_and_shared_subexpressions():
    (tx, tw), (ex, ew) = leaves([A, A.T.copy()])
    def f(m, x, w):
        h = (x @ w).tanh()
        return (h * h.sigmoid() + h.exp().mean(0) - h[0]).sum()
    f(torch, tx, tw).backward()
    f(ember, ex, ew).backward()
    assert_grads([ex.grad, ew.grad], [tx.grad, tw.grad], "float32")

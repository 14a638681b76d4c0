"""Shape ops (views and copies): values, shapes, strides, errors and memory sharing.

Memory sharing is compared by behaviour: after ``y = op(x)``, new values are written into
``x`` in both frameworks, and ``y`` must then equal torch's ``y`` (a view sees the write,
a copy does not).
"""

import numpy as np
import pytest
import torch
from _oracle import SETTINGS, arrays, assert_same, both, check, dtypes, shapes
from hypothesis import given
from hypothesis import strategies as st

import ember


def factorise(n):
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@st.composite
def same_numel_shape(draw, numel):
    """A shape with ``numel`` elements, maybe with one ``-1``."""
    rank = draw(st.integers(0 if numel == 1 else 1, 4))
    if numel == 0:
        shape = [draw(st.integers(0, 3)) for _ in range(rank)]
        shape[draw(st.integers(0, rank - 1))] = 0
        return tuple(shape)
    shape = [1] * max(rank, 1)
    for f in factorise(numel):
        shape[draw(st.integers(0, len(shape) - 1))] *= f
    shape = shape[:rank] if rank else []
    if rank and draw(st.booleans()):
        shape[draw(st.integers(0, rank - 1))] = -1
    return tuple(shape)


def mutate_and_compare(tx, ex, ty, ey, dtype):
    """Write new values into x (both frameworks), then y must match torch's y."""
    new = (np.arange(tx.numel()).reshape(tuple(tx.shape)) % 7 + 3).astype(to_np_dtype(dtype))
    tx[...] = torch.tensor(new)
    ex[...] = ember.tensor(new)
    assert_same(ey, ty, where="after writing into the input: ")


def strides(t):
    """The strides that matter: those of dims longer than 1 (torch's own rule for
    contiguity); an empty tensor's strides are arbitrary."""
    if t.numel() == 0:
        return ()
    return tuple(st for n, st in zip(t.shape, t.stride(), strict=True) if n > 1)


def to_np_dtype(name):
    return np.dtype(name if name != "bool" else "bool")


@st.composite
def tensor_input(draw, min_dims=0, max_dims=4):
    dtype = draw(dtypes())
    a = draw(arrays(dtype, shapes(min_dims=min_dims, max_dims=max_dims)))
    # sometimes a non-contiguous input (a transposed one)
    transposed = a.ndim >= 2 and draw(st.booleans())
    return a, dtype, transposed


def make(a, transposed):
    """torch and ember tensors holding ``a``, as a transposed view when asked."""
    if not transposed:
        return both(a)
    tx, ex = both(np.ascontiguousarray(np.swapaxes(a, 0, 1)))
    return tx.transpose(0, 1), ex.transpose(0, 1)


@pytest.mark.parametrize("op", ["view", "reshape"])
@SETTINGS
@given(data=st.data())
def test_view_reshape(op, data):
    a, dtype, transposed = data.draw(tensor_input(), label="input")
    target = data.draw(same_numel_shape(a.size), label="target")
    tx, ex = make(a, transposed)
    result = check(
        lambda: getattr(tx, op)(*target) if target else getattr(tx, op)(()),
        lambda: getattr(ex, op)(*target) if target else getattr(ex, op)(()),
        match=True,
    )
    check(lambda: getattr(tx, op)(target), lambda: getattr(ex, op)(target), match=True)
    if result is not None and op == "view":
        ey, ty = result
        assert strides(ey) == strides(ty)
        mutate_and_compare(tx, ex, ty, ey, dtype)


@pytest.mark.parametrize("op", ["view", "reshape"])
@pytest.mark.parametrize("target", [(3, 5), (4, -1), (-1, -1), (11,), (0, -1)], ids=str)
def test_view_reshape_invalid_shapes(op, target):
    tx, ex = both(np.arange(10, dtype=np.float32))
    check(lambda: getattr(tx, op)(*target), lambda: getattr(ex, op)(*target), match=True)


def test_view_of_transposed_raises_torch_message():
    tx, ex = both(np.arange(12, dtype=np.float32).reshape(3, 4))
    check(lambda: tx.t().view(12), lambda: ex.t().view(12), match=True)
    check(lambda: tx.t().view(2, 6), lambda: ex.t().view(2, 6), match=True)
    check(lambda: tx.t().view(4, 3), lambda: ex.t().view(4, 3))
    check(lambda: tx.t().reshape(12), lambda: ex.t().reshape(12))


@st.composite
def dim_of(draw, ndim, extra=0):
    span = max(ndim + extra, 1)
    return draw(st.integers(-span - 1, span))  # one past each end: errors too


VIEW_OPS = {
    "transpose": lambda d: lambda t: t.transpose(d["d0"], d["d1"]),
    "transpose fn": lambda d: (
        lambda t: (torch if isinstance(t, torch.Tensor) else ember).transpose(t, d["d0"], d["d1"])
    ),
    "permute": lambda d: lambda t: t.permute(*d["perm"]) if d["perm"] else t.permute(()),
    "permute tuple": lambda d: lambda t: t.permute(d["perm"]),
    "t": lambda d: lambda t: t.t(),
    "squeeze()": lambda d: lambda t: t.squeeze(),
    "squeeze(dim)": lambda d: lambda t: t.squeeze(d["d0"]),
    "unsqueeze": lambda d: lambda t: t.unsqueeze(d["u"]),
    "flatten()": lambda d: lambda t: t.flatten(),
    "flatten(s, e)": lambda d: lambda t: t.flatten(d["d0"], d["d1"]),
    "expand": lambda d: lambda t: t.expand(*d["expand"]),
    "expand_as": lambda d: (
        lambda t: t.expand_as(
            (torch if isinstance(t, torch.Tensor) else ember).zeros(d["expand_as"])
        )
    ),
    "contiguous": lambda d: lambda t: t.contiguous(),
    "clone": lambda d: lambda t: t.clone(),
    "repeat": lambda d: lambda t: t.repeat(*d["repeat"]),
    "mT": lambda d: lambda t: t.mT,
    "view_as": lambda d: (
        lambda t: t.view_as((torch if isinstance(t, torch.Tensor) else ember).zeros(d["flat"]))
    ),
    "reshape_as": lambda d: (
        lambda t: t.reshape_as((torch if isinstance(t, torch.Tensor) else ember).zeros(d["flat"]))
    ),
}


@st.composite
def op_args(draw, shape):
    ndim = len(shape)
    span = max(ndim, 1)
    d = {
        "d0": draw(st.integers(-span, span - 1)) if draw(st.integers(0, 9)) else span,
        "d1": draw(st.integers(-span, span - 1)),
        "perm": tuple(draw(st.permutations(range(ndim)))),
        "u": draw(st.integers(-ndim - 1, ndim)),
        "flat": (int(np.prod(shape)),),
    }
    # expand: keep (-1 or same), grow size-1 dims, maybe add leading dims
    target = [draw(st.sampled_from([-1, s] if s != 1 else [-1, 1, 3])) for s in shape]
    lead = draw(st.lists(st.integers(0, 3), max_size=2))
    d["expand"] = tuple(lead + target) if lead or target else ()
    d["expand_as"] = tuple(lead) + tuple(3 if s == 1 else s for s in shape)
    d["repeat"] = tuple(draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim + 2)))
    return d


@pytest.mark.parametrize("name", VIEW_OPS)
@SETTINGS
@given(data=st.data())
def test_shape_op(name, data):
    a, dtype, transposed = data.draw(tensor_input(), label="input")
    args = data.draw(op_args(a.shape), label="args")
    if name == "expand" and not args["expand"]:
        args["expand"] = ((),)
    if name == "repeat" and not args["repeat"]:
        args["repeat"] = ((),)
    if name == "mT" and a.ndim == 0:
        return  # deprecated identity in torch
    tx, ex = make(a, transposed)
    fn = VIEW_OPS[name](args)
    result = check(lambda: fn(tx), lambda: fn(ex))
    if result is not None:
        ey, ty = result
        if name not in (
            "clone",
            "contiguous",
            "repeat",
            "reshape_as",
            "flatten()",
            "flatten(s, e)",
        ):
            assert strides(ey) == strides(ty), (ey.stride(), ty.stride())
        if name == "contiguous":
            assert ey.is_contiguous()
        mutate_and_compare(tx, ex, ty, ey, dtype)


@SETTINGS
@given(data=st.data())
def test_T_on_2d(data):
    a, dtype, transposed = data.draw(tensor_input(min_dims=2, max_dims=2), label="input")
    tx, ex = make(a, transposed)
    ey, ty = check(lambda: tx.T, lambda: ex.T)
    mutate_and_compare(tx, ex, ty, ey, dtype)


def test_t_of_3d_raises():
    tx, ex = both(np.zeros((2, 3, 4), np.float32))
    check(lambda: tx.t(), lambda: ex.t(), match=True)


@st.composite
def cat_inputs(draw, same_shape=False):
    shape = list(draw(shapes(min_dims=1, max_dims=3)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = draw(st.integers(1, 3))
    out = []
    for _ in range(n):
        s = list(shape)
        if not same_shape:
            s[dim] = draw(st.integers(0, 3))
        out.append(draw(arrays(draw(dtypes()), tuple(s))))
    if draw(st.integers(0, 4)) == 0:  # a mismatching one
        out.append(draw(arrays("float32", draw(shapes(min_dims=1, max_dims=3)))))
    return out, dim


@SETTINGS
@given(data=st.data())
def test_cat(data):
    arrs, dim = data.draw(cat_inputs(), label="inputs")
    pairs = [both(a) for a in arrs]
    ts, es = [p[0] for p in pairs], [p[1] for p in pairs]
    check(lambda: torch.cat(ts, dim), lambda: ember.cat(es, dim))
    check(lambda: torch.cat(tuple(ts), dim=dim), lambda: ember.cat(tuple(es), dim=dim))


@SETTINGS
@given(data=st.data())
def test_stack(data):
    arrs, dim = data.draw(cat_inputs(same_shape=True), label="inputs")
    pairs = [both(a) for a in arrs]
    ts, es = [p[0] for p in pairs], [p[1] for p in pairs]
    d = dim if data.draw(st.booleans(), label="last") else arrs[0].ndim
    check(lambda: torch.stack(ts, d), lambda: ember.stack(es, d))
    check(lambda: torch.stack(ts, dim=-1), lambda: ember.stack(es, dim=-1))


def test_cat_stack_errors():
    tx, ex = both(np.zeros((2, 3), np.float32))
    ty, ey = both(np.zeros((2, 4), np.float32))
    check(lambda: torch.cat([tx, ty]), lambda: ember.cat([ex, ey]), match=True)
    check(lambda: torch.stack([tx, ty]), lambda: ember.stack([ex, ey]), match=True)
    check(lambda: torch.cat([]), lambda: ember.cat([]))
    check(lambda: torch.cat([tx, ty], 2), lambda: ember.cat([ex, ey], 2))
    # torch's legacy rule: a 1-D empty tensor is skipped in cat
    tz, ez = both(np.zeros((0,), np.float32))
    check(lambda: torch.cat([tx, tz]), lambda: ember.cat([ex, ez]))


@SETTINGS
@given(data=st.data())
def test_split_and_chunk(data):
    a, dtype, transposed = data.draw(tensor_input(min_dims=1), label="input")
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1), label="dim")
    size = a.shape[dim]
    tx, ex = make(a, transposed)
    step = data.draw(st.integers(1, 4), label="split size")
    check(lambda: tx.split(step, dim), lambda: ex.split(step, dim))
    check(lambda: torch.split(tx, step, dim=dim), lambda: ember.split(ex, step, dim=dim))
    sizes = data.draw(st.lists(st.integers(0, 3), max_size=4), label="sizes")
    if data.draw(st.booleans(), label="exact") and sum(sizes) != size:
        sizes = sizes + [size - sum(sizes)] if size >= sum(sizes) else [size]
    check(lambda: tx.split(sizes, dim), lambda: ex.split(sizes, dim))
    chunks = data.draw(st.integers(1, 5), label="chunks")
    result = check(lambda: tx.chunk(chunks, dim), lambda: ex.chunk(chunks, dim))
    check(lambda: torch.chunk(tx, chunks, dim), lambda: ember.chunk(ex, chunks, dim))
    if result is not None and result[0]:
        got, expected = result
        mutate_and_compare(tx, ex, tuple(expected), tuple(got), dtype)


def test_split_chunk_errors():
    tx, ex = both(np.zeros((5, 2), np.float32))
    check(lambda: tx.split(0), lambda: ex.split(0))
    check(lambda: tx.split([2, 2]), lambda: ex.split([2, 2]))
    check(lambda: tx.chunk(0), lambda: ex.chunk(0))
    check(lambda: tx.split(2, 2), lambda: ex.split(2, 2), match=True)


def test_expand_errors():
    tx, ex = both(np.zeros((2, 3), np.float32))
    check(lambda: tx.expand(4, 3), lambda: ex.expand(4, 3))
    check(lambda: tx.expand(3), lambda: ex.expand(3))
    check(lambda: tx.expand(-1, 2, 3), lambda: ex.expand(-1, 2, 3))
    check(lambda: tx.repeat(2), lambda: ex.repeat(2))


def test_numpy_shares_memory_both_ways():
    tx, ex = both(np.arange(6, dtype=np.float32).reshape(2, 3))
    for t in (tx, ex):
        n = t.numpy()
        n[0, 0] = 100
        t[1, 2] = -5
        assert float(t[0, 0]) == 100 and n[1, 2] == -5
    # a view's numpy() is a view too
    tv, ev = tx.t(), ex.t()
    tv.numpy()[0, 1] = 7
    ev.numpy()[0, 1] = 7
    assert_same(ex, tx)

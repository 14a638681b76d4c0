"""Hidden · stage 01: views and copies on random shapes, chains of views, shape-op errors.

Oracle: NumPy (``reshape``, ``transpose``, ``broadcast_to``, ``concatenate``, ``tile``),
``np.shares_memory`` for views, PyTorch's documented semantics and error texts.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from autograder.suites.helpers import (
    assert_no_shared_memory,
    assert_shape,
    assert_shares_memory,
    assert_tensor,
)

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


@st.composite
def shape_pair(draw):
    """A shape and a random new shape with as many elements (maybe with one -1)."""
    old = draw(shapes)
    n = math.prod(old)
    if n == 0:
        new = draw(st.lists(st.integers(0, 3), max_size=3))
        new.insert(draw(st.integers(0, len(new))), 0)
        return old, tuple(new)
    new, rest = [], n
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from([d for d in range(1, 5) if rest % d == 0]))
        new.append(d)
        rest //= d
    new = list(draw(st.permutations(new + [rest])))
    if draw(st.booleans()):
        new[draw(st.integers(0, len(new) - 1))] = -1
    return old, tuple(new)


@given(case=shape_pair())
def test_view_and_reshape_share_memory(case):
    old, new = case
    base = np.arange(math.prod(old), dtype=np.float32).reshape(old)
    t = ember.tensor(base)
    expected = base.reshape(new)
    v = t.view(*new)
    assert_tensor(v, expected, ember.float32, what=f"view{new} of {base.shape}")
    assert_tensor(t.view(new), expected, ember.float32, what=f"view({new}) of {base.shape}")
    r = t.reshape(new)
    assert_tensor(r, expected, ember.float32, what=f"reshape({new}) of {base.shape}")
    if base.size:
        assert_shares_memory(v, t, what=f"view{new}")
        assert_shares_memory(r, t, what=f"reshape{new} of a contiguous tensor")


@given(a=hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=4, min_side=1,
                                                 max_side=4), elements=st.floats(-9, 9, width=32)),
       data=st.data())
def test_permute_transpose_chains_are_views(a, data):
    order = tuple(data.draw(st.permutations(range(a.ndim))))
    d0, d1 = data.draw(st.integers(-a.ndim, a.ndim - 1)), data.draw(st.integers(-a.ndim,
                                                                               a.ndim - 1))
    t = ember.tensor(a)
    p = t.permute(*order)
    assert_tensor(p, a.transpose(order), ember.float32, what=f"permute{order}")
    assert_tensor(t.permute(order), a.transpose(order), ember.float32, what=f"permute({order})")
    assert_shares_memory(p, t, what="permute")
    q = p.transpose(d0, d1)
    assert_tensor(q, a.transpose(order).swapaxes(d0, d1), ember.float32,
                  what=f"permute{order}.transpose({d0}, {d1})")
    assert_shares_memory(q, t, what="transpose of a permuted tensor")
    assert_tensor(q.reshape(-1), a.transpose(order).swapaxes(d0, d1).reshape(-1),
                  ember.float32, what="reshape(-1) of a permuted tensor (must copy in order)")
    assert_tensor(q.contiguous(), a.transpose(order).swapaxes(d0, d1), ember.float32,
                  what="contiguous() of a permuted tensor")
    assert q.contiguous().is_contiguous()


@given(src_shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       data=st.data())
def test_expand_matches_broadcast_to(src_shape, data):
    src = np.arange(math.prod(src_shape), dtype=np.float32).reshape(src_shape)
    lead = tuple(data.draw(st.lists(st.integers(0, 3), min_size=0 if src_shape else 1,
                                    max_size=2)))
    tail = tuple(data.draw(st.integers(0, 3)) if s == 1 else s for s in src_shape)
    target = lead + tail
    sizes = lead + tuple(-1 if (s != 1 and data.draw(st.booleans())) else g
                         for s, g in zip(src_shape, tail, strict=True))
    t = ember.tensor(src)
    e = t.expand(*sizes)
    assert_tensor(e, np.broadcast_to(src, target), ember.float32,
                  what=f"expand{sizes} of {src.shape}")
    if e.numel() and t.numel():
        assert_shares_memory(e, t, what="expand")
    assert_tensor(t.expand_as(ember.zeros(*target)), np.broadcast_to(src, target),
                  ember.float32, what="expand_as")


@given(a=hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
                    elements=st.integers(-9, 9)),
       reps=st.lists(st.integers(0, 3), min_size=3, max_size=4))
def test_repeat_matches_tile(a, reps):
    t = ember.tensor(a)
    out = t.repeat(*reps)
    assert_tensor(out, np.tile(a, reps), ember.int64, what=f"repeat{tuple(reps)} of {a.shape}")
    if out.numel() and t.numel():
        assert_no_shared_memory(out, t, what="repeat")


@given(parts=st.lists(st.integers(0, 3), min_size=1, max_size=4),
       other=st.tuples(st.integers(0, 3), st.integers(1, 3)),
       dim=st.integers(-3, 2))
def test_cat_and_stack_match_numpy(parts, other, dim):
    axis = dim % 3
    arrays = []
    for i, n in enumerate(parts):
        shape = list(other)
        shape.insert(axis, n)
        arrays.append(np.full(shape, float(i), dtype=np.float32) + np.arange(
            math.prod(shape), dtype=np.float32).reshape(shape))
    out = ember.cat([ember.tensor(x) for x in arrays], dim=dim)
    assert_tensor(out, np.concatenate(arrays, axis=axis), ember.float32,
                  what=f"cat of {[x.shape for x in arrays]} along {dim}")
    same = [np.full(other, float(i), dtype=np.float32) for i in range(len(parts))]
    sdim = dim if dim < 0 else min(dim, 2)
    out = ember.stack([ember.tensor(x) for x in same], dim=sdim)
    assert_tensor(out, np.stack(same, axis=sdim), ember.float32,
                  what=f"stack of {len(same)} tensors of {other} along {sdim}")


@given(n=st.integers(0, 12), size=st.integers(1, 5), chunks=st.integers(1, 5))
def test_split_and_chunk_sizes(n, size, chunks):
    a = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    t = ember.tensor(a)
    pieces = t.split(size)
    expected = [a[i:i + size] for i in range(0, n, size)] or [a]
    assert len(pieces) == len(expected), f"split({size}) of {n} rows gives {len(expected)} pieces"
    for got, want in zip(pieces, expected, strict=True):
        assert_tensor(got, want, ember.float32, what=f"a piece of split({size})")
    if n:  # (torch's chunk of an empty dim is an odd special case; not graded)
        step = math.ceil(n / chunks)
        expected = [a[i:i + step] for i in range(0, n, step)]
        got = t.chunk(chunks)
        assert [tuple(g.shape) for g in got] == [w.shape for w in expected], (
            f"chunk({chunks}) of {n} rows: pieces of ceil({n}/{chunks}) rows"
        )
    cols = t.split([1, 1], dim=1)
    assert_tensor(cols[1], a[:, 1:], ember.float32, what="split([1, 1], dim=1)[1]")
    if n:
        assert_shares_memory(pieces[0], t, what="a piece of split")


@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=2), data=st.data())
def test_squeeze_and_unsqueeze_match_numpy(shape, data):
    a = np.arange(math.prod(shape), dtype=np.float32).reshape(shape)
    t = ember.tensor(a)
    assert_tensor(t.squeeze(), np.squeeze(a), ember.float32, what=f"squeeze() of {shape}")
    if a.ndim:
        dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
        expected = np.squeeze(a, dim) if a.shape[dim] == 1 else a
        out = t.squeeze(dim)
        assert_tensor(out, expected, ember.float32,
                      what=f"squeeze({dim}) of {shape} (only that dim, and only if it is 1)")
        if a.size:
            assert_shares_memory(out, t, what="squeeze")
    dim = data.draw(st.integers(-a.ndim - 1, a.ndim))
    out = t.unsqueeze(dim)
    assert_tensor(out, np.expand_dims(a, dim), ember.float32, what=f"unsqueeze({dim}) of {shape}")


def test_view_of_a_non_contiguous_tensor_when_strides_allow_it():
    base = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = ember.tensor(base).transpose(0, 1)  # (3, 2, 4), last dim still contiguous
    v = t.view(3, 2, 2, 2)
    assert_tensor(v, base.transpose(1, 0, 2).reshape(3, 2, 2, 2), ember.float32,
                  what="view that only splits the contiguous last dim")
    assert_shares_memory(v, t, what="view of a transposed tensor")


def test_writes_through_a_chain_of_views_reach_the_base():
    t = ember.zeros(2, 3, 4)
    v = t.view(6, 4).t()[1:3]  # (2, 6)
    v[0, 5] = 7.0
    expected = np.zeros((2, 3, 4), dtype=np.float32)
    expected.reshape(6, 4).T[1:3][0, 5] = 7.0
    assert_tensor(t, expected, ember.float32, what="base after a write through view/t/slice")
    u = t.unsqueeze(0).squeeze(0).permute(2, 1, 0)
    u[3, 2, 1] = -1.0
    assert t[1, 2, 3].item() == -1.0, "a write through unsqueeze/squeeze/permute must reach t"


def test_view_size_zero_and_zero_dim():
    assert_shape(ember.zeros(0, 3).view(-1), (0,), what="zeros(0, 3).view(-1)")
    assert_shape(ember.zeros(0, 3).view(3, 0, 2), (3, 0, 2), what="view(3, 0, 2)")
    assert_shape(ember.tensor(3.0).view(1), (1,), what="0-dim view(1)")
    assert_shape(ember.tensor([3.0]).view(()), (), what="view(())")
    assert_shape(ember.tensor(3.0).flatten(), (1,), what="flatten() of a 0-dim tensor")
    with pytest.raises(RuntimeError, match="cannot reshape tensor of 0 elements"):
        ember.zeros(0, 3).view(0, -1)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        ember.zeros(2, 3).view(-1, -1)
    with pytest.raises(RuntimeError, match=r"shape '\[-1, 4\]' is invalid for input of size 6"):
        ember.zeros(2, 3).view(-1, 4)


def test_strides_in_elements():
    t = ember.zeros(3, 4)
    assert tuple(t.stride()) == (4, 1), f"stride of a (3, 4) tensor is (4, 1), got {t.stride()}"
    assert tuple(t.t().stride()) == (1, 4), "the stride of t.t() swaps"
    assert tuple(t[:, ::2].stride()) == (4, 2), "a step-2 slice doubles the stride"
    assert t.stride(0) == 4
    assert ember.zeros(2, 3, dtype=ember.float64).element_size() == 8
    assert ember.zeros(2, 3).nelement() == 6


def test_T_mT_view_as_reshape_as():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = ember.tensor(a)
    assert_tensor(t.mT, a.swapaxes(-1, -2), ember.float32, what="mT")
    assert_tensor(t.view_as(ember.zeros(4, 6)), a.reshape(4, 6), ember.float32, what="view_as")
    assert_tensor(t.reshape_as(ember.zeros(6, 4)), a.reshape(6, 4), ember.float32,
                  what="reshape_as")
    assert_tensor(ember.tensor(a[0]).T, a[0].T, ember.float32, what="T of a matrix")


@pytest.mark.parametrize(
    "call, exc, msg",
    [
        (lambda t: t.squeeze(2), IndexError,
         r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
        (lambda t: t.unsqueeze(3), IndexError,
         r"Dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)"),
        (lambda t: t.transpose(0, 2), IndexError, "Dimension out of range"),
        (lambda t: t.flatten(2), IndexError, "Dimension out of range"),
        (lambda t: t.permute(0, 0), RuntimeError, "duplicate dims are not allowed"),
        (lambda t: t.permute(0), RuntimeError, "number of dimensions in the tensor input does "
                                               "not match the length of the desired ordering"),
        (lambda t: t.repeat(2), RuntimeError, "Number of dimensions of repeat dims can not be "
                                              "smaller than number of dimensions of tensor"),
        (lambda t: t.expand(3, 3), RuntimeError, r"The expanded size of the tensor \(3\) must "
                                                 r"match the existing size \(2\) at non-singleton "
                                                 r"dimension 0"),
        (lambda t: ember.stack([t, t], dim=3), IndexError, "Dimension out of range"),
        (lambda t: ember.cat([t, ember.zeros(3)]), RuntimeError,
         "Tensors must have same number of dimensions: got 2 and 1"),
        (lambda t: ember.stack([t, ember.zeros(3, 2)]), RuntimeError,
         r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and "
         r"\[3, 2\] at entry 1"),
        (lambda t: ember.zeros(2, 3, 4).t(), RuntimeError,
         "t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"),
    ],
)
def test_shape_op_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(ember.zeros(2, 3))


def test_clone_of_non_contiguous_is_an_independent_copy():
    t = ember.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    c = t.t().clone()
    assert_tensor(c, np.arange(6, dtype=np.float32).reshape(2, 3).T, ember.float32,
                  what="clone of t.t()")
    assert_no_shared_memory(c, t, what="clone")
    assert_no_shared_memory(t.t().contiguous(), t, what="contiguous() of a transposed tensor")

"""Indexing, reading and writing: ints, slices, None, ..., masks, index tensors and lists."""

import numpy as np
import pytest
import torch
from _oracle import SETTINGS, arrays, assert_same, both, check, dtypes, shapes
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember


def positive_steps(index):
    """torch has no negative slice steps: turn ``a:b:-k`` into ``::k`` (that error is
    tested on its own)."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, slice) and i.step is not None and i.step < 0:
            i = slice(None, None, -i.step)
        out.append(i)
    return tuple(out)


def convert(index, module):
    """Index arrays → index tensors of ``module``; everything else unchanged."""
    if isinstance(index, tuple):
        return tuple(convert(i, module) for i in index)
    if isinstance(index, np.ndarray):
        return module.tensor(index)
    return index


@st.composite
def basic_case(draw):
    dtype = draw(dtypes())
    a = draw(arrays(dtype, shapes(min_dims=0, max_dims=4)))
    index = draw(hnp.basic_indices(a.shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    return a, positive_steps(index), dtype


@SETTINGS
@given(case=basic_case())
def test_basic_indexing_reads_and_is_a_view(case):
    a, index, dtype = case
    tx, ex = both(a)
    result = check(lambda: tx[index], lambda: ex[index])
    if result is None:
        return
    ey, ty = result
    # basic indexing returns a view: a write into x shows through
    new = (np.arange(a.size).reshape(a.shape) % 5 + 1).astype(a.dtype)
    tx[...] = torch.tensor(new)
    ex[...] = ember.tensor(new)
    assert_same(ey, ty, where="view after write: ")


@SETTINGS
@given(case=basic_case(), data=st.data())
def test_basic_indexing_writes(case, data):
    a, index, dtype = case
    tx, ex = both(a)
    try:
        target_shape = tuple(tx[index].shape)
    except IndexError:
        return
    kind = data.draw(st.sampled_from(["scalar", "tensor", "broadcast"]), label="value kind")
    if kind == "scalar":
        value = data.draw(st.sampled_from([0, 1, 2.5, True]), label="value")
        tv = ev = value
    else:
        shape = target_shape if kind == "tensor" else target_shape[len(target_shape) // 2 :]
        vdtype = data.draw(dtypes(), label="value dtype")
        tv, ev = both(data.draw(arrays(vdtype, shape, low=0), label="value"))

    def assign(x, v):
        x[index] = v
        return x

    check(lambda: assign(tx, tv), lambda: assign(ex, ev))


@st.composite
def advanced_case(draw):
    dtype = draw(dtypes())
    a = draw(arrays(dtype, shapes(min_dims=1, max_dims=3, min_side=1)))
    kind = draw(
        st.sampled_from(
            [
                "mask",
                "leading mask",
                "index tensor",
                "list",
                "two tensors",
                "tensor and slice",
                "slice and tensor",
            ]
        )
    )
    n = a.shape[0]
    if kind == "mask":
        index = draw(arrays("bool", a.shape))
    elif kind == "leading mask":
        index = draw(arrays("bool", a.shape[:1]))
    elif kind == "index tensor":
        index = draw(hnp.arrays(np.int64, shapes(max_dims=2), elements=st.integers(-n, n - 1)))
    elif kind == "list":
        index = draw(st.lists(st.integers(-n, n - 1), max_size=4))
    elif kind == "two tensors" and a.ndim >= 2:
        m = a.shape[1]
        idx = draw(st.lists(st.tuples(st.integers(-n, n - 1), st.integers(-m, m - 1)), max_size=4))
        index = (np.array([i for i, _ in idx], np.int64), np.array([j for _, j in idx], np.int64))
    elif kind == "slice and tensor" and a.ndim >= 2:
        m = a.shape[1]
        index = (
            slice(None),
            np.array(draw(st.lists(st.integers(-m, m - 1), max_size=3)), np.int64),
        )
    else:
        kind = "tensor and slice"
        index = (np.array(draw(st.lists(st.integers(-n, n - 1), max_size=3)), np.int64), Ellipsis)
    return a, index, kind


@SETTINGS
@given(case=advanced_case())
def test_advanced_indexing_reads(case):
    a, index, kind = case
    tx, ex = both(a)
    check(lambda: tx[convert(index, torch)], lambda: ex[convert(index, ember)])
    if isinstance(index, np.ndarray) and index.dtype == np.int64:
        lst = index.tolist()
        check(lambda: tx[lst], lambda: ex[lst])


@SETTINGS
@given(case=advanced_case(), data=st.data())
def test_advanced_indexing_writes(case, data):
    a, index, kind = case
    index_np = index
    tx, ex = both(a)
    # writes through duplicate indices are unspecified in torch: use unique rows
    if kind in ("index tensor", "list"):
        flat = np.unique(np.asarray(index, np.int64) % a.shape[0])
        index_np = flat if kind == "index tensor" else flat.tolist()
    if kind == "two tensors":
        rows, cols = index
        pairs = sorted(
            {(int(r) % a.shape[0], int(c) % a.shape[1]) for r, c in zip(rows, cols, strict=True)}
        )
        index_np = (
            np.array([p[0] for p in pairs], np.int64),
            np.array([p[1] for p in pairs], np.int64),
        )
    if kind == "slice and tensor":
        index_np = (slice(None), np.unique(index[1] % a.shape[1]))
    if kind == "tensor and slice":
        index_np = (np.unique(index[0] % a.shape[0]), Ellipsis)
    ti, ei = convert(index_np, torch), convert(index_np, ember)
    value = data.draw(st.sampled_from([0, 7, 1.5, True]), label="value")

    def assign(x, i, v):
        x[i] = v
        return x

    check(lambda: assign(tx, ti, value), lambda: assign(ex, ei, value))
    # a tensor value of the destination's dtype (torch refuses others here: see
    # test_advanced_write_with_other_dtype_raises)
    shape = tuple(tx[ti].shape)
    tv, ev = both(data.draw(arrays(dtype_of(a), shape, low=0), label="value tensor"))
    check(lambda: assign(tx, ti, tv), lambda: assign(ex, ei, ev))


def dtype_of(a):
    return "bool" if a.dtype == np.bool_ else a.dtype.name


def test_advanced_write_with_other_dtype_raises():
    """``x[index_tensor] = value`` needs value.dtype == x.dtype in torch (basic indexing casts)."""
    tx, ex = both(np.zeros(3))
    tv, ev = both(np.ones(2, np.float32))
    ti, ei = torch.tensor([0, 2]), ember.tensor([0, 2])

    def assign(x, i, v):
        x[i] = v
        return x

    check(lambda: assign(tx, ti, tv), lambda: assign(ex, ei, ev))
    check(lambda: assign(tx, slice(0, 2), tv), lambda: assign(ex, slice(0, 2), ev))


def test_mask_assignment_like_the_docs():
    tx, ex = both(np.array([[1.0, -2.0], [-3.0, 4.0]], np.float32))
    tx[tx < 0] = 0
    ex[ex < 0] = 0
    assert_same(ex, tx)
    tx[0] = torch.tensor([9.0, 8.0])
    ex[0] = ember.tensor([9.0, 8.0])
    assert_same(ex, tx)
    tx[:, 1] = torch.tensor(5)
    ex[:, 1] = ember.tensor(5)
    assert_same(ex, tx)


@pytest.mark.parametrize(
    "index",
    [
        5,
        -4,
        (0, 3),
        (0, 0, 0),
        [0, 3],
        slice(None, None, -1),
        np.array([True, False]),
        np.array([0, 3]),
        1.5,
    ],
    ids=repr,
)
def test_index_errors(index):
    tx, ex = both(np.zeros((3, 2), np.float32))
    stable = isinstance(index, int) or (isinstance(index, tuple) and index in ((0, 3), (0, 0, 0)))
    check(lambda: tx[convert(index, torch)], lambda: ex[convert(index, ember)], match=bool(stable))


def test_index_with_zero_dim_and_bool_scalars():
    tx, ex = both(np.arange(6, dtype=np.float32).reshape(2, 3))
    check(lambda: tx[torch.tensor(1)], lambda: ex[ember.tensor(1)])
    check(lambda: tx[True], lambda: ex[True])
    check(lambda: tx[False], lambda: ex[False])
    check(lambda: tx[None, ..., None], lambda: ex[None, ..., None])
    t0, e0 = both(np.array(3.0, np.float32))
    check(lambda: t0[...], lambda: e0[...])
    check(lambda: t0[None], lambda: e0[None])
    check(lambda: t0[()], lambda: e0[()])
    check(lambda: t0[0], lambda: e0[0])

"""Hidden · stage 01: indexing against NumPy for many index kinds, masks, writes and errors.

Oracle: NumPy's indexing (PyTorch follows it for the index kinds ember supports), with
index arrays passed as ember tensors on the ember side.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from autograder.suites.helpers import (
    assert_no_shared_memory,
    assert_shares_memory,
    assert_tensor,
)

X = np.arange(60).reshape(3, 4, 5)


def to_ember(index):
    """Turn ndarray parts of an index into ember tensors (NumPy keeps the ndarray)."""
    if isinstance(index, tuple):
        return tuple(to_ember(i) for i in index)
    if isinstance(index, np.ndarray):
        return ember.tensor(index)
    return index


BASIC = [
    (1,), (-1, 2), (slice(None), -1), (Ellipsis, 1), (1, Ellipsis, 2), (None, 0),
    (slice(1, None), None, slice(None, None, 2)), (slice(None, None, 3), slice(1, 3), 4),
    (Ellipsis, None), (0, slice(5, 9)), (slice(-2, None), Ellipsis), (None, None, 1),
]
ADVANCED = [
    (np.array([2, 0, 2]),), ([0, -1],), (np.array([[0, 1], [2, 2]]),),
    (slice(None), np.array([3, 0])), (np.array([0, 2]), np.array([1, 3])),
    (1, np.array([0, 3]), slice(1, 3)), (Ellipsis, np.array([4, 4, 0])),
    (X[:, 0, 0] > 10,), (slice(None), X[0, :, 0] % 2 == 0), (X > 30,), (0, X[0] > 8),
]


@pytest.mark.parametrize("index", BASIC, ids=repr)
def test_basic_indexing_matches_numpy_and_is_a_view(index):
    t = ember.tensor(X)
    out = t[index if len(index) > 1 else index[0]]
    assert_tensor(out, X[index], ember.int64, what=f"t[{index}]")
    if X[index].size:
        assert_shares_memory(out, t, what=f"basic indexing t[{index}]")


@pytest.mark.parametrize("index", ADVANCED, ids=lambda i: str(i)[:40])
def test_advanced_indexing_matches_numpy_and_copies(index):
    t = ember.tensor(X)
    key = to_ember(index if len(index) > 1 else index[0])
    out = t[key]
    assert_tensor(out, X[index if len(index) > 1 else index[0]], ember.int64,
                  what=f"t[{index}]")
    if out.numel():
        assert_no_shared_memory(out, t, what="advanced indexing")


@given(a=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0,
                                                 max_side=4), elements=st.floats(-5, 5, width=32)),
       data=st.data())
def test_mask_read_and_write(a, data):
    mask = data.draw(hnp.arrays(np.bool_, a.shape))
    t = ember.tensor(a)
    m = ember.tensor(mask)
    assert_tensor(t[m], a[mask], ember.float32, what=f"t[mask] for shape {a.shape}")
    t[m] = 0.5
    expected = a.copy()
    expected[mask] = 0.5
    assert_tensor(t, expected, ember.float32, what="t after t[mask] = 0.5")
    values = np.arange(mask.sum(), dtype=np.float32)
    t[m] = ember.tensor(values)
    expected[mask] = values
    assert_tensor(t, expected, ember.float32, what="t after t[mask] = tensor of values")


@given(a=hnp.arrays(np.int64, st.tuples(st.integers(1, 5), st.integers(1, 4)),
                    elements=st.integers(-9, 9)),
       data=st.data())
def test_index_tensor_read_and_write(a, data):
    rows = np.array(data.draw(st.lists(st.integers(-a.shape[0], a.shape[0] - 1), min_size=1,
                                       max_size=6)))
    t = ember.tensor(a)
    idx = ember.tensor(rows)
    assert_tensor(t[idx], a[rows], ember.int64, what=f"t[{rows.tolist()}]")
    assert_tensor(t[idx, 0], a[rows, 0], ember.int64, what=f"t[{rows.tolist()}, 0]")
    unique = np.unique(rows % a.shape[0])
    t[ember.tensor(unique)] = ember.tensor(np.full(a.shape[1], 42))
    expected = a.copy()
    expected[unique] = 42
    assert_tensor(t, expected, ember.int64, what=f"t after t[{unique.tolist()}] = 42")


def test_writes_through_views_reach_the_base():
    t = ember.zeros(3, 4)
    v = t[1:]
    v[0, 0] = 9.0
    t.t()[2] = ember.tensor([1.0, 2.0, 3.0])
    t[..., -1] = -1.0
    t[None, 0, 1] = 5.0
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[1, 0] = 9.0
    expected[:, 2] = [1, 2, 3]
    expected[..., -1] = -1
    expected[0, 1] = 5
    assert_tensor(t, expected, ember.float32, what="t after writes through views and slices")


def test_setitem_broadcasts_and_casts_to_the_target_dtype():
    t = ember.zeros(2, 3, 4)
    t[:, 1] = ember.tensor([1, 2, 3, 4])  # int64 source into float32 target
    t[1, :, 2:] = ember.tensor([[7.5], [8.5], [9.5]], dtype=ember.float64)
    expected = np.zeros((2, 3, 4), dtype=np.float32)
    expected[:, 1] = [1, 2, 3, 4]
    expected[1, :, 2:] = [[7.5], [8.5], [9.5]]
    assert_tensor(t, expected, ember.float32, what="t after broadcast assignments")
    b = ember.tensor([True, False, True])
    b[1] = 1
    assert_tensor(b, [True, True, True], ember.bool, what="bool t after t[1] = 1")
    u = ember.tensor([1, 2, 3], dtype=ember.uint8)
    u[ember.tensor([True, False, False])] = 200
    assert_tensor(u, [200, 2, 3], ember.uint8, what="uint8 t after a masked write")


def test_zero_dim_index_tensor_and_scalar_reads():
    t = ember.tensor(X)
    assert_tensor(t[ember.tensor(2)], X[2], ember.int64, what="t[tensor(2)]")
    x = t[1, 2, 3]
    assert_tensor(x, X[1, 2, 3], ember.int64, what="t[1, 2, 3] (a 0-dim tensor)")
    assert x.item() == X[1, 2, 3]


def test_empty_results():
    t = ember.tensor(X)
    assert_tensor(t[t > 1000], np.zeros(0, dtype=np.int64), ember.int64, what="mask of no Trues")
    assert_tensor(t[:, 4:], X[:, 4:], ember.int64, what="t[:, 4:] (empty slice)")
    assert_tensor(t[ember.tensor([], dtype=ember.int64)], X[np.array([], dtype=np.int64)],
                  ember.int64, what="t[empty index tensor]")


@pytest.mark.parametrize(
    "index, msg",
    [
        ((3,), "index 3 is out of bounds for dimension 0 with size 3"),
        ((0, -5), "index -5 is out of bounds for dimension 1 with size 4"),
        ((0, 0, 0, 0), "too many indices for tensor of dimension 3"),
    ],
)
def test_index_errors(index, msg):
    with pytest.raises(IndexError, match=msg):
        ember.tensor(X)[index]


def test_index_tensor_out_of_bounds():
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        ember.tensor(X)[ember.tensor([0, 5])]


def test_mask_shape_mismatch():
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not match "
                                         r"the shape of the indexed tensor \[3, 4, 5\] at index 0"):
        ember.tensor(X)[ember.tensor([True, False])]


def test_negative_slice_steps_are_rejected():
    with pytest.raises(ValueError, match="step must be greater than zero"):
        ember.tensor(X)[::-1]

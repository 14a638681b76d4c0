"""Stage 01 · indexing: reading and writing with ints, slices, None, ..., masks, index tensors.

Oracle: NumPy's indexing, which PyTorch follows: basic indexing (ints, slices, None, ...)
gives a view; advanced indexing (bool masks, integer index tensors/lists) gives a copy.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import (
    assert_no_shared_memory,
    assert_shares_memory,
    assert_tensor,
)

X = np.arange(12).reshape(3, 4)


def test_integer_index_removes_a_dimension():
    t = ember.tensor(X)
    assert_tensor(t[1], X[1], ember.int64, what="t[1]")
    assert_tensor(t[-1, -2], X[-1, -2], ember.int64, what="t[-1, -2] (a 0-dim tensor)")
    assert_tensor(t[:, 2], X[:, 2], ember.int64, what="t[:, 2]")


def test_slices_with_steps():
    t = ember.tensor(X)
    assert_tensor(t[:, 1::2], X[:, 1::2], ember.int64, what="t[:, 1::2]")
    assert_tensor(t[1:], X[1:], ember.int64, what="t[1:]")
    assert_tensor(t[:0], X[:0], ember.int64, what="t[:0] (an empty slice)")


def test_none_and_ellipsis():
    t = ember.tensor(X)
    assert_tensor(t[None], X[None], ember.int64, what="t[None]")
    assert_tensor(t[..., 0], X[..., 0], ember.int64, what="t[..., 0]")
    assert_tensor(t[1:, None, ::3], X[1:, None, ::3], ember.int64, what="t[1:, None, ::3]")


def test_basic_indexing_returns_views():
    t = ember.tensor(X)
    for name, out in [("t[1]", t[1]), ("t[:, 1::2]", t[:, 1::2]), ("t[None]", t[None]),
                      ("t[..., 0]", t[..., 0])]:
        assert_shares_memory(out, t, what=f"basic indexing {name}")
    row = t[0]
    row[0] = 100
    assert t[0, 0].item() == 100, "writing to t[0] (a view) must change t"


def test_boolean_mask_selects_elements():
    t = ember.tensor(X)
    mask = t > 5
    out = t[mask]
    assert_tensor(out, X[X > 5], ember.int64, what="t[t > 5] (a 1-D tensor of selected values)")
    assert_no_shared_memory(out, t, what="t[mask] (advanced indexing copies)")
    assert_tensor(t[:, ember.tensor([True, False, True, False])],
                  X[:, [True, False, True, False]], ember.int64, what="t[:, bool_mask]")


def test_integer_index_tensors_and_lists():
    t = ember.tensor(X)
    assert_tensor(t[ember.tensor([2, 0])], X[[2, 0]], ember.int64, what="t[tensor([2, 0])]")
    assert_tensor(t[[0, 2]], X[[0, 2]], ember.int64, what="t[[0, 2]]")
    assert_tensor(t[[0, 2], [1, 3]], X[[0, 2], [1, 3]], ember.int64,
                  what="t[[0, 2], [1, 3]] (pairs of indices)")
    assert_tensor(t[ember.tensor([0, 2]), 1:], X[[0, 2], 1:], ember.int64,
                  what="t[index_tensor, 1:]")
    assert_no_shared_memory(t[[0, 2]], t, what="t[[0, 2]] (advanced indexing copies)")


def test_assign_a_number_through_a_mask():
    t = ember.tensor(X)
    t[t > 5] = 0
    expected = X.copy()
    expected[expected > 5] = 0
    assert_tensor(t, expected, ember.int64, what="t after t[t > 5] = 0")


def test_assign_tensors_with_broadcasting():
    t = ember.tensor(X)
    t[0] = ember.tensor([9, 8, 7, 6])
    t[1] = 5
    t[:, 0] = ember.tensor([-1, -2, -3])
    expected = X.copy()
    expected[0] = [9, 8, 7, 6]
    expected[1] = 5
    expected[:, 0] = [-1, -2, -3]
    assert_tensor(t, expected, ember.int64, what="t after row, number and column assignments")


def test_assign_through_index_lists_and_slices():
    t = ember.zeros(3, 4)
    t[[0, 2]] = ember.ones(4)
    t[1, 1:3] = ember.tensor([2.0, 3.0])
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[[0, 2]] = 1
    expected[1, 1:3] = [2, 3]
    assert_tensor(t, expected, ember.float32, what="t after t[[0, 2]] = 1 and t[1, 1:3] = [2, 3]")


def test_assignment_keeps_the_dtype_of_the_target():
    t = ember.zeros(3)
    t[1] = 7
    assert_tensor(t, [0.0, 7.0, 0.0], ember.float32, what="float32 t after t[1] = 7")
    i = ember.tensor([1, 2, 3])
    i[0] = 2.9
    assert_tensor(i, [2, 2, 3], ember.int64, what="int64 t after t[0] = 2.9 (truncated)")


def test_index_out_of_range():
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        ember.tensor(X)[3]


def test_iteration_walks_the_first_dimension():
    # Iteration indexes t[0], t[1], ...: it works once basic indexing does.
    rows = list(ember.tensor([[1, 2], [3, 4], [5, 6]]))
    assert len(rows) == 3, "iterating a tensor walks its first dimension"
    assert_tensor(rows[1], [3, 4], ember.int64, what="second row from iteration")

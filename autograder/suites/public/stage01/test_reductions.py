"""Stage 01 · reductions: sum mean prod max min argmax argmin std var all any.

Oracle: NumPy's reductions (``ddof=1`` for PyTorch's default unbiased std/var) and
PyTorch's dtype rules (integer sums are int64; mean needs a floating dtype).
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_tensor

X = np.array([[3.0, 1.0, 3.0], [2.0, 5.0, 0.0]], dtype=np.float32)


def test_sum_of_everything_is_zero_dimensional():
    assert_tensor(ember.tensor(X).sum(), X.sum(), ember.float32, what="t.sum()")
    assert_tensor(ember.sum(ember.tensor(X)), X.sum(), ember.float32, what="ember.sum(t)")


def test_sum_over_a_dim_and_keepdim():
    t = ember.tensor(X)
    assert_tensor(t.sum(0), X.sum(0), ember.float32, what="t.sum(0)")
    assert_tensor(t.sum(dim=1), X.sum(1), ember.float32, what="t.sum(dim=1)")
    assert_tensor(t.sum(-1), X.sum(-1), ember.float32, what="t.sum(-1)")
    assert_tensor(t.sum(1, keepdim=True), X.sum(1, keepdims=True), ember.float32,
                  what="t.sum(1, keepdim=True) keeps a size-1 dim")
    assert_tensor(t.sum((0, 1), keepdim=True), X.sum((0, 1), keepdims=True), ember.float32,
                  what="t.sum((0, 1), keepdim=True)")


def test_integer_and_bool_sums_are_int64():
    assert_tensor(ember.tensor([[1, 2], [3, 4]], dtype=ember.int32).sum(0), [4, 6], ember.int64,
                  what="sum of an int32 tensor")
    assert_tensor(ember.tensor([True, True, False]).sum(), 2, ember.int64,
                  what="sum of a bool tensor counts the Trues")


def test_mean_stays_float32():
    t = ember.tensor(X)
    assert_tensor(t.mean(), X.mean(), ember.float32, what="t.mean() (must not become float64)")
    assert_tensor(t.mean(1, keepdim=True), X.mean(1, keepdims=True), ember.float32,
                  what="t.mean(1, keepdim=True)")


def test_mean_of_an_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        ember.tensor([1, 2, 3]).mean()


def test_prod():
    t = ember.tensor(X)
    assert_tensor(t.prod(), X.prod(), ember.float32, what="t.prod()")
    assert_tensor(t.prod(1), X.prod(1), ember.float32, what="t.prod(1)")


def test_max_and_min_without_dim_are_zero_dimensional():
    t = ember.tensor(X)
    assert_tensor(t.max(), X.max(), ember.float32, what="t.max()")
    assert_tensor(ember.min(t), X.min(), ember.float32, what="ember.min(t)")


def test_max_with_dim_returns_values_and_indices():
    t = ember.tensor(X)
    out = t.max(1)
    assert_tensor(out.values, [3.0, 5.0], ember.float32, what="t.max(1).values")
    assert_tensor(out.indices, [0, 1], ember.int64,
                  what="t.max(1).indices (first maximum wins on ties)")
    values, indices = t.min(dim=0)
    assert_tensor(values, X.min(0), ember.float32, what="values from t.min(dim=0)")
    assert_tensor(indices, X.argmin(0), ember.int64, what="indices from t.min(dim=0)")
    out = t.max(0, keepdim=True)
    assert_tensor(out.values, X.max(0, keepdims=True), ember.float32,
                  what="t.max(0, keepdim=True).values")
    assert_tensor(out.indices, X.argmax(0)[None], ember.int64,
                  what="t.max(0, keepdim=True).indices")


def test_argmax_and_argmin():
    t = ember.tensor(X)
    assert_tensor(t.argmax(), 4, ember.int64, what="t.argmax() (index into the flattened tensor)")
    assert_tensor(t.argmax(1), [0, 1], ember.int64, what="t.argmax(1) (first of tied maxima)")
    assert_tensor(ember.argmin(t, dim=0), [1, 0, 1], ember.int64, what="ember.argmin(t, dim=0)")
    assert_tensor(t.argmax(1, keepdim=True), [[0], [1]], ember.int64,
                  what="t.argmax(1, keepdim=True)")


def test_std_and_var_are_unbiased_by_default():
    t = ember.tensor(X)
    assert_tensor(t.std(), X.std(ddof=1), ember.float32, rtol=1e-5, what="t.std() (ddof=1)")
    assert_tensor(t.var(1), X.var(1, ddof=1), ember.float32, rtol=1e-5, what="t.var(1)")
    assert_tensor(t.var(1, correction=0), X.var(1), ember.float32, rtol=1e-5,
                  what="t.var(1, correction=0)")
    assert_tensor(t.std(0, unbiased=False), X.std(0), ember.float32, rtol=1e-5,
                  what="t.std(0, unbiased=False)")


def test_all_and_any():
    t = ember.tensor(X)
    assert_tensor(t.all(), False, ember.bool, what="t.all() (there is a zero)")
    assert_tensor((t > 0).all(1), [True, False], ember.bool, what="(t > 0).all(1)")
    assert_tensor((t > 4).any(), True, ember.bool, what="(t > 4).any()")
    assert_tensor(ember.tensor([[False, True], [False, False]]).any(0, keepdim=True),
                  [[False, True]], ember.bool, what="any(0, keepdim=True)")


def test_reduction_dim_out_of_range():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range "
                                         r"of \[-2, 1\], but got 2\)"):
        ember.tensor(X).sum(2)

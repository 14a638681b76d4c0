"""Stage 01 · creation: building tensors (``ember.tensor``, factories, random, *_like).

Oracles: NumPy (``np.zeros``, ``np.arange`` …) and PyTorch's documented defaults
(float32 for floats, int64 for integers).
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_shape, assert_tensor, to_numpy


def test_legacy_Tensor_constructor_is_float32():
    assert_tensor(ember.Tensor([1, 2, 3]), [1.0, 2.0, 3.0], ember.float32,
                  what="ember.Tensor([1, 2, 3])")
    assert_shape(ember.Tensor(2, 3), (2, 3), what="ember.Tensor(2, 3)")
    assert ember.Tensor(2, 3).dtype == ember.float32
    assert_tensor(ember.Tensor(), np.zeros(0, np.float32), ember.float32, what="ember.Tensor()")


def test_legacy_type_names():
    assert_tensor(ember.FloatTensor([1, 2]), [1.0, 2.0], ember.float32, what="FloatTensor")
    assert_tensor(ember.DoubleTensor([1, 2]), [1.0, 2.0], ember.float64, what="DoubleTensor")
    assert_tensor(ember.LongTensor([1, 2]), [1, 2], ember.int64, what="LongTensor")
    assert_tensor(ember.IntTensor([1, 2]), [1, 2], ember.int32, what="IntTensor")
    assert_tensor(ember.ByteTensor([1, 2]), [1, 2], ember.uint8, what="ByteTensor")
    assert_tensor(ember.BoolTensor([1, 0]), [True, False], ember.bool, what="BoolTensor")
    assert isinstance(ember.tensor([1.0]), ember.FloatTensor), (
        "a float32 tensor must be an instance of ember.FloatTensor"
    )
    assert not isinstance(ember.tensor([1]), ember.FloatTensor), (
        "an int64 tensor is a LongTensor, not a FloatTensor"
    )


@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), (ember.Size([2, 3]),)])
def test_zeros_and_ones_accept_varargs_tuple_list_or_size(size):
    assert_tensor(ember.zeros(*size), np.zeros((2, 3)), ember.float32, what=f"zeros{size}")
    assert_tensor(ember.ones(*size), np.ones((2, 3)), ember.float32, what=f"ones{size}")


def test_full_takes_its_dtype_from_the_fill_value():
    assert_tensor(ember.full((2, 2), 7.5), np.full((2, 2), 7.5), ember.float32,
                  what="full((2, 2), 7.5)")
    assert_tensor(ember.full((3,), 3), [3, 3, 3], ember.int64, what="full((3,), 3)")
    assert_tensor(ember.full((2,), True), [True, True], ember.bool, what="full((2,), True)")
    assert_tensor(ember.zeros(2, dtype=ember.int32), [0, 0], ember.int32,
                  what="zeros(2, dtype=int32)")
    assert_shape(ember.empty(4, 0), (4, 0), what="empty(4, 0)")


def test_arange_linspace_eye():
    assert_tensor(ember.arange(5), np.arange(5), ember.int64, what="arange(5)")
    assert_tensor(ember.arange(2, 11, 3), [2, 5, 8], ember.int64, what="arange(2, 11, 3)")
    assert_tensor(ember.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75], ember.float32,
                  what="arange(0, 1, 0.25) (a float step gives float32)")
    assert_tensor(ember.linspace(0, 1, 5), np.linspace(0, 1, 5), ember.float32,
                  what="linspace(0, 1, 5)")
    assert_tensor(ember.eye(3), np.eye(3), ember.float32, what="eye(3)")
    assert_tensor(ember.eye(2, 3), np.eye(2, 3), ember.float32, what="eye(2, 3)")


def test_rand_is_float32_in_the_unit_interval():
    t = ember.rand(200, 5)
    assert_shape(t, (200, 5), what="rand(200, 5)")
    assert t.dtype == ember.float32
    arr = to_numpy(t)
    assert arr.dtype == np.float32, "rand must store float32 data, not float64"
    assert arr.min() >= 0.0 and arr.max() < 1.0, "rand samples from [0, 1)"
    assert np.unique(arr).size > 900, "rand must give (almost) all different values"


def test_randn_is_roughly_standard_normal():
    arr = to_numpy(ember.randn(20000))
    assert arr.dtype == np.float32, "randn must store float32 data"
    assert abs(arr.mean()) < 0.05, f"randn mean {arr.mean():.3f} is far from 0"
    assert abs(arr.std() - 1) < 0.05, f"randn std {arr.std():.3f} is far from 1"
    assert arr.min() < -2 and arr.max() > 2, "randn must be unbounded, not uniform"


def test_randint_range_and_dtype():
    t = ember.randint(3, 7, (1000,))
    assert t.dtype == ember.int64, "randint gives int64 by default"
    arr = to_numpy(t)
    assert arr.min() == 3 and arr.max() == 6, "randint(low, high) draws from [low, high)"
    arr = to_numpy(ember.randint(4, (2, 500)))
    assert arr.shape == (2, 500) and set(np.unique(arr)) == {0, 1, 2, 3}, (
        "randint(high, size) draws from [0, high)"
    )


def test_manual_seed_makes_random_numbers_reproducible():
    ember.manual_seed(1234)
    a = (to_numpy(ember.rand(5)), to_numpy(ember.randn(5)), to_numpy(ember.randint(0, 100, (5,))))
    ember.manual_seed(1234)
    b = (to_numpy(ember.rand(5)), to_numpy(ember.randn(5)), to_numpy(ember.randint(0, 100, (5,))))
    for x, y, name in zip(a, b, ("rand", "randn", "randint"), strict=True):
        np.testing.assert_array_equal(x, y, err_msg=f"{name} after the same seed must repeat")
    ember.manual_seed(4321)
    c = to_numpy(ember.rand(5))
    assert not np.array_equal(a[0], c), "different seeds must give different numbers"


def test_like_factories_keep_shape_and_dtype():
    base = ember.tensor([[1, 2, 3], [4, 5, 6]], dtype=ember.int32)
    assert_tensor(ember.zeros_like(base), np.zeros((2, 3)), ember.int32, what="zeros_like")
    assert_tensor(ember.ones_like(base), np.ones((2, 3)), ember.int32, what="ones_like")
    assert_tensor(ember.full_like(base, 7), np.full((2, 3), 7), ember.int32, what="full_like")
    assert_shape(ember.empty_like(base), (2, 3), what="empty_like")
    f = ember.rand_like(ember.zeros(4, 2, dtype=ember.float64))
    assert_shape(f, (4, 2), what="rand_like")
    assert f.dtype == ember.float64, "rand_like keeps the input's dtype"
    assert_shape(ember.randn_like(ember.zeros(3)), (3,), what="randn_like")
    r = ember.randint_like(ember.zeros(50), 2, 5)
    assert r.dtype == ember.float32, "randint_like keeps the input's dtype (float32 here)"
    assert set(np.unique(to_numpy(r))) <= {2.0, 3.0, 4.0}


def test_size_dim_numel_and_len():
    t = ember.zeros(4, 2, 3)
    assert t.size() == ember.Size([4, 2, 3]) and isinstance(t.size(), ember.Size)
    assert (t.size(0), t.size(-1)) == (4, 3), "size(dim) gives one dimension; negative counts back"
    assert (t.dim(), t.ndim, t.numel(), len(t)) == (3, 3, 24, 4)
    assert t.device.type == "cpu" and str(t.device) == "cpu"

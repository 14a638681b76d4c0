"""Stage 01 · tensor: ``ember.tensor`` builds a tensor from data, ``numpy()`` hands it back.

The first exercise of the course, checked on its own so that a first green check comes
after three short functions; every later check reads values back through ``numpy()``.

Oracles: NumPy (the values and dtypes of ``np.array``) and PyTorch's documented defaults
(Python floats give float32, ints int64, bools bool; ``tensor`` always copies, ``numpy``
never does).
"""

import numpy as np

import ember
from autograder.suites.helpers import assert_no_shared_memory, assert_tensor, to_numpy


def test_tensor_infers_dtype_from_python_data():
    assert_tensor(ember.tensor([[1.0, 2.0], [3.0, 4.0]]), [[1, 2], [3, 4]], ember.float32,
                  what="ember.tensor(list of floats)")
    assert_tensor(ember.tensor([1, 2, 3]), [1, 2, 3], ember.int64,
                  what="ember.tensor(list of ints) (integers default to int64)")
    assert_tensor(ember.tensor([True, False]), [True, False], ember.bool,
                  what="ember.tensor(list of bools)")
    assert_tensor(ember.tensor([1, 2.5]), [1.0, 2.5], ember.float32,
                  what="ember.tensor(mixed ints and floats)")


def test_tensor_of_a_python_number_is_zero_dimensional():
    t = ember.tensor(3.5)
    assert_tensor(t, np.float32(3.5), ember.float32, what="ember.tensor(3.5)")
    assert t.dim() == 0 and t.numel() == 1, "a 0-dim tensor has dim() 0 and numel() 1"


def test_tensor_dtype_argument_and_numpy_input():
    assert_tensor(ember.tensor([1, 2], dtype=ember.float64), [1.0, 2.0], ember.float64,
                  what="ember.tensor([1, 2], dtype=float64)")
    arr = np.array([1, 2, 3], dtype=np.int32)
    t = ember.tensor(arr)
    assert_tensor(t, arr, ember.int32, what="ember.tensor(int32 ndarray) keeps int32")
    assert_no_shared_memory(t, arr, what="ember.tensor(ndarray) (it always copies)")


def test_numpy_returns_an_array_with_the_same_values_and_dtype():
    for data, dtype, np_dtype in [
        ([[1.5, 2.5]], ember.float32, np.float32),
        ([1, 2], ember.int64, np.int64),
        ([1, 2], ember.int32, np.int32),
        ([True, False], ember.bool, np.bool_),
        ([1.0, 2.0], ember.float64, np.float64),
    ]:
        arr = to_numpy(ember.tensor(data, dtype=dtype))
        assert arr.dtype == np_dtype, f"numpy() of a {dtype} tensor must be {np_dtype.__name__}"
        np.testing.assert_array_equal(arr, np.asarray(data, dtype=np_dtype))


def test_numpy_shares_memory_with_the_tensor():
    t = ember.tensor([1.0, 2.0, 3.0])
    a = t.numpy()
    b = t.numpy()
    assert np.shares_memory(a, b), "numpy() must return a view of the tensor's data, not a copy"
    a[1] = 20.0
    assert t.tolist() == [1.0, 20.0, 3.0], (
        "writing to the array from numpy() must change the tensor (they share memory)"
    )

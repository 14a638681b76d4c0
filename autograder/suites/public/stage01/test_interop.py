"""Stage 01 · interop: ember and NumPy share memory; tensors become Python numbers.

Oracle: NumPy itself (``np.shares_memory``) and PyTorch's documented behaviour
(``numpy()`` and ``from_numpy`` never copy; ``item()`` needs exactly one element).
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_shares_memory, assert_tensor, shared_array, to_numpy


def test_from_numpy_round_trip_shares_memory_both_ways():
    arr = shared_array(np.zeros((2, 2), dtype=np.float32))
    t = ember.from_numpy(arr)
    assert np.shares_memory(t.numpy(), arr), "from_numpy must not copy the array"
    t.numpy()[1, 1] = 5.0
    assert arr[1, 1] == 5.0, "a write through the tensor must be seen by the original array"
    arr[0, 0] = -1.0
    assert_tensor(t, [[-1.0, 0.0], [0.0, 5.0]], ember.float32, what="from_numpy tensor")


@pytest.mark.parametrize(
    "np_dtype, dtype",
    [(np.float32, "float32"), (np.float64, "float64"), (np.float16, "float16"),
     (np.int64, "int64"), (np.int32, "int32"), (np.uint8, "uint8"), (np.bool_, "bool")],
)
def test_from_numpy_keeps_the_dtype(np_dtype, dtype):
    arr = np.array([1, 0, 1], dtype=np_dtype)
    assert_tensor(ember.from_numpy(arr), arr, getattr(ember, dtype),
                  what=f"from_numpy({np.dtype(np_dtype).name} array)")


def test_from_numpy_rejects_unsupported_dtypes():
    ok = ember.from_numpy(np.array([1.5], dtype=np.float32))
    assert_tensor(ok, [1.5], ember.float32, what="from_numpy(float32 array)")
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.str_"):
        ember.from_numpy(np.array(["a", "b"]))


def test_item_returns_a_python_number():
    x = ember.tensor([2.5]).item()
    assert type(x) is float and x == 2.5, f"item() of a float tensor is a Python float, got {x!r}"
    n = ember.tensor([[7]]).item()
    assert type(n) is int and n == 7, f"item() of an int tensor is a Python int, got {n!r}"
    b = ember.tensor(True).item()
    assert type(b) is bool and b is True, f"item() of a bool tensor is a Python bool, got {b!r}"


def test_item_needs_exactly_one_element():
    with pytest.raises(RuntimeError,
                       match="a Tensor with 4 elements cannot be converted to Scalar"):
        ember.ones(2, 2).item()


def test_tolist_gives_nested_python_lists():
    out = ember.tensor([[1, 2], [3, 4]]).tolist()
    assert out == [[1, 2], [3, 4]] and type(out[0][0]) is int
    out = ember.tensor([0.5, 1.5]).tolist()
    assert out == [0.5, 1.5] and type(out[0]) is float
    assert ember.tensor(3).tolist() == 3, "tolist() of a 0-dim tensor is a Python number"


def test_numpy_functions_accept_tensors():
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    arr = np.asarray(t)
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    np.testing.assert_array_equal(arr, [[1.0, 2.0], [3.0, 4.0]])
    assert np.sum(np.asarray(t)) == 10.0


def test_float_int_and_bool_of_one_element_tensors():
    assert float(ember.tensor([2.5])) == 2.5
    assert int(ember.tensor([[3]])) == 3
    assert int(ember.tensor(3.7)) == 3, "int() truncates like Python's int()"
    assert bool(ember.tensor([0])) is False and bool(ember.tensor(2.0)) is True


def test_bool_of_many_elements_is_ambiguous():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value "
                                           "is ambiguous"):
        bool(ember.tensor([1, 2]))


def test_from_numpy_shares_memory_and_keeps_dtype():
    arr = shared_array(np.arange(6, dtype=np.float64).reshape(2, 3))
    t = ember.from_numpy(arr)
    assert_tensor(t, arr, ember.float64, what="from_numpy(float64 array)")
    assert_shares_memory(t, arr, what="from_numpy")
    arr[0, 0] = 100.0
    assert to_numpy(t)[0, 0] == 100.0, "from_numpy: a change to the array must show in the tensor"


def test_as_tensor_shares_when_it_can():
    arr = shared_array(np.arange(4, dtype=np.int32))
    t = ember.as_tensor(arr)
    assert_tensor(t, arr, ember.int32, what="as_tensor(int32 array)")
    assert_shares_memory(t, arr, what="as_tensor(array) with no dtype change")
    f = ember.as_tensor(arr, dtype=ember.float32)
    assert_tensor(f, arr.astype(np.float32), ember.float32, what="as_tensor(arr, dtype=float32)")
    assert_tensor(ember.as_tensor([1.0, 2.0]), [1.0, 2.0], ember.float32, what="as_tensor(list)")

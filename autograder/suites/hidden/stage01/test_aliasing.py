"""Hidden · stage 01: which tensors share memory with what they were made from.

PyTorch's rules, each checked by writing to one side and reading the other (a tensor that
silently aliases a user's array, or a copy where a view was promised, shows only then):

* ``tensor(data)`` always copies: an ndarray, another tensor, a list of tensors;
* ``as_tensor(ndarray)`` and ``from_numpy`` share when no conversion is needed;
* ``numpy()`` and views (``view``, ``reshape`` of contiguous data, ``t[0]``, ``split``)
  share; ``clone()``, ``cat`` and ``stack`` never do, not even of a single tensor;
* two calls of a factory (``zeros``, ``ones``, ``full``) give independent storage.
"""

import numpy as np

import ember
from autograder.suites.helpers import shared_array


def test_tensor_of_an_ndarray_copies_it():
    arr = shared_array([1.0, 2.0, 3.0], dtype=np.float32)
    t = ember.tensor(arr)
    arr[0] = 10.0
    assert t.tolist() == [1.0, 2.0, 3.0], (
        "ember.tensor(ndarray) must copy the array: writing to the array changed the tensor")
    t.numpy()[1] = 20.0
    assert arr.tolist() == [10.0, 2.0, 3.0], (
        "ember.tensor(ndarray) must copy the array: writing to the tensor changed the array")


def test_tensor_of_a_tensor_copies_it():
    source = ember.tensor([1.0, 2.0, 3.0])
    t = ember.tensor(source)
    source.numpy()[0] = -1.0
    assert t.tolist() == [1.0, 2.0, 3.0], (
        "ember.tensor(other_tensor) must copy (PyTorch: like other.clone().detach()): "
        "writing to the source changed the new tensor")
    t.numpy()[2] = 30.0
    assert source.tolist() == [-1.0, 2.0, 3.0], "writing to the copy changed its source"


def test_tensor_of_a_list_of_tensors_copies_them():
    row = ember.tensor([1.0, 2.0])
    t = ember.tensor([row, row])
    row.numpy()[0] = 9.0
    assert t.tolist() == [[1.0, 2.0], [1.0, 2.0]], "tensor([t, t]) must copy the values of t"


def test_as_tensor_shares_an_ndarray_of_the_same_dtype_and_copies_on_conversion():
    arr = shared_array([1.0, 2.0], dtype=np.float32)
    same = ember.as_tensor(arr)
    shared = ember.from_numpy(arr)
    converted = ember.as_tensor(arr, dtype=ember.float64)
    arr[0] = 5.0
    assert same.tolist() == [5.0, 2.0] and shared.tolist() == [5.0, 2.0], (
        "as_tensor(ndarray) without a dtype change, like from_numpy, must share the array's "
        "memory")
    assert converted.tolist() == [1.0, 2.0], (
        "as_tensor(ndarray, dtype=other) must convert into a new array (a copy)")


def test_clone_owns_its_memory():
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    c = t.clone()
    c.numpy()[0, 0] = 100.0
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]], "clone() must copy: writing to it changed t"
    t.numpy()[1, 1] = -4.0
    assert c.tolist() == [[100.0, 2.0], [3.0, 4.0]], "clone() must copy: writing t changed it"


def test_views_write_through_to_their_base():
    t = ember.arange(6.0)
    t.view(2, 3).numpy()[1, 0] = 30.0
    t.reshape(3, 2).numpy()[0, 1] = 10.0
    t[4:].numpy()[1] = 50.0
    first, _ = t.split(3)
    first.numpy()[2] = 20.0
    assert t.tolist() == [0.0, 10.0, 20.0, 30.0, 4.0, 50.0], (
        "view, reshape (of contiguous data), slicing and split return views: a write "
        "through each must reach the base tensor")


def test_cat_and_stack_of_one_tensor_still_copy():
    t = ember.tensor([1.0, 2.0])
    for name, out in [("cat", ember.cat([t])), ("stack", ember.stack([t]))]:
        out.numpy().reshape(-1)[0] = 7.0
        assert t.tolist() == [1.0, 2.0], (
            f"ember.{name}([t]) must return a new tensor, not t's memory (PyTorch copies)")


def test_factories_never_hand_out_the_same_storage_twice():
    for name, make in [("zeros", lambda: ember.zeros(3)), ("ones", lambda: ember.ones(3)),
                       ("full", lambda: ember.full((3,), 2.0))]:
        a, b = make(), make()
        before = b.tolist()
        a.numpy()[0] = 42.0
        assert b.tolist() == before, (
            f"two calls of ember.{name} share memory (a cached array?): writing to one "
            "changed the other")

"""Hidden · stage 01: creation edge cases, random generators and NumPy interop in depth.

Oracles: NumPy (``arange``, ``linspace``, ``eye``, ``shares_memory``), loose statistics for
random generators, PyTorch's documented defaults and error texts.
"""

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
    numpy_dtype,
    shared_array,
    to_numpy,
)

DTYPES = ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


def varargs(shape):
    """``shape`` as positional sizes (a 0-dim shape must be passed as the tuple ``()``)."""
    return tuple(shape) if shape else ((),)


@given(shape=shapes, dtype=st.sampled_from(DTYPES))
def test_factories_over_shapes_and_dtypes(shape, dtype):
    d = getattr(ember, dtype)
    nd = numpy_dtype(d)
    assert_tensor(ember.zeros(shape, dtype=d), np.zeros(shape, nd), d, what=f"zeros{shape}")
    assert_tensor(ember.ones(*varargs(shape), dtype=d), np.ones(shape, nd), d, what=f"ones{shape}")
    assert_tensor(ember.full(shape, 1, dtype=d), np.full(shape, 1, nd), d, what=f"full{shape}")
    e = ember.empty(shape, dtype=d)
    assert_shape(e, shape, what=f"empty{shape}")
    assert e.dtype == d and to_numpy(e).dtype == nd


@given(a=hnp.arrays(st.sampled_from([np.float32, np.float64, np.float16, np.int64, np.int32,
                                     np.uint8, np.bool_]), shapes))
def test_from_numpy_and_numpy_round_trip_any_shape(a):
    a = shared_array(a)
    t = ember.from_numpy(a)
    assert tuple(t.shape) == a.shape and isinstance(t.shape, ember.Size)
    back = t.numpy()
    assert back.dtype == a.dtype, f"from_numpy(...).numpy() must keep {a.dtype}"
    np.testing.assert_array_equal(back, a)
    if a.size:
        assert np.shares_memory(back, a), "from_numpy(a).numpy() must be the very same memory"
    c = ember.tensor(a)
    np.testing.assert_array_equal(to_numpy(c), a)
    if a.size:
        assert_no_shared_memory(c, a, what="ember.tensor(ndarray)")


def test_from_numpy_of_non_contiguous_and_zero_dim_arrays():
    a = shared_array(np.arange(12.0).reshape(3, 4))[:, ::2]
    t = ember.from_numpy(a)
    assert_tensor(t, a, ember.float64, what="from_numpy of a strided array")
    assert_shares_memory(t, a, what="from_numpy of a strided array")
    assert not t.is_contiguous(), "a tensor over a strided array is not contiguous"
    z = ember.from_numpy(np.array(5.0))
    assert_tensor(z, np.array(5.0), ember.float64, what="from_numpy of a 0-d array")


def test_numpy_of_views_shares_memory_with_the_base():
    t = ember.arange(12.0).view(3, 4)
    for name, v in [("t.t()", t.t()), ("t[:, 1::2]", t[:, 1::2]), ("t[1]", t[1]),
                    ("t.view(2, 6)", t.view(2, 6)), ("t.unsqueeze(0)", t.unsqueeze(0))]:
        assert np.shares_memory(v.numpy(), t.numpy()), (
            f"{name}.numpy() must share memory with t.numpy(); the view (or numpy()) copied"
        )


def test_legacy_Tensor_of_a_float64_array_is_a_float32_copy():
    a = np.arange(3.0)
    t = ember.Tensor(a)
    assert_tensor(t, a, ember.float32, what="ember.Tensor(float64 array)")
    assert_no_shared_memory(t, a, what="ember.Tensor(float64 array)")


def test_tensor_keeps_numpy_dtypes_and_nested_shapes():
    assert_tensor(ember.tensor(np.array([1.0, 2.0])), [1.0, 2.0], ember.float64,
                  what="ember.tensor(float64 array) keeps float64")
    assert_tensor(ember.tensor([[], []]), np.zeros((2, 0)), ember.float32,
                  what="ember.tensor([[], []])")
    assert_tensor(ember.tensor([[True], [False]]), [[True], [False]], ember.bool,
                  what="nested bools")
    with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 1\)"):
        ember.tensor([[1, 2], [3]])


def test_as_tensor_of_a_tensor_is_the_same_data():
    x = ember.tensor([1.0, 2.0])
    assert_shares_memory(ember.as_tensor(x), x, what="as_tensor(tensor)")
    y = ember.as_tensor(x, dtype=ember.float64)
    assert_tensor(y, [1.0, 2.0], ember.float64, what="as_tensor(tensor, dtype=float64)")


@pytest.mark.parametrize(
    "call, expected, dtype",
    [
        (lambda: ember.arange(0, 1, 0.1), np.arange(10) / 10, "float32"),
        (lambda: ember.arange(5, 0, -2), [5, 3, 1], "int64"),
        (lambda: ember.arange(3, dtype=ember.float64), [0.0, 1.0, 2.0], "float64"),
        (lambda: ember.arange(1, 4, dtype=ember.int32), [1, 2, 3], "int32"),
        (lambda: ember.arange(0.5, 2), [0.5, 1.5], "float32"),
        (lambda: ember.arange(0), np.zeros(0), "int64"),
        (lambda: ember.linspace(2, 3, 1), [2.0], "float32"),
        (lambda: ember.linspace(0, 1, 0), np.zeros(0), "float32"),
        (lambda: ember.linspace(0, 10, 3, dtype=ember.float64), [0.0, 5.0, 10.0], "float64"),
        (lambda: ember.eye(0), np.zeros((0, 0)), "float32"),
        (lambda: ember.eye(3, 2, dtype=ember.int64), np.eye(3, 2), "int64"),
        (lambda: ember.full((2,), 1.5, dtype=ember.float64), [1.5, 1.5], "float64"),
        (lambda: ember.zeros(2, dtype=ember.bool), [False, False], "bool"),
        (lambda: ember.zeros(2, 1, device="cpu"), np.zeros((2, 1)), "float32"),
    ],
)
def test_creation_edge_cases(call, expected, dtype):
    assert_tensor(call(), np.asarray(expected), getattr(ember, dtype), rtol=1e-6,
                  what="creation edge case")


@given(dtype=st.sampled_from(["float32", "float64"]), shape=shapes)
def test_rand_and_randn_dtype_and_shape(dtype, shape):
    d = getattr(ember, dtype)
    for name, t in [("rand", ember.rand(*varargs(shape), dtype=d)),
                    ("randn", ember.randn(shape, dtype=d))]:
        assert_shape(t, shape, what=name)
        assert t.dtype == d and to_numpy(t).dtype == numpy_dtype(d), (
            f"{name}(dtype={dtype}) must store {dtype} data"
        )
    arr = to_numpy(ember.rand(shape, dtype=d))
    assert np.all((arr >= 0) & (arr < 1))


def test_random_streams_are_reproducible_across_all_generators():
    def draw():
        return [to_numpy(ember.rand(3, 2)), to_numpy(ember.randn(4)),
                to_numpy(ember.randint(0, 1000, (5,))), to_numpy(ember.rand_like(ember.zeros(3))),
                to_numpy(ember.randn_like(ember.zeros(2, dtype=ember.float64))),
                to_numpy(ember.randint_like(ember.zeros(3), 10)), to_numpy(ember.rand(2))]

    ember.manual_seed(7)
    first = draw()
    ember.manual_seed(7)
    second = draw()
    for i, (x, y) in enumerate(zip(first, second, strict=True)):
        np.testing.assert_array_equal(x, y, err_msg=f"draw {i} differs after the same seed")
    ember.manual_seed(8)
    third = draw()
    assert not np.array_equal(first[1], third[1]), "different seeds must give different randn"


def test_successive_draws_differ():
    ember.manual_seed(0)
    a, b = to_numpy(ember.rand(10)), to_numpy(ember.rand(10))
    assert not np.array_equal(a, b), "two rand calls after one seed must give different numbers"


def test_randn_statistics_in_2d():
    ember.manual_seed(3)
    arr = to_numpy(ember.randn(200, 100)).astype(np.float64)
    assert abs(arr.mean()) < 0.03 and abs(arr.std() - 1) < 0.03
    assert abs(np.mean(np.abs(arr) < 1) - 0.6827) < 0.02, "about 68% of randn lies in (-1, 1)"
    col_means = arr.mean(0)
    assert col_means.std() > 0.05, "columns must not repeat the same numbers"


def test_randint_is_roughly_uniform_and_takes_a_dtype():
    ember.manual_seed(5)
    arr = to_numpy(ember.randint(-2, 3, (5000,)))
    counts = np.bincount(arr + 2, minlength=5)
    assert counts.size == 5 and counts.min() > 850, f"randint(-2, 3) counts {counts} not uniform"
    t = ember.randint(0, 3, (4,), dtype=ember.int32)
    assert t.dtype == ember.int32 and to_numpy(t).dtype == np.int32
    assert_shape(ember.randint(2, (0, 3)), (0, 3), what="randint(2, (0, 3))")
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', but "
                                           "got from=3 >= to=1"):
        ember.randint(3, 1, (2,))


def test_requires_grad_and_autograd_attributes_exist():
    t = ember.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad is True and t.grad is None and t.grad_fn is None and t.is_leaf
    assert ember.tensor([1.0]).requires_grad is False
    assert ember.zeros(2, requires_grad=True).requires_grad is True


def test_scalar_conversions_edge_cases():
    h = ember.tensor([1.5], dtype=ember.float16).item()
    assert type(h) is float and h == 1.5
    assert ember.tensor([3], dtype=ember.uint8).item() == 3
    assert int(ember.tensor([-3.7])) == -3
    assert ember.tensor([[]]).tolist() == [[]]
    assert ember.tensor(True).tolist() is True
    out = ember.tensor([1, 2], dtype=ember.uint8).tolist()
    assert out == [1, 2] and type(out[0]) is int
    arr = np.asarray(ember.tensor([1.0, 2.0]), dtype=np.float64)
    assert arr.dtype == np.float64 and arr.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="a Tensor with 0 elements cannot be converted to "
                                           "Scalar"):
        ember.zeros(0).item()


def test_to_and_type_keep_values_and_copy_when_converting():
    t = ember.tensor([1.5, -2.5])
    d = t.to(ember.float64)
    assert_no_shared_memory(d, t, what="t.to(another dtype)")
    assert_tensor(t.to("cpu", ember.int32), [1, -2], ember.int32, what="t.to('cpu', int32)")
    assert_tensor(t.type(ember.IntTensor), [1, -2], ember.int32, what="t.type(ember.IntTensor)")
    assert_tensor(ember.tensor([300, -1]).byte(), [44, 255], ember.uint8,
                  what="int64 → uint8 wraps around like PyTorch")


def test_tensor_with_an_explicit_dtype_converts_python_numbers_once():
    # Going through float32 first would turn 0.1 into 0.10000000149011612.
    t = ember.tensor([0.1, 1 / 3], dtype=ember.float64)
    assert t.tolist() == [0.1, 1 / 3], "ember.tensor(data, dtype=float64) lost precision"
    assert ember.tensor([2**40 + 1], dtype=ember.float64).item() == 2**40 + 1

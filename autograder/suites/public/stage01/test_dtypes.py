"""Stage 01 · dtypes: conversions, type strings and PyTorch's type promotion.

Oracle: PyTorch's documented promotion rules. Categories are ordered
bool < integer < floating point. When categories differ, the higher category wins;
a Python float meets an integer tensor as the default dtype (float32). Within one
category, a tensor with dimensions beats a zero-dim tensor, which beats a Python number.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_tensor


def test_dtype_aliases_used_by_tensors():
    assert_tensor(ember.tensor([1], dtype=ember.float), [1.0], ember.float32,
                  what="dtype=ember.float")
    assert_tensor(ember.tensor([1], dtype=ember.double), [1.0], ember.float64,
                  what="dtype=ember.double")
    assert_tensor(ember.tensor([1], dtype=ember.long), [1], ember.int64, what="dtype=ember.long")
    assert_tensor(ember.tensor([1], dtype=ember.int), [1], ember.int32, what="dtype=ember.int")
    assert_tensor(ember.tensor([1], dtype=ember.half), [1.0], ember.float16,
                  what="dtype=ember.half")
    assert ember.get_default_dtype() == ember.float32


@pytest.mark.parametrize(
    "method, dtype, expected",
    [
        ("float", "float32", [-1.7, 0.0, 2.7]),
        ("double", "float64", [-1.7, 0.0, 2.7]),
        ("half", "float16", [-1.7, 0.0, 2.7]),
        ("long", "int64", [-1, 0, 2]),  # float -> int truncates toward zero
        ("int", "int32", [-1, 0, 2]),
        ("bool", "bool", [True, False, True]),
    ],
)
def test_conversion_methods(method, dtype, expected):
    t = ember.tensor([-1.7, 0.0, 2.7])
    out = getattr(t, method)()
    assert_tensor(out, np.asarray(expected), getattr(ember, dtype), rtol=1e-3,
                  what=f"tensor.{method}()")


def test_to_dtype_and_to_device():
    t = ember.tensor([1, 2, 3])
    assert_tensor(t.to(ember.float64), [1.0, 2.0, 3.0], ember.float64, what="t.to(float64)")
    assert_tensor(t.to(dtype=ember.uint8), [1, 2, 3], ember.uint8, what="t.to(dtype=uint8)")
    assert_tensor(t.to("cpu"), [1, 2, 3], ember.int64, what="t.to('cpu')")
    assert_tensor(ember.tensor([1.5]).byte(), [1], ember.uint8, what="t.byte()")


@pytest.mark.parametrize(
    "dtype, name",
    [
        ("float32", "ember.FloatTensor"),
        ("float64", "ember.DoubleTensor"),
        ("float16", "ember.HalfTensor"),
        ("int64", "ember.LongTensor"),
        ("int32", "ember.IntTensor"),
        ("uint8", "ember.ByteTensor"),
        ("bool", "ember.BoolTensor"),
    ],
)
def test_type_string(dtype, name):
    t = ember.tensor([1, 0], dtype=getattr(ember, dtype))
    assert t.type() == name, f"t.type() for a {dtype} tensor must be {name!r}, got {t.type()!r}"


def test_type_converts_from_a_dtype_a_string_or_a_legacy_type():
    t = ember.tensor([1.5, 2.5])
    assert_tensor(t.type(ember.float64), [1.5, 2.5], ember.float64, what="t.type(ember.float64)")
    assert_tensor(t.type("ember.DoubleTensor"), [1.5, 2.5], ember.float64,
                  what="t.type('ember.DoubleTensor')")
    assert_tensor(t.type(ember.LongTensor), [1, 2], ember.int64, what="t.type(ember.LongTensor)")


def test_result_type_and_dtype_properties():
    assert ember.result_type(ember.tensor([1]), 1.5) == ember.float32
    assert ember.result_type(ember.tensor([1], dtype=ember.int32), 5) == ember.int32
    assert ember.result_type(ember.tensor([1.0]), ember.tensor([1.0], dtype=ember.float64)) == (
        ember.float64
    )
    assert ember.float32.is_floating_point and not ember.int64.is_floating_point
    assert (ember.float64.itemsize, ember.int32.itemsize, ember.bool.itemsize) == (8, 4, 1)

PAIRS = [
    ("int64", "float32", "float32"),
    ("int32", "int64", "int64"),
    ("float32", "float64", "float64"),
    ("uint8", "int32", "int32"),
    ("bool", "uint8", "uint8"),
    ("float16", "int64", "float16"),
    ("float16", "float32", "float32"),
]


@pytest.mark.parametrize("a, b, expected", PAIRS)
def test_tensor_tensor_promotion(a, b, expected):
    want = getattr(ember, expected)
    for first, second in ((a, b), (b, a)):
        assert ember.promote_types(getattr(ember, first), getattr(ember, second)) == want, (
            f"promote_types({first}, {second}) must be {expected}"
        )
    x = ember.tensor([0, 1], dtype=getattr(ember, a))
    y = ember.tensor([3, 4], dtype=getattr(ember, b))
    assert ember.result_type(x, y) == want, (
        f"result_type({a} tensor, {b} tensor) must be {expected}"
    )


@pytest.mark.parametrize(
    "dtype, number, expected",
    [
        ("int64", 1, "int64"),
        ("int64", 1.5, "float32"),  # a Python float lifts integers to the default dtype
        ("float32", 2.5, "float32"),  # never float64
        ("float16", 1.5, "float16"),
        ("int32", 3, "int32"),
        ("bool", 1, "int64"),
        ("bool", True, "bool"),
    ],
)
def test_python_scalars_do_not_upcast_tensors(dtype, number, expected):
    t = ember.tensor([1, 0], dtype=getattr(ember, dtype))
    got = ember.result_type(t, number)
    assert got == getattr(ember, expected), (
        f"result_type({dtype} tensor, {number!r}) must be {expected}, got {got!r}"
    )


def test_zero_dim_tensors_promote_like_scalars():
    f32 = ember.tensor([1.0, 2.0])
    f64_scalar = ember.tensor(0.5, dtype=ember.float64)
    assert ember.result_type(f32, f64_scalar) == ember.float32, (
        "float32 tensor and zero-dim float64 tensor: same category, so the tensor with "
        "dimensions decides (float32)")
    i32 = ember.tensor([1, 2], dtype=ember.int32)
    assert ember.result_type(i32, ember.tensor(3)) == ember.int32, (
        "int32 tensor and zero-dim int64 tensor: the tensor with dimensions decides (int32)")
    assert ember.result_type(i32, f64_scalar) == ember.float64, (
        "int32 tensor and zero-dim float64 tensor: the higher category wins (float64)")
    assert ember.result_type(ember.tensor(1), ember.tensor(2.0)) == ember.float32, (
        "two zero-dim tensors: the higher category wins, at its default dtype (float32)")

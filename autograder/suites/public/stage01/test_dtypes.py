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


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("int64", "float32", "float32"),
        ("int32", "int64", "int64"),
        ("float32", "float64", "float64"),
        ("uint8", "int32", "int32"),
        ("bool", "uint8", "uint8"),
        ("float16", "int64", "float16"),
        ("float16", "float32", "float32"),
    ],
)
def test_tensor_tensor_promotion(a, b, expected):
    x = ember.tensor([0, 1], dtype=getattr(ember, a))
    y = ember.tensor([3, 4], dtype=getattr(ember, b))
    want = getattr(ember, expected)
    assert_tensor(x + y, [3, 5], want, what=f"{a} tensor + {b} tensor")
    assert_tensor(y * x, [0, 4], want, what=f"{b} tensor * {a} tensor")
    assert ember.promote_types(getattr(ember, a), getattr(ember, b)) == want, (
        f"promote_types({a}, {b}) must be {expected}"
    )


def test_python_scalars_do_not_upcast_tensors():
    i = ember.tensor([1, 2])
    assert_tensor(i + 1, [2, 3], ember.int64, what="int64 tensor + 1")
    assert_tensor(i + 1.5, [2.5, 3.5], ember.float32,
                  what="int64 tensor + 1.5 (a Python float gives the default float32)")
    f = ember.tensor([1.0, 2.0])
    assert_tensor(f * 2.5, [2.5, 5.0], ember.float32,
                  what="float32 tensor * 2.5 (must stay float32, not become float64)")
    h = ember.tensor([1.0, 2.0], dtype=ember.float16)
    assert_tensor(h + 1.5, [2.5, 3.5], ember.float16, what="float16 tensor + 1.5")
    i32 = ember.tensor([1, 2], dtype=ember.int32)
    assert_tensor(i32 * 3, [3, 6], ember.int32, what="int32 tensor * 3")
    assert_tensor(ember.tensor([True, False]) + 1, [2, 1], ember.int64, what="bool tensor + 1")


def test_zero_dim_tensors_promote_like_scalars():
    f32 = ember.tensor([1.0, 2.0])
    f64_scalar = ember.tensor(0.5, dtype=ember.float64)
    assert_tensor(f32 + f64_scalar, [1.5, 2.5], ember.float32,
                  what="float32 tensor + zero-dim float64 tensor (same category: the "
                       "tensor with dimensions decides)")
    i32 = ember.tensor([1, 2], dtype=ember.int32)
    assert_tensor(i32 + ember.tensor(3), [4, 5], ember.int32,
                  what="int32 tensor + zero-dim int64 tensor")
    assert_tensor(i32 + f64_scalar, [1.5, 2.5], ember.float64,
                  what="int32 tensor + zero-dim float64 tensor (higher category: its dtype wins)")


def test_integer_division_gives_float32():
    a = ember.tensor([1, 7])
    b = ember.tensor([2, 2])
    assert_tensor(a / b, [0.5, 3.5], ember.float32,
                  what="int64 / int64 (true division gives the default float dtype)")
    assert_tensor(a / 2, [0.5, 3.5], ember.float32, what="int64 tensor / 2")
    assert_tensor(a // b, [0, 3], ember.int64, what="int64 // int64 stays int64")


def test_result_type_and_dtype_properties():
    assert ember.result_type(ember.tensor([1]), 1.5) == ember.float32
    assert ember.result_type(ember.tensor([1], dtype=ember.int32), 5) == ember.int32
    assert ember.result_type(ember.tensor([1.0]), ember.tensor([1.0], dtype=ember.float64)) == (
        ember.float64
    )
    assert ember.float32.is_floating_point and not ember.int64.is_floating_point
    assert (ember.float64.itemsize, ember.int32.itemsize, ember.bool.itemsize) == (8, 4, 1)

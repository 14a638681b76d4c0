"""Stage 01 · elementwise: arithmetic, unary math, comparisons and broadcasting.

Oracle: NumPy's formulas on the same float32 inputs; PyTorch's dtype rules.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_tensor

A = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -6.0]], dtype=np.float32)
B = np.array([[2.0, 0.5, -1.0], [4.0, -3.0, 2.0]], dtype=np.float32)


@pytest.mark.parametrize(
    "name, fn",
    [
        ("a + b", lambda a, b: a + b),
        ("a - b", lambda a, b: a - b),
        ("a * b", lambda a, b: a * b),
        ("a / b", lambda a, b: a / b),
        ("a ** 2", lambda a, b: a ** 2),
    ],
)
def test_binary_operators_match_numpy(name, fn):
    out = fn(ember.tensor(A), ember.tensor(B))
    assert_tensor(out, fn(A, B), ember.float32, what=name)


def test_function_and_method_forms():
    a, b = ember.tensor(A), ember.tensor(B)
    assert_tensor(ember.add(a, b), A + B, ember.float32, what="ember.add(a, b)")
    assert_tensor(a.sub(b), A - B, ember.float32, what="a.sub(b)")
    assert_tensor(ember.mul(a, 3), A * 3, ember.float32, what="ember.mul(a, 3)")
    assert_tensor(a.div(b), A / B, ember.float32, what="a.div(b)")
    assert_tensor(ember.pow(a, 2), A ** 2, ember.float32, what="ember.pow(a, 2)")
    assert_tensor(-a, -A, ember.float32, what="-a")
    assert_tensor(a.neg(), -A, ember.float32, what="a.neg()")


def test_reflected_operators_with_python_numbers():
    a = ember.tensor(B)
    assert_tensor(1 - a, 1 - B, ember.float32, what="1 - a")
    assert_tensor(2 / a, 2 / B, ember.float32, what="2 / a")
    assert_tensor(3 * a, 3 * B, ember.float32, what="3 * a")
    assert_tensor(2 ** ember.tensor([1.0, 3.0]), [2.0, 8.0], ember.float32, what="2 ** a")
    assert_tensor(10 + a, 10 + B, ember.float32, what="10 + a")


def test_floor_division_and_remainder_follow_python_signs():
    a = ember.tensor([-7, 7, -8])
    assert_tensor(a // 2, [-4, 3, -4], ember.int64, what="a // 2 (floors toward -inf)")
    assert_tensor(a % 3, [2, 1, 1], ember.int64, what="a % 3 (sign of the divisor)")
    assert_tensor(ember.tensor([-7.5, 7.5]) % 2, [0.5, 1.5], ember.float32, what="float % 2")
    assert_tensor(a.div(2, rounding_mode="trunc"), [-3, 3, -4], ember.int64,
                  what="div(rounding_mode='trunc')")
    assert_tensor(a.div(2, rounding_mode="floor"), [-4, 3, -4], ember.int64,
                  what="div(rounding_mode='floor')")


@pytest.mark.parametrize(
    "name, np_fn",
    [
        ("exp", np.exp),
        ("sin", np.sin),
        ("cos", np.cos),
        ("tanh", np.tanh),
        ("abs", np.abs),
        ("sign", np.sign),
        ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
        ("relu", lambda x: np.maximum(x, 0)),
    ],
)
def test_unary_functions_match_numpy(name, np_fn):
    out = getattr(ember, name)(ember.tensor(A))
    assert_tensor(out, np_fn(A), ember.float32, rtol=1e-5, what=f"ember.{name}(a)")
    assert_tensor(getattr(ember.tensor(A), name)(), np_fn(A), ember.float32, rtol=1e-5,
                  what=f"a.{name}()")


def test_log_and_sqrt():
    x = np.array([0.25, 1.0, 9.0], dtype=np.float32)
    assert_tensor(ember.log(ember.tensor(x)), np.log(x), ember.float32, rtol=1e-5, what="log")
    assert_tensor(ember.tensor(x).sqrt(), np.sqrt(x), ember.float32, what="sqrt")


def test_float_math_on_integer_tensors_gives_float32():
    i = ember.tensor([0, 1, 4])
    assert_tensor(i.exp(), np.exp([0, 1, 4]).astype(np.float32), ember.float32, rtol=1e-5,
                  what="exp of an int64 tensor (must be float32, not float64)")
    assert_tensor(i.sqrt(), [0.0, 1.0, 2.0], ember.float32, what="sqrt of an int64 tensor")
    assert_tensor(ember.tensor([-3, 2]).abs(), [3, 2], ember.int64, what="abs keeps int64")


def test_clamp_maximum_minimum_where():
    a = ember.tensor(A)
    assert_tensor(a.clamp(-1.0, 2.0), np.clip(A, -1, 2), ember.float32, what="clamp(-1, 2)")
    assert_tensor(a.clamp(min=0.0), np.maximum(A, 0), ember.float32, what="clamp(min=0)")
    assert_tensor(ember.clip(a, max=1.0), np.minimum(A, 1), ember.float32, what="clip(max=1)")
    b = ember.tensor(B)
    assert_tensor(ember.maximum(a, b), np.maximum(A, B), ember.float32, what="maximum")
    assert_tensor(ember.minimum(a, b), np.minimum(A, B), ember.float32, what="minimum")
    cond = ember.tensor(A > 0)
    assert_tensor(ember.where(cond, a, b), np.where(A > 0, A, B), ember.float32, what="where")


def test_comparisons_return_bool_tensors():
    a, b = ember.tensor(A), ember.tensor(B)
    for name, op, np_op in [("==", ember.eq, np.equal), ("!=", ember.ne, np.not_equal),
                            ("<", ember.lt, np.less), ("<=", ember.le, np.less_equal),
                            (">", ember.gt, np.greater), (">=", ember.ge, np.greater_equal)]:
        assert_tensor(op(a, b), np_op(A, B), ember.bool, what=f"comparison {name}")
    assert_tensor(a > 1, A > 1, ember.bool, what="a > 1")
    assert_tensor(a == b, A == B, ember.bool, what="a == b")
    assert ember.equal(a, ember.tensor(A)) is True and ember.equal(a, b) is False
    assert ember.allclose(a, a + 1e-7) and not ember.allclose(a, b)


def test_broadcasting_column_and_row():
    col = np.array([[1.0], [2.0], [3.0]], dtype=np.float32)  # (3, 1)
    row = np.array([10.0, 20.0, 30.0, 40.0], dtype=np.float32)  # (4,)
    assert_tensor(ember.tensor(col) + ember.tensor(row), col + row, ember.float32,
                  what="(3, 1) + (4,) broadcasts to (3, 4)")
    assert_tensor(ember.tensor(A) * ember.tensor([1.0, 0.0, 2.0]), A * [1, 0, 2],
                  ember.float32, what="(2, 3) * (3,)")


def test_broadcasting_with_size_zero_dimensions():
    out = ember.zeros(0, 3) + ember.ones(3)
    assert_tensor(out, np.zeros((0, 3)), ember.float32, what="(0, 3) + (3,)")
    out = ember.ones(2, 1, 4) * ember.ones(0, 1)
    assert_tensor(out, np.ones((2, 0, 4)), ember.float32, what="(2, 1, 4) * (0, 1)")


def test_broadcasting_mismatch_raises_torch_error():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                                           r"tensor b \(4\) at non-singleton dimension 1"):
        ember.ones(2, 3) + ember.ones(2, 4)


# The dtypes of results: every binary op promotes its operands with result_type
# (exercise 2) before its forward runs; integer true division gives the default float.


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
def test_binary_ops_give_the_promoted_dtype(a, b, expected):
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

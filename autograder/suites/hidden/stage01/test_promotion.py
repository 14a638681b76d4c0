"""Hidden · stage 01: type promotion over every pair of dtypes, operators and operand kinds.

Oracle (PyTorch's documented rules, for the dtypes ember has):
* two tensors with dimensions (or two zero-dim tensors): the later dtype in
  bool < uint8 < int32 < int64 < float16 < float32 < float64;
* a tensor with dimensions and a zero-dim tensor: the zero-dim tensor's dtype only when its
  category (bool < integer < float) is higher, otherwise the dimensioned tensor's dtype;
* a tensor and a Python number: the tensor's dtype unless the number's category is higher,
  then int64 for an int and the default float32 for a float.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ember
from autograder.suites.helpers import assert_tensor, numpy_dtype

ORDER = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]


def category(name):
    return 0 if name == "bool" else (2 if name.startswith("float") else 1)


def promote(a, b):
    return ORDER[max(ORDER.index(a), ORDER.index(b))]


def make(name, values, zero_dim=False):
    data = values[0] if zero_dim else values
    return ember.tensor(data, dtype=getattr(ember, name))


dtypes = st.sampled_from(ORDER)


@given(a=dtypes, b=dtypes)
def test_tensor_tensor_add_and_mul(a, b):
    want = promote(a, b)
    x, y = make(a, [0, 1, 1]), make(b, [1, 1, 0])
    xs, ys = np.array([0, 1, 1], numpy_dtype(getattr(ember, a))), np.array(
        [1, 1, 0], numpy_dtype(getattr(ember, b)))
    wd = numpy_dtype(getattr(ember, want))
    assert_tensor(x + y, xs.astype(wd) + ys.astype(wd), getattr(ember, want), what=f"{a} + {b}")
    assert_tensor(x * y, xs.astype(wd) * ys.astype(wd), getattr(ember, want), what=f"{a} * {b}")
    assert ember.promote_types(getattr(ember, a), getattr(ember, b)) == getattr(ember, want)
    assert ember.result_type(x, y) == getattr(ember, want)


@given(a=dtypes, b=dtypes)
def test_dimensioned_tensor_with_zero_dim_tensor(a, b):
    want = b if category(b) > category(a) else a
    x = make(a, [1, 0])
    z = make(b, [1], zero_dim=True)
    out = x * z
    assert out.dtype == getattr(ember, want), (
        f"{a} tensor * zero-dim {b} tensor must be {want}, got {out.dtype!r}"
    )
    assert tuple(out.shape) == (2,)
    out = z + x
    assert out.dtype == getattr(ember, want), (
        f"zero-dim {b} tensor + {a} tensor must be {want}, got {out.dtype!r}"
    )
    assert ember.result_type(x, z) == getattr(ember, want)


@given(a=dtypes, b=dtypes)
def test_two_zero_dim_tensors_promote_normally(a, b):
    out = make(a, [1], zero_dim=True) * make(b, [1], zero_dim=True)
    want = promote(a, b)
    assert out.dtype == getattr(ember, want), f"zero-dim {a} * zero-dim {b} must be {want}"
    assert tuple(out.shape) == (), "zero-dim op zero-dim is zero-dim"


@pytest.mark.parametrize("a", ORDER)
@pytest.mark.parametrize("scalar", [True, 2, 2.5], ids=["bool", "int", "float"])
def test_tensor_with_python_scalar(a, scalar):
    cs = 0 if isinstance(scalar, bool) else (1 if isinstance(scalar, int) else 2)
    want = a if cs <= category(a) else ("int64" if cs == 1 else "float32")
    x = make(a, [1, 0])
    for name, out in [("t * s", x * scalar), ("s * t", scalar * x)]:
        assert out.dtype == getattr(ember, want), (
            f"{a} tensor with Python {type(scalar).__name__}: {name} must be {want}, "
            f"got {out.dtype!r}"
        )
        assert to_np_dtype(out) == numpy_dtype(getattr(ember, want)), (
            f"{name}: the stored data must be {want}"
        )
    assert ember.result_type(x, scalar) == getattr(ember, want)


def to_np_dtype(t):
    return t.numpy().dtype


@pytest.mark.parametrize("a", ["bool", "uint8", "int32", "int64"])
def test_true_division_of_integers_is_float32(a):
    x = make(a, [1, 0, 1])
    y = make(a, [1, 1, 1])
    assert_tensor(x / y, [1.0, 0.0, 1.0], ember.float32, what=f"{a} / {a}")
    assert_tensor(x / 4, [0.25, 0.0, 0.25], ember.float32, what=f"{a} / 4")
    assert_tensor(4 / y, [4.0, 4.0, 4.0], ember.float32, what=f"4 / {a}")


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"])
@pytest.mark.parametrize("a", ["bool", "uint8", "int32", "int64"])
def test_float_functions_of_integer_tensors_give_float32(name, a):
    out = getattr(make(a, [1, 1]), name)()
    assert out.dtype == ember.float32, f"{name} of a {a} tensor must be float32, got {out.dtype!r}"
    assert out.numpy().dtype == np.float32, f"{name} of a {a} tensor must store float32 data"


@pytest.mark.parametrize("a", ["float16", "float64"])
@pytest.mark.parametrize("name", ["exp", "sqrt", "sigmoid", "tanh", "relu", "abs", "neg"])
def test_float_functions_keep_float16_and_float64(name, a):
    out = getattr(make(a, [1, 4]), name)()
    assert out.dtype == getattr(ember, a), f"{name} of a {a} tensor must stay {a}"
    assert out.numpy().dtype == numpy_dtype(getattr(ember, a))


@pytest.mark.parametrize("a", ["uint8", "int32", "int64"])
def test_integer_ops_keep_their_integer_dtype(a):
    x = make(a, [5, 7])
    want = getattr(ember, a)
    assert_tensor(x // 2, [2, 3], want, what=f"{a} // 2")
    assert_tensor(x % 3, [2, 1], want, what=f"{a} % 3")
    assert_tensor(x ** 2, [25, 49], want, what=f"{a} ** 2")
    assert_tensor(x.abs(), [5, 7], want, what=f"{a}.abs()")
    assert_tensor(x.relu(), [5, 7], want, what=f"{a}.relu()")
    assert_tensor(x.clamp(0, 6), [5, 6], want, what=f"{a}.clamp(0, 6)")
    assert_tensor(ember.maximum(x, make(a, [6, 6])), [6, 7], want, what="maximum")
    assert_tensor(x ** 0.5, np.sqrt([5.0, 7.0]), ember.float32, rtol=1e-5,
                  what=f"{a} ** 0.5 (a float exponent gives float32)")


def test_comparisons_across_dtypes_are_bool():
    out = ember.tensor([1, 2]) == ember.tensor([1.0, 2.5])
    assert_tensor(out, [True, False], ember.bool, what="int64 == float32")
    out = ember.tensor([1, 2], dtype=ember.uint8) < 1.5
    assert_tensor(out, [True, False], ember.bool, what="uint8 < 1.5")


def test_where_promotes_its_branches():
    cond = ember.tensor([True, False])
    out = ember.where(cond, ember.tensor([1, 2]), ember.tensor([1.0, 2.0]))
    assert_tensor(out, [1.0, 2.0], ember.float32, what="where(cond, int64, float32)")
    out = ember.where(cond, 1.5, ember.tensor([1, 2]))
    assert_tensor(out, [1.5, 2.0], ember.float32, what="where(cond, 1.5, int64)")
    out = ember.tensor([[1, 2, 3]]).where(ember.tensor([[True, False, True]]), 0)
    assert_tensor(out, [[1, 0, 3]], ember.int64, what="t.where(cond, 0)")


def test_float16_storage_does_not_leak_float32():
    h = ember.tensor([1.0, 2.0], dtype=ember.float16)
    for name, out in [("h * 2.5", h * 2.5), ("h + h", h + h), ("h / 3", h / 3),
                      ("h.sum()", h.sum()), ("h.mean()", h.mean())]:
        assert out.dtype == ember.float16, f"{name} must stay float16"
        assert out.numpy().dtype == np.float16, f"{name} must store float16 data"

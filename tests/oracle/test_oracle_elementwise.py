"""Element-wise math, comparisons, clamp, where, maximum/minimum: ember against torch."""

import operator
import warnings

import numpy as np
import pytest
import torch
from _oracle import (
    INTS,
    SETTINGS,
    arrays,
    assert_same,
    both,
    broadcast_pairs,
    check,
    dtypes,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

# name -> f(module, a, b); each runs the same on torch and on ember.
BINARY = {
    "a + b": lambda m, a, b: a + b,
    "a - b": lambda m, a, b: a - b,
    "a * b": lambda m, a, b: a * b,
    "a / b": lambda m, a, b: a / b,
    "a // b": lambda m, a, b: a // b,
    "a % b": lambda m, a, b: a % b,
    "a ** b": lambda m, a, b: a**b,
    "a == b": lambda m, a, b: a == b,
    "a != b": lambda m, a, b: a != b,
    "a < b": lambda m, a, b: a < b,
    "a <= b": lambda m, a, b: a <= b,
    "a > b": lambda m, a, b: a > b,
    "a >= b": lambda m, a, b: a >= b,
    "add(a, b)": lambda m, a, b: m.add(a, b),
    "sub(a, b)": lambda m, a, b: m.sub(a, b),
    "mul(a, b)": lambda m, a, b: m.mul(a, b),
    "div(a, b)": lambda m, a, b: m.div(a, b),
    "pow(a, b)": lambda m, a, b: m.pow(a, b),
    "maximum(a, b)": lambda m, a, b: m.maximum(a, b),
    "minimum(a, b)": lambda m, a, b: m.minimum(a, b),
    "eq(a, b)": lambda m, a, b: m.eq(a, b),
    "ne(a, b)": lambda m, a, b: m.ne(a, b),
    "lt(a, b)": lambda m, a, b: m.lt(a, b),
    "le(a, b)": lambda m, a, b: m.le(a, b),
    "gt(a, b)": lambda m, a, b: m.gt(a, b),
    "ge(a, b)": lambda m, a, b: m.ge(a, b),
    "a.add(b)": lambda m, a, b: a.add(b),
    "a.sub(b)": lambda m, a, b: a.sub(b),
    "a.mul(b)": lambda m, a, b: a.mul(b),
    "a.div(b)": lambda m, a, b: a.div(b),
    "a.pow(b)": lambda m, a, b: a.pow(b),
    "a.maximum(b)": lambda m, a, b: a.maximum(b),
    "a.minimum(b)": lambda m, a, b: a.minimum(b),
    "a.eq(b)": lambda m, a, b: a.eq(b),
    "a.ne(b)": lambda m, a, b: a.ne(b),
    "a.lt(b)": lambda m, a, b: a.lt(b),
    "a.le(b)": lambda m, a, b: a.le(b),
    "a.gt(b)": lambda m, a, b: a.gt(b),
    "a.ge(b)": lambda m, a, b: a.ge(b),
}

# Integer division by zero raises in torch; those ops get non-zero integer divisors here
# (the error itself is tested in test_integer_division_by_zero_raises).
NONZERO_INT_DIVISOR = {"a // b", "a % b"}
# Integer powers: small non-negative exponents (negative ones are an error in torch).
POWER = {"a ** b", "pow(a, b)", "a.pow(b)"}


# torch refuses bool operands for these (subtraction, floor division, remainder, power,
# abs, relu); the dtype tables in test_oracle_promotion.py check those refusals for
# every pair, so the value tests below swap bool for int64 there.
BOOL_REFUSED = {
    "a - b",
    "sub(a, b)",
    "a.sub(b)",
    "a // b",
    "a % b",
    "s - a",
    "s // a",
    "s % a",
    "s ** a",
    "abs",
    "relu",
    "sign",
    "neg",
} | POWER


def no_bool(name, array):
    """``array`` as int64 when torch refuses bool for op ``name``."""
    if name in BOOL_REFUSED and array.dtype == np.bool_:
        return array.astype(np.int64)
    return array


def no_bool_scalar(name, s):
    return int(s) if name in BOOL_REFUSED and isinstance(s, bool) else s


def _fix_b(name, b):
    if name in POWER and b.dtype.kind in "iu":
        b = np.abs(b) % 4
    if name in NONZERO_INT_DIVISOR and b.dtype.kind in "iub":
        b = np.where(b == 0, 1, b).astype(b.dtype)
    return b


@st.composite
def binary_inputs(draw):
    shape_a, shape_b = draw(broadcast_pairs())
    da, db = draw(dtypes()), draw(dtypes())
    return draw(arrays(da, shape_a)), draw(arrays(db, shape_b))


@pytest.mark.parametrize("name", BINARY)
@SETTINGS
@given(inputs=binary_inputs())
def test_binary_tensor_tensor(name, inputs):
    a, b = no_bool(name, inputs[0]), no_bool(name, inputs[1])
    b = _fix_b(name, b)
    (ta, ea), (tb, eb) = both(a), both(b)
    fn = BINARY[name]
    check(lambda: fn(torch, ta, tb), lambda: fn(ember, ea, eb))


SCALAR_OPS = {
    k: v for k, v in BINARY.items() if not k.startswith(("maximum", "minimum", "a.max", "a.min"))
}
REFLECTED = {
    "s + a": lambda s, a: s + a,
    "s - a": lambda s, a: s - a,
    "s * a": lambda s, a: s * a,
    "s / a": lambda s, a: s / a,
    "s // a": lambda s, a: s // a,
    "s % a": lambda s, a: s % a,
    "s ** a": lambda s, a: s**a,
    "s == a": lambda s, a: s == a,
    "s < a": lambda s, a: s < a,
    "s >= a": lambda s, a: s >= a,
}
# Small, non-negative python scalars (an out-of-range int for uint8 is its own test).
SCALARS = st.one_of(st.integers(0, 5), st.sampled_from([0.5, 2.0, -1.5, 3.25, 0.0]), st.booleans())


@pytest.mark.parametrize("name", SCALAR_OPS)
@SETTINGS
@given(data=st.data())
def test_binary_tensor_scalar(name, data):
    dtype = data.draw(dtypes(), label="dtype")
    a = data.draw(arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0)), label="a")
    a, s = no_bool(name, a), no_bool_scalar(name, data.draw(SCALARS, label="scalar"))
    if name in NONZERO_INT_DIVISOR and s == 0:
        s = type(s)(1) if not isinstance(s, bool) else True
    ta, ea = both(a)
    fn = BINARY[name]
    check(lambda: fn(torch, ta, s), lambda: fn(ember, ea, s))


@pytest.mark.parametrize("name", REFLECTED)
@SETTINGS
@given(data=st.data())
def test_binary_scalar_tensor(name, data):
    dtype = data.draw(dtypes(), label="dtype")
    a = data.draw(arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0)), label="a")
    a = no_bool(name, a)
    if name in {"s // a", "s % a"}:
        a = _fix_b("a // b", a)
    if name == "s ** a" and a.dtype.kind in "iu":
        a = np.abs(a) % 4
    s = no_bool_scalar(name, data.draw(SCALARS, label="scalar"))
    ta, ea = both(a)
    fn = REFLECTED[name]
    check(lambda: fn(s, ta), lambda: fn(s, ea))


UNARY = ("neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign")


@pytest.mark.parametrize("op", UNARY)
@SETTINGS
@given(data=st.data())
def test_unary(op, data):
    dtype = data.draw(dtypes(), label="dtype")
    a = data.draw(arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0)), label="a")
    a = no_bool(op, a)
    ta, ea = both(a)
    check(lambda: getattr(torch, op)(ta), lambda: getattr(ember, op)(ea))
    check(lambda: getattr(ta, op)(), lambda: getattr(ea, op)())


@SETTINGS
@given(data=st.data())
def test_unary_operators(data):
    dtype = data.draw(dtypes(), label="dtype")
    a = data.draw(arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0)), label="a")
    a = no_bool("abs", a)
    ta, ea = both(a)
    check(lambda: -ta, lambda: -ea)
    check(lambda: abs(ta), lambda: abs(ea))


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@SETTINGS
@given(inputs=binary_inputs())
def test_div_rounding_mode(mode, inputs):
    a, b = inputs
    if mode is not None:
        a, b = no_bool("a // b", a), no_bool("a // b", b)
        b = _fix_b("a // b", b)
    (ta, ea), (tb, eb) = both(a), both(b)
    check(
        lambda: torch.div(ta, tb, rounding_mode=mode),
        lambda: ember.div(ea, eb, rounding_mode=mode),
    )
    check(
        lambda: ta.div(tb, rounding_mode=mode),
        lambda: ea.div(eb, rounding_mode=mode),
    )
    check(lambda: ta.div(3, rounding_mode=mode), lambda: ea.div(3, rounding_mode=mode))


@pytest.mark.parametrize(
    "a, b",
    [
        ([7, -7, 7, -7, 0], [2, 2, -2, -2, 3]),
        ([7.5, -7.5, 7.5, -7.5, 0.0, -0.0], [2.0, 2.0, -2.0, -2.0, 3.0, 3.0]),
        ([1.0, -1.0, 0.0, 5.0], [0.0, 0.0, 0.0, float("inf")]),
    ],
)
def test_floor_semantics_signs(a, b):
    """``//`` floors and ``%`` takes the divisor's sign, like Python and torch."""
    (ta, ea), (tb, eb) = both(np.array(a)), both(np.array(b))
    for fn in (operator.floordiv, operator.mod):
        check(lambda fn=fn: fn(ta, tb), lambda fn=fn: fn(ea, eb))
    for mode in ("trunc", "floor"):
        check(
            lambda mode=mode: torch.div(ta, tb, rounding_mode=mode),
            lambda mode=mode: ember.div(ea, eb, rounding_mode=mode),
        )


@pytest.mark.parametrize("dtype", INTS)
def test_integer_division_by_zero_raises(dtype):
    """torch raises RuntimeError("ZeroDivisionError") for integer // and % by zero."""
    (ta, ea), (tb, eb) = both(np.array([3, 4], dtype)), both(np.array([1, 0], dtype))
    for fn in (
        lambda a, b: a // b,
        lambda a, b: a % b,
        lambda a, b: a.div(b, rounding_mode="trunc"),
        lambda a, b: a.div(b, rounding_mode="floor"),
    ):
        check(lambda fn=fn: fn(ta, tb), lambda fn=fn: fn(ea, eb))
        check(lambda fn=fn: fn(ta, 0), lambda fn=fn: fn(ea, 0))


def test_integer_tensor_to_negative_scalar_power_raises():
    ta, ea = both(np.array([1, 2, 3]))
    check(lambda: ta**-1, lambda: ea**-1, match=True)
    check(lambda: ta**-1.0, lambda: ea**-1.0)  # float exponent: float result


@pytest.mark.parametrize("dtype", ["uint8", "int32"])
def test_negative_python_int_with_unsigned_or_small_tensor(dtype):
    """torch casts the python int to the tensor's dtype (uint8 wraps around)."""
    ta, ea = both(np.array([1, 5, 200], dtype))
    check(lambda: ta + (-1), lambda: ea + (-1))
    check(lambda: ta - 3, lambda: ea - 3)
    check(lambda: ta * 2, lambda: ea * 2)


def test_bool_negation_and_subtraction_errors():
    ta, ea = both(np.array([True, False]))
    check(lambda: -ta, lambda: -ea, match=True)
    check(lambda: ta - ta, lambda: ea - ea, match=True)
    check(lambda: ta.neg(), lambda: ea.neg(), match=True)


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((3,), (4,)), ((2, 3), (2, 4)), ((2, 1, 3), (4, 2)), ((5, 2), (3, 1, 3)), ((0,), (2,))],
)
def test_broadcast_error_message(shape_a, shape_b):
    ta, ea = both(np.ones(shape_a, np.float32))
    tb, eb = both(np.ones(shape_b, np.float32))
    check(lambda: ta + tb, lambda: ea + eb, match=True)
    check(lambda: ta * tb, lambda: ea * eb, match=True)
    check(lambda: ta < tb, lambda: ea < eb, match=True)


CLAMP_BOUNDS = st.one_of(
    st.none(), st.integers(-5, 5), st.floats(-5, 5, width=32), st.sampled_from([0.5, -2.5])
)


@SETTINGS
@given(data=st.data())
def test_clamp_scalar_bounds(data):
    dtype = data.draw(dtypes(), label="dtype")
    a = data.draw(arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0)), label="a")
    lo, hi = data.draw(CLAMP_BOUNDS, label="min"), data.draw(CLAMP_BOUNDS, label="max")
    ta, ea = both(a)
    check(lambda: torch.clamp(ta, min=lo, max=hi), lambda: ember.clamp(ea, min=lo, max=hi))
    check(lambda: ta.clamp(lo, hi), lambda: ea.clamp(lo, hi))
    check(lambda: ta.clip(min=lo, max=hi), lambda: ea.clip(min=lo, max=hi))
    check(lambda: torch.clip(ta, lo, hi), lambda: ember.clip(ea, lo, hi))


@SETTINGS
@given(data=st.data())
def test_clamp_tensor_bounds(data):
    shapes = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=0), label="shapes"
    ).input_shapes
    dtype = data.draw(dtypes(("float32", "float64", "int64", "int32")), label="dtype")
    a, lo, hi = (data.draw(arrays(dtype, s)) for s in shapes)
    (ta, ea), (tlo, elo), (thi, ehi) = both(a), both(lo), both(hi)
    check(lambda: torch.clamp(ta, tlo, thi), lambda: ember.clamp(ea, elo, ehi))
    check(lambda: ta.clamp(min=tlo), lambda: ea.clamp(min=elo))
    check(lambda: ta.clamp(max=thi), lambda: ea.clamp(max=ehi))


def test_clamp_without_bounds_raises():
    ta, ea = both(np.ones(3, np.float32))
    check(lambda: torch.clamp(ta), lambda: ember.clamp(ea), match=True)


WHERE_VALUE = st.one_of(st.integers(0, 5), st.floats(-3, 3, width=32), st.booleans())


@SETTINGS
@given(data=st.data())
def test_where(data):
    shapes = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=0), label="shapes"
    ).input_shapes
    cond = data.draw(arrays("bool", shapes[0]), label="cond")
    da, db = data.draw(dtypes(), label="dtype a"), data.draw(dtypes(), label="dtype b")
    a, b = data.draw(arrays(da, shapes[1])), data.draw(arrays(db, shapes[2]))
    (tc, ec), (ta, ea), (tb, eb) = both(cond), both(a), both(b)
    check(lambda: torch.where(tc, ta, tb), lambda: ember.where(ec, ea, eb))
    check(lambda: ta.where(tc, tb), lambda: ea.where(ec, eb))
    s = data.draw(WHERE_VALUE, label="scalar")
    check(lambda: torch.where(tc, ta, s), lambda: ember.where(ec, ea, s))
    check(lambda: torch.where(tc, s, tb), lambda: ember.where(ec, s, eb))


@SETTINGS
@given(data=st.data())
def test_equal_and_allclose(data):
    shape_a, shape_b = data.draw(broadcast_pairs(), label="shapes")
    dtype = data.draw(dtypes(("float32", "float64")), label="dtype")
    a = data.draw(arrays(dtype, shape_a), label="a")
    same = data.draw(st.booleans(), label="same")
    b = a.copy() if same else data.draw(arrays(dtype, shape_b), label="b")
    (ta, ea), (tb, eb) = both(a), both(b)
    check(lambda: torch.equal(ta, tb), lambda: ember.equal(ea, eb))
    check(lambda: ta.equal(tb), lambda: ea.equal(eb))
    check(lambda: torch.allclose(ta, tb), lambda: ember.allclose(ea, eb))
    check(lambda: ta.allclose(tb, atol=0.5), lambda: ea.allclose(eb, atol=0.5))


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, t: m.log(t),
        lambda m, t: m.sqrt(t),
        lambda m, t: t / m.zeros(5),
        lambda m, t: m.exp(t * 1000),
        lambda m, t: t // m.zeros(5),
        lambda m, t: t % m.zeros(5),
    ],
    ids=["log", "sqrt", "div0", "exp-overflow", "floordiv0", "mod0"],
)
def test_domain_edges_values_and_no_warnings(fn):
    """NaN/inf where torch has them, and no NumPy RuntimeWarning leaking to the user."""
    ta, ea = both(np.array([-1.0, 0.0, 1.0, np.inf, np.nan], np.float32))
    expected = fn(torch, ta)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = fn(ember, ea)
    assert_same(got, expected)
    assert not caught, [str(w.message) for w in caught]

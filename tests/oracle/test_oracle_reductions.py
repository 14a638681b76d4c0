"""Reductions with dim / keepdim: ember against torch."""

import numpy as np
import pytest
import torch
from _oracle import SETTINGS, arrays, assert_same, both, check, dtypes, shapes
from hypothesis import given
from hypothesis import strategies as st

import ember

REDUCTIONS = ("sum", "mean", "prod", "max", "min", "argmax", "argmin", "std", "var", "all", "any")
TOL = {"rtol": 1e-4, "atol": 1e-4}


@st.composite
def dims(draw, ndim):
    """None, one dim (negative too) or a tuple of distinct dims; sometimes out of range."""
    span = max(ndim, 1)
    kind = draw(st.sampled_from(["none", "int", "int", "tuple", "bad"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-span, span - 1))
    if kind == "bad":
        return draw(st.sampled_from([span, -span - 1]))
    picks = draw(st.lists(st.integers(0, span - 1), min_size=1, max_size=span, unique=True))
    return tuple(p - span if draw(st.booleans()) else p for p in picks)


@st.composite
def reduction_inputs(draw, op):
    dtype = draw(dtypes())
    small = op == "prod"  # keep products finite and order-independent
    shape = draw(shapes(max_dims=3 if small else 4))
    a = draw(arrays(dtype, shape, low=-2 if small else -10, high=2 if small else 10))
    return a, draw(dims(a.ndim)), draw(st.booleans())


def call(m_or_t, op, dim, keepdim, **kw):
    fn = getattr(m_or_t, op)
    if dim is None:
        return fn(**kw)
    return fn(dim, keepdim=keepdim, **kw)


@pytest.mark.parametrize("op", REDUCTIONS)
@SETTINGS
@given(data=st.data())
def test_reduction(op, data):
    a, dim, keepdim = data.draw(reduction_inputs(op), label="a, dim, keepdim")
    ta, ea = both(a)
    check(lambda: call(ta, op, dim, keepdim), lambda: call(ea, op, dim, keepdim), match=True, **TOL)
    check(
        lambda: _fn(torch, op, ta, dim, keepdim),
        lambda: _fn(ember, op, ea, dim, keepdim),
        **TOL,
    )


def _fn(module, op, t, dim, keepdim):
    fn = getattr(module, op)
    if dim is None:
        return fn(t)
    return fn(t, dim=dim, keepdim=keepdim)


@pytest.mark.parametrize("op", ["max", "min"])
@SETTINGS
@given(data=st.data())
def test_max_min_with_dim_returns_values_and_indices(op, data):
    dtype = data.draw(dtypes(), label="dtype")
    a = data.draw(arrays(dtype, shapes(min_dims=1)), label="a")
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    ta, ea = both(a)
    result = check(lambda: getattr(ta, op)(dim, keepdim), lambda: getattr(ea, op)(dim, keepdim))
    if result is None:
        return
    got, expected = result
    assert_same(got.values, expected.values)
    assert_same(got.indices, expected.indices)
    values, indices = got
    assert_same(values, expected[0])
    assert_same(indices, expected[1])
    assert_same(got[0], expected.values)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"unbiased": True},
        {"unbiased": False},
        {"correction": 0},
        {"correction": 1},
        {"correction": 2},
    ],
    ids=str,
)
@pytest.mark.parametrize("op", ["std", "var"])
@SETTINGS
@given(data=st.data())
def test_std_var_corrections(op, kw, data):
    dtype = data.draw(dtypes(("float32", "float64")), label="dtype")
    a = data.draw(arrays(dtype, shapes()), label="a")
    ta, ea = both(a)
    check(lambda: getattr(ta, op)(**kw), lambda: getattr(ea, op)(**kw), **TOL)
    if a.ndim:
        dim = data.draw(st.integers(-a.ndim, a.ndim - 1), label="dim")
        keepdim = data.draw(st.booleans(), label="keepdim")
        check(
            lambda: getattr(torch, op)(ta, dim, keepdim=keepdim, **kw),
            lambda: getattr(ember, op)(ea, dim, keepdim=keepdim, **kw),
            **TOL,
        )
        check(
            lambda: getattr(ta, op)(dim=(dim,), keepdim=keepdim, **kw),
            lambda: getattr(ea, op)(dim=(dim,), keepdim=keepdim, **kw),
            **TOL,
        )


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_mean_std_of_integers_raise(dtype):
    ta, ea = both(np.array([1, 0, 1]).astype(dtype))
    check(lambda: ta.mean(), lambda: ea.mean(), match=True)
    check(lambda: ta.std(), lambda: ea.std())
    check(lambda: ta.var(0), lambda: ea.var(0))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float32", "float64"])
def test_sum_prod_all_any_result_dtypes(dtype):
    ta, ea = both(np.array([[1, 0, 1], [1, 1, 1]]).astype(dtype))
    for op in ("sum", "prod", "all", "any"):
        check(lambda op=op: getattr(ta, op)(), lambda op=op: getattr(ea, op)())
        check(lambda op=op: getattr(ta, op)(1), lambda op=op: getattr(ea, op)(1))
        check(
            lambda op=op: getattr(torch, op)(ta, 0, True),
            lambda op=op: getattr(ember, op)(ea, 0, True),
        )


@pytest.mark.parametrize("op", REDUCTIONS)
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)], ids=str)
def test_reductions_of_empty_tensors(op, shape):
    ta, ea = both(np.zeros(shape, np.float32))
    check(lambda: getattr(ta, op)(), lambda: getattr(ea, op)(), match=op in ("max", "min"))
    for d in range(len(shape)):
        check(lambda d=d: getattr(ta, op)(d), lambda d=d: getattr(ea, op)(d), match=True)


@pytest.mark.parametrize("op", REDUCTIONS)
def test_reductions_of_zero_dim_tensors(op):
    ta, ea = both(np.array(2.5, np.float32))
    for dim in (0, -1, 1):
        check(
            lambda dim=dim: getattr(ta, op)(dim), lambda dim=dim: getattr(ea, op)(dim), match=True
        )
    check(lambda: getattr(ta, op)(), lambda: getattr(ea, op)())


def test_ties_and_nan():
    a = np.array([[3.0, 3.0, 1.0], [2.0, np.nan, 2.0], [-1.0, -1.0, -1.0]], np.float32)
    ta, ea = both(a)
    for op in ("max", "min"):
        check(lambda op=op: getattr(ta, op)(1), lambda op=op: getattr(ea, op)(1))
        check(lambda op=op: getattr(ta, op)(), lambda op=op: getattr(ea, op)())
    for op in ("argmax", "argmin"):
        check(lambda op=op: getattr(ta, op)(1), lambda op=op: getattr(ea, op)(1))
        check(lambda op=op: getattr(ta, op)(), lambda op=op: getattr(ea, op)())
    check(lambda: ta.sum(0), lambda: ea.sum(0))


def test_dimension_out_of_range_message():
    ta, ea = both(np.ones((2, 3), np.float32))
    check(lambda: ta.sum(2), lambda: ea.sum(2), match=True)
    check(lambda: ta.mean(-3), lambda: ea.mean(-3), match=True)
    check(lambda: ta.max(2), lambda: ea.max(2), match=True)
    check(lambda: ta.sum((0, 0)), lambda: ea.sum((0, 0)))

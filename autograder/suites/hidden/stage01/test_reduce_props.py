"""Hidden · stage 01: reductions over random shapes, dims (negative, tuples), keepdim, dtypes.

Oracle: NumPy's reductions (``keepdims``, ``ddof``, ``argmax`` picks the first maximum
like PyTorch) with PyTorch's dtype rules.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from autograder.suites.helpers import assert_tensor

# Small integer-valued floats: exact sums and many ties for argmax/argmin.
tie_values = st.integers(-3, 3).map(float)
shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4)


@st.composite
def array_and_dim(draw, nonempty_dim=False):
    a = draw(hnp.arrays(np.float32, shapes, elements=tie_values))
    dim = draw(st.integers(-a.ndim, a.ndim - 1))
    if nonempty_dim:
        assume(a.shape[dim] > 0)
    return a, dim, draw(st.booleans())


@given(case=array_and_dim())
def test_sum_mean_prod_over_one_dim(case):
    a, dim, keep = case
    t = ember.tensor(a)
    assert_tensor(t.sum(dim, keepdim=keep), a.sum(dim, keepdims=keep), ember.float32,
                  what=f"sum(dim={dim}, keepdim={keep}) of {a.shape}")
    assert_tensor(t.prod(dim, keepdim=keep), a.prod(dim, keepdims=keep), ember.float32,
                  what=f"prod(dim={dim}, keepdim={keep}) of {a.shape}")
    if a.shape[dim] > 0:
        assert_tensor(t.mean(dim=dim, keepdim=keep), a.mean(dim, keepdims=keep), ember.float32,
                      rtol=1e-5, what=f"mean(dim={dim}, keepdim={keep}) of {a.shape}")


@given(a=hnp.arrays(np.float32, shapes, elements=tie_values), data=st.data())
def test_sum_and_mean_over_a_tuple_of_dims(a, data):
    dims = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim,
                              unique=True))
    neg = tuple(d - a.ndim if data.draw(st.booleans()) else d for d in dims)
    keep = data.draw(st.booleans())
    t = ember.tensor(a)
    assert_tensor(t.sum(neg, keepdim=keep), a.sum(tuple(dims), keepdims=keep), ember.float32,
                  what=f"sum(dim={neg}, keepdim={keep}) of {a.shape}")
    if a.size:
        assert_tensor(t.mean(neg, keepdim=keep), a.mean(tuple(dims), keepdims=keep),
                      ember.float32, rtol=1e-5, what=f"mean(dim={neg}, keepdim={keep})")


@given(case=array_and_dim(nonempty_dim=True))
def test_max_min_argmax_argmin_over_one_dim(case):
    a, dim, keep = case
    t = ember.tensor(a)
    values, indices = t.max(dim, keepdim=keep)
    assert_tensor(values, a.max(dim, keepdims=keep), ember.float32,
                  what=f"max(dim={dim}, keepdim={keep}).values of {a.shape}")
    assert_tensor(indices, a.argmax(dim, keepdims=keep), ember.int64,
                  what=f"max(dim={dim}, keepdim={keep}).indices (first maximum on ties)")
    out = ember.min(t, dim=dim, keepdim=keep)
    assert_tensor(out.values, a.min(dim, keepdims=keep), ember.float32, what="min(dim).values")
    assert_tensor(out.indices, a.argmin(dim, keepdims=keep), ember.int64,
                  what="min(dim).indices (first minimum on ties)")
    assert_tensor(t.argmax(dim, keepdim=keep), a.argmax(dim, keepdims=keep), ember.int64,
                  what=f"argmax(dim={dim}, keepdim={keep})")
    assert_tensor(t.argmin(dim=dim), a.argmin(dim), ember.int64, what=f"argmin(dim={dim})")


@given(a=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1,
                                                 max_side=4), elements=tie_values))
def test_full_reductions_are_zero_dim(a):
    t = ember.tensor(a)
    assert_tensor(t.max(), a.max(), ember.float32, what="max()")
    assert_tensor(t.min(), a.min(), ember.float32, what="min()")
    assert_tensor(t.argmax(), a.argmax(), ember.int64, what="argmax() (flattened index)")
    assert_tensor(t.argmin(), a.argmin(), ember.int64, what="argmin() (flattened index)")
    assert_tensor(t.sum(), a.sum(), ember.float32, what="sum()")
    assert_tensor(t.all(), a.all(), ember.bool, what="all()")
    assert_tensor(t.any(), a.any(), ember.bool, what="any()")


@given(case=array_and_dim(), correction=st.sampled_from([0, 1, 2]))
def test_std_and_var_with_correction(case, correction):
    a, dim, keep = case
    assume(a.shape[dim] > correction)
    a = a + np.arange(a.size, dtype=np.float32).reshape(a.shape) / 7
    t = ember.tensor(a)
    assert_tensor(t.var(dim, keepdim=keep, correction=correction),
                  a.astype(np.float64).var(dim, ddof=correction, keepdims=keep), ember.float32,
                  rtol=1e-4, atol=1e-5, what=f"var(dim={dim}, correction={correction})")
    assert_tensor(t.std(dim, keepdim=keep, correction=correction),
                  a.astype(np.float64).std(dim, ddof=correction, keepdims=keep), ember.float32,
                  rtol=1e-4, atol=1e-5, what=f"std(dim={dim}, correction={correction})")


def test_std_var_defaults_and_unbiased_flag():
    a = np.array([[1.0, 2.0, 4.0], [0.0, 3.0, 9.0]], dtype=np.float64)
    t = ember.tensor(a)
    assert_tensor(t.std(), a.std(ddof=1), ember.float64, what="std() of float64")
    assert_tensor(t.var(dim=1), a.var(1, ddof=1), ember.float64, what="var(dim=1)")
    assert_tensor(t.var(1, unbiased=False), a.var(1), ember.float64, what="var(1, unbiased=False)")
    assert_tensor(ember.std(t, 0, keepdim=True), a.std(0, ddof=1, keepdims=True), ember.float64,
                  what="ember.std(t, 0, keepdim=True)")


@given(a=hnp.arrays(np.int64, shapes, elements=st.integers(0, 3)),
       np_dtype=st.sampled_from([np.int32, np.int64, np.uint8, np.bool_]), data=st.data())
def test_integer_and_bool_reductions(a, np_dtype, data):
    a = a.astype(np_dtype)
    t = ember.from_numpy(a)
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    assert_tensor(t.sum(dim), a.sum(dim, dtype=np.int64), ember.int64,
                  what=f"sum of a {a.dtype} tensor (int64)")
    assert_tensor(t.prod(dim), a.prod(dim, dtype=np.int64), ember.int64,
                  what=f"prod of a {a.dtype} tensor (int64)")
    if a.dtype != np.uint8:  # torch keeps uint8 for all/any of uint8; not graded here
        assert_tensor(t.all(dim), a.all(dim), ember.bool, what=f"all({dim})")
        assert_tensor(t.any(dim), a.any(dim), ember.bool, what=f"any({dim})")
    if a.shape[dim] > 0:
        own = ember.bool if a.dtype == np.bool_ else t.dtype
        assert_tensor(t.max(dim).values, a.max(dim), own, what=f"max of {a.dtype} keeps dtype")
        if a.dtype != np.bool_:
            assert_tensor(t.argmax(dim), a.argmax(dim), ember.int64, what="argmax of ints")


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_mean_std_var_of_integers_raise(dtype):
    t = ember.tensor([1, 0, 1], dtype=getattr(ember, dtype))
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype"):
        t.mean()
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        t.std()
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        t.var(0)


def test_reductions_of_empty_tensors():
    assert_tensor(ember.zeros(0).sum(), np.float32(0), ember.float32, what="sum of empty")
    assert_tensor(ember.zeros(0).prod(), np.float32(1), ember.float32, what="prod of empty")
    assert_tensor(ember.zeros(0, 3).sum(0), np.zeros(3), ember.float32, what="zeros(0, 3).sum(0)")
    assert_tensor(ember.zeros(0, 3).max(1).values, np.zeros(0), ember.float32,
                  what="zeros(0, 3).max(1).values")
    assert_tensor(ember.zeros(0).all(), True, ember.bool, what="all() of empty is True")
    assert_tensor(ember.zeros(0).any(), False, ember.bool, what="any() of empty is False")
    with pytest.raises(RuntimeError, match=r"numel\(\) == 0"):
        ember.zeros(0).max()


def test_reductions_of_non_contiguous_tensors():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) % 5
    t = ember.tensor(a).permute(2, 0, 1)
    p = a.transpose(2, 0, 1)
    assert_tensor(t.sum(-1), p.sum(-1), ember.float32, what="sum of a permuted tensor")
    assert_tensor(t.argmax(0), p.argmax(0), ember.int64, what="argmax of a permuted tensor")
    assert_tensor(t.argmax(), p.argmax(), ember.int64,
                  what="argmax() of a permuted tensor (index in its own row-major order)")


def test_zero_dim_reductions():
    t = ember.tensor(3.0)
    assert_tensor(t.sum(), np.float32(3.0), ember.float32, what="sum() of a 0-dim tensor")
    assert_tensor(t.sum(0), np.float32(3.0), ember.float32, what="sum(0) of a 0-dim tensor")
    assert_tensor(t.mean(-1), np.float32(3.0), ember.float32, what="mean(-1) of a 0-dim tensor")


@pytest.mark.parametrize(
    "call",
    [lambda t: t.sum(3), lambda t: t.mean(-4), lambda t: t.max(3), lambda t: t.argmax(3),
     lambda t: t.std(3), lambda t: t.any(-4)],
)
def test_dim_out_of_range_messages(call):
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-3, 2\], but got (3|-4)\)"):
        call(ember.ones(2, 3, 4))


def test_max_result_unpacks_and_has_names():
    out = ember.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    values, indices = out
    assert_tensor(values, [5.0, 7.0], ember.float32, what="values")
    assert_tensor(indices, [1, 0], ember.int64, what="indices")
    assert_tensor(out[0], [5.0, 7.0], ember.float32, what="out[0]")
    assert_tensor(out.indices, [1, 0], ember.int64, what="out.indices")

"""Hidden · stage 01: elementwise math over random broadcastable shapes (incl. size 0 and 1).

Oracle: NumPy on the same float32 arrays (NumPy's broadcasting rules are PyTorch's).
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from autograder.suites.helpers import assert_tensor

finite32 = st.floats(-100, 100, width=32, allow_nan=False, allow_infinity=False)
positive32 = st.floats(0.5, 100, width=32)


@st.composite
def broadcastable_pair(draw, elements=finite32, elements_b=None):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                    min_side=0, max_side=4))
    a = draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=elements))
    b_elements = elements if elements_b is None else elements_b
    b = draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=b_elements))
    return a, b


BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "maximum": (ember.maximum, np.maximum),
    "minimum": (ember.minimum, np.minimum),
}


@pytest.mark.parametrize("name", list(BINARY))
@given(pair=broadcastable_pair())
def test_binary_ops_broadcast_like_numpy(name, pair):
    a, b = pair
    ember_fn, np_fn = BINARY[name]
    expected = np_fn(a, b)
    assert_tensor(ember_fn(ember.tensor(a), ember.tensor(b)), expected, ember.float32,
                  rtol=1e-6, atol=1e-5, what=f"{name} of {a.shape} and {b.shape}")


@given(pair=broadcastable_pair(elements_b=positive32))
def test_division_broadcasts_like_numpy(pair):
    a, b = pair
    assert_tensor(ember.tensor(a) / ember.tensor(b), a / b, ember.float32, rtol=1e-6,
                  what=f"{a.shape} / {b.shape}")
    assert_tensor(ember.tensor(a) // ember.tensor(b), np.floor_divide(a, b), ember.float32,
                  rtol=1e-6, atol=1e-5, what=f"{a.shape} // {b.shape}")


@given(pair=broadcastable_pair())
def test_comparisons_and_where_broadcast(pair):
    a, b = pair
    ta, tb = ember.tensor(a), ember.tensor(b)
    assert_tensor(ta < tb, a < b, ember.bool, what=f"{a.shape} < {b.shape}")
    assert_tensor(ta >= tb, a >= b, ember.bool, what=f"{a.shape} >= {b.shape}")
    assert_tensor(ember.where(ta > 0, ta, tb), np.where(a > 0, a, b), ember.float32,
                  what=f"where over {a.shape} and {b.shape}")


@given(a=hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                    elements=finite32),
       s=st.sampled_from([2, -1.5, 0.25]))
def test_python_scalars_broadcast_both_ways(a, s):
    t = ember.tensor(a)
    assert_tensor(t + s, a + np.float32(s), ember.float32, what=f"t + {s}")
    assert_tensor(s - t, np.float32(s) - a, ember.float32, what=f"{s} - t")
    assert_tensor(s * t, np.float32(s) * a, ember.float32, what=f"{s} * t")


@pytest.mark.parametrize(
    "name, np_fn",
    [("exp", np.exp), ("tanh", np.tanh), ("sin", np.sin), ("neg", np.negative),
     ("abs", np.abs), ("sign", np.sign), ("relu", lambda x: np.maximum(x, 0)),
     ("sigmoid", lambda x: 1 / (1 + np.exp(-x.astype(np.float64))))],
)
@given(a=hnp.arrays(st.sampled_from([np.float32, np.float64]),
                    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                    elements=st.floats(-20, 20, width=32)))
def test_unary_functions_keep_shape_and_float_dtype(name, np_fn, a):
    t = ember.tensor(a)
    dtype = ember.float64 if a.dtype == np.float64 else ember.float32
    assert_tensor(getattr(t, name)(), np_fn(a), dtype, rtol=1e-5, atol=1e-6,
                  what=f"{name} of a {a.dtype} tensor of shape {a.shape}")


def test_sigmoid_is_stable_for_large_inputs():
    t = ember.tensor([-1000.0, -100.0, 0.0, 100.0, 1000.0])
    assert_tensor(t.sigmoid(), [0.0, 0.0, 0.5, 1.0, 1.0], ember.float32,
                  what="sigmoid of very large |x| (must not give nan)")


def test_ops_on_non_contiguous_inputs():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = ember.tensor(a)
    assert_tensor(t.t() + ember.ones(4, 3), a.T + 1, ember.float32, what="t.t() + ones(4, 3)")
    assert_tensor(t[:, ::2] * t[:, 1::2], a[:, ::2] * a[:, 1::2], ember.float32,
                  what="strided slices multiplied")
    assert_tensor(t.t().exp(), np.exp(a.T), ember.float32, rtol=1e-5, what="exp of t.t()")


def test_zero_dim_operands_give_zero_dim_results():
    out = ember.tensor(2.0) * ember.tensor(3.0)
    assert_tensor(out, np.float32(6.0), ember.float32, what="zero-dim * zero-dim")
    assert_tensor(2 - ember.tensor(3.0), np.float32(-1.0), ember.float32, what="2 - zero-dim")
    assert_tensor(ember.tensor(2.0) + ember.ones(2, 1), np.full((2, 1), 3.0), ember.float32,
                  what="zero-dim + (2, 1)")


@pytest.mark.parametrize(
    "sa, sb, a, b, dim",
    [((2, 3), (2, 4), 3, 4, 1), ((5, 2, 3), (4,), 3, 4, 2), ((3,), (2, 4, 1, 2), 3, 2, 3),
     ((2, 1), (3, 5), 2, 3, 0)],
)
def test_broadcast_errors_name_the_sizes_and_the_dim(sa, sb, a, b, dim):
    msg = (rf"The size of tensor a \({a}\) must match the size of tensor b \({b}\) "
           rf"at non-singleton dimension {dim}")
    with pytest.raises(RuntimeError, match=msg):
        ember.ones(*sa) + ember.ones(*sb)
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        ember.ones(*sa) * ember.ones(*sb)


def test_division_by_zero_and_special_values():
    assert_tensor(ember.tensor([1.0, -1.0, 0.0]) / 0, [np.inf, -np.inf, np.nan], ember.float32,
                  what="float / 0 gives inf, -inf, nan")
    assert_tensor(ember.tensor([1, 0]) / 0, [np.inf, np.nan], ember.float32,
                  what="int / 0 (true division) gives inf and nan")
    assert_tensor(ember.tensor([-7.5, 7.5]) // 2, [-4.0, 3.0], ember.float32,
                  what="float floor division")
    assert_tensor(ember.tensor([4.0, -9.0]).sqrt(), [2.0, np.nan], ember.float32,
                  what="sqrt of a negative is nan")


def test_pow_variants():
    t = ember.tensor([1.0, 2.0, 3.0])
    assert_tensor(t ** ember.tensor([2, 0, 1]), [1.0, 1.0, 3.0], ember.float32,
                  what="float32 ** int64 tensor")
    assert_tensor(ember.tensor([2, 3]) ** ember.tensor([3, 2]), [8, 9], ember.int64,
                  what="int64 ** int64")
    assert_tensor(2.0 ** ember.tensor([1, 2]), [2.0, 4.0], ember.float32, what="2.0 ** int64")
    assert_tensor(ember.pow(2, ember.tensor([1.0, 3.0])), [2.0, 8.0], ember.float32,
                  what="ember.pow(2, t)")


def test_clamp_and_sign_edges():
    t = ember.tensor([-2.0, -0.0, 0.0, 0.5, 3.0])
    assert_tensor(t.sign(), [-1.0, 0.0, 0.0, 1.0, 1.0], ember.float32, what="sign (sign(0) = 0)")
    assert_tensor(t.clamp(max=0.25), [-2.0, -0.0, 0.0, 0.25, 0.25], ember.float32,
                  what="clamp(max=0.25)")
    assert_tensor(ember.clamp(t, min=-1.0, max=1.0), [-1.0, 0.0, 0.0, 0.5, 1.0], ember.float32,
                  what="ember.clamp(t, -1, 1)")
    assert_tensor(t.clip(-1.0, 1.0), [-1.0, 0.0, 0.0, 0.5, 1.0], ember.float32, what="t.clip")

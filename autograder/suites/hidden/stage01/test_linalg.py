"""Hidden · stage 01: matmul rules over random shapes (incl. size 0), mm/bmm/dot, errors.

Oracle: ``np.matmul``/``np.dot`` (the same 1-D, 2-D and batched rules as torch.matmul).
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from autograder.suites.helpers import assert_tensor

sides = st.integers(0, 4)
values = st.floats(-4, 4, width=32)


@st.composite
def matmul_operands(draw):
    """Two arrays whose matmul is defined: ranks 1..4, broadcastable batch dims."""
    n, k, m = draw(sides), draw(sides), draw(sides)
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                   min_side=0, max_side=3))
    rank_a, rank_b = draw(st.integers(1, 4)), draw(st.integers(1, 4))

    def shape(rank, batch_shape, matrix):
        if rank == 1:
            return (k,)
        extra = rank - 2  # trailing batch dims of broadcastable shapes stay broadcastable
        prefix = batch_shape[max(0, len(batch_shape) - extra):] if extra else ()
        return tuple(prefix) + matrix

    shape_a = shape(rank_a, batch.input_shapes[0], (n, k))
    shape_b = shape(rank_b, batch.input_shapes[1], (k, m))
    a = draw(hnp.arrays(np.float32, shape_a, elements=values))
    b = draw(hnp.arrays(np.float32, shape_b, elements=values))
    return a, b


@given(ops=matmul_operands())
def test_matmul_matches_numpy_on_random_shapes(ops):
    a, b = ops
    expected = np.matmul(a, b)
    assert_tensor(ember.tensor(a) @ ember.tensor(b), expected, ember.float32, rtol=1e-5,
                  atol=1e-4, what=f"{a.shape} @ {b.shape}")


@given(a=hnp.arrays(np.float64, st.tuples(sides, sides), elements=st.floats(-4, 4)),
       m=sides)
def test_mm_float64_and_size_zero(a, m):
    b = np.ones((a.shape[1], m))
    assert_tensor(ember.mm(ember.tensor(a), ember.tensor(b)), a @ b, ember.float64,
                  what=f"mm of float64 {a.shape} and {b.shape}")


def test_inner_size_zero_gives_zeros():
    assert_tensor(ember.ones(2, 0) @ ember.ones(0, 3), np.zeros((2, 3)), ember.float32,
                  what="(2, 0) @ (0, 3) is a (2, 3) matrix of zeros")
    assert_tensor(ember.ones(0) @ ember.ones(0), np.float32(0.0), ember.float32,
                  what="(0,) @ (0,) is 0")


def test_matmul_of_non_contiguous_operands():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = ember.tensor(a)
    assert_tensor(t.t() @ t, a.T @ a, ember.float32, what="t.t() @ t")
    assert_tensor(t[:, ::2].t() @ t[:, 1::2], a[:, ::2].T @ a[:, 1::2], ember.float32,
                  what="strided operands")


def test_method_and_function_forms():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    v = np.array([1.0, -1.0, 2.0], dtype=np.float32)
    t = ember.tensor(a)
    assert_tensor(t.matmul(ember.tensor(v)), a @ v, ember.float32, what="t.matmul(v)")
    assert_tensor(ember.tensor(v).dot(ember.tensor(v)), v @ v, ember.float32, what="v.dot(v)")
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    y = np.arange(40, dtype=np.float32).reshape(2, 4, 5)
    assert_tensor(ember.tensor(x).bmm(ember.tensor(y)), x @ y, ember.float32, what="x.bmm(y)")


def test_integer_dot_and_bmm_stay_integer():
    assert_tensor(ember.dot(ember.tensor([1, 2, 3]), ember.tensor([4, 5, 6])), 32, ember.int64,
                  what="int64 dot")
    x = np.arange(8).reshape(2, 2, 2)
    assert_tensor(ember.bmm(ember.tensor(x), ember.tensor(x)), x @ x, ember.int64,
                  what="int64 bmm")


@pytest.mark.parametrize("n, k1, k2, m", [(2, 3, 4, 5), (1, 1, 2, 7), (6, 0, 1, 1)])
def test_mm_error_names_both_shapes(n, k1, k2, m):
    msg = rf"mat1 and mat2 shapes cannot be multiplied \({n}x{k1} and {k2}x{m}\)"
    with pytest.raises(RuntimeError, match=msg):
        ember.mm(ember.ones(n, k1), ember.ones(k2, m))
    with pytest.raises(RuntimeError, match=msg):
        ember.ones(n, k1) @ ember.ones(k2, m)


@pytest.mark.parametrize(
    "sa, sb, msg",
    [
        ((3,), (4,), r"inconsistent tensor size, expected tensor \[3\] and src \[4\] to have "
                     r"the same number of elements, but got 3 and 4 elements respectively"),
        ((2, 3), (4,), r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
        ((3,), (4, 2), r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x2\)"),
        ((2, 2, 3), (2, 4, 5), r"Expected size for first two dimensions of batch2 tensor to be: "
                               r"\[2, 3\] but got: \[2, 4\]"),
        ((2, 2, 3), (3, 3, 1), r"The size of tensor a \(2\) must match the size of tensor b "
                               r"\(3\) at non-singleton dimension 0"),
    ],
)
def test_matmul_inner_mismatch_raises(sa, sb, msg):
    with pytest.raises(RuntimeError, match=msg):
        ember.matmul(ember.ones(*sa), ember.ones(*sb))


def test_matmul_needs_at_least_1d():
    with pytest.raises(RuntimeError, match="at least 1D"):
        ember.matmul(ember.tensor(1.0), ember.ones(3))


def test_mm_bmm_dot_check_ranks():
    with pytest.raises(RuntimeError, match="mat2 must be a matrix"):
        ember.mm(ember.ones(2, 3), ember.ones(3))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        ember.mm(ember.ones(2, 2, 3), ember.ones(3, 2))
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        ember.bmm(ember.ones(3, 2), ember.ones(2, 2, 3))
    with pytest.raises(RuntimeError, match="batch2 must be a 3D tensor"):
        ember.bmm(ember.ones(2, 3, 2), ember.ones(2, 3))
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 1D and 2D tensors"):
        ember.dot(ember.ones(3), ember.ones(3, 1))
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        ember.dot(ember.ones(3), ember.ones(4))
    with pytest.raises(RuntimeError, match=r"Expected size for first two dimensions of batch2 "
                                           r"tensor to be: \[2, 3\] but got: \[3, 3\]"):
        ember.bmm(ember.ones(2, 2, 3), ember.ones(3, 3, 4))

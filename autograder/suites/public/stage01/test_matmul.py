"""Stage 01 · matmul: ``@``, ``matmul``, ``mm``, ``bmm`` and ``dot``.

Oracle: ``np.matmul``, which follows the same rules as ``torch.matmul``:
1-D @ 1-D is a dot product (0-dim result); a 1-D left operand is a row vector whose
dimension is then removed; a 1-D right operand is a column vector whose dimension is
then removed; with more than 2 dims the leading (batch) dims broadcast.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_tensor, exactly

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def check_matmul(a, b, what):
    out = ember.tensor(a) @ ember.tensor(b)
    assert_tensor(out, a @ b, ember.float32, rtol=1e-5, atol=1e-5, what=what)
    out = ember.matmul(ember.tensor(a), ember.tensor(b))
    assert_tensor(out, a @ b, ember.float32, rtol=1e-5, atol=1e-5, what="ember.matmul: " + what)


def test_matrix_times_matrix():
    check_matmul(rand(2, 3), rand(3, 4), "(2, 3) @ (3, 4)")


def test_vector_dot_vector_is_zero_dimensional():
    check_matmul(rand(5), rand(5), "(5,) @ (5,) is a 0-dim tensor (not shape (1,))")


def test_matrix_times_vector():
    check_matmul(rand(2, 3), rand(3), "(2, 3) @ (3,) has shape (2,)")


def test_vector_times_matrix():
    check_matmul(rand(3), rand(3, 4), "(3,) @ (3, 4) has shape (4,)")


def test_batched_times_matrix():
    check_matmul(rand(5, 2, 3), rand(3, 4), "(5, 2, 3) @ (3, 4) has shape (5, 2, 4)")


def test_batch_dimensions_broadcast():
    check_matmul(rand(2, 1, 3, 4), rand(5, 4, 2), "(2, 1, 3, 4) @ (5, 4, 2) is (2, 5, 3, 2)")


def test_vector_times_batch():
    check_matmul(rand(4), rand(2, 4, 5), "(4,) @ (2, 4, 5) has shape (2, 5)")
    check_matmul(rand(2, 4, 5), rand(5), "(2, 4, 5) @ (5,) has shape (2, 4)")


def test_integer_matmul_stays_integer():
    a = np.arange(6).reshape(2, 3)
    b = np.arange(3)
    assert_tensor(ember.tensor(a) @ ember.tensor(b), a @ b, ember.int64, what="int64 @ int64")


def test_mm_bmm_dot():
    a, b = rand(2, 3), rand(3, 4)
    assert_tensor(ember.mm(ember.tensor(a), ember.tensor(b)), a @ b, ember.float32, rtol=1e-5,
                  atol=1e-5, what="ember.mm")
    x, y = rand(4, 2, 3), rand(4, 3, 5)
    assert_tensor(ember.bmm(ember.tensor(x), ember.tensor(y)), x @ y, ember.float32, rtol=1e-5,
                  atol=1e-5, what="ember.bmm")
    u, v = rand(6), rand(6)
    assert_tensor(ember.dot(ember.tensor(u), ember.tensor(v)), np.dot(u, v), ember.float32,
                  rtol=1e-5, atol=1e-5, what="ember.dot")
    assert_tensor(ember.tensor(a).mm(ember.tensor(b)), a @ b, ember.float32, rtol=1e-5,
                  atol=1e-5, what="a.mm(b)")


def test_shape_mismatch_error():
    with pytest.raises(RuntimeError,
                       match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        ember.ones(2, 3) @ ember.ones(4, 5)


def test_mm_needs_matrices():
    with pytest.raises(RuntimeError, match=exactly("self must be a matrix")):
        ember.mm(ember.ones(3), ember.ones(3, 5))


def test_bmm_needs_3d_and_dot_needs_1d():
    with pytest.raises(RuntimeError, match=exactly("batch1 must be a 3D tensor")):
        ember.bmm(ember.ones(2, 3), ember.ones(3, 5))
    both_2d = exactly("1D tensors expected, but got 2D and 2D tensors")
    with pytest.raises(RuntimeError, match=both_2d):
        ember.dot(ember.ones(2, 3), ember.ones(3, 5))

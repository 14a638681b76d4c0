"""Stage 02 · matmul_grad: backward of every matrix-product case.

Oracle: for C = A @ B with upstream gradient G, dA = G @ Bᵀ and dB = Aᵀ @ G (NumPy, by
hand, on non-square shapes so that a transposition mistake cannot hide), plus float64
central differences for the 1-D, batched and broadcast cases of ``matmul``.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import check_grad, grad_of


def test_matrix_product_gradients_by_hand():
    rng = np.random.default_rng(0)
    a, b, g = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    A = ember.tensor(a, requires_grad=True)
    B = ember.tensor(b, requires_grad=True)
    (A @ B).backward(ember.tensor(g))
    np.testing.assert_allclose(grad_of(A, "A"), g @ b.T, rtol=1e-10,
                               err_msg="C = A @ B: dA = G @ B.T (shape of A: 2x3)")
    np.testing.assert_allclose(grad_of(B, "B"), a.T @ g, rtol=1e-10,
                               err_msg="C = A @ B: dB = A.T @ G (shape of B: 3x4)")


@pytest.mark.parametrize(
    ("sa", "sb"),
    [
        ((3,), (3,)),          # dot product → 0-dim
        ((3,), (3, 2)),        # vector @ matrix
        ((2, 3), (3,)),        # matrix @ vector
        ((2, 3), (3, 4)),      # matrix @ matrix
        ((3, 3), (3, 3)),      # square: a forgotten transpose keeps the shape here
        ((2, 3, 3), (2, 3, 3)),  # square batches
        ((2, 2, 3), (3, 4)),   # batch @ matrix (B is broadcast over the batch)
        ((2, 3), (4, 3, 2)),   # matrix @ batch
        ((4, 2, 3), (4, 3, 1)),  # batch @ batch
        ((2, 1, 2, 3), (3, 3, 2)),  # broadcast batch dims
        ((3,), (2, 3, 4)),     # vector @ batch
        ((2, 4, 3), (3,)),     # batch @ vector
    ],
)
def test_matmul_backward_every_case(sa, sb):
    check_grad(lambda a, b: a @ b, sa, sb, what=f"matmul {sa} @ {sb}")


def test_mm_bmm_dot_mv_backward():
    check_grad(ember.mm, (2, 3), (3, 2), what="mm")
    check_grad(ember.bmm, (2, 1, 3), (2, 3, 2), what="bmm")
    check_grad(ember.dot, (4,), (4,), what="dot")
    check_grad(ember.mv, (2, 3), (3,), what="mv")
    check_grad(lambda a, b: a.matmul(b), (1, 3), (3, 1), what="Tensor.matmul, size-1 dims")


def test_matmul_with_an_empty_inner_dimension():
    A = ember.zeros(2, 0, requires_grad=True)
    B = ember.zeros(0, 3, requires_grad=True)
    (A @ B).sum().backward()
    assert tuple(A.grad.shape) == (2, 0) and tuple(B.grad.shape) == (0, 3), (
        "an inner dimension of size 0 gives empty gradients of the inputs' shapes")


def test_only_the_input_that_requires_grad_gets_one():
    A = ember.ones(2, 3, requires_grad=True)
    B = ember.ones(3, 2)
    (A @ B).sum().backward()
    np.testing.assert_allclose(grad_of(A, "A"), np.full((2, 3), 2.0))
    assert B.grad is None, "B does not require grad: it must not get a .grad"

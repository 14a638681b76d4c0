"""Hidden · stage 05: gradcheck on functions whose Jacobian is full and not symmetric.

On an elementwise function the Jacobian is diagonal, so it equals its transpose and its
row sums: a gradcheck that transposes one Jacobian, or perturbs every element at once,
still agrees there. These tests use a fixed non-symmetric linear map and a non-linear,
non-elementwise function (``x * x.sum()``), with a backward that is right and one that
returns ``J`` instead of ``Jᵀ``. Oracle: the closed-form Jacobians.
"""

import numpy as np
import pytest

import ember
from ember.autograd import Function, gradcheck, gradgradcheck
from ember.autograd.gradcheck import GradcheckError

#: A non-symmetric 3×3 map (so J and Jᵀ differ).
MATRIX = [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [-1.0, 0.0, 1.0]]


def _x(seed=0, n=3):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(n), dtype=ember.float64, requires_grad=True)


class _Map(Function):
    """y = A x; backward gives Aᵀ g (right)."""

    @staticmethod
    def forward(ctx, x):
        return ember.tensor(MATRIX, dtype=ember.float64) @ x

    @staticmethod
    def backward(ctx, grad_output):
        return ember.tensor(MATRIX, dtype=ember.float64).t() @ grad_output


class _MapTransposed(Function):
    """y = A x; backward gives A g: the Jacobian instead of its transpose (wrong)."""

    @staticmethod
    def forward(ctx, x):
        return ember.tensor(MATRIX, dtype=ember.float64) @ x

    @staticmethod
    def backward(ctx, grad_output):
        return ember.tensor(MATRIX, dtype=ember.float64) @ grad_output


class _ScaleBySum(Function):
    """y = x · Σx; dy_i/dx_j = δ_ij Σx + x_i, so backward is g Σx + (g · x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x.sum()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.sum() + (grad_output * x).sum()


class _ScaleBySumDiagonalOnly(_ScaleBySum):
    """The same forward; backward keeps only the diagonal of the Jacobian (wrong)."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x.sum() + x)


class _Cube(Function):
    """y = x³; backward 3x²·g in tensor ops, so it is differentiable again (right)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x * x * grad_output


class _CubeThroughNumPy(_Cube):
    """The same forward; backward leaves the graph through NumPy, so its first derivative
    is right but its own derivative in ``x`` is lost (wrong for double backward)."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return ember.tensor(3 * x.detach().numpy() ** 2) * grad_output


def test_gradcheck_accepts_a_right_non_symmetric_map_and_rejects_its_transpose():
    assert gradcheck(_Map.apply, (_x(),)) is True, (
        "gradcheck rejected a correct backward (Aᵀ g) of y = A x with a non-symmetric A: is "
        "one of the Jacobians transposed?")
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect "
                                             "to input 0"):
        gradcheck(_MapTransposed.apply, (_x(),))


def test_gradcheck_on_a_non_linear_non_elementwise_function():
    assert gradcheck(_ScaleBySum.apply, (_x(1, 4),)) is True, (
        "gradcheck rejected the correct backward of y = x · sum(x)")
    assert gradcheck(lambda t: t * t.sum(), (_x(2, 4),)) is True, (
        "gradcheck rejected ember's own backward of t * t.sum()")
    assert gradcheck(_ScaleBySumDiagonalOnly.apply, (_x(1, 4),),
                     raise_exception=False) is False, (
        "gradcheck accepted a backward that keeps only the diagonal of a full Jacobian")


def test_gradcheck_accepts_a_non_square_map():
    wide = [[1.0, 0.0, 2.0, -1.0], [0.5, 3.0, 0.0, 1.0]]

    def right(t):
        return ember.tensor(wide, dtype=ember.float64) @ t

    assert gradcheck(right, (_x(3, 4),)) is True, "y = W x with a 2×4 W (ember's own backward)"


def test_gradgradcheck_sees_a_backward_that_leaves_the_graph():
    assert gradgradcheck(_Cube.apply, (_x(4),)) is True, (
        "gradgradcheck rejected y = x³ whose backward (3x²·g) is written in tensor ops")
    assert gradcheck(_CubeThroughNumPy.apply, (_x(4),)) is True, (
        "the NumPy backward of x³ is right at first order, so gradcheck must accept it")
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(_CubeThroughNumPy.apply, (_x(4),))

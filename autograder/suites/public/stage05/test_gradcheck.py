"""Stage 05 · gradcheck: backward passes checked against central finite differences.

Oracles: hand-derived Jacobians (central differences of x² are exact), PyTorch's
documented ``gradcheck`` behaviour (``ember`` replaces ``torch``): returns True, raises
``GradcheckError`` (a ``RuntimeError``) with "Jacobian mismatch for output i with respect
to input j" or returns False with ``raise_exception=False``, compares with
``|analytical - numerical| <= atol + rtol * |numerical|``.
"""

import warnings

import numpy as np
import pytest

import ember
from ember.autograd import Function, gradcheck
from ember.autograd.gradcheck import GradcheckError, numerical_jacobian


def _double(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(shape), dtype=ember.float64, requires_grad=True)


class _Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad_output


class _BadMul(Function):
    """x * y with a wrong gradient for y (x instead of ... x; y's gradient is doubled)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * y, 2 * grad_output * x


class _OffByOne(Function):
    """2 * x, but the gradient of element [1, 2] is wrong (5 instead of 2)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        grad = grad_output * 2
        grad[1, 2] = grad_output[1, 2] * 5
        return grad


def test_numerical_jacobian_uses_central_differences():
    x = ember.tensor([1.0, -2.0, 3.0], dtype=ember.float64, requires_grad=True)
    (jac,) = numerical_jacobian(lambda t: t * t, (x,), 0, 0.1)
    np.testing.assert_allclose(
        np.asarray(jac), np.diag([2.0, -4.0, 6.0]), atol=1e-9,
        err_msg="rows = input elements, columns = output elements; the central difference "
                "((x+e)^2 - (x-e)^2) / 2e is exactly 2x even for e = 0.1 (a one-sided "
                "difference would give 2x + e)")
    np.testing.assert_allclose(x.detach().numpy(), [1.0, -2.0, 3.0],
                               err_msg="the input must be restored after the perturbations")


def test_gradcheck_accepts_a_correct_function():
    result = gradcheck(_Cube.apply, (_double(2, 3),))
    assert result is True, f"gradcheck returns True when the Jacobians agree, got {result!r}"


def test_gradcheck_accepts_builtin_ops_and_plain_arguments():
    def f(a, b, k):
        return (a @ b).sigmoid() * k, (a * a).sum()

    assert gradcheck(f, (_double(2, 3), _double(3, 4, seed=1), 2.5)) is True, (
        "several inputs, several outputs and a non-tensor argument")


def test_gradcheck_raises_on_a_wrong_gradient():
    with pytest.raises(GradcheckError, match=r"Jacobian mismatch for output 0 with respect "
                                             r"to input 1"):
        gradcheck(_BadMul.apply, (_double(3), _double(3, seed=1)))
    assert issubclass(GradcheckError, RuntimeError), "GradcheckError is a RuntimeError"


def test_gradcheck_returns_false_without_raising():
    result = gradcheck(_BadMul.apply, (_double(3), _double(3, seed=1)), raise_exception=False)
    assert result is False, f"raise_exception=False: a mismatch returns False, got {result!r}"


def test_gradcheck_reports_the_worst_element():
    x = _double(2, 3)
    with pytest.raises(GradcheckError) as info:
        gradcheck(_OffByOne.apply, (x,))
    message = str(info.value)
    assert "numerical" in message and "analytical" in message, message
    assert "[1, 2]" in message and "5" in message, (
        "the message must name the worst element (position [1, 2] of input 0, numerical "
        f"2 vs analytical 5):\n{message}")


def test_gradcheck_tolerance_is_relative_too():
    # exp at 10 with eps = 1e-3: the central difference is off by ~eps^2/6 * e^10 = 4e-3,
    # far above atol = 1e-5 but within rtol * e^10 = 22.
    x = ember.tensor([10.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(ember.exp, (x,), eps=1e-3) is True, (
        "gradcheck compares with allclose: |a - n| <= atol + rtol * |n|")


def test_gradcheck_is_second_order_accurate():
    x = ember.tensor([0.5, 1.0, 1.5], dtype=ember.float64, requires_grad=True)
    assert gradcheck(ember.sin, (x,), eps=1e-2) is True, (
        "with eps = 1e-2 central differences are off by ~eps^2/6 (within tolerance); a "
        "one-sided difference, off by ~eps/2 * sin(x), is not")


def test_gradcheck_warns_about_float32_inputs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = gradcheck(_Cube.apply, (x,), raise_exception=False)
    assert any("Input #0 requires gradient and is not a double precision" in str(w.message)
               for w in caught), "gradcheck warns when an input is not float64"
    assert isinstance(result, bool), "gradcheck still runs and returns a bool"

"""Stage 05 · function_api: custom ``autograd.Function``s written on tensors.

Oracles: PyTorch's documented ``Function`` behaviour (``ember`` replaces ``torch``):
multi-output functions, ``ctx.mark_non_differentiable``, ``ctx.set_materialize_grads``,
``once_differentiable``, the error for a gradient returned for a non-tensor argument;
values by NumPy, gradients by float64 central differences with random upstream gradients.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import check_grad, grad_of
from ember.autograd import Function
from ember.autograd.custom_function import once_differentiable


class _PosNeg(Function):
    """Two outputs: the positive and the negative part of x (x = pos - neg)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0), (-x).clamp(min=0)

    @staticmethod
    def backward(ctx, grad_pos, grad_neg):
        (x,) = ctx.saved_tensors
        positive = (x > 0).to(x.dtype)
        return grad_pos * positive - grad_neg * (1 - positive)


class _ValueAndMask(Function):
    """``2 * x`` and the float mask ``x > 0``, which is marked non-differentiable."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        mask = (x > 0).to(x.dtype)
        ctx.mark_non_differentiable(mask)
        return x * 2, mask

    @staticmethod
    def backward(ctx, grad_value, grad_mask):
        _ValueAndMask.seen.append(grad_mask)
        return grad_value * 2


class _Lazy(Function):
    """Two outputs, ``set_materialize_grads(False)``: missing gradients stay None."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, grad_a, grad_b):
        _Lazy.seen.append((grad_a, grad_b))
        grad = ember.zeros_like(grad_a if grad_a is not None else grad_b)
        if grad_a is not None:
            grad = grad + 2 * grad_a
        if grad_b is not None:
            grad = grad + 3 * grad_b
        return grad


def _square():
    """Made on demand: once_differentiable runs when the class is defined."""

    class _Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_output):
            """Twice x times the incoming gradient."""
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    return _Square


def _scale():
    """Made on demand: once_differentiable runs when the class is defined."""

    class _Scale(Function):
        """``x * k`` with a float ``k``; backward wrongly returns a gradient for ``k``."""

        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_output):
            return grad_output * ctx.k, grad_output.sum()

    return _Scale


def _double_in_place():
    """Made on demand: once_differentiable runs when the class is defined."""

    class _DoubleInPlace(Function):
        """``2 * x``; backward scales ``grad_output`` IN PLACE (allowed: it owns that tensor)."""

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_output):
            grad_output.mul_(2)
            return grad_output

    return _DoubleInPlace


def test_multi_output_function_values_and_graph():
    x = ember.tensor([1.5, -2.0, 0.5], requires_grad=True)
    pos, neg = _PosNeg.apply(x)
    np.testing.assert_allclose(pos.detach().numpy(), [1.5, 0.0, 0.5], err_msg="first output")
    np.testing.assert_allclose(neg.detach().numpy(), [0.0, 2.0, 0.0], err_msg="second output")
    assert pos.grad_fn is not None and pos.grad_fn is neg.grad_fn, (
        "both outputs of one Function call share ONE node as grad_fn")
    assert type(pos.grad_fn).__name__ == "_PosNegBackward", (
        f"the node of a custom Function is named <Class>Backward, got "
        f"{type(pos.grad_fn).__name__}")


def test_multi_output_function_gradients():
    check_grad(lambda x: _PosNeg.apply(x), (4, 3), what="_PosNeg (two outputs)")


def test_unused_output_gets_zero_gradient():
    x = ember.tensor([1.0, -2.0], requires_grad=True)
    pos, _ = _PosNeg.apply(x)
    (pos * ember.tensor([3.0, 4.0])).sum().backward()
    np.testing.assert_allclose(grad_of(x), [3.0, 0.0],
                               err_msg="only pos was used: backward gets zeros for neg")


def test_mark_non_differentiable_output_has_no_history():
    x = ember.tensor([1.0, -1.0, 2.0], requires_grad=True)
    value, mask = _ValueAndMask.apply(x)
    np.testing.assert_allclose(mask.numpy(), [1.0, 0.0, 1.0], err_msg="the mask's values")
    assert not mask.requires_grad and mask.grad_fn is None, (
        "an output passed to ctx.mark_non_differentiable must not require grad")
    assert value.requires_grad and value.grad_fn is not None, (
        "the other outputs still require grad")


def test_mark_non_differentiable_backward_gets_zeros():
    _ValueAndMask.seen.clear()
    x = ember.tensor([1.0, -1.0, 2.0], requires_grad=True)
    value, _ = _ValueAndMask.apply(x)
    value.sum().backward()
    np.testing.assert_allclose(grad_of(x), [2.0, 2.0, 2.0], err_msg="d(2x)/dx")
    (grad_mask,) = _ValueAndMask.seen
    assert isinstance(grad_mask, ember.Tensor), (
        "backward must get a gradient TENSOR for the non-differentiable output (zeros)")
    np.testing.assert_allclose(grad_mask.numpy(), [0.0, 0.0, 0.0],
                               err_msg="the gradient of a non-differentiable output is zero")


def test_set_materialize_grads_false_passes_none():
    _Lazy.seen.clear()
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    a, _ = _Lazy.apply(x)
    a.sum().backward()
    ((grad_a, grad_b),) = _Lazy.seen
    assert grad_b is None, ("after ctx.set_materialize_grads(False) backward gets None "
                            f"for an output that received no gradient, got {grad_b!r}")
    np.testing.assert_allclose(grad_a.numpy(), [1.0, 1.0], err_msg="the used output's grad")
    np.testing.assert_allclose(grad_of(x), [2.0, 2.0], err_msg="d(2x)/dx")


def test_once_differentiable_backward():
    x = ember.tensor([1.0, -3.0], requires_grad=True)
    square = _square()
    square.apply(x).backward(ember.tensor([0.5, 2.0]))
    np.testing.assert_allclose(grad_of(x), [1.0, -12.0], err_msg="d(x^2) = 2x * upstream")
    assert square.backward.__name__ == "backward" and "Twice" in square.backward.__doc__, (
        "once_differentiable must keep the name and docstring of backward (functools.wraps)")


def test_once_differentiable_runs_without_grad():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            result = grad_output * x
            seen.append((ember.is_grad_enabled(), result.requires_grad))
            return result

    x = ember.tensor([2.0], requires_grad=True)
    Probe.apply(x).sum().backward()
    assert seen == [(False, False)], (
        f"a once_differentiable backward runs under no_grad: got (grad enabled, result "
        f"requires grad) = {seen}")


def test_gradient_for_a_non_tensor_argument_is_an_error():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"function _ScaleBackward returned a gradient "
                       r"different than None at position 2, but the corresponding forward "
                       r"input was not a Variable"):
        _scale().apply(x, 3.0).sum().backward()


def test_backward_owns_its_grad_output():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor([5.0, 5.0], requires_grad=True)
    # Add hands the SAME upstream gradient to both of its inputs: if _DoubleInPlace's
    # backward got that array itself, its in-place mul_ would also change w's gradient.
    (w + _double_in_place().apply(x)).backward(ember.tensor([1.0, 3.0]))
    np.testing.assert_allclose(grad_of(x), [2.0, 6.0], err_msg="d(2x)/dx * upstream")
    np.testing.assert_allclose(grad_of(w, "w"), [1.0, 3.0], err_msg=(
        "w's gradient was changed by another node's in-place edit: the engine must hand "
        "every backward a gradient tensor it owns (a copy)"))

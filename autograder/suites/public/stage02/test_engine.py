"""Stage 02 · engine: the backward walk, accumulation, the shape check and freed graphs.

Oracles: hand-derived gradients and PyTorch's documented engine behaviour and error
messages (``ember`` replaces ``torch``): gradients accumulate into leaves, a graph's saved
tensors are freed by backward unless ``retain_graph=True``, and a deep graph must not hit
Python's recursion limit.

Every graph here is built from custom ``autograd.Function``s whose ``backward`` is written
below, so that these tests need the engine of exercise 1 and none of the op formulas of
the later exercises: a failure here is the walk's, never a formula's.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import exactly, grad_of

SECOND_BACKWARD_IN_FULL = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class _Double(ember.autograd.Function):
    """2a: d/da = 2."""

    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


class _Negate(ember.autograd.Function):
    """-a: d/da = -1."""

    @staticmethod
    def forward(ctx, a):
        return a * -1.0

    @staticmethod
    def backward(ctx, grad):
        return grad * -1.0


class _Shift(ember.autograd.Function):
    """a + 0.5: d/da = 1."""

    @staticmethod
    def forward(ctx, a):
        return a + 0.5

    @staticmethod
    def backward(ctx, grad):
        return grad


class _Plus(ember.autograd.Function):
    """a + b (same shapes): the upstream gradient to both."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class _Product(ember.autograd.Function):
    """a * b (same shapes): d/da = b, d/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class _Total(ember.autograd.Function):
    """sum(a), a scalar: every element gets the upstream gradient."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a.sum()

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return ember.ones_like(a) * grad


def test_gradients_accumulate_across_backward_calls():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    _Total.apply(_Double.apply(x)).backward()
    np.testing.assert_allclose(grad_of(x), [2.0, 2.0], err_msg="first backward")
    _Total.apply(_Product.apply(x, x)).backward()
    np.testing.assert_allclose(
        grad_of(x), [2.0 + 2.0, 2.0 + 4.0],
        err_msg="a second backward adds to .grad (x.grad += ...) instead of replacing it; "
                "this is why training loops call zero_grad()")


def test_a_tensor_used_twice_sums_both_paths():
    x = ember.tensor(3.0, requires_grad=True)
    y = _Double.apply(x)
    z = _Plus.apply(_Product.apply(y, y), y)  # z = 4x^2 + 2x, dz/dx = 8x + 2 = 26
    z.backward()
    assert abs(x.grad.item() - 26.0) < 1e-5, (
        f"z = y*y + y with y = 2x: dz/dx = 26 at x = 3, got {x.grad.item()}; every path "
        "through y must be summed before y's own backward runs (topological order)")


def test_diamond_graph_is_walked_in_topological_order():
    # a reaches d along two paths (through b and through c), so its node must wait for
    # both gradients before it sends anything on to x.
    x = ember.tensor([1.0, -2.0], dtype=ember.float64, requires_grad=True)
    a = _Product.apply(x, x)
    b = _Double.apply(a)
    c = _Plus.apply(a, ember.ones(2, dtype=ember.float64))
    d = _Total.apply(_Product.apply(b, c))
    d.backward()
    v = np.array([1.0, -2.0])
    expected = 2 * (2 * v**2 + 1) * 2 * v
    np.testing.assert_allclose(grad_of(x), expected, rtol=1e-10,
                               err_msg="d = sum(2 x^2 (x^2 + 1)), so dd/dx = 2 (2 x^2 + 1) 2x")


def test_a_5000_op_chain_backward_does_not_recurse():
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for i in range(5000):
        y = _Negate.apply(y) if i % 2 else _Shift.apply(y)
    y.backward()
    assert x.grad is not None and x.grad.item() == 1.0, (
        "2500 negations give dy/dx = 1; the engine must walk the graph with an "
        "explicit stack/queue, not recursion (Python's recursion limit is ~1000)")


def test_second_backward_through_a_freed_graph_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = _Total.apply(_Product.apply(x, x))
    y.backward()
    with pytest.raises(RuntimeError, match=exactly(SECOND_BACKWARD_IN_FULL)):
        y.backward()  # PyTorch's whole message, which says how to fix it


def test_retain_graph_allows_a_second_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = _Total.apply(_Product.apply(x, x))
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(grad_of(x), [4.0, 8.0],
                               err_msg="two backward passes of sum(x*x): 2 * 2x")


def test_non_scalar_backward_needs_a_gradient():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError,
                       match="grad can be implicitly created only for scalar outputs"):
        _Double.apply(x).backward()
    _Double.apply(x).backward(ember.tensor([1.0, 0.5, -1.0]))
    np.testing.assert_allclose(grad_of(x), [2.0, 1.0, -2.0],
                               err_msg="backward(gradient) multiplies by the given gradient")


def test_backward_of_a_tensor_without_graph_raises():
    with pytest.raises(RuntimeError,
                       match="element 0 of tensors does not require grad and does not have a "
                             "grad_fn"):
        ember.ones(2).sum().backward()
    x = ember.ones(2, requires_grad=True)
    _Total.apply(_Double.apply(x)).backward()
    np.testing.assert_allclose(grad_of(x), [2.0, 2.0], err_msg="with requires_grad it works")


class _BadShape(ember.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad.sum(0)  # wrong: drops a dimension


class _Cube(ember.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a ** 3

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 3 * a ** 2


def test_custom_function_backward_is_used():
    x = ember.tensor([1.0, -2.0], requires_grad=True)
    y = _Cube.apply(x)
    assert y.requires_grad and y.grad_fn is not None, "Function.apply must record the graph"
    y.backward(ember.tensor([1.0, 0.5]))
    np.testing.assert_allclose(grad_of(x), [3.0, 6.0], err_msg="d x^3 = 3x^2 * upstream")


def test_engine_checks_the_shape_of_every_gradient():
    x = ember.ones(2, 3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"returned an invalid gradient at index 0 - got \[3\] but expected shape "
              r"compatible with \[2, 3\]",
    ):
        _BadShape.apply(x).backward(ember.ones(2, 3))

"""Gradients of element-wise ops (binary with broadcasting, unary, clamp, where, ties).

Every test builds leaves that require grad from one NumPy array, runs the op in torch and
in ember, sends the same random upstream gradient back through both and compares ``.grad``
(float32 and float64; size-0 and size-1 dimensions from the shape strategies).
"""

import numpy as np
import pytest
import torch
from _oracle import GRAD_SETTINGS, broadcast_pairs, grad_arrays, grad_check, leaves
from hypothesis import given
from hypothesis import strategies as st

FLOAT_DTYPES = ("float32", "float64")

# name -> (f(m, a, b), (low_a, high_a), (low_b, high_b), ties): domains keep gradients finite.
BINARY = {
    "a + b": (lambda m, a, b: a + b, None, None, False),
    "a - b": (lambda m, a, b: a - b, None, None, False),
    "a * b": (lambda m, a, b: a * b, None, None, False),
    "a / b": (lambda m, a, b: a / b, None, (0.5, 4), False),
    "a ** b": (lambda m, a, b: a**b, (0.5, 3), (-2, 2), False),
    "add(a, b, alpha=2)": (lambda m, a, b: m.add(a, b, alpha=2), None, None, False),
    "sub(a, b, alpha=3)": (lambda m, a, b: m.sub(a, b, alpha=3), None, None, False),
    "div(a, b, rounding_mode='floor')": (
        lambda m, a, b: m.div(a, b, rounding_mode="floor"), None, (0.5, 4), False),
    "div(a, b, rounding_mode='trunc')": (
        lambda m, a, b: m.div(a, b, rounding_mode="trunc"), None, (0.5, 4), False),
    "a % b": (lambda m, a, b: a % b, None, (0.5, 4), False),
    "maximum(a, b) (ties)": (lambda m, a, b: m.maximum(a, b), (-2, 2), (-2, 2), True),
    "minimum(a, b) (ties)": (lambda m, a, b: m.minimum(a, b), (-2, 2), (-2, 2), True),
    "max(a, b) (ties)": (lambda m, a, b: m.max(a, b), (-2, 2), (-2, 2), True),
    "where(a > b, a, b)": (lambda m, a, b: m.where(a > b, a, b), None, None, False),
    "a.where(a < 0, b)": (lambda m, a, b: a.where(a < 0, b), None, None, False),
    "clamp(a, min=b)": (lambda m, a, b: m.clamp(a, min=b), (-2, 2), (-2, 2), True),
    "a * a + b": (lambda m, a, b: a * a + b, None, None, False),
    "(a - b) * (a + b)": (lambda m, a, b: (a - b) * (a + b), None, None, False),
}


@st.composite
def binary_inputs(draw, spec):
    _, dom_a, dom_b, ties = spec
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    shape_a, shape_b = draw(broadcast_pairs())
    lo_a, hi_a = dom_a or (-4, 4)
    lo_b, hi_b = dom_b or (-4, 4)
    a = draw(grad_arrays(dtype, shape_a, low=lo_a, high=hi_a, ties=ties))
    b = draw(grad_arrays(dtype, shape_b, low=lo_b, high=hi_b, ties=ties))
    return dtype, a, b


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
@GRAD_SETTINGS
def test_binary_grad(name, data):
    """Gradients of both operands, reduced to each operand's (broadcast) shape."""
    fn = BINARY[name][0]
    dtype, a, b = data.draw(binary_inputs(BINARY[name]))
    grad_check(fn, [a, b], dtype, seed=len(name), where=f"{name} {a.shape} {b.shape}: ")


# name -> (f(m, a), (low, high), ties)
UNARY = {
    "-a": (lambda m, a: -a, None, False),
    "neg": (lambda m, a: m.neg(a), None, False),
    "abs (zeros)": (lambda m, a: m.abs(a), (-2, 2), True),
    "exp": (lambda m, a: m.exp(a), None, False),
    "log": (lambda m, a: m.log(a), (0.1, 5), False),
    "sqrt": (lambda m, a: m.sqrt(a), (0.1, 5), False),
    "sin": (lambda m, a: m.sin(a), None, False),
    "cos": (lambda m, a: m.cos(a), None, False),
    "tanh": (lambda m, a: m.tanh(a), None, False),
    "sigmoid": (lambda m, a: m.sigmoid(a), None, False),
    "relu (zeros)": (lambda m, a: m.relu(a), (-2, 2), True),
    "sign": (lambda m, a: m.sign(a), (-2, 2), True),
    "a ** 2": (lambda m, a: a**2, None, False),
    "a ** 3": (lambda m, a: a**3, None, False),
    "a ** 0.5": (lambda m, a: a**0.5, (0.1, 5), False),
    "a ** -1.5": (lambda m, a: a**-1.5, (0.1, 5), False),
    "a ** 0": (lambda m, a: a**0, None, False),
    "2 ** a": (lambda m, a: 2**a, None, False),
    "pow(a, 2.5)": (lambda m, a: m.pow(a, 2.5), (0.1, 5), False),
    "a + 1.5": (lambda m, a: a + 1.5, None, False),
    "1.5 - a": (lambda m, a: 1.5 - a, None, False),
    "a * 3": (lambda m, a: a * 3, None, False),
    "3 / a": (lambda m, a: 3 / a, (0.5, 4), False),
    "a / 3": (lambda m, a: a / 3, None, False),
    "a % 1.5": (lambda m, a: a % 1.5, None, False),
    "a * a": (lambda m, a: a * a, None, False),
    "a / a": (lambda m, a: a / a, (0.5, 4), False),
    "clamp(-1, 1) (bounds)": (lambda m, a: m.clamp(a, -1, 1), (-2, 2), True),
    "clamp(min=0)": (lambda m, a: a.clamp(min=0), (-2, 2), True),
    "clamp(max=0.5)": (lambda m, a: a.clamp(max=0.5), None, False),
    "clip(-1, 1)": (lambda m, a: a.clip(-1, 1), (-2, 2), True),
    "where(a > 0, a, 0.)": (lambda m, a: m.where(a > 0, a, 0.0), None, False),
    "where(a > 0, 1., a)": (lambda m, a: m.where(a > 0, 1.0, a), None, False),
    "where(a > 0, a, a * 2)": (lambda m, a: m.where(a > 0, a, a * 2), None, False),
    "maximum(a, a) (all ties)": (lambda m, a: m.maximum(a, a), None, False),
    "exp(sin(a)) * tanh(a)": (lambda m, a: m.exp(m.sin(a)) * m.tanh(a), None, False),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
@GRAD_SETTINGS
def test_unary_grad(name, data):
    fn, dom, ties = UNARY[name]
    lo, hi = dom or (-4, 4)
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    from _oracle import shapes

    a = data.draw(grad_arrays(dtype, shapes(), low=lo, high=hi, ties=ties))
    grad_check(fn, [a], dtype, seed=len(name), where=f"{name} {a.shape}: ")


def test_floor_divide_backward_raises_like_torch():
    """torch has no derivative for ``//`` (floor_divide): backward raises RuntimeError."""
    a = np.array([1.5, -2.5, 3.0], dtype=np.float32)
    grad_check(lambda m, x: x // 2, [a], "float32")


def test_maximum_tie_splits_gradient():
    """A tie in ``maximum`` sends half the gradient to each side (torch's rule)."""
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 0.0, 3.0])
    es, ts = grad_check(lambda m, x, y: m.maximum(x, y), [a, b], "float64")
    np.testing.assert_allclose(ts[0].grad.numpy() + ts[1].grad.numpy(),
                               es[0].grad.numpy() + es[1].grad.numpy())


def test_clamp_tensor_bounds_grad():
    """clamp with tensor bounds differentiates through min and max too."""
    rng = np.random.default_rng(3)
    x, lo, hi = rng.standard_normal((3, 4, 5))
    lo = lo - 1
    hi = hi + 1
    grad_check(lambda m, a, b, c: m.clamp(a, min=b, max=c), [x, lo, hi], "float64")


def test_mixed_dtype_grad_is_cast_back():
    """float32 + float64: the result is float64, each grad has its leaf's dtype."""
    t32, e32 = leaves([np.arange(3, dtype=np.float32)])
    t64, e64 = leaves([np.linspace(0, 1, 3)])
    g = np.array([0.5, -1.0, 2.0])
    (t32[0] * t64[0]).backward(torch.tensor(g))
    (e32[0] * e64[0]).backward(__import__("ember").tensor(g))
    from _oracle import assert_grads

    assert_grads([e32[0].grad], [t32[0].grad], "float32")
    assert_grads([e64[0].grad], [t64[0].grad], "float64")


def test_scalar_tensor_operand_grad():
    """A 0-dim tensor operand broadcast against a matrix gets the summed gradient."""
    rng = np.random.default_rng(4)
    grad_check(lambda m, a, s: a * s + s, [rng.standard_normal((3, 4)), np.array(2.5)],
               "float32")

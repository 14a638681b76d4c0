"""Stage 04 · activations: ``F.relu leaky_relu gelu tanh softmax log_softmax`` and the layers
``nn.ReLU LeakyReLU GELU Sigmoid Tanh Softmax LogSoftmax``.

Oracles: NumPy formulas (``math.erf`` for the exact GELU), hand-derived values, and float64
central differences with a random upstream gradient (``check_grad``).
"""

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from autograder.suites.helpers import assert_tensor, check_grad, grad_of

_erf = np.vectorize(math.erf)


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _grid():
    return np.array([[-3.0, -1.0, -0.2, 0.0], [0.3, 1.0, 2.5, 6.0]])


def test_relu_and_leaky_relu_values():
    x = _grid()
    assert_tensor(F.relu(ember.tensor(x, dtype=ember.float32)), np.maximum(x, 0), ember.float32,
                  what="F.relu")
    got = F.leaky_relu(ember.tensor(x, dtype=ember.float32), negative_slope=0.2)
    assert_tensor(got, np.where(x > 0, x, 0.2 * x), ember.float32,
                  what="F.leaky_relu(x, 0.2): x for x > 0, 0.2·x otherwise")
    default = F.leaky_relu(ember.tensor(x, dtype=ember.float64))
    assert_tensor(default, np.where(x > 0, x, 0.01 * x), ember.float64,
                  what="F.leaky_relu's default negative_slope is 0.01")


def test_relu_and_leaky_relu_gradients():
    x = np.array([[-2.0, -0.5, 0.7], [1.5, -1.2, 3.0]])
    check_grad(F.relu, x, what="F.relu")
    check_grad(lambda a: F.leaky_relu(a, 0.3), x, what="F.leaky_relu(x, 0.3)")


def test_relu_inplace_overwrites_the_input():
    x = ember.tensor([-1.0, 2.0, -3.0])
    out = F.relu(x, inplace=True)
    assert out is x, "F.relu(x, inplace=True) must return x itself"
    assert_tensor(x, [0.0, 2.0, 0.0], what="x after F.relu(x, inplace=True)")


def test_gelu_exact_and_tanh_values():
    x = np.linspace(-5, 5, 41)
    exact = x * 0.5 * (1 + _erf(x / math.sqrt(2)))
    got = F.gelu(ember.tensor(x, dtype=ember.float64))
    assert_tensor(got, exact, ember.float64, rtol=1e-7, atol=1e-10,
                  what="F.gelu(x) = x·Φ(x) = x·½(1 + erf(x/√2))")
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    approx = 0.5 * x * (1 + np.tanh(u))
    got = F.gelu(ember.tensor(x, dtype=ember.float64), approximate="tanh")
    assert_tensor(got, approx, ember.float64, rtol=1e-10, atol=1e-12,
                  what="F.gelu(x, approximate='tanh')")


def test_gelu_gradients():
    x = np.array([-3.0, -1.1, -0.3, 0.0, 0.4, 1.7, 4.0])
    check_grad(F.gelu, x, what="F.gelu (d/dx = Φ(x) + x·φ(x))")
    check_grad(lambda a: F.gelu(a, approximate="tanh"), x, what="F.gelu(approximate='tanh')")


def test_softmax_values_and_rows_sum_to_one():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5))
    for dim in (0, 1, -1):
        got = F.softmax(ember.tensor(x, dtype=ember.float64), dim=dim)
        assert_tensor(got, _np_softmax(x, dim), ember.float64, rtol=1e-10,
                      what=f"F.softmax(x, dim={dim})")
    logp = F.log_softmax(ember.tensor(x, dtype=ember.float64), dim=1)
    assert_tensor(logp, np.log(_np_softmax(x, 1)), ember.float64, rtol=1e-10,
                  what="F.log_softmax(x, dim=1)")


def test_softmax_is_stable_for_large_logits():
    x = ember.tensor([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 990.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning means no max-shift
        p = F.softmax(x, dim=1)
        logp = F.log_softmax(x, dim=1)
    expected = _np_softmax(np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 990.0]]), 1)
    assert_tensor(p, expected, ember.float32, what="softmax of logits near 1000 "
                  "(subtract the max before exp, or e^1000 overflows)")
    assert np.isfinite(logp.numpy()).all() and abs(logp.numpy()[0, 0]) < 1e-6, (
        f"log_softmax of [1000, 0, -1000] must be [0, -1000, -2000], got {logp}")


def test_softmax_and_log_softmax_gradients():
    check_grad(lambda a: F.softmax(a, dim=1), (3, 4), what="F.softmax(x, dim=1)")
    check_grad(lambda a: F.softmax(a, dim=0), (3, 4), seed=1, what="F.softmax(x, dim=0)")
    check_grad(lambda a: F.log_softmax(a, dim=-1), (2, 3, 4), what="F.log_softmax(x, -1)")


def test_activation_layers_match_functional():
    x = ember.tensor(_grid(), dtype=ember.float32)
    pairs = [
        (ember.nn.ReLU(), np.maximum(_grid(), 0)),
        (ember.nn.LeakyReLU(0.1), np.where(_grid() > 0, _grid(), 0.1 * _grid())),
        (ember.nn.Sigmoid(), 1 / (1 + np.exp(-_grid()))),
        (ember.nn.Tanh(), np.tanh(_grid())),
        (ember.nn.GELU(), _grid() * 0.5 * (1 + _erf(_grid() / math.sqrt(2)))),
        (ember.nn.Softmax(dim=1), _np_softmax(_grid(), 1)),
        (ember.nn.LogSoftmax(dim=0), np.log(_np_softmax(_grid(), 0))),
    ]
    for layer, expected in pairs:
        assert_tensor(layer(x), expected, ember.float32, rtol=1e-5, atol=1e-6,
                      what=f"{type(layer).__name__} layer")


def test_activation_layer_reprs():
    layers = {
        "ReLU()": ember.nn.ReLU(),
        "ReLU(inplace=True)": ember.nn.ReLU(inplace=True),
        "LeakyReLU(negative_slope=0.01)": ember.nn.LeakyReLU(),
        "LeakyReLU(negative_slope=0.2, inplace=True)": ember.nn.LeakyReLU(0.2, True),
        "GELU(approximate='none')": ember.nn.GELU(),
        "GELU(approximate='tanh')": ember.nn.GELU("tanh"),
        "Softmax(dim=1)": ember.nn.Softmax(dim=1),
        "LogSoftmax(dim=-1)": ember.nn.LogSoftmax(-1),
        "Sigmoid()": ember.nn.Sigmoid(),
        "Tanh()": ember.nn.Tanh(),
    }
    x = ember.tensor([[-1.0, 1.0]])
    for text, layer in layers.items():
        layer(x.clone())
        assert repr(layer) == text, f"repr of the layer is {repr(layer)!r}, expected {text!r}"


def test_gradient_flows_through_activation_layers():
    x = ember.tensor([[-1.0, 0.5, 2.0]], requires_grad=True)
    ember.nn.Tanh()(x).sum().backward()
    np.testing.assert_allclose(grad_of(x), 1 - np.tanh([[-1.0, 0.5, 2.0]]) ** 2, rtol=1e-5,
                               err_msg="d tanh(x)/dx = 1 - tanh²(x)")
    x.grad = None
    ember.nn.LeakyReLU(0.5)(x).sum().backward()
    np.testing.assert_allclose(grad_of(x), [[0.5, 1.0, 1.0]],
                               err_msg="LeakyReLU(0.5): slope 0.5 below 0, 1 above")


def test_gelu_rejects_an_unknown_approximation():
    F.gelu(ember.tensor([1.0]))
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(ember.tensor([1.0]), approximate="sigmoid")

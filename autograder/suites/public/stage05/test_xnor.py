"""Stage 05 · xnor: XNOR-Net's binarisation, straight-through gradient and binary layers.

Oracles: the paper (Rastegari et al., 2016): sign forward (sign(0) taken as +1), the
straight-through gradient ``g · 1_{|x| < 1}``, weights ``α · sign(W)`` with ``α`` the mean
absolute weight per output channel; NumPy formulas for the layers and their gradients.
"""

import numpy as np

import ember
from autograder.suites.helpers import grad_of
from ember import nn
from ember.nn.binary import BinarizeSTE, binarize, binary_weight


def _alpha_sign(w):
    alpha = np.abs(w).reshape(w.shape[0], -1).mean(1).reshape((-1,) + (1,) * (w.ndim - 1))
    return alpha, np.where(w >= 0, 1.0, -1.0)


def _binary_weight_grad(w, g):
    """d/dW of sum(g * alpha * sign(W)) with the straight-through sign."""
    alpha, b = _alpha_sign(w)
    n = w[0].size
    axes = tuple(range(1, w.ndim))
    through = alpha * g * (np.abs(w) < 1)
    return through + b / n * (g * b).sum(axis=axes, keepdims=True)


def _conv2d(x, w, b, stride, padding):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    return out + b.reshape(1, -1, 1, 1)


def test_binarize_forward():
    x = ember.tensor([-2.0, -0.5, 0.0, 0.25, 3.0])
    y = binarize(x)
    np.testing.assert_array_equal(y.numpy(), [-1.0, -1.0, 1.0, 1.0, 1.0],
                                  err_msg="+1 where x >= 0 (sign(0) = +1), -1 elsewhere")
    assert y.dtype == ember.float32, f"binarize keeps the input's dtype, got {y.dtype}"


def test_binarize_straight_through_gradient():
    x = ember.tensor([-2.0, -1.0, -0.5, 0.0, 0.9, 1.0, 3.0], requires_grad=True)
    upstream = np.array([0.5, 1.0, -2.0, 3.0, 4.0, 5.0, 6.0], dtype=np.float32)
    y = BinarizeSTE.apply(x)
    assert type(y.grad_fn).__name__ == "BinarizeSTEBackward", type(y.grad_fn).__name__
    y.backward(ember.tensor(upstream))
    np.testing.assert_allclose(grad_of(x), upstream * (np.abs(x.detach().numpy()) < 1),
                               err_msg="the STE passes the gradient where |x| < 1 and "
                                       "zeroes it where |x| >= 1 (also at exactly ±1)")


def test_binary_weight_values():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3, 2, 2))
    got = binary_weight(ember.tensor(w, dtype=ember.float64))
    alpha, sign = _alpha_sign(w)
    np.testing.assert_allclose(got.numpy(), alpha * sign, rtol=1e-12, err_msg=(
        "alpha = mean |W| over every dim but the first (one per output channel), times "
        "sign(W)"))


def test_binary_weight_gradient():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((3, 5)) * 0.8
    g = rng.standard_normal((3, 5))
    weight = ember.tensor(w, dtype=ember.float64, requires_grad=True)
    binary_weight(weight).backward(ember.tensor(g, dtype=ember.float64))
    np.testing.assert_allclose(grad_of(weight, "weight"), _binary_weight_grad(w, g),
                               rtol=1e-10, err_msg=(
        "the gradient flows through both alpha (mean |W|) and the straight-through sign"))


def test_binary_linear_forward():
    ember.manual_seed(0)
    layer = nn.BinaryLinear(5, 3)
    assert isinstance(layer, nn.Linear), "BinaryLinear subclasses nn.Linear"
    x = np.random.default_rng(2).standard_normal((4, 5)).astype(np.float32)
    w = layer.weight.detach().numpy().astype(np.float64)
    alpha, sign = _alpha_sign(w)
    want = x @ (alpha * sign).T + layer.bias.detach().numpy()
    np.testing.assert_allclose(layer(ember.tensor(x)).detach().numpy(), want, rtol=1e-5, atol=1e-6,
                               err_msg="x @ (alpha * sign(W)).T + b")


def test_binary_linear_updates_latent_weights():
    ember.manual_seed(0)
    layer = nn.BinaryLinear(4, 2)
    names = [name for name, _ in layer.named_parameters()]
    assert names == ["weight", "bias"], f"the real-valued weight is the Parameter: {names}"
    w = layer.weight.detach().numpy().astype(np.float64)
    x = np.random.default_rng(3).standard_normal((6, 4))
    g = np.random.default_rng(4).standard_normal((6, 2))
    layer(ember.tensor(x, dtype=ember.float32)).backward(ember.tensor(g, dtype=ember.float32))
    np.testing.assert_allclose(grad_of(layer.weight, "weight"), _binary_weight_grad(w, g.T @ x),
                               rtol=1e-4, atol=1e-5,
                               err_msg="weight.grad: through alpha * sign(W) to the latent W")
    before = layer.weight.detach().numpy().copy()
    ember.optim.SGD(layer.parameters(), lr=0.1).step()
    np.testing.assert_allclose(layer.weight.detach().numpy(),
                               before - 0.1 * layer.weight.grad.numpy(), rtol=1e-6,
                               err_msg="SGD updates the real-valued latent weight")


def test_binary_conv2d_forward():
    ember.manual_seed(0)
    conv = nn.BinaryConv2d(2, 3, 3, stride=2, padding=1)
    assert isinstance(conv, nn.Conv2d), "BinaryConv2d subclasses nn.Conv2d"
    x = np.random.default_rng(5).standard_normal((2, 2, 5, 5))
    w = conv.weight.detach().numpy().astype(np.float64)
    alpha, sign = _alpha_sign(w)
    want = _conv2d(x, alpha * sign, conv.bias.detach().numpy(), stride=2, padding=1)
    got = conv(ember.tensor(x, dtype=ember.float32))
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-4, atol=1e-5,
                               err_msg="conv2d with the weight alpha * sign(W)")


def test_binary_conv2d_weight_gradient():
    ember.manual_seed(1)
    conv = nn.BinaryConv2d(1, 2, 2)
    x = np.random.default_rng(6).standard_normal((3, 1, 4, 4))
    g = np.random.default_rng(7).standard_normal((3, 2, 3, 3))
    conv(ember.tensor(x, dtype=ember.float32)).backward(ember.tensor(g, dtype=ember.float32))
    w = conv.weight.detach().numpy().astype(np.float64)
    upstream = np.zeros_like(w)  # dL/d(binary weight) by correlation of x with g
    for i in range(2):
        for j in range(2):
            upstream[:, :, i, j] = np.einsum("nohw,nchw->oc", g, x[:, :, i:i + 3, j:j + 3])
    np.testing.assert_allclose(grad_of(conv.weight, "weight"),
                               _binary_weight_grad(w, upstream), rtol=1e-4, atol=1e-5,
                               err_msg="weight.grad through alpha * sign(W)")

"""Stage 04 · pooling: ``max_pool2d``, ``avg_pool2d`` and ``adaptive_avg_pool2d``.

Oracles: pooling written as loops over output pixels in NumPy, hand-derived gradients
(max pooling sends each window's gradient to its first maximum only; average pooling
spreads it evenly), float64 central differences and PyTorch's window rule for adaptive
pooling (cell i covers ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉).
"""

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F  # noqa: N812 - PyTorch's convention
from autograder.suites.helpers import assert_tensor, check_grad, grad_of

RNG = np.random.default_rng(44)


def pool_loops(x, k, s, p, reduce, fill):
    """Pool (N, C, H, W) with a k×k window, stride s, padding p filled with ``fill``."""
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
    oh = (x.shape[2] + 2 * p - k) // s + 1
    ow = (x.shape[3] + 2 * p - k) // s + 1
    out = np.empty((*x.shape[:2], oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(xp[:, :, i * s:i * s + k, j * s:j * s + k], axis=(2, 3))
    return out


@pytest.mark.parametrize(("k", "s", "p"), [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0)])
def test_max_pool2d_forward(k, s, p):
    x = RNG.standard_normal((2, 3, 7, 6))
    out = F.max_pool2d(ember.tensor(x), k, stride=s, padding=p)
    assert_tensor(out, pool_loops(x, k, s, p, np.max, -np.inf), ember.float64,
                  what=f"max_pool2d(kernel {k}, stride {s}, padding {p})")


def test_max_pool2d_stride_defaults_to_the_kernel_size():
    x = ember.arange(16.0).reshape(1, 1, 4, 4)
    assert_tensor(F.max_pool2d(x, 2), [[[[5.0, 7.0], [13.0, 15.0]]]], ember.float32,
                  what="max_pool2d(x, 2): stride=None means stride=kernel_size")


def test_max_pool2d_gradient_goes_to_the_maximum_only():
    x = ember.tensor([[[[1.0, 5.0, 2.0, 0.0],
                        [3.0, 4.0, 9.0, 1.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).backward(ember.tensor([[[[10.0, 20.0]]]]))
    np.testing.assert_array_equal(
        grad_of(x), [[[[0, 10, 0, 0], [0, 0, 20, 0]]]],
        err_msg="each window's gradient goes to the position of its maximum, nowhere else")


def test_max_pool2d_ties_send_the_gradient_to_the_first_maximum():
    x = ember.zeros(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(grad_of(x), [[[[1, 0], [0, 0]]]], err_msg=(
        "all four values are equal: PyTorch sends the gradient to the first one (row-major), "
        "not to all of them"))


@pytest.mark.parametrize(("k", "s", "p"), [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_max_pool2d_backward(k, s, p):
    check_grad(lambda x: F.max_pool2d(x, k, s, p), (2, 2, 5, 6),
               what=f"max_pool2d(kernel {k}, stride {s}, padding {p})")


@pytest.mark.parametrize(("k", "s", "p"), [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_avg_pool2d_forward_and_backward(k, s, p):
    x = RNG.standard_normal((2, 3, 7, 6))
    out = F.avg_pool2d(ember.tensor(x), k, stride=s, padding=p)
    sums = pool_loops(x, k, s, p, np.sum, 0.0)
    assert_tensor(out, sums / (k * k), ember.float64, rtol=1e-10, atol=1e-12,
                  what=f"avg_pool2d(kernel {k}, stride {s}, padding {p}); the padding zeros "
                       "count in the divisor (count_include_pad=True)")
    if p:
        ones = pool_loops(np.ones_like(x), k, s, p, np.sum, 0.0)
        out = F.avg_pool2d(ember.tensor(x), k, s, p, count_include_pad=False)
        assert_tensor(out, sums / ones, ember.float64, rtol=1e-10, atol=1e-12,
                      what="count_include_pad=False divides by the real input cells")
    check_grad(lambda t: F.avg_pool2d(t, k, s, p), (1, 2, 5, 6), what="avg_pool2d")


def adaptive_loops(x, oh, ow):
    h, w = x.shape[-2:]
    out = np.empty((*x.shape[:-2], oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * h // oh, math.ceil((i + 1) * h / oh))
            cols = slice(j * w // ow, math.ceil((j + 1) * w / ow))
            out[..., i, j] = x[..., rows, cols].mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize(("shape", "size"), [((2, 3, 6, 4), (3, 2)), ((2, 3, 7, 5), (3, 3)),
                                             ((1, 2, 5, 5), 1), ((3, 5, 7), (4, 2))])
def test_adaptive_avg_pool2d(shape, size):
    x = RNG.standard_normal(shape)
    oh, ow = (size, size) if isinstance(size, int) else size
    out = F.adaptive_avg_pool2d(ember.tensor(x), size)
    assert_tensor(out, adaptive_loops(x, oh, ow), ember.float64, rtol=1e-10, atol=1e-12,
                  what=f"adaptive_avg_pool2d({shape} → {size}); windows may overlap")
    check_grad(lambda t: F.adaptive_avg_pool2d(t, size), shape, what="adaptive_avg_pool2d")


def test_pooling_modules_and_reprs():
    x = ember.tensor(RNG.standard_normal((2, 3, 6, 6)))
    assert tuple(ember.nn.MaxPool2d(2)(x).shape) == (2, 3, 3, 3)
    assert tuple(ember.nn.AvgPool2d(3, stride=1, padding=1)(x).shape) == (2, 3, 6, 6)
    assert tuple(ember.nn.AdaptiveAvgPool2d((1, 2))(x).shape) == (2, 3, 1, 2)
    assert ember.nn.MaxPool2d(2).extra_repr() == (
        "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False")
    assert ember.nn.AvgPool2d(2).extra_repr() == "kernel_size=2, stride=2, padding=0"
    assert ember.nn.AdaptiveAvgPool2d((5, 7)).extra_repr() == "output_size=(5, 7)"

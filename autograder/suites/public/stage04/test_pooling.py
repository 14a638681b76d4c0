"""Stage 04 · pooling: ``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d``, dropout.

Oracles: pooling written as loops over output pixels in NumPy, hand-derived gradients
(max pooling sends each window's gradient to its first maximum only; average pooling
spreads it evenly), float64 central differences, PyTorch's window rule for adaptive pooling
(cell i covers ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉) and the statistics of inverted dropout.
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


# ------------------------------------------------------------------------------ Dropout
def test_dropout_zeroes_a_fraction_p_and_scales_the_rest():
    ember.manual_seed(0)
    x = ember.ones(200, 100, requires_grad=True)
    y = F.dropout(x, p=0.3)
    values = y.detach().numpy()
    assert set(np.unique(values).tolist()) == {0.0, float(np.float32(1 / 0.7))}, (
        "inverted dropout: kept elements are multiplied by 1 / (1 - p), dropped ones are 0")
    assert abs((values == 0).mean() - 0.3) < 0.02, (
        f"about 30% of the elements must be zeroed with p=0.3, got {(values == 0).mean():.3f}")
    y.backward(ember.ones(200, 100))
    np.testing.assert_array_equal(grad_of(x), values, err_msg=(
        "dy/dx is the mask itself: 0 where dropped, 1/(1-p) where kept"))


def test_dropout_is_reproducible_and_the_identity_in_eval_mode():
    ember.manual_seed(5)
    a = F.dropout(ember.ones(50)).numpy()
    ember.manual_seed(5)
    b = F.dropout(ember.ones(50)).numpy()
    np.testing.assert_array_equal(a, b, err_msg="the mask comes from ember's seeded generator")
    drop = ember.nn.Dropout(0.5)
    assert drop.extra_repr() == "p=0.5, inplace=False"
    x = ember.ones(10)
    assert (drop(x).numpy() != 1).any(), "a fresh module is in training mode"
    drop.eval()
    assert_tensor(drop(x), np.ones(10), ember.float32, what="Dropout in eval() mode")
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        F.dropout(x, 1.5)

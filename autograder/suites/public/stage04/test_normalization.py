"""Stage 04 · normalization: ``F.batch_norm``, ``nn.BatchNorm1d``, ``nn.BatchNorm2d``, dropout.

Oracles: the NumPy formula y = γ (x - μ)/√(σ² + ε) + β with per-channel statistics, the
running-statistics update rule (unbiased variance), and float64 central differences through
the batch statistics (``check_grad``); the statistics of inverted dropout.
"""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from autograder.suites.helpers import assert_tensor, check_grad, grad_of, to_numpy

EPS = 1e-5


def _np_batch_norm(x, gamma=None, beta=None, eps=EPS):
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma.reshape(shape) + beta.reshape(shape)
    return y


def test_batch_norm_training_normalises_each_channel():
    rng = np.random.default_rng(0)
    for shape in ((8, 3), (4, 3, 5), (2, 3, 4, 4)):
        x = rng.standard_normal(shape) * 3 + 1
        gamma, beta = rng.random(3) + 0.5, rng.standard_normal(3)
        got = F.batch_norm(ember.tensor(x), None, None, ember.tensor(gamma), ember.tensor(beta),
                           training=True)
        assert_tensor(got, _np_batch_norm(x, gamma, beta), ember.float64, rtol=1e-8,
                      atol=1e-10, what=f"F.batch_norm(training=True) on shape {shape}")


def test_batch_norm_gradient_through_batch_statistics():
    rng = np.random.default_rng(1)
    gamma = rng.random(3) + 0.5
    check_grad(lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True),
               (6, 3), gamma, (3,), what="F.batch_norm(training=True) on (N, C)")
    check_grad(lambda x: F.batch_norm(x, None, None, training=True), (2, 3, 2, 2),
               what="F.batch_norm(training=True) on (N, C, H, W): the mean and variance "
               "depend on x, so their gradient terms are needed")


def test_batch_norm_eval_uses_running_statistics():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    mean, var = np.array([0.5, -1.0]), np.array([4.0, 0.25])
    got = F.batch_norm(ember.tensor(x), ember.tensor(mean), ember.tensor(var), training=False)
    assert_tensor(got, (x - mean) / np.sqrt(var + EPS), ember.float64, rtol=1e-10,
                  what="F.batch_norm(training=False): (x - running_mean)/√(running_var + ε)")
    check_grad(lambda a: F.batch_norm(a, ember.tensor(mean), ember.tensor(var)), x,
               what="F.batch_norm in eval mode (fixed statistics)")


def test_batchnorm1d_updates_running_statistics():
    rng = np.random.default_rng(2)
    bn = ember.nn.BatchNorm1d(4)
    running_mean, running_var = np.zeros(4), np.ones(4)
    for _ in range(3):
        x = rng.standard_normal((10, 4)).astype(np.float32) * 2 + 3
        bn(ember.tensor(x))
        running_mean = 0.9 * running_mean + 0.1 * x.mean(0)
        running_var = 0.9 * running_var + 0.1 * x.var(0, ddof=1)
    np.testing.assert_allclose(to_numpy(bn.running_mean), running_mean, rtol=1e-5,
                               err_msg="running_mean = 0.9·running_mean + 0.1·batch mean")
    np.testing.assert_allclose(to_numpy(bn.running_var), running_var, rtol=1e-5,
                               err_msg="running_var = 0.9·running_var + 0.1·UNBIASED batch "
                               "variance (divide by n - 1)")
    assert int(bn.num_batches_tracked) == 3, "num_batches_tracked counts training batches"
    assert bn.num_batches_tracked.dtype == ember.int64, "num_batches_tracked is int64"


def test_batchnorm_eval_mode_uses_running_statistics():
    rng = np.random.default_rng(3)
    bn = ember.nn.BatchNorm2d(2)
    bn(ember.tensor(rng.standard_normal((4, 2, 3, 3)).astype(np.float32) + 5))
    mean, var = to_numpy(bn.running_mean).copy(), to_numpy(bn.running_var).copy()
    bn.eval()
    x = rng.standard_normal((2, 2, 3, 3)).astype(np.float32)
    got = bn(ember.tensor(x)).detach()
    expected = (x - mean.reshape(1, 2, 1, 1)) / np.sqrt(var.reshape(1, 2, 1, 1) + EPS)
    assert_tensor(got, expected, ember.float32, rtol=1e-5, atol=1e-5,
                  what="BatchNorm2d in eval mode normalises with the running statistics")
    np.testing.assert_array_equal(to_numpy(bn.running_mean), mean,
                                  err_msg="eval mode must not update running_mean")
    assert int(bn.num_batches_tracked) == 1, "eval mode must not count batches"


def test_batchnorm_parameters_and_buffers():
    bn = ember.nn.BatchNorm1d(3)
    out = bn(ember.randn(5, 3))
    assert tuple(out.shape) == (5, 3), "BatchNorm1d keeps the input's shape"
    assert isinstance(bn.weight, ember.nn.Parameter) and isinstance(bn.bias, ember.nn.Parameter)
    np.testing.assert_array_equal(to_numpy(bn.weight.detach()), np.ones(3),
                                  err_msg="weight (γ) starts at ones")
    np.testing.assert_array_equal(to_numpy(bn.bias.detach()), np.zeros(3),
                                  err_msg="bias (β) starts at zeros")
    assert not isinstance(bn.running_mean, ember.nn.Parameter), (
        "running_mean is a buffer (register_buffer), not a Parameter")
    bare = ember.nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    bare(ember.randn(5, 3))
    assert bare.weight is None and bare.bias is None, "affine=False: weight and bias are None"
    assert bare.running_mean is None and bare.running_var is None, (
        "track_running_stats=False: no running statistics (None)")


def test_batchnorm_errors_and_repr():
    bn = ember.nn.BatchNorm1d(3)
    bn(ember.randn(4, 3, 2))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        bn(ember.randn(2, 3, 2, 2))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when "
                                         "training"):
        bn(ember.randn(1, 3))
    text = "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, " \
           "track_running_stats=True)"
    assert repr(ember.nn.BatchNorm2d(16)) == text, f"repr should be {text!r}"


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

"""Stage 04 · hidden: activations, batch normalisation and losses at their edges.

Oracles: NumPy formulas, hand-derived values and float64 central differences.
"""

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from autograder.suites.helpers import assert_scalar_tensor, assert_tensor, check_grad, to_numpy


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x, axis=1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


# ------------------------------------------------------------------ activations
def test_softmax_implicit_dim_warns_and_follows_the_rule():
    rng = np.random.default_rng(0)
    for shape, dim in (((4,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 4, 5), 1)):
        x = rng.standard_normal(shape)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            got = F.softmax(ember.tensor(x))
        assert_tensor(got, _np_softmax(x, dim), ember.float64, rtol=1e-10,
                      what=f"F.softmax without dim on a {len(shape)}-D input uses dim {dim}")


def test_softmax_dtype_argument_and_zero_dim():
    x = ember.tensor([1.0, 2.0, 3.0])
    got = F.softmax(x, dim=0, dtype=ember.float64)
    assert_tensor(got, _np_softmax(np.array([1.0, 2.0, 3.0]), 0), ember.float64, rtol=1e-7,
                  what="F.softmax(x, 0, dtype=ember.float64) computes in float64")
    assert_tensor(F.log_softmax(ember.tensor(5.0), dim=0), np.float32(0.0), ember.float32,
                  what="log_softmax of a single number is 0")


def test_log_softmax_3d_middle_dim_and_gradient():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4)) * 50
    got = F.log_softmax(ember.tensor(x), dim=1)
    assert_tensor(got, _np_log_softmax(x, 1), ember.float64, rtol=1e-10, atol=1e-10,
                  what="F.log_softmax(x, dim=1) on (2, 3, 4)")
    check_grad(lambda a: ember.nn.LogSoftmax(dim=1)(a), (2, 3, 4), what="LogSoftmax(dim=1)")
    check_grad(lambda a: ember.nn.Softmax(dim=-1)(a), (3, 5), what="Softmax(dim=-1)")


def test_gelu_float32_and_far_tails():
    x = np.array([-12.0, -8.0, -6.0, 0.5, 8.0], dtype=np.float64)
    phi = 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in x])
    got = F.gelu(ember.tensor(x))
    assert_tensor(got, x * phi, ember.float64, rtol=1e-7, atol=0,
                  what="F.gelu in the far negative tail (x·Φ(x) is tiny but not 0: use "
                  "erfc, or 1 - erf loses all digits)")
    got32 = ember.nn.GELU()(ember.tensor(x, dtype=ember.float32))
    assert_tensor(got32, (x * phi).astype(np.float32), ember.float32, rtol=1e-5, atol=1e-7,
                  what="GELU keeps float32")


def test_leaky_relu_leaves_positives_alone_and_inplace():
    x = ember.tensor([-4.0, 0.0, 0.5, 3.0])
    got = ember.nn.LeakyReLU(0.25)(x)
    assert_tensor(got, [-1.0, 0.0, 0.5, 3.0], what="LeakyReLU(0.25): positives unchanged")
    y = ember.tensor([-4.0, 2.0])
    assert F.leaky_relu(y, 0.5, inplace=True) is y, "inplace=True returns the input itself"
    assert_tensor(y, [-2.0, 2.0], what="y after F.leaky_relu(y, 0.5, inplace=True)")


def test_relu_layer_inplace_keeps_gradients_right():
    x = ember.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    h = x * 2
    out = ember.nn.ReLU(inplace=True)(h)
    assert out is h, "ReLU(inplace=True) returns its input"
    (out * ember.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 4.0, 0.0, 8.0],
                               err_msg="gradient through an in-place ReLU")


# ------------------------------------------------------------------ batch norm
def test_batchnorm_momentum_none_is_a_cumulative_average():
    rng = np.random.default_rng(2)
    bn = ember.nn.BatchNorm1d(3, momentum=None)
    batches = [rng.standard_normal((5, 3)) + k for k in range(4)]
    for b in batches:
        bn(ember.tensor(b, dtype=ember.float32))
    means = np.mean([b.mean(0) for b in batches], axis=0)
    variances = np.mean([b.var(0, ddof=1) for b in batches], axis=0)
    np.testing.assert_allclose(to_numpy(bn.running_mean), means, rtol=1e-5,
                               err_msg="momentum=None: running_mean = average of batch means")
    np.testing.assert_allclose(to_numpy(bn.running_var), variances, rtol=1e-5,
                               err_msg="momentum=None: running_var = average of unbiased "
                               "batch variances")


def test_batchnorm1d_on_3d_input_statistics_over_n_and_l():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 2, 6)).astype(np.float32)
    bn = ember.nn.BatchNorm1d(2, momentum=0.5)
    out = bn(ember.tensor(x))
    mean = x.mean(axis=(0, 2))
    var = x.var(axis=(0, 2))
    expected = (x - mean[None, :, None]) / np.sqrt(var[None, :, None] + 1e-5)
    assert_tensor(out.detach(), expected, ember.float32, rtol=1e-4, atol=1e-5,
                  what="BatchNorm1d on (N, C, L): statistics over N and L")
    np.testing.assert_allclose(to_numpy(bn.running_var), 0.5 + 0.5 * x.var(axis=(0, 2),
                               ddof=1), rtol=1e-5, err_msg="running_var with momentum=0.5")


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 3, 2, 2)) * 4 + 2
    bn = ember.nn.BatchNorm2d(3, affine=False, track_running_stats=False).eval()
    got = bn(ember.tensor(x))
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    assert_tensor(got, (x - mean) / np.sqrt(var + 1e-5), ember.float64, rtol=1e-8,
                  what="track_running_stats=False: batch statistics even in eval mode")


def test_batch_norm_weight_and_bias_gradients_on_3d_input():
    rng = np.random.default_rng(5)
    check_grad(lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True, eps=1e-3),
               (3, 2, 4), rng.random(2) + 0.5, (2,), what="F.batch_norm on (N, C, L)")


def test_batchnorm_error_messages():
    bn2 = ember.nn.BatchNorm2d(3)
    bn2(ember.randn(2, 3, 2, 2))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        bn2(ember.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        F.batch_norm(ember.randn(2, 4), ember.zeros(3), ember.ones(3))
    text = ("BatchNorm1d(5, eps=0.001, momentum=None, affine=False, bias=False, "
            "track_running_stats=True)")
    assert repr(ember.nn.BatchNorm1d(5, eps=1e-3, momentum=None, affine=False)) == text


def test_batch_norm_train_updates_given_buffers():
    x = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    mean, var = ember.zeros(2, dtype=ember.float64), ember.ones(2, dtype=ember.float64)
    F.batch_norm(ember.tensor(x), mean, var, training=True, momentum=0.2)
    np.testing.assert_allclose(mean.numpy(), 0.2 * x.mean(0), rtol=1e-12,
                               err_msg="F.batch_norm(training=True) updates running_mean")
    np.testing.assert_allclose(var.numpy(), 0.8 + 0.2 * x.var(0, ddof=1), rtol=1e-12,
                               err_msg="... and running_var with the unbiased variance")


# ------------------------------------------------------------------ losses
def test_cross_entropy_spatial_inputs():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 4, 5))
    t = rng.integers(0, 3, (2, 4, 5))
    logp = _np_log_softmax(x, 1)
    picked = np.take_along_axis(logp, t[:, None], axis=1)[:, 0]
    got = F.cross_entropy(ember.tensor(x), ember.tensor(t), reduction="none")
    assert_tensor(got, -picked, ember.float64, rtol=1e-10,
                  what="cross_entropy of (N, C, H, W) logits: one loss per (n, h, w)")
    small_t = ember.tensor(t[:, :2, :3].copy())
    check_grad(lambda a: F.cross_entropy(a, small_t), x[:, :, :2, :3].copy(),
               what="cross_entropy on (N, C, H, W)")


def test_cross_entropy_single_sample_and_probability_targets():
    x = np.array([0.5, -1.0, 2.0])
    got = F.cross_entropy(ember.tensor(x), ember.tensor(2))
    assert_scalar_tensor(got, -_np_log_softmax(x[None])[0, 2], ember.float64, rtol=1e-10,
                         what="cross_entropy of (C,) logits and a 0-dim target")
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((4, 3))
    p = rng.random((4, 3))
    p /= p.sum(1, keepdims=True)
    got = F.cross_entropy(ember.tensor(logits), ember.tensor(p))
    expected = -(p * _np_log_softmax(logits)).sum(1).mean()
    assert_scalar_tensor(got, expected, ember.float64, rtol=1e-10,
                         what="class-probability targets: -Σ_c p_c log softmax(x)_c")


def test_label_smoothing_with_weight_ignore_and_none():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((5, 4))
    t = np.array([0, 3, -100, 1, 2])
    w = np.array([1.0, 0.5, 2.0, 1.5])
    eps = 0.25
    logp = _np_log_softmax(x)
    keep = t != -100
    safe = np.where(keep, t, 0)
    wt = w[safe] * keep
    nll = -logp[np.arange(5), safe] * wt
    smooth = -(logp * w).sum(1) * keep
    expected_mean = (1 - eps) * nll.sum() / wt.sum() + eps / 4 * smooth.sum() / wt.sum()
    got = F.cross_entropy(ember.tensor(x), ember.tensor(t), ember.tensor(w),
                          label_smoothing=eps)
    assert_scalar_tensor(got, expected_mean, ember.float64, rtol=1e-10,
                         what="label smoothing with class weights and an ignored target")
    got = ember.nn.CrossEntropyLoss(label_smoothing=eps, reduction="none")(
        ember.tensor(x), ember.tensor(t))
    plain_smooth = -logp.sum(1) * keep
    plain_nll = -logp[np.arange(5), safe] * keep
    assert_tensor(got, (1 - eps) * plain_nll + eps / 4 * plain_smooth, ember.float64,
                  rtol=1e-10, what="CrossEntropyLoss(label_smoothing, reduction='none')")


def test_all_targets_ignored():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    t = ember.tensor([-100, -100])
    assert math.isnan(F.cross_entropy(x, t).item()), "mean over no counted target is nan (0/0)"
    assert F.cross_entropy(x, t, reduction="sum").item() == 0.0, "sum over no target is 0"


def test_nll_loss_weighted_mean_and_none():
    logp = np.log(np.array([[0.1, 0.9], [0.7, 0.3], [0.5, 0.5]]))
    t = np.array([1, 0, 0])
    w = np.array([2.0, 0.5])
    got = F.nll_loss(ember.tensor(logp), ember.tensor(t), weight=ember.tensor(w))
    expected = -(0.5 * np.log(0.9) + 2 * np.log(0.7) + 2 * np.log(0.5)) / (0.5 + 2 + 2)
    assert_scalar_tensor(got, expected, ember.float64, rtol=1e-10,
                         what="weighted nll_loss divides by Σ w[target]")
    got = F.nll_loss(ember.tensor(logp), ember.tensor([1, -100, 0]), reduction="none")
    assert_tensor(got, [-np.log(0.9), 0.0, -np.log(0.5)], ember.float64, rtol=1e-10,
                  what="reduction='none': an ignored target's loss is 0")


def test_cross_entropy_target_errors():
    x = ember.randn(3, 4)
    F.cross_entropy(x, ember.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
        F.cross_entropy(x, ember.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target "
                                         r"batch_size \(2\)"):
        F.cross_entropy(x, ember.tensor([0, 1]))
    with pytest.raises((IndexError, RuntimeError), match="out of bounds"):
        F.nll_loss(x, ember.tensor([0, -1, 2]))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, ember.tensor([0, 1, 2]), label_smoothing=1.5)


def test_deprecated_size_average_and_reduce():
    a, b = ember.tensor([1.0, 4.0]), ember.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        layer = ember.nn.L1Loss(size_average=False)
    assert layer.reduction == "sum", "size_average=False means reduction='sum'"
    assert layer(a, b).item() == 5.0, "L1Loss(size_average=False) sums"
    with pytest.warns(UserWarning):
        got = F.l1_loss(a, b, reduce=False)
    assert_tensor(got, [1.0, 4.0], what="reduce=False keeps the elementwise losses")


def test_binary_cross_entropy_errors_and_target_gradient():
    p, y = np.array([0.2, 0.6, 0.9]), np.array([0.0, 0.5, 1.0])
    F.binary_cross_entropy(ember.tensor(p), ember.tensor(y))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(ember.tensor([1.5]), ember.tensor([1.0]))
    with pytest.raises(ValueError, match="Using a target size"):
        F.binary_cross_entropy(ember.tensor([0.5, 0.5]), ember.tensor([[1.0], [0.0]]))
    check_grad(lambda a, t: F.binary_cross_entropy(a, t, reduction="sum"), p, y,
               what="F.binary_cross_entropy w.r.t. input and target")


def test_bce_with_logits_extreme_logits_and_pos_weight_per_class():
    x = ember.tensor([[-1000.0, 1000.0], [-50.0, 0.0]], dtype=ember.float64,
                     requires_grad=True)
    y = ember.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=ember.float64)
    pw = ember.tensor([2.0, 3.0], dtype=ember.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="none")
    expected = [[2.0 * 1000.0, 1000.0], [0.0, 3.0 * math.log(2.0)]]
    assert_tensor(loss.detach(), expected, ember.float64, rtol=1e-10, atol=1e-12,
                  what="BCE with logits ±1000 must stay finite: "
                  "log(1 + e^-x) = log(1 + e^-|x|) + max(-x, 0)")
    loss.sum().backward()
    sig = np.array([[0.0, 1.0], [math.exp(-50.0) / (1 + math.exp(-50.0)), 0.5]])  # σ(x)
    want = np.array([[2.0 * (sig[0, 0] - 1), sig[0, 1]], [sig[1, 0], 3.0 * (0.5 - 1)]])
    np.testing.assert_allclose(x.grad.numpy(), want, atol=1e-12,
                               err_msg="d/dx = (1 - y)σ(x) - p·y(1 - σ(x))")
    target = ember.tensor(np.array([[0.2, 0.9], [1.0, 0.0]]))
    weight = ember.tensor(np.array([0.5, 2.0]))
    check_grad(lambda a: F.binary_cross_entropy_with_logits(a, target, weight,
                                                            pos_weight=pw), (2, 2),
               what="binary_cross_entropy_with_logits(weight, pos_weight)")

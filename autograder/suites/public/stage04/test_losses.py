"""Stage 04 · losses: ``l1_loss cross_entropy nll_loss binary_cross_entropy
binary_cross_entropy_with_logits`` and their layers.

Oracles: NumPy formulas (log-softmax computed stably in float64), hand-derived values, and
float64 central differences with a random upstream gradient (``check_grad``).
"""

import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from autograder.suites.helpers import assert_scalar_tensor, assert_tensor, check_grad, exactly


def _np_log_softmax(x, axis=1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _np_cross_entropy(x, t, weight=None, ignore_index=-100, smoothing=0.0):
    """Mean cross-entropy of (N, C) logits, PyTorch's definition."""
    logp = _np_log_softmax(x)
    c = x.shape[1]
    w = np.ones(c) if weight is None else weight
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    wt = w[safe] * keep
    nll = -(logp[np.arange(len(t)), safe] * wt).sum() / wt.sum()
    smooth = (-(logp * w).sum(1) * keep).sum() / wt.sum()
    return (1 - smoothing) * nll + smoothing / c * smooth


def _data(seed=0, n=6, c=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c)), rng.integers(0, c, n)


def test_cross_entropy_matches_the_formula():
    x, t = _data()
    got = F.cross_entropy(ember.tensor(x), ember.tensor(t))
    assert_scalar_tensor(got, _np_cross_entropy(x, t), ember.float64, rtol=1e-10,
                         what="F.cross_entropy = mean of -log softmax(x)[target]")
    got = ember.nn.CrossEntropyLoss(reduction="sum")(ember.tensor(x), ember.tensor(t))
    expected = -_np_log_softmax(x)[np.arange(6), t].sum()
    assert_scalar_tensor(got, expected, ember.float64, rtol=1e-10,
                         what="CrossEntropyLoss(reduction='sum')")
    got = F.cross_entropy(ember.tensor(x), ember.tensor(t), reduction="none")
    assert_tensor(got, -_np_log_softmax(x)[np.arange(6), t], ember.float64, rtol=1e-10,
                  what="F.cross_entropy(reduction='none') gives one loss per sample")


def test_cross_entropy_with_large_logits_is_finite():
    x = ember.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 990.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning means the shift is missing
        loss = F.cross_entropy(x, ember.tensor([0, 2]))
    assert np.isfinite(loss.item()) and abs(loss.item() - 5.0000227) < 1e-4, (
        f"cross-entropy of logits near 1000 must be finite (≈ 5.0); got {loss.item()}: "
        "subtract the row max before exp (the log-sum-exp trick)")
    loss.backward()
    assert np.isfinite(x.grad.numpy()).all(), "the gradient must be finite for large logits"


def test_cross_entropy_gradient():
    x, t = _data(1)
    target = ember.tensor(t)
    check_grad(lambda a: F.cross_entropy(a, target), x, what="F.cross_entropy")
    check_grad(lambda a: F.cross_entropy(a, target, reduction="none"), x,
               what="F.cross_entropy(reduction='none')")


def test_cross_entropy_weight_and_ignore_index():
    x, t = _data(2)
    t[[1, 4]] = -100
    w = np.array([0.5, 2.0, 1.0, 3.0])
    got = F.cross_entropy(ember.tensor(x), ember.tensor(t), weight=ember.tensor(w))
    assert_scalar_tensor(got, _np_cross_entropy(x, t, w), ember.float64, rtol=1e-10,
                         what="weighted mean: Σ w[yᵢ]·ℓᵢ / Σ w[yᵢ] over the non-ignored targets")
    t2 = np.where(t == -100, 1, t)
    t2[0] = 3
    got = F.cross_entropy(ember.tensor(x), ember.tensor(t2), ignore_index=3)
    assert_scalar_tensor(got, _np_cross_entropy(x, t2, ignore_index=3), ember.float64,
                         rtol=1e-10, what="ignore_index=3: those samples are not counted")
    target, weight = ember.tensor(t), ember.tensor(w)
    check_grad(lambda a: F.cross_entropy(a, target, weight=weight), x,
               what="F.cross_entropy with weight and ignored targets")


def test_cross_entropy_label_smoothing():
    x, t = _data(3)
    got = F.cross_entropy(ember.tensor(x), ember.tensor(t), label_smoothing=0.2)
    assert_scalar_tensor(got, _np_cross_entropy(x, t, smoothing=0.2), ember.float64,
                         rtol=1e-10, what="label_smoothing=0.2: target (1 - ε)·one_hot + ε/C")
    target = ember.tensor(t)
    check_grad(lambda a: F.cross_entropy(a, target, label_smoothing=0.3), x,
               what="F.cross_entropy(label_smoothing=0.3)")


def test_nll_loss_on_log_probabilities():
    logp = np.log(np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]))
    t = np.array([1, 0, 1])
    got = ember.nn.NLLLoss()(ember.tensor(logp), ember.tensor(t))
    assert_scalar_tensor(got, -np.mean(np.log([0.8, 0.6, 0.5])), ember.float64, rtol=1e-10,
                         what="NLLLoss = mean of -input[i, target[i]]")
    target = ember.tensor(t)
    check_grad(lambda a: F.nll_loss(a, target, reduction="sum"), logp, what="F.nll_loss")


def test_l1_loss_and_module():
    a, b = np.array([1.0, -2.0, 4.0]), np.array([0.0, 1.0, 4.5])
    got = F.l1_loss(ember.tensor(a), ember.tensor(b))
    assert_scalar_tensor(got, np.abs(a - b).mean(), ember.float64, what="F.l1_loss")
    got = ember.nn.L1Loss(reduction="sum")(ember.tensor(a), ember.tensor(b))
    assert_scalar_tensor(got, np.abs(a - b).sum(), ember.float64, what="L1Loss(sum)")
    check_grad(lambda x: F.l1_loss(x, ember.tensor(b)), a, what="F.l1_loss")


def test_binary_cross_entropy():
    p, y = np.array([0.1, 0.7, 0.5, 0.95]), np.array([0.0, 1.0, 1.0, 0.3])
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    got = F.binary_cross_entropy(ember.tensor(p), ember.tensor(y), reduction="none")
    assert_tensor(got, expected, ember.float64, rtol=1e-10,
                  what="F.binary_cross_entropy = -(y log p + (1 - y) log(1 - p))")
    w = np.array([1.0, 2.0, 0.5, 3.0])
    got = ember.nn.BCELoss(weight=ember.tensor(w))(ember.tensor(p), ember.tensor(y))
    assert_scalar_tensor(got, (w * expected).mean(), ember.float64, rtol=1e-10,
                         what="BCELoss(weight=w)")
    target = ember.tensor(y)
    check_grad(lambda a: F.binary_cross_entropy(a, target), p, what="F.binary_cross_entropy")
    edge = F.binary_cross_entropy(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 0.0]),
                                  reduction="none")
    assert_tensor(edge, [100.0, 100.0], what="log is clamped at -100 (p = 0 or 1)")


def test_binary_cross_entropy_with_logits():
    x, y = np.array([-30.0, -1.0, 0.0, 2.0, 40.0]), np.array([1.0, 0.0, 0.5, 1.0, 0.0])
    log_sig = -np.logaddexp(0, -x)
    log_one_minus = -np.logaddexp(0, x)
    expected = -(y * log_sig + (1 - y) * log_one_minus)
    got = F.binary_cross_entropy_with_logits(ember.tensor(x), ember.tensor(y), reduction="none")
    assert_tensor(got, expected, ember.float64, rtol=1e-10,
                  what="binary_cross_entropy_with_logits, stable for |x| up to 40")
    pw = 3.0
    got = ember.nn.BCEWithLogitsLoss(pos_weight=ember.tensor([pw]))(ember.tensor(x),
                                                                     ember.tensor(y))
    expected_pw = -(pw * y * log_sig + (1 - y) * log_one_minus)
    assert_scalar_tensor(got, expected_pw.mean(), ember.float64, rtol=1e-10,
                         what="BCEWithLogitsLoss(pos_weight=3) weighs the positive term")
    target = ember.tensor(y)
    check_grad(lambda a: F.binary_cross_entropy_with_logits(a, target), x / 10,
               what="F.binary_cross_entropy_with_logits")


def test_loss_errors():
    x, t = _data(4)
    F.cross_entropy(ember.tensor(x), ember.tensor(t))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.cross_entropy(ember.tensor(x), ember.tensor(t), reduction="avg")
    with pytest.raises((IndexError, RuntimeError), match=exactly("Target 7 is out of bounds.")):
        F.cross_entropy(ember.tensor(x), ember.tensor([0, 1, 7, 0, 1, 2]))
    with pytest.raises(ValueError, match="x is not a valid value for reduction"):
        F.l1_loss(ember.tensor([1.0]), ember.tensor([2.0]), reduction="x")

"""Stage 07 · init: the ``nn.init`` functions fill a tensor in place and return it.

Oracle: the distributions' own statistics, not values (ember's random numbers are not
PyTorch's). On n draws the sample mean lies within 6 σ/√n of the true mean and the sample
standard deviation within 6 σ/√n of σ with overwhelming probability; draws of U(-b, b)
never leave [-b, b] and come within b/1000 of both ends once n is large. Structured inits
(eye, dirac, orthogonal) are checked exactly.
"""

import math
import warnings

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_sample_stats
from ember import nn
from ember.nn import init

N = 200_000  # elements in the large tensors: tight statistics, still fast


def check_uniform(t, bound, what):
    """``t`` looks like U(-bound, bound): inside the bounds, reaching them, flat."""
    x = t.detach().numpy().astype(np.float64)
    assert x.min() >= -bound and x.max() <= bound, (
        f"{what}: values in [{x.min():.5f}, {x.max():.5f}], must lie in ±{bound:.5f}")
    assert x.min() < -0.999 * bound and x.max() > 0.999 * bound, (
        f"{what}: values in [{x.min():.5f}, {x.max():.5f}] never come near the bound "
        f"±{bound:.5f}: is the bound too small?")
    assert_sample_stats(t, 0.0, bound / math.sqrt(3), what)


def test_uniform_and_normal_fill_in_place():
    t = ember.empty(N)
    assert init.uniform_(t, -2.0, 3.0) is t, "init.uniform_ must return the tensor it filled"
    x = t.numpy()
    assert x.min() >= -2.0 and x.max() < 3.0, "uniform_(t, -2, 3) must stay in [-2, 3)"
    assert_sample_stats(t, 0.5, 5 / math.sqrt(12), "uniform_(t, -2, 3)")
    assert init.normal_(t, mean=1.5, std=0.25) is t, "init.normal_ must return its tensor"
    assert_sample_stats(t, 1.5, 0.25, "normal_(t, mean=1.5, std=0.25)")
    assert_sample_stats(init.normal_(ember.empty(N)), 0.0, 1.0, "normal_(t) (defaults 0 and 1)")


def test_constant_ones_zeros():
    t = ember.empty(2, 3)
    assert init.constant_(t, 0.3) is t, "init.constant_ must return its tensor"
    np.testing.assert_allclose(t.numpy(), np.full((2, 3), 0.3, np.float32),
                               err_msg="constant_(t, 0.3)")
    assert init.ones_(t) is t and t.numpy().tolist() == [[1.0] * 3] * 2, "ones_(t)"
    assert init.zeros_(t) is t and t.numpy().tolist() == [[0.0] * 3] * 2, "zeros_(t)"


def test_inits_work_on_parameters():
    w = nn.Parameter(ember.empty(4, 6))
    for name, call in [("uniform_", lambda: init.uniform_(w)),
                       ("normal_", lambda: init.normal_(w)),
                       ("constant_", lambda: init.constant_(w, 2.0)),
                       ("zeros_", lambda: init.zeros_(w)), ("ones_", lambda: init.ones_(w)),
                       ("xavier_uniform_", lambda: init.xavier_uniform_(w)),
                       ("kaiming_normal_", lambda: init.kaiming_normal_(w)),
                       ("orthogonal_", lambda: init.orthogonal_(w)),
                       ("eye_", lambda: init.eye_(w))]:
        out = call()  # a leaf that requires grad: the init must run under no_grad
        assert out is w, f"init.{name}(w) must return w itself"
        assert w.requires_grad and w.is_leaf and w.grad_fn is None, (
            f"after init.{name}(w), w must still be a leaf that requires grad")
    (w * 2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.full((4, 6), 2.0),
                               err_msg="gradients must flow to an initialised parameter")


def test_xavier():
    w = ember.empty(400, 600)
    bound = math.sqrt(6.0 / 1000)
    assert init.xavier_uniform_(w) is w, "xavier_uniform_ must return its tensor"
    check_uniform(w, bound, "xavier_uniform_ of a (400, 600) weight")
    check_uniform(init.xavier_uniform_(w, gain=2.0), 2 * bound, "xavier_uniform_(gain=2)")
    init.xavier_normal_(w, gain=1.5)
    assert_sample_stats(w, 0.0, 1.5 * math.sqrt(2.0 / 1000), "xavier_normal_(gain=1.5)")


def test_xavier_uses_the_receptive_field():
    w = ember.empty(64, 32, 5, 5)  # fan_in = 800, fan_out = 1600
    init.xavier_uniform_(w)
    check_uniform(w, math.sqrt(6.0 / 2400), "xavier_uniform_ of a (64, 32, 5, 5) conv weight")


@pytest.mark.parametrize("a, mode, nonlinearity, fan, gain", [
    (0, "fan_in", "relu", 500, math.sqrt(2)),
    (0, "fan_out", "relu", 400, math.sqrt(2)),
    (math.sqrt(5), "fan_in", "leaky_relu", 500, math.sqrt(2 / 6)),   # Linear's default
    (0, "fan_in", "leaky_relu", 500, math.sqrt(2 / (1 + 0))),
])
def test_kaiming_uniform(a, mode, nonlinearity, fan, gain):
    w = ember.empty(400, 500)
    out = init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlinearity)
    assert out is w, "kaiming_uniform_ must return its tensor"
    check_uniform(w, gain * math.sqrt(3.0 / fan),
                  f"kaiming_uniform_(a={a:.3f}, mode={mode!r}, nonlinearity={nonlinearity!r})")


def test_kaiming_normal():
    w = ember.empty(128, 64, 3, 3)  # fan_in 576, fan_out 1152
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert_sample_stats(w, 0.0, math.sqrt(2.0 / 1152), "kaiming_normal_(mode='fan_out', 'relu')")
    init.kaiming_normal_(w, a=1.0)
    assert_sample_stats(w, 0.0, 1.0 / math.sqrt(576), "kaiming_normal_(a=1) (leaky_relu, slope 1)")


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (8, 2, 3, 3)])
def test_orthogonal(shape):
    w = ember.empty(*shape)
    assert init.orthogonal_(w, gain=2.0) is w, "orthogonal_ must return its tensor"
    m = w.numpy().reshape(shape[0], -1).astype(np.float64)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-4, err_msg=(
        f"orthogonal_(gain=2) of shape {shape}: the rows (wide) or columns (tall) of the "
        "flattened matrix must be orthogonal with length gain"))


def test_eye_and_dirac():
    w = ember.empty(3, 5)
    assert init.eye_(w) is w, "eye_ must return its tensor"
    np.testing.assert_array_equal(w.numpy(), np.eye(3, 5), err_msg="eye_ of a (3, 5) tensor")
    with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
        init.eye_(ember.empty(3, 3, 3))
    k = ember.empty(4, 3, 3, 3)
    assert init.dirac_(k) is k, "dirac_ must return its tensor"
    want = np.zeros((4, 3, 3, 3), np.float32)
    for d in range(3):
        want[d, d, 1, 1] = 1  # output channel d copies input channel d (kernel centre)
    np.testing.assert_array_equal(k.numpy(), want, err_msg="dirac_ of a (4, 3, 3, 3) weight")


def test_trunc_normal():
    t = ember.empty(N)
    assert init.trunc_normal_(t, mean=1.0, std=2.0, a=-1.0, b=2.0) is t, (
        "trunc_normal_ must return its tensor")
    x = t.numpy()
    assert x.min() >= -1.0 and x.max() <= 2.0, "trunc_normal_ values must lie in [a, b]"
    assert x.min() < -0.99 and x.max() > 1.99, "trunc_normal_ must fill all of [a, b]"
    # a N(1, 2²) cut to [-1, 2]: mean 1 + 2 (φ(α) - φ(β)) / Z, with α = -1, β = 0.5
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(0.5) - cdf(-1.0)
    mean = 1 + 2 * (phi(-1.0) - phi(0.5)) / z
    tol = 6 * 2.0 / math.sqrt(N)
    assert abs(x.mean() - mean) < tol, (
        f"trunc_normal_(mean=1, std=2, a=-1, b=2): sample mean {x.mean():.4f}, the truncated "
        f"distribution's mean is {mean:.4f}: redraw the values outside [a, b], don't clip them")


def test_seeded_inits_are_reproducible():
    draws = []
    for _ in range(2):
        ember.manual_seed(7)
        w = ember.empty(5, 4)
        draws.append([init.xavier_normal_(w).numpy().copy(),
                      init.kaiming_uniform_(w).numpy().copy(),
                      init.orthogonal_(w).numpy().copy()])
    for first, second in zip(*draws, strict=True):
        np.testing.assert_array_equal(first, second, err_msg=(
            "the same ember.manual_seed must give the same initial weights"))


@pytest.mark.parametrize("old", ["uniform", "normal", "constant", "xavier_uniform",
                                 "xavier_normal", "kaiming_uniform", "kaiming_normal",
                                 "orthogonal"])
def test_deprecated_names_warn(old):
    w = ember.empty(3, 4)
    args = (w, 0.5) if old == "constant" else (w,)
    message = f"`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`."
    with pytest.warns(FutureWarning, match=f"^{message}$".replace(".", r"\.")):
        out = getattr(init, old)(*args)
    assert out is w, f"nn.init.{old} must call nn.init.{old}_ and return the tensor"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(init, f"{old}_")(*args)  # the new name does not warn

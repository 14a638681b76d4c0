"""Stage 07 · hidden: ``nn.init`` and the random tensor methods, edge cases and statistics.

Oracles: hand-derived fans and gains; the distributions' own statistics (sample mean and
standard deviation within 6 σ/√n, bounds of uniform draws reached to within b/1000);
exact structure for eye/dirac/orthogonal/sparse; PyTorch's messages and warnings.
"""

import math
import warnings

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_sample_stats
from ember import nn
from ember.nn import init

N = 200_000


def uniform_ok(t, bound, what):
    x = t.detach().numpy().astype(np.float64)
    assert -bound <= x.min() < -0.999 * bound and 0.999 * bound < x.max() <= bound, (
        f"{what}: values span [{x.min():.5f}, {x.max():.5f}], expected ±{bound:.5f}")
    assert_sample_stats(t, 0.0, bound / math.sqrt(3), what)


# --------------------------------------------------------------------------- gain and fans
def test_gain_integer_slope_and_return_types():
    assert init.calculate_gain("leaky_relu", 2) == pytest.approx(math.sqrt(2 / 5)), (
        "an int negative slope is valid: sqrt(2 / (1 + 2**2))")
    assert init.calculate_gain("relu", 5.0) == pytest.approx(math.sqrt(2)), (
        "param is ignored for relu")
    with pytest.raises(ValueError, match="^Unsupported nonlinearity Relu$"):
        init.calculate_gain("Relu")  # names are case-sensitive
    with pytest.raises(ValueError, match=r"^negative_slope \[0\.1\] not a valid number$"):
        init.calculate_gain("leaky_relu", [0.1])


def test_fans_of_transposed_and_large_kernels():
    w = ember.empty(3, 7, 2, 4, 5)
    assert tuple(init._calculate_fan_in_and_fan_out(w)) == (280, 120), (
        "5-D weight (3, 7, 2, 4, 5): fan_in = 7*40, fan_out = 3*40")
    assert tuple(init._calculate_fan_in_and_fan_out(ember.empty(1, 1))) == (1, 1)
    assert init._calculate_correct_fan(ember.empty(6, 2, 3), "Fan_In") == 6


def test_fan_errors_through_the_inits():
    message = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
    for fn in (init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
               init.kaiming_normal_):
        with pytest.raises(ValueError, match=message):
            fn(ember.empty(10))
    with pytest.raises(ValueError, match="^Mode fan_avg not supported"):
        init.kaiming_normal_(ember.empty(3, 3), mode="fan_avg")


# --------------------------------------------------------------------------- distributions
def test_uniform_normal_float64_and_returns_same_object():
    t = ember.empty(500, 400, dtype=ember.float64)
    assert init.uniform_(t, a=-0.5, b=0.5) is t
    uniform_ok(t, 0.5, "uniform_(a=-0.5, b=0.5) float64")
    assert t.dtype is ember.float64, "init.uniform_ keeps float64"
    assert init.normal_(t, 0.0, 0.0) is t and np.all(t.numpy() == 0.0), "std=0 gives the mean"


def test_xavier_uniform_conv_with_gain():
    w = ember.empty(32, 16, 3, 3)  # fan_in 144, fan_out 288
    gain = init.calculate_gain("tanh")
    init.xavier_uniform_(w, gain=gain)
    x = w.numpy()
    bound = gain * math.sqrt(6.0 / 432)
    assert np.abs(x).max() <= bound and np.abs(x).max() > 0.99 * bound, (
        f"xavier_uniform_(gain=5/3) of a conv weight: max |w| {np.abs(x).max():.4f}, "
        f"bound {bound:.4f}")
    w = ember.empty(300, 700)
    init.xavier_normal_(w)
    assert_sample_stats(w, 0.0, math.sqrt(2.0 / 1000), "xavier_normal_ (300, 700)")


def test_xavier_is_symmetric_in_the_fans():
    a, b = ember.empty(200, 1000), ember.empty(1000, 200)
    init.xavier_normal_(a)
    init.xavier_normal_(b)
    assert_sample_stats(b, 0.0, float(a.numpy().std()), "xavier_normal_ of the transposed shape")


def test_kaiming_uniform_leaky_slope_and_fan_out_conv():
    w = ember.empty(64, 32, 3, 3)  # fan_in 288, fan_out 576
    init.kaiming_uniform_(w, a=0.5, mode="fan_out")
    uniform_ok(w, math.sqrt(2 / 1.25) * math.sqrt(3 / 576),
               "kaiming_uniform_(a=0.5, mode='fan_out') of a conv weight")
    init.kaiming_uniform_(w, nonlinearity="tanh")
    uniform_ok(w, 5 / 3 * math.sqrt(3 / 288), "kaiming_uniform_(nonlinearity='tanh')")


def test_kaiming_normal_default_and_selu():
    w = ember.empty(256, 800)
    init.kaiming_normal_(w)
    assert_sample_stats(w, 0.0, math.sqrt(2 / (1 + 0.01**2)) / math.sqrt(800),
                        "kaiming_normal_ default")
    init.kaiming_normal_(w, nonlinearity="selu", mode="fan_out")
    assert_sample_stats(w, 0.0, 0.75 / math.sqrt(256), "kaiming_normal_(selu, fan_out)")


def test_kaiming_zero_element_tensor_warns():
    for fn in (init.kaiming_uniform_, init.kaiming_normal_):
        t = ember.empty(0, 4)
        with pytest.warns(UserWarning, match="^Initializing zero-element tensors is a no-op$"):
            out = fn(t)
        assert out is t and tuple(t.shape) == (0, 4)


def test_linear_default_bound_is_kaiming_with_sqrt5():
    w = ember.empty(300, 250)
    init.kaiming_uniform_(w, a=math.sqrt(5))
    uniform_ok(w, 1 / math.sqrt(250), "kaiming_uniform_(a=sqrt(5)) = U(±1/sqrt(fan_in))")


def test_trunc_normal_tail_interval():
    t = ember.empty(N)
    init.trunc_normal_(t, mean=0.0, std=1.0, a=2.0, b=3.0)  # only 2% of the mass
    x = t.numpy()
    assert x.min() >= 2.0 and x.max() <= 3.0, "trunc_normal_ values must lie in [a, b]"
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(3) - cdf(2)
    mean = (phi(2) - phi(3)) / z
    var = 1 + (2 * phi(2) - 3 * phi(3)) / z - mean**2
    assert_sample_stats(t, mean, math.sqrt(var), "trunc_normal_(a=2, b=3) (a tail of N(0, 1))")


def test_trunc_normal_defaults_and_warning():
    t = ember.empty(N)
    init.trunc_normal_(t)
    x = t.numpy()
    assert x.min() >= -2 and x.max() <= 2, "trunc_normal_ defaults: a=-2, b=2"
    var = 1 - 4 * math.exp(-2) / math.sqrt(2 * math.pi) / math.erf(2 / math.sqrt(2))
    assert_sample_stats(t, 0.0, math.sqrt(var), "trunc_normal_() (N(0, 1) cut to [-2, 2])")
    with pytest.warns(UserWarning, match="^mean is more than 2 std from \\[a, b\\] in "
                                         "nn.init.trunc_normal_. The distribution of values "
                                         "may be incorrect.$"):
        init.trunc_normal_(ember.empty(100), mean=10.0)


def test_trunc_normal_on_a_parameter():
    w = nn.Parameter(ember.empty(50, 40))
    assert init.trunc_normal_(w, std=0.02) is w
    assert w.requires_grad and w.grad_fn is None and np.abs(w.detach().numpy()).max() <= 2


# --------------------------------------------------------------------------- structure
def test_eye_of_a_tall_matrix_and_errors():
    w = nn.Parameter(ember.empty(4, 2))
    assert init.eye_(w) is w and w.requires_grad
    np.testing.assert_array_equal(w.detach().numpy(), np.eye(4, 2))
    with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
        init.eye_(ember.empty(4))


def test_dirac_groups_and_dimensions():
    w = init.dirac_(ember.empty(6, 2, 3), groups=3)  # a 1-D convolution, 3 groups of 2
    want = np.zeros((6, 2, 3), np.float32)
    for g in range(3):
        for d in range(2):
            want[2 * g + d, d, 1] = 1
    np.testing.assert_array_equal(w.numpy(), want, err_msg="dirac_(groups=3) of (6, 2, 3)")
    v = init.dirac_(ember.ones(2, 4, 3, 3, 3))  # more inputs than outputs
    want = np.zeros((2, 4, 3, 3, 3), np.float32)
    want[0, 0, 1, 1, 1] = want[1, 1, 1, 1, 1] = 1
    np.testing.assert_array_equal(v.numpy(), want, err_msg="dirac_ of (2, 4, 3, 3, 3)")
    with pytest.raises(ValueError, match="^Only tensors with 3, 4, or 5 dimensions are "):
        init.dirac_(ember.empty(3, 3))
    with pytest.raises(ValueError, match="^dim 0 must be divisible by groups$"):
        init.dirac_(ember.empty(5, 2, 3, 3), groups=2)


def test_dirac_convolution_is_the_identity():
    w = init.dirac_(ember.empty(3, 3, 5, 5))
    x = np.random.default_rng(0).normal(size=(3, 9, 9))
    kernel = w.numpy()
    out = np.einsum("oikl,ikl->o", kernel, x[:, 2:7, 2:7])
    np.testing.assert_allclose(out, x[:, 4, 4], err_msg="a Dirac kernel copies the centre")


def test_orthogonal_sign_correction_makes_it_uniform():
    # Haar-uniform orthogonal matrices have entries symmetric about 0. QR alone (without
    # multiplying Q's columns by sign(diag(R))) tilts the diagonal to one sign.
    ember.manual_seed(11)
    diag = np.concatenate([np.diag(init.orthogonal_(ember.empty(8, 8)).numpy())
                           for _ in range(200)])
    share = float(np.mean(diag > 0))
    assert abs(share - 0.5) < 6 * 0.5 / math.sqrt(diag.size), (
        f"{share:.1%} of the diagonal entries are positive, expected about half: multiply "
        "the columns of Q by the signs of R's diagonal")


def test_orthogonal_float64_gain_and_errors():
    w = init.orthogonal_(ember.empty(3, 7, dtype=ember.float64), gain=0.5)
    m = w.numpy()
    np.testing.assert_allclose(m @ m.T, 0.25 * np.eye(3), atol=1e-12)
    assert w.dtype is ember.float64
    with pytest.raises(ValueError, match="^Only tensors with 2 or more dimensions are "):
        init.orthogonal_(ember.empty(5))


def test_sparse():
    w = ember.empty(20, 30)
    assert init.sparse_(w, sparsity=0.25, std=0.5) is w
    x = w.numpy()
    np.testing.assert_array_equal((x == 0).sum(axis=0), np.full(30, 5), err_msg=(
        "sparse_(sparsity=0.25) on 20 rows: ceil(0.25 * 20) = 5 zeros in every column"))
    with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
        init.sparse_(ember.empty(3, 3, 3), 0.1)


# --------------------------------------------------------------------------- seeding, aliases
def test_generator_argument():
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    a = init.xavier_uniform_(ember.empty(4, 4), generator=g1).numpy()
    b = init.xavier_uniform_(ember.empty(4, 4), generator=g2).numpy()
    np.testing.assert_array_equal(a, b, err_msg="equal generators must give equal weights")
    ember.manual_seed(3)
    first = ember.empty(5).normal_(generator=np.random.default_rng(1)).numpy()
    after = ember.empty(5).normal_().numpy()
    ember.manual_seed(3)
    np.testing.assert_array_equal(after, ember.empty(5).normal_().numpy(), err_msg=(
        "drawing from a given generator must not consume ember's global one"))
    assert not np.array_equal(first, after)


def test_every_random_init_follows_manual_seed():
    fns = [lambda w: init.uniform_(w), lambda w: init.normal_(w),
           lambda w: init.trunc_normal_(w), lambda w: init.kaiming_normal_(w),
           lambda w: init.xavier_uniform_(w), lambda w: init.sparse_(w, 0.5)]
    for i, fn in enumerate(fns):
        ember.manual_seed(99)
        a = fn(ember.empty(6, 5)).numpy().copy()
        ember.manual_seed(99)
        np.testing.assert_array_equal(a, fn(ember.empty(6, 5)).numpy(),
                                      err_msg=f"init function #{i} is not reproducible")


@pytest.mark.parametrize("old, args", [("eye", ()), ("dirac", ()), ("sparse", (0.5,))])
def test_more_deprecated_names(old, args):
    w = ember.empty(4, 4, 3) if old == "dirac" else ember.empty(4, 4)
    with pytest.warns(FutureWarning) as record:
        out = getattr(init, old)(w, *args)
    assert str(record[0].message) == (
        f"`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`.")
    assert out is w


def test_deprecated_alias_points_at_the_caller():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        init.normal(ember.empty(3))
    assert record and record[0].filename == __file__, (
        "warn with stacklevel=2 so the warning names the caller's line")


# --------------------------------------------------------------------------- tensor methods
def test_methods_on_float16_and_nonleaf_graph():
    h = ember.zeros(1000, dtype=ember.float16).uniform_(-1, 1)
    assert h.dtype is ember.float16 and float(h.abs().max()) <= 1.0
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    y.normal_()
    assert type(y.grad_fn).__name__ == "NormalBackward0", (
        f"y.normal_() on a recorded tensor: grad_fn {type(y.grad_fn).__name__}, "
        "expected NormalBackward0")
    (y * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3), err_msg=(
        "values overwritten by normal_ no longer depend on x: x.grad must be 0"))


def test_uniform_degenerate_interval_and_mean():
    t = ember.empty(10).uniform_(2.5, 2.5)
    np.testing.assert_allclose(t.numpy(), 2.5, err_msg="uniform_(2.5, 2.5) gives 2.5")
    t = ember.empty(N).uniform_(10.0, 12.0)
    assert_sample_stats(t, 11.0, 2 / math.sqrt(12), "uniform_(10, 12)")


def bounded_uniform_ok(t, bound, what):
    """U(-bound, bound) on a few hundred values: inside, reaching 90% of the bound, flat."""
    x = np.abs(t.detach().numpy().astype(np.float64))
    assert x.max() <= bound and x.max() > 0.9 * bound, (
        f"{what}: max |value| {x.max():.5f}, expected just under {bound:.5f}")
    assert_sample_stats(t, 0.0, bound / math.sqrt(3), what)


def test_default_layer_init_is_kaiming_uniform_sqrt5():
    gain = init.calculate_gain("leaky_relu", math.sqrt(5))
    for layer, what in [(nn.Linear(300, 400), "Linear(300, 400)"),
                        (nn.Conv2d(16, 48, 5), "Conv2d(16, 48, 5)")]:
        fan_in = init._calculate_correct_fan(layer.weight, "fan_in")
        bound = gain * math.sqrt(3.0 / fan_in)  # = 1 / sqrt(fan_in)
        bounded_uniform_ok(layer.weight, bound, f"{what}.weight (PyTorch's default init)")
        bounded_uniform_ok(layer.bias, 1 / math.sqrt(fan_in), f"{what}.bias")


def test_initialise_by_layer_type_with_apply():
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 36, 10))

    def initialise(module):
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            init.xavier_uniform_(module.weight, gain=init.calculate_gain("relu"))
            init.zeros_(module.bias)

    assert model.apply(initialise) is model
    linear = model[3]
    bound = math.sqrt(2) * math.sqrt(6 / (8 * 36 + 10))
    x = np.abs(linear.weight.detach().numpy())
    assert x.max() <= bound and x.max() > 0.9 * bound, "xavier_uniform_ through model.apply"
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            assert np.all(m.bias.detach().numpy() == 0), "zeros_ through model.apply"
            assert m.weight.requires_grad and m.weight.is_leaf

"""Stage 04 · linear_conv: ``Linear``, ``Conv2d``, ``Flatten``, ``Identity``, ``Embedding``.

Oracles: NumPy formulas (``x @ W.T + b``), a convolution written as plain loops over every
output pixel (slow but obviously right: a cross-correlation, the kernel is not flipped),
float64 central differences with random upstream gradients for every backward pass, and
PyTorch's documented defaults, reprs and error messages (``ember`` replaces ``torch``).
"""

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F  # noqa: N812 - PyTorch's convention
from autograder.suites.helpers import assert_tensor, check_grad, grad_of

RNG = np.random.default_rng(4)


def conv2d_loops(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """The definition: out[n, o, p, q] = b[o] + Σ w[o, c, i, j] x[n, c, p·s + i·d, q·s + j·d]."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for b_ in range(n):
        for oc in range(o):
            g = oc // per_group
            for p in range(oh):
                for q in range(ow):
                    patch = xp[b_, g * cg:(g + 1) * cg,
                               p * sh:p * sh + dh * (kh - 1) + 1:dh,
                               q * sw:q * sw + dw * (kw - 1) + 1:dw]
                    out[b_, oc, p, q] = (patch * w[oc]).sum() + (0 if b is None else b[oc])
    return out


# ------------------------------------------------------------------------------ Linear
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear_computes_x_times_w_transposed_plus_b(shape):
    x, w, b = RNG.standard_normal(shape), RNG.standard_normal((4, 3)), RNG.standard_normal(4)
    out = F.linear(ember.tensor(x), ember.tensor(w), ember.tensor(b))
    assert_tensor(out, x @ w.T + b, ember.float64, what=f"F.linear on input {shape}")
    out = F.linear(ember.tensor(x), ember.tensor(w))
    assert_tensor(out, x @ w.T, ember.float64, what=f"F.linear without bias on input {shape}")


@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3)])
def test_linear_backward(shape):
    check_grad(F.linear, shape, (4, 3), (4,), what=f"F.linear(x{shape}, W(4, 3), b(4))")
    check_grad(F.linear, shape, (2, 3), what=f"F.linear(x{shape}, W(2, 3)) without bias")


def test_linear_layer_parameters_and_default_init():
    ember.manual_seed(0)
    layer = ember.nn.Linear(400, 300)
    assert tuple(layer.weight.shape) == (300, 400) and tuple(layer.bias.shape) == (300,), (
        "Linear(in, out) stores weight as (out_features, in_features) and bias as (out,)")
    assert isinstance(layer.weight, ember.nn.Parameter) and layer.weight.requires_grad
    bound = 1 / math.sqrt(400)
    for name in ("weight", "bias"):
        values = getattr(layer, name).detach().numpy()
        assert values.dtype == np.float32, f"{name} must be float32, got {values.dtype}"
        assert np.abs(values).max() <= bound, (
            f"{name}: PyTorch's default init draws from U(-1/sqrt(in_features), "
            f"1/sqrt(in_features)) = U(-{bound:.4f}, {bound:.4f}); got |max| "
            f"{np.abs(values).max():.4f}")
        assert np.abs(values).max() > 0.9 * bound and abs(values.mean()) < 0.1 * bound, (
            f"{name}: the values must fill the whole interval, centred on 0")
    assert abs(layer.weight.detach().numpy().std() - bound / math.sqrt(3)) < 0.05 * bound, (
        "U(-b, b) has standard deviation b/sqrt(3)")
    names = [n for n, _ in layer.named_parameters()]
    assert names == ["weight", "bias"], f"named_parameters of Linear: {names}"


def test_linear_layer_forward_repr_and_no_bias():
    layer = ember.nn.Linear(64, 128)
    assert layer.extra_repr() == "in_features=64, out_features=128, bias=True"
    x = RNG.standard_normal((8, 64)).astype(np.float32)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert_tensor(layer(ember.tensor(x)).detach(), x @ w.T + b, ember.float32, rtol=1e-5, atol=1e-5,
                  what="Linear(64, 128)(x)")
    plain = ember.nn.Linear(3, 2, bias=False)
    assert plain.bias is None, "bias=False must leave the attribute bias = None"
    assert len(list(plain.parameters())) == 1, "Linear(bias=False) has one parameter"
    assert plain.extra_repr() == "in_features=3, out_features=2, bias=False"


def test_linear_shape_mismatch_message():
    layer = ember.nn.Linear(4, 5)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(4x3 and 4x5\)"):
        layer(ember.ones(4, 3))


def test_a_layer_used_twice_accumulates_both_gradients():
    layer = ember.nn.Linear(3, 3)
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    w = layer.weight.detach().numpy().astype(np.float64)
    h = ember.tensor(x)
    out = layer(layer(h))  # the same weights twice: y = W(Wx + b) + b
    out.sum().backward()
    first = x @ w.T + layer.bias.detach().numpy()
    g = np.ones((2, 3))
    want_w = g.T @ first + (g @ w).T @ x  # outer use + inner use
    np.testing.assert_allclose(grad_of(layer.weight, "weight"), want_w, rtol=1e-4, atol=1e-5,
                               err_msg="a layer called twice shares its weight: the gradients "
                                       "of both uses must add up in weight.grad")
    np.testing.assert_allclose(grad_of(layer.bias, "bias"), g.sum(0) + (g @ w).sum(0),
                               rtol=1e-4, atol=1e-5, err_msg="bias used twice")


# ------------------------------------------------------------------------------ Conv2d
CONV_CASES = [
    dict(),
    dict(padding=1),
    dict(stride=2),
    dict(stride=(2, 1), padding=(1, 2)),
    dict(dilation=2, padding=1),
    dict(groups=2, padding=1),
]


@pytest.mark.parametrize("kw", CONV_CASES, ids=str)
def test_conv2d_forward_matches_the_loop_definition(kw):
    x = RNG.standard_normal((2, 4, 7, 6))
    w = RNG.standard_normal((6, 4 // kw.get("groups", 1), 3, 2))
    b = RNG.standard_normal(6)
    out = F.conv2d(ember.tensor(x), ember.tensor(w), ember.tensor(b), **kw)
    assert_tensor(out, conv2d_loops(x, w, b, **kw), ember.float64, rtol=1e-10, atol=1e-10,
                  what=f"conv2d {kw}")


def test_conv2d_is_a_cross_correlation_not_a_flipped_convolution():
    x = ember.arange(16.0).reshape(1, 1, 4, 4)
    w = ember.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])  # picks the top-left of each window
    assert_tensor(F.conv2d(x, w), np.arange(16.0).reshape(4, 4)[:3, :3][None, None],
                  ember.float32, what="a kernel with a single 1 at (0, 0)")


@pytest.mark.parametrize("kw", CONV_CASES, ids=str)
def test_conv2d_backward(kw):
    groups = kw.get("groups", 1)
    check_grad(lambda x, w, b: F.conv2d(x, w, b, **kw), (2, 4, 5, 6), (4, 4 // groups, 3, 2),
               (4,), what=f"conv2d {kw}")


@pytest.mark.parametrize("kernel", [(3, 3), (2, 4)])
def test_conv2d_same_and_valid_padding(kernel):
    x = RNG.standard_normal((1, 2, 6, 7))
    w = RNG.standard_normal((3, 2, *kernel))
    same = F.conv2d(ember.tensor(x), ember.tensor(w), padding="same")
    assert tuple(same.shape) == (1, 3, 6, 7), "padding='same' keeps the input's size"
    # PyTorch pads (k - 1) // 2 before and the rest after.
    before = [(k - 1) // 2 for k in kernel]
    after = [k - 1 - p for k, p in zip(kernel, before, strict=True)]
    padded = np.pad(x, ((0, 0), (0, 0), (before[0], after[0]), (before[1], after[1])))
    assert_tensor(same, conv2d_loops(padded, w), ember.float64, rtol=1e-10, atol=1e-10,
                  what=f"padding='same' with kernel {kernel}")
    valid = F.conv2d(ember.tensor(x), ember.tensor(w), padding="valid")
    assert_tensor(valid, conv2d_loops(x, w), ember.float64, rtol=1e-10, atol=1e-10,
                  what="padding='valid' means no padding")
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv2d(ember.tensor(x), ember.tensor(w), padding="same", stride=2)


def test_conv2d_unbatched_input():
    x, w = RNG.standard_normal((2, 5, 5)), RNG.standard_normal((3, 2, 3, 3))
    out = F.conv2d(ember.tensor(x), ember.tensor(w), padding=1)
    assert_tensor(out, conv2d_loops(x[None], w, padding=1)[0], ember.float64, rtol=1e-10,
                  atol=1e-10, what="a (C, H, W) input gives a (O, OH, OW) output")
    check_grad(lambda x, w: F.conv2d(x, w, stride=2), (2, 5, 5), (3, 2, 3, 3),
               what="unbatched conv2d")


def test_conv2d_channel_mismatch_message():
    conv = ember.nn.Conv2d(3, 16, 3)
    with pytest.raises(RuntimeError) as info:
        conv(ember.ones(64, 1, 8, 8))
    assert str(info.value) == (
        "Given groups=1, weight of size [16, 3, 3, 3], expected input[64, 1, 8, 8] to have "
        "3 channels, but got 1 channels instead"), f"PyTorch's message, got: {info.value}"


def test_conv2d_layer_init_repr_and_shapes():
    ember.manual_seed(1)
    conv = ember.nn.Conv2d(8, 32, 3, padding=1)
    assert tuple(conv.weight.shape) == (32, 8, 3, 3) and tuple(conv.bias.shape) == (32,)
    bound = 1 / math.sqrt(8 * 3 * 3)
    values = conv.weight.detach().numpy()
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound, (
        f"Conv2d's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = "
        f"in_channels/groups * kh * kw = 72, i.e. bound {bound:.4f}")
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    assert conv.extra_repr() == "8, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)"
    assert ember.nn.Conv2d(1, 16, 3).extra_repr() == "1, 16, kernel_size=(3, 3), stride=(1, 1)"
    assert tuple(conv(ember.zeros(2, 8, 5, 5)).shape) == (2, 32, 5, 5)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        ember.nn.Conv2d(3, 4, 3, groups=2)


# ------------------------------------------------------------ Flatten, Identity, Embedding
def test_flatten_and_identity():
    x = ember.tensor(RNG.standard_normal((2, 3, 4, 5)))
    assert tuple(ember.nn.Flatten()(x).shape) == (2, 60), "Flatten() keeps the batch dim"
    assert tuple(ember.nn.Flatten(0, 2)(x).shape) == (24, 5)
    assert ember.nn.Flatten().extra_repr() == "start_dim=1, end_dim=-1"
    assert ember.nn.Identity(3, unused=True)(x) is x, "Identity returns its input itself"
    check_grad(lambda t: ember.nn.Flatten()(t), (2, 3, 2), what="Flatten")


def test_embedding_lookup_and_gradient_of_repeated_indices():
    weight = RNG.standard_normal((5, 3))
    idx = np.array([[1, 2, 1], [4, 1, 0]])
    out = F.embedding(ember.tensor(idx), ember.tensor(weight))
    assert_tensor(out, weight[idx], ember.float64, what="F.embedding = weight[input]")
    w = ember.tensor(weight, requires_grad=True)
    g = RNG.standard_normal((2, 3, 3))
    F.embedding(ember.tensor(idx), w).backward(ember.tensor(g))
    want = np.zeros((5, 3))
    np.add.at(want, idx.reshape(-1), g.reshape(-1, 3))
    np.testing.assert_allclose(grad_of(w, "weight"), want, rtol=1e-12, err_msg=(
        "row r of the gradient is the sum of the upstream rows of every position that looked "
        "up r (index 1 is used three times)"))


def test_embedding_layer_padding_idx():
    ember.manual_seed(0)
    table = ember.nn.Embedding(10, 3, padding_idx=0)
    assert table.extra_repr() == "10, 3, padding_idx=0"
    w = table.weight.detach().numpy()
    assert (w[0] == 0).all(), "the padding_idx row starts at zero"
    assert w[1:].std() > 0.5, "the other rows are drawn from N(0, 1)"
    table(ember.tensor([[0, 2, 0]])).sum().backward()
    grad = grad_of(table.weight, "weight")
    assert (grad[0] == 0).all(), "the padding_idx row receives no gradient"
    np.testing.assert_allclose(grad[2], np.ones(3), err_msg="row 2 was looked up once")

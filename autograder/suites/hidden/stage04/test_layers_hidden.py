"""Stage 04 · hidden tests for the layers: edge cases, other dtypes and shapes, errors.

Oracles as in the public ``linear_conv`` and ``pooling`` suites: NumPy loop definitions,
float64 central differences, hand-derived values and PyTorch's messages and reprs.
"""

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F  # noqa: N812 - PyTorch's convention
from autograder.suites.helpers import assert_tensor, check_grad, grad_of

RNG = np.random.default_rng(404)


def conv2d_loops(x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1):
    """Cross-correlation by definition; ``pads`` = (top, bottom, left, right)."""
    xp = np.pad(x, ((0, 0), (0, 0), pads[:2], pads[2:]))
    o, cg, kh, kw = w.shape
    oh = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((x.shape[0], o, oh, ow))
    for oc in range(o):
        g = oc // (o // groups)
        for p in range(oh):
            for q in range(ow):
                top, left = p * stride[0], q * stride[1]
                patch = xp[:, g * cg:(g + 1) * cg,
                           top:top + dilation[0] * (kh - 1) + 1:dilation[0],
                           left:left + dilation[1] * (kw - 1) + 1:dilation[1]]
                out[:, oc, p, q] = (patch * w[oc]).sum(axis=(1, 2, 3))
        out[:, oc] += 0 if b is None else b[oc]
    return out


# ------------------------------------------------------------------------------ conv2d
def test_conv2d_same_padding_with_dilation_and_groups():
    x, w = RNG.standard_normal((2, 4, 6, 7)), RNG.standard_normal((6, 2, 3, 2))
    out = F.conv2d(ember.tensor(x), ember.tensor(w), padding="same", dilation=(2, 1), groups=2)
    # total padding dilation·(k - 1): rows 4 → (2, 2), columns 1 → (0, 1)
    want = conv2d_loops(x, w, pads=(2, 2, 0, 1), dilation=(2, 1), groups=2)
    assert_tensor(out, want, ember.float64, rtol=1e-10, atol=1e-10,
                  what="padding='same', dilation (2, 1), groups 2")


@pytest.mark.parametrize("kw", [dict(stride=(1, 2), dilation=(1, 2)), dict(groups=4),
                                dict(stride=3, padding=2), dict(padding=(0, 1), dilation=2)],
                         ids=str)
def test_conv2d_backward_more_geometries(kw):
    groups = kw.get("groups", 1)
    check_grad(lambda x, w, b: F.conv2d(x, w, b, **kw), (2, 4, 7, 6), (4, 4 // groups, 2, 3),
               (4,), what=f"conv2d {kw}")


def test_conv2d_float32_values_and_gradient_dtypes():
    x = RNG.standard_normal((3, 2, 5, 5)).astype(np.float32)
    conv = ember.nn.Conv2d(2, 3, 3, stride=2, padding=1)
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    xt = ember.tensor(x, requires_grad=True)
    out = conv(xt)
    assert out.dtype == ember.float32, "float32 in, float32 out"
    assert_tensor(out.detach(), conv2d_loops(x.astype(np.float64), w, b, stride=(2, 2),
                                             pads=(1, 1, 1, 1)),
                  ember.float32, rtol=1e-5, atol=1e-5, what="Conv2d(2, 3, 3, stride=2, pad 1)")
    out.sum().backward()
    for name, t in (("x", xt), ("weight", conv.weight), ("bias", conv.bias)):
        assert t.grad is not None and t.grad.dtype == ember.float32, f"{name}.grad: float32"
    np.testing.assert_allclose(grad_of(conv.bias, "bias"), np.full(3, 27.0), err_msg=(
        "d(sum)/d(bias) counts the output pixels of each channel: 3 images × 3 × 3"))


def test_conv2d_only_the_inputs_that_require_grad_get_one():
    x = ember.tensor(RNG.standard_normal((1, 2, 4, 4)), requires_grad=True)
    w = ember.tensor(RNG.standard_normal((3, 2, 3, 3)))
    F.conv2d(x, w).sum().backward()
    assert x.grad is not None and w.grad is None
    assert tuple(x.grad.shape) == (1, 2, 4, 4)


def test_conv2d_argument_errors():
    conv = ember.nn.Conv2d(3, 4, 3)
    x = ember.ones(1, 3, 8, 8)
    cases = [
        (dict(padding=-1), "negative padding is not supported"),
        (dict(padding="full"), "Invalid padding string: 'full'"),
        (dict(stride=0), "non-positive stride is not supported"),
    ]
    assert tuple(conv(x).shape) == (1, 4, 6, 6)
    for kw, text in cases:
        with pytest.raises(RuntimeError) as info:
            F.conv2d(x, conv.weight, conv.bias, **kw)
        assert str(info.value) == text, f"conv2d {kw}: {info.value}"
    with pytest.raises(RuntimeError) as info:
        conv(ember.ones(1, 3, 2, 2))
    assert str(info.value) == ("Calculated padded input size per channel: (2 x 2). Kernel "
                               "size: (3 x 3). Kernel size can't be greater than actual input "
                               "size")
    with pytest.raises(RuntimeError) as info:
        F.conv2d(x, conv.weight, ember.zeros(3))
    assert str(info.value) == ("Given weight of size [4, 3, 3, 3], expected bias to be "
                               "1-dimensional with 4 elements, but got bias of size [3] instead")
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input "
                                           r"to conv2d, but got input of size: \[3, 8\]"):
        conv(ember.ones(3, 8))


def test_conv2d_group_channel_mismatch_message():
    conv = ember.nn.Conv2d(4, 6, 3, groups=2)
    with pytest.raises(RuntimeError) as info:
        conv(ember.ones(2, 3, 5, 5))
    assert str(info.value) == ("Given groups=2, weight of size [6, 2, 3, 3], expected "
                               "input[2, 3, 5, 5] to have 4 channels, but got 3 channels "
                               "instead")


def test_conv2d_constructor_errors_and_reprs():
    assert ember.nn.Conv2d(2, 16, (3, 5), stride=2, dilation=2, groups=2,
                           bias=False).extra_repr() == (
        "2, 16, kernel_size=(3, 5), stride=(2, 2), dilation=(2, 2), groups=2, bias=False")
    assert ember.nn.Conv2d(1, 4, 3, padding="same").extra_repr() == (
        "1, 4, kernel_size=(3, 3), stride=(1, 1), padding=same")
    assert ember.nn.Conv2d(1, 4, 3, padding=(0, 0)).extra_repr() == (
        "1, 4, kernel_size=(3, 3), stride=(1, 1)")
    plain = ember.nn.Conv2d(2, 3, 1, bias=False)
    assert plain.bias is None and len(list(plain.parameters())) == 1
    for kw, text in ((dict(groups=3), "out_channels must be divisible by groups"),
                     (dict(groups=0), "groups must be a positive integer"),
                     (dict(padding="same", stride=2),
                      "padding='same' is not supported for strided convolutions")):
        with pytest.raises(ValueError) as info:
            ember.nn.Conv2d(6, 4, 3, **kw)
        assert str(info.value) == text


def test_conv2d_grouped_init_bound_uses_channels_per_group():
    ember.manual_seed(3)
    conv = ember.nn.Conv2d(8, 64, (3, 2), groups=4)
    assert tuple(conv.weight.shape) == (64, 2, 3, 2)
    bound = 1 / math.sqrt(2 * 3 * 2)
    values = conv.weight.detach().numpy()
    assert bound * 0.9 < np.abs(values).max() <= bound, (
        "fan_in = in_channels / groups · kh · kw = 12")


def test_a_small_cnn_learns():
    ember.manual_seed(0)

    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = ember.nn.Conv2d(1, 4, 3, padding=1)
            self.pool = ember.nn.MaxPool2d(2)
            self.flat = ember.nn.Flatten()
            self.fc = ember.nn.Linear(4 * 2 * 2, 2)

        def forward(self, x):
            return self.fc(self.flat(self.pool(self.conv(x).relu())))

    net = Net()
    x = ember.tensor(RNG.standard_normal((16, 1, 4, 4)).astype(np.float32))
    target = ember.tensor(RNG.standard_normal((16, 2)).astype(np.float32))
    opt = ember.optim.SGD(net.parameters(), lr=0.1)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = ((net(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0], f"training must reduce the loss: {losses[::10]}"


# ------------------------------------------------------------------------------ Linear
def test_linear_dtype_mismatch_and_3d_gradients():
    layer = ember.nn.Linear(3, 2)
    with pytest.raises(RuntimeError) as info:
        layer(ember.ones(4, 3, dtype=ember.float64))
    assert str(info.value) == "expected m1 and m2 to have the same dtype, but got: double != float"
    check_grad(F.linear, (2, 3, 4), (5, 4), (5,), what="linear on a 3-D input")
    check_grad(F.linear, (4,), (5, 4), (5,), what="linear on a 1-D input")


def test_linear_init_is_seeded():
    ember.manual_seed(7)
    a = ember.nn.Linear(5, 4).weight.detach().numpy().copy()
    ember.manual_seed(7)
    b = ember.nn.Linear(5, 4).weight.detach().numpy()
    np.testing.assert_array_equal(a, b, err_msg="the same seed gives the same initial weights")
    c = ember.nn.Linear(5, 4).weight.detach().numpy()
    assert not np.array_equal(b, c), "two layers get different weights"


# ------------------------------------------------------------------------------ pooling
def test_max_pool2d_ceil_mode_dilation_and_indices():
    x = RNG.standard_normal((1, 2, 5, 5))
    out = F.max_pool2d(ember.tensor(x), 2, ceil_mode=True)
    padded = np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)), constant_values=-np.inf)
    want = padded.reshape(1, 2, 3, 2, 3, 2).max(axis=(3, 5))
    assert_tensor(out, want, ember.float64, what="ceil_mode=True keeps the partial window")
    out = F.max_pool2d(ember.tensor(x), 2, stride=1, dilation=2)
    want = np.max([x[:, :, i:i + 3, j:j + 3] for i in (0, 2) for j in (0, 2)], axis=0)
    assert_tensor(out, want, ember.float64, what="dilation=2 spreads the window")
    values, indices = F.max_pool2d(ember.tensor(x), 2, return_indices=True)
    assert indices.dtype == ember.int64
    flat = x.reshape(1, 2, 25)
    np.testing.assert_array_equal(np.take_along_axis(flat, indices.numpy().reshape(1, 2, 4), 2),
                                  values.numpy().reshape(1, 2, 4),
                                  err_msg="return_indices: flat positions h·W + w in the input")
    check_grad(lambda t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True), (1, 2, 6, 6),
               what="max_pool2d ceil_mode")


def test_max_pool2d_unbatched_module_and_errors():
    pool = ember.nn.MaxPool2d(3, stride=2, padding=1)
    x = RNG.standard_normal((2, 5, 5))
    assert tuple(pool(ember.tensor(x)).shape) == (2, 3, 3), "(C, H, W) input"
    assert pool.extra_repr() == "kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False"
    with pytest.raises(RuntimeError) as info:
        F.max_pool2d(ember.ones(1, 1, 4, 4), 3, padding=2)
    assert str(info.value) == ("pad should be at most half of effective kernel size, but got "
                               "pad=2, kernel_size=3 and dilation=1")


def test_avg_pool2d_divisor_override_and_ceil_mode():
    x = RNG.standard_normal((2, 1, 5, 5))
    out = F.avg_pool2d(ember.tensor(x), 2, divisor_override=3)
    sums = x[:, :, :4, :4].reshape(2, 1, 2, 2, 2, 2).sum(axis=(3, 5))
    assert_tensor(out, sums / 3, ember.float64, rtol=1e-10, atol=1e-12,
                  what="divisor_override divides every window sum by it")
    out = F.avg_pool2d(ember.tensor(x), 2, ceil_mode=True)
    assert tuple(out.shape) == (2, 1, 3, 3)
    np.testing.assert_allclose(out.numpy()[:, :, 2, 2], x[:, :, 4, 4], rtol=1e-10, err_msg=(
        "ceil_mode: the last window holds one input value, and the cells beyond the input "
        "(not padding) do not count in the divisor"))
    check_grad(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False),
               (1, 2, 6, 5), what="avg_pool2d ceil_mode, count_include_pad=False")


def test_adaptive_avg_pool2d_none_and_upsampling():
    x = RNG.standard_normal((2, 3, 4))
    out = F.adaptive_avg_pool2d(ember.tensor(x), (None, 2))
    assert_tensor(out, x.reshape(2, 3, 2, 2).mean(axis=-1), ember.float64, rtol=1e-10,
                  what="None keeps that dimension")
    out = F.adaptive_avg_pool2d(ember.tensor(x), (5, 4))
    want = np.empty((2, 5, 4))
    for i in range(5):
        rows = slice(i * 3 // 5, math.ceil((i + 1) * 3 / 5))
        want[:, i] = x[:, rows].mean(axis=1)
    assert_tensor(out, want, ember.float64, rtol=1e-10, what="more output rows than input rows")
    check_grad(lambda t: F.adaptive_avg_pool2d(t, (5, 3)), (2, 3, 4), what="adaptive (5, 3)")
    assert ember.nn.AdaptiveAvgPool2d(3).extra_repr() == "output_size=3"


# ------------------------------------------------------------- Embedding, Dropout, Flatten
def test_embedding_errors_and_negative_padding_idx():
    table = ember.nn.Embedding(10, 3, padding_idx=-1)
    assert table.padding_idx == 9 and table.extra_repr() == "10, 3, padding_idx=9"
    assert tuple(table(ember.tensor(4)).shape) == (3,), "a 0-dim index gives one vector"
    with pytest.raises(IndexError, match="index out of range in self"):
        table(ember.tensor([1, 10]))
    with pytest.raises(RuntimeError) as info:
        table(ember.tensor([1.0]))
    assert str(info.value) == (
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
        "Long, Int; but got ember.FloatTensor instead (while checking arguments for embedding)")
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(5, 3, padding_idx=5)


def test_embedding_init_statistics_and_int32_indices():
    ember.manual_seed(2)
    table = ember.nn.Embedding(500, 40)
    w = table.weight.detach().numpy()
    assert abs(w.mean()) < 0.03 and abs(w.std() - 1) < 0.03, "N(0, 1) entries"
    out = table(ember.tensor([3, 3], dtype=ember.int32))
    out.sum().backward()
    np.testing.assert_allclose(grad_of(table.weight, "weight")[3], np.full(40, 2.0),
                               err_msg="row 3 looked up twice: gradient 2 per entry")


def test_dropout_edge_cases():
    x = ember.tensor(RNG.standard_normal(100))
    assert_tensor(F.dropout(x, 0.0), x.numpy(), ember.float64, what="p=0 keeps everything")
    assert_tensor(F.dropout(x, 1.0), np.zeros(100), ember.float64, what="p=1 drops everything")
    y = ember.ones(1000)
    out = F.dropout(y, 0.5, inplace=True)
    assert out is y and (y.numpy() == 0).any(), "inplace=True multiplies the input itself"
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got -0.1"):
        ember.nn.Dropout(-0.1)
    drop = ember.nn.Dropout(0.2, inplace=True)
    assert drop.extra_repr() == "p=0.2, inplace=True"
    drop.eval()
    z = ember.ones(5)
    assert drop(z) is z, "eval mode returns the input unchanged"


def test_flatten_negative_dims_and_unflatten():
    x = ember.tensor(RNG.standard_normal((2, 3, 4, 5)))
    assert tuple(ember.nn.Flatten(-3, -2)(x).shape) == (2, 12, 5)
    un = ember.nn.Unflatten(1, (3, 1))
    assert tuple(un(x).shape) == (2, 3, 1, 4, 5)
    assert tuple(ember.nn.Unflatten(2, (-1, 2))(x).shape) == (2, 3, 2, 2, 5)
    assert un.extra_repr() == "dim=1, unflattened_size=(3, 1)"
    with pytest.raises(RuntimeError, match=r"unflatten: Provided sizes \[2, 2\] don't multiply "
                                           r"up to the size of dim 1 \(3\) in the input tensor"):
        ember.nn.Unflatten(1, (2, 2))(x)
    check_grad(lambda t: ember.nn.Unflatten(0, (2, 2))(t), (4, 3), what="Unflatten")

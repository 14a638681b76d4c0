"""Stage-04 layers against torch: Linear, Conv2d, pools, Flatten, Identity, Embedding, Dropout.

Values and gradients (float64, random upstream gradients), node names, ``extra_repr``,
error messages and the statistics of the default initialisation.
"""

import math

import numpy as np
import pytest
import torch
from _oracle import check, grad_check, message

import ember

RNG = np.random.default_rng(4)


def _f(m):
    return m.nn.functional


def _randn(*shape):
    return RNG.standard_normal(shape)


# ----------------------------------------------------------------------------- linear
@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_values_and_grads(shape, bias):
    arrays = [_randn(*shape), _randn(5, 3)] + ([_randn(5)] if bias else [])
    grad_check(lambda m, *t: _f(m).linear(*t), arrays, "float64", where=f"linear {shape}: ")
    grad_check(lambda m, *t: _f(m).linear(*t), arrays, "float32", where=f"linear {shape}: ")


def test_linear_node_names():
    for bias, name in ((True, "AddmmBackward0"), (False, "MmBackward0")):
        x = ember.randn(4, 3, requires_grad=True)
        out = ember.nn.functional.linear(x, ember.randn(5, 3), ember.randn(5) if bias else None)
        assert out.grad_fn.name() == name


@pytest.mark.parametrize("call", [
    lambda m: _f(m).linear(m.ones(4, 3), m.ones(5, 4)),
    lambda m: _f(m).linear(m.ones(4, 3), m.ones(5, 3, dtype=m.float64)),
    lambda m: _f(m).linear(m.ones(4, 3), m.ones(5, 3), m.ones(4)),
])
def test_linear_errors(call):
    check(lambda: call(torch), lambda: call(ember), match=True)


# ----------------------------------------------------------------------------- conv2d
CONV_CASES = [
    # x shape, w shape, kwargs
    ((2, 3, 7, 6), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (4, 3, 3, 2), {"stride": 2, "padding": 1}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"stride": (2, 1), "padding": (0, 2)}),
    ((1, 2, 8, 8), (4, 2, 3, 3), {"dilation": 2, "padding": "same"}),
    ((1, 2, 8, 8), (4, 2, 2, 2), {"padding": "same"}),
    ((1, 2, 8, 8), (4, 2, 2, 3), {"padding": "valid", "dilation": (1, 2)}),
    ((2, 4, 6, 6), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((2, 4, 6, 6), (4, 1, 3, 3), {"groups": 4, "stride": 2}),
    ((3, 6, 5), (2, 3, 3, 3), {"padding": 1}),  # unbatched
    ((64, 1, 8, 8), (16, 1, 3, 3), {"padding": 1}),
]


@pytest.mark.parametrize(("xs", "ws", "kw"), CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_values_and_grads(xs, ws, kw, bias):
    arrays = [_randn(*xs), _randn(*ws)] + ([_randn(ws[0])] if bias else [])
    for dtype in ("float64", "float32"):
        grad_check(lambda m, *t: _f(m).conv2d(*t, **kw), arrays, dtype, where=f"conv2d {kw}: ")


def test_conv2d_node_name():
    out = ember.nn.functional.conv2d(ember.randn(1, 1, 4, 4), ember.randn(2, 1, 3, 3,
                                                                        requires_grad=True))
    assert out.grad_fn.name() == "ConvolutionBackward0"


@pytest.mark.parametrize("call", [
    lambda m: _f(m).conv2d(m.ones(64, 1, 8, 8), m.ones(16, 3, 3, 3)),
    lambda m: _f(m).conv2d(m.ones(2, 3), m.ones(16, 3, 3, 3)),
    lambda m: _f(m).conv2d(m.ones(3, 8, 8), m.ones(16, 3, 3, 3), padding="same", stride=2),
    lambda m: _f(m).conv2d(m.ones(3, 8, 8), m.ones(16, 3, 3, 3), padding="foo"),
    lambda m: _f(m).conv2d(m.ones(1, 3, 8, 8), m.ones(16, 3, 3, 3), padding=-1),
    lambda m: _f(m).conv2d(m.ones(1, 3, 2, 2), m.ones(16, 3, 3, 3)),
    lambda m: _f(m).conv2d(m.ones(1, 3, 8, 8), m.ones(16, 3, 3, 3), stride=0),
    lambda m: _f(m).conv2d(m.ones(1, 3, 8, 8), m.ones(16, 3, 3, 3), groups=2),
    lambda m: _f(m).conv2d(m.ones(1, 3, 8, 8), m.ones(16, 3, 3, 3), m.ones(3)),
    lambda m: _f(m).conv2d(m.ones(1, 4, 8, 8), m.ones(6, 2, 2, 2), groups=2,
                           stride=(1, 2, 3)),
    lambda m: _f(m).conv2d(m.ones(1, 4, 8, 8, dtype=m.float64), m.ones(6, 2, 2, 2),
                           groups=2),
    lambda m: _f(m).conv2d(m.ones(1, 4, 8, 8), m.ones(3, 2, 3, 3), groups=2),
])
def test_conv2d_errors(call):
    check(lambda: call(torch), lambda: call(ember), match=True)


# ----------------------------------------------------------------------------- modules
MODULES = [
    "Linear(64, 128)", "Linear(3, 2, bias=False)",
    "Conv2d(1, 16, 3, padding=1)", "Conv2d(1, 16, 3)",
    "Conv2d(2, 16, (3, 5), stride=2, dilation=2, groups=2, bias=False)",
    "Conv2d(1, 16, 3, padding='same')", "Conv2d(1, 16, 3, padding='valid')",
    "Conv2d(1, 16, 3, stride=(1, 1), padding=(0, 0), dilation=1)",
    "Conv2d(4, 4, (2, 3), padding=(1, 0))",
    "MaxPool2d(2)", "MaxPool2d(3, 2, 1, 2, True, True)", "MaxPool2d((2, 3), stride=(1, 2))",
    "AvgPool2d(2)", "AvgPool2d(3, 1, 1, True, False, 2)",
    "AdaptiveAvgPool2d((5, 7))", "AdaptiveAvgPool2d(3)", "AdaptiveAvgPool2d((None, 7))",
    "Flatten()", "Flatten(0, 2)", "Unflatten(1, (2, 5))", "Identity()", "Identity(3, foo=4)",
    "Embedding(10, 3)", "Embedding(10, 3, padding_idx=0)", "Embedding(10, 3, padding_idx=-1)",
    "Embedding(10, 3, max_norm=1.0, scale_grad_by_freq=True)", "Dropout()",
    "Dropout(0.2, True)",
]


@pytest.mark.parametrize("text", MODULES)
def test_extra_repr(text):
    mine = eval("ember.nn." + text)  # noqa: S307 - fixed strings above
    theirs = eval("torch.nn." + text)  # noqa: S307
    mine_extra = getattr(mine, "extra_repr", lambda: "")  # Module's default: ""
    assert mine_extra() == theirs.extra_repr()
    if type(mine).__repr__ is not ember.nn.Module.__repr__ or hasattr(ember.nn.Module,
                                                                      "_get_name"):
        assert repr(mine) == repr(theirs).replace("torch.", "ember.")


@pytest.mark.parametrize("text", [
    "Conv2d(3, 4, 3, groups=2)", "Conv2d(4, 3, 3, groups=2)", "Conv2d(4, 4, 3, groups=0)",
    "Conv2d(4, 4, 3, padding='same', stride=2)", "Dropout(1.5)", "Dropout(-0.1)",
    "Embedding(5, 3, padding_idx=5)", "Embedding(5, 3, padding_idx=-6)",
])
def test_module_construction_errors(text):
    check(lambda: eval("torch.nn." + text), lambda: eval("ember.nn." + text),  # noqa: S307
          match=True)


@pytest.mark.parametrize("text", ["Conv2d(4, 4, 3, padding='bad')",
                                  "Conv2d(4, 4, 3, padding_mode='bad')"])
def test_module_construction_errors_naming_a_set(text):
    # torch prints a Python set here, whose order changes from run to run
    with pytest.raises(ValueError) as theirs:
        eval("torch.nn." + text)  # noqa: S307
    with pytest.raises(ValueError) as mine:
        eval("ember.nn." + text)  # noqa: S307
    assert str(mine.value).split("{")[0] == str(theirs.value).split("{")[0]
    assert sorted(str(mine.value)) == sorted(str(theirs.value))


@pytest.mark.parametrize(("text", "fan_in"), [
    ("Linear(50, 40)", 50), ("Conv2d(6, 40, 3)", 54), ("Conv2d(6, 40, (3, 2), groups=2)", 18),
])
def test_default_init_statistics(text, fan_in):
    torch.manual_seed(0)
    ember.manual_seed(0)
    mine, theirs = eval("ember.nn." + text), eval("torch.nn." + text)  # noqa: S307
    bound = 1 / math.sqrt(fan_in)
    for name in ("weight", "bias"):
        w = getattr(mine, name).detach().numpy()
        t = getattr(theirs, name).detach().numpy()
        assert w.shape == t.shape and w.dtype == np.float32
        w, t = w.astype(np.float64), t.astype(np.float64)
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
        # U(-b, b) has standard deviation b/√3; compare both with it.
        for sample in (w, t):
            assert abs(sample.std() - bound / math.sqrt(3)) < 0.25 * bound / math.sqrt(3)


def test_embedding_init_statistics():
    mine, theirs = ember.nn.Embedding(400, 50, padding_idx=3), torch.nn.Embedding(400, 50,
                                                                               padding_idx=3)
    w, t = mine.weight.detach().numpy(), theirs.weight.detach().numpy()
    assert (w[3] == 0).all() and (t[3] == 0).all()
    assert abs(w.std() - 1) < 0.05 and abs(w.mean()) < 0.05


def test_conv2d_module_values():
    mine = ember.nn.Conv2d(4, 6, 3, padding=1, groups=2, stride=2)
    theirs = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2, stride=2)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(mine.weight.detach().numpy()))
        theirs.bias.copy_(torch.tensor(mine.bias.detach().numpy()))
    x = _randn(2, 4, 7, 7).astype(np.float32)
    np.testing.assert_allclose(mine(ember.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- pooling
POOL_CASES = [
    ((2, 3, 6, 6), (2,), {}),
    ((2, 3, 7, 6), (3,), {"stride": 2, "padding": 1}),
    ((2, 3, 7, 6), ((3, 2),), {"stride": (2, 1), "padding": (1, 0)}),
    ((1, 2, 5, 5), (2,), {"ceil_mode": True}),
    ((1, 2, 7, 7), (3,), {"stride": 2, "padding": 1, "ceil_mode": True}),
    ((3, 6, 5), (2,), {"stride": 1}),  # unbatched
]


@pytest.mark.parametrize(("xs", "args", "kw"), POOL_CASES)
def test_max_pool2d(xs, args, kw):
    arrays = [_randn(*xs)]
    grad_check(lambda m, x: _f(m).max_pool2d(x, *args, **kw), arrays, "float64")
    for dilation in (1, 2):
        check(lambda m=torch, d=dilation: _f(m).max_pool2d(
                  m.tensor(arrays[0]), *args, **kw, dilation=d, return_indices=True),
              lambda m=ember, d=dilation: _f(m).max_pool2d(
                  m.tensor(arrays[0]), *args, **kw, dilation=d, return_indices=True))


def test_max_pool2d_ties_route_to_the_first_maximum():
    x = np.zeros((1, 1, 4, 4))
    grad_check(lambda m, t: _f(m).max_pool2d(t, 2, stride=1), [x], "float64")
    grad_check(lambda m, t: _f(m).max_pool2d(t, 3, stride=1, padding=1), [x], "float64")


def test_max_pool2d_node_name():
    x = ember.randn(1, 1, 4, 4, requires_grad=True)
    assert ember.nn.functional.max_pool2d(x, 2).grad_fn.name() == \
        "MaxPool2DWithIndicesBackward0"


@pytest.mark.parametrize(("xs", "args", "kw"), POOL_CASES)
@pytest.mark.parametrize("include", [True, False])
def test_avg_pool2d(xs, args, kw, include):
    arrays = [_randn(*xs)]
    grad_check(lambda m, x: _f(m).avg_pool2d(x, *args, **kw, count_include_pad=include),
               arrays, "float64")
    grad_check(lambda m, x: _f(m).avg_pool2d(x, *args, **kw, divisor_override=3),
               arrays, "float32")


@pytest.mark.parametrize("call", [
    lambda m: _f(m).max_pool2d(m.ones(1, 1, 4, 4), 3, padding=2),
    lambda m: _f(m).max_pool2d(m.ones(1, 1, 4, 4), 2, stride=0),
    lambda m: _f(m).max_pool2d(m.ones(1, 1, 4, 4), 5),
    lambda m: _f(m).max_pool2d(m.ones(4, 4), 2),
    lambda m: _f(m).avg_pool2d(m.ones(1, 1, 4, 4), 3, padding=2),
    lambda m: _f(m).avg_pool2d(m.ones(1, 1, 4, 4), 2, divisor_override=0),
    lambda m: _f(m).adaptive_avg_pool2d(m.ones(4, 4), (2, 2)),
    lambda m: _f(m).adaptive_avg_pool2d(m.ones(1, 4, 4), (-1, 2)),
])
def test_pool_errors(call):
    check(lambda: call(torch), lambda: call(ember), match=True)


@pytest.mark.parametrize(("xs", "size"), [
    ((2, 3, 6, 6), 3), ((2, 3, 6, 6), (2, 3)), ((2, 3, 7, 5), 3), ((2, 3, 7, 5), (4, 2)),
    ((3, 5, 5), 1), ((2, 3, 7, 5), (None, 3)), ((1, 2, 3, 3), 5),
])
def test_adaptive_avg_pool2d(xs, size):
    grad_check(lambda m, x: _f(m).adaptive_avg_pool2d(x, size), [_randn(*xs)], "float64")


# ----------------------------------------------------------------------------- others
def test_flatten_unflatten_identity():
    x = _randn(2, 3, 4, 5)
    for text in ("Flatten()", "Flatten(0, 2)", "Flatten(-2)", "Unflatten(1, (3, 1))",
                 "Unflatten(2, (-1, 2))", "Identity()"):
        grad_check(lambda m, t, s=text: eval(f"m.nn.{s}")(t), [x], "float64",  # noqa: S307
                   where=text)
    check(lambda: torch.nn.Unflatten(1, (2, 2))(torch.ones(2, 3)),
          lambda: ember.nn.Unflatten(1, (2, 2))(ember.ones(2, 3)), match=True)


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 1}, {"padding_idx": -1},
                                {"scale_grad_by_freq": True}])
def test_embedding(kw):
    idx = np.array([[1, 2, 1], [4, 1, 0]])
    grad_check(lambda m, w: _f(m).embedding(m.tensor(idx), w, **kw), [_randn(5, 3)],
               "float64")


@pytest.mark.parametrize("call", [
    lambda m: _f(m).embedding(m.tensor([1.0, 2.0]), m.ones(5, 3)),
    lambda m: _f(m).embedding(m.tensor([1, 7]), m.ones(5, 3)),
    lambda m: _f(m).embedding(m.tensor([1, -1]), m.ones(5, 3)),
    lambda m: _f(m).embedding(m.tensor([1, 2], dtype=m.uint8), m.ones(5, 3)),
    lambda m: _f(m).embedding(m.tensor([1, 2]), m.ones(5, 3), padding_idx=5),
    lambda m: _f(m).dropout(m.ones(3), 1.5),
])
def test_embedding_and_dropout_errors(call):
    try:
        call(torch)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc).__mro__[0] if type(exc).__module__ == "builtins"
                           else RuntimeError) as info:
            call(ember)
        assert str(info.value) == message(exc)


def test_embedding_max_norm():
    w = _randn(5, 3) * 3
    tw, ew = torch.tensor(w), ember.tensor(w)
    torch.nn.functional.embedding(torch.tensor([0, 2, 2]), tw, max_norm=1.0)
    ember.nn.functional.embedding(ember.tensor([0, 2, 2]), ew, max_norm=1.0)
    np.testing.assert_allclose(ew.numpy(), tw.numpy(), rtol=1e-6)


def test_dropout_statistics_and_grad():
    for m in (torch, ember):
        m.manual_seed(0)
    x = ember.ones(200, 100, requires_grad=True)
    y = ember.nn.functional.dropout(x, 0.3)
    values = set(np.unique(y.detach().numpy()).tolist())
    assert values == {0.0, np.float32(1 / 0.7)}
    assert abs((y.detach().numpy() == 0).mean() - 0.3) < 0.02
    assert y.grad_fn.name() == "MulBackward0"
    y.backward(ember.ones(200, 100))
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    assert ember.nn.functional.dropout(x, 0.3, training=False) is x
    assert (ember.nn.functional.dropout(ember.ones(5), 1.0).numpy() == 0).all()

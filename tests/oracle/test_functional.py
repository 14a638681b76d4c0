"""Activations, softmax family, batch normalisation and losses against PyTorch.

Values and gradients (float32 and float64, random upstream gradients), reprs, error
messages, and BatchNorm's running statistics over several steps in train and eval mode.
"""

import math

import numpy as np
import pytest
import torch
from _oracle import GRAD_SETTINGS, check, grad_arrays, grad_check, to_numpy
from hypothesis import given
from hypothesis import strategies as st

import ember

FLOATS = ("float32", "float64")
_NP = {"float32": np.float32, "float64": np.float64}


def _pair(array):
    array = np.asarray(array)
    return {torch: torch.tensor(array.copy()), ember: ember.tensor(array.copy())}


ACTIVATIONS = {
    "relu": lambda m, x: m.nn.functional.relu(x),
    "leaky_relu": lambda m, x: m.nn.functional.leaky_relu(x, 0.2),
    "gelu": lambda m, x: m.nn.functional.gelu(x),
    "gelu_tanh": lambda m, x: m.nn.functional.gelu(x, approximate="tanh"),
    "tanh": lambda m, x: m.nn.functional.tanh(x),
    "softmax0": lambda m, x: m.nn.functional.softmax(x, dim=0),
    "softmax-1": lambda m, x: m.nn.functional.softmax(x, dim=-1),
    "log_softmax-1": lambda m, x: m.nn.functional.log_softmax(x, dim=-1),
    "ReLU": lambda m, x: m.nn.ReLU()(x),
    "LeakyReLU": lambda m, x: m.nn.LeakyReLU()(x),
    "GELU": lambda m, x: m.nn.GELU()(x),
    "Sigmoid": lambda m, x: m.nn.Sigmoid()(x),
    "Tanh": lambda m, x: m.nn.Tanh()(x),
    "Softmax": lambda m, x: m.nn.Softmax(dim=1)(x),
    "LogSoftmax": lambda m, x: m.nn.LogSoftmax(dim=1)(x),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@GRAD_SETTINGS
@given(data=st.data())
def test_activation_values_and_grads(name, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    shape = data.draw(st.sampled_from([(3, 4), (2, 3, 4), (5, 1), (1, 6)]))
    x = data.draw(grad_arrays(dtype, shape, low=-6, high=6))
    grad_check(ACTIVATIONS[name], [x], dtype, where=f"{name}: ")


def test_softmax_large_logits_and_implicit_dim():
    x = np.array([[1000.0, 0.0, -1000.0], [5.0, 1000.0, 999.0]], dtype=np.float32)
    for fn in ("softmax", "log_softmax"):
        t, e = _pair(x)[torch], _pair(x)[ember]
        np.testing.assert_allclose(to_numpy(getattr(ember.nn.functional, fn)(e, 1)),
                                   to_numpy(getattr(torch.nn.functional, fn)(t, 1)),
                                   rtol=1e-6, atol=1e-6)
    for shape in ((4,), (2, 3), (2, 3, 4), (2, 3, 4, 2)):
        x = np.random.default_rng(0).standard_normal(shape)
        with pytest.warns(UserWarning) as mine:
            got = ember.nn.functional.softmax(ember.tensor(x))
        with pytest.warns(UserWarning) as theirs:
            want = torch.nn.functional.softmax(torch.tensor(x))
        assert str(mine[0].message) == str(theirs[0].message)
        np.testing.assert_allclose(to_numpy(got), to_numpy(want), rtol=1e-12)


def test_gelu_accuracy_against_torch_float64():
    # torch computes ½x(1 + erf(x/√2)), which cancels to noise below x ≈ -6; ours uses erfc
    # there, so compare with torch where it is exact and with math.erfc everywhere.
    x = np.linspace(-5, 30, 20001)
    got = to_numpy(ember.nn.functional.gelu(ember.tensor(x)))
    want = to_numpy(torch.nn.functional.gelu(torch.tensor(x)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    x = np.linspace(-37, 30, 20001)
    got = to_numpy(ember.nn.functional.gelu(ember.tensor(x)))
    exact = x * 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in x])
    mask = np.abs(exact) > 1e-300
    rel = np.abs(got[mask] - exact[mask]) / np.abs(exact[mask])
    assert rel.max() < 1e-12, f"worst relative error {rel.max():.2e} at x={x[mask][rel.argmax()]}"


LOSS_CASES = {
    "ce": lambda m, x, t, w: m.nn.functional.cross_entropy(x, t[m]),
    "ce_sum_w": lambda m, x, t, w: m.nn.functional.cross_entropy(x, t[m], w[m],
                                                                 reduction="sum"),
    "ce_none_ls": lambda m, x, t, w: m.nn.functional.cross_entropy(
        x, t[m], label_smoothing=0.2, reduction="none"),
    "ce_w_ls": lambda m, x, t, w: m.nn.functional.cross_entropy(x, t[m], w[m],
                                                                label_smoothing=0.3),
    "ce_ignore": lambda m, x, t, w: m.nn.functional.cross_entropy(x, t[m], ignore_index=1),
    "nll_w": lambda m, x, t, w: m.nn.functional.nll_loss(x, t[m], w[m]),
    "CrossEntropyLoss": lambda m, x, t, w: m.nn.CrossEntropyLoss(w[m], label_smoothing=0.1)(
        x, t[m]),
    "NLLLoss_none": lambda m, x, t, w: m.nn.NLLLoss(reduction="none")(x, t[m]),
}


@pytest.mark.parametrize("name", list(LOSS_CASES))
@GRAD_SETTINGS
@given(data=st.data())
def test_class_index_losses(name, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    shape = data.draw(st.sampled_from([(4, 3), (5, 2), (2, 3, 4), (2, 4, 2, 3), (3,)]))
    x = data.draw(grad_arrays(dtype, shape, low=-5, high=5))
    rng = np.random.default_rng(data.draw(st.integers(0, 100)))
    c = shape[1] if len(shape) > 1 else shape[0]
    t_shape = (shape[0], *shape[2:]) if len(shape) > 1 else ()
    t = rng.integers(0, c, t_shape)
    if t.ndim:
        t.flat[0] = -100
    w = rng.random(c).astype(_NP[dtype]) + 0.1
    grad_check(lambda m, xx: LOSS_CASES[name](m, xx, _pair(t), _pair(w)), [x], dtype,
               where=f"{name}: ")


def test_probability_targets_and_large_logits():
    rng = np.random.default_rng(1)
    p = rng.random((4, 3))
    p /= p.sum(1, keepdims=True)
    for smoothing in (0.0, 0.25):
        grad_check(lambda m, x, q, s=smoothing: m.nn.functional.cross_entropy(
            x, q, label_smoothing=s),
                   [rng.standard_normal((4, 3)), p], "float64")
    x = np.array([[1000.0, -1000.0, 0.0], [0.0, 990.0, 1000.0]])
    grad_check(lambda m, xx: m.nn.functional.cross_entropy(xx, _pair(np.array([1, 1]))[m]),
               [x], "float64")


BINARY_CASES = {
    "bce": lambda m, x, y, w: m.nn.functional.binary_cross_entropy(m.sigmoid(x), y),
    "bce_w_sum": lambda m, x, y, w: m.nn.functional.binary_cross_entropy(
        m.sigmoid(x), y, w[m], reduction="sum"),
    "bce_logits": lambda m, x, y, w: m.nn.functional.binary_cross_entropy_with_logits(x, y),
    "bce_logits_pw": lambda m, x, y, w: m.nn.BCEWithLogitsLoss(
        weight=w[m], pos_weight=w[m] + 1, reduction="none")(x, y),
    "l1": lambda m, x, y, w: m.nn.functional.l1_loss(x, y),
    "L1Loss_none": lambda m, x, y, w: m.nn.L1Loss(reduction="none")(x, y),
    "BCELoss": lambda m, x, y, w: m.nn.BCELoss()(m.sigmoid(x), y),
}


@pytest.mark.parametrize("name", list(BINARY_CASES))
@GRAD_SETTINGS
@given(data=st.data())
def test_elementwise_losses(name, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    x = data.draw(grad_arrays(dtype, (3, 4), low=-30, high=30))
    y = data.draw(grad_arrays(dtype, (3, 4), low=0, high=1))
    w = np.random.default_rng(0).random(4).astype(_NP[dtype])
    grad_check(lambda m, xx, yy: BINARY_CASES[name](m, xx, yy, _pair(w)), [x, y], dtype,
               where=f"{name}: ")


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 4)])
def test_batch_norm_function(training, shape):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape) * 2 + 1
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5

    def fn(m, xx, g, b):
        rm, rv = _pair(mean)[m], _pair(var)[m]
        out = m.nn.functional.batch_norm(xx, rm, rv, g, b, training=training, momentum=0.3)
        return out, rm.detach() * 1.0, rv.detach() * 1.0  # the updated running statistics

    grad_check(fn, [x, rng.random(3) + 0.5, rng.standard_normal(3)], "float64", pick=[0])


@pytest.mark.parametrize("kind", ["1d2", "1d3", "2d"])
@pytest.mark.parametrize("options", [
    {}, {"momentum": None}, {"affine": False}, {"track_running_stats": False},
    {"momentum": 0.5, "eps": 1e-3},
])
def test_batchnorm_modules_over_several_steps(kind, options):
    cls, shape = {"1d2": ("BatchNorm1d", (8, 4)), "1d3": ("BatchNorm1d", (5, 4, 3)),
                  "2d": ("BatchNorm2d", (3, 4, 2, 2))}[kind]
    layers = {m: getattr(m.nn, cls)(4, **options) for m in (torch, ember)}
    assert repr(layers[ember]) == repr(layers[torch])
    rng = np.random.default_rng(3)
    for step in range(5):
        if step == 3:
            for layer in layers.values():
                layer.eval()
        x = (rng.standard_normal(shape) * 3 + step).astype(np.float32)
        outs = {m: layers[m](_pair(x)[m]) for m in layers}
        np.testing.assert_allclose(to_numpy(outs[ember]), to_numpy(outs[torch]), rtol=1e-4,
                                   atol=1e-5, err_msg=f"step {step}")
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            mine, theirs = getattr(layers[ember], name), getattr(layers[torch], name)
            if theirs is None:
                assert mine is None, name
            else:
                np.testing.assert_allclose(to_numpy(mine), to_numpy(theirs), rtol=1e-5,
                                           err_msg=f"{name} at step {step}")
                assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


REPRS = [
    lambda m: m.nn.ReLU(), lambda m: m.nn.ReLU(inplace=True), lambda m: m.nn.LeakyReLU(),
    lambda m: m.nn.LeakyReLU(0.3, True), lambda m: m.nn.GELU(), lambda m: m.nn.GELU("tanh"),
    lambda m: m.nn.Sigmoid(), lambda m: m.nn.Tanh(), lambda m: m.nn.Softmax(),
    lambda m: m.nn.Softmax(dim=1), lambda m: m.nn.LogSoftmax(-1),
    lambda m: m.nn.BatchNorm1d(3), lambda m: m.nn.BatchNorm2d(16, momentum=None, affine=False),
    lambda m: m.nn.BatchNorm2d(8, eps=1e-3, track_running_stats=False),
    lambda m: m.nn.BatchNorm1d(2, bias=False),
    lambda m: m.nn.L1Loss(), lambda m: m.nn.MSELoss(), lambda m: m.nn.CrossEntropyLoss(),
    lambda m: m.nn.NLLLoss(), lambda m: m.nn.BCELoss(), lambda m: m.nn.BCEWithLogitsLoss(),
]


@pytest.mark.parametrize("index", range(len(REPRS)))
def test_reprs(index):
    assert repr(REPRS[index](ember)) == repr(REPRS[index](torch))


ERRORS = {
    "float target": lambda m: m.nn.functional.cross_entropy(m.zeros(3, 4), m.zeros(3)),
    "batch size": lambda m: m.nn.functional.cross_entropy(m.zeros(3, 4), m.zeros(2).long()),
    "out of bounds": lambda m: m.nn.functional.nll_loss(m.zeros(3, 4),
                                                       m.tensor([0, 4, 1])),
    "negative target": lambda m: m.nn.functional.cross_entropy(m.zeros(3, 4),
                                                              m.tensor([0, -3, 1])),
    "target size": lambda m: m.nn.functional.nll_loss(m.zeros(2, 3, 4),
                                                     m.zeros(2, 3).long()),
    "multi-target": lambda m: m.nn.functional.nll_loss(m.zeros(2, 3), m.zeros(2, 3).long()),
    "weight size": lambda m: m.nn.functional.cross_entropy(m.zeros(2, 3), m.zeros(2).long(),
                                                          m.ones(4)),
    "reduction": lambda m: m.nn.functional.cross_entropy(m.zeros(2, 3), m.zeros(2).long(),
                                                        reduction="avg"),
    "l1 reduction": lambda m: m.nn.functional.l1_loss(m.zeros(2), m.zeros(2), reduction="x"),
    "smoothing": lambda m: m.nn.functional.cross_entropy(m.zeros(2, 3), m.zeros(2).long(),
                                                        label_smoothing=-0.5),
    "bce range": lambda m: m.nn.functional.binary_cross_entropy(m.ones(2) * 2, m.ones(2)),
    "bce size": lambda m: m.nn.functional.binary_cross_entropy(m.ones(2) / 2, m.ones(2, 1)),
    "bce logits size": lambda m: m.nn.functional.binary_cross_entropy_with_logits(
        m.ones(2), m.ones(2, 1)),
    "bn 1d dims": lambda m: m.nn.BatchNorm1d(3)(m.zeros(2, 3, 2, 2)),
    "bn 2d dims": lambda m: m.nn.BatchNorm2d(3)(m.zeros(2, 3, 2)),
    "bn one value": lambda m: m.nn.BatchNorm1d(3)(m.zeros(1, 3)),
    "bn channels": lambda m: m.nn.functional.batch_norm(m.zeros(2, 4), m.zeros(3), m.ones(3)),
    "gelu approx": lambda m: m.nn.functional.gelu(m.zeros(2), approximate="x"),
    "leaky int": lambda m: m.nn.functional.leaky_relu(m.tensor([1, 2])),
    "softmax int": lambda m: m.nn.functional.softmax(m.tensor([1, 2]), 0),
    "bce logits pos_weight grad": lambda m: m.nn.functional.binary_cross_entropy_with_logits(
        m.zeros(2), m.ones(2), pos_weight=m.ones(2, requires_grad=True)),
    "bce logits weight grad": lambda m: m.nn.functional.binary_cross_entropy_with_logits(
        m.zeros(2), m.ones(2), weight=m.ones(2, requires_grad=True)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_messages(name):
    check(lambda: ERRORS[name](torch), lambda: ERRORS[name](ember), match=True)


def test_all_ignored_and_legacy_reduction_arguments():
    x, t = np.zeros((2, 3)), np.array([-100, -100])
    for reduction in ("mean", "sum", "none"):
        check(lambda m=torch, r=reduction: torch.nn.functional.cross_entropy(
            torch.tensor(x), torch.tensor(t), reduction=r),
            lambda r=reduction: ember.nn.functional.cross_entropy(
                ember.tensor(x), ember.tensor(t), reduction=r))
    for size_average, reduce in ((False, None), (None, False), (True, True)):
        with pytest.warns(UserWarning):
            mine = ember.nn.CrossEntropyLoss(size_average=size_average, reduce=reduce)
        with pytest.warns(UserWarning):
            theirs = torch.nn.CrossEntropyLoss(size_average=size_average, reduce=reduce)
        assert mine.reduction == theirs.reduction


STATE_DICTS = [
    lambda m: m.nn.BatchNorm2d(3), lambda m: m.nn.BatchNorm1d(2, affine=False),
    lambda m: m.nn.BatchNorm1d(2, track_running_stats=False),
    lambda m: m.nn.CrossEntropyLoss(weight=m.ones(3)), lambda m: m.nn.NLLLoss(),
    lambda m: m.nn.BCEWithLogitsLoss(weight=m.ones(2), pos_weight=m.ones(2)),
]


@pytest.mark.parametrize("index", range(len(STATE_DICTS)))
def test_parameters_buffers_and_state_dict_keys(index):
    # Needs the stage-04 Module (register_buffer, state_dict) of helper 4a.
    mine, theirs = STATE_DICTS[index](ember), STATE_DICTS[index](torch)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in mine.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    for (name, value), (_, want) in zip(mine.state_dict().items(),
                                        theirs.state_dict().items(), strict=True):
        np.testing.assert_array_equal(to_numpy(value), to_numpy(want), err_msg=name)
        assert str(value.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], name

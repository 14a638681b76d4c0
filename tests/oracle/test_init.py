"""``nn.init`` and ``Tensor.normal_``/``uniform_`` (stage 07) against torch.

Random numbers differ between the frameworks, so the comparisons are of signatures, gains,
fans, exact structured results (eye, dirac), distribution statistics on large tensors
(sample std within 6 σ/√n of torch's, ranges within 0.1% of each other), orthogonality,
and the texts and categories of errors and warnings.
"""

import inspect
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.init as tinit
from _oracle import assert_same_message

import ember
import ember.nn.init as einit

PUBLIC = [name for name in tinit.__all__]


@pytest.mark.parametrize("name", PUBLIC)
def test_signatures_match(name):
    assert hasattr(einit, name), f"ember.nn.init lacks {name}"
    if name.endswith("_") or name == "calculate_gain":
        want = inspect.signature(getattr(tinit, name)).parameters
        got = inspect.signature(getattr(einit, name)).parameters
        assert list(got) == list(want), name
        for key in want:
            assert got[key].default == want[key].default, (name, key)


@pytest.mark.parametrize("args", [
    ("linear",), ("conv1d",), ("conv2d",), ("conv3d",), ("conv_transpose1d",),
    ("conv_transpose2d",), ("conv_transpose3d",), ("sigmoid",), ("tanh",), ("relu",),
    ("relu", 3.0), ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 2), ("selu",),
    ("leaky_relu", 0), ("leaky_relu", True), ("leaky_relu", "0.1"), ("Relu",), ("gelu",),
])
def test_calculate_gain(args):
    try:
        want = tinit.calculate_gain(*args)
    except ValueError as exc:
        with pytest.raises(ValueError) as info:
            einit.calculate_gain(*args)
        assert str(info.value) == str(exc)
        return
    got = einit.calculate_gain(*args)
    assert got == pytest.approx(want, rel=1e-15) and type(got) is type(want)


@pytest.mark.parametrize("shape", [(3,), (), (3, 5), (5, 3), (16, 3, 5, 5), (8, 4, 3),
                                   (4, 2, 3, 3, 3), (2, 3, 0, 1)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT", "fan_avg"])
def test_fans(shape, mode):
    t = torch.empty(*shape) if shape else torch.tensor(0.0)
    e = ember.empty(*shape) if shape else ember.tensor(0.0)
    for fn in ("_calculate_fan_in_and_fan_out", "_calculate_correct_fan"):
        args = () if fn.endswith("out") else (mode,)
        try:
            want = getattr(tinit, fn)(t, *args)
        except ValueError as exc:
            with pytest.raises(ValueError) as info:
                getattr(einit, fn)(e, *args)
            assert str(info.value) == str(exc)
            continue
        assert getattr(einit, fn)(e, *args) == want


def _spread(t) -> tuple[float, float, float]:
    x = np.asarray(t.detach().numpy() if isinstance(t, torch.Tensor) else t.numpy(),
                   dtype=np.float64)
    return x.std(), x.min(), x.max()


RANDOM = {
    "uniform_": ((512, 512), {"a": -0.3, "b": 0.7}, True),
    "normal_": ((512, 512), {"mean": 0.5, "std": 0.1}, False),
    "trunc_normal_": ((512, 512), {"std": 0.8, "a": -1.0, "b": 1.5}, True),
    "trunc_normal_ tail": ((512, 512), {"a": 2.0, "b": 3.0}, True),
    "xavier_uniform_": ((64, 32, 3, 3), {"gain": 1.7}, True),
    "xavier_normal_": ((64, 32, 3, 3), {}, False),
    "kaiming_uniform_": ((512, 300), {"a": math.sqrt(5)}, True),
    "kaiming_uniform_ relu fan_out": ((64, 32, 3, 3), {"mode": "fan_out",
                                                        "nonlinearity": "relu"}, True),
    "kaiming_normal_": ((512, 300), {"a": 0.3, "nonlinearity": "leaky_relu"}, False),
    "kaiming_normal_ tanh": ((512, 300), {"nonlinearity": "tanh", "mode": "fan_out"}, False),
}


@pytest.mark.parametrize("case", list(RANDOM))
def test_random_inits_match_torch_statistics(case):
    shape, kwargs, bounded = RANDOM[case]
    name = case.split()[0]
    t, e = torch.empty(*shape), ember.empty(*shape)
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert getattr(tinit, name)(t, **kwargs) is t
        assert getattr(einit, name)(e, **kwargs) is e
    (ts, tmin, tmax), (es, emin, emax) = _spread(t), _spread(e)
    n = math.prod(shape)
    assert abs(es - ts) < 6 * ts * math.sqrt(2 / n), (case, es, ts)
    if bounded:
        width = tmax - tmin
        assert abs(emin - tmin) < 1e-3 * width and abs(emax - tmax) < 1e-3 * width, (
            case, (emin, emax), (tmin, tmax))
    assert abs(e.mean().item() - t.mean().item()) < 6 * ts * math.sqrt(2 / n), case


@pytest.mark.parametrize("shape, groups", [((4, 3, 3, 3), 1), ((6, 2, 3), 3), ((2, 4, 3, 3, 3), 1),
                                           ((8, 2, 5, 4), 2)])
def test_dirac_matches(shape, groups):
    want = tinit.dirac_(torch.empty(*shape), groups).numpy()
    np.testing.assert_array_equal(einit.dirac_(ember.empty(*shape), groups).numpy(), want)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)])
def test_eye_matches(shape):
    np.testing.assert_array_equal(einit.eye_(ember.empty(*shape)).numpy(),
                                  tinit.eye_(torch.empty(*shape)).numpy())


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (8, 2, 3, 3)])
def test_orthogonal_like_torch(shape):
    t = tinit.orthogonal_(torch.empty(*shape), gain=1.5).reshape(shape[0], -1).double()
    e = einit.orthogonal_(ember.empty(*shape), gain=1.5).numpy().reshape(shape[0], -1)
    tg = (t.T @ t if t.shape[0] >= t.shape[1] else t @ t.T).numpy()
    eg = e.T @ e if e.shape[0] >= e.shape[1] else e @ e.T
    np.testing.assert_allclose(eg, tg, atol=1e-4)


ERRORS = [
    ("eye_", (3,), ()), ("eye_", (2, 2, 2), ()), ("dirac_", (3, 3), ()),
    ("dirac_", (5, 2, 3, 3), (2,)), ("orthogonal_", (4,), ()), ("sparse_", (3,), (0.1,)),
    ("xavier_uniform_", (4,), ()), ("kaiming_normal_", (3, 3), (0, "fan_avg")),
]


@pytest.mark.parametrize("name, shape, args", ERRORS)
def test_error_texts(name, shape, args):
    with pytest.raises(ValueError) as want:
        getattr(tinit, name)(torch.empty(*shape), *args)
    with pytest.raises(ValueError) as got:
        getattr(einit, name)(ember.empty(*shape), *args)
    assert str(got.value) == str(want.value)


def _warnings(fn):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message)) for w in record]


@pytest.mark.parametrize("old", ["uniform", "normal", "constant", "eye", "dirac",
                                 "xavier_uniform", "xavier_normal", "kaiming_uniform",
                                 "kaiming_normal", "orthogonal", "sparse"])
def test_deprecated_aliases_warn_like_torch(old):
    shape = (4, 4, 3) if old == "dirac" else (4, 4)
    args = (0.5,) if old in ("constant", "sparse") else ()
    want = _warnings(lambda: getattr(tinit, old)(torch.empty(*shape), *args))
    got = _warnings(lambda: getattr(einit, old)(ember.empty(*shape), *args))
    assert got == want and want


@pytest.mark.parametrize("call", [
    lambda m, I: I.kaiming_uniform_(m.empty(0, 3)),
    lambda m, I: I.kaiming_normal_(m.empty(3, 0)),
    lambda m, I: I.trunc_normal_(m.empty(10), mean=10.0),
])
def test_other_warnings_like_torch(call):
    assert _warnings(lambda: call(ember, einit)) == _warnings(lambda: call(torch, tinit))


TENSOR_CALLS = {
    "normal_()": lambda t: t.normal_(),
    "normal_(1, 2)": lambda t: t.normal_(1, 2),
    "normal_(0, -1)": lambda t: t.normal_(0, -1),
    "normal_(mean=1., std=-0.5)": lambda t: t.normal_(mean=1.0, std=-0.5),
    "uniform_()": lambda t: t.uniform_(),
    "uniform_(1, 0)": lambda t: t.uniform_(1, 0),
    "uniform_(1.5, 0.5)": lambda t: t.uniform_(1.5, 0.5),
    "uniform_(2, 2)": lambda t: t.uniform_(2, 2),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
@pytest.mark.parametrize("leaf", [False, True])
@pytest.mark.parametrize("call", list(TENSOR_CALLS))
def test_tensor_methods_like_torch(call, dtype, leaf):
    fn = TENSOR_CALLS[call]
    grad = leaf and dtype.startswith("float")
    t = torch.zeros(3, dtype=getattr(torch, dtype), requires_grad=grad)
    e = ember.zeros(3, dtype=getattr(ember, dtype), requires_grad=grad)
    try:
        want = fn(t)
    except Exception as exc:
        with pytest.raises(Exception) as info:
            fn(e)
        assert type(info.value) is type(exc), (info.value, exc)
        assert_same_message(info.value, exc)
        return
    got = fn(e)
    assert got is e and got.dtype == getattr(ember, dtype) and e._version == t._version
    assert want.shape == tuple(got.shape)


def test_nonleaf_methods_record_like_torch():
    for method in ("normal_", "uniform_"):
        tx, ex = torch.ones(3, requires_grad=True), ember.ones(3, requires_grad=True)
        ty, ey = tx * 2, ex * 2
        getattr(ty, method)()
        getattr(ey, method)()
        assert type(ey.grad_fn).__name__ == type(ty.grad_fn).__name__
        ty.sum().backward()
        ey.sum().backward()
        np.testing.assert_array_equal(ex.grad.numpy(), tx.grad.numpy())

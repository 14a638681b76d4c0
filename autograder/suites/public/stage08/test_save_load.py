"""Stage 08 · save_load: ``ember.save`` / ``ember.load``, safe by default.

Oracle: PyTorch's behaviour (``ember`` replaces ``torch``) and the documented file format
(a zip of ``data.pkl`` and ``data/<n>.npy``, readable with ``zipfile`` and NumPy). A round
trip keeps values, dtypes, shapes and shared memory; ``weights_only=True`` never builds an
object outside its allow-list (the test proves nothing ran); bad files raise clear errors.
"""

import collections
import io
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from autograder.suites import helpers
from ember import nn


def _round_trip(obj, **load_kwargs):
    buffer = io.BytesIO()
    ember.save(obj, buffer)
    buffer.seek(0)
    return ember.load(buffer, **load_kwargs)


def test_tensors_keep_values_dtypes_and_shapes(tmp_path):
    tensors = [ember.arange(6.0).reshape(2, 3), ember.tensor([1, -2, 3]),
               ember.tensor(2.5, dtype=ember.float64), ember.tensor([True, False]),
               ember.zeros(0, 4)]
    path = tmp_path / "tensors.pt"
    ember.save(tensors, path)
    loaded = ember.load(path)
    assert isinstance(loaded, list) and len(loaded) == len(tensors)
    for before, after in zip(tensors, loaded, strict=True):
        assert isinstance(after, ember.Tensor), f"a tensor comes back as a tensor: {after!r}"
        assert after.dtype is before.dtype and after.shape == before.shape, (
            f"{before.dtype}{tuple(before.shape)} came back as {after.dtype}{tuple(after.shape)}")
        np.testing.assert_array_equal(after.numpy(), before.numpy())


def test_views_share_memory_after_loading():
    w = ember.arange(12.0).reshape(3, 4)
    loaded = _round_trip({"w": w, "row": w[1], "col": w.t()[2], "same": w})
    assert loaded["row"].shape == (4,) and loaded["col"].shape == (3,), "views keep shapes"
    np.testing.assert_array_equal(loaded["col"].numpy(), [2.0, 6.0, 10.0])
    loaded["row"].add_(100)
    assert loaded["w"][1, 0].item() == 104.0 and loaded["col"][1].item() == 106.0, (
        "tensors that shared memory when saved share it after loading")
    assert loaded["same"] is loaded["w"], "one tensor saved twice loads as one tensor"


@helpers.beside_ember
def _ordered_dict_survives():
    buffer = io.BytesIO()
    ember.save({"d": collections.OrderedDict(b=1, a=ember.ones(2))}, buffer)
    buffer.seek(0)
    return type(ember.load(buffer)["d"]) is collections.OrderedDict


def test_containers_and_plain_values():
    obj = {"epoch": 7, "loss": 0.25, "name": "run-1", "none": None, "flag": True,
           "pair": (1, [2.0, "three"]), "ordered": OrderedDict(b=1, a=ember.ones(2)),
           "dtype": ember.float64, "shape": ember.Size([2, 3])}
    loaded = _round_trip(obj)
    assert helpers.run_beside_ember(_ordered_dict_survives), "an OrderedDict stays one"
    assert list(loaded["ordered"]) == ["b", "a"], "and keeps its order"
    assert loaded["pair"] == (1, [2.0, "three"]) and loaded["none"] is None
    assert (loaded["epoch"], loaded["loss"], loaded["name"]) == (7, 0.25, "run-1")
    assert loaded["dtype"] is ember.float64 and loaded["shape"] == (2, 3)
    np.testing.assert_array_equal(loaded["ordered"]["a"].numpy(), [1.0, 1.0])


def test_module_state_dict_round_trip(tmp_path):
    ember.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    net(ember.randn(8, 4))   # moves the running statistics away from their start
    path = tmp_path / "net.pt"
    with open(path, "wb") as file:   # a file object works like a path
        ember.save(net.state_dict(), file)
    ember.manual_seed(1)
    other = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    with open(path, "rb") as file:
        other.load_state_dict(ember.load(file))
    net.eval()
    other.eval()
    x = ember.randn(5, 4)
    np.testing.assert_array_equal(other(x).detach().numpy(), net(x).detach().numpy(),
                                  err_msg="a loaded state dict reproduces the model")


@helpers.beside_ember
def _load_a_file_that_runs_code(folder):
    marker = os.path.join(folder, "pwned")

    class Exploit:
        def __reduce__(self):
            return (os.mkdir, (marker,))

    path = os.path.join(folder, "evil.pt")
    ember.save({"weights": ember.ones(2), "payload": Exploit()}, path)
    try:
        ember.load(path)
        error = None
    except Exception as exc:  # the facts go back as data
        error = (type(exc).__name__, str(exc))
    return error, os.path.exists(marker)


def test_weights_only_never_runs_code(tmp_path):
    error, ran = helpers.run_beside_ember(_load_a_file_that_runs_code, str(tmp_path))
    assert not ran, "weights_only=True must not call anything the file names"
    assert error is not None and error[0] == "UnpicklingError", (
        f"a file that names os.mkdir raises pickle.UnpicklingError, got {error}")
    assert "mkdir" in error[1], f"the message names the refused object: {error[1]}"
    assert "weights_only" in error[1], "the message says how to load a trusted file"


@helpers.beside_ember
def _whole_model_round_trip(folder):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    path = os.path.join(folder, "model.pt")
    ember.save(model, path)   # the article's way: the whole object, pickled
    try:
        ember.load(path)
        refused = None
    except pickle.UnpicklingError as exc:
        refused = str(exc)
    loaded = ember.load(path, weights_only=False)
    x = ember.randn(3, 2)
    same = bool(ember.equal(loaded(x), model(x)))
    kinds = (type(loaded).__name__, type(loaded[0].weight).__name__)
    return refused, kinds, same


def test_a_whole_model_needs_weights_only_false(tmp_path):
    refused, kinds, same = helpers.run_beside_ember(_whole_model_round_trip, str(tmp_path))
    assert refused is not None and "weights_only" in refused, (
        "loading a pickled module with weights_only=True raises UnpicklingError that says "
        "how to load a trusted file")
    assert kinds == ("Sequential", "Parameter"), f"weights_only=False rebuilds it: {kinds}"
    assert same, "the loaded model computes what the saved one did"


def test_bad_files_get_clear_errors(tmp_path):
    good = io.BytesIO()
    ember.save({"w": ember.ones(100)}, good)
    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "not a checkpoint")
    cases = {"empty": b"", "truncated": good.getvalue()[: len(good.getvalue()) // 2],
             "text": b"just some text\n", "foreign zip": foreign.getvalue()}
    for name, data in cases.items():
        with pytest.raises(RuntimeError):
            ember.load(io.BytesIO(data))
        (tmp_path / name).write_bytes(data)
        with pytest.raises(RuntimeError):
            ember.load(tmp_path / name)


def test_the_format_is_readable_without_ember():
    buffer = io.BytesIO()
    ember.save({"w": ember.arange(4.0)}, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        names = set(archive.namelist())
        assert "data.pkl" in names and "data/0.npy" in names, f"documented layout: {names}"
        with archive.open("data/0.npy") as member:
            array = np.load(member, allow_pickle=False)
    np.testing.assert_array_equal(array, [0.0, 1.0, 2.0, 3.0])
    assert ember.load(io.BytesIO(buffer.getvalue()))["w"].dtype is ember.float32


def _train(model, opt, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()


@pytest.mark.parametrize("make_opt", [
    lambda params: ember.optim.SGD(params, lr=0.05, momentum=0.9),
    lambda params: ember.optim.Adam(params, lr=0.01, amsgrad=True),
], ids=["sgd-momentum", "adam"])
def test_a_checkpoint_resumes_bit_exactly(tmp_path, make_opt):
    ember.manual_seed(0)
    x, y = ember.randn(16, 3), ember.randn(16, 1)
    straight = nn.Linear(3, 1)
    start = {k: v.clone() for k, v in straight.state_dict().items()}
    opt = make_opt(straight.parameters())
    _train(straight, opt, x, y, 10)

    half = nn.Linear(3, 1)
    half.load_state_dict(start)
    opt_half = make_opt(half.parameters())
    _train(half, opt_half, x, y, 5)
    ember.save({"model": half.state_dict(), "optimizer": opt_half.state_dict(), "epoch": 5},
               tmp_path / "checkpoint.pt")
    del half, opt_half

    checkpoint = ember.load(tmp_path / "checkpoint.pt")
    resumed = nn.Linear(3, 1)
    resumed.load_state_dict(checkpoint["model"])
    opt_resumed = make_opt(resumed.parameters())
    opt_resumed.load_state_dict(checkpoint["optimizer"])
    _train(resumed, opt_resumed, x, y, 10 - checkpoint["epoch"])
    for name, value in resumed.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), straight.state_dict()[name].numpy(),
                                      err_msg=f"{name}: 5 + save/load + 5 steps == 10 steps")

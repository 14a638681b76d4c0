"""Stage 04 · state_dict: saving and loading a module's parameters and buffers.

Oracle: PyTorch's keys, order, return values and error messages (``ember`` replaces
``torch``) on small modules defined here.
"""

from collections import OrderedDict

import numpy as np
import pytest

import ember
from autograder.suites.helpers import to_numpy

nn = ember.nn


class _Affine(nn.Module):
    """Parameters ``w``, ``b``; a persistent buffer ``mean`` and a non-persistent ``cache``."""

    def __init__(self, n=2, fill=1.0):
        super().__init__()
        self.w = nn.Parameter(ember.full((n,), fill))
        self.register_buffer("mean", ember.zeros(n))
        self.b = nn.Parameter(ember.zeros(n))
        self.register_buffer("cache", ember.zeros(n), persistent=False)

    def forward(self, x):
        return x * self.w + self.b


class _Net(nn.Module):
    def __init__(self, fill=1.0):
        super().__init__()
        self.enc = _Affine(2, fill)
        self.scale = nn.Parameter(ember.full((1,), fill))
        self.dec = nn.Module()
        self.dec.out = _Affine(3, fill)


KEYS = ["scale", "enc.w", "enc.b", "enc.mean", "dec.out.w", "dec.out.b", "dec.out.mean"]


def test_state_dict_keys_and_order():
    sd = _Net().state_dict()
    assert isinstance(sd, OrderedDict), f"state_dict returns an OrderedDict, got {type(sd)}"
    assert list(sd) == KEYS, (
        "keys: each module's parameters, then its persistent buffers, then its children's "
        f"entries under 'child.' prefixes; expected {KEYS}, got {list(sd)}")


def test_state_dict_values_are_detached_tensors():
    net = _Net(fill=2.0)
    sd = net.state_dict()
    for key, value in sd.items():
        assert isinstance(value, ember.Tensor), f"{key}: values are tensors"
        assert not value.requires_grad, f"{key}: state_dict() values are detached"
    np.testing.assert_allclose(to_numpy(sd["enc.w"]), [2.0, 2.0], err_msg="enc.w's values")
    kept = net.state_dict(keep_vars=True)
    assert kept["enc.w"] is net.enc.w, "keep_vars=True returns the parameters themselves"


def test_state_dict_keeps_shared_parameters_under_every_name():
    net = nn.Module()
    net.a = _Affine(1)
    net.b = net.a
    assert list(net.state_dict()) == ["a.w", "a.b", "a.mean", "b.w", "b.b", "b.mean"], (
        "state_dict lists a shared module under each of its names (unlike parameters())")


def test_load_state_dict_round_trip_copies_in_place():
    src, dst = _Net(fill=5.0), _Net(fill=0.0)
    w_before = dst.enc.w
    result = dst.load_state_dict(src.state_dict())
    assert repr(result) == "<All keys matched successfully>", f"got {result!r}"
    assert result.missing_keys == [] and result.unexpected_keys == [], "nothing missing"
    assert dst.enc.w is w_before, "loading copies into the existing parameters (in place)"
    assert dst.enc.w.requires_grad and dst.enc.w.grad_fn is None, (
        "loaded parameters stay leaves that require grad (copy under no_grad)")
    for key, value in dst.state_dict().items():
        np.testing.assert_allclose(to_numpy(value), to_numpy(src.state_dict()[key]),
                                   err_msg=f"{key} after load_state_dict")


def test_load_state_dict_strict_reports_missing_and_unexpected_keys():
    net = _Net()
    sd = net.state_dict()
    del sd["enc.b"]
    sd["enc.extra"] = ember.zeros(1)
    expected = ("Error(s) in loading state_dict for _Net:\n"
                '\tMissing key(s) in state_dict: "enc.b". \n'
                '\tUnexpected key(s) in state_dict: "enc.extra". ')
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    assert str(info.value) == expected, f"torch's message, expected\n{expected}\ngot\n{info.value}"


def test_load_state_dict_non_strict_returns_the_keys():
    net = _Net()
    sd = {"scale": ember.tensor([7.0]), "enc.w": ember.tensor([1.0, 2.0]),
          "nothing.here": ember.zeros(1)}
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["enc.b", "enc.mean", "dec.out.w", "dec.out.b",
                                   "dec.out.mean"], f"missing_keys, got {result.missing_keys}"
    assert result.unexpected_keys == ["nothing.here"], f"got {result.unexpected_keys}"
    missing, unexpected = result
    assert unexpected == ["nothing.here"], "the result unpacks as (missing, unexpected)"
    assert net.scale.item() == 7.0, "strict=False still loads the keys that match"
    np.testing.assert_allclose(to_numpy(net.enc.w.detach()), [1.0, 2.0], err_msg="enc.w")


def test_load_state_dict_size_mismatch():
    net = _Net()
    sd = net.state_dict()
    sd["enc.w"] = ember.ones(3)
    expected = ("Error(s) in loading state_dict for _Net:\n"
                "\tsize mismatch for enc.w: copying a param with shape ember.Size([3]) from "
                "checkpoint, the shape in current model is ember.Size([2]).")
    for strict in (True, False):
        with pytest.raises(RuntimeError) as info:
            net.load_state_dict(sd, strict=strict)
        assert str(info.value) == expected, f"strict={strict}: got\n{info.value}"


def test_buffers_are_saved_and_loaded():
    src, dst = _Affine(2), _Affine(2)
    src.mean.fill_(4.0)
    src.cache.fill_(9.0)
    assert "cache" not in src.state_dict(), "a non-persistent buffer is not saved"
    dst.load_state_dict(src.state_dict())
    np.testing.assert_allclose(to_numpy(dst.mean), [4.0, 4.0], err_msg="buffer loaded")
    np.testing.assert_allclose(to_numpy(dst.cache), [0.0, 0.0],
                               err_msg="non-persistent buffer untouched")

"""``nn.Buffer``, ``nn.ParameterList`` and ``nn.ParameterDict`` against torch 2.13."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _oracle import check

import ember


def _names(module) -> tuple[list[str], list[str], list[str]]:
    return ([n for n, _ in module.named_parameters()], [n for n, _ in module.named_buffers()],
            list(module.state_dict()))


@pytest.mark.parametrize("persistent", [True, False])
def test_buffer_assignment_registers_a_buffer(persistent):
    def build(m):
        net = m.nn.Module()
        net.w = m.nn.Parameter(m.ones(2))
        net.count = m.nn.Buffer(m.zeros(3), persistent=persistent)
        return net

    mine, theirs = build(ember), build(torch)
    assert _names(mine) == _names(theirs)
    assert type(mine.count) is ember.Tensor, "the module keeps a plain tensor"
    source = ember.zeros(3)
    mine.count = ember.nn.Buffer(source)
    source[0] = 5
    assert mine.count[0].item() == 5, "the buffer shares the given tensor's memory"
    mine.w = ember.nn.Buffer(ember.zeros(2))
    assert _names(mine)[0] == [] and "w" in _names(mine)[1], "a buffer replaces a parameter"


def test_parameter_list_registers_converts_and_prints_like_torch():
    def build(m):
        values = m.nn.ParameterList([m.nn.Parameter(m.ones(2, 3)), m.zeros(4)])
        values.append(m.zeros(1, dtype=m.float64))
        values.extend([m.ones(2)])
        values += [m.ones(5)]
        values[0] = m.zeros(2, 3)
        net = m.nn.Module()
        net.values = values
        return net

    mine, theirs = build(ember), build(torch)
    assert _names(mine) == _names(theirs)
    assert repr(mine.values) == repr(theirs.values).replace("torch.", "ember.")
    assert all(type(p) is ember.nn.Parameter for p in mine.values), "tensors become Parameters"
    assert len(mine.values) == len(theirs.values) == 5
    assert [tuple(p.shape) for p in mine.values[1:3]] == [
        tuple(p.shape) for p in theirs.values[1:3]]
    assert type(mine.values[1:3]).__name__ == "ParameterList"
    assert mine.values[-1] is list(mine.values)[-1]
    check(lambda: theirs.values[7], lambda: mine.values[7], match=True)
    check(lambda: theirs.values(), lambda: mine.values(), match=True)
    optimizer = ember.optim.SGD(mine.parameters(), lr=1.0)
    for p in mine.values:
        p.grad = ember.ones_like(p)
    optimizer.step()
    np.testing.assert_array_equal(mine.values[1].detach().numpy(), -np.ones(4),
                                  err_msg="the optimizer updates what the list holds")


def test_parameter_dict_registers_converts_and_prints_like_torch():
    def build(m):
        values = m.nn.ParameterDict({"a": m.nn.Parameter(m.ones(2)), "b": m.zeros(3)})
        values["c"] = m.zeros(1, dtype=m.float64)
        values.update([("d", m.ones(2, 2))])
        del values["a"]
        net = m.nn.Module()
        net.values = values
        return net

    mine, theirs = build(ember), build(torch)
    assert _names(mine) == _names(theirs)
    assert repr(mine.values) == repr(theirs.values).replace("torch.", "ember.")
    assert list(mine.values.keys()) == list(theirs.values.keys()) == list(mine.values)
    assert "b" in mine.values and "a" not in mine.values and len(mine.values) == 3
    assert type(mine.values["b"]) is ember.nn.Parameter
    assert mine.values.get("zz", 7) == 7
    assert mine.values.pop("b").shape == (3,) and list(mine.values) == ["c", "d"]
    check(lambda: theirs.values["zz"], lambda: mine.values["zz"], match=True)
    mine.values.clear()
    assert len(mine.values) == 0 and _names(mine) == ([], [], [])

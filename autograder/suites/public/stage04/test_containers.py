"""Stage 04 · containers: ``Sequential``, ``ModuleList`` and ``ModuleDict``.

Oracle: PyTorch's names, indexing rules and reprs (``ember`` replaces ``torch``) on small
modules defined here, and hand-computed forward values.
"""

from collections import OrderedDict

import numpy as np
import pytest

import ember
from autograder.suites.helpers import exactly, to_numpy

nn = ember.nn


class _Scale(nn.Module):
    """``x * w`` with a one-element parameter ``w``."""

    def __init__(self, value=2.0):
        super().__init__()
        self.w = nn.Parameter(ember.tensor([float(value)]))

    def extra_repr(self):
        return f"value={self.w.item():g}"

    def forward(self, x):
        return x * self.w


class _AddOne(nn.Module):
    def forward(self, x):
        return x + 1


def _names(pairs):
    return [name for name, _ in pairs]


def _values(out):
    return to_numpy(out.detach())


def test_sequential_chains_and_registers():
    seq = nn.Sequential(_Scale(2), _AddOne(), _Scale(3))
    np.testing.assert_allclose(_values(seq(ember.tensor([1.0, 2.0]))), [9.0, 15.0],
                               err_msg="Sequential(f, g, h)(x) = h(g(f(x)))")
    assert _names(seq.named_children()) == ["0", "1", "2"], (
        "positional children are named '0', '1', ...")
    assert _names(seq.named_parameters()) == ["0.w", "2.w"], (
        f"the children's parameters are registered, got {_names(seq.named_parameters())}")
    assert len(seq) == 3 and list(seq) == list(seq.children()), "len and iteration"


def test_sequential_from_ordered_dict_keeps_names():
    seq = nn.Sequential(OrderedDict([("scale", _Scale(2)), ("shift", _AddOne())]))
    assert _names(seq.named_children()) == ["scale", "shift"], "an OrderedDict gives the names"
    assert isinstance(seq.shift, _AddOne), "children are attributes under their names"
    np.testing.assert_allclose(_values(seq(ember.tensor([1.0]))), [3.0], err_msg="forward")
    assert [name for name, _ in seq.named_parameters()] == ["scale.w"], (
        "parameter names use the given names")


def test_sequential_indexing_and_slicing():
    a, b, c = _Scale(1), _AddOne(), _Scale(3)
    seq = nn.Sequential(a, b, c)
    assert seq[0] is a and seq[-1] is c and seq[-3] is a, "int indexing, negative too"
    for bad in (3, -4):
        with pytest.raises(IndexError, match=exactly(f"index {bad} is out of range")):
            seq[bad]
    tail = seq[1:]
    assert type(tail).__name__ == "Sequential" and list(tail) == [b, c], "a slice is a Sequential"
    assert _names(tail.named_children()) == ["1", "2"], "a slice of a Sequential keeps the names"
    np.testing.assert_allclose(_values(tail(ember.tensor([1.0]))), [6.0], err_msg="slice forward")


def test_sequential_append_setitem_delitem():
    seq = nn.Sequential(_Scale(1))
    assert seq.append(_Scale(2)) is seq, "append returns the Sequential"
    assert _names(seq.named_children()) == ["0", "1"] and len(list(seq.parameters())) == 2, (
        "append registers the module under the next number")
    seq[0] = _AddOne()
    assert isinstance(seq[0], _AddOne), "seq[i] = module replaces a child"
    seq.append(_Scale(5))
    del seq[0]
    assert _names(seq.named_children()) == ["0", "1"], (
        "after del, the children are renumbered")
    assert [m.w.item() for m in seq] == [2.0, 5.0], "del removed the right child"


def test_module_list_registers_and_behaves_like_a_list():
    layers = nn.ModuleList([_Scale(1), _Scale(2)])
    layers.append(_Scale(3))
    layers.extend([_Scale(4)])
    layers += [_Scale(5)]
    layers.insert(0, _Scale(0))
    assert [m.w.item() for m in layers] == [0, 1, 2, 3, 4, 5], (
        "append, extend, += and insert keep list order")
    assert len(layers) == 6 and layers[-1].w.item() == 5, "len and negative indexing"
    assert _names(layers.named_parameters())[:2] == ["0.w", "1.w"], "registered as '0', '1'"
    part = layers[2:4]
    assert type(part).__name__ == "ModuleList" and [m.w.item() for m in part] == [2, 3], "slicing"
    assert _names(part.named_children()) == ["0", "1"], (
        "a ModuleList slice is renumbered from 0")
    with pytest.raises(IndexError, match=exactly("index 6 is out of range")):
        layers[6]
    del layers[0]
    del layers[-2:]
    assert [m.w.item() for m in layers] == [1, 2, 3], "del of an index and of a slice"
    assert _names(layers.named_children()) == ["0", "1", "2"], (
        "after del, the children are renumbered from 0")


def test_module_list_inside_a_model():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(_Scale(v) for v in (2, 3))

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    net = Stack()
    assert [name for name, _ in net.named_parameters()] == ["layers.0.w", "layers.1.w"], (
        "dotted names")
    np.testing.assert_allclose(_values(net(ember.tensor([1.0]))), [6.0], err_msg="forward")
    net.eval()
    assert not net.layers[1].training, "eval reaches modules inside a ModuleList"


def test_module_dict():
    heads = nn.ModuleDict({"a": _Scale(1), "b": _AddOne()})
    heads["c"] = _Scale(3)
    heads.update([("d", _Scale(4))])
    assert list(heads.keys()) == ["a", "b", "c", "d"] and list(heads) == list(heads.keys()), (
        "keys in insertion order; iteration yields keys")
    assert "c" in heads and "z" not in heads and len(heads) == 4, "in and len"
    assert [k for k, _ in heads.items()] == list(heads.keys()), "items()"
    assert list(heads.values())[1] is heads["b"], "values() and []"
    assert _names(heads.named_parameters()) == ["a.w", "c.w", "d.w"], "children registered"
    popped = heads.pop("a")
    assert isinstance(popped, _Scale) and "a" not in heads, "pop removes and returns"


def test_container_reprs():
    seq = nn.Sequential(_Scale(2), nn.Sequential(_AddOne()))
    expected = ("Sequential(\n"
                "  (0): _Scale(value=2)\n"
                "  (1): Sequential(\n"
                "    (0): _AddOne()\n"
                "  )\n"
                ")")
    assert repr(seq) == expected, f"nested reprs indent by two spaces, got:\n{seq!r}"
    layers = nn.ModuleList([_Scale(1), _Scale(1), _Scale(1), _AddOne()])
    expected = ("ModuleList(\n"
                "  (0-2): 3 x _Scale(value=1)\n"
                "  (3): _AddOne()\n"
                ")")
    assert repr(layers) == expected, f"identical neighbours print once, got:\n{layers!r}"
    assert repr(nn.ModuleDict()) == "ModuleDict()", "empty container"

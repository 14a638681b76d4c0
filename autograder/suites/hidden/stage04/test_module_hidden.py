"""Stage 04 · hidden: ``nn.Module`` and containers, edge cases and error messages.

Oracle: PyTorch's behaviour and messages (``ember`` replaces ``torch``), hand-computed values.
"""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import ember
from autograder.suites import helpers
from autograder.suites.helpers import to_numpy

nn = ember.nn


class _Affine(nn.Module):
    def __init__(self, n=2, fill=1.0):
        super().__init__()
        self.w = nn.Parameter(ember.full((n,), fill))
        self.b = nn.Parameter(ember.zeros(n))
        self.register_buffer("mean", ember.zeros(n))

    def extra_repr(self):
        return f"n={self.w.shape[0]}"

    def forward(self, x):
        return x * self.w + self.b


class _Lines(nn.Module):
    def extra_repr(self):
        return "alpha=1\nbeta=2"


def _names(pairs):
    return [name for name, _ in pairs]


def _values(t):
    return to_numpy(t.detach())


def _key_error(text, fn, *args):
    """``fn(*args)`` must raise ``KeyError(text)`` (PyTorch's message, compared exactly)."""
    with pytest.raises(KeyError) as info:
        fn(*args)
    assert info.value.args[0] == text, f"expected KeyError({text!r}), got {info.value!r}"


def test_register_parameter_errors():
    m = _Affine()
    _key_error('parameter name can\'t contain "."', m.register_parameter, "a.b", None)
    _key_error('parameter name can\'t be empty string ""', m.register_parameter, "", None)
    with pytest.raises(TypeError, match="parameter name should be a string. Got int"):
        m.register_parameter(1, None)
    _key_error("attribute 'training' already exists", m.register_parameter, "training", None)
    with pytest.raises(TypeError, match=r"cannot assign 'ember\.FloatTensor' object to "
                                        r"parameter 'p' \(ember\.nn\.Parameter or None"):
        m.register_parameter("p", ember.ones(1))
    m.register_parameter("r", None)
    assert "r" in m._parameters and m.r is None, "a None parameter is registered as None"
    assert _names(m.named_parameters()) == ["w", "b"], "None parameters are skipped"


def test_register_buffer_and_add_module_errors():
    m = _Affine()
    _key_error("attribute 'w' already exists", m.register_buffer, "w", ember.ones(1))
    with pytest.raises(TypeError, match=r"cannot assign 'list' object to buffer 'x'"):
        m.register_buffer("x", [1.0])
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("k", 3)
    _key_error('module name can\'t contain ".", got: a.b', m.add_module, "a.b", nn.Module())
    _key_error("attribute 'b' already exists", m.add_module, "b", nn.Module())
    m.register_module("child", nn.Module())
    assert _names(m.named_children()) == ["child"], "register_module is add_module"
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module 'child' "
                                        r"\(ember\.nn\.Module or None expected\)"):
        m.child = 3
    with pytest.raises(TypeError, match=r"cannot assign 'str' as buffer 'mean'"):
        m.mean = "zero"


def test_assignment_before_init_raises():
    class Early(nn.Module):
        def __init__(self, what):
            if what == "module":
                self.m = nn.Module()
            else:
                self.register_buffer("b", ember.ones(1))

    with pytest.raises(AttributeError, match=r"cannot assign module before Module\.__init__"):
        Early("module")
    with pytest.raises(AttributeError, match=r"cannot assign buffer before Module\.__init__"):
        Early("buffer")


def test_reassignment_moves_names_between_dicts():
    m = _Affine()
    m.plain = 5
    m.plain = nn.Parameter(ember.ones(1))
    assert "plain" not in m.__dict__ and "plain" in _names(m.named_parameters()), (
        "a Parameter assigned over a plain attribute replaces it")
    with pytest.raises(TypeError, match=r"cannot assign 'ember\.nn\.modules\.module\.Module' "
                                        r"as parameter 'b' \(ember\.nn\.Parameter or None"):
        m.b = nn.Module()  # a parameter's name takes only a Parameter or None
    del m.b
    m.b = nn.Module()
    assert "b" in _names(m.named_children()) and "b" not in _names(m.named_parameters()), (
        "after del, the name is free")
    m.mean = ember.full((2,), 3.0)
    buffers = dict(m.named_buffers())
    assert "mean" in buffers and buffers["mean"].tolist() == [3.0, 3.0], (
        "assigning a tensor to a buffer's name updates the buffer")
    m.register_buffer("tmp", ember.ones(1), persistent=False)
    m.tmp = ember.zeros(1)
    assert "tmp" not in m.state_dict(), "re-assigning keeps a buffer non-persistent"
    del m.tmp
    assert "tmp" not in _names(m.named_buffers()), "del removes the buffer"
    assert "tmp" not in m.state_dict(), "a deleted buffer is not saved"
    m.register_buffer("tmp", ember.ones(1), persistent=False)
    m.register_buffer("tmp", ember.ones(1))
    assert "tmp" in m.state_dict(), (
        "registering a buffer again with persistent=True makes it persistent (the old "
        "non-persistent mark must go)")
    del m.tmp
    with pytest.raises(AttributeError):
        del m.nothing


def test_none_children_and_dir():
    m = nn.Module()
    m.a = _Affine(1)
    m.add_module("gap", None)
    m.c = _Affine(1)
    assert _names(m.named_modules()) == ["", "a", "c"], "None children are skipped"
    assert _names(m.named_children()) == ["a", "c"], "None children are not children"
    assert list(m.state_dict()) == ["a.w", "a.b", "a.mean", "c.w", "c.b", "c.mean"], "sd"
    assert repr(m) == ("Module(\n  (a): _Affine(n=1)\n  (gap): None\n"
                       "  (c): _Affine(n=1)\n)"), f"None children print as None, got\n{m!r}"
    listing = dir(m)
    assert "a" in listing and "forward" in listing and listing == sorted(listing), (
        "dir() lists registered members and methods, sorted")


def test_named_modules_options_and_shared_children():
    shared = _Affine(1)
    m = nn.Module()
    m.x = shared
    m.y = nn.Sequential(shared)
    assert _names(m.named_modules()) == ["", "x", "y"], "a shared module is listed once"
    assert _names(m.named_modules(remove_duplicate=False)) == ["", "x", "y", "y.0"]
    assert _names(m.named_modules(prefix="net")) == ["net", "net.x", "net.y"], "prefix"
    m.z = shared
    assert _names(m.named_children()) == ["x", "y"], "named_children lists a module once"
    assert _names(m.named_buffers()) == ["x.mean"], "a shared buffer once"
    assert _names(m.named_buffers(remove_duplicate=False)) == ["x.mean", "y.0.mean", "z.mean"]
    assert _names(m.named_parameters(recurse=False)) == [], "no own parameters"


def test_hook_order_prepend_and_kwargs():
    layer = _Affine(1)
    log = []
    layer.register_forward_pre_hook(lambda m, args: log.append("second"))
    layer.register_forward_pre_hook(lambda m, args: log.append("first"), prepend=True)
    layer.register_forward_pre_hook(lambda m, args: args[0] + 1)  # a bare value is wrapped
    layer.register_forward_hook(lambda m, args, kwargs, out: log.append(sorted(kwargs)),
                                with_kwargs=True)
    out = layer(ember.tensor([1.0]))
    assert log == ["first", "second", []], f"hooks in order, prepend first; got {log}"
    np.testing.assert_allclose(_values(out), [2.0], err_msg="x + 1 from the pre-hook")

    class Keyword(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(ember.ones(1))

        def forward(self, x, scale=1.0):
            return x * self.w * scale

    k = Keyword()
    k.register_forward_pre_hook(lambda m, args, kwargs: (args, {"scale": 5.0}),
                                with_kwargs=True)
    np.testing.assert_allclose(_values(k(ember.tensor([2.0]))), [10.0],
                               err_msg="a with_kwargs pre-hook returns (args, kwargs)")


def test_handles_remove_once_and_as_context_managers():
    layer = _Affine(1)
    with layer.register_forward_hook(lambda m, args, out: out * 0):
        np.testing.assert_allclose(_values(layer(ember.tensor([3.0]))), [0.0],
                                   err_msg="the hook runs inside the with block")
    np.testing.assert_allclose(_values(layer(ember.tensor([3.0]))), [3.0],
                               err_msg="leaving the with block removes the hook")
    handle = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    handle.remove()
    handle.remove()  # a second remove does nothing
    np.testing.assert_allclose(_values(layer(ember.tensor([3.0]))), [3.0],
                               err_msg="a removed forward pre-hook no longer runs")
    a, b = layer.register_forward_hook(print), layer.register_forward_hook(print)
    assert a.id != b.id, "each handle has its own id"


def test_hooks_of_children_run_inside_the_parent():
    seq = nn.Sequential(_Affine(1), _Affine(1))
    seen = []
    seq[1].register_forward_hook(lambda m, args, out: seen.append(_values(args[0]).tolist()))
    seq(ember.tensor([4.0]))
    assert seen == [[4.0]], f"a child's hook sees its own input, got {seen}"


def test_apply_initialises_every_layer():
    net = nn.Sequential(_Affine(2), nn.Sequential(_Affine(3)), _Affine(1))

    def init(m):
        if isinstance(m, _Affine):
            m.w.data.fill_(0.5)

    net.apply(init)
    assert all(np.all(_values(m.w) == 0.5) for m in net.modules() if isinstance(m, _Affine)), (
        "apply(fn) reaches every layer, nested ones included")


def test_freezing_with_requires_grad_():
    net = nn.Sequential(_Affine(2), _Affine(2))
    net[0].requires_grad_(False)
    out = net(ember.tensor([1.0, 2.0])).sum()
    out.backward()
    assert net[0].w.grad is None and net[1].w.grad is not None, (
        "frozen parameters get no gradient; the others do")
    assert net.requires_grad_() is net and all(p.requires_grad for p in net.parameters())


def test_zero_grad_set_to_none_false_keeps_tensors():
    layer = _Affine(2)
    (layer(ember.tensor([1.0, 2.0])) * 3).sum().backward()
    grad = layer.w.grad
    layer.zero_grad(set_to_none=False)
    assert layer.w.grad is grad and grad.tolist() == [0.0, 0.0], (
        "set_to_none=False zeroes the existing gradient tensors in place")
    assert not layer.w.grad.requires_grad, "a zeroed gradient does not require grad"


@helpers.beside_ember
def _state_dict_into_a_destination(module):
    dest = OrderedDict(existing=None)
    out = module.state_dict(destination=dest, prefix="layer.")
    return out is dest, list(dest)


def test_state_dict_destination_prefix_and_version():
    m = _Affine(1)
    same, keys = helpers.run_beside_ember(_state_dict_into_a_destination, m)
    assert same and keys == ["existing", "layer.w", "layer.b", "layer.mean"], (
        "state_dict(destination=..., prefix=...) adds prefixed keys to the given dict")
    sd = m.state_dict()
    sd["w"].fill_(9.0)
    assert m.w.item() == 9.0, "state_dict values share memory with the parameters (detach)"


def test_load_state_dict_assign_and_type_errors():
    src, dst = _Affine(2, fill=4.0), _Affine(2)
    sd = src.state_dict()
    dst.load_state_dict(sd, assign=True)
    assert isinstance(dst.w, nn.Parameter) and dst.w.requires_grad, (
        "assign=True wraps loaded tensors as Parameters that require grad")
    dst.w.data.fill_(1.0)
    assert sd["w"].tolist() == [1.0, 1.0], "assign=True keeps the loaded tensor's memory"
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got <class 'list'>"):
        dst.load_state_dict([("w", ember.ones(2))])
    bad = dict(sd, b=[0.0, 0.0])
    with pytest.raises(RuntimeError, match=r'While copying the parameter named "b", expected '
                                           r"ember\.Tensor or Tensor-like object from checkpoint "
                                           r"but received <class 'list'>"):
        dst.load_state_dict(bad, strict=False)


def test_load_state_dict_messages_list_every_key_in_order():
    net = nn.Sequential(_Affine(1), _Affine(1))
    sd = net.state_dict()
    for key in ("0.w", "1.mean"):
        del sd[key]
    sd["2.w"] = ember.ones(1)
    sd["0.extra"] = ember.ones(1)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Sequential:\n"
        '\tMissing key(s) in state_dict: "0.w", "1.mean". \n'
        '\tUnexpected key(s) in state_dict: "2.w", "0.extra". '), (
        f"keys in the order the walk meets them (the module's own, then each child's):\n"
        f"{info.value}")
    result = net.load_state_dict(sd, strict=False)
    assert repr(result) == ("_IncompatibleKeys(missing_keys=['0.w', '1.mean'], "
                            "unexpected_keys=['2.w', '0.extra'])"), repr(result)


def test_conversions_keep_parameter_objects():
    m = _Affine(2)
    w = m.w
    assert m.double() is m and m.w is w, "double() converts in place and keeps the Parameter"
    assert m.w.dtype == ember.float64 and m.mean.dtype == ember.float64, "params and buffers"
    m.to(ember.float32)
    assert m.w.dtype == ember.float32 and m.w.requires_grad, "to(dtype)"
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        m.to(ember.int64)


def test_get_submodule_and_get_parameter():
    net = nn.Sequential(OrderedDict(enc=nn.Sequential(_Affine(1))))
    assert net.get_submodule("enc.0") is net.enc[0] and net.get_submodule("") is net
    assert net.get_parameter("enc.0.w") is net.enc[0].w, "get_parameter by dotted name"
    with pytest.raises(AttributeError, match="Sequential has no attribute `nope`"):
        net.get_submodule("enc.nope")


def test_deepcopy_gives_independent_parameters():
    net = nn.Sequential(_Affine(2))
    clone = copy.deepcopy(net)
    clone[0].w.data.fill_(7.0)
    assert net[0].w.tolist() == [1.0, 1.0] and isinstance(clone[0].w, nn.Parameter), (
        "a deep copy has its own Parameters")
    assert list(clone.state_dict()) == list(net.state_dict()), "same keys"


def test_sequential_insert_extend_pop_add():
    a, b, c = _Affine(1), _Affine(2), _Affine(3)
    seq = nn.Sequential(a, c)
    seq.insert(1, b)
    assert list(seq) == [a, b, c] and _names(seq.named_children()) == ["0", "1", "2"], (
        "insert shifts")
    seq.insert(-1, _Affine(4))
    assert [m.w.shape[0] for m in seq] == [1, 2, 4, 3], "insert(-1) before the last"
    with pytest.raises(IndexError, match="Index out of range: 9"):
        seq.insert(9, a)
    assert seq.pop(0) is a and len(seq) == 3, "pop removes and returns"
    joined = seq + nn.Sequential(a)
    assert len(joined) == 4 and joined[-1] is a, "Sequential + Sequential"
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential"):
        seq + nn.ModuleList()
    del seq[0:2]
    assert _names(seq.named_children()) == ["0"] and seq[0].w.shape[0] == 3, "del slice renumbers"
    seq[-1] = a
    assert seq[0] is a, "setitem with a negative index"
    assert seq.extend([b, c]) is seq and len(seq) == 3, "extend"


def test_module_list_edge_cases():
    layers = nn.ModuleList()
    assert len(layers) == 0 and repr(layers) == "ModuleList()", "empty ModuleList"
    layers.extend(_Affine(i) for i in (1, 2, 3, 4))
    del layers[1:3]
    assert [m.w.shape[0] for m in layers] == [1, 4]
    assert _names(layers.named_children()) == ["0", "1"]
    assert layers.pop(-1).w.shape[0] == 4 and len(layers) == 1, "pop(-1)"
    both = layers + [_Affine(5)]
    assert type(both).__name__ == "ModuleList" and _names(both.named_children()) == ["0", "1"], (
        "ModuleList +")
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        layers.extend(3)
    layers[0] = _Affine(7)
    assert layers[0].w.shape[0] == 7, "setitem"
    with pytest.raises(NotImplementedError, match='Module \\[ModuleList\\] is missing the '
                                                  'required "forward" function'):
        layers(ember.ones(1))


def test_module_dict_update_and_errors():
    heads = nn.ModuleDict([("a", _Affine(1))])
    heads.update(OrderedDict(b=_Affine(2)))
    heads.update(nn.ModuleDict({"c": _Affine(3)}))
    heads["a"] = _Affine(9)
    assert list(heads) == ["a", "b", "c"] and heads["a"].w.shape[0] == 9, (
        "update accepts pairs, mappings and ModuleDicts; replacing keeps the position")
    with pytest.raises(ValueError, match="ModuleDict update sequence element #0 has length 3"):
        heads.update([("x", _Affine(1), 0)])
    with pytest.raises(TypeError, match="ModuleDict update sequence element #0 should be "
                                        "Iterable"):
        heads.update([3])
    with pytest.raises(TypeError, match="ModuleDict.update should be called with an iterable"):
        heads.update(3)
    with pytest.raises(KeyError):
        heads["missing"]
    del heads["b"]
    assert list(heads.keys()) == ["a", "c"], "del by key"
    heads.clear()
    assert len(heads) == 0 and list(heads.parameters()) == [], "clear"


def test_nested_reprs_with_multiline_extra_repr():
    net = nn.Sequential(_Lines(), nn.ModuleList([_Lines(), _Lines()]))
    expected = ("Sequential(\n"
                "  (0): _Lines(\n"
                "    alpha=1\n"
                "    beta=2\n"
                "  )\n"
                "  (1): ModuleList(\n"
                "    (0-1): 2 x _Lines(\n"
                "      alpha=1\n"
                "      beta=2\n"
                "    )\n"
                "  )\n"
                ")")
    assert repr(net) == expected, f"got\n{net!r}"
    named = nn.ModuleDict({"h": _Affine(2)})
    assert repr(named) == "ModuleDict(\n  (h): _Affine(n=2)\n)", repr(named)


def test_sgd_trains_only_registered_parameters():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.ModuleList([_Affine(1, 0.0), _Affine(1, 0.0)])
            self.head = nn.ModuleDict({"out": _Affine(1, 1.0)})

        def forward(self, x):
            for layer in self.body:
                x = layer(x)
            return self.head["out"](x)

    model = Model()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = ember.tensor([1.0]), ember.tensor([2.0])
    for _ in range(60):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    assert loss.item() < 1e-4, f"training through containers must converge, loss {loss.item()}"
    assert len(list(model.parameters())) == 6, "all six parameters are found through containers"

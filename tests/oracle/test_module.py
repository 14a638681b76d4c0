"""``nn.Module`` and the containers against torch: reprs, names, orders, state_dict keys,
load_state_dict results and error texts, attribute errors (``torch.`` read as ``ember.``)."""

import re
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember


def _norm(text):
    return re.sub(r"\btorch\b", "ember", str(text))


def _run(fn, lib):
    """``("ok", normalised result)`` or ``("raise", exception type name, message)``."""
    try:
        return ("ok", _norm(fn(lib)))
    except Exception as ex:  # noqa: BLE001 - the oracle compares any exception
        return ("raise", type(ex).__name__, _norm(ex))


def both(fn):
    """Run ``fn(torch)`` and ``fn(ember)``: same result text, or same exception and text."""
    expected, got = _run(fn, torch), _run(fn, ember)
    assert got == expected, f"torch: {expected}\nember: {got}"


def _classes(lib):
    nn = lib.nn

    class Affine(nn.Module):
        def __init__(self, n=2, fill=1.0):
            super().__init__()
            self.w = nn.Parameter(lib.full((n,), fill))
            self.register_buffer("mean", lib.zeros(n))
            self.b = nn.Parameter(lib.zeros(n))
            self.register_buffer("cache", lib.zeros(n), persistent=False)

        def extra_repr(self):
            return f"n={self.w.shape[0]}"

        def forward(self, x):
            return x * self.w + self.b

    class Multi(nn.Module):
        def extra_repr(self):
            return "first line\nsecond line"

    class Net(nn.Module):
        def __init__(self, fill=1.0):
            super().__init__()
            self.enc = Affine(2, fill)
            self.scale = nn.Parameter(lib.full((1,), fill))
            self.seq = nn.Sequential(Affine(2, fill), nn.Sequential(Multi()), Affine(3, fill))
            self.named = nn.Sequential(OrderedDict([("a", Affine(1)), ("b", Multi())]))
            self.ml = nn.ModuleList([Affine(2), Affine(2), Affine(2), Affine(3), Affine(2)])
            self.md = nn.ModuleDict({"p": Affine(1), "q": nn.Module(), "r": nn.ModuleList()})
            self.alias = self.enc
            self.empty = None
            self.register_buffer("count", lib.zeros(1))

        def forward(self, x):
            return self.seq[0](self.enc(x)) * self.scale

    return Affine, Multi, Net


def _net(lib, fill=1.0):
    return _classes(lib)[2](fill)


def _names(pairs):
    return [name for name, _ in pairs]


def test_repr_of_nested_modules_and_containers():
    both(lambda lib: repr(_net(lib)))
    both(lambda lib: repr(_net(lib).ml[1:]))
    both(lambda lib: repr(_net(lib).seq[1:]))
    both(lambda lib: repr(lib.nn.ModuleList([lib.nn.Module()] * 4)))
    both(lambda lib: repr(_classes(lib)[1]()))
    both(lambda lib: repr(lib.nn.Sequential()))


@pytest.mark.parametrize("kwargs", [{}, {"prefix": "m"}, {"recurse": False},
                                    {"remove_duplicate": False}])
def test_named_parameters_and_buffers(kwargs):
    both(lambda lib: _names(_net(lib).named_parameters(**kwargs)))
    both(lambda lib: _names(_net(lib).named_buffers(**kwargs)))


@pytest.mark.parametrize("kwargs", [{}, {"prefix": "m"}, {"remove_duplicate": False}])
def test_named_modules_children(kwargs):
    both(lambda lib: _names(_net(lib).named_modules(**kwargs)))
    both(lambda lib: _names(_net(lib).named_children()))
    both(lambda lib: [type(m).__name__ for m in _net(lib).modules()])
    both(lambda lib: sum(p.numel() for p in _net(lib).parameters()))


def test_state_dict_keys_values_and_keep_vars():
    both(lambda lib: list(_net(lib).state_dict()))
    both(lambda lib: list(_net(lib).state_dict(prefix="top.")))
    both(lambda lib: [type(v).__name__ for v in _net(lib).state_dict(keep_vars=True).values()])
    both(lambda lib: [v.requires_grad for v in _net(lib).state_dict().values()])


def _load(lib, edit, strict=True, assign=False):
    src, dst = _net(lib, 3.0), _net(lib, 0.0)
    sd = src.state_dict()
    edit(lib, sd)
    result = dst.load_state_dict(sd, strict=strict, assign=assign)
    values = {k: np.round(v.detach().numpy(), 4).tolist() for k, v in dst.state_dict().items()}
    return repr(result), tuple(result), values, [p.requires_grad for p in dst.parameters()]


def _drop(lib, sd):
    del sd["enc.w"], sd["seq.2.b"], sd["count"]


def _extra(lib, sd):
    sd["seq.9.w"] = lib.ones(1)
    sd["enc.zzz"] = lib.ones(1)
    sd["nothing"] = lib.ones(1)
    sd["enc.cache"] = lib.ones(2)  # non-persistent: unexpected


def _resize(lib, sd):
    sd["enc.w"] = lib.ones(3)
    sd["scale"] = lib.ones(2, 1)


def _not_tensor(lib, sd):
    sd["scale"] = [1.0]


@pytest.mark.parametrize("edit", [lambda lib, sd: None, _drop, _extra, _resize, _not_tensor,
                                  lambda lib, sd: (_drop(lib, sd), _extra(lib, sd))])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_results_and_errors(edit, strict):
    both(lambda lib: _load(lib, edit, strict))


def test_load_state_dict_assign_and_bad_input():
    both(lambda lib: _load(lib, lambda lib, sd: None, assign=True))
    both(lambda lib: _net(lib).load_state_dict([("scale", lib.ones(1))]))


def _setattr_cases(lib):
    nn = lib.nn
    Affine = _classes(lib)[0]

    def case(action):
        def run(lib):
            m = Affine()
            m.child = nn.Module()
            action(m)
            return (list(m._parameters), list(m._buffers), list(m._modules),
                    sorted(k for k in m.__dict__ if not k.startswith("_")))
        return run

    return [
        case(lambda m: setattr(m, "w", lib.ones(2))),
        case(lambda m: setattr(m, "w", None)),
        case(lambda m: setattr(m, "child", 3)),
        case(lambda m: setattr(m, "child", None)),
        case(lambda m: setattr(m, "mean", "text")),
        case(lambda m: setattr(m, "mean", None)),
        case(lambda m: setattr(m, "mean", lib.ones(5))),
        case(lambda m: setattr(m, "child", nn.Parameter(lib.ones(1)))),
        case(lambda m: setattr(m, "w", nn.Module())),
        case(lambda m: setattr(m, "plain", lib.ones(1))),
        case(lambda m: delattr(m, "w")),
        case(lambda m: delattr(m, "mean")),
        case(lambda m: delattr(m, "child")),
        case(lambda m: delattr(m, "nope")),
        case(lambda m: m.register_parameter("x.y", None)),
        case(lambda m: m.register_parameter("", None)),
        case(lambda m: m.register_parameter(3, None)),
        case(lambda m: m.register_parameter("training", None)),
        case(lambda m: m.register_parameter("p", lib.ones(1))),
        case(lambda m: m.register_parameter("p", nn.Parameter(lib.ones(1)) * 2)),
        case(lambda m: m.register_buffer("x.y", None)),
        case(lambda m: m.register_buffer("", None)),
        case(lambda m: m.register_buffer("w", lib.ones(1))),
        case(lambda m: m.register_buffer("buf", [1])),
        case(lambda m: m.register_buffer("nb", lib.ones(1), persistent=False)),
        case(lambda m: m.add_module("x.y", nn.Module())),
        case(lambda m: m.add_module("", nn.Module())),
        case(lambda m: m.add_module("w", nn.Module())),
        case(lambda m: m.add_module("k", 3)),
        case(lambda m: m.add_module(3, nn.Module())),
        case(lambda m: m.register_module("k", None)),
        case(lambda m: m.train(1)),
        case(lambda m: m.missing),
        case(lambda m: m.get_submodule("child.nope")),
        case(lambda m: m.get_submodule("w")),
        case(lambda m: m.get_parameter("child.w")),
        case(lambda m: m.get_parameter("mean")),
        case(lambda m: m.to(lib.int64)),
    ]


@pytest.mark.parametrize("index", range(38))
def test_attribute_routing_and_errors(index):
    both(lambda lib: _setattr_cases(lib)[index](lib))


def test_assignment_before_init():
    def run(kind):
        def fn(lib):
            class Early(lib.nn.Module):
                def __init__(self):
                    if kind == "param":
                        self.w = lib.nn.Parameter(lib.ones(1))
                    elif kind == "module":
                        self.m = lib.nn.Module()
                    else:
                        self.register_buffer("b", lib.ones(1))
            Early()
        return fn

    for kind in ("param", "module", "buffer"):
        both(run(kind))


def _container_cases(lib):
    nn = lib.nn
    Affine = _classes(lib)[0]

    def seq():
        return nn.Sequential(Affine(1), Affine(2), Affine(3), Affine(4))

    def keys(m):
        return list(m._modules), repr(m)

    def delete(m, idx):
        del m[idx]
        return m

    def setitem(m, idx, value):
        m[idx] = value
        return m

    def module_list():
        return nn.ModuleList([Affine(1), Affine(2), Affine(3)])

    return [
        lambda: keys(seq()[-2]), lambda: keys(seq()[1:3]), lambda: keys(seq()[::2]),
        lambda: seq()[4], lambda: seq()[-5], lambda: seq()["0"],
        lambda: keys(delete(seq(), 1)), lambda: keys(delete(seq(), slice(0, 2))),
        lambda: keys(delete(seq(), -1)), lambda: keys(setitem(seq(), -1, Affine(9))),
        lambda: keys(seq().append(Affine(7))), lambda: keys(seq().insert(1, Affine(7))),
        lambda: keys(seq().insert(-1, Affine(7))), lambda: seq().insert(9, Affine(7)),
        lambda: keys(seq().extend([Affine(5)])), lambda: keys(seq() + seq()),
        lambda: seq() + module_list(), lambda: keys(seq().pop(0)), lambda: len(seq()),
        lambda: keys(module_list()[-1]), lambda: keys(module_list()[1:]),
        lambda: module_list()[3], lambda: keys(delete(module_list(), slice(0, 2))),
        lambda: keys(delete(module_list(), 0)), lambda: keys(setitem(module_list(), 1, Affine(9))),
        lambda: keys(module_list() + module_list()), lambda: keys(module_list().extend([])),
        lambda: module_list().extend(3), lambda: keys(module_list().pop(1)),
        lambda: module_list()(1),
        lambda: keys(nn.ModuleDict([("a", Affine(1)), ["b", Affine(2)]])),
        lambda: nn.ModuleDict([("a", Affine(1), 3)]), lambda: nn.ModuleDict([3]),
        lambda: nn.ModuleDict(3), lambda: nn.ModuleDict({"a": 3}),
        lambda: nn.ModuleDict({"a": Affine(1)})["b"],
        lambda: sorted(k for k in dir(seq()) if not k.startswith("_"))
        == sorted(k for k in dir(seq()) if not k.startswith("_") and not k.isdigit()),
    ]


@pytest.mark.parametrize("index", range(37))
def test_containers(index):
    both(lambda lib: _container_cases(lib)[index]())


def test_module_list_inplace_operations():
    def run(lib):
        Affine = _classes(lib)[0]
        layers = lib.nn.ModuleList([Affine(1)])
        layers += [Affine(2)]
        layers.insert(0, Affine(3))
        layers.insert(1, Affine(4))
        d = lib.nn.ModuleDict({"x": Affine(1)})
        d.update(OrderedDict(y=Affine(2)))
        d.update(lib.nn.ModuleDict({"z": Affine(3)}))
        popped = d.pop("x")
        return (repr(layers), _names(layers.named_parameters()), list(d.keys()), repr(popped),
                "y" in d, len(d), repr(d))
    both(run)
    # torch's ModuleList.insert does not normalise negative indices (a KeyError); ours neither
    both(lambda lib: lib.nn.ModuleList([lib.nn.Module()]).insert(-1, lib.nn.Module()))


def test_hooks_modes_apply_and_grads():
    def run(lib):
        Affine = _classes(lib)[0]
        m = Affine(2)
        log = []
        m.register_forward_pre_hook(lambda mod, args: log.append("pre1"))
        m.register_forward_pre_hook(lambda mod, args: log.append("pre0"), prepend=True)
        m.register_forward_pre_hook(lambda mod, args, kw: ((args[0] * 2,), kw),
                                    with_kwargs=True)
        h = m.register_forward_hook(lambda mod, args, out: out + 100)
        m.register_forward_hook(lambda mod, args, kw, out: log.append(("kw", kw)),
                                with_kwargs=True)
        with m.register_forward_hook(lambda mod, args, out: out * 0):
            pass  # the context manager removes the hook
        out = m(lib.tensor([1.0, 2.0]))
        h.remove()
        h.remove()
        out2 = m(lib.tensor([1.0, 2.0]))
        net = _net(lib)
        net.eval()
        modes = [mod.training for mod in net.modules()]
        net.seq.train()
        modes += [mod.training for mod in net.modules()]
        order = []
        net.apply(lambda mod: order.append(type(mod).__name__))
        net(lib.ones(2)).sum().backward()
        net.zero_grad(set_to_none=False)
        grads = [None if p.grad is None else p.grad.tolist() for p in net.parameters()]
        net.requires_grad_(False)
        return (out.tolist(), out2.tolist(), log, modes, order, grads,
                [p.requires_grad for p in net.parameters()])
    both(run)


def test_dtype_conversion():
    def run(lib):
        net = _net(lib)
        net.double()
        first = [str(p.dtype) for p in net.parameters()] + [str(b.dtype) for b in net.buffers()]
        net.to(lib.float32)
        return first, [str(t.dtype) for t in net.state_dict().values()]
    both(run)


def test_incompatible_keys_repr():
    both(lambda lib: repr(lib.nn.Module().load_state_dict({})))
    both(lambda lib: str(lib.nn.Module().load_state_dict({"a": lib.ones(1)}, strict=False)))

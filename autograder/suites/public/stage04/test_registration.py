"""Stage 04 · registration: ``__setattr__`` and ``__getattr__`` route members to their dicts.

Oracle: PyTorch's behaviour, names and messages (``ember`` replaces ``torch``). An
``nn.Module`` keeps its parameters, buffers and children in three dicts named as in PyTorch
(``_parameters``, ``_buffers``, ``_modules``); these tests read those dicts directly, so they
need the registration of exercise 1 and none of the walkers (``named_parameters``,
``children``, ...) of exercise 2.
"""

import pytest

import ember

nn = ember.nn


class _Affine(nn.Module):
    """``x * w + b`` with ``n`` features and a step counter buffer."""

    def __init__(self, n=2):
        super().__init__()
        self.w = nn.Parameter(ember.ones(n))
        self.b = nn.Parameter(ember.zeros(n))
        self.register_buffer("steps", ember.zeros(1))


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = _Affine(2)
        self.scale = nn.Parameter(ember.tensor([3.0]))
        self.inner = nn.Module()
        self.inner.second = _Affine(3)
        self.note = "plain attribute"


class _NoInit(nn.Module):
    def __init__(self):
        self.w = nn.Parameter(ember.ones(1))  # forgot super().__init__()


def test_setattr_registers_parameters_modules_and_keeps_plain_attributes():
    net = _Net()
    assert list(net._parameters) == ["scale"], (
        f"a Parameter assigned to self goes into _parameters, got {list(net._parameters)}")
    assert list(net._modules) == ["first", "inner"], (
        f"sub-modules go into _modules in assignment order, got {list(net._modules)}")
    assert list(net.first._buffers) == ["steps"], "register_buffer fills _buffers"
    assert list(net.first._parameters) == ["w", "b"], "each module has its own dicts"
    assert net.__dict__.get("note") == "plain attribute", "plain values stay plain attributes"
    assert "scale" not in net.__dict__ and "first" not in net.__dict__, (
        "registered members live in the dicts, not in __dict__ (so __getattr__ finds them)")
    assert net.scale is net._parameters["scale"] and net.first is net._modules["first"], (
        "attribute access must return the registered objects (through __getattr__)")
    assert net.first.steps is net.first._buffers["steps"], "buffers are found the same way"
    t = ember.ones(2)
    net.plain_tensor = t
    assert "plain_tensor" not in net._parameters and net.plain_tensor is t, (
        "a plain tensor (not a Parameter) is an ordinary attribute, not a parameter")


def test_getattr_raises_attribute_error():
    net = _Net()
    with pytest.raises(AttributeError, match="'_Net' object has no attribute 'fist'"):
        _ = net.fist  # a typo must fail loudly, never return None
    assert not hasattr(net, "missing"), "hasattr relies on AttributeError"
    assert hasattr(net, "first") and hasattr(net, "scale"), "registered members are found"


def test_setattr_errors_and_reassignment():
    net = _Net()
    with pytest.raises(TypeError, match=r"cannot assign 'ember\.FloatTensor' as parameter "
                                        r"'scale' \(ember\.nn\.Parameter or None expected\)"):
        net.scale = ember.ones(1)
    net.scale = None
    assert net.scale is None and "scale" in net._parameters, "a parameter can be set to None"
    net.first = nn.Parameter(ember.ones(1))
    assert "first" not in net._modules and "first" in net._parameters, (
        "assigning a Parameter to a module's name replaces the module")
    with pytest.raises(AttributeError, match=r"cannot assign parameters before "
                                             r"Module\.__init__\(\) call"):
        _NoInit()
    del net.first
    assert "first" not in net._parameters, "del removes a registered parameter"


def test_register_methods_check_what_they_are_given():
    net = nn.Module()
    net.register_parameter("w", nn.Parameter(ember.ones(2)))
    net.register_buffer("running", ember.zeros(2), persistent=False)
    net.add_module("0", _Affine(2))
    assert list(net._parameters) == ["w"] and list(net._buffers) == ["running"], (
        "register_parameter and register_buffer fill their dicts")
    assert net._modules["0"] is getattr(net, "0"), "add_module registers a child by any name"
    assert "running" in net._non_persistent_buffers_set, (
        "persistent=False is remembered, so that state_dict can leave the buffer out")
    with pytest.raises(TypeError, match=r"cannot assign 'ember\.FloatTensor' object to "
                                        r"parameter 'v' \(ember\.nn\.Parameter or None "
                                        r"required\)"):
        net.register_parameter("v", ember.ones(2))
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        net.register_buffer("training", ember.zeros(1))
    # str() of a KeyError is the repr of its message, which escapes the apostrophe.
    with pytest.raises(KeyError, match=r"module name can\\?'t contain \"\.\", got: a\.b"):
        net.add_module("a.b", _Affine(2))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        net.add_module("one", 1)

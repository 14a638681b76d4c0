"""Hidden · stage 04: what a module shares with the tensors it was given or hands out.

PyTorch's rules, each checked by writing to one side and reading the other:

* ``state_dict()`` values are detached tensors that share the parameters' memory (a
  checkpoint is a view until it is saved or cloned);
* ``load_state_dict`` copies the values into the existing parameters: editing the loaded
  dict afterwards leaves the model alone, and the parameters stay the same objects;
* ``register_buffer(name, t)`` keeps ``t`` itself (the module's buffer *is* ``t``).
"""

import numpy as np

import ember

nn = ember.nn


def test_state_dict_values_share_the_parameters_memory():
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    with ember.no_grad():
        layer.weight.mul_(0.0)
    assert np.all(state["weight"].numpy() == 0.0), (
        "state_dict() must return detached views of the parameters (PyTorch shares their "
        "memory), not copies: an in-place change to the weight did not show in it")
    assert not state["weight"].requires_grad, "state_dict values are detached"


def test_load_state_dict_copies_into_the_same_parameters():
    source, target = nn.Linear(3, 2), nn.Linear(3, 2)
    weight = target.weight
    state = source.state_dict()
    target.load_state_dict(state)
    assert target.weight is weight, "load_state_dict keeps the parameters (optimizers hold them)"
    expected = source.weight.detach().numpy().copy()
    with ember.no_grad():
        source.weight.add_(1.0)  # also changes state["weight"], a view of it
    np.testing.assert_allclose(target.weight.detach().numpy(), expected, err_msg=(
        "after load_state_dict the model shares memory with the loaded dict: the values "
        "must be copied into the parameters (param.copy_(value))"))
    with ember.no_grad():
        target.bias.mul_(0.0)
    assert not np.all(source.bias.detach().numpy() == 0.0), (
        "editing the loaded model changed the model the state came from")


def test_register_buffer_keeps_the_tensor_itself():
    m = nn.Module()
    t = ember.zeros(3)
    m.register_buffer("running", t)
    t.numpy()[0] = 5.0
    assert m.running.tolist() == [5.0, 0.0, 0.0] and dict(m.named_buffers())["running"] is t, (
        "register_buffer must store the given tensor itself (PyTorch does not copy it)")

"""Hidden · stage 02: gradients and optimizer state never alias someone else's array.

The engine hands one gradient array to several places (``a + b`` gives the same array to
both inputs; an identity backward passes the caller's ``gradient`` straight through), so
whatever keeps a gradient must keep its own copy, as PyTorch does:

* ``x.grad`` is not the ``gradient`` passed to ``backward``, nor another leaf's ``.grad``;
* accumulating a second backward never writes into the caller's ``gradient``;
* SGD's ``momentum_buffer`` (``optimizer.state[p]``) starts as a copy of ``p.grad``.

Each test writes to one side in place and reads the other.
"""

import numpy as np

import ember
from autograder.suites.helpers import grad_of


def test_leaf_grad_is_not_the_gradient_passed_to_backward():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    g = ember.tensor([0.5, -1.0, 2.0])
    (x + 0.0).backward(g)
    g.numpy()[0] = 100.0
    np.testing.assert_array_equal(grad_of(x), [0.5, -1.0, 2.0], err_msg=(
        "x.grad changed when the caller edited the gradient it passed to backward: "
        "the first gradient a leaf receives must be copied into .grad"))
    x.grad.numpy()[1] = -7.0
    assert g.tolist() == [100.0, -1.0, 2.0], "editing x.grad changed the caller's gradient"


def test_accumulating_a_second_backward_leaves_the_gradient_alone():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    g = ember.tensor([1.0, 3.0])
    y = x * 1.0 + 0.0
    y.backward(g, retain_graph=True)
    y.backward(g)
    assert g.tolist() == [1.0, 3.0], (
        "the second backward wrote into the caller's gradient tensor (x.grad aliased it and "
        "was accumulated in place)")
    np.testing.assert_array_equal(grad_of(x), [2.0, 6.0], err_msg="two backwards add up")


def test_two_leaves_fed_the_same_gradient_get_their_own_grads():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(ember.tensor([1.0, -1.0]))
    a.grad.numpy()[0] = 50.0
    np.testing.assert_array_equal(grad_of(b, "b"), [1.0, -1.0], err_msg=(
        "a.grad and b.grad are the same array (a + b hands both the same gradient): "
        "editing a.grad changed b.grad"))


def test_a_used_twice_accumulates_into_its_own_array():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    g = ember.tensor([2.0, 5.0])
    (x + x).backward(g)
    np.testing.assert_array_equal(grad_of(x), [4.0, 10.0], err_msg="d(x + x)/dx = 2")
    assert g.tolist() == [2.0, 5.0], "backward of x + x wrote into the caller's gradient"


def test_sgd_momentum_buffer_is_a_copy_of_the_gradient():
    p = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    (p * ember.tensor([3.0, 4.0])).sum().backward()
    opt.step()
    buffer = opt.state[p]["momentum_buffer"]
    np.testing.assert_allclose(buffer.numpy(), [3.0, 4.0], err_msg=(
        "after the first step the momentum buffer is the gradient"))
    p.grad.numpy()[:] = 0.0  # what zero_grad(set_to_none=False) or a hook may do in place
    np.testing.assert_allclose(buffer.numpy(), [3.0, 4.0], err_msg=(
        "the momentum buffer changed when p.grad was edited in place: the first buffer must "
        "be a copy of the gradient (PyTorch: torch.clone(grad).detach())"))
    p.grad.numpy()[:] = [1.0, 1.0]
    opt.step()
    # buf = 0.9 * [3, 4] + [1, 1]; p = [1, -2] - 0.1 * [3, 4] - 0.1 * buf
    np.testing.assert_allclose(p.detach().numpy(), [1.0 - 0.3 - 0.37, -2.0 - 0.4 - 0.46],
                               rtol=1e-6, err_msg="the second step uses the copied buffer")

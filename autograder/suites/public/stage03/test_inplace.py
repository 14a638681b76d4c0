"""Stage 03 · inplace: in-place ops, version counters and what they mean for autograd.

Oracle: PyTorch's behaviour and messages (``ember`` replaces ``torch``): in-place ops
return the tensor itself; every tensor has a version counter, shared with its views, that
each in-place change bumps; autograd refuses in-place changes to leaves that require grad
and to tensors that a backward formula saved, and stays correct through in-place changes to
other intermediate results.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_tensor, grad_of

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
MODIFIED = ("one of the variables needed for gradient computation has been modified by an "
            "inplace operation")


def test_inplace_methods_change_the_tensor_and_return_it():
    t = ember.tensor([1.0, 2.0, 3.0])
    for name, call, want in [
        ("add_(1)", lambda: t.add_(1), [2.0, 3.0, 4.0]),
        ("mul_(2)", lambda: t.mul_(2), [4.0, 6.0, 8.0]),
        ("sub_(tensor)", lambda: t.sub_(ember.tensor([1.0, 1.0, 2.0])), [3.0, 5.0, 6.0]),
        ("div_(2)", lambda: t.div_(2), [1.5, 2.5, 3.0]),
        ("clamp_(2, 2.75)", lambda: t.clamp_(2.0, 2.75), [2.0, 2.5, 2.75]),
        ("fill_(7)", lambda: t.fill_(7), [7.0, 7.0, 7.0]),
        ("copy_([1, 2, 3])", lambda: t.copy_(ember.tensor([1, 2, 3])), [1.0, 2.0, 3.0]),
        ("zero_()", lambda: t.zero_(), [0.0, 0.0, 0.0]),
    ]:
        out = call()
        assert out is t, f"t.{name} must return t itself (same object)"
        assert_tensor(t, want, ember.float32, what=f"t after t.{name}")
    w = ember.ones(3, requires_grad=True)
    for name, call in [("add_", lambda: w.add_(1)), ("mul_", lambda: w.mul_(2)),
                       ("zero_", lambda: w.zero_()), ("clamp_", lambda: w.clamp_(0, 1)),
                       ("copy_", lambda: w.copy_(ember.zeros(3)))]:
        with pytest.raises(RuntimeError, match=LEAF_INPLACE):
            call()  # the same methods refuse a leaf that requires grad
        assert w.detach().tolist() == [1.0, 1.0, 1.0], f"a refused w.{name} must not change w"


def test_augmented_assignment_is_in_place():
    t = ember.tensor([1.0, 2.0])
    alias = t
    before = t._version
    t += 1
    t -= ember.tensor([0.5, 0.5])
    t *= 4
    t /= 2
    assert t is alias, "t += ... must modify t in place (__iadd__ returns self)"
    assert_tensor(alias, [3.0, 5.0], ember.float32, what="((t + 1 - 0.5) * 4) / 2")
    assert t._version == before + 4, f"four in-place ops bump _version by 4, got {t._version}"
    # The counter's purpose: backward notices that a saved value changed.
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    h = a * 1
    s = h * h  # saves h at version 0
    h += 1
    assert h._version == 1
    with pytest.raises(RuntimeError, match=MODIFIED):
        s.sum().backward()


def test_inplace_on_a_view_changes_the_base_and_shares_the_version():
    t = ember.ones(2, 3)
    v = t[:, 1]
    assert t._version == 0 and v._version == 0, "new tensors start at version 0"
    v.mul_(5)
    assert_tensor(t, [[1, 5, 1], [1, 5, 1]], ember.float32, what="t after t[:, 1].mul_(5)")
    assert t._version == 1 and v._version == 1, (
        f"a view shares its base's version counter: t {t._version}, view {v._version}")
    t.add_(1)
    assert v._version == 2, "changing the base bumps the view's version too"
    # So writing through a view is caught when the base was saved for backward.
    a = ember.ones(2, 2, requires_grad=True)
    h = a * 2
    s = (h * h).sum()  # saves h
    h[0].mul_(3)       # a view of h: same counter
    with pytest.raises(RuntimeError, match=MODIFIED):
        s.backward()


def test_inplace_on_a_leaf_that_requires_grad_raises():
    w = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=LEAF_INPLACE):
        w.add_(1)
    with pytest.raises(RuntimeError, match=LEAF_INPLACE):
        w *= 2
    with ember.no_grad():
        w.sub_(0.5)  # allowed: this is how optimizers update parameters
    assert_tensor(w.detach(), [0.5, 0.5, 0.5], ember.float32, what="w after no_grad sub_")
    assert w.is_leaf and w.requires_grad


def test_modifying_a_saved_tensor_makes_backward_raise():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = a * 3
    c = b * b  # saves b for backward
    b.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED) as info:
        c.sum().backward()
    assert "is at version 1; expected version 0 instead" in str(info.value), (
        f"the message must give the versions (b was saved at 0, is now at 1): {info.value}")


def test_gradients_through_inplace_ops_on_intermediates():
    a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    b.add_(1)          # b = 2a + 1
    b.mul_(ember.tensor([1.0, 2.0, 3.0]))  # b = (2a + 1) * [1, 2, 3]
    assert b.grad_fn is not None and not b.is_leaf, "after in-place ops b still has a grad_fn"
    b.backward(ember.tensor([1.0, 1.0, -1.0]))
    np.testing.assert_allclose(grad_of(a, "a"), [2.0, 4.0, -6.0],
                               err_msg="d/da of (2a + 1) * w is 2w, times the upstream")
    c = b.sin()  # saves b (at version 2)
    b.div_(2)
    with pytest.raises(RuntimeError, match=MODIFIED + r".*is at version 3; expected version 2"):
        c.sum().backward()


def test_inplace_on_a_view_of_an_intermediate_keeps_gradients_correct():
    a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 1
    b[1:].mul_(3)
    b.sum().backward()
    np.testing.assert_allclose(grad_of(a, "a"), [1.0, 3.0, 3.0],
                               err_msg="b = a; b[1:] *= 3: the last two elements scale by 3")
    c = b.log()  # saves b
    b[:1].add_(1)  # through a view: b's version moves too
    with pytest.raises(RuntimeError, match=MODIFIED):
        c.sum().backward()

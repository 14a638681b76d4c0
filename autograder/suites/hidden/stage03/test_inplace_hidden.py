"""Hidden · stage 03: in-place corner cases (saved outputs, versions, copy_, broadcasting).

Oracle: PyTorch's behaviour and messages, checked against PyTorch 2.13 while writing.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_tensor, check_grad, grad_of

MODIFIED = ("one of the variables needed for gradient computation has been modified by an "
            "inplace operation")


def test_version_numbers_in_the_error_count_every_change():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = a * 3
    b.add_(1)
    b.add_(1)
    c = b * b  # saved at version 2
    b.add_(1)
    assert b._version == 3
    with pytest.raises(RuntimeError, match=MODIFIED + r".*is at version 3; expected version 2"):
        c.sum().backward()


def test_modifying_the_saved_input_of_a_unary_op_raises():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    s = h.sin()  # sin's backward needs cos(h): it saves h
    h.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        s.sum().backward()


def test_an_unsaved_tensor_may_be_modified():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = a * 3
    c = b + b  # add saves nothing
    d = b.sin()  # sin saves b
    b.add_(1)
    c.sum().backward()
    np.testing.assert_allclose(grad_of(a, "a"), [6.0, 6.0],
                               err_msg="add does not need its inputs: no error, correct grad")
    with pytest.raises(RuntimeError, match=MODIFIED):
        d.sum().backward()


def test_clamp_div_zero_fill_on_intermediates():
    a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    b.clamp_(0.0, 4.0)
    b.sum().backward()
    np.testing.assert_allclose(grad_of(a, "a"), [2.0, 2.0, 0.0], err_msg="clamp_(0, 4) of 2a")
    a2 = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b2 = a2 * 2
    b2.div_(ember.tensor([1.0, 2.0, 4.0]))
    b2.sum().backward()
    np.testing.assert_allclose(grad_of(a2, "a2"), [2.0, 1.0, 0.5], err_msg="div_ by a tensor")
    for name in ("zero_", "fill_"):
        a3 = ember.tensor([1.0, 2.0], requires_grad=True)
        b3 = a3 * 2
        getattr(b3, name)(*(() if name == "zero_" else (3.0,)))
        b3.sum().backward()
        np.testing.assert_allclose(grad_of(a3, "a3"), [0.0, 0.0],
                                   err_msg=f"after {name} b no longer depends on a")
    w = ember.ones(3, requires_grad=True)
    for call in (lambda: w.clamp_(0, 1), lambda: w.div_(2), lambda: w.fill_(2),
                 lambda: w.sub_(1)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            call()


def test_copy_into_a_slice_routes_gradients_to_the_source():
    a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = ember.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    b[:2].copy_(s * 5)
    b.sum().backward()
    np.testing.assert_allclose(grad_of(a, "a"), [0.0, 0.0, 1.0], err_msg="overwritten by copy_")
    np.testing.assert_allclose(grad_of(s, "s"), [5.0, 5.0], err_msg="copy_ source gets 5")
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is "
                                           "being used in an in-place operation."):
        a[:2].copy_(ember.zeros(2))


def test_accumulating_into_a_tensor_that_does_not_require_grad():
    total = ember.zeros(2)
    b = ember.tensor([1.0, 2.0], requires_grad=True)
    total += b * b
    assert total.requires_grad and not total.is_leaf, (
        "adding a tensor that requires grad in place makes the target part of the graph")
    saved = total * total
    total += b
    with pytest.raises(RuntimeError, match=MODIFIED):
        saved.sum().backward()
    total.sum().backward()
    np.testing.assert_allclose(grad_of(b, "b"), [2.0 + 1.0, 4.0 + 1.0],
                               err_msg="total = 0 + b*b + b: dtotal/db = 2b + 1")


def test_inplace_broadcasting_rules():
    t = ember.ones(2, 3)
    t.add_(ember.tensor([1.0, 2.0, 3.0]))
    assert_tensor(t, [[2, 3, 4], [2, 3, 4]], ember.float32, what="(2,3).add_((3,))")
    with pytest.raises(RuntimeError,
                       match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        ember.ones(3).add_(ember.ones(2, 3))
    assert t.add_(ember.ones(3), alpha=3) is t
    assert_tensor(t, [[5, 6, 7], [5, 6, 7]], ember.float32, what="add_(other, alpha=3)")
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        ember.ones(3, requires_grad=True).add_(ember.ones(2, 3))  # the leaf check comes first


def test_integer_tensor_cannot_take_a_float_result_in_place():
    t = ember.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Long"):
        t /= 2
    t += 3
    assert_tensor(t, [4, 5], ember.int64, what="int64 t += 3")
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    h = a * 1
    s = (h * h).sum()
    h /= 2  # float in place: fine, but h was saved
    with pytest.raises(RuntimeError, match=MODIFIED):
        s.backward()


def test_gradcheck_through_a_chain_of_inplace_ops():
    def f(x):
        y = x * 1
        y.mul_(x)
        y.add_(x.exp())
        y[0].div_(3.0)
        return y

    check_grad(f, (3,), what="y = x; y *= x; y += exp(x); y[0] /= 3")
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.mul_(x)

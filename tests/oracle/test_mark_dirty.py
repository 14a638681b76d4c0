"""``ctx.mark_dirty``: custom Functions that modify an input in place, against torch.

The same code runs for ``m`` = ``torch`` and ``ember``; the tests compare identities
(the dirtied input *is* the output), version counters, node names, gradients, warnings
and error messages.
"""

import warnings

import numpy as np
import pytest
import torch

import ember

MODULES = pytest.mark.parametrize("m", [torch, ember], ids=["torch", "ember"])
A = np.array([1.0, -2.0, 3.0, 0.5])


def leaf(m, requires_grad=True):
    return m.tensor(A, dtype=m.float64, requires_grad=requires_grad)


def increment(m):
    """x += 1 in place; d/dx = 1 (backward doubles it to tell the node apart)."""
    class Inc(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    return Inc


def error(fn):
    """The message of the RuntimeError ``fn()`` raises, or None."""
    try:
        fn()
    except RuntimeError as exc:
        return str(exc)
    return None


def run(fn):
    return fn(torch), fn(ember)


def test_the_dirtied_input_becomes_the_output():
    def dirty(m):
        a = leaf(m)
        b = a.clone()
        version = b._version
        out = increment(m).apply(b)
        node = type(b.grad_fn).__name__
        parent = type(b.grad_fn.next_functions[0][0]).__name__
        (b * b).sum().backward()
        return (out is b, b._version - version, node, parent, b.detach().numpy().tolist(),
                a.grad.numpy().tolist())

    expected, actual = run(dirty)
    assert actual == expected
    assert expected[:4] == (True, 2, "IncBackward", "CloneBackward0")


def test_without_a_graph_the_version_is_still_bumped():
    def untracked(m):
        c = leaf(m, requires_grad=False)
        out = increment(m).apply(c)
        with m.no_grad():
            d = leaf(m)  # a leaf that requires grad may change under no_grad
            increment(m).apply(d)
        return out is c, c._version, c.requires_grad, d._version, d.grad_fn is None

    assert run(untracked)[1] == run(untracked)[0] == (True, 2, False, 2, True)


def test_a_leaf_that_requires_grad_cannot_be_dirtied():
    messages = run(lambda m: error(lambda: increment(m).apply(leaf(m))))
    assert messages[1] == messages[0] == ("a leaf Variable that requires grad has been used "
                                          "in an in-place operation.")


def test_a_view_of_such_a_leaf_neither():
    messages = run(lambda m: error(lambda: increment(m).apply(leaf(m)[:2])))
    assert messages[1] == messages[0] == ("a view of a leaf Variable that requires grad is "
                                          "being used in an in-place operation.")


def not_returned(m):
    class Leaky(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 6

    return Leaky


@pytest.mark.parametrize("requires_grad", [True, False])
def test_a_dirtied_input_must_be_returned(requires_grad):
    def leaky(m):
        x = leaf(m, requires_grad).clone()
        return error(lambda: not_returned(m).apply(x))

    expected, actual = run(leaky)
    assert actual == expected == ("Some elements marked as dirty during the forward method "
                                  "were not returned as output. The inputs that are modified "
                                  "inplace must all be outputs of the Function.")


def test_marking_a_tensor_that_is_not_an_input_warns():
    def stranger(m):
        class Fresh(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                t = x * 2
                ctx.mark_dirty(t)
                return t

            @staticmethod
            def backward(ctx, grad):
                return grad * 2

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = Fresh.apply(leaf(m))
        y.sum().backward()
        return [str(w.message).split(" (Triggered")[0] for w in caught], y.requires_grad

    expected, actual = run(stranger)
    assert actual == expected
    assert expected[0] == ["ctx.mark_dirty() received a tensor that was not an input. Only "
                           "input Tensors that have been mutated should be passed to "
                           "ctx.mark_dirty()."]


def test_a_dirtied_view_rewrites_its_base():
    def view(m):
        base = (leaf(m) * 1).clone()
        v = base[:2]
        increment(m).apply(v)
        names = type(v.grad_fn).__name__, type(base.grad_fn).__name__
        weights = m.tensor([1.0, 2.0, 3.0, 4.0], dtype=m.float64)
        start = base.grad_fn
        (base * weights).sum().backward()
        return names, base.detach().numpy().tolist(), start is not None

    expected, actual = run(view)
    assert actual == expected
    assert expected[0] == ("AsStridedBackward0", "CopySlices")


def test_a_dirtied_view_gives_the_gradient_of_its_base():
    def grads(m):
        a = leaf(m)
        base = a * 1
        increment(m).apply(base[1:3])
        (base * base).sum().backward()
        return a.grad.numpy().tolist()

    expected, actual = run(grads)
    assert actual == expected


def test_a_dirtied_input_that_needs_no_grad_joins_the_graph():
    def add_into(m):
        class AddInto(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                x.add_(y)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad, grad * 3

        x, y = leaf(m, requires_grad=False), leaf(m)
        out = AddInto.apply(x, y)
        (out * out).sum().backward()
        return out is x, x.requires_grad, type(x.grad_fn).__name__, y.grad.numpy().tolist()

    expected, actual = run(add_into)
    assert actual == expected
    assert expected[:3] == (True, True, "AddIntoBackward")


def test_a_tensor_saved_before_the_change_is_detected_as_stale():
    def stale(m):
        c = leaf(m) * 1
        d = c * c  # saves c at version 0
        increment(m).apply(c)
        return error(lambda: d.sum().backward())

    expected, actual = run(stale)
    assert expected is not None and actual is not None
    # The version numbers are the point: mark_dirty's bump comes on top of add_'s. (Which
    # node the message names differs: torch names the tensor's node now, ember the one
    # that made it when it was saved.)
    head = ("one of the variables needed for gradient computation has been modified by an "
            "inplace operation: [{}.DoubleTensor [4]], which is output 0 of ")
    assert expected.startswith(head.format("torch"))
    assert actual.startswith(head.format("ember"))
    for message in (expected, actual):
        assert "is at version 2; expected version 0 instead." in message


def test_saving_the_dirtied_input_is_allowed():
    def save_dirty(m):
        class Double(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                ctx.save_for_backward(x)  # the new values: the output
                return x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 2 + 0 * x

        a = leaf(m)
        y = Double.apply(a.clone())
        y.sum().backward()
        return a.grad.numpy().tolist()

    expected, actual = run(save_dirty)
    assert actual == expected


def test_a_dirtied_view_with_two_outputs_is_refused():
    def two(m):
        class Pair(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x, x * 2

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 + 2 * g2

        base = leaf(m) * 1
        return error(lambda: Pair.apply(base[:2]))

    expected, actual = run(two)
    assert expected.startswith("If your Function modifies inplace an input that is a view "
                               "of another Tensor, your Function cannot return more than one "
                               "Tensor.")
    assert actual.startswith(expected[:120])


def test_mark_dirty_with_create_graph():
    def higher(m):
        a = leaf(m)
        b = a * a
        increment(m).apply(b)
        (g,) = m.autograd.grad((b * b).sum(), a, create_graph=True)
        return g.detach().numpy().tolist(), m.autograd.grad(g.sum(), a)[0].numpy().tolist()

    expected, actual = run(higher)
    assert actual == expected

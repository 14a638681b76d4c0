"""Stage 02 · shape_grad: backward of views, permutes, joins, expand/repeat and indexing.

Oracles: the gradient of a reshaping op is the upstream gradient moved back to where each
element came from (hand-derived below), and float64 central differences with a random
upstream gradient (``check_grad``). Indexing with repeated indices must *accumulate*.
"""

import numpy as np

import ember
from autograder.suites.helpers import check_grad, grad_of


def test_view_reshape_flatten_backward():
    check_grad(lambda a: a.view(3, 2), (2, 3), what="view(3, 2)")
    check_grad(lambda a: a.reshape(-1), (2, 3), what="reshape(-1)")
    check_grad(lambda a: a.flatten(1), (2, 3, 2), what="flatten(1)")
    check_grad(lambda a: a.view_as(ember.zeros(6)), (3, 2), what="view_as")


def test_transpose_permute_backward():
    check_grad(lambda a: a.t(), (2, 3), what="t()")
    check_grad(lambda a: a.T, (2, 3, 4), what=".T")
    check_grad(lambda a: a.transpose(0, 2), (2, 3, 4), what="transpose(0, 2)")
    check_grad(lambda a: a.permute(2, 0, 1), (2, 3, 4), what="permute(2, 0, 1)")
    # A non-symmetric upstream gradient: a gradient that is not permuted back fails here.
    check_grad(lambda a: a.permute(1, 2, 0) * ember.arange(8.0).double().view(2, 4, 1),
               (2, 2, 4), what="permute(1, 2, 0) * weights")


def test_squeeze_unsqueeze_backward():
    check_grad(lambda a: a.squeeze(), (2, 1, 3, 1), what="squeeze()")
    check_grad(lambda a: a.squeeze(1), (2, 1, 3), what="squeeze(1)")
    check_grad(lambda a: a.unsqueeze(0), (3,), what="unsqueeze(0)")
    check_grad(lambda a: a.unsqueeze(-1), (2, 3), what="unsqueeze(-1)")


def test_expand_backward_sums_over_the_expanded_dims():
    x = ember.tensor([[1.0], [2.0]], requires_grad=True)
    x.expand(2, 3).backward(ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    np.testing.assert_allclose(grad_of(x), [[6.0], [15.0]],
                               err_msg="expand(2, 3) of a (2, 1) tensor: sum over the copies")
    check_grad(lambda a: a.expand(4, -1, 3), (2, 1), what="expand(4, -1, 3)")
    check_grad(lambda a: a.expand_as(ember.zeros(3, 2)), (2,), what="expand_as")


def test_repeat_backward():
    check_grad(lambda a: a.repeat(2, 3), (2, 2), what="repeat(2, 3)")
    check_grad(lambda a: a.repeat(3, 1, 2), (2, 3), what="repeat(3, 1, 2) (adds a dim)")


def test_cat_stack_backward():
    check_grad(lambda a, b: ember.cat([a, b]), (2, 3), (4, 3), what="cat dim 0")
    check_grad(lambda a, b, c: ember.cat((a, b, c), dim=1), (2, 1), (2, 3), (2, 2),
               what="cat of three, dim 1")
    check_grad(lambda a, b: ember.stack([a, b], dim=1), (2, 3), (2, 3), what="stack dim 1")


def test_split_chunk_backward():
    check_grad(lambda a: a.split(2), (5, 2), what="split(2) (sizes 2, 2, 1)")
    check_grad(lambda a: ember.split(a, [1, 3], dim=1), (2, 4), what="split([1, 3], dim=1)")
    check_grad(lambda a: a.chunk(3, dim=1), (2, 6), what="chunk(3, dim=1)")


def test_split_uses_only_the_pieces_that_reach_the_loss():
    x = ember.arange(6.0).requires_grad_()
    a, b, c = x.split(2)
    (b * 3).sum().backward()
    np.testing.assert_allclose(grad_of(x), [0, 0, 3, 3, 0, 0],
                               err_msg="only the middle piece was used")


def test_basic_indexing_backward():
    check_grad(lambda a: a[1], (3, 4), what="a[1]")
    check_grad(lambda a: a[:, 1::2], (3, 4), what="a[:, 1::2]")
    check_grad(lambda a: a[None, ..., -1], (3, 4), what="a[None, ..., -1]")
    check_grad(lambda a: a[0, 2], (3, 4), what="a[0, 2] (0-dim)")


def test_advanced_indexing_backward():
    mask = ember.tensor([[True, False, True], [False, False, True]])
    check_grad(lambda a: a[mask], (2, 3), what="a[bool_mask]")
    check_grad(lambda a: a[ember.tensor([2, 0])], (3, 2), what="a[tensor([2, 0])]")
    check_grad(lambda a: a[[0, 1], [2, 0]], (2, 3), what="a[[0, 1], [2, 0]]")


def test_repeated_indices_accumulate():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[ember.tensor([0, 2, 0, 0])].backward(ember.tensor([1.0, 10.0, 100.0, 1000.0]))
    np.testing.assert_allclose(
        grad_of(x), [1101.0, 0.0, 10.0],
        err_msg="x[[0, 2, 0, 0]]: index 0 is read three times, so its gradient is the sum of "
                "three upstream values (np.add.at, not fancy assignment, which keeps only one)")
    check_grad(lambda a: a[[1, 1, 0, 1]], (3, 2), what="a[[1, 1, 0, 1]]")


def test_masked_assignment_blocks_the_gradient_of_overwritten_elements():
    x = ember.tensor([1.0, -2.0, 3.0, -4.0], requires_grad=True)
    y = x * 2
    y[y < 0] = 0.0
    y.backward(ember.tensor([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_allclose(
        grad_of(x), [2.0, 0.0, 6.0, 0.0],
        err_msg="y = 2x; y[y < 0] = 0: overwritten elements no longer depend on x")


def test_assigned_values_receive_their_gradient():
    base = ember.zeros(3, 2)
    v = ember.tensor([5.0, 6.0], requires_grad=True)
    y = base * 1
    y[1] = v
    (y * ember.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    np.testing.assert_allclose(grad_of(v, "v"), [3.0, 4.0],
                               err_msg="y[1] = v: v's gradient is the upstream gradient of row 1")

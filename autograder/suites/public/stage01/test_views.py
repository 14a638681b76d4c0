"""Stage 01 · views: shape ops, which ones share memory and which ones copy.

A *view* is a new tensor over the same memory: writing through it changes the base.
Oracle: NumPy's ``reshape``/``transpose``/``tile``/``concatenate`` for values,
``np.shares_memory`` for views, PyTorch's documented view semantics and error texts.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import (
    assert_no_shared_memory,
    assert_shape,
    assert_shares_memory,
    assert_tensor,
    to_numpy,
)

BASE = np.arange(12, dtype=np.float32).reshape(3, 4)


def test_view_has_the_new_shape_and_shares_memory():
    t = ember.tensor(BASE)
    v = t.view(4, 3)
    assert_tensor(v, BASE.reshape(4, 3), ember.float32, what="t.view(4, 3)")
    assert_shares_memory(v, t, what="view")
    to_numpy(v)[0, 0] = 100.0  # through the view's own memory: indexing is exercise 8
    assert to_numpy(t)[0, 0] == 100.0, "writing through a view must change the original tensor"


def test_view_infers_one_minus_one_and_takes_a_tuple():
    t = ember.tensor(BASE)
    assert_tensor(t.view(-1), BASE.ravel(), ember.float32, what="t.view(-1)")
    assert_tensor(t.view(2, -1), BASE.reshape(2, 6), ember.float32, what="t.view(2, -1)")
    assert_tensor(t.view((6, 2)), BASE.reshape(6, 2), ember.float32, what="t.view((6, 2))")


def test_view_with_the_wrong_number_of_elements():
    with pytest.raises(RuntimeError, match=r"shape '\[3, 5\]' is invalid for input of size 10"):
        ember.zeros(2, 5).view(3, 5)


def test_view_of_a_transposed_tensor_raises_and_reshape_copies():
    tt = ember.tensor(BASE).t()
    with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's "
                                           r"size and stride"):
        tt.view(12)
    r = tt.reshape(12)
    assert_tensor(r, BASE.T.reshape(12), ember.float32, what="t.t().reshape(12)")


def test_reshape_of_a_contiguous_tensor_is_a_view():
    t = ember.tensor(BASE)
    r = t.reshape(2, 2, 3)
    assert_tensor(r, BASE.reshape(2, 2, 3), ember.float32, what="t.reshape(2, 2, 3)")
    assert_shares_memory(r, t, what="reshape of a contiguous tensor")


def test_transpose_permute_t_and_T_are_views():
    t = ember.tensor(BASE)
    for name, out, expected in [
        ("t.transpose(0, 1)", t.transpose(0, 1), BASE.T),
        ("t.t()", t.t(), BASE.T),
        ("t.T", t.T, BASE.T),
        ("t.permute(1, 0)", t.permute(1, 0), BASE.T),
    ]:
        assert_tensor(out, expected, ember.float32, what=name)
        assert_shares_memory(out, t, what=name)
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert_tensor(ember.tensor(x).permute(2, 0, 1), x.transpose(2, 0, 1), ember.float32,
                  what="permute(2, 0, 1)")
    assert_tensor(ember.tensor(x).transpose(-1, 0), x.swapaxes(-1, 0), ember.float32,
                  what="transpose(-1, 0)")


def test_contiguous_and_clone():
    t = ember.tensor(BASE)
    tt = t.t()
    assert t.is_contiguous() and not tt.is_contiguous(), (
        "a transposed tensor is not contiguous"
    )
    c = tt.contiguous()
    assert c.is_contiguous()
    assert_tensor(c, BASE.T, ember.float32, what="t.t().contiguous()")
    k = t.clone()
    assert_tensor(k, BASE, ember.float32, what="clone")
    assert_no_shared_memory(k, t, what="clone")


def test_squeeze_and_unsqueeze():
    t = ember.zeros(2, 1, 3, 1)
    assert_shape(t.squeeze(), (2, 3), what="squeeze()")
    assert_shape(t.squeeze(1), (2, 3, 1), what="squeeze(1)")
    assert_shape(t.squeeze(0), (2, 1, 3, 1), what="squeeze(0) of a size-2 dim does nothing")
    assert_shape(t.squeeze(-1), (2, 1, 3), what="squeeze(-1)")
    u = ember.tensor(BASE)
    assert_tensor(u.unsqueeze(0), BASE[None], ember.float32, what="unsqueeze(0)")
    assert_tensor(u.unsqueeze(-1), BASE[..., None], ember.float32, what="unsqueeze(-1)")
    assert_shares_memory(u.unsqueeze(1), u, what="unsqueeze")


def test_flatten():
    x = np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5)
    t = ember.tensor(x)
    assert_tensor(t.flatten(), x.ravel(), ember.float32, what="flatten()")
    assert_tensor(t.flatten(1), x.reshape(2, 60), ember.float32, what="flatten(1)")
    assert_tensor(t.flatten(1, 2), x.reshape(2, 12, 5), ember.float32, what="flatten(1, 2)")
    assert_tensor(ember.flatten(t, -2, -1), x.reshape(2, 3, 20), ember.float32,
                  what="ember.flatten(t, -2, -1)")


def test_expand_is_a_view_and_repeat_copies():
    col = np.array([[1.0], [2.0], [3.0]], dtype=np.float32)
    t = ember.tensor(col)
    e = t.expand(3, 4)
    assert_tensor(e, np.broadcast_to(col, (3, 4)), ember.float32, what="expand(3, 4)")
    assert_shares_memory(e, t, what="expand")
    assert_shape(t.expand(2, -1, 5), (2, 3, 5), what="expand(2, -1, 5) (-1 keeps the size)")
    r = t.repeat(2, 3)
    assert_tensor(r, np.tile(col, (2, 3)), ember.float32, what="repeat(2, 3)")
    assert_no_shared_memory(r, t, what="repeat")
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(4\) must match "
                                           r"the existing size \(2\)"):
        ember.ones(3, 2).expand(3, 4)


def test_cat_and_stack():
    a = np.arange(4, dtype=np.float32).reshape(2, 2)
    b = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert_tensor(ember.cat([ember.tensor(a), ember.tensor(b)], dim=1),
                  np.concatenate([a, b], 1), ember.float32, what="cat(dim=1)")
    assert_tensor(ember.cat((ember.tensor(a), ember.tensor(a))), np.concatenate([a, a]),
                  ember.float32, what="cat of a tuple (dim=0)")
    assert_tensor(ember.stack([ember.tensor(a), ember.tensor(a * 2)], dim=1),
                  np.stack([a, a * 2], 1), ember.float32, what="stack(dim=1)")
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 1"):
        ember.cat([ember.ones(2, 2), ember.ones(3, 3)], dim=1)


def test_split_and_chunk():
    x = np.arange(10, dtype=np.float32)
    t = ember.tensor(x)
    parts = t.split(3)
    assert [tuple(p.shape) for p in parts] == [(3,), (3,), (3,), (1,)], (
        "split(3) gives pieces of 3 and a smaller last piece"
    )
    assert_tensor(parts[3], [9.0], ember.float32, what="last piece of split(3)")
    parts = ember.split(t, [2, 8])
    assert [tuple(p.shape) for p in parts] == [(2,), (8,)], "split([2, 8]) gives those sizes"
    chunks = t.chunk(3)
    assert [tuple(c.shape) for c in chunks] == [(4,), (4,), (2,)], (
        "chunk(3) of 10 elements gives pieces of ceil(10 / 3) = 4"
    )
    assert_shares_memory(chunks[1], t, what="a chunk")

"""Gradients of views and shape ops, cat/stack/split/chunk, indexing (basic, advanced with
repeated indices, boolean masks), masked assignment and dtype casts: ember against torch.
"""

import numpy as np
import pytest
import torch
from _oracle import GRAD_SETTINGS, assert_grads, grad_arrays, grad_check, leaves, shapes
from hypothesis import given
from hypothesis import strategies as st

import ember

FLOAT_DTYPES = ("float32", "float64")
RNG = np.random.default_rng(11)
X234 = RNG.standard_normal((2, 3, 4))

# name -> (f(m, x), input shape)
SHAPE_OPS = {
    "view(6, 4)": (lambda m, x: x.view(6, 4), (2, 3, 4)),
    "view(-1)": (lambda m, x: x.view(-1), (2, 3, 4)),
    "reshape(4, -1)": (lambda m, x: x.reshape(4, -1), (2, 3, 4)),
    "reshape after permute": (lambda m, x: x.permute(2, 0, 1).reshape(4, 6), (2, 3, 4)),
    "view_as": (lambda m, x: x.view_as(m.zeros(4, 6)), (2, 3, 4)),
    "reshape_as": (lambda m, x: x.reshape_as(m.zeros(24)), (2, 3, 4)),
    "permute": (lambda m, x: x.permute(1, 2, 0), (2, 3, 4)),
    "permute(-1, 0, 1)": (lambda m, x: m.permute(x, (-1, 0, 1)), (2, 3, 4)),
    "transpose": (lambda m, x: x.transpose(0, 2), (2, 3, 4)),
    "swapaxes": (lambda m, x: x.swapaxes(-1, 1), (2, 3, 4)),
    "t": (lambda m, x: x.t(), (3, 4)),
    "t 1-d": (lambda m, x: x.t(), (4,)),
    "T": (lambda m, x: x.T, (3, 4)),
    "mT": (lambda m, x: x.mT, (2, 3, 4)),
    "squeeze()": (lambda m, x: x.squeeze(), (1, 3, 1, 4)),
    "squeeze(2)": (lambda m, x: x.squeeze(2), (1, 3, 1, 4)),
    "squeeze(1) no-op": (lambda m, x: x.squeeze(1), (1, 3, 1, 4)),
    "unsqueeze(0)": (lambda m, x: x.unsqueeze(0), (3, 4)),
    "unsqueeze(-1)": (lambda m, x: x.unsqueeze(-1), (3, 4)),
    "flatten": (lambda m, x: x.flatten(), (2, 3, 4)),
    "flatten(1)": (lambda m, x: x.flatten(1), (2, 3, 4)),
    "flatten 0-d": (lambda m, x: x.flatten(), ()),
    "expand": (lambda m, x: x.expand(2, 3, 4), (3, 1)),
    "expand(-1, 5)": (lambda m, x: x.expand(-1, 5), (3, 1)),
    "expand_as": (lambda m, x: x.expand_as(m.zeros(2, 3, 4)), (4,)),
    "broadcast_to": (lambda m, x: m.broadcast_to(x, (3, 2, 4)), (2, 1)),
    "repeat": (lambda m, x: x.repeat(2, 3), (3, 4)),
    "repeat new dims": (lambda m, x: x.repeat(2, 1, 3), (2, 2)),
    "contiguous": (lambda m, x: x.t().contiguous(), (3, 4)),
    "clone": (lambda m, x: x.clone(), (3, 4)),
    "view then arithmetic": (lambda m, x: x.view(12) * x.reshape(12), (3, 4)),
    "size-0 reshape": (lambda m, x: x.reshape(0, 3), (3, 0)),
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_grad(name, dtype):
    fn, shape = SHAPE_OPS[name]
    a = np.random.default_rng(len(name)).standard_normal(shape)
    grad_check(fn, [a], dtype, seed=len(name), where=f"{name}: ")


@given(data=st.data())
@GRAD_SETTINGS
def test_permute_reshape_random_grad(data):
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    a = data.draw(grad_arrays(dtype, shapes(min_dims=1)))
    order = data.draw(st.permutations(range(a.ndim)))
    grad_check(lambda m, x: (x.permute(*order).reshape(-1) * 2), [a], dtype,
               where=f"permute{tuple(order)} {a.shape}: ")


# ------------------------------------------------------------------ cat / stack / split
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_stack_grad(dim, dtype):
    rng = np.random.default_rng(dim + 5)
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    grad_check(lambda m, x, y, z: m.stack([x, y, z], dim), [a, b, c], dtype)
    # pieces of different sizes along dim, one of them empty for dim=-1
    widths = {0: [(1, 3), (4, 3)], 1: [(2, 1), (2, 5)], -1: [(2, 0), (2, 2)]}[dim]
    d, e = rng.standard_normal(widths[0]), rng.standard_normal(widths[1])
    grad_check(lambda m, x, y, z: m.cat([x, y, z], dim), [a, d, e], dtype)


def test_cat_same_tensor_twice_grad():
    grad_check(lambda m, x: m.cat([x, x * 2, x], 1), [X234], "float64")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize(
    "name,fn",
    [
        ("split(2)", lambda m, x: x.split(2, 1)),
        ("split([1, 3])", lambda m, x: x.split([1, 3], -1)),
        ("split(5) one piece", lambda m, x: m.split(x, 5, 2)),
        ("chunk(2)", lambda m, x: x.chunk(2, 2)),
        ("chunk(3, dim=1)", lambda m, x: m.chunk(x, 3, 1)),
    ],
)
def test_split_chunk_grad(name, fn, dtype):
    """Every piece gets an upstream gradient; all flow back into the one input."""
    grad_check(fn, [X234], dtype, where=f"{name}: ")


def test_split_only_some_pieces_used():
    """Pieces without a gradient contribute zeros, like torch."""
    grad_check(lambda m, x: x.split(1, 1), [X234], "float64", pick=[0, 2])
    grad_check(lambda m, x: x.chunk(2, 0)[1] * 3, [X234], "float32")


# ---------------------------------------------------------------------------- indexing
INDEX = {
    "x[1]": lambda m, x: x[1],
    "x[-1, 2]": lambda m, x: x[-1, 2],
    "x[:, 1:]": lambda m, x: x[:, 1:],
    "x[..., ::2]": lambda m, x: x[..., ::2],
    "x[None, 0, :, None]": lambda m, x: x[None, 0, :, None],
    "x[1:1] (empty)": lambda m, x: x[1:1],
    "x[[0, 0, 1]] (repeats)": lambda m, x: x[[0, 0, 1]],
    "x[idx] repeats": lambda m, x: x[m.tensor([1, 1, 1, 0])],
    "x[:, idx] repeats": lambda m, x: x[:, m.tensor([2, 0, 2])],
    "x[idx, idx] repeats": lambda m, x: x[m.tensor([0, 1, 1]), m.tensor([2, 2, 2])],
    "x[idx2d]": lambda m, x: x[m.tensor([[0, 1], [1, 1]])],
    "x[..., idx]": lambda m, x: x[..., m.tensor([3, 3, 0])],
    "x[mask]": lambda m, x: x[x > 0],
    "x[row mask]": lambda m, x: x[m.tensor([True, False])],
    "x[:, col mask]": lambda m, x: x[:, m.tensor([True, False, True])],
    "x[mask] all false": lambda m, x: x[x > 100],
    "x[0][1][2]": lambda m, x: x[0][1][2],
    "x[1:, idx] (mixed)": lambda m, x: x[1:, m.tensor([0, 0])],
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", INDEX)
def test_indexing_grad(name, dtype):
    grad_check(INDEX[name], [X234], dtype, seed=len(name), where=f"{name}: ")


@given(data=st.data())
@GRAD_SETTINGS
def test_random_index_tensor_grad(data):
    """Random integer indices (repeats are likely): gradients accumulate per position."""
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    a = data.draw(grad_arrays(dtype, shapes(min_dims=1, min_side=1)))
    idx = data.draw(st.lists(st.integers(-a.shape[0], a.shape[0] - 1), max_size=6))
    grad_check(lambda m, x: x[m.tensor(idx, dtype=m.int64)], [a], dtype,
               where=f"{a.shape}[{idx}]: ")


@given(data=st.data())
@GRAD_SETTINGS
def test_random_mask_grad(data):
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    a = data.draw(grad_arrays(dtype, shapes()))
    grad_check(lambda m, x: x[x > 0.5] * 2, [a], dtype, where=f"{a.shape} mask: ")


# ----------------------------------------------------------------- masked assignment
def _assign(kind):
    def fn(m, x, v):
        y = x * 1  # a non-leaf copy: in-place writes on leaves that require grad raise
        if kind == "mask":
            y[x > 0] = v[x > 0]
        elif kind == "mask scalar value":
            y[x > 0] = 0.0
        elif kind == "slice":
            y[0, 1:] = v[0, 1:]
        elif kind == "index":
            y[m.tensor([1, 0])] = v[:2] * 3
        elif kind == "int":
            y[1] = v[2]
        return y

    return fn


@pytest.mark.parametrize("kind", ["mask", "mask scalar value", "slice", "index", "int"])
def test_setitem_grad(kind):
    """``y[key] = v`` on a non-leaf: v's gradient is the upstream at ``key``, and the
    overwritten positions of y's input get zero."""
    x = np.random.default_rng(5).standard_normal((3, 4))
    v = np.random.default_rng(6).standard_normal((3, 4))
    grad_check(_assign(kind), [x, v], "float64", where=f"{kind}: ")


def test_masked_assignment_into_plain_tensor():
    """``t[mask] = v`` where only v requires grad: t joins the graph (IndexPutBackward0)."""
    mask = np.array([True, False, True, True])
    tv, ev = leaves([np.array([1.0, 2.0, 3.0])], "float32")
    tt, et = torch.zeros(4), ember.zeros(4)
    tt[torch.tensor(mask)] = tv[0]
    et[ember.tensor(mask)] = ev[0]
    assert et.requires_grad == tt.requires_grad
    g = np.array([0.5, -1.0, 2.0, 4.0], dtype=np.float32)
    tt.backward(torch.tensor(g))
    et.backward(ember.tensor(g))
    assert_grads([ev[0].grad], [tv[0].grad], "float32")


# ------------------------------------------------------------------------------ casts
@pytest.mark.parametrize(
    "name,fn",
    [
        ("double()", lambda m, x: x.double()),
        ("float()", lambda m, x: x.float()),
        ("to(float64)", lambda m, x: x.to(m.float64)),
        ("to(float32) no-op", lambda m, x: x.to(m.float32) * 2),
        ("type(float64)", lambda m, x: x.type(m.float64)),
        ("double() * x", lambda m, x: x.double() * x.double()),
        ("half().float()", lambda m, x: x.half().float()),
    ],
)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_cast_grad(name, fn, dtype):
    """Casts between float dtypes pass the gradient back in the leaf's dtype."""
    a = np.random.default_rng(8).standard_normal((2, 3))
    grad_check(fn, [a], dtype, where=f"{name}: ")


def test_integer_cast_stops_the_graph():
    """An integer result does not require grad (and has no grad_fn), like torch."""
    grad_check(lambda m, x: x.long(), [X234], "float32")
    grad_check(lambda m, x: (x > 0), [X234], "float32")
    grad_check(lambda m, x: x.argmax(1), [X234], "float64")

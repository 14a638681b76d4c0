"""Gradients of reductions (sum, mean, prod with zeros, max/min with ties, std/var) and of
every matrix-product case (matmul in each rank combination with batch broadcasting, mm, bmm,
dot, mv): ember against torch with random upstream gradients.
"""

import numpy as np
import pytest
from _oracle import GRAD_SETTINGS, grad_arrays, grad_check, shapes
from hypothesis import assume, given
from hypothesis import strategies as st

FLOAT_DTYPES = ("float32", "float64")


@st.composite
def dim_and_keepdim(draw, ndim, multi=True):
    """A ``dim`` argument for an ``ndim``-d tensor: None, an int (maybe negative) or a tuple."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1])), draw(st.booleans())
    choices = [st.none(), st.integers(-ndim, ndim - 1)]
    if multi:
        choices.append(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
        )
    return draw(st.one_of(*choices)), draw(st.booleans())


def _call(method, dim, keepdim, **kw):
    if dim is None:
        return lambda m, a: getattr(a, method)(**kw)
    return lambda m, a: getattr(a, method)(dim=dim, keepdim=keepdim, **kw)


# name -> (method, ties, multi-dim allowed, extra kwargs, min_side)
REDUCTIONS = {
    "sum": ("sum", False, True, {}, 0),
    "mean": ("mean", False, True, {}, 1),
    "prod (zeros)": ("prod", True, False, {}, 0),
    "prod": ("prod", False, False, {}, 0),
    "var": ("var", False, True, {}, 1),
    "var(correction=0)": ("var", False, True, {"correction": 0}, 1),
    "var(correction=2) (ties)": ("var", True, True, {"correction": 2}, 1),
    "std": ("std", False, True, {}, 1),
    "std(unbiased=False)": ("std", False, True, {"unbiased": False}, 1),
    "std (constant rows)": ("std", True, True, {}, 1),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
@GRAD_SETTINGS
def test_reduction_grad(name, data):
    method, ties, multi, kw, min_side = REDUCTIONS[name]
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    low, high = (-1, 1) if ties and "std" in name else (-2, 2)
    a = data.draw(grad_arrays(dtype, shapes(min_side=min_side), low=low, high=high, ties=ties))
    dim, keepdim = data.draw(dim_and_keepdim(a.ndim, multi))
    if kw.get("correction", 1) > 1:
        # Negative degrees of freedom (N < correction): torch's gradient is a quirk of its
        # formula (2 / (N - c) * ...), warned about and meaningless; not compared.
        dims = range(a.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
        count = int(np.prod([a.shape[d] for d in dims])) if a.ndim else 1
        assume(count == 0 or count > kw["correction"])
    if method == "prod" and dim is None:
        fn = lambda m, x: x.prod()  # noqa: E731 - prod() takes no keepdim without dim
    elif method == "prod" and isinstance(dim, int):
        fn = lambda m, x: x.prod(dim, keepdim=keepdim)  # noqa: E731
    else:
        fn = _call(method, dim, keepdim, **kw)
    grad_check(fn, [a], dtype, seed=3, where=f"{name} {a.shape} dim={dim} keepdim={keepdim}: ")


@pytest.mark.parametrize("method", ["max", "min"])
@given(data=st.data())
@GRAD_SETTINGS
def test_max_min_dim_grad_with_ties(method, data):
    """``max(dim)``/``min(dim)``: the gradient goes to the returned index only."""
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    a = data.draw(grad_arrays(dtype, shapes(min_dims=1, min_side=1), low=-2, high=2, ties=True))
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    keepdim = data.draw(st.booleans())
    grad_check(lambda m, x: getattr(x, method)(dim, keepdim=keepdim), [a], dtype, pick=[0],
               where=f"{method}({dim}, keepdim={keepdim}) {a.shape}: ")


@pytest.mark.parametrize("method", ["max", "min"])
@given(data=st.data())
@GRAD_SETTINGS
def test_full_max_min_grad_with_ties(method, data):
    """``max()`` of the whole tensor: tied maxima share the gradient evenly (torch 2.x)."""
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    a = data.draw(grad_arrays(dtype, shapes(min_side=1), low=-2, high=2, ties=True))
    grad_check(lambda m, x: getattr(m, method)(x), [a], dtype, where=f"{method}() {a.shape}: ")


def test_prod_with_one_and_two_zeros():
    """prod's gradient is the product of the others: finite with one zero, zero with two."""
    a = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]])
    grad_check(lambda m, x: x.prod(), [a[0]], "float64")
    grad_check(lambda m, x: x.prod(), [a[1]], "float64")
    grad_check(lambda m, x: x.prod(1), [a], "float64")
    grad_check(lambda m, x: x.prod(0, keepdim=True), [a], "float32")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_std_of_constant_values_has_zero_grad(dtype):
    """std = 0 (all values equal): torch's gradient is 0 there, not 0/0 = nan."""
    a = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]])
    grad_check(lambda m, x: x.std(1), [a], dtype)
    grad_check(lambda m, x: x.std(1, unbiased=False), [a], dtype)
    grad_check(lambda m, x: x.std(), [a[0]], dtype)


def test_sum_mean_functions_grad():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 4))
    grad_check(lambda m, x: m.sum(x, (0, 2)), [a], "float64")
    grad_check(lambda m, x: m.mean(x, -1, keepdim=True), [a], "float32")
    grad_check(lambda m, x: m.std(x, 1), [a], "float64")
    grad_check(lambda m, x: m.var(x, (0, 1), keepdim=True), [a], "float64")


# ----------------------------------------------------------------------------- matmul
MATMUL_SHAPES = [
    ((4,), (4,)),  # dot
    ((4,), (4, 3)),  # vector @ matrix
    ((3, 4), (4,)),  # matrix @ vector
    ((3, 4), (4, 5)),  # mm
    ((4,), (2, 4, 3)),  # vector @ batch
    ((2, 3, 4), (4,)),  # batch @ vector
    ((2, 3, 4), (2, 4, 5)),  # bmm
    ((2, 3, 4), (4, 5)),  # batch @ matrix
    ((3, 4), (2, 4, 5)),  # matrix @ batch
    ((2, 1, 3, 4), (5, 4, 2)),  # broadcast batch dims
    ((1, 3, 4), (2, 1, 4, 5)),
    ((0, 3, 4), (4, 5)),  # empty batch
    ((3, 0), (0, 5)),  # empty inner dim
    ((0,), (0,)),
    ((1, 1), (1, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape_a,shape_b", MATMUL_SHAPES)
def test_matmul_grad_every_rank(shape_a, shape_b, dtype):
    rng = np.random.default_rng(len(shape_a) * 10 + len(shape_b))
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    grad_check(lambda m, x, y: x @ y, [a, b], dtype, where=f"{shape_a} @ {shape_b}: ")
    grad_check(lambda m, x, y: m.matmul(x, y), [a, b], dtype, seed=7)


@given(data=st.data())
@GRAD_SETTINGS
def test_matmul_grad_random_shapes(data):
    dtype = data.draw(st.sampled_from(FLOAT_DTYPES))
    n, k, p = (data.draw(st.integers(0, 4)) for _ in range(3))
    batch = data.draw(st.lists(st.integers(1, 3), max_size=2))
    other_batch = [data.draw(st.sampled_from([1, b])) for b in batch]
    shape_a = tuple(batch) + (n, k) if data.draw(st.booleans()) else (k,)
    shape_b = tuple(other_batch) + (k, p) if data.draw(st.booleans()) else (k,)
    a = data.draw(grad_arrays(dtype, shape_a))
    b = data.draw(grad_arrays(dtype, shape_b))
    grad_check(lambda m, x, y: x @ y, [a, b], dtype, where=f"{shape_a} @ {shape_b}: ")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mm_bmm_dot_mv_grad(dtype):
    rng = np.random.default_rng(1)
    grad_check(lambda m, x, y: m.mm(x, y), [rng.standard_normal((3, 4)),
                                             rng.standard_normal((4, 2))], dtype)
    grad_check(lambda m, x, y: x.bmm(y), [rng.standard_normal((2, 3, 4)),
                                          rng.standard_normal((2, 4, 2))], dtype)
    grad_check(lambda m, x, y: m.dot(x, y), [rng.standard_normal(5),
                                             rng.standard_normal(5)], dtype)
    grad_check(lambda m, x, y: x.mv(y), [rng.standard_normal((3, 5)),
                                         rng.standard_normal(5)], dtype)
    # the same tensor on both sides: the two gradients add up
    grad_check(lambda m, x: x @ x.T, [rng.standard_normal((3, 4))], dtype)
    grad_check(lambda m, x: x.mm(x), [rng.standard_normal((3, 3))], dtype)


def test_linear_layer_grad():
    """x @ W + b with b broadcast over the batch, through relu and a mean."""
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((8, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    grad_check(lambda m, x, w, b: (x @ w + b).relu().mean(), [x, w, b], "float32")

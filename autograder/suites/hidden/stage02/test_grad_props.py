"""Hidden · stage 02: gradients over random shapes (hypothesis), broadcasting, size 0 and 1.

Oracle: float64 central differences with a random upstream gradient (``check_grad``).
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from autograder.suites.helpers import check_grad

small = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
nonempty = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                 min_side=0, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div", "maximum"]), seed=st.integers(0, 99))
def test_binary_ops_with_broadcasting(shapes, op, seed):
    sa, sb = shapes.input_shapes
    rng = np.random.default_rng(seed)
    # a - b is always an odd multiple of 0.5 (no ties for maximum) and b is never near 0.
    a = rng.integers(-3, 4, sa) + 0.25
    b = rng.integers(-3, 4, sb) - 0.25
    fns = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
           "div": lambda x, y: x / y, "maximum": ember.maximum}
    check_grad(fns[op], a, b, seed=seed, what=f"{op} of {sa} and {sb}")


@given(shape=small, seed=st.integers(0, 99))
def test_unary_ops_over_shapes(shape, seed):
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0.5, 2.0, shape)
    check_grad(lambda x: (x.log() * x.sqrt()).tanh() + x.exp().sigmoid(), pos, seed=seed,
               what=f"tanh(log(x) sqrt(x)) + sigmoid(exp(x)) on {shape}")


@st.composite
def shape_and_dims(draw):
    shape = draw(nonempty)
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                         max_size=len(shape), unique_by=lambda d: d % len(shape)))
    return shape, tuple(dims), draw(st.booleans())


@given(case=shape_and_dims(), seed=st.integers(0, 99))
def test_sum_mean_over_random_dims(case, seed):
    shape, dims, keep = case
    check_grad(lambda x: x.sum(dims, keepdim=keep), shape, seed=seed,
               what=f"sum({dims}, keepdim={keep}) of {shape}")
    check_grad(lambda x: x.mean(dims, keepdim=keep), shape, seed=seed,
               what=f"mean({dims}, keepdim={keep}) of {shape}")


@given(case=shape_and_dims(), seed=st.integers(0, 99))
def test_var_std_max_over_one_dim(case, seed):
    shape, dims, keep = case
    dim = dims[0]
    rng = np.random.default_rng(seed)
    a = rng.permutation(int(np.prod(shape))).reshape(shape) / 3.0  # distinct: no ties
    check_grad(lambda x: x.max(dim, keepdim=keep).values, a,
               what=f"max({dim}, keepdim={keep}) of {shape}")
    if shape[dim] > 1:
        check_grad(lambda x: x.var(dim, keepdim=keep), a, what=f"var({dim}) of {shape}")
        check_grad(lambda x: x.std(dim, keepdim=keep), a, rtol=1e-4,
                   what=f"std({dim}) of {shape}")


@given(shape=nonempty, data=st.data(), seed=st.integers(0, 99))
def test_permute_then_reshape(shape, data, seed):
    perm = data.draw(st.permutations(range(len(shape))))
    check_grad(lambda x: x.permute(*perm).reshape(-1) * ember.arange(
        float(int(np.prod(shape)))).double(), shape, seed=seed,
        what=f"permute{tuple(perm)}.reshape(-1) of {shape}")


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
       reps=st.lists(st.integers(1, 3), min_size=3, max_size=4), seed=st.integers(0, 99))
def test_repeat_and_expand(shape, reps, seed):
    check_grad(lambda x: x.repeat(*reps), shape, seed=seed, what=f"repeat{tuple(reps)}")
    target = tuple(reps[: 4 - len(shape)]) + tuple(
        r if s == 1 else s for s, r in zip(shape, reps[-len(shape):], strict=True))
    check_grad(lambda x: x.expand(*target), shape, seed=seed, what=f"expand{target}")


@given(shapes=st.lists(st.integers(0, 3), min_size=1, max_size=4), dim=st.integers(0, 1),
       seed=st.integers(0, 99))
def test_cat_with_empty_pieces(shapes, dim, seed):
    ins = [(n, 2) if dim == 0 else (2, n) for n in shapes]
    check_grad(lambda *xs: ember.cat(xs, dim=dim), *ins, seed=seed,
               what=f"cat of {ins} on dim {dim}")


@given(n=st.integers(1, 4), idx=st.lists(st.integers(0, 3), min_size=0, max_size=6),
       seed=st.integers(0, 99))
def test_index_with_repeats(n, idx, seed):
    idx = [i % n for i in idx]
    check_grad(lambda x: x[ember.tensor(idx, dtype=ember.int64)], (n, 2), seed=seed,
               what=f"x[{idx}] of ({n}, 2)")


@given(sa=st.sampled_from([(0, 3), (1, 3), (2, 3), (3,)]),
       sb=st.sampled_from([(3, 0), (3, 1), (3, 2), (3,)]), batch=st.sampled_from([(), (1,), (2,)]),
       seed=st.integers(0, 99))
def test_matmul_with_size_0_and_1(sa, sb, batch, seed):
    sa = batch + sa if len(sa) == 2 else sa
    check_grad(lambda a, b: a @ b, sa, sb, seed=seed, what=f"{sa} @ {sb}")

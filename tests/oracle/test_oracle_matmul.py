"""matmul / @ / mm / bmm / dot on every rank combination, errors included."""

from functools import partial

import numpy as np
import pytest
import torch
from _oracle import SETTINGS, arrays, both, check, dtypes
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

# bool matmul is not implemented in torch; test_bool_operands_raise checks that alone
MATMUL_DTYPES = ("float32", "float64", "int64", "int32", "uint8")
FLOAT_TOL = {"rtol": 1e-4, "atol": 1e-4}


@st.composite
def matmul_shapes(draw):
    """Shapes for ``a @ b``: mostly compatible (any ranks 1..4), sometimes not (any ranks 0..4)."""
    if draw(st.booleans()) or draw(st.booleans()):
        rank_a, rank_b = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        n, k, m = (draw(st.integers(0, 4)) for _ in range(3))
        batch_a, batch_b = draw(
            hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3)
        ).input_shapes
        a = (k,) if rank_a == 1 else batch_a[: rank_a - 2] + (n, k)
        b = (k,) if rank_b == 1 else batch_b[: rank_b - 2] + (k, m)
        return a, b
    shape = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
    return draw(shape), draw(shape)


@st.composite
def matmul_inputs(draw, same_dtype=True):
    shape_a, shape_b = draw(matmul_shapes())
    da = draw(dtypes(MATMUL_DTYPES))
    db = da if same_dtype else draw(dtypes(MATMUL_DTYPES))
    return draw(arrays(da, shape_a)), draw(arrays(db, shape_b))


FORMS = {
    "a @ b": lambda m, a, b: a @ b,
    "matmul(a, b)": lambda m, a, b: m.matmul(a, b),
    "a.matmul(b)": lambda m, a, b: a.matmul(b),
    "mm(a, b)": lambda m, a, b: m.mm(a, b),
    "a.mm(b)": lambda m, a, b: a.mm(b),
    "bmm(a, b)": lambda m, a, b: m.bmm(a, b),
    "a.bmm(b)": lambda m, a, b: a.bmm(b),
    "dot(a, b)": lambda m, a, b: m.dot(a, b),
    "a.dot(b)": lambda m, a, b: a.dot(b),
}


@pytest.mark.parametrize("form", FORMS)
@SETTINGS
@given(inputs=matmul_inputs())
def test_matmul_family_same_dtype(form, inputs):
    (ta, ea), (tb, eb) = both(inputs[0]), both(inputs[1])
    fn = FORMS[form]
    check(lambda: fn(torch, ta, tb), lambda: fn(ember, ea, eb), **FLOAT_TOL)


@pytest.mark.parametrize("form", ["a @ b", "mm(a, b)", "dot(a, b)", "bmm(a, b)"])
@SETTINGS
@given(inputs=matmul_inputs(same_dtype=False))
def test_matmul_family_mixed_dtypes(form, inputs):
    """torch does not promote in matmul: different dtypes are an error."""
    if inputs[0].size == 0 or inputs[1].size == 0:
        return  # torch skips the dtype check on some empty batched products
    (ta, ea), (tb, eb) = both(inputs[0]), both(inputs[1])
    fn = FORMS[form]
    check(lambda: fn(torch, ta, tb), lambda: fn(ember, ea, eb), **FLOAT_TOL)


RANKS = [(ra, rb) for ra in range(5) for rb in range(5)]


@pytest.mark.parametrize("ranks", RANKS, ids=str)
def test_matmul_every_rank_combination(ranks):
    """Each (rank a, rank b) pair once with compatible sizes, once with a mismatch."""
    ra, rb = ranks
    batch_a, batch_b = (2, 1)[: max(ra - 2, 0)], (3,)[: max(rb - 2, 0)]
    if rb > 3:
        batch_b = (1, 3)
    if ra > 3:
        batch_a = (4, 1)
    a_shape = () if ra == 0 else (3,) if ra == 1 else batch_a + (2, 3)
    b_shape = () if rb == 0 else (3,) if rb == 1 else batch_b + (3, 4)
    rng = np.random.default_rng(ra * 5 + rb)
    (ta, ea), (tb, eb) = (
        both(rng.normal(size=a_shape).astype(np.float32)),
        both(rng.normal(size=b_shape).astype(np.float32)),
    )
    for fn in FORMS.values():
        check(lambda fn=fn: fn(torch, ta, tb), lambda fn=fn: fn(ember, ea, eb), **FLOAT_TOL)
    bad_b = () if rb == 0 else (4,) if rb == 1 else batch_b + (4, 5)
    tb, eb = both(rng.normal(size=bad_b).astype(np.float32))
    for fn in FORMS.values():
        check(lambda fn=fn: fn(torch, ta, tb), lambda fn=fn: fn(ember, ea, eb), **FLOAT_TOL)


@pytest.mark.parametrize(
    "form, shape_a, shape_b",
    [
        ("a @ b", (2, 3), (4, 5)),
        ("mm(a, b)", (2, 3), (4, 5)),
        ("a @ b", (7, 2, 3), (4, 5)),
        ("a @ b", (), (3,)),
        ("a @ b", (3,), ()),
        ("mm(a, b)", (3,), (3, 2)),
        ("mm(a, b)", (2, 3), (3,)),
        ("bmm(a, b)", (2, 3), (2, 3, 4)),
        ("dot(a, b)", (2, 3), (3,)),
        ("dot(a, b)", (3,), (4,)),
        ("a @ b", (3,), (4,)),
    ],
)
def test_error_messages(form, shape_a, shape_b):
    (ta, ea), (tb, eb) = both(np.ones(shape_a, np.float32)), both(np.ones(shape_b, np.float32))
    fn = FORMS[form]
    check(lambda: fn(torch, ta, tb), lambda: fn(ember, ea, eb), match=True)


def test_matmul_of_float32_stays_float32_and_exact_for_small_ints():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.arange(20, dtype=np.float32).reshape(4, 5)
    (ta, ea), (tb, eb) = both(a), both(b)
    check(lambda: ta @ tb, lambda: ea @ eb, rtol=0, atol=0)


def test_bool_operands_raise():
    """torch implements no bool matmul: every form raises."""
    for form, fn in FORMS.items():
        shape = (1, 2, 2) if "bmm" in form else (2,) if "dot" in form else (2, 2)
        (ta, ea), (tb, eb) = both(np.ones(shape, bool)), both(np.ones(shape, bool))
        check(partial(fn, torch, ta, tb), partial(fn, ember, ea, eb))

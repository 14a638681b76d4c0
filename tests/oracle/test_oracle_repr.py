"""repr(tensor) must be torch's text with ``torch.`` replaced by ``ember.``."""

import numpy as np
import pytest
import torch
from _oracle import ALL_DTYPES, NUMPY, SETTINGS, shapes
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

torch.set_printoptions(profile="default")

nan, inf = float("nan"), float("inf")
rng = np.random.default_rng(0)

CASES = {
    "int 0-dim": np.array(3),
    "float 0-dim": np.array(3.5, np.float32),
    "bool 0-dim": np.array(True),
    "float64 0-dim": np.array(-0.25),
    "int32 0-dim": np.array(7, np.int32),
    "float16 0-dim": np.array(1.5, np.float16),
    "empty float": np.zeros(0, np.float32),
    "empty 2-D": np.zeros((0, 3), np.float32),
    "empty 3-D float64": np.zeros((2, 0, 3)),
    "empty int": np.zeros(0, np.int64),
    "empty int32": np.zeros((3, 0), np.int32),
    "empty bool": np.zeros(0, bool),
    "ints": np.array([1, 2, 3]),
    "negative ints": np.array([[-1, 20], [300, -4000]]),
    "big ints": np.array([123456789, 1, -5]),
    "int32": np.array([[1, 2], [3, 4]], np.int32),
    "uint8": np.array([0, 7, 255], np.uint8),
    "bool": np.array([[True, False], [False, True]]),
    "whole floats": np.array([[1.0, 2.0], [3.0, 4.0]], np.float32),
    "fractions": np.array([1.5, 2.25, -0.125], np.float32),
    "one third": np.array([1 / 3, 2 / 3], np.float32),
    "mixed magnitudes": np.array([0.1, 100.0, 12.5], np.float32),
    "thousands": np.array([1234.5, 0.5], np.float32),
    "sci small": np.array([1e-5, 1.0], np.float32),
    "sci large": np.array([1e10, 1.0], np.float32),
    "sci both": np.array([1e-10, 1e10], np.float32),
    "just below sci": np.array([999.0, 1.0], np.float32),
    "large whole": np.array([1e8, 1.0], np.float32),
    "above 1e8": np.array([123456789.0, 2.0], np.float32),
    "tiny": np.array([1e-20], np.float32),
    "zeros float": np.zeros((2, 2), np.float32),
    "negative zero": np.array([-0.0, 0.0], np.float32),
    "nan inf": np.array([nan, inf, -inf, 1.5], np.float32),
    "nan inf whole": np.array([nan, inf, -inf, 2.0], np.float32),
    "only nan": np.array([nan, nan], np.float32),
    "nan with sci": np.array([nan, 1e-8, 1.0], np.float32),
    "float64": np.array([1.0, 2.5]),
    "float64 precise": np.array([np.pi, np.e, 1e-3]),
    "float16": np.array([1.0, 2.5, 1000.0], np.float16),
    "float16 sci": np.array([1e-3, 60000.0], np.float16),
    "3-D": np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,
    "4-D int": np.arange(16).reshape(2, 2, 2, 2),
    "randn 3x4": rng.standard_normal((3, 4)).astype(np.float32),
    "randn 2x3x5 float64": rng.standard_normal((2, 3, 5)),
    "size-1 dims": np.ones((1, 1, 3), np.float32),
    "summarised 1-D": np.arange(2000, dtype=np.float32),
    "summarised int": np.arange(1001),
    "exactly 1000": np.arange(1000, dtype=np.float32),
    "summarised 2-D": rng.standard_normal((30, 40)).astype(np.float32),
    "summarised 3-D": np.arange(12 * 10 * 10).reshape(12, 10, 10),
    "summarised big": np.arange(100 * 100, dtype=np.float32).reshape(100, 100) * 1e-3,
    "summarised bool": np.arange(2000) % 3 == 0,
    "summarised sci": np.geomspace(1e-6, 1e6, 1500).astype(np.float32),
    "wide row": np.arange(30, dtype=np.float32) * 1.5,
    "wide int row": np.arange(40) * 1001,
    "wide 2-D": np.arange(60, dtype=np.float32).reshape(2, 30) / 3,
}


def expected(t) -> str:
    return repr(t).replace("torch.", "ember.")


@pytest.mark.parametrize("name", CASES)
def test_repr_cases(name):
    a = CASES[name]
    assert repr(ember.tensor(a)) == expected(torch.tensor(a))


@pytest.mark.parametrize("name", ["whole floats", "fractions", "float64", "float 0-dim"])
def test_repr_requires_grad(name):
    a = CASES[name]
    assert repr(ember.tensor(a, requires_grad=True)) == expected(
        torch.tensor(a, requires_grad=True)
    )


def test_repr_of_views_and_results():
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    t, e = torch.tensor(base), ember.tensor(base)
    assert repr(e.t()) == expected(t.t())
    assert repr(e[:, 1:3]) == expected(t[:, 1:3])
    assert repr(e / 7) == expected(t / 7)
    assert repr(e.sum()) == expected(t.sum())
    assert repr(e > 5) == expected(t > 5)
    assert str(e) == expected(t)


MAGNITUDES = st.sampled_from([1e-8, 1e-4, 1e-2, 0.5, 1.0, 10.0, 1e3, 1e5, 1e9])


@st.composite
def printable(draw):
    dtype = draw(st.sampled_from(ALL_DTYPES))
    shape = draw(shapes(max_dims=3, max_side=5))
    if dtype in ("float16", "float32", "float64"):
        scale = draw(MAGNITUDES)
        if dtype == "float16":
            scale = min(scale, 1e3)
        whole = draw(st.booleans())
        els = st.floats(-10, 10, width=64).map(lambda x: round(x) if whole else x)
        a = np.asarray(draw(hnp.arrays(np.float64, shape, elements=els)) * scale)
        return a.astype(NUMPY[dtype])
    if dtype == "bool":
        return draw(hnp.arrays(np.bool_, shape))
    lo = 0 if dtype == "uint8" else -(10 ** draw(st.integers(0, 6)))
    hi = 255 if dtype == "uint8" else -lo
    return draw(hnp.arrays(NUMPY[dtype], shape, elements=st.integers(lo, hi)))


@SETTINGS
@given(a=printable())
def test_repr_random(a):
    assert repr(ember.tensor(a)) == expected(torch.tensor(a))

"""Stage 07 · tensor_methods: ``Tensor.normal_`` and ``Tensor.uniform_``, in place and seeded.

Oracle: PyTorch's behaviour (``ember`` replaces ``torch``) and the distributions' own
statistics: on n draws the sample mean and standard deviation lie within 6 σ/√n of the
true ones. They are in-place ops like ``fill_`` (stage 03): they return the tensor, bump
its version, and refuse a leaf that requires grad unless grad mode is off or they act on
``.data``. ``ember.manual_seed`` makes them reproducible.
"""

import math

import numpy as np
import pytest

import ember
from autograder.suites.helpers import assert_sample_stats
from ember import nn

N = 200_000
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."


def test_normal_fills_in_place():
    t = ember.zeros(N)
    assert t.normal_() is t, "t.normal_() must return t itself"
    assert_sample_stats(t, 0.0, 1.0, "t.normal_()")
    t.normal_(3.0, 0.5)
    assert_sample_stats(t, 3.0, 0.5, "t.normal_(3.0, 0.5)")
    t.normal_(mean=-1.0, std=2.0)
    assert_sample_stats(t, -1.0, 2.0, "t.normal_(mean=-1.0, std=2.0)")
    assert t.dtype is ember.float32 and t.shape == (N,), "normal_ keeps dtype and shape"


def test_uniform_fills_in_place():
    t = ember.zeros(N, dtype=ember.float64)
    assert t.uniform_() is t, "t.uniform_() must return t itself"
    x = t.numpy()
    assert x.min() >= 0.0 and x.max() < 1.0, "t.uniform_() draws from [0, 1)"
    assert_sample_stats(t, 0.5, 1 / math.sqrt(12), "t.uniform_()")
    t.uniform_(-3.0, 5.0)
    x = t.numpy()
    assert x.min() >= -3.0 and x.max() < 5.0, "t.uniform_(-3, 5) draws from [-3, 5)"
    assert x.min() < -2.99 and x.max() > 4.99, "t.uniform_(-3, 5) must cover [-3, 5)"
    assert_sample_stats(t, 1.0, 8 / math.sqrt(12), "t.uniform_(-3, 5)")
    assert t.dtype is ember.float64, "uniform_ keeps the dtype (float64 here)"


def test_version_counter_and_views():
    t = ember.zeros(4, 5)
    before = t._version
    t.normal_()
    t.uniform_()
    assert t._version == before + 2, "each normal_/uniform_ is one in-place change"
    t.zero_()
    t[1].uniform_(2.0, 3.0)  # a view: writes through to row 1 of t
    x = t.numpy()
    assert np.all(x[1] >= 2.0) and np.all(x[1] < 3.0), "t[1].uniform_(2, 3) must fill row 1"
    assert np.all(np.delete(x, 1, axis=0) == 0), "t[1].uniform_ must not touch other rows"


def test_leaf_that_requires_grad():
    w = ember.zeros(3, requires_grad=True)
    for name, call in [("normal_", w.normal_), ("uniform_", w.uniform_)]:
        with pytest.raises(RuntimeError, match=LEAF_INPLACE):
            call()
        assert w.detach().tolist() == [0.0, 0.0, 0.0], f"a refused w.{name}() must not change w"
    with ember.no_grad():
        w.uniform_(1.0, 2.0)  # how nn.init and optimizers modify parameters
    assert all(1.0 <= v < 2.0 for v in w.tolist()), "under no_grad, w.uniform_(1, 2) works"
    assert w.requires_grad and w.grad_fn is None, "w is still a leaf that requires grad"


def test_on_parameter_data():
    p = nn.Parameter(ember.zeros(100, 100))
    p.data.normal_(0.0, 0.01)  # the classic way to initialise a layer by hand
    assert p.requires_grad and p.is_leaf, "p.data.normal_() must leave p a parameter"
    assert_sample_stats(p, 0.0, 0.01, "p.data.normal_(0, 0.01)")
    p.data.fill_(0.5)
    assert np.all(p.detach().numpy() == 0.5), "p.data.fill_(0.5) must change p"
    p.data.zero_()
    p.data.uniform_(-0.1, 0.1)
    assert np.abs(p.detach().numpy()).max() <= 0.1, "p.data.uniform_(-0.1, 0.1) stays in bounds"


def test_manual_seed_makes_them_reproducible():
    draws = []
    for _ in range(2):
        ember.manual_seed(123)
        draws.append((ember.empty(6).normal_().numpy().copy(),
                      ember.empty(6).uniform_(-1, 1).numpy().copy()))
    np.testing.assert_array_equal(draws[0][0], draws[1][0], err_msg=(
        "normal_ after the same manual_seed must give the same numbers"))
    np.testing.assert_array_equal(draws[0][1], draws[1][1], err_msg=(
        "uniform_ after the same manual_seed must give the same numbers"))
    assert not np.array_equal(draws[0][0], ember.empty(6).normal_().numpy()), (
        "successive normal_ calls must give new numbers")


def test_errors():
    with pytest.raises(RuntimeError, match="^normal expects std >= 0.0, but found std -1$"):
        ember.zeros(3).normal_(0, -1)
    with pytest.raises(RuntimeError, match=r"^uniform_ expects to return a \[from, to\) range, "
                                           r"but found from=1 > to=0$"):
        ember.zeros(3).uniform_(1, 0)
    with pytest.raises(NotImplementedError, match=r"^normal_ is not implemented for ember\.int64 "
                                                  "tensors: it needs a floating-point dtype$"):
        ember.zeros(3, dtype=ember.int64).normal_()
    with pytest.raises(NotImplementedError, match=r"^uniform_ is not implemented for ember\.int64 "
                                                  "tensors: it needs a floating-point dtype$"):
        ember.zeros(3, dtype=ember.int64).uniform_()

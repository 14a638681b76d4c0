"""Stage 03 · jit: ``ember.jit.trace`` records one run and replays it.

Oracle: ``torch.jit.trace``'s semantics, checked against eager ember and hand-derived
values: the trace replays the recorded ops on new inputs (with autograd), prints the op
list readably, and warns with ``TracerWarning`` when a tensor becomes a Python bool,
because the branch taken while tracing is then frozen into the trace.
"""

import re
import warnings

import numpy as np
import pytest

import ember
from autograder.suites.helpers import grad_of, to_numpy


def _f(x, y):
    return (x * y + 1).sin()


def _trace_quietly(fn, inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ember.jit.trace(fn, inputs)


def test_trace_replays_on_new_inputs():
    traced = _trace_quietly(_f, (ember.ones(3), ember.ones(3)))
    rng = np.random.default_rng(0)
    for _ in range(3):
        a, b = rng.standard_normal(3), rng.standard_normal(3)
        out = traced(ember.tensor(a), ember.tensor(b))
        np.testing.assert_allclose(to_numpy(out, "traced(a, b)"), np.sin(a * b + 1), rtol=1e-6,
                                   err_msg="the trace must recompute sin(a * b + 1) for new "
                                           "inputs, not return the example's result")


def test_trace_accepts_a_single_example_tensor():
    traced = _trace_quietly(lambda x: x.exp() - x, ember.zeros(2))
    out = traced(ember.tensor([1.0, 2.0]))
    np.testing.assert_allclose(to_numpy(out), np.exp([1.0, 2.0]) - [1.0, 2.0], rtol=1e-6)


def test_replay_supports_autograd():
    traced = _trace_quietly(_f, (ember.ones(2), ember.ones(2)))
    x = ember.tensor(np.array([0.3, -0.2]), requires_grad=True)  # float64
    y = ember.tensor(np.array([1.5, 2.0]), requires_grad=True)
    traced(x, y).sum().backward()
    c = np.cos(np.array([0.3, -0.2]) * [1.5, 2.0] + 1)
    np.testing.assert_allclose(grad_of(x, "x"), c * [1.5, 2.0], rtol=1e-10,
                               err_msg="d sin(xy + 1)/dx = cos(xy + 1) y, through the replay")
    np.testing.assert_allclose(grad_of(y, "y"), c * [0.3, -0.2], rtol=1e-10)


def test_the_trace_prints_its_ops_in_order():
    traced = _trace_quietly(_f, (ember.ones(2), ember.ones(2)))
    text = str(traced.graph)
    found = [m.group(0).lower() for m in re.finditer(r"mul|add|sin", text, re.IGNORECASE)]
    assert found[:3] == ["mul", "add", "sin"], (
        f"printing traced.graph must list the recorded ops (mul, add, sin) in order:\n{text}")


def test_loops_with_a_python_count_are_unrolled():
    def f(x):
        for _ in range(3):
            x = x * 2
        return x

    with warnings.catch_warnings():
        warnings.simplefilter("error", ember.jit.TracerWarning)
        traced = ember.jit.trace(f, ember.ones(1))  # no tensor → Python value: no warning
    np.testing.assert_allclose(to_numpy(traced(ember.tensor([1.5]))), [12.0],
                               err_msg="three recorded multiplications by 2")


def _branchy(x):
    if x.sum() > 0:
        return x * 2
    return x - 1


def test_a_tensor_turned_into_a_bool_warns():
    with pytest.warns(ember.jit.TracerWarning, match="Converting a tensor to a Python boolean"):
        ember.jit.trace(_branchy, ember.ones(2))


def test_the_branch_taken_while_tracing_is_frozen():
    traced = _trace_quietly(_branchy, ember.ones(2))
    neg = ember.tensor([-1.0, -2.0])
    np.testing.assert_allclose(to_numpy(_branchy(neg)), [-2.0, -3.0],
                               err_msg="eager: a negative input takes the x - 1 branch")
    np.testing.assert_allclose(
        to_numpy(traced(neg)), [-2.0, -4.0],
        err_msg="the trace recorded the x * 2 branch (positive example) and replays it for "
                "every input: this is what 'the branch is frozen' means")

"""Hidden · stage 03: tracing corner cases (matmul and reductions, shapes, Python numbers,
frozen loop counts, several outputs, gradients against central differences).

Oracle: ``torch.jit.trace``'s semantics and eager ember.
"""

import warnings

import numpy as np
import pytest

import ember
from autograder.suites.helpers import check_grad, to_numpy


def _quiet(fn, inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ember.jit.trace(fn, inputs)


def _mlp(x, w1, w2):
    return ((x @ w1).relu() @ w2).sum(1)


def test_traced_mlp_matches_eager_and_has_correct_gradients():
    rng = np.random.default_rng(1)
    ex = tuple(ember.tensor(rng.standard_normal(s), dtype=ember.float64)
               for s in [(4, 3), (3, 5), (5, 2)])
    traced = _quiet(_mlp, ex)
    new = [rng.standard_normal(s) for s in [(4, 3), (3, 5), (5, 2)]]
    want = _mlp(*[ember.tensor(a, dtype=ember.float64) for a in new])
    got = traced(*[ember.tensor(a, dtype=ember.float64) for a in new])
    np.testing.assert_allclose(to_numpy(got), to_numpy(want), rtol=1e-12)
    check_grad(lambda *t: traced(*t), *new, what="traced MLP replay")


def test_item_while_tracing_warns_and_freezes_the_number():
    def scale_by_max(x):
        return x * x.max().item()

    with pytest.warns(ember.jit.TracerWarning, match="Converting a tensor to a Python"):
        traced = ember.jit.trace(scale_by_max, ember.tensor([1.0, 3.0]))
    np.testing.assert_allclose(to_numpy(traced(ember.tensor([2.0, 10.0]))), [6.0, 30.0],
                               err_msg="the max of the example (3) is frozen into the trace")


def test_data_dependent_loop_count_is_frozen():
    def halve_until_small(x):
        while x.abs().sum() > 1:
            x = x / 2
        return x

    traced = _quiet(halve_until_small, ember.tensor([4.0]))  # two halvings recorded
    np.testing.assert_allclose(to_numpy(traced(ember.tensor([64.0]))), [16.0],
                               err_msg="the trace replays exactly the 2 recorded halvings")
    np.testing.assert_allclose(to_numpy(halve_until_small(ember.tensor([64.0]))), [1.0])


def test_tracing_does_not_leak_state():
    traced = _quiet(lambda x: x + 1, ember.zeros(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ember.jit.TracerWarning)
        assert bool(ember.tensor([1.0]) > 0), "after tracing, bool() must not warn any more"
    np.testing.assert_allclose(to_numpy(traced(ember.tensor([2.0]))), [3.0])


def test_replay_on_a_new_batch_size():
    traced = _quiet(lambda x, w: (x @ w).tanh(), (ember.ones(2, 3), ember.ones(3, 1)))
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((5, 3)), rng.standard_normal((3, 1))
    np.testing.assert_allclose(to_numpy(traced(ember.tensor(x), ember.tensor(w))),
                               np.tanh(x @ w), rtol=1e-5,
                               err_msg="a trace records ops, not the example's shapes")


def test_tracing_a_closure_keeps_its_parameters_live():
    # A model's weights reach a trace as captured tensors, not as inputs (stage 04's
    # modules do the same through attributes).
    w = ember.nn.Parameter(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))

    def layer(x):
        return (x @ w).relu()

    traced = _quiet(layer, ember.ones(1, 2))
    x = ember.tensor([[1.0, 0.5]])
    traced(x).sum().backward()
    np.testing.assert_allclose(to_numpy(w.grad), [[1.0, 1.0], [0.5, 0.5]],
                               err_msg="the replay must send gradients to the captured parameter")
    with ember.no_grad():
        w.mul_(2)
    np.testing.assert_allclose(to_numpy(traced(x).detach()), to_numpy(layer(x).detach()),
                               err_msg="a trace reads its captured parameters' current values")


def test_code_shows_a_python_function():
    traced = _quiet(lambda x, y: (x * y).sum(), (ember.ones(2), ember.ones(2)))
    code = traced.code
    assert "def " in code and "return" in code and "mul" in code and "sum" in code, (
        f"traced.code must read like a Python function calling the recorded ops:\n{code}")

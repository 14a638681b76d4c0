"""Hidden · stage 03: more of ``ember.static`` (nested structures, nested control flow,
state across runs, closed sessions, feeds, a hand-written gradient-descent loop).

Oracle: TensorFlow 1's semantics, values checked against NumPy.
"""

import numpy as np
import pytest

from ember import static


def test_nested_fetches_keep_their_structure():
    static.reset_default_graph()
    a = static.constant(2.0)
    b = a * 3.0
    with static.Session() as sess:
        out = sess.run({"pair": (a, b), "list": [b, {"sq": b * b}]})
    assert isinstance(out["pair"], tuple) and isinstance(out["list"], list)
    assert float(out["pair"][1]) == 6.0 and float(out["list"][1]["sq"]) == 36.0


def test_cond_inside_a_while_loop():
    static.reset_default_graph()
    limit = static.placeholder("float32", shape=(), name="limit")
    # Double small values, add 10 to large ones, until the limit is reached.
    steps, x = static.while_loop(
        lambda s, v: v < limit,
        lambda s, v: (s + 1, static.cond(v < 10.0, lambda: v * 2.0, lambda: v + 10.0)),
        (static.constant(0), static.constant(1.0)))

    def eager(lim):
        s, v = 0, 1.0
        while v < lim:
            s, v = s + 1, (v * 2.0 if v < 10.0 else v + 10.0)
        return s, v

    with static.Session() as sess:
        for lim in (0.0, 9.0, 55.0):
            got = sess.run((steps, x), {limit: lim})
            assert (int(got[0]), float(got[1])) == eager(lim), f"limit {lim}"


def test_gradient_descent_written_as_a_graph():
    static.reset_default_graph()
    x = static.placeholder("float64", shape=(None, 2), name="x")
    y = static.placeholder("float64", shape=(None, 1), name="y")
    w = static.Variable(np.zeros(2), name="w")
    err = static.reduce_sum(x * w, axis=1, keepdims=True) - y       # (N, 1)
    grad_w = static.reduce_mean(err * x, axis=0)                     # (2,)
    step = static.assign(w, w - 0.5 * grad_w)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((32, 2))
    ys = xs @ np.array([[1.5], [-2.0]])
    with static.Session() as sess:
        sess.run(static.global_variables_initializer())
        for _ in range(100):
            sess.run(step, {x: xs, y: ys})
        np.testing.assert_allclose(sess.run(w), [1.5, -2.0], atol=1e-4,
                                   err_msg="w after 100 graph-run steps of gradient descent")


def test_closed_session_and_bad_feeds():
    static.reset_default_graph()
    x = static.placeholder("float32", shape=(2,), name="x")
    y = x + 1.0
    sess = static.Session()
    np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [2.0, 3.0])
    with pytest.raises(ValueError, match="Cannot feed value of shape"):
        sess.run(y, {x: [1.0, 2.0, 3.0]})
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(y, {x: [1.0, 2.0]})


def test_each_node_runs_once_per_run():
    static.reset_default_graph()
    v = static.Variable(0.0, name="v")
    inc = static.assign_add(v, 1.0)
    both = inc + inc  # inc is shared: it must run once, so both = 2 * 1
    with static.Session() as sess:
        sess.run(static.global_variables_initializer())
        assert float(sess.run(both)) == 2.0, "a shared node is computed once per run"
        assert float(sess.run(v)) == 1.0, "the assign ran once"


def test_while_loop_with_maximum_iterations_and_one_variable():
    static.reset_default_graph()
    out = static.while_loop(lambda x: x < 1e9, lambda x: x * 2.0, [static.constant(1.0)],
                            maximum_iterations=5)
    node = out[0] if isinstance(out, (list, tuple)) else out
    with static.Session() as sess:
        assert float(sess.run(node)) == 32.0, "stopped after 5 iterations: 2^5"

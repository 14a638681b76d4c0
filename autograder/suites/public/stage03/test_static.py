"""Stage 03 · static: ``ember.static``, a define-then-run engine in the style of TensorFlow 1.

Oracle: TensorFlow 1's semantics, with values checked against NumPy: building a graph
computes nothing; a ``Session`` evaluates only what the fetches need, with placeholders
fed and variables initialised per session; control flow lives in the graph
(``while_loop``, ``cond``) and runs as often as, or only where, the data says; a
``while_loop`` gives what the same loop gives run eagerly, step for step.
"""

import numpy as np
import pytest

import ember
from ember import static


def _fresh():
    """Every test builds its own graph (nodes of earlier tests are not mixed in)."""
    static.reset_default_graph()


def test_constants_and_operators_run_in_a_session():
    _fresh()
    a = static.constant([[1.0, 2.0], [3.0, 4.0]])
    b = static.constant([[0.5], [-1.0]])
    s = static.add(a, 1.0)
    p = static.multiply(a, b)
    m = static.matmul(a, b)
    ops = (a + b, a - b, a * 2.0, 2.0 - a, a @ b, a / 2.0, -a)
    assert isinstance(s, static.Node), "ops on nodes build nodes; nothing is computed yet"
    with static.Session() as sess:
        got = sess.run([s, p, m, static.subtract(a, b)])
        rest = sess.run(ops)
    x, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5], [-1.0]])
    for out, want, what in [(got[0], x + 1, "add(a, 1)"), (got[1], x * y, "multiply"),
                            (got[2], x @ y, "matmul"), (got[3], x - y, "subtract"),
                            (rest[0], x + y, "a + b"), (rest[1], x - y, "a - b"),
                            (rest[2], x * 2, "a * 2"), (rest[3], 2 - x, "2 - a"),
                            (rest[4], x @ y, "a @ b"), (rest[5], x / 2, "a / 2"),
                            (rest[6], -x, "-a")]:
        np.testing.assert_allclose(np.asarray(out), want, err_msg=f"sess.run({what})")
    assert isinstance(rest, tuple) and isinstance(got, list), "run keeps the fetch structure"


def test_comparisons_build_boolean_nodes():
    _fresh()
    x = static.placeholder("float32", shape=(3,), name="x")
    with static.Session() as sess:
        out = sess.run({"gt": x > 1.0, "le": x <= 1.0, "eq": static.equal(x, 2.0)},
                       feed_dict={x: [0.0, 1.0, 2.0]})
    assert set(out) == {"gt", "le", "eq"}, "a dict of fetches gives a dict of values"
    np.testing.assert_array_equal(out["gt"], [False, False, True], err_msg="x > 1")
    np.testing.assert_array_equal(out["le"], [True, True, False], err_msg="x <= 1")
    np.testing.assert_array_equal(out["eq"], [False, False, True], err_msg="equal(x, 2)")
    with pytest.raises(TypeError, match="bool"):
        bool(x > 1.0)  # a node has no value while the graph is built: use static.cond


def test_one_graph_runs_with_many_feeds():
    _fresh()
    x = static.placeholder("float32", shape=(None,), name="x")
    y = x * x + 1.0
    with static.Session() as sess:
        for data in ([1.0, 2.0], [3.0], [0.5, -1.0, 2.0]):
            np.testing.assert_allclose(sess.run(y, feed_dict={x: data}),
                                       np.square(data) + 1, err_msg=f"y fed with {data}")


def test_missing_feed_raises_invalid_argument():
    _fresh()
    x = static.placeholder("float32", shape=(2,), name="x")
    y = x + 1.0
    with static.Session() as sess:
        with pytest.raises(static.errors.InvalidArgumentError,
                           match="You must feed a value for placeholder tensor 'x'"):
            sess.run(y)
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [2.0, 3.0])


def test_uninitialised_variable_raises_failed_precondition():
    _fresh()
    w = static.Variable(3.0, name="w")
    y = w * 2.0
    with static.Session() as sess:
        with pytest.raises(static.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value w"):
            sess.run(y)
        sess.run(static.global_variables_initializer())
        assert float(sess.run(y)) == 6.0, "after the initializer w = 3, so w * 2 = 6"


def test_variables_keep_their_value_within_a_session_only():
    _fresh()
    counter = static.Variable(0.0, name="counter")
    step = static.assign_add(counter, 1.0)
    init = static.global_variables_initializer()
    with static.Session() as sess:
        sess.run(init)
        for _ in range(3):
            sess.run(step)
        assert float(sess.run(counter)) == 3.0, "assign_add ran three times in this session"
    with static.Session() as sess:
        with pytest.raises(static.errors.FailedPreconditionError):
            sess.run(counter)  # a new session has its own, uninitialised, state
        sess.run(init)
        assert float(sess.run(counter)) == 0.0


def test_while_loop_runs_as_often_as_the_data_says():
    _fresh()
    limit = static.placeholder("float32", shape=(), name="limit")
    # Double x until it exceeds the limit, counting the steps.
    i, x = static.while_loop(lambda i, x: x < limit,
                             lambda i, x: (i + 1, x * 2.0),
                             (static.constant(0), static.constant(1.0)))
    with static.Session() as sess:
        for lim, steps in [(0.5, 0), (5.0, 3), (1000.0, 10)]:
            got_i, got_x = sess.run((i, x), feed_dict={limit: lim})
            assert int(got_i) == steps and float(got_x) == 2.0 ** steps, (
                f"limit {lim}: expected {steps} doublings, got i={got_i}, x={got_x}")


def test_while_loop_sums_a_series():
    _fresh()
    n = static.placeholder("int64", shape=(), name="n")
    k, total = static.while_loop(lambda k, t: k <= n, lambda k, t: (k + 1, t + k),
                                 [static.constant(1, dtype="int64"),
                                  static.constant(0, dtype="int64")])
    with static.Session() as sess:
        assert int(sess.run(total, {n: 10})) == 55, "1 + 2 + ... + 10"
        assert int(sess.run(total, {n: 0})) == 0, "the body never runs when n = 0"


def test_cond_runs_only_the_selected_branch():
    _fresh()
    x = static.placeholder("float32", shape=(), name="x")
    hits = static.Variable(0.0, name="hits")
    y = static.cond(x > 0.0, lambda: x * 10.0, lambda: static.assign_add(hits, 1.0) * 0.0 - x)
    with static.Session() as sess:
        sess.run(static.global_variables_initializer())
        assert float(sess.run(y, {x: 2.0})) == 20.0, "x > 0: the true branch, x * 10"
        assert float(sess.run(hits)) == 0.0, "the false branch (which counts) must not run"
        assert float(sess.run(y, {x: -3.0})) == 3.0, "x <= 0: the false branch, -x"
        assert float(sess.run(hits)) == 1.0, "the false branch ran exactly once"


def test_eager_loop_matches_a_static_while_loop():
    def eager(v):
        x, i = ember.tensor(v), 0
        while x < 50:
            x = x * 1.5 + 1
            i += 1
        return x.item(), i

    static.reset_default_graph()
    start = static.placeholder("float64", shape=(), name="start")
    i, x = static.while_loop(lambda i, x: x < 50.0, lambda i, x: (i + 1, x * 1.5 + 1.0),
                             (static.constant(0), start))
    with static.Session() as sess:
        for v in [1.0, 20.0, 60.0]:
            got_i, got_x = sess.run([i, x], feed_dict={start: v})
            want_x, want_i = eager(v)
            assert int(got_i) == want_i and abs(float(got_x) - want_x) < 1e-9, (
                f"start {v}: eager ran {want_i} steps to {want_x}, static gave "
                f"{int(got_i)} steps to {float(got_x)}")

"""Hidden · stage 03: every graph walker of the stage meets the same 10,000-op chain.

A walker that recurses once per node (a recursive topological sort, a recursive
evaluator) overflows Python's stack on a long chain; the engine's backward meets this
chain in stage 02, and here ``jit.trace`` (its topological sort and replay) and a
``static.Session`` (its evaluator) meet it too. Oracle: the closed form of the chain.
"""

import warnings

import numpy as np

import ember
from ember import static

#: Ops in each chain: well past Python's default recursion limit of 1,000.
DEPTH = 10_000


def _chain(x):
    for _ in range(DEPTH):
        x = x + 1.0
    return x


def test_jit_trace_of_a_10000_op_chain_replays():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = ember.jit.trace(_chain, (ember.zeros(2),))
    out = traced(ember.tensor([1.0, -3.0]))
    np.testing.assert_allclose(out.numpy(), [1.0 + DEPTH, -3.0 + DEPTH], err_msg=(
        "the replay of a 10,000-op trace must add 1 ten thousand times (a recursive "
        "topological sort or replay overflows the stack on a trace this deep)"))


def test_jit_replay_of_a_10000_op_chain_backpropagates():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = ember.jit.trace(lambda x: _chain(x * 2.0), (ember.zeros(3),))
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    traced(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0, 2.0],
                               err_msg="d/dx of 2x + 10,000 is 2, through the deep replay")


def test_static_session_evaluates_a_10000_node_chain():
    static.reset_default_graph()
    x = static.placeholder("float32", shape=(2,), name="x")
    node = x
    for _ in range(DEPTH):
        node = node + 1.0
    with static.Session() as sess:
        got = sess.run(node, feed_dict={x: [0.5, 2.0]})
    np.testing.assert_allclose(np.asarray(got), [0.5 + DEPTH, 2.0 + DEPTH], err_msg=(
        "a session must evaluate a 10,000-node chain (a recursive evaluator overflows "
        "the stack on a graph this deep)"))

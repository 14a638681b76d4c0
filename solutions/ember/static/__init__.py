"""``ember.static``: a small define-then-run engine in the style of TensorFlow 1.

Ember itself runs eagerly (define-by-run): ``a + b`` computes now, and Python's ``if`` and
``while`` steer the computation. This package shows the other way, for contrast: first
*describe* the computation as a graph of nodes, then *run* it in a ``Session`` with the
inputs fed in. Control flow must then be part of the graph (``while_loop``, ``cond``), and
state lives in ``Variable`` nodes that each session must initialise.

Example:
    >>> from ember import static
    >>> x = static.placeholder("float32", shape=(None,), name="x")
    >>> w = static.Variable(2.0, name="w")
    >>> y = static.reduce_sum(w * x)
    >>> with static.Session() as sess:
    ...     _ = sess.run(static.global_variables_initializer())
    ...     float(sess.run(y, feed_dict={x: [1.0, 2.0, 3.0]}))
    12.0
"""

from ember.static import errors
from ember.static.control_flow import cond, while_loop
from ember.static.graph import (
    Graph,
    Node,
    get_default_graph,
    get_default_session,
    reset_default_graph,
)
from ember.static.ops import (
    abs,
    add,
    cast,
    constant,
    convert_to_node,
    divide,
    equal,
    exp,
    greater,
    greater_equal,
    identity,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    placeholder,
    reduce_mean,
    reduce_sum,
    sigmoid,
    sqrt,
    square,
    subtract,
    tanh,
)
from ember.static.session import Session
from ember.static.variables import (
    Variable,
    assign,
    assign_add,
    global_variables,
    global_variables_initializer,
    variables_initializer,
)

__all__ = [
    "Graph", "Node", "Session", "Variable", "errors", "get_default_graph",
    "get_default_session", "reset_default_graph",
    "constant", "placeholder", "convert_to_node", "cast", "identity",
    "add", "subtract", "multiply", "divide", "matmul", "maximum", "minimum", "negative",
    "abs", "exp", "log", "sqrt", "square", "tanh", "sigmoid",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not", "reduce_sum", "reduce_mean",
    "while_loop", "cond", "assign", "assign_add", "global_variables",
    "global_variables_initializer", "variables_initializer",
]

"""Variables of ``ember.static``: state that lives in a ``Session``, not in the graph.

A ``Variable`` node describes a value that persists across ``Session.run`` calls. It has
no value until an initializer runs in that session (``global_variables_initializer()``),
which is TensorFlow 1's most famous first error: "Attempting to use uninitialized value".
``assign``, ``assign_add`` and ``assign_sub`` are nodes too: the change happens when (and
each time) a session runs them.

Example:
    >>> from ember import static
    >>> counter = static.Variable(0, name="counter")
    >>> step = counter.assign_add(1)
    >>> with static.Session() as sess:
    ...     _ = sess.run(static.global_variables_initializer())
    ...     _ = sess.run(step)
    ...     int(sess.run(step))
    2
"""

from __future__ import annotations

from typing import Any

from ember.static.graph import Node, get_default_graph
from ember.static.ops import constant, convert_to_node


class Variable(Node):
    """A node whose value is state kept by each session (TensorFlow 1's ``tf.Variable``).

    Args:
        initial_value: the value (or a node computing it) the initializer assigns.
        name: the variable's name (``"Variable"`` by default).
        dtype: the variable's dtype (that of ``initial_value`` by default).
    """

    def __init__(self, initial_value: Any, name: str | None = None, dtype: Any = None) -> None:
        graph = get_default_graph()
        op_name = graph.unique_name(name or "Variable")
        if isinstance(initial_value, Node):
            initial = initial_value
        else:
            initial = constant(initial_value, dtype=dtype, name=f"{op_name}/initial_value")
        super().__init__("VariableV2", op_name, shape=initial.shape, dtype=initial.dtype)
        self.initial_value = initial
        #: The node that (re)sets the variable to its initial value when run.
        self.initializer = _assign_node("Assign", self, initial, f"{op_name}/Assign")
        graph._variables.append(self)

    def assign(self, value: Any, name: str | None = None) -> Node:
        """A node that sets the variable to ``value`` when run, and evaluates to it."""
        return _assign_node("Assign", self, convert_to_node(value, like=self), name)

    def assign_add(self, delta: Any, name: str | None = None) -> Node:
        """A node that adds ``delta`` to the variable when run (``v += delta``)."""
        return _assign_node("AssignAdd", self, convert_to_node(delta, like=self), name)

    def assign_sub(self, delta: Any, name: str | None = None) -> Node:
        """A node that subtracts ``delta`` from the variable when run (``v -= delta``)."""
        return _assign_node("AssignSub", self, convert_to_node(delta, like=self), name)


def _assign_node(op: str, variable: Variable, value: Node, name: str | None) -> Node:
    # The variable is an attribute, not an input: assigning must not read it first
    # (an initializer assigns a variable that has no value yet).
    return Node(op, get_default_graph().unique_name(name or op), (value,),
                shape=variable.shape, dtype=variable.dtype, attrs={"variable": variable})


def assign(ref: Variable, value: Any, name: str | None = None) -> Node:
    """``ref.assign(value)``."""
    return ref.assign(value, name=name)


def assign_add(ref: Variable, value: Any, name: str | None = None) -> Node:
    """``ref.assign_add(value)``."""
    return ref.assign_add(value, name=name)


def variables_initializer(var_list: list[Variable], name: str = "init") -> Node:
    """A node that, when run, assigns each variable of ``var_list`` its initial value."""
    return Node("NoOp", get_default_graph().unique_name(name),
                tuple(v.initializer for v in var_list))


def global_variables() -> list[Variable]:
    """The variables of the default graph, in creation order."""
    return list(get_default_graph()._variables)


def global_variables_initializer() -> Node:
    """A node that initialises every variable of the default graph created so far."""
    return variables_initializer(global_variables())

"""``Session``: where a static graph finally computes something.

``session.run(fetches, feed_dict)`` evaluates the nodes in ``fetches`` and only what they
depend on, in topological order, with a cache so each node runs once per call. Fed values
replace placeholders; variables read the session's state; ``While`` and ``If`` nodes run
their subgraphs as often as (or only where) the data says.

Example:
    >>> from ember import static
    >>> x = static.placeholder("float32", shape=(2,), name="x")
    >>> y = x * 2.0 + 1.0
    >>> with static.Session() as sess:
    ...     sess.run(y, feed_dict={x: [1.0, 2.0]})
    array([3., 5.], dtype=float32)
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import MutableMapping
from typing import Any

import numpy

from ember._creation import as_tensor
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.static.errors import FailedPreconditionError, InvalidArgumentError
from ember.static.graph import (
    DEFAULT_SESSIONS,
    Graph,
    Node,
    dtype_name,
    format_shape,
    get_default_graph,
)


def _feed_dtype_name(node: Node) -> str:
    """TensorFlow's short dtype names in error messages: float, double, int64..."""
    return {"float32": "float", "float64": "double"}.get(dtype_name(node.dtype),
                                                         dtype_name(node.dtype))


class Session:
    """Runs a graph; holds the values of its variables.

    Args:
        graph: the graph to run (the default graph by default).
    """

    def __init__(self, graph: Graph | None = None) -> None:
        self.graph = graph if graph is not None else get_default_graph()
        self._variables: dict[Node, Tensor] = {}
        self._closed = False

    def __enter__(self) -> Session:
        DEFAULT_SESSIONS.append(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        DEFAULT_SESSIONS.remove(self)
        self.close()

    def close(self) -> None:
        """Free the session's state; a closed session cannot run anything."""
        self._variables.clear()
        self._closed = True

    # ----------------------------------------------------------------- public entry point
    def run(self, fetches: Any, feed_dict: dict | None = None) -> Any:
        """Compute ``fetches``: a node, or a list, tuple or dict of them (nested).

        Args:
            fetches: what to compute; the result has the same structure, with NumPy
                arrays (NumPy scalars for 0-dim values) in place of nodes and ``None``
                for operations without a value (an initializer).
            feed_dict: ``{placeholder: value}``; values are converted to its dtype.

        Raises:
            RuntimeError: the session is closed.
            InvalidArgumentError: a needed placeholder was not fed.
            FailedPreconditionError: a variable was read before being initialised.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        cache = self._feeds(feed_dict or {})
        with no_grad():
            return self._fetch(fetches, cache)

    def _fetch(self, fetches: Any, cache: MutableMapping) -> Any:
        if isinstance(fetches, dict):
            return {key: self._fetch(value, cache) for key, value in fetches.items()}
        if isinstance(fetches, (list, tuple)):
            return type(fetches)(self._fetch(value, cache) for value in fetches)
        if not isinstance(fetches, Node):
            raise TypeError(f"Fetch argument {fetches!r} has invalid type "
                            f"{type(fetches).__name__}, must be a static.Node")
        value = self._evaluate(fetches, cache)
        if not isinstance(value, Tensor):
            return None
        array = numpy.array(value._data)  # a copy: the caller may modify it
        return array[()] if array.ndim == 0 else array

    def _feeds(self, feed_dict: dict) -> dict:
        """The fed values as tensors of each node's dtype, checked against its shape."""
        cache = {}
        for node, value in feed_dict.items():
            if not isinstance(node, Node):
                raise TypeError(f"The key of a feed_dict must be a static.Node, got {node!r}")
            tensor = as_tensor(numpy.asarray(value), dtype=node.dtype)
            shape = tuple(tensor.shape)
            if node.shape is not None and (len(shape) != len(node.shape) or any(
                    want is not None and have != want
                    for have, want in zip(shape, node.shape, strict=False))):
                raise ValueError(f"Cannot feed value of shape {format_shape(shape)} for "
                                 f"Tensor '{node.name}', which has shape "
                                 f"'{format_shape(node.shape)}'")
            cache[node] = tensor
        return cache

    # ----------------------------------------------------------------- evaluation
    def _evaluate(self, fetch: Node, cache: MutableMapping) -> Any:
        """The value of ``fetch``, computing what it needs (and no more) in ``cache``.

        ``cache`` maps nodes to values: fed placeholders on entry, every computed node on
        exit, so a node shared by several fetches (or inputs) runs once per ``run``.

        Hint: no recursion (graphs can be deep); keep a stack of nodes still to compute.
        A node whose inputs are all in ``cache`` can be computed with ``self._compute``.
        """
        ### BEGIN SOLUTION 03
        stack = [fetch]
        while stack:
            node = stack[-1]
            if node in cache:
                stack.pop()
                continue
            missing = [i for i in node.inputs if i not in cache]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            cache[node] = self._compute(node, cache)
        return cache[fetch]
        ### END SOLUTION

    def _compute(self, node: Node, cache: MutableMapping) -> Any:
        """The value of one node whose inputs are already in ``cache``."""
        op = node.op
        if op == "Placeholder":
            shape = "" if node.shape is None else f" and shape {format_shape(node.shape, 'list')}"
            raise InvalidArgumentError(
                f"You must feed a value for placeholder tensor '{node._op_name}' with dtype "
                f"{_feed_dtype_name(node)}{shape}")
        if op == "LoopVar":
            raise InvalidArgumentError(f"'{node.name}' is a loop variable: it has a value "
                                       "only inside its while_loop")
        if op == "VariableV2":
            if node not in self._variables:
                raise FailedPreconditionError(
                    f"Attempting to use uninitialized value {node._op_name}. Run "
                    "static.global_variables_initializer() in this session first.")
            return self._variables[node]
        if op in ("Assign", "AssignAdd", "AssignSub"):
            return self._assign(node, cache[node.inputs[0]])
        if op == "NoOp":
            return None
        if op == "While":
            return self._run_while(node, cache)
        if op == "If":
            return self._run_cond(node, cache)
        return node.compute(*[cache[i] for i in node.inputs])

    def _assign(self, node: Node, value: Tensor) -> Tensor:
        variable = node.attrs["variable"]
        if node.op != "Assign":
            current = self._compute(variable, {})
            value = current + value if node.op == "AssignAdd" else current - value
        # A new tensor, never an in-place write: values fetched earlier stay unchanged.
        self._variables[variable] = value.to(variable.dtype).clone()
        return self._variables[variable]

    def _run_while(self, node: Node, cache: MutableMapping) -> tuple:
        """The final values of a ``While`` node's loop variables.

        ``node.inputs`` starts with the initial values; ``node.attrs`` holds the
        stand-in nodes of the loop variables (``"loop_vars"``), the condition node
        (``"cond"``), the body's output nodes (``"body"``) and ``"maximum_iterations"``.

        Hint: each iteration evaluates the condition, then the body, in a fresh cache
        whose loop variables map to the current values and which falls back to ``cache``
        for nodes outside the loop (``collections.ChainMap``).
        """
        loop_vars, predicate = node.attrs["loop_vars"], node.attrs["cond"]
        body, limit = node.attrs["body"], node.attrs["maximum_iterations"]
        values = [cache[i] for i in node.inputs[:len(loop_vars)]]
        ### BEGIN SOLUTION 03
        iterations = 0
        while limit is None or iterations < limit:
            frame = ChainMap(dict(zip(loop_vars, values, strict=True)), cache)
            if not bool(self._evaluate(predicate, frame)):
                break
            values = [self._evaluate(out, frame) for out in body]
            iterations += 1
        return tuple(values)
        ### END SOLUTION

    def _run_cond(self, node: Node, cache: MutableMapping) -> tuple:
        """The values of the branch an ``If`` node selects.

        ``node.inputs[0]`` is the predicate; ``node.attrs["true"]`` and
        ``node.attrs["false"]`` are the output nodes of the two branches. Only the
        selected branch may run (it may assign variables, or fail on the other's data).
        """
        ### BEGIN SOLUTION 03
        branch = node.attrs["true"] if bool(cache[node.inputs[0]]) else node.attrs["false"]
        return tuple(self._evaluate(out, cache) for out in branch)
        ### END SOLUTION

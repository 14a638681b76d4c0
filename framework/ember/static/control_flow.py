"""``while_loop`` and ``cond``: control flow as graph nodes (TensorFlow 1 style).

A Python ``if`` or ``while`` cannot look at a node's value (there is none while the graph
is built), so a static graph needs control flow *operations*. Their bodies are ordinary
Python functions, called **once**, at build time, on symbolic stand-ins for the loop
variables: what they build is a subgraph that the session runs as often as the data says.

Example:
    >>> from ember import static
    >>> i = static.constant(0)
    >>> n = static.while_loop(lambda i: i < 10, lambda i: i + 3, [i])
    >>> with static.Session() as sess:
    ...     int(sess.run(n))
    12
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember._dtype import bool as bool_dtype
from ember.static.graph import Node, format_shape, get_default_graph
from ember.static.ops import convert_to_node


def _as_list(values: Any) -> tuple[list, bool]:
    """``values`` as a list, and whether it was a single value rather than a list/tuple."""
    if isinstance(values, (list, tuple)):
        return list(values), False
    return [values], True


def _outputs(control: Node, like: list[Node], shapes: list) -> list[Node]:
    """One node per output of a multi-output control-flow node (``while:0``, ``while:1``)."""
    return [Node("Output", control._op_name, (control,), shape=shape, dtype=node.dtype,
                 index=i, compute=lambda values, i=i: values[i])
            for i, (node, shape) in enumerate(zip(like, shapes, strict=True))]


def while_loop(cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any,
               shape_invariants: Any = None, maximum_iterations: int | None = None,
               name: str | None = None) -> Any:
    """Repeat ``body`` while ``cond`` is true, as one node of the graph.

    ``cond(*vars)`` must build a boolean scalar node and ``body(*vars)`` the next value of
    every loop variable. Both are called once, now, on stand-in nodes; the session then
    evaluates the two subgraphs repeatedly.

    Args:
        cond: the loop condition, a function of the loop variables.
        body: the loop body, returning as many values as there are loop variables.
        loop_vars: the initial values (a list or tuple of nodes or numbers).
        shape_invariants: optional shapes for the loop variables when they change shape.
        maximum_iterations: optional upper bound on the number of iterations.
        name: the loop's name (``"while"`` by default).

    Returns:
        The final values: a node when there is one loop variable, else a list/tuple.
    """
    graph = get_default_graph()
    values, _ = _as_list(loop_vars)
    initial = [convert_to_node(v) for v in values]
    shapes = [v.shape for v in initial] if shape_invariants is None else [
        None if s is None else tuple(s) for s in _as_list(shape_invariants)[0]]
    name = graph.unique_name(name or "while")
    with graph._frame_scope(name) as frame:
        stand_ins = [Node("LoopVar", f"{name}/Enter" + ("" if i == 0 else f"_{i}"),
                          shape=shape, dtype=v.dtype)
                     for i, (v, shape) in enumerate(zip(initial, shapes, strict=True))]
        predicate = convert_to_node(cond(*stand_ins))
        body_out, _ = _as_list(body(*stand_ins))
        body_out = [convert_to_node(out, like=v)
                    for out, v in zip(body_out, stand_ins, strict=False)]
    if len(body_out) != len(initial):
        raise ValueError(f"The two structures don't have the same number of elements: the "
                         f"loop has {len(initial)} variables, body returned {len(body_out)}")
    for i, (start, out, shape) in enumerate(zip(initial, body_out, shapes, strict=True)):
        if out.dtype != start.dtype:
            raise TypeError(f"Loop variable {i} enters the loop as {start.dtype} but the body "
                            f"returns {out.dtype}")
        if shape is not None and out.shape is not None and not _fits(out.shape, shape):
            raise ValueError(
                f"Input tensor '{start.name}' enters the loop with shape "
                f"{format_shape(shape)}, but has shape {format_shape(out.shape)} after one "
                "iteration. To allow the shape to vary across iterations, use the "
                "`shape_invariants` argument of static.while_loop to specify a less-specific "
                "shape.")
    captured = frame.captures([predicate, *body_out])
    control = Node("While", name, (*initial, *captured), attrs={
        "loop_vars": stand_ins, "cond": predicate, "body": body_out,
        "maximum_iterations": maximum_iterations})
    outputs = _outputs(control, initial, shapes)
    if len(outputs) == 1:  # TensorFlow 1 unpacks a single loop variable
        return outputs[0]
    return type(loop_vars)(outputs) if isinstance(loop_vars, tuple) else outputs


def _fits(shape: tuple, invariant: tuple) -> bool:
    """True when ``shape`` matches ``invariant`` (whose ``None`` sizes match anything)."""
    return len(shape) == len(invariant) and all(
        want is None or have == want for have, want in zip(shape, invariant, strict=True))


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any],
         name: str | None = None) -> Any:
    """``true_fn()`` if ``pred`` is true else ``false_fn()``, decided at run time.

    Both functions are called once, now, to build their branch; the session runs only
    the branch that ``pred`` selects.

    Args:
        pred: a boolean scalar node (or a Python bool).
        true_fn, false_fn: functions without arguments building the two branches; they
            must return the same number of values.
        name: the node's name (``"cond"`` by default).

    Returns:
        A node, or a list/tuple of nodes, like what the branches return.
    """
    graph = get_default_graph()
    pred = convert_to_node(pred)
    if pred.dtype is not bool_dtype:
        raise TypeError(f"pred must be a bool node, got dtype {pred.dtype}")
    name = graph.unique_name(name or "cond")
    branches, captured = [], []
    for fn, branch in ((true_fn, "true"), (false_fn, "false")):
        with graph._frame_scope(f"{name}/{branch}") as frame:
            out, single = _as_list(fn())
            out = [convert_to_node(o) for o in out]
        branches.append(out)
        captured += frame.captures(out)
    true_out, false_out = branches
    if len(true_out) != len(false_out):
        raise ValueError(f"true_fn and false_fn must return the same number of values, got "
                         f"{len(true_out)} and {len(false_out)}")
    for t, f in zip(true_out, false_out, strict=True):
        if t.dtype != f.dtype:
            raise TypeError(f"true_fn and false_fn return different dtypes: {t.dtype} and "
                            f"{f.dtype}")
    control = Node("If", name, (pred, *captured),
                   attrs={"true": true_out, "false": false_out})
    shapes = [_merged(t.shape, f.shape) for t, f in zip(true_out, false_out, strict=True)]
    outputs = _outputs(control, true_out, shapes)
    return outputs[0] if single else outputs


def _merged(a: tuple | None, b: tuple | None) -> tuple | None:
    """The most specific shape both branches' shapes match."""
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b, strict=True))

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 03: topological_nodes, Recorder.record, replay
"""The traced graph: what ``ember.jit.trace`` keeps of one run, and how it is replayed.

A trace is a flat list of ``Op``s in an order that replays correctly. Each ``Op`` is one
recorded call ``fn.apply(*args)``; wherever the traced call got a tensor that came from
the inputs or from an earlier op, the argument is a ``Value`` instead: a slot number in
the replay's list of values (the inputs first, then one slot per op) and, for ops with
several outputs, which output. Any other argument is kept as it was: that is what the
trace freezes (parameters, constants made inside the function).

Three steps turn autograd's graph into this list (stage 03):

1. ``topological_nodes`` walks from the outputs' ``grad_fn`` back to the inputs and orders
   the recorded nodes so that each comes after every node it reads;
2. ``Recorder.record`` turns each node into an ``Op``, replacing tensor arguments by
   ``Value``s;
3. ``replay`` runs the ops on new inputs, filling the slots in order.

Example:
    >>> import ember, ember.jit
    >>> traced = ember.jit.trace(lambda x: x * 2 + 1, (ember.ones(2),))
    >>> [op.fn.__name__ for op in traced._ops]
    ['Mul', 'Add']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ember._tensor import Tensor


@dataclass(frozen=True)
class Value:
    """A value of the replay: input ``values[slot]``, or output ``nr`` of op ``slot``."""

    slot: int
    nr: int | None = None

    def get(self, values: list) -> Any:
        value = values[self.slot]
        return value if self.nr is None else value[self.nr]


@dataclass(frozen=True)
class Op:
    """One recorded call ``fn.apply(*args)``; ``Value`` args are replaced on replay."""

    fn: type
    args: tuple
    meta: tuple  # ((shape, dtype) of each output) as seen while tracing, for the listing


def _producer(node: Any, position: int) -> tuple[Any, int] | None:
    """The traced node (and its output number) that made argument ``position`` of ``node``.

    ``next_functions`` (not the argument's current ``grad_fn``) is the truth: an in-place
    op later moves a tensor's ``grad_fn`` to itself. Leaves (``AccumulateGrad``), tensors
    that need no gradient, and nodes recorded before tracing began give ``None``.
    """
    edges = getattr(node, "next_functions", ())
    if position >= len(edges) or edges[position][0] is None:
        return None
    producer, nr = edges[position]
    return (producer, nr) if hasattr(producer, "_trace_fn") else None


def topological_nodes(roots: list[Any], inputs: dict[int, int]) -> list[Any]:
    """The traced nodes the roots depend on, each after all the nodes it reads.

    Args:
        roots: the ``grad_fn`` nodes of the outputs (traced ones only).
        inputs: ``id(tensor) -> position`` of the traced inputs (where the walk stops).

    Returns:
        The nodes in an order that replays correctly (inputs first, outputs last).

    Hint: an iterative depth-first search (no recursion: traces can be deep). A node's
    dependencies are ``_producer(node, i)`` for each tensor argument ``i`` of
    ``node._trace_args`` that is not a traced input; add a node to the order once all its
    dependencies are in it.
    """
    # ---- your code (stage 03): topological_nodes ----
    raise NotImplementedError("Stage 03: implement topological_nodes")
    # ---- end of your code (stage 03) ----


class Recorder:
    """Turns the walked nodes into ``Op``s whose tensor arguments are ``Value``s.

    Slots ``0 .. len(inputs) - 1`` hold the inputs, then one slot per op, in order. A
    tensor argument that is neither an input nor made by a recorded op stays in the
    ``Op`` as the tensor itself: that is what tracing freezes.
    """

    def __init__(self, inputs: list[Tensor]) -> None:
        self.input_slots = {id(t): i for i, t in enumerate(inputs)}
        self.node_slots: dict[int, int] = {}
        self.ops: list[Op] = []

    def value_of(self, tensor: Tensor, edge: tuple[Any, int] | None) -> Value | Tensor:
        """Where the replay finds ``tensor``: an input, an op's output, or itself."""
        if id(tensor) in self.input_slots:
            return Value(self.input_slots[id(tensor)])
        if edge is not None and id(edge[0]) in self.node_slots:
            return Value(self.node_slots[id(edge[0])], edge[1])
        # Frozen: a parameter (the same tensor, so training still reaches it) or a tensor
        # the trace cannot connect to the inputs (used as it is).
        return tensor

    def record(self, order: list[Any]) -> None:
        """Append one ``Op`` per node of ``order`` (a topological order).

        Hint: ``node._trace_fn`` is the op class and ``node._trace_args`` its arguments;
        replace each tensor argument by ``self.value_of(arg, _producer(node, position))``
        and note in ``self.node_slots`` the slot where the node's result will be.
        """
        # ---- your code (stage 03): Recorder.record ----
        raise NotImplementedError("Stage 03: implement Recorder.record")
        # ---- end of your code (stage 03) ----


def replay(ops: list[Op], inputs: list[Tensor], outputs: list[Value | Tensor]) -> list[Any]:
    """Run the recorded ``ops`` on new ``inputs``; return the values of ``outputs``.

    Slots ``0 .. len(inputs) - 1`` are the inputs, then one slot per op, in order, holding
    the op's outputs as a tuple (``Value(slot, nr)`` is output ``nr``). ``Op.args`` holds
    ``Value``s where the traced call had tensors from the inputs, and the original
    (frozen) values elsewhere; an output may be a frozen tensor too.

    Hint: each op is ``op.fn.apply(*args)`` (which records the autograd graph when an
    argument requires grad, so gradients flow back to the new inputs).
    """
    # ---- your code (stage 03): replay ----
    raise NotImplementedError("Stage 03: implement replay")
    # ---- end of your code (stage 03) ----

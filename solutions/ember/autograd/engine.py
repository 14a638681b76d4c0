"""The backward pass: walk the recorded graph from the outputs back to the leaves.

``loss.backward()`` runs reverse-mode differentiation. Every node (the ``ctx`` of one
recorded op) knows the gradient of its inputs given the gradient of its output (the chain
rule for that op, its ``backward``). The engine supplies what no single op can know:

1. **order** — a node may run only once the gradients from *all* its consumers have been
   summed. We count, for every node, how many edges lead into it (its dependencies) and run
   a node when that count drops to zero: a topological order, found without recursion so a
   10,000-op chain works.
2. **accumulation** — a tensor used twice gets the *sum* of both gradients (the
   multivariate chain rule ∂L/∂x = Σ_k ∂L/∂y_k · ∂y_k/∂x); a leaf adds into ``.grad``
   across calls, which is why training loops call ``zero_grad()``.
3. **unbroadcasting** — ``a + b`` with ``a`` of shape [2, 3] and ``b`` of shape [3] gives
   ``b`` a gradient of shape [2, 3]; since ``b`` was repeated along the new dimension, its
   gradient is the sum over that dimension: ∂L/∂b_j = Σ_i ∂L/∂y_ij.
4. **checks and cleanup** — each gradient's shape against its input, saved tensors not
   modified in place (stage 03), and saved arrays freed afterwards unless
   ``retain_graph=True``.

With ``create_graph=True`` the same walk carries tensors instead of arrays and each node
runs its tensor-level backward, so the gradients have a graph of their own (gradients of
gradients); ``higher_order.py`` holds that branch.

Example:
    >>> import ember
    >>> x = ember.tensor([1., 2., 3.], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ember._backend import ARRAY_TYPES, get_array_module
from ember._dtype import from_numpy_dtype
from ember._tensor import Tensor
from ember.autograd.function import FREED_MESSAGE, Context
from ember.autograd.grad_mode import enable_grad
from ember.autograd.graph import AccumulateGrad, Node
from ember.autograd.higher_order import (
    accumulate_grad_graph,
    call_backward_graph,
    materialize_graph,
)

_make = Tensor._make


# --------------------------------------------------------------------------- order
def dependencies(roots: Sequence[Node]) -> dict[Node, int]:
    """For every node reachable from ``roots``, how many edges of the graph lead into it.

    A node may run its backward once that many gradients have arrived. The walk uses an
    explicit stack, never recursion: a chain of 10,000 ops is 10,000 nodes deep.

    Args:
        roots: the nodes the backward pass starts from.

    Returns:
        ``{node: number of edges into it}`` (0 for the roots unless another root uses them).
    """
    # Hint: a stack of nodes to visit and a dict of counts; visit each node's
    # next_functions once, adding 1 to the count of every node an edge points to.
    ### BEGIN SOLUTION 02
    counts: dict[Node, int] = {}
    stack = []
    for root in roots:
        if root not in counts:
            counts[root] = 0
            stack.append(root)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child in counts:
                counts[child] += 1
            else:
                counts[child] = 1
                stack.append(child)
    return counts
    ### END SOLUTION


# --------------------------------------------------------------------------- shapes
def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """``grad`` summed down to ``shape``: undo the broadcasting of the forward pass.

    Broadcasting repeats an input along new leading dimensions and along its size-1
    dimensions; the gradient of a repeated value is the sum of the gradients of its copies.

    Args:
        grad: the gradient, of the broadcast shape (e.g. [4, 2, 3]).
        shape: the input's shape (e.g. [2, 1]); it must be broadcastable to ``grad.shape``.

    Returns:
        An array of ``shape`` (``grad`` itself when the shapes already match).

    Example:
        >>> import numpy as np
        >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()
        [[12.0], [12.0]]
    """
    # Hint: sum away the extra leading dimensions, then sum (keepdims) where shape has 1.
    ### BEGIN SOLUTION 02
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
    ### END SOLUTION


def _compatible(grad_shape: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """True when ``shape`` broadcasts to ``grad_shape`` (so the gradient can be summed)."""
    if len(grad_shape) < len(shape):
        return False
    tail = grad_shape[len(grad_shape) - len(shape):]
    return all(s == g or s == 1 for s, g in zip(shape, tail, strict=True))


def _as_array(value: Any, like: Any) -> Any:
    """A gradient returned by ``backward`` as an array (tensors and numbers accepted)."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, ARRAY_TYPES):
        return value
    return get_array_module(like).asarray(value)


# --------------------------------------------------------------------------- one node
def check_versions(node: Context) -> None:
    """Raise PyTorch's error when a tensor saved by ``node`` was changed in place since.

    ``y = x * w`` saves ``w``; ``w.add_(1)`` afterwards would make ``y``'s backward use the
    new ``w`` and return a wrong gradient, silently. Each saved tensor's version counter
    was noted at save time; every in-place op bumps it.
    """
    for counter, expected, array, position in node._versions:
        # Each counter is a one-element list [version], shared by all views of the memory.
        if counter[0] != expected:
            # Hint: raise PyTorch's RuntimeError; _modified_message(...) words it.
            ### BEGIN SOLUTION 03
            raise RuntimeError(_modified_message(node, array, position, counter[0], expected))
            ### END SOLUTION


def _modified_message(node: Context, array: Any, position: int, version: int,
                      expected: int) -> str:
    """PyTorch's words for a saved ``array`` (argument ``position``, or ``-1 - k``: output k)."""
    if position < 0:  # an output of ``node`` itself
        producer, output_nr = node, -1 - position
    else:
        producer, output_nr = node.next_functions[position]
        if not isinstance(producer, Context):
            producer = None  # a leaf: PyTorch names no producer
    name = f"ember.{from_numpy_dtype(array.dtype)._legacy} {list(array.shape)}"
    origin = f", which is output {output_nr} of {producer.name()}," if producer else ""
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{name}]{origin} is at version {version}; expected version "
            f"{expected} instead. Hint: the tensor was changed in place after the operation "
            "that saved it; use an out-of-place operation (x = x + 1, not x += 1) or clone() "
            "it before the change.")


def call_backward(node: Context, grads: list) -> list:
    """Run ``node``'s backward and return one checked gradient per input edge.

    Each returned gradient is converted to an array, reduced to its input's shape
    (``unbroadcast``) and cast to its dtype; None means "no gradient" for that input.

    Raises:
        RuntimeError: the graph was freed, a saved tensor was modified in place, the
            backward returned the wrong number of gradients or a gradient whose shape
            does not fit its input.
    """
    if node._freed:
        raise RuntimeError(FREED_MESSAGE)
    check_versions(node)
    # Hint: results = node._fn.backward(node, *grads), made a tuple; then for each input
    # edge (next_node, output_nr) compare the gradient with next_node._meta[output_nr],
    # the (shape, dtype) that input expects; unbroadcast when the shapes are compatible.
    ### BEGIN SOLUTION 02
    results = node._fn.backward(node, *grads)
    if type(results) is not tuple:
        results = (results,)
    edges = node.next_functions
    if len(results) != len(edges):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(edges)}, got {len(results)})")
    checked = []
    for index, (next_node, output_nr) in enumerate(edges):
        grad = results[index]
        if next_node is None or grad is None:
            checked.append(None)
            continue
        if not isinstance(grad, ARRAY_TYPES):
            grad = _as_array(grad, grads[0])
        shape, dtype = next_node._meta[output_nr]
        if grad.shape != shape:
            if not _compatible(grad.shape, shape):
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {index} - "
                    f"got {list(grad.shape)} but expected shape compatible with {list(shape)}")
            grad = unbroadcast(grad, shape)
        if grad.dtype != dtype:
            grad = grad.astype(dtype)
        checked.append(grad)
    return checked
    ### END SOLUTION


def accumulate_grad(leaf: Tensor, grad: Any) -> None:
    """Add ``grad`` into ``leaf.grad`` (a new tensor the first time).

    Gradients *accumulate* across backward calls, as in PyTorch: calling ``backward`` twice
    without ``zero_grad()`` gives the sum of both gradients.
    """
    ### BEGIN SOLUTION 02
    if leaf.grad is None:
        # Copy: the array may be shared (``a + b`` hands the same gradient to both).
        leaf.grad = _make(grad.copy())
    else:
        leaf.grad._data = leaf.grad._data + grad
    ### END SOLUTION


def _run_hooks(node: Node, grads: list) -> list:
    """Apply the tensor hooks (``register_hook``, ``retain_grad``) of ``node``'s outputs."""
    for output_nr, hooks in node._tensor_hooks.items():
        grad = grads[output_nr]
        if grad is None:
            continue
        graph = isinstance(grad, Tensor)  # create_graph: gradients are tensors already
        # retain_grad() stores the gradient after every other hook, as in PyTorch.
        for hook in sorted(hooks, key=lambda h: getattr(h, "_retains_grad", False)):
            result = hook(grad if graph else _make(grad))
            if result is not None:
                grad = result if graph else (
                    result._data if isinstance(result, Tensor) else result)
        grads[output_nr] = grad
    return grads


def _materialize(node: Node, grads: list) -> list:
    """Zeros for outputs of a multi-output node that received no gradient."""
    for nr, grad in enumerate(grads):
        if grad is None:
            shape, dtype = node._meta[nr]
            grads[nr] = get_array_module().zeros(shape, dtype=dtype)
    return grads


# --------------------------------------------------------------------------- the loop
def run_backward(roots: list[tuple[Node, int]], root_grads: list, retain_graph: bool,
                 capture: dict | None = None, create_graph: bool = False) -> list:
    """Propagate ``root_grads`` from ``roots`` (``(node, output_nr)`` pairs) to the leaves.

    Nodes run in topological order: a node runs once every consumer has added its gradient
    into the node's buffer (``pending`` counts the consumers still to come). Running a node
    means: apply its tensors' hooks, capture what ``grad`` asked for, then either accumulate
    into a leaf's ``.grad`` or call the node's backward and pass each input's gradient on.

    Args:
        roots: where the gradients enter the graph.
        root_grads: one array per root (one tensor with ``create_graph``).
        retain_graph: keep the saved arrays for another backward.
        capture: for ``autograd.grad``: ``{(node, output_nr): position}``; the gradient
            arriving there is returned at ``position`` and no leaf ``.grad`` is changed.
        create_graph: record the backward pass itself (tensors, grad mode on), so that
            the gradients can be differentiated again.

    Returns:
        The captured gradients (None where nothing arrived).
    """
    if create_graph:
        with enable_grad():  # the backward's own operations must record themselves
            return _walk(roots, root_grads, retain_graph, capture, True)
    return _walk(roots, root_grads, retain_graph, capture, False)


def _walk(roots: list[tuple[Node, int]], root_grads: list, retain_graph: bool,
          capture: dict | None, create_graph: bool) -> list:
    """The loop of ``run_backward``."""
    pending = dependencies([node for node, _ in roots])
    buffers: dict[Node, list] = {}
    for (node, output_nr), grad in zip(roots, root_grads, strict=True):
        _add_to_buffer(buffers, node, output_nr, grad)
    captured = [None] * len(capture) if capture else []
    ready = [node for node in buffers if pending[node] == 0]
    while ready:
        node = ready.pop()
        grads = buffers.pop(node, None)
        if grads is not None and node._tensor_hooks:
            grads = _run_hooks(node, grads)
        if grads is not None and capture:
            _capture(node, grads, capture, captured)
        if type(node) is AccumulateGrad:
            if grads is not None and capture is None:
                (accumulate_grad_graph if create_graph else accumulate_grad)(
                    node.variable, grads[0])
            continue
        input_grads = None if grads is None else _node_backward(
            node, grads, retain_graph, create_graph)
        for index, (next_node, output_nr) in enumerate(node.next_functions):
            if next_node is None:
                continue
            if input_grads is not None and input_grads[index] is not None:
                _add_to_buffer(buffers, next_node, output_nr, input_grads[index])
            pending[next_node] -= 1
            if pending[next_node] == 0:
                ready.append(next_node)
    return captured


def _capture(node: Node, grads: list, capture: dict, captured: list) -> None:
    """Store the gradients of ``node``'s outputs that ``autograd.grad`` asked for."""
    for output_nr, grad in enumerate(grads):
        position = capture.get((node, output_nr))
        if position is not None:
            captured[position] = grad


def _node_backward(node: Context, grads: list, retain_graph: bool,
                   create_graph: bool = False) -> list:
    """The gradients of ``node``'s inputs; its saved arrays are freed unless retained.

    With ``create_graph`` the gradients are tensors and the node's tensor-level backward
    runs (``higher_order.py``), after the same check of the saved tensors' versions.
    """
    if create_graph:
        if len(grads) > 1 and not node._materializes_grads:
            grads = materialize_graph(node, grads)
        check_versions(node)
        input_grads = call_backward_graph(node, grads)
    else:
        if len(grads) > 1 and not node._materializes_grads:
            grads = _materialize(node, grads)
        input_grads = call_backward(node, grads)
    if not retain_graph:
        node._free()
    return input_grads


def _add_to_buffer(buffers: dict, node: Node, output_nr: int, grad: Any) -> None:
    """Sum ``grad`` into the gradient waiting for output ``output_nr`` of ``node``.

    This is the multivariate chain rule's sum: a tensor read by several consumers gets
    ∂L/∂x = Σ_k ∂L/∂y_k · ∂y_k/∂x, one term arriving from each consumer.
    """
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * len(node._meta)
    current = slots[output_nr]
    # A new array, never in place: the first gradient may be shared with another node.
    slots[output_nr] = grad if current is None else current + grad


__all__ = ["accumulate_grad", "call_backward", "check_versions", "dependencies", "run_backward",
           "unbroadcast"]

"""``create_graph=True``: a backward pass made of recorded tensor ops, so it can be differentiated.

An ordinary backward works on raw arrays: fast, but the gradients it returns have no
history. A gradient penalty ``‖∂L/∂x‖²`` or a Hessian-vector product ``∂(∂L/∂x · v)/∂x``
needs the gradient *as a function of x*, i.e. a graph behind it. PyTorch gets one by writing
every derivative formula in differentiable tensor ops; ember does the same, on request:

* with ``create_graph=True`` the engine carries **tensors** instead of arrays from node to
  node, with grad mode on, so every operation of the backward pass records itself;
* each node's backward runs through its op's ``tensor_backward`` (``function.py``): the same
  chain rule written on tensors. Many ops use their own ``backward`` for it, because
  ``grad * b`` means the same thing on arrays and on tensors;
* what the forward saved is handed to ``tensor_backward`` as tensors *connected to the
  graph* (``saved_as_tensors``): the saved ``b`` of ``a * b`` becomes a tensor whose
  ``grad_fn`` is the node that made ``b``, so ∂(grad·b)/∂b flows on to ``b``'s history.

An op without ``tensor_backward`` raises a clear error instead of returning a gradient
silently detached from the graph (a wrong second derivative, not a missing one).

Example:
    >>> import ember
    >>> x = ember.tensor([1., 2.], requires_grad=True)
    >>> (g,) = ember.autograd.grad((x ** 3).sum(), x, create_graph=True)
    >>> g  # 3x², itself differentiable
    tensor([ 3., 12.], grad_fn=<MulBackward0>)
    >>> ember.autograd.grad(g.sum(), x)[0]  # 6x
    tensor([ 6., 12.])
"""

from __future__ import annotations

from typing import Any

from ember._backend import ARRAY_TYPES, default_array_module
from ember._dtype import from_numpy_dtype
from ember._tensor import Tensor
from ember.autograd.function import FREED_MESSAGE, Context
from ember.autograd.graph import AccumulateGrad, Node

_make = Tensor._make


def graph_roots(root_grads: list, grad_tensors: tuple) -> list:
    """The starting gradients as tensors; a given ``grad_outputs`` tensor keeps its graph.

    ``gradgradcheck`` differentiates with respect to ``grad_outputs`` too, so a gradient
    tensor that requires grad must enter the backward pass as itself, not as its array.
    """
    given = grad_tensors or (None,) * len(root_grads)
    return [value if isinstance(value, Tensor) else _make(array)
            for array, value in zip(root_grads, given, strict=True)]


def saved_as_tensors(node: Context) -> tuple:
    """What ``node``'s forward saved, each array as a tensor connected to the graph.

    A saved input becomes a tensor whose history is the input's (its ``grad_fn`` and
    output number, or the leaf itself); a saved output gets ``node`` as its ``grad_fn``;
    anything else (numbers, None, tensors saved by a custom ``Function``) is unchanged.
    The engine noted in ``node._versions`` which argument or output each saved array is.
    """
    where = {id(array): (counter, position)
             for counter, _, array, position in node._versions}
    saved = []
    for value in node._saved:
        if isinstance(value, ARRAY_TYPES):
            counter, position = where.get(id(value), (None, None))
            value = _connected(node, value, counter, position)
        saved.append(value)
    return tuple(saved)


def _connected(node: Context, array: Any, counter: list | None, position: int | None) -> Tensor:
    """``array`` as a tensor with the history it had in the forward pass."""
    if position is None:  # not an input nor an output: a constant of the formula
        return _make(array)
    if position < 0:  # output -1 - position of ``node`` itself
        source, output_nr = node, -1 - position
    else:
        source, output_nr = node.next_functions[position]
    if source is None:  # an input that needs no gradient
        return _make(array)
    if type(source) is AccumulateGrad:
        return source.variable
    tensor = _make(array, requires_grad=True)
    tensor.grad_fn = source
    tensor._output_nr = output_nr
    tensor._version_counter = counter
    return tensor


def call_backward_graph(node: Context, grads: list) -> list:
    """``call_backward`` on tensors: run ``tensor_backward``; check and fit each gradient.

    Raises:
        RuntimeError: the graph was freed, the op has no ``tensor_backward``, or it
            returned the wrong number of gradients or a gradient of an unfit shape.
    """
    if node._freed:
        raise RuntimeError(FREED_MESSAGE)
    fn = node._fn
    if fn is None or fn.tensor_backward is None:
        raise RuntimeError(f"ember: create_graph=True is not supported through {node.name()}: "
                           "its backward works on raw arrays only, so the gradient would "
                           "have no graph. Compute this part without create_graph, or write "
                           "it as an autograd.Function whose backward uses tensor ops.")
    saved = node._saved
    node._saved = saved_as_tensors(node)
    try:
        results = fn.tensor_backward(node, *grads)
    finally:
        node._saved = saved
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
        if not isinstance(grad, Tensor):  # a constant (zeros of a flat function, a number)
            grad = _make(grad) if isinstance(grad, ARRAY_TYPES) else _make(
                _like(grads, grad))
        shape, dtype = next_node._meta[output_nr]
        if tuple(grad.shape) != shape:
            grad = _summed_to(grad, shape, node, index)
        if grad._data.dtype != dtype:
            grad = grad.to(from_numpy_dtype(dtype))
        checked.append(grad)
    return checked


def _like(grads: list, value: Any) -> Any:
    """A number returned as a gradient, as an array of the incoming gradient's module."""
    first = next(g for g in grads if g is not None)
    return first._data.dtype.type(value)


def sum_to(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``grad`` summed down to ``shape`` with tensor ops (``unbroadcast`` on tensors).

    The sum is recorded, so the second derivative sees it: its backward broadcasts back.
    """
    lead = grad.dim() - len(shape)
    if lead > 0:
        grad = grad.sum(dim=tuple(range(lead)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(dim=stretched, keepdim=True)
    return grad


def _summed_to(grad: Tensor, shape: tuple[int, ...], node: Node, index: int) -> Tensor:
    grad_shape = tuple(grad.shape)
    tail = grad_shape[len(grad_shape) - len(shape):]
    if len(grad_shape) < len(shape) or any(s not in (g, 1) for s, g in
                                            zip(shape, tail, strict=True)):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {index} - "
            f"got {list(grad_shape)} but expected shape compatible with {list(shape)}")
    return sum_to(grad, shape)


def accumulate_grad_graph(leaf: Tensor, grad: Tensor) -> None:
    """``leaf.grad += grad`` keeping the graph: ``leaf.grad`` can be differentiated.

    Out of place, as PyTorch does under ``create_graph``: the old ``.grad`` may itself be
    part of a graph that someone still differentiates.
    """
    if leaf.grad is None:
        leaf.grad = grad.clone()  # never the caller's tensor itself (a given grad_output)
    else:
        leaf.grad = leaf.grad + grad


def materialize_graph(node: Node, grads: list) -> list:
    """Zero tensors for outputs of a multi-output node that received no gradient."""
    for nr, grad in enumerate(grads):
        if grad is None:
            shape, dtype = node._meta[nr]
            grads[nr] = _make(default_array_module().zeros(shape, dtype=dtype))
    return grads


__all__ = ["accumulate_grad_graph", "call_backward_graph", "graph_roots", "materialize_graph",
           "saved_as_tensors", "sum_to"]

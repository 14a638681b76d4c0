"""The public entry points of autograd: ``backward`` and ``grad``.

``ember.autograd.backward``, ``ember.autograd.grad`` and ``Tensor.backward`` all come here.
These functions only turn the user's arguments (a tensor or a sequence of them, optional
output gradients, ``inputs``) into the engine's terms — the ``(node, output_nr)`` where each
gradient enters the graph and the array that enters there — and hand them to
:func:`ember.autograd.engine.run_backward`, which does the walk. PyTorch keeps the engine
(C++) apart from this argument handling (``torch/autograd/__init__.py``) in the same way.

The two differ in where the result goes:

* ``backward`` *accumulates* ∂L/∂x into ``x.grad`` for every leaf ``x`` (or only for
  ``inputs``): ``x.grad ← x.grad + ∂L/∂x``;
* ``grad`` *returns* ∂L/∂x for each of ``inputs`` and changes no ``.grad``.

Example:
    >>> import ember
    >>> x = ember.tensor([3.], requires_grad=True)
    >>> ember.autograd.grad((x ** 2).sum(), x)
    (tensor([6.]),)
"""

from __future__ import annotations

from typing import Any

from ember._backend import ARRAY_TYPES, get_array_module
from ember._tensor import Tensor
from ember.autograd.engine import accumulate_grad, run_backward
from ember.autograd.graph import Node, accumulator
from ember.autograd.higher_order import accumulate_grad_graph, graph_roots

_make = Tensor._make


def _as_tuple(values: Any) -> tuple:
    if values is None:
        return ()
    if isinstance(values, (Tensor, ARRAY_TYPES)) or not isinstance(values, (list, tuple)):
        return (values,)
    return tuple(values)


def _roots(tensors: tuple, grad_tensors: Any, what: str) -> tuple[list, list]:
    """The ``(node, output_nr)`` and initial gradient of each output tensor."""
    grads = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} tensors and {len(tensors)} gradients")
    roots, root_grads = [], []
    for index, (tensor, grad) in enumerate(zip(tensors, grads, strict=True)):
        if not tensor.requires_grad:
            raise RuntimeError(f"element {index} of tensors does not require grad and does "
                               "not have a grad_fn")
        data = tensor._data
        if grad is None:
            if data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = get_array_module(data).ones_like(data)
        else:
            grad = grad._data if isinstance(grad, Tensor) else get_array_module(data).asarray(
                grad, dtype=data.dtype)
            if grad.shape != data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{index}] has a shape of "
                    f"ember.Size({list(grad.shape)}) and {what}[{index}] has a shape of "
                    f"ember.Size({list(data.shape)}).")
        node = tensor.grad_fn
        roots.append((accumulator(tensor), 0) if node is None else (node, tensor._output_nr))
        root_grads.append(grad)
    return roots, root_grads


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves.

    Args:
        tensors: a tensor or a sequence of tensors to differentiate.
        grad_tensors: the gradient of some loss with respect to each tensor (may be None
            for one-element tensors, meaning 1).
        retain_graph: keep the graph's saved arrays for another backward (default:
            ``create_graph``).
        create_graph: record the backward pass too, so that the ``.grad`` it leaves can
            be differentiated (higher-order gradients).
        inputs: accumulate only into these leaves (default: all leaves).

    Example:
        >>> import ember
        >>> x = ember.ones(2, requires_grad=True)
        >>> ember.autograd.backward([(2 * x).sum()])
        >>> x.grad
        tensor([2., 2.])
    """
    tensors = _as_tuple(tensors)
    roots, root_grads = _roots(tensors, grad_tensors, "output")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        root_grads = graph_roots(root_grads, _as_tuple(grad_tensors))
    if inputs is None:
        run_backward(roots, root_grads, bool(retain_graph), None, create_graph)
        return
    inputs = _as_tuple(inputs)
    capture = {_capture_key(t): i for i, t in enumerate(inputs)}
    for tensor, grad in zip(inputs, run_backward(roots, root_grads, bool(retain_graph),
                                                 capture, create_graph), strict=True):
        if grad is not None:
            (accumulate_grad_graph if create_graph else accumulate_grad)(tensor, grad)


def _capture_key(tensor: Tensor) -> tuple[Node, int]:
    if not tensor.requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    if tensor.grad_fn is None:
        return accumulator(tensor), 0
    return tensor.grad_fn, tensor._output_nr


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None,  # noqa: PLR0913
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated).

    With ``create_graph=True`` the gradients returned have a graph (they require grad
    when they depend on something that does), so they can be differentiated again;
    ``retain_graph`` defaults to ``create_graph``.

    Returns:
        One tensor per input (None for an unused input when ``allow_unused=True``).

    Example:
        >>> import ember
        >>> x = ember.tensor([3.], requires_grad=True)
        >>> ember.autograd.grad((x ** 2).sum(), x)
        (tensor([6.]),)
    """
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    roots, root_grads = _roots(outputs, grad_outputs, "output")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        root_grads = graph_roots(root_grads, _as_tuple(grad_outputs))
    capture = {_capture_key(t): i for i, t in enumerate(inputs)}
    found = run_backward(roots, root_grads, bool(retain_graph), capture, create_graph)
    result = []
    for index, (tensor, array) in enumerate(zip(inputs, found, strict=True)):
        if array is None:
            if materialize_grads:
                array = get_array_module(tensor._data).zeros_like(tensor._data)
                if create_graph:
                    array = _make(array)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {index} appears to "
                                   "not have been used in the graph. Set allow_unused=True "
                                   "if this is the desired behavior.")
            else:
                result.append(None)
                continue
        result.append(array if create_graph else _make(array.copy()))
    return tuple(result)


__all__ = ["backward", "grad"]

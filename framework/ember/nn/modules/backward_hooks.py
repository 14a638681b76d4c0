"""Module backward hooks: ``register_full_backward_hook`` and its ``pre`` form.

A module's backward is not one node of the graph but all the nodes its ``forward`` made,
so there is no single place to hang a hook. As in PyTorch, the call is bracketed by two
identity nodes instead:

    inputs ──▶ InputsHook ──▶ forward(...) ──▶ OutputsHook ──▶ outputs

In the backward pass ``OutputsHook`` runs first: it receives ∂L/∂output (``grad_output``),
lets the pre-hooks replace it, and remembers it. ``InputsHook`` runs when the gradients
have crossed the whole module: it receives ∂L/∂input (``grad_input``) and calls
``hook(module, grad_input, grad_output)``, whose non-None result replaces ``grad_input``.
Only tensor inputs that require grad go through ``InputsHook``; the others get None in
``grad_input``. When no input requires grad, the hooks run at ``OutputsHook`` with
``grad_input`` all None, as in PyTorch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.autograd.grad_mode import is_grad_enabled


class _CallState:
    """What one call's two hook nodes share."""

    def __init__(self, module: Any, positions: list[int], n_inputs: int) -> None:
        self.module = module
        self.positions = positions  # which positional inputs go through InputsHook
        self.n_inputs = n_inputs
        self.grad_output: tuple[Tensor | None, ...] = ()

    def run_full_hooks(self, grad_input: tuple[Tensor | None, ...]) -> tuple[Any, ...]:
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _checked(result, len(grad_input), "backward hook")
        return grad_input


def _checked(result: Any, count: int, what: str) -> tuple[Any, ...]:
    """A hook's replacement gradients: a tuple (or list) of ``count`` tensors or Nones."""
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != count:
        raise RuntimeError(f"{what} returned an invalid number of grad_input, got "
                           f"{len(result)}, but expected {count}")
    return result


def _tensors(arrays: tuple[Any, ...]) -> tuple[Tensor, ...]:
    return tuple(Tensor._make(array) for array in arrays)


def _arrays(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if value is None else value._data for value in values)


class _HookNode(ArrayFunction):
    """An identity on arrays that keeps the call's shared state for its backward."""

    @staticmethod
    def forward(ctx: Context, state: _CallState, *arrays: Any) -> tuple[Any, ...]:
        ctx.state = state
        return arrays


class OutputsHook(_HookNode):
    """Identity on the outputs; its backward sees ``grad_output`` first."""

    @staticmethod
    def backward(ctx: Context, *grads: Any) -> tuple[Any, ...]:
        state: _CallState = ctx.state
        grad_output: tuple[Any, ...] = _tensors(grads)
        for hook in list(state.module._backward_pre_hooks.values()):
            result = hook(state.module, grad_output)
            if result is not None:
                grad_output = _checked(result, len(grad_output), "backward pre hook")
        state.grad_output = grad_output
        if not state.positions and state.module._backward_hooks:  # no InputsHook: run now
            warnings.warn("Full backward hook is firing when gradients are computed with "
                          "respect to module outputs since no inputs require gradients.",
                          UserWarning, stacklevel=2)
            state.run_full_hooks((None,) * state.n_inputs)
        return (None, *_arrays(grad_output))


class InputsHook(_HookNode):
    """Identity on the inputs that require grad; its backward sees ``grad_input``."""

    @staticmethod
    def backward(ctx: Context, *grads: Any) -> tuple[Any, ...]:
        state: _CallState = ctx.state
        grad_input: list[Tensor | None] = [None] * state.n_inputs
        for position, grad in zip(state.positions, _tensors(grads), strict=True):
            grad_input[position] = grad
        grad_input = list(state.run_full_hooks(tuple(grad_input)))
        return (None, *_arrays(tuple(grad_input[p] for p in state.positions)))


def call_with_backward_hooks(module: Any, forward: Callable[..., Any], args: tuple,
                             kwargs: dict) -> Any:
    """``forward(*args, **kwargs)`` bracketed by the two hook nodes (see the docstring)."""
    if not is_grad_enabled():
        return forward(*args, **kwargs)
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    state = _CallState(module, positions, len(args))
    if positions:
        wrapped = InputsHook.apply(state, *(args[i] for i in positions))
        args = list(args)
        for position, tensor in zip(positions, wrapped, strict=True):
            args[position] = tensor
        args = tuple(args)
    output = forward(*args, **kwargs)
    single = isinstance(output, Tensor)
    outputs = (output,) if single else output
    if not isinstance(outputs, tuple) or not all(isinstance(o, Tensor) for o in outputs):
        return output  # PyTorch hooks only tensor or tuple-of-tensor outputs
    if not any(o.requires_grad for o in outputs):
        return output
    hooked = OutputsHook.apply(state, *outputs)
    return hooked[0] if single else hooked

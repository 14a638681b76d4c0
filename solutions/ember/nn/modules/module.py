"""A minimal ``Module``: callable, and able to list its parameters (stage 04 completes it).

A module holds parameters (``Parameter`` attributes) and sub-modules (``Module``
attributes); calling it runs ``forward``. That is all the article's first training loop
needs: ``model(x)``, and ``optimizer = SGD(model.parameters(), lr=...)``.

Example:
    >>> import ember
    >>> class Scale(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = ember.nn.Parameter(ember.tensor([2.]))
    ...     def forward(self, x):
    ...         return self.w * x
    >>> m = Scale()
    >>> m(ember.tensor([3.])), len(list(m.parameters()))
    (tensor([6.], grad_fn=<MulBackward0>), 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ember.nn.parameter import Parameter


class Module:
    """Base class of every layer and model."""

    def __init__(self) -> None:
        self.training = True

    # --- THROW-AWAY minimal registration/repr (helper 4c, for testing only; 4a owns Module)
    def register_parameter(self, name: str, param: Any) -> None:
        setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        setattr(self, name, tensor)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; subclasses implement it."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_parameters(self, prefix: str = "", recurse: bool = True
                         ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` for every parameter, each listed once."""
        seen: set[int] = set()
        for name, param in self._walk(prefix, recurse):
            if id(param) not in seen:
                seen.add(id(param))
                yield name, param

    def _walk(self, prefix: str, recurse: bool) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
            elif recurse and isinstance(value, Module):
                yield from value._walk(f"{prefix}{name}.", recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module (and, with ``recurse``, of its sub-modules)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to None, or to zeros)."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad._data[...] = 0

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and its sub-modules."""
        self.training = mode
        for value in vars(self).values():
            if isinstance(value, Module):
                value.train(mode)
        return self

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

"""``Variable``: the pre-0.4 PyTorch wrapper, kept for old code and for the article.

Before PyTorch 0.4 a tensor had to be wrapped in a ``Variable`` to take part in autograd.
Tensors now carry ``requires_grad`` themselves, and ``Variable(t)`` simply returns a tensor,
exactly as in modern PyTorch.

``volatile=True`` was the pre-0.4 way to say "never record a graph through this input"
(inference). PyTorch 0.4 replaced it by ``with torch.no_grad():``; the flag now only warns,
as PyTorch's does, and ``t.volatile`` reads False.

Example:
    >>> import ember
    >>> from ember.autograd import Variable
    >>> Variable(ember.ones(2), requires_grad=True)
    tensor([1., 1.], requires_grad=True)
"""

from __future__ import annotations

import warnings
from typing import Any

from ember._tensor import Tensor

#: PyTorch's warning for the removed flag, in ember's words.
VOLATILE_WARNING = ("volatile was removed and now has no effect. "
                    "Use `with ember.no_grad():` instead.")


class _VariableMeta(type):
    # isinstance(t, Variable) is True for every tensor, as in PyTorch.
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)`` → a tensor sharing ``tensor``'s memory."""

    def __new__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            # stacklevel 2: the warning points at the caller's line, not at this file
            warnings.warn(VOLATILE_WARNING, UserWarning, stacklevel=2)
        out = data.detach()
        out.requires_grad = requires_grad
        return out

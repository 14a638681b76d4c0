"""``ParameterList`` and ``ParameterDict``: parameters held in a list or a dict, registered.

A plain Python list of parameters on a module is invisible to ``parameters()``, so an
optimizer would never update them and ``state_dict()`` would never save them. These two
containers register each entry as a parameter of the container (names ``"0"``, ``"1"``, ...
or the dict's keys), exactly as ``ModuleList`` and ``ModuleDict`` do for modules. A tensor
put in either is made a ``Parameter`` (sharing its memory); anything else is kept as a
plain attribute, as in PyTorch.

Example:
    >>> import ember
    >>> weights = ember.nn.ParameterList([ember.zeros(2, 3), ember.zeros(3)])
    >>> [name for name, _ in weights.named_parameters()]
    ['0', '1']
    >>> weights
    ParameterList(
        (0): Parameter containing: [ember.float32 of size 2x3]
        (1): Parameter containing: [ember.float32 of size 3]
    )
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ember._tensor import Tensor
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter


def _as_parameter(value: Any) -> Any:
    """A tensor becomes a ``Parameter`` (same memory, same ``requires_grad``); the rest stays."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value, requires_grad=value.requires_grad)
    return value


def _describe(value: Any, dtype_name: str) -> str:
    """``Parameter containing: [ember.float32 of size 2x3]`` or ``Object of type: str``."""
    if not isinstance(value, Tensor):
        return f"Object of type: {type(value).__name__}"
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    size = "x".join(str(n) for n in value.shape)
    device = f" ({value.device})" if value.device.type != "cpu" else ""
    return f"{kind} containing: [{dtype_name} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters, each registered under its position (``"0"``, ``"1"``, ...)."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _index(self, idx: int) -> int:
        """The non-negative position of ``idx``, or IndexError."""
        idx = operator.index(idx)
        if not -self._size <= idx < self._size:
            raise IndexError(f"index {idx} is out of range")
        return idx % self._size if self._size else idx

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)([self[i] for i in range(self._size)[idx]])
        return getattr(self, str(self._index(idx)))

    def __setitem__(self, idx: int, value: Any) -> None:
        setattr(self, str(self._index(idx)), _as_parameter(value))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self._size))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end; returns the list."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Append every value of ``values`` (a tensor is not an iterable of values here)."""
        if isinstance(values, Tensor) or not isinstance(values, Iterable):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {_describe(value, str(getattr(value, 'dtype', '')))}"
                         for i, value in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of parameters, each registered under its key, in insertion order."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None
                 ) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)  # a missing key: AttributeError, as in PyTorch

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict keys must be strings, but got {type(key).__name__}")
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Iterable[str]:
        """The keys, in insertion order."""
        return self._keys.keys()

    def values(self) -> Iterable[Any]:
        """The values, in insertion order."""
        return [self[key] for key in self._keys]

    def items(self) -> Iterable[tuple[str, Any]]:
        """``(key, value)`` pairs, in insertion order."""
        return [(key, self[key]) for key in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if present, else ``default``."""
        return self[key] if key in self._keys else default

    def pop(self, key: str) -> Any:
        """Remove ``key`` and return its value."""
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add (or replace) the entries of a mapping or of an iterable of ``(key, value)``."""
        if isinstance(parameters, Mapping):
            pairs: Iterable[Any] = parameters.items()
        elif isinstance(parameters, Iterable) and not isinstance(parameters, (str, Tensor)):
            pairs = parameters
        else:
            raise TypeError("ParametersDict.update should be called with an iterable of "
                            f"key/value pairs, but got {type(parameters).__name__}")
        for index, pair in enumerate(pairs):
            if not isinstance(pair, Iterable) or len(pair := tuple(pair)) != 2:
                raise ValueError(f"ParameterDict update sequence element #{index} should be "
                                 "a pair (key, value)")
            self[pair[0]] = pair[1]

    def extra_repr(self) -> str:
        return "\n".join(
            f"  ({key}): {_describe(value, value.type() if isinstance(value, Tensor) else '')}"
            for key, value in self.items())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")

"""Containers: ``Sequential``, ``ModuleList`` and ``ModuleDict`` (PyTorch's ``container.py``).

A container is a module whose children are registered under the names ``"0"``, ``"1"``, ...
(or under keys), so that ``parameters()``, ``state_dict()``, ``train()`` and ``repr`` see
them. A plain Python list of layers would not be registered: its parameters would be
invisible to the optimizer. ``Sequential`` also chains its children in ``forward``.

Example:
    >>> import ember
    >>> class Double(ember.nn.Module):
    ...     def forward(self, x):
    ...         return 2 * x
    >>> net = ember.nn.Sequential(Double(), Double())
    >>> net(ember.tensor([1.])), len(net), net[-1]
    (tensor([4.]), 2, Double())
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import Any

from ember.nn.modules.module import Module, add_indent


class Sequential(Module):
    """Children called one after the other: ``forward(x)`` is ``m[-1](...m[1](m[0](x)))``.

    ``Sequential(a, b, c)`` names the children ``"0"``, ``"1"``, ``"2"``;
    ``Sequential(OrderedDict([("conv", a), ("act", b)]))`` uses the given names.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        ### BEGIN SOLUTION 04
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)
        ### END SOLUTION

    def _get_item_by_idx(self, iterator: Iterable[Any], idx: int) -> Any:
        """The ``idx``-th item of ``iterator`` (negative counts from the end)."""
        ### BEGIN SOLUTION 04
        size = len(self)
        idx = operator.index(idx)
        if not -size <= idx < size:
            raise IndexError(f"index {idx} is out of range")
        return next(islice(iterator, idx % size, None))
        ### END SOLUTION

    def __getitem__(self, idx: int | slice) -> Any:
        """A child by position, or a ``Sequential`` of a slice (keeping the names)."""
        ### BEGIN SOLUTION 04
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return self._get_item_by_idx(self._modules.values(), idx)
        ### END SOLUTION

    def __setitem__(self, idx: int, module: Module) -> None:
        key = self._get_item_by_idx(self._modules.keys(), idx)
        setattr(self, key, module)

    def __delitem__(self, idx: int | slice) -> None:
        """Remove children, then renumber the rest ``"0"``, ``"1"``, ... in order."""
        ### BEGIN SOLUTION 04
        if isinstance(idx, slice):
            for key in list(self._modules.keys())[idx]:
                delattr(self, key)
        else:
            delattr(self, self._get_item_by_idx(self._modules.keys(), idx))
        self._modules = OrderedDict(
            (str(i), module) for i, module in enumerate(self._modules.values()))
        ### END SOLUTION

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError("add operator supports only objects of Sequential class, but "
                             f"{type(other)} is given.")
        combined = Sequential()
        for layer in chain(self, other):
            combined.append(layer)
        return combined

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]

    def forward(self, input: Any) -> Any:
        """Feed ``input`` through each child in order."""
        ### BEGIN SOLUTION 04
        for module in self:
            input = module(input)
        return input
        ### END SOLUTION

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (name ``str(len(self))``); returns ``self``."""
        ### BEGIN SOLUTION 04
        self.add_module(str(len(self)), module)
        return self
        ### END SOLUTION

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index``, shifting later children."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        if index < 0:
            index += n
        for i in range(n, index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module
        return self

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        """Append each module of ``sequential``; returns ``self``."""
        for layer in sequential:
            self.append(layer)
        return self

    def pop(self, key: int) -> Module:
        """Remove and return the child at position ``key``."""
        module = self[key]
        del self[key]
        return module


class ModuleList(Module):
    """A list of registered modules (no ``forward``: you decide how to call them).

    Example:
        >>> import ember
        >>> layers = ember.nn.ModuleList([ember.nn.Module() for _ in range(3)])
        >>> len(layers), layers
        (3, ModuleList(
          (0-2): 3 x Module()
        ))
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self += modules

    def _get_abs_string_index(self, idx: int) -> str:
        """The key (``"2"``) of position ``idx`` (negative counts from the end)."""
        ### BEGIN SOLUTION 04
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range")
        if idx < 0:
            idx += len(self)
        return str(idx)
        ### END SOLUTION

    def __getitem__(self, idx: int | slice) -> Any:
        """A child by position, or a ``ModuleList`` of a slice (renumbered from 0)."""
        ### BEGIN SOLUTION 04
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[self._get_abs_string_index(idx)]
        ### END SOLUTION

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._get_abs_string_index(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        """Remove children, then renumber the rest ``"0"``, ``"1"``, ... in order."""
        ### BEGIN SOLUTION 04
        if isinstance(idx, slice):
            for k in range(len(self._modules))[idx]:
                delattr(self, str(k))
        else:
            delattr(self, self._get_abs_string_index(idx))
        self._modules = OrderedDict(
            (str(i), module) for i, module in enumerate(self._modules.values()))
        ### END SOLUTION

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        combined = ModuleList()
        for i, module in enumerate(chain(self, other)):
            combined.add_module(str(i), module)
        return combined

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``, shifting later children."""
        ### BEGIN SOLUTION 04
        for i in range(len(self._modules), index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module
        ### END SOLUTION

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns ``self``."""
        ### BEGIN SOLUTION 04
        self.add_module(str(len(self)), module)
        return self
        ### END SOLUTION

    def pop(self, key: int | slice) -> Module:
        """Remove and return the child at position ``key``."""
        module = self[key]
        del self[key]
        return module

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each module of ``modules``; returns ``self``."""
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleList.extend should be called with an iterable, but got "
                            + type(modules).__name__)
        ### BEGIN SOLUTION 04
        offset = len(self)
        for i, module in enumerate(modules):
            self.add_module(str(offset + i), module)
        return self
        ### END SOLUTION

    def __repr__(self) -> str:
        """Like ``Module.__repr__``, but runs of identical children print once:
        ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        ### BEGIN SOLUTION 04
        runs = [[0, 0, reprs[0]]]  # [first index, last index, repr]
        for i, text in enumerate(reprs[1:], 1):
            if text == runs[-1][2]:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = []
        for start, end, text in runs:
            line = f"({start}): {text}" if start == end else \
                f"({start}-{end}): {end - start + 1} x {text}"
            lines.append(add_indent(line, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
        ### END SOLUTION


class ModuleDict(Module):
    """A dict of registered modules, in insertion order (no ``forward``).

    Example:
        >>> import ember
        >>> heads = ember.nn.ModuleDict({"a": ember.nn.Module()})
        >>> list(heads.keys()), "a" in heads
        (['a'], True)
    """

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        ### BEGIN SOLUTION 04
        self.add_module(key, module)
        ### END SOLUTION

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every child."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove and return the child under ``key``."""
        module = self[key]
        del self[key]
        return module

    def keys(self) -> Iterable[str]:
        """The keys, in insertion order."""
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def update(self, modules: Any) -> None:
        """Add (or replace) children from a mapping or from ``(key, module)`` pairs."""
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value "
                            "pairs, but got " + type(modules).__name__)
        ### BEGIN SOLUTION 04
        if isinstance(modules, (Mapping, ModuleDict)):
            for key, module in modules.items():
                self[key] = module
            return
        for j, pair in enumerate(modules):
            if not isinstance(pair, Iterable):
                raise TypeError("ModuleDict update sequence element #" + str(j)
                                + " should be Iterable; is" + type(pair).__name__)
            if len(pair) != 2:
                raise ValueError("ModuleDict update sequence element #" + str(j)
                                 + " has length " + str(len(pair)) + "; 2 is required")
            self[pair[0]] = pair[1]
        ### END SOLUTION

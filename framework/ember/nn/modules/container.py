# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: Sequential.__init__, Sequential._get_item_by_idx, Sequential.__getitem__,
#             Sequential.__delitem__, Sequential.forward, Sequential.append,
#             ModuleList._get_abs_string_index, ModuleList.__getitem__, ModuleList.__delitem__,
#             ModuleList.insert, ModuleList.append, ModuleList.extend, ModuleList.__repr__,
#             ModuleDict.__setitem__, ModuleDict.update
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
        # ---- your code (stage 04): Sequential.__init__ ----
        raise NotImplementedError("Stage 04: implement Sequential.__init__")
        # ---- end of your code (stage 04) ----

    def _get_item_by_idx(self, iterator: Iterable[Any], idx: int) -> Any:
        """The ``idx``-th item of ``iterator`` (negative counts from the end)."""
        # ---- your code (stage 04): Sequential._get_item_by_idx ----
        raise NotImplementedError("Stage 04: implement Sequential._get_item_by_idx")
        # ---- end of your code (stage 04) ----

    def __getitem__(self, idx: int | slice) -> Any:
        """A child by position, or a ``Sequential`` of a slice (keeping the names)."""
        # ---- your code (stage 04): Sequential.__getitem__ ----
        raise NotImplementedError("Stage 04: implement Sequential.__getitem__")
        # ---- end of your code (stage 04) ----

    def __setitem__(self, idx: int, module: Module) -> None:
        key = self._get_item_by_idx(self._modules.keys(), idx)
        setattr(self, key, module)

    def __delitem__(self, idx: int | slice) -> None:
        """Remove children, then renumber the rest ``"0"``, ``"1"``, ... in order."""
        # ---- your code (stage 04): Sequential.__delitem__ ----
        raise NotImplementedError("Stage 04: implement Sequential.__delitem__")
        # ---- end of your code (stage 04) ----

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
        # ---- your code (stage 04): Sequential.forward ----
        raise NotImplementedError("Stage 04: implement Sequential.forward")
        # ---- end of your code (stage 04) ----

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (name ``str(len(self))``); returns ``self``."""
        # ---- your code (stage 04): Sequential.append ----
        raise NotImplementedError("Stage 04: implement Sequential.append")
        # ---- end of your code (stage 04) ----

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
        # ---- your code (stage 04): ModuleList._get_abs_string_index ----
        raise NotImplementedError("Stage 04: implement ModuleList._get_abs_string_index")
        # ---- end of your code (stage 04) ----

    def __getitem__(self, idx: int | slice) -> Any:
        """A child by position, or a ``ModuleList`` of a slice (renumbered from 0)."""
        # ---- your code (stage 04): ModuleList.__getitem__ ----
        raise NotImplementedError("Stage 04: implement ModuleList.__getitem__")
        # ---- end of your code (stage 04) ----

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._get_abs_string_index(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        """Remove children, then renumber the rest ``"0"``, ``"1"``, ... in order."""
        # ---- your code (stage 04): ModuleList.__delitem__ ----
        raise NotImplementedError("Stage 04: implement ModuleList.__delitem__")
        # ---- end of your code (stage 04) ----

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
        # ---- your code (stage 04): ModuleList.insert ----
        raise NotImplementedError("Stage 04: implement ModuleList.insert")
        # ---- end of your code (stage 04) ----

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns ``self``."""
        # ---- your code (stage 04): ModuleList.append ----
        raise NotImplementedError("Stage 04: implement ModuleList.append")
        # ---- end of your code (stage 04) ----

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
        # ---- your code (stage 04): ModuleList.extend ----
        raise NotImplementedError("Stage 04: implement ModuleList.extend")
        # ---- end of your code (stage 04) ----

    def __repr__(self) -> str:
        """Like ``Module.__repr__``, but runs of identical children print once:
        ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        # ---- your code (stage 04): ModuleList.__repr__ ----
        raise NotImplementedError("Stage 04: implement ModuleList.__repr__")
        # ---- end of your code (stage 04) ----


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
        # ---- your code (stage 04): ModuleDict.__setitem__ ----
        raise NotImplementedError("Stage 04: implement ModuleDict.__setitem__")
        # ---- end of your code (stage 04) ----

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
        # ---- your code (stage 04): ModuleDict.update ----
        raise NotImplementedError("Stage 04: implement ModuleDict.update")
        # ---- end of your code (stage 04) ----

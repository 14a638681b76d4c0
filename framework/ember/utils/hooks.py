"""``RemovableHandle``: what ``register_forward_hook`` and friends return.

A hook lives in an ordered dict of its module, under an id the handle remembers;
``handle.remove()`` deletes that entry. The handle holds only a weak reference to the dict,
so a forgotten handle never keeps a module alive (PyTorch's ``torch.utils.hooks``).

Example:
    >>> from collections import OrderedDict
    >>> hooks = OrderedDict()
    >>> handle = RemovableHandle(hooks)
    >>> hooks[handle.id] = print
    >>> handle.remove()
    >>> len(hooks)
    0
"""

from __future__ import annotations

import weakref
from typing import Any


class RemovableHandle:
    """A handle that removes one hook from its dict (and from ``extra_dict``, if given).

    Args:
        hooks_dict: the (weak-referenceable) ordered dict that holds the hook.
        extra_dict: a dict, or a list of dicts, keyed by the same id (for example the set
            of hooks that take keyword arguments); removed from too.
    """

    id: int
    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.extra_dict_ref: tuple[Any, ...] = ()
        if isinstance(extra_dict, dict):
            self.extra_dict_ref = (weakref.ref(extra_dict),)
        elif isinstance(extra_dict, list):
            self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self) -> None:
        """Unregister the hook (calling it again does nothing)."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None and self.id in hooks:
                del hooks[self.id]

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

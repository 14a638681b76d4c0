"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Stage 01 only stores the flag; stage 02's ``Function.apply`` reads it to decide whether to
record the graph.

Example:
    >>> with no_grad():
    ...     is_grad_enabled()
    False
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

#: ``{"enabled": False}`` inside ``no_grad()``. Read directly (not through
#: ``is_grad_enabled()``) by the ops' hot paths, which run it on every op.
GRAD_STATE = {"enabled": True}


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (or after ``set_grad_enabled(False)``)."""
    return GRAD_STATE["enabled"]


class _GradModeContext:
    """Base of the context managers: restores the previous mode on exit; usable as decorator.

    Both ``@no_grad()`` and the bare ``@no_grad`` decorate a function, as in PyTorch.
    """

    _target = True

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if cls is not set_grad_enabled and callable(orig_func):
            return cls()(orig_func)  # used bare: @no_grad
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._previous = GRAD_STATE["enabled"]
        GRAD_STATE["enabled"] = self._target

    def __exit__(self, *exc: Any) -> None:
        GRAD_STATE["enabled"] = self._previous

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) in which no operation is recorded for autograd."""

    _target = False


class enable_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) that turns recording back on inside ``no_grad``."""

    _target = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Set the mode now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self._previous = GRAD_STATE["enabled"]
        self._target = bool(mode)
        GRAD_STATE["enabled"] = self._target

    def __enter__(self) -> None:
        pass

    def __call__(self, func: Callable) -> Callable:
        GRAD_STATE["enabled"] = self._previous
        mode = self._target

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper

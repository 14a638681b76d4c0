"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``.

Stage 01 only stores the flag; stage 02's ``Function.apply`` reads it to decide whether to
record the graph. Stage 08 adds ``inference_mode`` and decorating generator functions.

The mode is **thread-local**, as in PyTorch: ``no_grad`` in a data-loading thread must not
switch recording off for the training loop running in the main thread. Each thread starts
with recording on.

Example:
    >>> with no_grad():
    ...     is_grad_enabled()
    False
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any


class _GradState(threading.local):
    """Per-thread switches: ``GRAD_STATE.enabled`` and ``GRAD_STATE.inference``.

    ``threading.local`` runs ``__init__`` once in every thread that touches the object, so
    each thread starts with recording on and inference mode off. Reading an attribute of
    it costs about as much as a dict lookup; a Python ``__getitem__`` would cost 4× that
    on every op.
    """

    def __init__(self) -> None:
        self.enabled = True
        self.inference = False


#: ``GRAD_STATE.enabled`` is False inside ``no_grad()``, in the current thread. Read
#: directly (not through ``is_grad_enabled()``) by the ops' hot paths, which run it on
#: every op.
GRAD_STATE = _GradState()


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (or after ``set_grad_enabled(False)``)."""
    return GRAD_STATE.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (in the current thread)."""
    return GRAD_STATE.inference


class _GradModeContext:
    """Base of the context managers: restores the previous mode on exit; usable as decorator.

    Both ``@no_grad()`` and the bare ``@no_grad`` decorate a function, as in PyTorch. A
    decorated generator function runs its body in the mode, and gives the caller back the
    caller's own mode at every ``yield``.
    """

    _target = True

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if cls is not set_grad_enabled and callable(orig_func):
            return cls()(orig_func)  # used bare: @no_grad
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._previous = GRAD_STATE.enabled
        GRAD_STATE.enabled = self._target

    def __exit__(self, *exc: Any) -> None:
        GRAD_STATE.enabled = self._previous

    def _clone(self) -> _GradModeContext:
        """A fresh context manager with the same target mode (one per call of a decorated
        function: a context manager stores the mode it restores, so it cannot be shared)."""
        return self.__class__()

    def __call__(self, func: Callable) -> Callable:
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Generator:
                # Calling func runs none of its body yet: it only makes the generator.
                return self._wrap_generator(func(*args, **kwargs))

            return generator_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._clone():
                return func(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, gen: Generator) -> Generator:
        """Drive ``gen``: its body runs in this mode, the caller's code in the caller's mode.

        A plain ``with`` around ``yield`` would leak the mode to the caller between two
        ``next()`` calls (the caller's loop body would run under ``no_grad``). So every
        resumption of the generator (``send``, ``throw``, ``close``) happens in a fresh
        context, and every ``yield`` hands the value out after leaving it.
        """
        # Hint: loop: resume the generator (first gen.send(None)) inside a fresh
        # self._clone() context; at StopIteration return its value; yield what it yielded
        # outside the context; what the caller sends next is the next resume
        # (gen.send(value)), an exception thrown in is passed on (gen.throw(error)), and
        # closing this generator closes gen (in the mode too).
        ### BEGIN SOLUTION 08
        resume = functools.partial(gen.send, None)
        while True:
            try:
                with self._clone():
                    produced = resume()
            except StopIteration as stop:
                return stop.value
            try:
                sent = yield produced
            except GeneratorExit:
                with self._clone():
                    gen.close()
                raise
            except BaseException as error:  # thrown in by the caller: hand it on
                resume = functools.partial(gen.throw, error)
            else:
                resume = functools.partial(gen.send, sent)
        ### END SOLUTION


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) in which no operation is recorded for autograd."""

    _target = False


class enable_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) that turns recording back on inside ``no_grad``."""

    _target = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Set the mode now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self._previous = GRAD_STATE.enabled
        self._target = bool(mode)
        GRAD_STATE.enabled = self._target

    def __enter__(self) -> None:
        pass

    def _clone(self) -> _GradModeContext:
        # __init__ switches the mode at once; the context is what a decorator needs.
        return set_grad_enabled(self._target)

    def __call__(self, func: Callable) -> Callable:
        GRAD_STATE.enabled = self._previous  # used as a decorator: undo the switch
        return super().__call__(func)


class inference_mode(_GradModeContext):  # noqa: N801 - PyTorch's name
    """``no_grad`` for code that will never need gradients (evaluation, serving).

    Inside, nothing is recorded and ``is_inference_mode_enabled()`` is True;
    ``inference_mode(False)`` is a no-op context, so code can be written once for both
    cases (``with inference_mode(not training):``). Nested, it restores both switches on
    exit, also when the block raises.

    Args:
        mode: switch inference mode on (default) or leave the current mode untouched.
    """

    def __new__(cls, mode: Any = True) -> Any:
        instance = super().__new__(cls)
        if callable(mode):  # used bare: @inference_mode
            instance.__init__(True)
            return instance(mode)
        return instance

    def __init__(self, mode: Any = True) -> None:
        self._mode = True if callable(mode) else bool(mode)

    def _clone(self) -> _GradModeContext:
        return inference_mode(self._mode)

    def __enter__(self) -> None:
        # Hint: remember both switches (GRAD_STATE.enabled and GRAD_STATE.inference); when
        # self._mode is True, switch recording off and inference on.
        ### BEGIN SOLUTION 08
        self._previous = (GRAD_STATE.enabled, GRAD_STATE.inference)
        if self._mode:
            GRAD_STATE.enabled, GRAD_STATE.inference = False, True
        ### END SOLUTION

    def __exit__(self, *exc: Any) -> None:
        ### BEGIN SOLUTION 08
        GRAD_STATE.enabled, GRAD_STATE.inference = self._previous
        ### END SOLUTION

"""The shared state of ``ember.jit.trace``: whether a trace is being recorded, and its warning.

``Function.apply`` reads ``TRACE_STATE["active"]`` to keep each node's op class and
arguments (``ctx._trace_fn``, ``ctx._trace_args``) so the tracer can rebuild the op list.
``Tensor.__bool__``, ``item``, ``tolist``, ``__int__`` and ``__float__`` call
``warn_python_value`` while tracing: a tensor turned into a Python value leaves the graph,
so the trace freezes it as a constant (the branch taken by an ``if``, a loop count, ...).
"""

from __future__ import annotations

import warnings

#: ``{"active": True}`` while ``ember.jit.trace`` runs the traced function.
TRACE_STATE = {"active": False}


class TracerWarning(Warning):
    """A traced function did something the trace cannot record: it is frozen instead.

    Public as ``ember.jit.TracerWarning``; defined here, below the tensor, because the
    tensor's own methods raise it (``bool(t)`` while tracing).
    """


def warn_python_value(what: str) -> None:
    """Warn that converting a tensor to a Python ``what`` freezes it in the trace.

    Args:
        what: the kind of Python value, e.g. ``"boolean"``, ``"number"``, ``"list"``.
    """
    warnings.warn(
        f"Converting a tensor to a Python {what} might cause the trace to be incorrect. "
        "We can't record the data flow of Python values, so this value will be treated "
        "as a constant in the future. This means that the trace might not generalize to "
        "other inputs!",
        TracerWarning,
        stacklevel=3,
    )

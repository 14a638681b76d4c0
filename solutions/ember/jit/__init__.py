"""``ember.jit``: turn a define-by-run function into a recorded graph by tracing it.

``ember.jit.trace(fn, example_inputs)`` runs ``fn`` once and keeps the ops it ran; the
result replays them on new inputs (with autograd) and prints them (``.graph``,
``.code``). Python control flow is not recorded: the branch taken while tracing is frozen,
with a ``TracerWarning`` when a tensor was turned into a Python value.
"""

from ember._tracing import TracerWarning
from ember.jit._trace import TracedFunction, TracedModule, trace

__all__ = ["TracedFunction", "TracedModule", "TracerWarning", "trace"]

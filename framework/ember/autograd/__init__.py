"""``ember.autograd``: reverse-mode automatic differentiation, PyTorch's ``torch.autograd``.

* ``function.py`` — ``ArrayFunction`` (one op: ``forward`` and ``backward``) and ``Context``,
  which is also the graph node that records the op;
* ``custom_function.py`` — ``Function``, the tensor-level API for user-defined ops (stage 05);
* ``graph.py`` — ``AccumulateGrad`` (the leaves' nodes), hook handles, version counters;
* ``engine.py`` — the walk over the graph (``run_backward``);
* ``api.py`` — ``backward`` and ``grad``, the public entry points into the engine;
* ``higher_order.py`` — ``create_graph=True``: a backward pass that records its own graph;
* ``grad_mode.py`` — ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``;
* ``variable.py`` — the legacy ``Variable``;
* ``gradcheck.py`` — ``gradcheck``: backward against finite differences (stage 05), and
  ``gradgradcheck`` for second derivatives.
"""

from ember.autograd import grad_mode
from ember.autograd.api import backward, grad
from ember.autograd.custom_function import Function
from ember.autograd.function import ArrayFunction, Context
from ember.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ember.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from ember.autograd.graph import Node
from ember.autograd.variable import Variable

__all__ = [
    "ArrayFunction", "Context", "Function", "GradcheckError", "Node", "Variable", "backward",
    "enable_grad", "grad", "grad_mode", "gradcheck", "gradgradcheck", "inference_mode",
    "is_grad_enabled", "is_inference_mode_enabled", "no_grad", "set_grad_enabled",
]

"""Planted bugs for stage 02 (autograd): typical student mistakes the suites must catch.

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``;
CI plants it in a copy of the reference and expects at least one graded test to fail.
The engine, optimizer and graph-recording mutants are here; the backward formulas' mutants
are in ``stage02_ops.py``.
"""

from __future__ import annotations

from autograder.mutants import Mutant
from autograder.mutants.classes import for_stage as _class_mutants
from autograder.mutants.stage02_ops import OPS_MUTANTS

_ENGINE = "ember/autograd/engine.py"

MUTANTS = (
    Mutant(
        name="leaf_grad_overwritten",
        stage="02",
        path=_ENGINE,
        old="        leaf.grad._data = leaf.grad._data + grad\n",
        new="        leaf.grad._data = grad.copy()\n",
        why="a second backward replaces .grad instead of adding to it (no accumulation "
            "across calls)",
    ),
    Mutant(
        name="consumer_grads_overwritten",
        stage="02",
        path=_ENGINE,
        old="    slots[output_nr] = grad if current is None else current + grad\n",
        new="    slots[output_nr] = grad\n",
        why="a tensor used twice (x * x, x + x) keeps only the last consumer's gradient "
            "instead of the sum",
    ),
    Mutant(
        name="missing_unbroadcast",
        stage="02",
        path=_ENGINE,
        old="    if grad.shape == shape:\n        return grad\n    extra = ",
        new="    return grad\n    extra = ",
        why="a broadcast input receives the gradient in the output's shape instead of "
            "summing it back to its own shape",
    ),
    Mutant(
        name="recursive_topological_sort",
        stage="02",
        path=_ENGINE,
        old="""    counts: dict[Node, int] = {}
    stack = []
    for root in roots:
        if root not in counts:
            counts[root] = 0
            stack.append(root)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child in counts:
                counts[child] += 1
            else:
                counts[child] = 1
                stack.append(child)
    return counts
""",
        new="""    counts: dict[Node, int] = {}

    def visit(node):
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child in counts:
                counts[child] += 1
            else:
                counts[child] = 1
                visit(child)

    for root in roots:
        if root not in counts:
            counts[root] = 0
            visit(root)
    return counts
""",
        why="a recursive graph walk (micrograd's) hits Python's recursion limit on a "
            "5,000-op chain",
    ),
    Mutant(
        name="graph_not_freed",
        stage="02",
        path=_ENGINE,
        old="    if not retain_graph:\n        node._free()\n",
        new="    if not retain_graph:\n        pass\n",
        why="saved arrays are kept after backward: memory grows, and a second backward "
            "silently succeeds instead of raising",
    ),
    Mutant(
        name="hooks_ignored",
        stage="02",
        path=_ENGINE,
        old="        if grads is not None and node._tensor_hooks:\n",
        new="        if False:\n",
        why="register_hook and retain_grad never run",
    ),
    Mutant(
        name="nonleaf_grad_stored",
        stage="02",
        path="ember/autograd/function.py",
        old="        t._output_nr = nr\n",
        new="        t._output_nr = nr\n        t.retain_grad()\n",
        why="every intermediate tensor gets a .grad, as if retain_grad() were always on "
            "(PyTorch keeps .grad only for leaves)",
    ),
    Mutant(
        name="sgd_ascends",
        stage="02",
        path="ember/optim/sgd.py",
        old="        param.sub_(lr * grad)\n",
        new="        param.add_(lr * grad)\n",
        why="the SGD step goes up the gradient instead of down",
    ),
    Mutant(
        name="sgd_momentum_ignored",
        stage="02",
        path="ember/optim/sgd.py",
        old='            grad = grad + momentum * buffer if group["nesterov"] else buffer\n',
        new='            grad = grad + momentum * buffer if group["nesterov"] else grad\n',
        why="the momentum buffer is computed but the plain gradient is used for the step",
    ),
) + OPS_MUTANTS

# The mutants that only a class of test added for issue 10 catches.
MUTANTS = (*MUTANTS, *_class_mutants("02"))

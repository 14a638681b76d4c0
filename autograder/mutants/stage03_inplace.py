"""Planted bugs for stage 03's in-place ops: version counters, leaf checks, rebasing.

``stage03.py`` adds these to its ``MUTANTS``. Each replaces text that occurs exactly once
in one file of ``solutions/ember``.
"""

from __future__ import annotations

from autograder.mutants import Mutant

_INPLACE = "ember/ops/inplace.py"

INPLACE_MUTANTS = (
    Mutant(
        name="version_not_bumped",
        stage="03",
        path=_INPLACE,
        old="    version_counter(tensor)[0] += 1\n",
        new="    version_counter(tensor)[0] += 0\n",
        why="in-place ops do not bump the version counter, so backward silently uses a "
            "modified saved tensor instead of raising",
    ),
    Mutant(
        name="views_do_not_share_versions",
        stage="03",
        path="ember/autograd/graph.py",
        old="    view._version_counter = version_counter(base)\n",
        new="    view._version_counter = [0]\n",
        why="a view gets its own version counter, so modifying it in place goes unnoticed "
            "by a saved base",
    ),
    Mutant(
        name="leaf_inplace_allowed",
        stage="03",
        path=_INPLACE,
        old="        raise RuntimeError(LEAF_MESSAGE)\n",
        new="        pass\n",
        why="an in-place change of a leaf that requires grad is allowed while recording",
    ),
    Mutant(
        name="nonleaf_grad_fn_stale",
        stage="03",
        path=_INPLACE,
        old="        if base is None:\n            _rebase(tensor, result)\n",
        new="        if base is None:\n            pass\n",
        why="after y.mul_(2) on a non-leaf, y's grad_fn still points at the old node, so "
            "the gradient misses the in-place op",
    ),
)

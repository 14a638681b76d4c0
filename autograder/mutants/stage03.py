"""Planted bugs for stage 03 (dynamic graphs): typical student mistakes the suites must catch.

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``;
CI plants it in a copy of the reference and expects at least one graded test to fail.
The in-place mutants (version counters, leaf checks, rebasing) live in
``stage03_inplace.py``; the static-engine and tracer mutants are here.
"""

from __future__ import annotations

from autograder.mutants import Mutant
from autograder.mutants.classes import for_stage as _class_mutants
from autograder.mutants.stage03_inplace import INPLACE_MUTANTS

_SESSION = "ember/static/session.py"
_GRAPH = "ember/jit/_graph.py"

MUTANTS = (
    Mutant(
        name="session_cache_kept_across_runs",
        stage="03",
        path=_SESSION,
        old="        cache = self._feeds(feed_dict or {})\n",
        new="        cache = self.__dict__.setdefault('_results', {})\n"
            "        cache.update(self._feeds(feed_dict or {}))\n",
        why="the session keeps computed values between runs, so a second run with a new "
            "feed returns results computed from the first feed",
    ),
    Mutant(
        name="while_loop_body_one_time_too_few",
        stage="03",
        path=_SESSION,
        old="            if not bool(self._evaluate(predicate, frame)):\n"
            "                break\n"
            "            values = [self._evaluate(out, frame) for out in body]\n",
        new="            following = [self._evaluate(out, frame) for out in body]\n"
            "            frame = ChainMap(dict(zip(loop_vars, following, strict=True)), cache)\n"
            "            if not bool(self._evaluate(predicate, frame)):\n"
            "                break\n"
            "            values = following\n",
        why="the loop tests the condition on the next values instead of the current ones, "
            "so the last iteration is dropped",
    ),
    Mutant(
        name="while_loop_body_runs_before_the_test",
        stage="03",
        path=_SESSION,
        old="            if not bool(self._evaluate(predicate, frame)):\n"
            "                break\n"
            "            values = [self._evaluate(out, frame) for out in body]\n"
            "            iterations += 1\n",
        new="            values = [self._evaluate(out, frame) for out in body]\n"
            "            iterations += 1\n"
            "            frame = ChainMap(dict(zip(loop_vars, values, strict=True)), cache)\n"
            "            if not bool(self._evaluate(predicate, frame)):\n"
            "                break\n",
        why="a do-while loop: the body runs once even when the condition is false at the "
            "start (one iteration too many)",
    ),
    Mutant(
        name="cond_always_takes_the_true_branch",
        stage="03",
        path=_SESSION,
        old='        branch = node.attrs["true"] if bool(cache[node.inputs[0]]) '
            'else node.attrs["false"]\n',
        new='        branch = node.attrs["true"]\n',
        why="cond ignores its predicate and always runs true_fn's subgraph",
    ),
    Mutant(
        name="trace_freezes_the_example_inputs",
        stage="03",
        path=_GRAPH,
        old="        if id(tensor) in self.input_slots:\n"
            "            return Value(self.input_slots[id(tensor)])\n",
        new="",
        why="the recorded ops keep the example input tensors as constants, so the replay "
            "ignores the new inputs and repeats the example's result",
    ),
    Mutant(
        name="trace_ops_in_reverse_order",
        stage="03",
        path=_GRAPH,
        old="        if expanded:\n            order.append(node)\n            continue\n",
        new="        if expanded:\n            order.insert(0, node)\n            continue\n",
        why="the op list is built from the output back to the inputs and replayed in that "
            "order, so each op runs before the ops it reads",
    ),
    Mutant(
        name="replay_detaches_the_new_inputs",
        stage="03",
        path=_GRAPH,
        old="    values = list(inputs)\n",
        new="    values = [value.detach() for value in inputs]\n",
        why="the replay computes on detached copies of the inputs, so no gradient reaches "
            "them",
    ),
) + INPLACE_MUTANTS

# The mutants that only a class of test added for issue 10 catches.
MUTANTS = (*MUTANTS, *_class_mutants("03"))

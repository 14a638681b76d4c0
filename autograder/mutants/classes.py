"""Planted bugs that only a whole class of test can catch (issue "The core, readable and fast").

Each mutant here was missed by the suites until the class of test it names was added:

* ``direct``: a public function tested only through other functions doing the work;
* ``aliasing``: an array stored or handed out that is also someone else's;
* ``deep``: a graph walker that recurses (a deep graph overflows the stack);
* ``exact``: a message or text right only as a substring;
* ``public``: state right in a private attribute but wrong through the public API;
* ``numeric``: a derivative wrong only for a non-linear, non-elementwise function.

``stageNN.py`` adds the ones of its stage with :func:`for_stage`.
"""

from __future__ import annotations

from autograder.mutants import Mutant

CLASS_MUTANTS = (
    Mutant(
        name="rsub_not_reflected",
        stage="01",
        path="ember/ops/elementwise.py",
        old="    return sub(other, input)\n",
        new="    return sub(input, other)\n",
        why="direct: ember.rsub computes input - other (the tests only used 1 - t, whose "
            "operator never calls rsub)",
    ),
    Mutant(
        name="cat_of_one_tensor_returns_it",
        stage="01",
        path="ember/ops/join.py",
        old="        return get_array_module(arrays[0]).concatenate(arrays, axis=axis)\n",
        new="        if len(arrays) == 1:\n            return arrays[0]  # nothing to join\n"
            "        return get_array_module(arrays[0]).concatenate(arrays, axis=axis)\n",
        why="aliasing: cat of a single tensor returns that tensor's memory instead of a copy",
    ),
    Mutant(
        name="leaf_grad_aliases_incoming",
        stage="02",
        path="ember/autograd/engine.py",
        old="        leaf.grad = _make(grad.copy())\n    else:\n"
            "        leaf.grad._data = leaf.grad._data + grad\n",
        new="        leaf.grad = _make(grad)\n    else:\n        leaf.grad._data += grad\n",
        why="aliasing: .grad keeps the incoming gradient array and accumulates into it in "
            "place, so the caller's gradient (or another leaf's .grad) changes",
    ),
    Mutant(
        name="momentum_buffer_aliases_grad",
        stage="02",
        path="ember/optim/sgd.py",
        old="                buffer = grad.clone()\n",
        new="                buffer = grad\n",
        why="aliasing: SGD's first momentum buffer is p.grad itself, not a copy",
    ),    Mutant(
        name="jit_topological_sort_recurses",
        stage="03",
        path="ember/jit/_graph.py",
        old="""    stack = [(root, False) for root in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for position, arg in enumerate(node._trace_args):
            if not isinstance(arg, Tensor) or id(arg) in inputs:
                continue
            edge = _producer(node, position)
            if edge is not None and id(edge[0]) not in visited:
                stack.append((edge[0], False))
    return order
""",
        new="""
    def visit(node: Any) -> None:
        if id(node) in visited:
            return
        visited.add(id(node))
        for position, arg in enumerate(node._trace_args):
            if isinstance(arg, Tensor) and id(arg) not in inputs:
                edge = _producer(node, position)
                if edge is not None:
                    visit(edge[0])
        order.append(node)

    for root in roots:
        visit(root)
    return order
""",
        why="deep: jit.trace's topological sort is a recursive depth-first search, which "
            "overflows the stack on a deep trace",
    ),
    Mutant(
        name="session_evaluate_recurses",
        stage="03",
        path="ember/static/session.py",
        old="""        stack = [fetch]
        while stack:
            node = stack[-1]
            if node in cache:
                stack.pop()
                continue
            missing = [i for i in node.inputs if i not in cache]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            cache[node] = self._compute(node, cache)
        return cache[fetch]
""",
        new="""        if fetch not in cache:
            for node in fetch.inputs:
                self._evaluate(node, cache)
            cache[fetch] = self._compute(fetch, cache)
        return cache[fetch]
""",
        why="deep: Session evaluates a node by recursing into its inputs, which overflows "
            "the stack on a deep graph",
    ),    Mutant(
        name="persistent_buffer_keeps_old_mark",
        stage="04",
        path="ember/nn/modules/module.py",
        old="        if persistent:\n            self._non_persistent_buffers_set.discard(name)\n"
            "        else:\n            self._non_persistent_buffers_set.add(name)\n",
        new="        if not persistent:\n            self._non_persistent_buffers_set.add(name)\n",
        why="public: register_buffer(persistent=True) over a non-persistent buffer keeps it "
            "out of state_dict (the tests read the private set, not state_dict)",
    ),    Mutant(
        name="load_state_dict_aliases_source",
        stage="04",
        path="ember/nn/modules/state_dict.py",
        old="                    param.copy_(value)  # in place: optimizers keep the same "
            "tensors\n",
        new="                    param._data = value._data  # take the loaded values\n",
        why="aliasing: load_state_dict makes each parameter share the loaded tensor's memory "
            "instead of copying the values in",
    ),
    Mutant(
        name="sequential_index_error_says_more",
        stage="04",
        path="ember/nn/modules/container.py",
        old="        if not -size <= idx < size:\n"
            "            raise IndexError(f\"index {idx} is out of range\")\n"
            "        return next(islice(",
        new="        if not -size <= idx < size:\n"
            "            raise IndexError(f\"index {idx} is out of range for a Sequential of "
            "{size} modules\")\n        return next(islice(",
        why="exact: Sequential's IndexError adds its own clause to PyTorch's message (a "
            "substring check accepts it)",
    ),
)


def for_stage(stage_id: str) -> tuple[Mutant, ...]:
    """The class mutants of one stage."""
    return tuple(m for m in CLASS_MUTANTS if m.stage == stage_id)

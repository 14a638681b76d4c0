"""Planted bugs for stage 08 (grad modes, optimizers, save/load): typical student mistakes
the suites must catch.

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``;
CI plants it in a copy of the reference and expects at least one graded test to fail.
"""

from __future__ import annotations

from autograder.mutants import Mutant

_MODE = "ember/autograd/grad_mode.py"
_OPT = "ember/optim/optimizer.py"
_ADAM = "ember/optim/adam.py"
_SAVE = "ember/serialization.py"

MUTANTS = (
    Mutant(
        name="grad_mode_global_not_thread_local",
        stage="08",
        path=_MODE,
        old="class _GradState(threading.local):\n",
        new="class _GradState:\n",
        why="one grad mode for the whole process: no_grad in a worker thread switches "
            "recording off in the training loop",
    ),
    Mutant(
        name="inference_mode_not_restored",
        stage="08",
        path=_MODE,
        old="        GRAD_STATE.enabled, GRAD_STATE.inference = self._previous\n",
        new="        GRAD_STATE.enabled = self._previous[0]\n",
        why="leaving inference_mode restores recording but leaves inference mode on",
    ),
    Mutant(
        name="generator_mode_leaks_to_the_caller",
        stage="08",
        path=_MODE,
        old="                with self._clone():\n                    produced = resume()\n",
        new="                produced = resume()\n",
        why="@no_grad on a generator: the generator's body runs in the caller's mode, "
            "not in the decorator's",
    ),
    Mutant(
        name="duplicate_parameter_accepted",
        stage="08",
        path=_OPT,
        old='            raise ValueError("some parameters appear in more than one parameter '
            'group")\n',
        new="            pass\n",
        why="a parameter in two groups is stepped twice per step",
    ),
    Mutant(
        name="zero_grad_keeps_tensors",
        stage="08",
        path=_OPT,
        old="                if set_to_none:\n                    param.grad = None\n",
        new="                if set_to_none:\n                    param.grad._data[...] = 0\n",
        why="zero_grad(set_to_none=True) zeroes the gradients but keeps the tensors",
    ),
    Mutant(
        name="state_dict_shares_the_live_state",
        stage="08",
        path=_OPT,
        old="{key: _copied(value)\n",
        new="{key: value\n",
        why="state_dict() hands out the optimizer's own buffers: stepping on changes a "
            "saved checkpoint",
    ),
    Mutant(
        name="load_ignores_group_options",
        stage="08",
        path=_OPT,
        old='        self.param_groups = [{**_options(saved), "params": mine["params"]}\n'
            "                             for mine, saved in pairs]\n",
        new="",
        why="load_state_dict restores the state but keeps the new optimizer's lr and options",
    ),
    Mutant(
        name="adam_without_bias_correction",
        stage="08",
        path=_ADAM,
        old="        m_hat = m / (1 - beta1**t)\n        v_hat = v / (1 - beta2**t)\n",
        new="        m_hat = m\n        v_hat = v\n",
        why="Adam without bias correction: the first steps are far too small",
    ),
    Mutant(
        name="adam_step_counted_from_zero",
        stage="08",
        path=_ADAM,
        old='        state["step"] += 1\n        t = state["step"]\n',
        new='        t = state["step"]\n        state["step"] += 1\n',
        why="bias correction with the step counted from 0 (the first correction divides "
            "by 1 - β⁰ = 0)",
    ),
    Mutant(
        name="adam_one_global_step_counter",
        stage="08",
        path=_ADAM,
        old='        t = state["step"]\n',
        new='        t = max(s["step"] for s in self.state.values())\n',
        why="one step counter for all parameters: a parameter that skipped steps gets the "
            "others' bias correction",
    ),
    Mutant(
        name="adam_state_shared_between_parameters",
        stage="08",
        path=_ADAM,
        old="        state = self.state[param]\n",
        new='        state = self.state[group["params"][0]]\n',
        why="every parameter of a group updates the first parameter's moments",
    ),
    Mutant(
        name="adamw_decay_coupled",
        stage="08",
        path=_ADAM,
        old="                param.mul_(1 - lr * decay)\n",
        new="                grad = grad + decay * param\n",
        why="AdamW adds the decay to the gradient (L2, Adam's) instead of decaying the "
            "weights",
    ),
    Mutant(
        name="amsgrad_ignored",
        stage="08",
        path=_ADAM,
        old='            v = state["max_exp_avg_sq"]\n',
        new="",
        why="amsgrad keeps the running maximum but divides by the current v",
    ),
    Mutant(
        name="weights_only_accepts_any_callable",
        stage="08",
        path=_SAVE,
        old="        if (module, name) in _ALLOWED:\n",
        new="        if True:\n",
        why="the weights-only loader builds whatever the file names (a pickled os.system "
            "runs)",
    ),
    Mutant(
        name="views_lose_shared_storage",
        stage="08",
        path=_SAVE,
        old="        root = _root(array)\n",
        new="        root = array = array.copy()\n",
        why="every tensor gets its own storage: a view and its base no longer share memory "
            "after loading",
    ),
    Mutant(
        name="same_tensor_loads_twice",
        stage="08",
        path=_SAVE,
        old="        if index not in self._tensors:\n",
        new="        if True:\n",
        why="one tensor saved twice loads as two tensors",
    ),
)

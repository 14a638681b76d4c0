"""Planted bugs for stage 04's ``nn.Module`` core and containers.

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``;
CI plants it in a copy of the reference and expects at least one graded test of stage 04
to fail. The layers' mutants live in the other ``stage04_*.py`` files.
"""

from __future__ import annotations

from autograder.mutants import Mutant

_MODULE = "ember/nn/modules/module.py"
_CONTAINER = "ember/nn/modules/container.py"
_STATE_DICT = "ember/nn/modules/state_dict.py"

MODULE_MUTANTS = (
    Mutant(
        name="module_list_plain_list",
        stage="04",
        path=_CONTAINER,
        old="            self.add_module(str(offset + i), module)\n",
        new="            self.__dict__.setdefault('_list', []).append(module)\n",
        why="a ModuleList that keeps its modules in a plain Python list: they are never "
            "registered, so parameters(), state_dict() and eval() cannot see them",
    ),
    Mutant(
        name="module_list_del_not_renumbered",
        stage="04",
        path=_CONTAINER,
        old="            delattr(self, self._get_abs_string_index(idx))\n"
            "        self._modules = OrderedDict(\n"
            "            (str(i), module) for i, module in enumerate(self._modules.values()))\n",
        new="            delattr(self, self._get_abs_string_index(idx))\n",
        why="del of a ModuleList entry leaves a gap in the names '0', '1', ...: the next "
            "index or slice reaches the wrong module",
    ),
    Mutant(
        name="shared_parameters_counted_twice",
        stage="04",
        path=_MODULE,
        old="                if remove_duplicate:\n                    seen.add(id(value))\n",
        new="                pass\n",
        why="the walker does not de-duplicate: a parameter shared by two layers is listed "
            "(and counted, and updated by the optimizer) twice",
    ),
    Mutant(
        name="eval_not_reaching_children",
        stage="04",
        path=_MODULE,
        old="        for module in self.children():\n            module.train(mode)\n",
        new="",
        why="train()/eval() set the flag on the top module only: Dropout and BatchNorm "
            "inside the model stay in training mode",
    ),
    Mutant(
        name="state_dict_key_without_prefix",
        stage="04",
        path=_STATE_DICT,
        old="                destination[prefix + name] = param if keep_vars else param.detach()\n",
        new="                destination[name] = param if keep_vars else param.detach()\n",
        why="state_dict keys of parameters lose their dotted prefix ('0.weight' becomes "
            "'weight'), so children overwrite each other",
    ),
    Mutant(
        name="strict_load_ignores_missing_keys",
        stage="04",
        path=_STATE_DICT,
        old="                missing_keys.append(key)\n                continue\n",
        new="                continue\n",
        why="load_state_dict never notes missing keys: a checkpoint without some "
            "parameters loads silently, even with strict=True",
    ),
    Mutant(
        name="getattr_returns_none",
        stage="04",
        path=_MODULE,
        old="                return members[registry][name]\n        raise AttributeError(",
        new="                return members[registry][name]\n        return None\n"
            "        raise AttributeError(",
        why="__getattr__ returns None for unknown names (MiniTorch's weakness): typos "
            "like self.wieght fail far away, or not at all",
    ),
    Mutant(
        name="named_modules_prefix_without_dot",
        stage="04",
        path=_MODULE,
        old='                child_prefix = prefix + ("." if prefix else "") + name\n',
        new="                child_prefix = prefix + name\n",
        why="nested names are glued without the dot ('innersecond.w')",
    ),
    Mutant(
        name="zero_grad_ignores_set_to_none",
        stage="04",
        path=_MODULE,
        old="            if set_to_none:\n                param.grad = None\n",
        new="            if True:\n                param.grad = None\n",
        why="zero_grad(set_to_none=False) sets the gradients to None instead of zeros",
    ),
    Mutant(
        name="load_replaces_parameters",
        stage="04",
        path=_STATE_DICT,
        old="                    param.copy_(value)  # in place: optimizers keep the same "
            "tensors\n",
        new="                    self._assign_loaded(name, param, value.clone())\n",
        why="load_state_dict replaces the parameters by new objects instead of copying into "
            "them, so an optimizer built before loading updates tensors the model no "
            "longer uses",
    ),
    Mutant(
        name="apply_self_before_children",
        stage="04",
        path=_MODULE,
        old="            module.apply(fn)\n        fn(self)\n",
        new="            pass\n        fn(self)\n        for module in self.children():\n"
            "            module.apply(fn)\n",
        why="apply calls fn on the module before its children (PyTorch visits children "
            "first)",
    ),
    Mutant(
        name="sequential_slice_renumbered",
        stage="04",
        path=_CONTAINER,
        old="            return self.__class__(OrderedDict(list(self._modules.items())[idx]))\n",
        new="            return self.__class__(*list(self._modules.values())[idx])\n",
        why="a slice of a Sequential renumbers its children from 0 (PyTorch keeps names)",
    ),
    Mutant(
        name="module_list_repr_not_compact",
        stage="04",
        path=_CONTAINER,
        old="            if text == runs[-1][2]:\n",
        new="            if False:\n",
        why="ModuleList's repr prints every identical child instead of '(0-2): 3 x ...'",
    ),
    Mutant(
        name="non_persistent_buffer_saved",
        stage="04",
        path=_STATE_DICT,
        old="            if buf is not None and name not in self._non_persistent_buffers_set:\n",
        new="            if buf is not None:\n",
        why="state_dict saves buffers registered with persistent=False",
    ),
)

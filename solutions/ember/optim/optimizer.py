"""``Optimizer``: the plumbing every optimizer shares (PyTorch's ``torch.optim.Optimizer``).

An optimizer keeps ``param_groups`` — a list of dicts, each with its ``"params"`` and its
hyper-parameters (``lr``, ``momentum``, ...; missing ones come from ``defaults``) — and a
per-parameter ``state`` dict (e.g. SGD's momentum buffer). ``step`` visits every parameter
that has a gradient; subclasses implement ``_update``, one parameter's rule.

Example:
    >>> import ember
    >>> w = ember.zeros(2, requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> opt.param_groups[0]["lr"]
    0.1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ember._tensor import Tensor
from ember.autograd.grad_mode import enable_grad, no_grad


class _RequiredParameter:
    """The default of an option every group must set (``required`` in ``defaults``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


#: Marks a default that has no value: each parameter group must give one.
required = _RequiredParameter()


def _copied(value: Any, like: Tensor | None = None) -> Any:
    """A copy of one state entry: tensors are cloned (cast to ``like``'s floating dtype, as
    torch does on load), everything else is returned as it is."""
    if not isinstance(value, Tensor):
        return value
    if like is not None and value.is_floating_point() and like.is_floating_point():
        return value.detach().to(like.dtype).clone()
    return value.detach().clone()


def _options(group: dict[str, Any]) -> dict[str, Any]:
    """A group's options: everything but its parameters."""
    return {key: value for key, value in group.items() if key != "params"}


class Optimizer:
    """Base class of optimizers.

    Args:
        params: tensors to optimize, or dicts ``{"params": [...], "lr": ...}`` (groups).
        defaults: the default hyper-parameters of every group.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}")
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            # One group of plain tensors (stage 02): nothing to check against other groups.
            self.param_groups.append(self._complete_group({"params": groups}))
            return
        for group in groups:
            self.add_param_group(group)

    def _complete_group(self, param_group: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``param_group`` with its params as a list of leaf tensors and every
        option missing from it filled from ``defaults``."""
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, set):
            # A set has no order, so the integer ids of state_dict() would not be stable.
            raise TypeError("optimizer parameters need to be organized in ordered "
                            "collections, but the ordering of tensors in sets will change "
                            "between runs. Please use a list instead.")
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for param in group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                f"is {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, value in self.defaults.items():
            group.setdefault(name, value)
        return group

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters.

        Used to unfreeze part of a model during training, or to give a pretrained part a
        smaller learning rate than a new head. Options the group does not name come from
        ``defaults``; a default that is the marker ``required`` (``SGD``'s ``lr`` in
        torch) must be named by every group.

        Args:
            param_group: ``{"params": tensors, <option>: value, ...}``.

        Raises:
            ValueError: a parameter is already in another group, or a required option is
                missing.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        # Hint: complete the group with self._complete_group; refuse a required default the
        # group does not set and a parameter that another group already holds (compare
        # tensors by identity: == on tensors is elementwise); then append the group.
        ### BEGIN SOLUTION 08
        group = self._complete_group(param_group)
        for name, value in group.items():
            if value is required:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
        taken = {id(p) for other in self.param_groups for p in other["params"]}
        if any(id(p) in taken for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)
        ### END SOLUTION

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss (with grad mode on, since
        it calls ``backward``). The updates run under ``no_grad``: an update is not part
        of any graph. Parameters whose ``.grad`` is None are skipped.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self._update(param, group)
        return loss

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        """One update of ``param`` in place, with ``group``'s options: each optimizer's rule."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update() or step()")

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data, in PyTorch's layout.

        Parameters are replaced by integer ids, counted over the groups in order, so that
        the dict can be loaded into a new optimizer over new (equal-shaped) parameters::

            {"state": {0: {"momentum_buffer": tensor}, 2: {...}},   # only params with state
             "param_groups": [{"lr": 0.1, ..., "params": [0, 1]}, {"lr": 0.01, "params": [2]}]}

        The state's tensors are copies: stepping on after saving does not change the dict.

        Example:
            >>> import ember
            >>> w = ember.zeros(2, requires_grad=True)
            >>> ember.optim.SGD([w], lr=0.1).state_dict()["param_groups"][0]["params"]
            [0]
        """
        # Hint: number the parameters 0, 1, ... in group order (a dict keyed by id(param));
        # each group becomes a copy of its options with "params" the list of numbers; the
        # state holds, for each numbered parameter that has state, a copy of its dict whose
        # tensors are clones.
        ### BEGIN SOLUTION 08
        ids: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            numbers = [ids.setdefault(id(p), len(ids)) for p in group["params"]]
            groups.append({**_options(group), "params": numbers})
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                if param in self.state and self.state[param]:
                    state[ids[id(param)]] = {key: _copied(value)
                                             for key, value in self.state[param].items()}
        return {"state": state, "param_groups": groups}
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`: group options and per-parameter state.

        The groups must match this optimizer's in number and size; the parameters are
        matched by position. State tensors are copied onto each parameter's dtype.

        Raises:
            ValueError: a different number of groups, or a group of a different size.
        """
        # Hint: check the groups' count and sizes (torch's messages below); map each saved
        # id to this optimizer's parameter at the same position; rebuild self.state from
        # copies, and every group's options from the saved group (keeping its params).
        ### BEGIN SOLUTION 08
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        pairs = list(zip(self.param_groups, saved_groups, strict=True))
        for mine, saved in pairs:
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        by_id = {number: param for mine, saved in pairs
                 for number, param in zip(saved["params"], mine["params"], strict=True)}
        state: dict[Tensor, dict[str, Any]] = defaultdict(dict)
        for number, values in state_dict["state"].items():
            param = by_id[int(number)]
            state[param] = {key: _copied(value, like=param) for key, value in values.items()}
        self.state = state
        self.param_groups = [{**_options(saved), "params": mine["params"]}
                             for mine, saved in pairs]
        ### END SOLUTION

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

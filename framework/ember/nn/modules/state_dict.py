# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: StateDictMixin._save_to_state_dict, StateDictMixin.state_dict,
#             StateDictMixin._load_from_state_dict, StateDictMixin.load_state_dict
"""Saving and loading a module's tensors: ``state_dict`` and ``load_state_dict``.

Part of ``Module`` (which inherits this mixin; the split only keeps files short). A state
dict maps dotted names (``"features.0.weight"``) to the tensors a model needs to be rebuilt:
its parameters and its *persistent* buffers, not its code. Saving walks the module tree
top-down; loading copies values **in place**, so an optimizer that holds the parameters
keeps working, and reports the keys it missed and the keys it could not place.

Example:
    >>> import ember
    >>> net = ember.nn.Sequential(ember.nn.Linear(2, 1))
    >>> list(net.state_dict())
    ['0.weight', '0.bias']
    >>> net.load_state_dict(net.state_dict())
    <All keys matched successfully>
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any

from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn.parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the keys it did not use."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class StateDictMixin:
    """``state_dict`` and ``load_state_dict`` of ``Module`` (uses its ``_parameters``,
    ``_buffers``, ``_non_persistent_buffers_set`` and ``_modules``)."""

    _parameters: dict
    _buffers: dict
    _modules: dict
    _non_persistent_buffers_set: set

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        """Write this module's own parameters, then its persistent buffers, under
        ``prefix + name`` (detached unless ``keep_vars``)."""
        # ---- your code (stage 04): StateDictMixin._save_to_state_dict ----
        raise NotImplementedError("Stage 04: implement StateDictMixin._save_to_state_dict")
        # ---- end of your code (stage 04) ----

    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in an ``OrderedDict``:
        this module's own first, then each child's under ``"<child name>."`` (shared
        tensors appear under each of their names).

        Example:
            >>> import ember
            >>> m = ember.nn.Module()
            >>> m.w = ember.nn.Parameter(ember.ones(1))
            >>> m.state_dict()
            OrderedDict([('w', tensor([1.]))])
        """
        if destination is None:
            destination = OrderedDict()
        # ---- your code (stage 04): StateDictMixin.state_dict ----
        raise NotImplementedError("Stage 04: implement StateDictMixin.state_dict")
        # ---- end of your code (stage 04) ----

    def _load_from_state_dict(self, state_dict: dict, prefix: str, assign: bool,
                              missing_keys: list[str], unexpected_keys: list[str],
                              error_msgs: list[str]) -> None:
        """Load this module's own parameters and persistent buffers from ``state_dict``
        (keys ``prefix + name``), noting missing keys, keys under ``prefix`` that name
        nothing here, and per-key errors (wrong type, size mismatch)."""
        persistent = {k: v for k, v in self._buffers.items()
                      if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in [*self._parameters.items(), *persistent.items()]
                       if v is not None}
        # ---- your code (stage 04): StateDictMixin._load_from_state_dict ----
        raise NotImplementedError("Stage 04: implement StateDictMixin._load_from_state_dict")
        # ---- end of your code (stage 04) ----

    def _assign_loaded(self, name: str, param: Tensor, value: Tensor) -> None:
        """``load_state_dict(assign=True)``: keep the loaded tensor itself."""
        if isinstance(param, Parameter):
            if isinstance(value, Parameter):
                value.requires_grad_(param.requires_grad)
            else:
                value = Parameter(value, requires_grad=param.requires_grad)
        setattr(self, name, value)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy the tensors of ``state_dict`` into this module's parameters and buffers.

        Returns:
            ``_IncompatibleKeys(missing_keys, unexpected_keys)``.

        Raises:
            RuntimeError: "Error(s) in loading state_dict for Net:" followed by one line per
                problem: missing and unexpected keys (when ``strict``), size mismatches.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []

        def load(module: StateDictMixin, local: dict, prefix: str = "") -> None:
            module._load_from_state_dict(local, prefix, assign, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    load(child, {k: v for k, v in local.items() if k.startswith(child_prefix)},
                         child_prefix)

        load(self, OrderedDict(state_dict))
        # ---- your code (stage 04): StateDictMixin.load_state_dict ----
        raise NotImplementedError("Stage 04: implement StateDictMixin.load_state_dict")
        # ---- end of your code (stage 04) ----

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
        ### BEGIN SOLUTION 04
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected '
                                  "ember.Tensor or Tensor-like object from checkpoint but "
                                  f"received {type(value)}")
            elif value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{value.shape} from checkpoint, the shape in current model "
                                  f"is {param.shape}.")
            elif assign:
                self._assign_loaded(name, param, value)
            else:
                with no_grad():
                    param.copy_(value)  # in place: optimizers keep the same tensors
        for key in state_dict:
            if key.startswith(prefix):
                head, *rest = key[len(prefix):].split(".", 1)
                if (head not in self._modules) if rest else (head not in local_state):
                    unexpected_keys.append(key)
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        if strict and unexpected:
            keys = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
        if strict and missing:
            keys = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:"
                               "\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)
        ### END SOLUTION

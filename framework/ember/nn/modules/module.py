# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: Module._add_hook, Module.__getattr__, Module.__setattr__,
#             Module.register_parameter, Module.register_buffer, Module.add_module,
#             Module.named_modules, Module._named_members, Module.named_children, Module.train,
#             Module.zero_grad, Module.apply, Module.requires_grad_, Module.__repr__
"""``Module``: the base class of every layer and model (PyTorch's ``torch.nn.Module``).

A module keeps what it owns in three ordered dicts: ``_parameters`` (``Parameter``s the
optimizer updates), ``_buffers`` (tensors that are state but not trained, like BatchNorm's
running mean) and ``_modules`` (child modules). ``__setattr__`` routes each assignment to
the right dict, ``__getattr__`` looks names up in them, and ONE walker (``named_modules``
plus ``_named_members``) yields every member with its dotted name (``"encoder.0.weight"``).
``parameters()``, ``state_dict()`` (in ``state_dict.py``), ``train()``, ``zero_grad()`` and
``__repr__`` all build on that bookkeeping. Calling a module runs its forward hooks around
``forward``.

Example:
    >>> import ember
    >>> class Scale(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = ember.nn.Parameter(ember.tensor([2.]))
    ...     def forward(self, x):
    ...         return self.w * x
    >>> m = Scale()
    >>> m(ember.tensor([3.])), [name for name, _ in m.named_parameters()]
    (tensor([6.], grad_fn=<MulBackward0>), ['w'])
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn.modules.backward_hooks import call_with_backward_hooks
from ember.nn.modules.state_dict import StateDictMixin
from ember.nn.parameter import Buffer, Parameter
from ember.utils.hooks import RemovableHandle

_REGISTRIES = ("_parameters", "_buffers", "_modules")


def _typename(obj: Any) -> str:
    """The type name PyTorch's errors print: ``"ember.FloatTensor"``, ``"int"``, ..."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__ or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


def add_indent(text: str, num_spaces: int) -> str:
    """Indent every line of ``text`` but the first by ``num_spaces`` (nested reprs)."""
    first, *rest = text.split("\n")
    if not rest:
        return text
    return "\n".join([first] + [num_spaces * " " + line for line in rest])


class Module(StateDictMixin):
    """Base class of every layer and model: subclass it, assign layers and parameters in
    ``__init__`` (after ``super().__init__()``), and compute the output in ``forward``.

    Attributes:
        training: True in training mode (``train()``), False in evaluation mode (``eval()``).
    """

    _version: int = 1
    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already.
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        # Hook dicts are OrderedDicts: RemovableHandle keeps a weak reference to them.
        setattr_(self, "_forward_pre_hooks", OrderedDict())
        setattr_(self, "_forward_pre_hooks_with_kwargs", OrderedDict())
        setattr_(self, "_forward_hooks", OrderedDict())
        setattr_(self, "_forward_hooks_with_kwargs", OrderedDict())
        setattr_(self, "_backward_pre_hooks", OrderedDict())
        setattr_(self, "_backward_hooks", OrderedDict())
        setattr_(self, "_modules", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; subclasses implement it."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    # ------------------------------------------------------------ calling and hooks
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)  # the fast path: no hooks registered

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """``forward`` between the pre-hooks (which may replace the inputs) and the hooks
        (which may replace the output), each in registration order."""
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        if self._backward_hooks or self._backward_pre_hooks:
            output = call_with_backward_hooks(self, self.forward, args, kwargs)
        else:
            output = self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def _add_hook(self, hooks: OrderedDict, with_kwargs_set: OrderedDict, hook: Callable,
                  prepend: bool, with_kwargs: bool) -> RemovableHandle:
        """Store ``hook`` in ``hooks`` under a new handle's id (first if ``prepend``)."""
        # ---- your code (stage 04): Module._add_hook ----
        raise NotImplementedError("Stage 04: implement Module._add_hook")
        # ---- end of your code (stage 04) ----

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every ``forward``; a non-None result replaces
        ``args`` (a single value is wrapped in a tuple). With ``with_kwargs=True`` the hook
        is ``hook(module, args, kwargs)`` and returns None or ``(new_args, new_kwargs)``.

        Returns:
            A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.
        """
        return self._add_hook(self._forward_pre_hooks, self._forward_pre_hooks_with_kwargs,
                              hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward``; a non-None result
        replaces the output (``hook(module, args, kwargs, output)`` with ``with_kwargs``).

        Example:
            >>> import ember
            >>> m = ember.nn.Module()
            >>> m.forward = lambda x: x
            >>> h = m.register_forward_hook(lambda mod, args, out: out * 10)
            >>> m(ember.tensor(1.)), h.remove(), m(ember.tensor(1.))
            (tensor(10.), None, tensor(1.))
        """
        return self._add_hook(self._forward_hooks, self._forward_hooks_with_kwargs,
                              hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False
                                    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` once the gradients with respect to
        the module's inputs are computed; a non-None result (a tuple like ``grad_input``)
        replaces them. ``grad_input`` has one entry per positional input, None where it
        needs no gradient. How it works: ``backward_hooks.py``.

        Example:
            >>> import ember
            >>> layer = ember.nn.Linear(2, 1)
            >>> h = layer.register_full_backward_hook(
            ...     lambda m, gin, gout: print([tuple(g.shape) for g in gin + gout]))
            >>> layer(ember.ones(3, 2, requires_grad=True)).sum().backward()
            [(3, 2), (3, 1)]
        """
        return self._add_hook(self._backward_hooks, OrderedDict(), hook, prepend, False)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False
                                        ) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients with respect to the
        module's outputs are known, before they flow into it; a non-None result replaces
        ``grad_output``."""
        return self._add_hook(self._backward_pre_hooks, OrderedDict(), hook, prepend, False)

    # ------------------------------------------------------------ attributes
    def __getattr__(self, name: str) -> Any:
        """Called only when normal lookup fails: find ``name`` among the registered
        parameters, buffers and sub-modules, else raise ``AttributeError`` (never return
        None: a typo must fail loudly)."""
        if name.startswith("__"):  # copy/pickle probe dunders before __init__ ran
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        # Hint: read the dicts through self.__dict__ (self._parameters would call
        # __getattr__ again when __init__ has not run yet).
        # ---- your code (stage 04): Module.__getattr__ ----
        raise NotImplementedError("Stage 04: implement Module.__getattr__")
        # ---- end of your code (stage 04) ----

    def __setattr__(self, name: str, value: Any) -> None:
        """Route ``Parameter``s to ``_parameters`` and ``Module``s to ``_modules``; a name
        already registered (parameter, buffer, child) keeps its dict. Everything else is a
        plain attribute."""
        members = self.__dict__
        if isinstance(value, Buffer):  # nn.Buffer: a buffer by its type, as a Parameter is
            if "_buffers" not in members:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self._forget(name, members, members["_parameters"], members["_modules"])
            self.register_buffer(name, value.as_tensor(), value.persistent)
            return
        if not isinstance(value, (Parameter, Module)) and all(
                name not in members.get(registry, ()) for registry in _REGISTRIES):
            object.__setattr__(self, name, value)  # a plain attribute: all stage 02 needs
            return
        # Hint: PyTorch's errors: "cannot assign parameters before Module.__init__() call",
        # "cannot assign '<typename>' as parameter '<name>' (ember.nn.Parameter or None
        # expected)", the same for "child module" and "buffer". Before registering, remove
        # the name from the other dicts (and from __dict__) so one name means one thing.
        # ---- your code (stage 04): Module.__setattr__ ----
        raise NotImplementedError("Stage 04: implement Module.__setattr__")
        # ---- end of your code (stage 04) ----

    def _forget(self, name: str, *registries: dict) -> None:
        """Remove ``name`` from each dict (and from the non-persistent buffer names)."""
        for registry in registries:
            registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = [*dir(type(self)), *self.__dict__, *self._parameters, *self._modules,
                *self._buffers]
        return sorted(key for key in keys if not key[0].isdigit())

    # ------------------------------------------------------------ registration
    def _check_member_name(self, kind: str, name: Any, registry: dict) -> None:
        """PyTorch's checks of a new parameter/buffer name (a string, no dot, not empty,
        not an existing plain attribute)."""
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f"{kind} name can't contain \".\"")
        if name == "":
            raise KeyError(f"{kind} name can't be empty string \"\"")
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` under ``name`` (what ``self.name = Parameter(...)`` does).

        Raises:
            TypeError: ``param`` is neither a ``Parameter`` nor None.
            ValueError: ``param`` is not a leaf (it was computed from other tensors).
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        # ---- your code (stage 04): Module.register_parameter ----
        raise NotImplementedError("Stage 04: implement Module.register_parameter")
        # ---- end of your code (stage 04) ----

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True
                        ) -> None:
        """Add a buffer: a tensor that is module state but not a parameter (BatchNorm's
        running mean). ``persistent=False`` keeps it out of ``state_dict``.

        Example:
            >>> import ember
            >>> m = ember.nn.Module()
            >>> m.register_buffer("count", ember.zeros(1))
            >>> list(m.state_dict())
            ['count']
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        # ---- your code (stage 04): Module.register_buffer ----
        raise NotImplementedError("Stage 04: implement Module.register_buffer")
        # ---- end of your code (stage 04) ----

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what ``self.name = module`` does); containers
        use it with names ``"0"``, ``"1"``, ..."""
        # ---- your code (stage 04): Module.add_module ----
        raise NotImplementedError("Stage 04: implement Module.add_module")
        # ---- end of your code (stage 04) ----

    def register_module(self, name: str, module: Module | None) -> None:
        """Alias of ``add_module``."""
        self.add_module(name, module)

    def get_submodule(self, target: str) -> Module:
        """The sub-module at the dotted path ``target`` (``""`` is ``self``)."""
        module = self
        for item in target.split(".") if target else ():
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"0.weight"``)."""
        module_path, _, param_name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, param_name):
            raise AttributeError(module._get_name() + " has no attribute `" + param_name + "`")
        param = getattr(module, param_name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + param_name + "` is not an nn.Parameter")
        return param

    # ------------------------------------------------------------ the walker
    def named_modules(self, memo: set[Module] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module (name ``prefix``) and every
        descendant, depth first in registration order; a module reachable twice is
        listed once (unless ``remove_duplicate=False``)."""
        # ---- your code (stage 04): Module.named_modules ----
        raise NotImplementedError("Stage 04: implement Module.named_modules")
        # ---- end of your code (stage 04) ----

    def _named_members(self, get_members: Callable[[Module], Any], prefix: str = "",
                       recurse: bool = True, remove_duplicate: bool = True
                       ) -> Iterator[tuple[str, Any]]:
        """The one walker behind ``named_parameters`` and ``named_buffers``:
        ``get_members(module)`` gives ``(name, value)`` pairs of one module; yield them for
        every module (or only ``self`` without ``recurse``) with dotted names, skipping
        None and (with ``remove_duplicate``) values already yielded (shared parameters)."""
        # ---- your code (stage 04): Module._named_members ----
        raise NotImplementedError("Stage 04: implement Module._named_members")
        # ---- end of your code (stage 04) ----

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs: ``[("0.weight", ...), ("0.bias", ...)]``."""
        return self._named_members(lambda module: module._parameters.items(), prefix,
                                   recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter once (what an optimizer takes)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` pairs, like ``named_parameters``."""
        return self._named_members(lambda module: module._buffers.items(), prefix,
                                   recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer once."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, child)`` for the direct children (each module once)."""
        # ---- your code (stage 04): Module.named_children ----
        raise NotImplementedError("Stage 04: implement Module.named_children")
        # ---- end of your code (stage 04) ----

    def children(self) -> Iterator[Module]:
        """The direct children."""
        for _, module in self.named_children():
            yield module

    def modules(self) -> Iterator[Module]:
        """This module and all its descendants, each once."""
        for _, module in self.named_modules():
            yield module

    # ------------------------------------------------------------ modes and bulk changes
    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and every descendant (Dropout and BatchNorm
        behave differently in training and evaluation); returns ``self``."""
        # ---- your code (stage 04): Module.train ----
        raise NotImplementedError("Stage 04: implement Module.train")
        # ---- end of your code (stage 04) ----

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter: to None (default), or to zeros
        (detached from any graph)."""
        # ---- your code (stage 04): Module.zero_grad ----
        raise NotImplementedError("Stage 04: implement Module.zero_grad")
        # ---- end of your code (stage 04) ----

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every child (recursively, children first) and then on ``self``;
        returns ``self``. Typical use: ``model.apply(init_weights)``."""
        # ---- your code (stage 04): Module.apply ----
        raise NotImplementedError("Stage 04: implement Module.apply")
        # ---- end of your code (stage 04) ----

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (freeze with False); returns ``self``."""
        # ---- your code (stage 04): Module.requires_grad_ ----
        raise NotImplementedError("Stage 04: implement Module.requires_grad_")
        # ---- end of your code (stage 04) ----

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        """Replace every parameter's data (and gradient) and every buffer by ``fn`` of it,
        recursively; parameters stay the same objects (optimizers keep working)."""
        for module in self.children():
            module._apply(fn)
        with no_grad():
            for param in self._parameters.values():
                if param is not None:
                    param.data = fn(param)
                    if param.grad is not None:
                        param.grad.data = fn(param.grad)
            for key, buf in self._buffers.items():
                if buf is not None:
                    self._buffers[key] = fn(buf)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating-point parameters and buffers: ``to(ember.float64)``,
        ``to("cpu")``, ``to(device, dtype)``, ``to(tensor)`` (in place; returns ``self``)."""
        dtype, device = kwargs.get("dtype"), kwargs.get("device")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype, device = arg.dtype, arg.device
            elif hasattr(arg, "is_floating_point"):  # an ember dtype
                dtype = arg
            elif arg is not None:
                device = arg
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        return self._apply(lambda t: t.to(device=device,
                                          dtype=dtype if t.is_floating_point() else None))

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> Module:
        """Cast floating-point parameters and buffers to float16."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def cpu(self) -> Module:
        """Move parameters and buffers to the CPU."""
        return self._apply(lambda t: t.cpu())

    # ------------------------------------------------------------ printing
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside ``Name(...)`` besides the children (``"in_features=2, ..."``);
        layers override it."""
        return ""

    def __repr__(self) -> str:
        """``Name(extra)`` on one line without children; otherwise one line per entry of
        ``extra_repr()`` and one ``(name): repr(child)`` per child, indented by two spaces
        (nested children's lines too: ``add_indent``).

        Example:
            >>> import ember
            >>> outer = ember.nn.Module()
            >>> outer.inner = ember.nn.Module()
            >>> outer
            Module(
              (inner): Module()
            )
        """
        # ---- your code (stage 04): Module.__repr__ ----
        raise NotImplementedError("Stage 04: implement Module.__repr__")
        # ---- end of your code (stage 04) ----

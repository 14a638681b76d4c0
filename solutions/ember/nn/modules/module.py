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
        ### BEGIN SOLUTION 04
        handle = RemovableHandle(hooks, extra_dict=with_kwargs_set)
        hooks[handle.id] = hook
        if with_kwargs:
            with_kwargs_set[handle.id] = True
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        members = self.__dict__
        for registry in _REGISTRIES:
            if registry in members and name in members[registry]:
                return members[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        params, modules = members.get("_parameters"), members.get("_modules")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, members, self._buffers, self._modules)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(ember.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, members, self._parameters, self._buffers)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module "
                                f"'{name}' (ember.nn.Module or None expected)")
            modules[name] = value
        else:  # a registered buffer
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(ember.nn.Buffer, ember.Tensor or None expected)")
            self._buffers[name] = value
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        self._check_member_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(ember.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly. To express '{name}' "
                             "as a function of another Tensor, compute the value in the "
                             "forward() method.")
        self._parameters[name] = param
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        self._check_member_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(ember Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)
        ### END SOLUTION

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what ``self.name = module`` does); containers
        use it with names ``"0"``, ``"1"``, ..."""
        ### BEGIN SOLUTION 04
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError("module name can't be empty string \"\"")
        self._modules[name] = module
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)
        ### END SOLUTION

    def _named_members(self, get_members: Callable[[Module], Any], prefix: str = "",
                       recurse: bool = True, remove_duplicate: bool = True
                       ) -> Iterator[tuple[str, Any]]:
        """The one walker behind ``named_parameters`` and ``named_buffers``:
        ``get_members(module)`` gives ``(name, value)`` pairs of one module; yield them for
        every module (or only ``self`` without ``recurse``) with dotted names, skipping
        None and (with ``remove_duplicate``) values already yielded (shared parameters)."""
        ### BEGIN SOLUTION 04
        seen: set[int] = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in get_members(module):
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self
        ### END SOLUTION

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter: to None (default), or to zeros
        (detached from any graph)."""
        ### BEGIN SOLUTION 04
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.detach_()
                param.grad.zero_()
        ### END SOLUTION

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every child (recursively, children first) and then on ``self``;
        returns ``self``. Typical use: ``model.apply(init_weights)``."""
        ### BEGIN SOLUTION 04
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self
        ### END SOLUTION

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (freeze with False); returns ``self``."""
        ### BEGIN SOLUTION 04
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self
        ### END SOLUTION

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
        ### BEGIN SOLUTION 04
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + add_indent(repr(module), 2)
                       for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return self._get_name() + "(" + body + ")"
        ### END SOLUTION

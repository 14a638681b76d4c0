"""Code that tests define but that must run beside ember: subclasses and ``@beside_ember``.

A test that subclasses a class of the worker (``class Net(ember.nn.Module)``, a custom
``autograd.Function``, a ``Dataset``) needs that class *in the worker*: ember calls its
methods there, often (every forward and backward), and sometimes in processes of its own
(DataLoader workers). Python lets a base class that is not a type take part in a class
statement through ``__mro_entries__``: :class:`ClassProxy` answers with
:class:`RemoteSubclass`, whose metaclass receives the class body's namespace after it ran
here and sends the worker a *recipe*: every method as its compiled code (``marshal``),
with its defaults, closure values and the module-level names it reads. The worker builds
the class with the real base classes and this module gets a :class:`ClassProxy` back.

The names a shipped method reads are resolved here, when the class is defined: modules
are imported by name in the worker, the test module's own plain functions are shipped
too, proxies become the worker's objects, data is copied, and anything else becomes a
call back into the test process. Only code the test defined crosses, never a test's
assertions: those stay on the trusted side.
"""

from __future__ import annotations

import dis
import marshal
import types
from typing import Any

from . import proxies
from .client import Client, current

#: Global names the compiler or pytest's assertion rewriting add, resolved by the worker.
_SKIP = frozenset({"__builtins__", "__name__", "__file__", "__spec__", "__loader__"})


def _global_names(code: types.CodeType) -> set[str]:
    """Every module-level name ``code`` (and the code nested in it) reads or writes."""
    names = set()
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL"):
            names.add(ins.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


class _ShipEncoder:
    """Encodes values a shipped function needs: the client's encoder, plus shipping."""

    def __init__(self, client: Client, module: str, busy: set[int]) -> None:
        self.client, self.module, self.busy = client, module, busy

    def value(self, obj: Any) -> Any:
        if isinstance(obj, types.ModuleType) and not isinstance(obj, proxies.ModuleProxy):
            return ("M", obj.__name__)
        if (isinstance(obj, types.FunctionType) and obj.__module__ == self.module
                and id(obj) not in self.busy):
            return ("F", *function_recipe(obj, self.client, self.busy))
        return self.client.encoder.encode(obj)


def function_recipe(fn: types.FunctionType, client: Client | None = None,
                    busy: set[int] | None = None) -> tuple:
    """What the worker needs to rebuild ``fn``: code, names, defaults, closure, globals."""
    client = client or current()
    busy = set() if busy is None else busy
    busy.add(id(fn))
    enc = _ShipEncoder(client, fn.__module__, busy)
    closure = []
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True):
        if name == "__class__":
            closure.append(("class", None))
            continue
        try:
            closure.append(("value", enc.value(cell.cell_contents)))
        except ValueError:  # an empty cell (a name assigned after this function was made)
            closure.append(("empty", None))
    bindings = []
    scope = fn.__globals__
    for name in sorted(_global_names(fn.__code__) - _SKIP):
        if name in scope:
            bindings.append(("t", [name, enc.value(scope[name])]))
    defaults = client.encoder.encode(fn.__defaults__)
    kwdefaults = client.encoder.encode(fn.__kwdefaults__)
    return (marshal.dumps(fn.__code__), fn.__name__, fn.__qualname__, fn.__module__,
            defaults, kwdefaults, closure, ("l", bindings, None))


def _namespace_item(value: Any, client: Client, module: str) -> tuple:
    """One entry of a class body, as the worker's ``make_class`` expects it."""
    enc = _ShipEncoder(client, module, set())
    if isinstance(value, types.FunctionType):
        return ("F", function_recipe(value, client))
    if isinstance(value, (staticmethod, classmethod)):
        kind = "SM" if isinstance(value, staticmethod) else "CM"
        inner = value.__func__
        if isinstance(inner, types.FunctionType):
            return (kind, ("F", *function_recipe(inner, client)))
        return (kind, enc.value(inner))
    if isinstance(value, property):
        parts = [function_recipe(f, client) if isinstance(f, types.FunctionType) else None
                 for f in (value.fget, value.fset, value.fdel)]
        return ("PR", (*parts, value.__doc__))
    return ("V", enc.value(value))


#: Class-body entries that Python itself writes and the worker's class statement redoes.
_CLASS_BOOKKEEPING = frozenset({"__module__", "__qualname__", "__orig_bases__", "__classcell__",
                                "__static_attributes__", "__firstlineno__"})


def _send(name: str, bases: tuple, namespace: dict, kwds: dict,
          client: Client) -> proxies.ClassProxy:
    """Ask the worker to build the class; the recipe is encoded afresh for this worker."""
    for base in bases:
        if not isinstance(base, proxies.ClassProxy):
            raise TypeError(
                f"class {name}: every base class must come from ember (or be a class defined "
                f"this way); {base!r} does not")
    if client.conn is None:
        client.start()
    module = namespace.get("__module__", "__main__")
    items = [(key, _namespace_item(value, client, module)) for key, value in namespace.items()
             if key not in _CLASS_BOOKKEEPING]
    payload = [name, namespace.get("__qualname__", name), module,
               client.encoder.encode(tuple(bases)), items, client.encoder.encode(kwds)]
    cls = client._call("mkclass", payload)
    if not isinstance(cls, proxies.ClassProxy):
        raise TypeError(f"the worker did not build class {name}")
    cls._recipe = (name, bases, namespace, kwds)
    return cls


def rebuild(cls: proxies.ClassProxy, client: Client) -> proxies.ClassProxy:
    """Build a test-defined class again in a fresh worker (after a crash)."""
    return _send(*cls._recipe, client)


class _ShippingMeta(type):
    """Builds classes whose bases live in the worker *there* (see the module docstring)."""

    def __new__(mcs, name: str, bases: tuple, namespace: dict, **kwds: Any) -> Any:
        if "__orig_bases__" not in namespace:  # RemoteSubclass itself
            return super().__new__(mcs, name, bases, namespace, **kwds)
        return _send(name, tuple(namespace["__orig_bases__"]), namespace, kwds, current())


class RemoteSubclass(metaclass=_ShippingMeta):
    """Stands in for a worker class in a class statement (see the module docstring)."""

"""The trusted side's stand-ins for objects that live in the worker.

A test written for ordinary in-process use runs unchanged against them:

* :class:`RemoteObject`: any object of the worker (a tensor, a module, a function). Every
  attribute, call and operator is a request; ``isinstance(x, ember.Tensor)`` asks the
  worker; methods known from the class are called in one round trip.
* :class:`RemoteArray`: a NumPy array of the worker. Reading it (``np.asarray``, NumPy
  functions, arithmetic, comparisons) works on a fresh copy, *here*; writing to it
  (``a[0] = 1``, ``a += 1``) and views (``a.reshape``) act on the worker's array, so
  memory shared with a tensor behaves as it does in-process.
* :class:`ClassProxy`: a class of the worker (``ember.Tensor``): call it, subclass it
  (:mod:`shipping` builds the subclass beside ember), use it with ``isinstance``.
* :class:`ModuleProxy`: ``ember`` and its submodules, served by :class:`EmberFinder`.
* :class:`RemoteTuple`, :class:`RemoteList`, :class:`RemoteDict`: copies of the worker's
  tuples-with-a-class (``ember.Size``, named tuples), lists and dicts; comparisons use the
  copy, here; writes to a list or dict go to the worker too.

Comparisons the tests make on data therefore never run in the worker: values arrive as
copies and are compared by the trusted side's own NumPy and Python.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import operator
import sys
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .client import Client

#: Attribute names probed by NumPy, IPython and pytest that no worker object needs to
#: answer (answered "absent" here, without a round trip).
PROBES = frozenset({
    "__array_interface__", "__array_struct__", "__array_priority__", "__array_wrap__",
    "__array_finalize__", "__length_hint__", "__fspath__", "__await__", "__aiter__",
    "_ipython_canary_method_should_not_exist_", "_ipython_display_", "_repr_html_",
    "_repr_markdown_", "_repr_svg_", "_repr_png_", "_repr_jpeg_", "_repr_latex_",
    "_repr_json_", "_repr_javascript_", "_repr_pdf_", "_repr_mimebundle_",
    "__pytest_wrapped__", "__test__", "_pytestfixturefunction", "__wrapped__",
    "__signature__", "__code__", "__func__", "__self__",
})
#: ndarray methods that return fresh values: computed here on a copy (one fetch).
LOCAL_ARRAY_METHODS = frozenset({
    "all", "any", "argmax", "argmin", "argsort", "astype", "choose", "clip", "compress",
    "conj", "conjugate", "copy", "cumprod", "cumsum", "diagonal", "dot", "dump", "dumps",
    "flatten", "item", "max", "mean", "min", "nonzero", "prod", "ptp", "repeat", "round",
    "searchsorted", "std", "sum", "take", "tobytes", "tofile", "tolist", "trace", "var",
})


#: The connection of this process (set by ``client.install``; graded runs have one).
CLIENTS: list[Client] = []


def client_of(obj: Any) -> Client:
    if not CLIENTS:
        raise RuntimeError("no worker connection: graded tests run through autograder")
    return CLIENTS[-1]


def _forget(obj: Any) -> None:
    """``__del__`` of every proxy: hand its references back (never raises, even at exit)."""
    try:
        if CLIENTS:
            CLIENTS[-1].forget(obj)
    except Exception:  # noqa: S110 - a dying proxy must not disturb the run
        pass


class _Remote:
    """What every reference to a worker object shares: its id and its worker generation."""

    __slots__ = ()

    def _ref(self) -> int:
        return client_of(self).live_hid(self)


def _op(name: str, reflected: bool = False) -> Any:
    """A dunder that applies ``operator.<name>`` in the worker."""
    if reflected:
        def method(self: RemoteObject, other: Any) -> Any:
            return client_of(self).request("op", name, (other, self))
    else:
        def method(self: RemoteObject, *args: Any) -> Any:
            return client_of(self).request("op", name, (self, *args))
    return method


class RemoteObject(_Remote):
    """An object of the worker (see the module docstring)."""

    __slots__ = ("_hid", "_tid", "_gen", "_n", "_path", "_hash", "__weakref__")

    def __init__(self, hid: int, tid: int, gen: int, path: tuple | None = None) -> None:
        object.__setattr__(self, "_hid", hid)
        object.__setattr__(self, "_tid", tid)
        object.__setattr__(self, "_gen", gen)
        object.__setattr__(self, "_n", 0)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_hash", None)

    # -- attributes ---------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name in PROBES:
            raise AttributeError(name)
        client = client_of(self)
        if name in client.method_names(self._tid):
            return RemoteMethod(self, name)
        return client.request("getattr", self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        client_of(self).request("setattr", self, name, value)

    def __delattr__(self, name: str) -> None:
        client_of(self).request("delattr", self, name)

    @property  # type: ignore[misc]
    def __class__(self) -> Any:  # noqa: D105 - isinstance(x, list) etc. see the worker's class
        return client_of(self).class_proxy(self._tid)

    def __dir__(self) -> list[str]:
        return list(client_of(self).request("op", "dir", (self,)))

    # -- calls and protocols --------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return client_of(self).request("call", self, args, kwargs)

    def __enter__(self) -> Any:
        return client_of(self).request("callmethod", self, "__enter__", (), {})

    def __exit__(self, *exc: Any) -> Any:
        return client_of(self).request("callmethod", self, "__exit__", exc, {})

    def __iter__(self) -> Any:
        return client_of(self).request("op", "iter", (self,))

    def __next__(self) -> Any:
        return client_of(self).request("op", "next", (self,))

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", client_of(self).request("op", "hash", (self,)))
        return self._hash

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = client_of(self).request("asarray", self)
        return arr.astype(dtype, copy=False) if dtype is not None else arr

    __array_ufunc__ = None  # ndarray (+) remote -> the remote object's reflected operator

    def __deepcopy__(self, memo: dict) -> Any:
        return client_of(self).request("op", "deepcopy", (self,))

    def __copy__(self) -> Any:
        return client_of(self).request("op", "copy", (self,))

    def __reduce_ex__(self, protocol: int) -> Any:
        raise TypeError("an object of the student's code cannot be pickled by the tests")

    def __del__(self) -> None:
        _forget(self)

    __len__ = _op("len")
    __bool__ = _op("bool")
    __int__ = _op("int")
    __float__ = _op("float")
    __complex__ = _op("complex")
    __index__ = _op("index")
    __repr__ = _op("repr")
    __str__ = _op("str")
    __format__ = _op("format")
    __reversed__ = _op("reversed")
    __round__ = _op("round")
    __contains__ = _op("contains")
    __getitem__ = _op("getitem")
    __setitem__ = _op("setitem")
    __delitem__ = _op("delitem")
    __neg__ = _op("neg")
    __pos__ = _op("pos")
    __abs__ = _op("abs")
    __invert__ = _op("invert")
    __eq__ = _op("eq")
    __ne__ = _op("ne")
    __lt__ = _op("lt")
    __le__ = _op("le")
    __gt__ = _op("gt")
    __ge__ = _op("ge")
    __divmod__ = _op("divmod")
    __rdivmod__ = _op("divmod", reflected=True)
    for _name in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow",
                  "lshift", "rshift", "and", "or", "xor"):
        _fn = _name + "_" if _name in ("and", "or") else _name
        locals()[f"__{_name}__"] = _op(_fn)
        locals()[f"__r{_name}__"] = _op(_fn, reflected=True)
        locals()[f"__i{_name}__"] = _op("i" + _name)
    del _name, _fn


class RemoteDoc:
    """``__doc__`` of a worker object (read there); on the local type, the worker class's."""

    def __init__(self, class_doc: str | None) -> None:
        self.class_doc = class_doc

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.class_doc
        return client_of(obj).request("getattr", obj, "__doc__")


class RemoteMethod:
    """``obj.name`` for a method the worker's class defines: called in one round trip."""

    __slots__ = ("obj", "name")

    def __init__(self, obj: RemoteObject, name: str) -> None:
        self.obj, self.name = obj, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return client_of(self.obj).request("callmethod", self.obj, self.name, args, kwargs)

    def _bound(self) -> Any:
        return client_of(self.obj).request("getattr", self.obj, self.name)

    def __getattr__(self, name: str) -> Any:
        if name in PROBES:
            raise AttributeError(name)
        return getattr(self._bound(), name)

    def __repr__(self) -> str:
        return f"<bound method {self.name} of the student's object>"


def _local(x: Any) -> Any:
    """``x`` with every RemoteArray (also inside tuples and lists) replaced by a copy."""
    if isinstance(x, RemoteArray):
        return np.asarray(x)
    if type(x) in (tuple, list):
        return type(x)(_local(v) for v in x)
    return x


def _array_op(op: Any, reflected: bool = False) -> Any:
    """An operator of a RemoteArray, computed here on a copy."""
    if reflected:
        return lambda self, other: op(_local(other), np.asarray(self))
    return lambda self, *args: op(np.asarray(self), *(_local(a) for a in args))


class RemoteArray(_Remote):
    """A NumPy array of the worker (see the module docstring)."""

    __slots__ = ("_hid", "_gen", "_n", "_dtype", "_shape", "_data", "_epoch", "__weakref__")

    def __init__(self, hid: int, gen: int, dtype: np.dtype, shape: tuple[int, ...],
                 data: bytes | None, epoch: int) -> None:
        object.__setattr__(self, "_hid", hid)
        object.__setattr__(self, "_gen", gen)
        object.__setattr__(self, "_n", 0)
        object.__setattr__(self, "_dtype", dtype)
        object.__setattr__(self, "_shape", shape)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_epoch", epoch)

    def _refresh(self, data: bytes | None, epoch: int) -> None:
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_epoch", epoch)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105
        return np.ndarray

    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)
    ndim = property(lambda self: len(self._shape))
    size = property(lambda self: int(np.prod(self._shape, dtype=np.int64)))
    itemsize = property(lambda self: self._dtype.itemsize)
    nbytes = property(lambda self: self.size * self._dtype.itemsize)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        client = client_of(self)
        if self._data is not None and self._epoch == client.epoch:
            arr = np.frombuffer(self._data, dtype=self._dtype).reshape(self._shape).copy()
        else:
            arr = client.request("fetch", self)
        return arr.astype(dtype, copy=False) if dtype is not None else arr

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out", ())
        if any(isinstance(o, RemoteArray) for o in (out if isinstance(out, tuple) else (out,))):
            return client_of(self).request("ufunc", ufunc.__name__, method, inputs, kwargs)
        kwargs = {k: _local(v) for k, v in kwargs.items()}
        return getattr(ufunc, method)(*(_local(x) for x in inputs), **kwargs)

    def __array_function__(self, func: Any, types_: Any, args: Any, kwargs: Any) -> Any:
        if func in (np.shares_memory, np.may_share_memory, np.copyto):
            return client_of(self).request("numpy", func.__name__, args, kwargs)
        return func(*_local(list(args)), **{k: _local(v) for k, v in kwargs.items()})

    def __getattr__(self, name: str) -> Any:
        if name in PROBES:
            raise AttributeError(name)
        if name in LOCAL_ARRAY_METHODS:
            return getattr(np.asarray(self), name)
        return client_of(self).request("getattr", self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        client = client_of(self)
        client.request("setattr", self, name, value)
        if name == "shape":
            object.__setattr__(self, "_shape", tuple(client.request("getattr", self, "shape")))

    def __getitem__(self, key: Any) -> Any:
        return client_of(self).request("op", "getitem", (self, key))

    def __setitem__(self, key: Any, value: Any) -> None:
        client_of(self).request("op", "setitem", (self, key, value))

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of unsized object")
        return self._shape[0]

    def __iter__(self) -> Any:
        return iter(np.asarray(self))

    def __repr__(self) -> str:
        return repr(np.asarray(self))

    def __str__(self) -> str:
        return str(np.asarray(self))

    def __format__(self, spec: str) -> str:
        return format(np.asarray(self), spec)

    def __copy__(self) -> np.ndarray:
        return np.asarray(self)

    def __deepcopy__(self, memo: dict) -> np.ndarray:
        return np.asarray(self)

    def __reduce_ex__(self, protocol: int) -> Any:
        return np.asarray(self).__reduce_ex__(protocol)

    __hash__ = None  # type: ignore[assignment]

    def __del__(self) -> None:
        _forget(self)

    for _name, _fn in (("bool", bool), ("int", int), ("float", float), ("complex", complex),
                       ("index", operator.index), ("neg", operator.neg),
                       ("pos", operator.pos), ("abs", operator.abs),
                       ("invert", operator.invert)):
        locals()[f"__{_name}__"] = _array_op(_fn)
    for _name in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow",
                  "lshift", "rshift", "and", "or", "xor"):
        _fn = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
        locals()[f"__{_name}__"] = _array_op(_fn)
        locals()[f"__r{_name}__"] = _array_op(_fn, reflected=True)
        locals()[f"__i{_name}__"] = _op("i" + _name)
    for _name in ("eq", "ne", "lt", "le", "gt", "ge", "contains"):
        locals()[f"__{_name}__"] = _array_op(getattr(operator, _name))
    del _name, _fn


class ClassProxy:
    """A class of the worker: call it, subclass it, ``isinstance`` against it."""

    def __init__(self, tid: int, info: tuple, gen: int, recipe: Any = None,
                 path: tuple | None = None) -> None:
        self._tid, self._gen, self._recipe, self._path = tid, gen, recipe, path
        self.__name__, self.__qualname__, self.__module__ = info[0], info[1], info[2]
        self._methods = frozenset(info[3])
        self._custom_check = info[5]

    def __getattr__(self, name: str) -> Any:
        if name in PROBES or name.startswith("_ClassProxy"):
            raise AttributeError(name)
        return client_of(self).request("getattr", self, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return client_of(self).request("call", self, args, kwargs)

    def __instancecheck__(self, obj: Any) -> bool:
        if isinstance(obj, (RemoteObject, RemoteTuple)) and not self._custom_check:
            return client_of(self).is_subclass(obj._tid, self)
        if isinstance(obj, (RemoteObject, RemoteTuple, RemoteArray, ClassProxy, RemoteMethod)):
            return bool(client_of(self).request("isinstance", obj, self))
        return False

    def __subclasscheck__(self, cls: Any) -> bool:
        if isinstance(cls, ClassProxy):
            return client_of(self).is_subclass(cls._tid, self)
        return False

    def __mro_entries__(self, bases: tuple) -> tuple:
        from .shipping import RemoteSubclass

        return (RemoteSubclass,)

    def __repr__(self) -> str:
        return f"<class '{self.__module__}.{self.__qualname__}'>"

    def __reduce_ex__(self, protocol: int) -> Any:
        raise TypeError("a class of the student's code cannot be pickled by the tests")


class RemoteTuple(tuple):
    """A tuple-with-a-class of the worker (``ember.Size``, a named tuple): a copy here."""

    def __new__(cls, items: list, hid: int, tid: int, gen: int) -> RemoteTuple:
        self = super().__new__(cls, items)
        self.__dict__.update(_hid=hid, _tid=tid, _gen=gen, _n=1)
        return self

    @property  # type: ignore[misc]
    def __class__(self) -> Any:  # noqa: D105
        return client_of(self).class_proxy(self._tid)

    def __getattr__(self, name: str) -> Any:
        if name in PROBES or name.startswith("_"):
            raise AttributeError(name)
        client = client_of(self)
        if name in client.method_names(self._tid):
            return lambda *a, **k: client.request("callmethod", self, name, a, k)
        return client.request("getattr", self, name)

    def __repr__(self) -> str:
        return client_of(self).request("op", "repr", (self,))

    __str__ = __repr__

    def __reduce_ex__(self, protocol: int) -> Any:
        return (tuple, (tuple(self),))

    def __del__(self) -> None:
        _forget(self)


def _write_through(name: str) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = getattr(super(type(self), self), name)(*args, **kwargs)
        client_of(self).request("callmethod", self, name, args, kwargs)
        return self if name.startswith("__i") else result
    method.__name__ = name
    return method


class _WriteThrough:
    """Mixin: a copy of a worker list or dict whose writes also go to the worker."""

    def __del__(self) -> None:
        _forget(self)

    def __reduce_ex__(self, protocol: int) -> Any:
        base = next(c for c in type(self).__mro__ if c.__module__ in ("builtins", "collections"))
        return (base, (base(self),))


def _writing_through(*names: str) -> Callable[[type], type]:
    """Class decorator: each named mutating method also runs on the worker's original."""
    def decorate(cls: type) -> type:
        for name in names:
            setattr(cls, name, _write_through(name))
        return cls
    return decorate


_MAPPING_WRITES = ("__setitem__", "__delitem__", "update", "pop", "popitem", "clear",
                   "setdefault")


@_writing_through("__setitem__", "__delitem__", "__iadd__", "__imul__", "append", "extend",
                  "insert", "pop", "remove", "clear", "sort", "reverse")
class RemoteList(_WriteThrough, list):
    """A copy of a worker list; writes go to the worker too."""


@_writing_through(*_MAPPING_WRITES)
class RemoteDict(_WriteThrough, dict):
    """A copy of a worker dict; writes go to the worker too."""


@_writing_through(*_MAPPING_WRITES, "move_to_end")
class RemoteOrderedDict(_WriteThrough, OrderedDict):
    """A copy of a worker OrderedDict; writes go to the worker too."""


def make_container(kind: type, items: Any, hid: int | None, gen: int) -> Any:
    """A write-through copy (``hid`` given) or a plain container (``hid`` None)."""
    if hid is None:
        return kind(items)
    cls = {list: RemoteList, dict: RemoteDict, OrderedDict: RemoteOrderedDict}[kind]
    obj = cls(items)
    obj.__dict__.update(_hid=hid, _gen=gen, _n=1)
    return obj


class ModuleProxy(types.ModuleType):
    """``ember`` or one of its submodules, as seen from the trusted side."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = client_of(self).module_attr(self, name)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("__") and name.endswith("__"):
            return super().__setattr__(name, value)
        if isinstance(value, ModuleProxy):
            # the import system binding a submodule on its parent: the worker's own import
            # did that already, and the name may be rebound there (``autograd.gradcheck``
            # the function shadows ``autograd.gradcheck`` the module, as in PyTorch)
            return None
        client_of(self).request("setattr", self, name, value)
        self.__dict__[name] = value

    def __dir__(self) -> list[str]:
        return list(client_of(self).request("op", "dir", (self,)))

    def __repr__(self) -> str:
        return f"<module '{self.__name__}' (the student's, in the worker)>"


class EmberFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``import ember…`` on the trusted side with :class:`ModuleProxy` objects."""

    def __init__(self, package: str = "ember") -> None:
        self.package = package

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != self.package and not name.startswith(self.package + "."):
            return None
        is_package = client_of(self).import_module(name)
        spec = importlib.machinery.ModuleSpec(name, self, is_package=is_package)
        return spec

    def create_module(self, spec: Any) -> ModuleProxy:
        module = ModuleProxy(spec.name)
        client_of(self).register_module(module)
        return module

    def exec_module(self, module: Any) -> None:
        pass

    def install(self) -> None:
        if any(m == self.package or m.startswith(self.package + ".") for m in sys.modules):
            raise RuntimeError(f"{self.package} was imported on the trusted side before the "
                               "worker started; graded runs must never import it here")
        sys.meta_path.insert(0, self)

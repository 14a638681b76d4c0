"""Values across the boundary: what travels as data and what as a reference.

A value is encoded into a tree of builtins (see :mod:`wire`): plain data travels as a
copy, every other object as a reference that the receiving side turns into a proxy.

====================  ============================================================
Python value          on the wire
====================  ============================================================
None, bool, int,      themselves
float, complex, str,
bytes
tuple                 ``("t", [items])``
list                  ``("l", [items], ref)``: a copy; ``ref`` lets writes go back
dict, OrderedDict     ``("d", [k, v, k, v, …], ref, ordered)``
set, frozenset        ``("s", [items], frozen)``
numpy array           ``("a", dtype, shape, bytes)`` (a copy), or a side-specific form
numpy scalar          ``("n", dtype, bytes)``
slice, Ellipsis       ``("sl", start, stop, step)``, ``("E",)``
path, range           ``("path", text, windows)``, ``("rg", start, stop, step)``
dtype, builtin class  ``("dt", dtype)``, ``("bi", name)``, ``("npt", name)`` (NumPy types)
anything else         side-specific tagged tuples (handles, classes, callbacks)
====================  ============================================================

Decoding validates every field (types, dtypes without Python objects, sizes that match),
because the worker's messages are written by student code.

Like :mod:`wire`, this module imports nothing from ``autograder``.
"""

from __future__ import annotations

import builtins
import math
import pathlib
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

#: Types that travel as themselves.
PRIMITIVES = frozenset({type(None), bool, int, float, complex, str, bytes})
#: Deepest nesting accepted in either direction (guards the recursion of both walkers).
MAX_DEPTH = 200


class CodecError(ValueError):
    """A value that cannot be sent, or a message that does not describe a valid value."""


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise CodecError(f"invalid message: {what}")


def safe_dtype(spec: Any) -> np.dtype:
    """The dtype named by ``spec``; only dtypes that hold plain numbers, bools or text."""
    _check(isinstance(spec, str) and len(spec) < 32, "dtype must be a short string")
    try:
        dtype = np.dtype(spec)
    except TypeError:
        raise CodecError(f"invalid message: unknown dtype {spec!r}") from None
    _check(dtype.kind in "biufcUSmM" and not dtype.hasobject and dtype.fields is None,
           f"dtype {spec!r} is not a plain numeric, bool or text dtype")
    return dtype


def check_shape(shape: Any) -> tuple[int, ...]:
    _check(isinstance(shape, tuple) and len(shape) <= 64, "shape must be a short tuple")
    _check(all(type(n) is int and n >= 0 for n in shape), "shape entries must be ints >= 0")
    return shape


def encode_array(arr: np.ndarray) -> tuple:
    """``("a", dtype, shape, bytes)``: a C-ordered copy of ``arr``."""
    if arr.dtype.hasobject or arr.dtype.fields is not None:
        raise CodecError(f"arrays of dtype {arr.dtype} cannot be sent (they hold objects)")
    return ("a", arr.dtype.str, tuple(int(n) for n in arr.shape),
            np.ascontiguousarray(arr).tobytes())


def decode_array(dtype: Any, shape: Any, data: Any) -> np.ndarray:
    dt, shape = safe_dtype(dtype), check_shape(shape)
    _check(isinstance(data, bytes), "array data must be bytes")
    _check(len(data) == math.prod(shape) * dt.itemsize, "array data has the wrong length")
    return np.frombuffer(data, dtype=dt).reshape(shape).copy()


class Encoder:
    """Turns values into wire trees; subclasses say how references are spelled.

    Hooks (each returns a tree, or None to fall through):
        special(obj): checked first, for the side's own proxy types.
        list_ref(obj) / dict_ref(obj): the reference sent with a list or dict (or None).
        array(obj): how an exact ``numpy.ndarray`` travels (default: a copy).
        other(obj): everything that is not data (must return a tree).
    """

    def special(self, obj: Any) -> Any:
        return None

    def list_ref(self, obj: list) -> Any:
        return None

    def dict_ref(self, obj: dict) -> Any:
        return None

    def array(self, obj: np.ndarray) -> Any:
        return encode_array(obj)

    def other(self, obj: Any) -> Any:
        raise CodecError(f"cannot send a {type(obj).__name__}")

    def encode(self, obj: Any, depth: int = 0) -> Any:
        kind = type(obj)
        if kind in PRIMITIVES:
            return obj
        if depth > MAX_DEPTH:
            raise CodecError("value nested too deeply to send")
        special = self.special(obj)
        if special is not None:
            return special
        down = depth + 1
        if kind is tuple:
            return ("t", [self.encode(x, down) for x in obj])
        if kind is list:
            return ("l", [self.encode(x, down) for x in obj], self.list_ref(obj))
        if kind is dict or kind is OrderedDict:
            flat = []
            for key, value in obj.items():
                flat += [self.encode(key, down), self.encode(value, down)]
            return ("d", flat, self.dict_ref(obj), kind is OrderedDict)
        if kind is set or kind is frozenset:
            return ("s", [self.encode(x, down) for x in obj], kind is frozenset)
        if kind is np.ndarray:
            return self.array(obj)
        if isinstance(obj, np.generic) and kind.__module__ == "numpy":
            if obj.dtype.hasobject:
                return self.other(obj)
            return ("n", obj.dtype.str, obj.tobytes())
        if kind is slice:
            return ("sl", self.encode(obj.start, down), self.encode(obj.stop, down),
                    self.encode(obj.step, down))
        if obj is Ellipsis:
            return ("E",)
        if isinstance(obj, (types.TracebackType, types.FrameType)):
            return None  # exceptions cross without their frames
        if isinstance(obj, pathlib.PurePath):
            return ("path", str(obj), isinstance(obj, pathlib.PureWindowsPath))
        if kind is range:
            return ("rg", obj.start, obj.stop, obj.step)
        if kind is np.dtype or isinstance(obj, np.dtype):
            if obj.hasobject or obj.fields is not None:
                return self.other(obj)
            return ("dt", obj.str)
        if isinstance(obj, type):
            if obj.__module__ == "builtins" and getattr(builtins, obj.__name__, None) is obj:
                return ("bi", obj.__name__)
            if issubclass(obj, np.generic) and getattr(np, obj.__name__, None) is obj:
                return ("npt", obj.__name__)
        return self.other(obj)


class Decoder:
    """Turns wire trees back into values; ``handlers`` maps side-specific tags to builders.

    A handler receives the decoder and the tree's fields and returns the value.
    ``make_list`` / ``make_dict`` build containers that carry a reference (write-through
    copies on the trusted side); by default the reference is ignored.
    """

    def __init__(self, handlers: dict[str, Callable[..., Any]] | None = None) -> None:
        self.handlers = handlers or {}

    def make_list(self, items: list, ref: Any) -> list:
        return items

    def make_dict(self, items: list[tuple], ref: Any, ordered: bool) -> dict:
        return OrderedDict(items) if ordered else dict(items)

    def decode(self, tree: Any, depth: int = 0) -> Any:
        kind = type(tree)
        if kind in PRIMITIVES:
            return tree
        _check(kind is tuple and tree and type(tree[0]) is str, "expected a tagged tuple")
        _check(depth <= MAX_DEPTH, "nested too deeply")
        tag, down = tree[0], depth + 1
        if tag == "t":
            _check(len(tree) == 2 and type(tree[1]) is list, "bad tuple")
            return tuple(self.decode(x, down) for x in tree[1])
        if tag == "l":
            _check(len(tree) == 3 and type(tree[1]) is list, "bad list")
            return self.make_list([self.decode(x, down) for x in tree[1]], tree[2])
        if tag == "d":
            _check(len(tree) == 4 and type(tree[1]) is list and len(tree[1]) % 2 == 0,
                   "bad dict")
            flat = [self.decode(x, down) for x in tree[1]]
            try:
                return self.make_dict(list(zip(flat[::2], flat[1::2], strict=True)), tree[2],
                                      bool(tree[3]))
            except TypeError as exc:  # an unhashable key
                raise CodecError(f"invalid message: bad dict key ({exc})") from None
        if tag == "s":
            _check(len(tree) == 3 and type(tree[1]) is list, "bad set")
            items = [self.decode(x, down) for x in tree[1]]
            try:
                return frozenset(items) if tree[2] else set(items)
            except TypeError as exc:
                raise CodecError(f"invalid message: bad set item ({exc})") from None
        if tag == "a":
            _check(len(tree) == 4, "bad array")
            return decode_array(*tree[1:])
        if tag == "n":
            _check(len(tree) == 3 and isinstance(tree[2], bytes), "bad numpy scalar")
            dtype = safe_dtype(tree[1])
            _check(len(tree[2]) == dtype.itemsize, "numpy scalar of the wrong size")
            return np.frombuffer(tree[2], dtype=dtype)[0]
        if tag == "sl":
            _check(len(tree) == 4, "bad slice")
            return slice(*(self.decode(x, down) for x in tree[1:]))
        if tag == "E":
            return Ellipsis
        if tag == "path":
            _check(len(tree) == 3 and type(tree[1]) is str, "bad path")
            return pathlib.PureWindowsPath(tree[1]) if tree[2] else pathlib.Path(tree[1])
        if tag == "rg":
            _check(len(tree) == 4 and all(type(v) is int for v in tree[1:]), "bad range")
            return range(*tree[1:])
        if tag == "dt":
            _check(len(tree) == 2, "bad dtype")
            return safe_dtype(tree[1])
        if tag == "bi":
            _check(len(tree) == 2 and type(tree[1]) is str, "bad builtin")
            value = getattr(builtins, tree[1], None)
            _check(isinstance(value, type), f"{tree[1]!r} is not a builtin class")
            return value
        if tag == "npt":
            _check(len(tree) == 2 and type(tree[1]) is str, "bad numpy type")
            value = getattr(np, tree[1], None)
            _check(isinstance(value, type) and issubclass(value, np.generic),
                   f"{tree[1]!r} is not a NumPy scalar type")
            return value
        handler = self.handlers.get(tag)
        _check(handler is not None, f"unknown tag {tag!r}")
        return handler(self, *tree[1:])

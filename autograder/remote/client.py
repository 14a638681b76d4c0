"""The trusted side of the connection: one worker, its requests, and the proxies' tables.

:class:`Client` starts the worker (through a *launcher*, e.g. the sandbox), sends
requests and reads answers, serves the worker's calls back into test code while it waits,
and turns what the worker says into proxies (:mod:`proxies`), local values and local
exceptions. When the worker dies or runs past the deadline, the client kills it and
starts a fresh one on the next request: objects of the old worker become stale, except
those that know how to come back (module attributes by their path, classes a test
defined by their recipe).
"""

from __future__ import annotations

import builtins
import contextlib
import os
import signal
import subprocess
import sys
import sysconfig
import types
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import codec, proxies, wire

WORKER_SCRIPT = Path(__file__).resolve().parent / "worker.py"
#: Seconds to wait for a worker whose connection broke to exit (see Client._death).
DEATH_GRACE = 2.0

#: Builds the worker's process: ``launcher(argv, pass_fds) -> Popen``.
Launcher = Callable[[Sequence[str], Sequence[int]], subprocess.Popen]

def current() -> Client | None:
    """The client of this process (graded runs have exactly one), or None."""
    return proxies.CLIENTS[-1] if proxies.CLIENTS else None


class WorkerError(RuntimeError):
    """The worker running the student's code crashed, hung, or broke the protocol."""


class WorkerTimeout(WorkerError):
    """The student's code did not answer before the test's deadline."""


class StaleObject(WorkerError):
    """An object of a worker that has since been restarted."""


def plain_launcher(argv: Sequence[str], pass_fds: Sequence[int]) -> subprocess.Popen:
    """Start the worker as an ordinary child process (no isolation)."""
    return subprocess.Popen(list(argv), pass_fds=tuple(pass_fds), stdin=subprocess.DEVNULL,
                            start_new_session=(os.name == "posix"))


def worker_argv(framework: Path, fd: int) -> list[str]:
    """The worker's command line: isolated mode, no site processing, explicit paths."""
    paths = sysconfig.get_paths()
    sites = [p for p in dict.fromkeys([paths["purelib"], paths["platlib"]]) if p]
    return [sys.executable, "-I", "-S", str(WORKER_SCRIPT), str(fd), str(framework), *sites]


_REMOTE_DIR = os.path.dirname(os.path.abspath(__file__))


def _test_stacklevel() -> int:
    """The ``stacklevel`` (for a ``warnings.warn`` in ``_extras``) of the nearest frame
    outside this package: the test line whose request raised the warning."""
    frame, level = sys._getframe(2), 2  # 1 is _extras itself
    while frame is not None and os.path.dirname(os.path.abspath(
            frame.f_code.co_filename)) == _REMOTE_DIR:
        frame, level = frame.f_back, level + 1
    return level


class StudentTraceback(Exception):
    """The student's frames of an exception raised in the worker (its ``__cause__``)."""

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


class _Encoder(codec.Encoder):
    def __init__(self, client: Client) -> None:
        self.c = client

    def special(self, obj: Any) -> Any:
        c = self.c
        kind = type(obj)
        if issubclass(kind, (proxies.RemoteObject, proxies.RemoteArray)):
            return ("r", c.live_hid(obj))
        if kind is proxies.RemoteMethod:
            return ("bm", c.live_hid(obj.obj), obj.name)
        if kind is proxies.ClassProxy:
            return ("rk", c.live_tid(obj))
        if isinstance(obj, proxies.ModuleProxy):
            return ("M", obj.__name__)
        if isinstance(obj, (proxies.RemoteTuple, proxies._WriteThrough)):
            if obj.__dict__.get("_gen") == c.gen:
                return ("r", obj._hid)
            base = tuple if isinstance(obj, tuple) else (list if isinstance(obj, list)
                                                         else dict)
            return self.encode(base(obj))
        if isinstance(obj, type) and obj in c.exc_tids:
            return ("rk", c.exc_tids[obj])
        if isinstance(obj, BaseException):
            base = next(k.__name__ for k in type(obj).__mro__ if k.__module__ == "builtins")
            return ("te", c.hold(obj), base, str(obj)[:4000])
        if getattr(obj, "__ember_beside__", False) and isinstance(obj, types.FunctionType):
            from .shipping import function_recipe

            return ("F", *function_recipe(obj, c))
        return None

    def other(self, obj: Any) -> Any:
        if isinstance(obj, (types.GeneratorType, map, filter, zip, enumerate, reversed)):
            items = list(obj)  # a one-shot iterator arrives as what it yields
            self.c.keep.append(items)  # alive until the request is answered
            return self.encode(items)
        if isinstance(obj, types.FunctionType):
            meta = [getattr(obj, k, None) for k in ("__name__", "__qualname__", "__module__",
                                                    "__doc__")]
            return ("fn", self.c.hold(obj), *(m if isinstance(m, str) else None for m in meta))
        return ("o", self.c.hold(obj))


class _Decoder(codec.Decoder):
    def __init__(self, client: Client) -> None:
        c = self.c = client
        super().__init__({
            "r": lambda d, cid: c.held(cid),
            "o": lambda d, hid, tid, info: c.remote_object(hid, tid, info),
            "A": lambda d, hid, dtype, shape, data: c.remote_array(hid, dtype, shape, data),
            "K": lambda d, tid, info: c.class_proxy(tid, info),
            "X": lambda d, tid, info: c.exception_class(tid, info),
            "M": lambda d, name: c.module(name),
            "TT": lambda d, items, hid, tid, info: c.remote_tuple(
                [d.decode(x) for x in items], hid, tid, info),
        })

    def make_list(self, items: list, ref: Any) -> list:
        return proxies.make_container(list, items, self.c.check_ref(ref), self.c.gen)

    def make_dict(self, items: list, ref: Any, ordered: bool) -> dict:
        kind = OrderedDict if ordered else dict
        return proxies.make_container(kind, items, self.c.check_ref(ref), self.c.gen)


class Client:
    """One worker connection (see the module docstring).

    Args:
        framework: the folder holding the student's ``ember/``.
        launcher: how to start the worker process (default: a plain child process).
    """

    def __init__(self, framework: Path, launcher: Launcher | None = None) -> None:
        self.framework = Path(framework)
        self.launcher = launcher or plain_launcher
        self.proc: subprocess.Popen | None = None
        self.conn: wire.Connection | None = None
        self.gen = 0
        self.epoch = 0
        self.seq = 0
        self.deadline: float | None = None
        self.started = 0
        self.hello: dict[str, Any] = {}
        self.on_start: list[Callable[[Client], None]] = []
        self.keep: list[Any] = []
        self._reset_tables()
        self.encoder = _Encoder(self)
        self.decoder = _Decoder(self)

    def _reset_tables(self) -> None:
        self.cache: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        self.pending: list[tuple[int, int]] = []
        self.types: dict[int, tuple] = {}
        self.classes: dict[int, proxies.ClassProxy] = {}
        self.instance_types: dict[int, type[proxies.RemoteObject]] = {}
        self.exc_classes: dict[int, type] = {}
        self.exc_tids: dict[type, int] = {}
        self.subclass: dict[tuple[int, int], bool] = {}
        self.modules: dict[str, proxies.ModuleProxy] = getattr(self, "modules", {})
        self.shipped: dict[tuple[str, str], int] = {}
        self.held_objects: dict[int, list[Any]] = {}
        self.held_ids: dict[int, int] = {}
        self.next_cid = 1

    # ---- the worker process -------------------------------------------------------------
    def start(self) -> None:
        ours, theirs = wire.socketpair()
        try:
            argv = worker_argv(self.framework, theirs.fileno())
            self.proc = self.launcher(argv, [theirs.fileno()])
        finally:
            theirs.close()
        self.conn = wire.Connection(ours)
        self.gen += 1
        self.started += 1
        for module in self.modules.values():  # cached attributes belonged to the old worker
            for key in [k for k in module.__dict__ if not k.startswith("__")]:
                del module.__dict__[key]
        self.hello = self._call("hello", [])
        for hook in self.on_start:
            hook(self)

    def stop(self, reason: str = "") -> None:
        """Kill the worker (and everything it started); the next request starts a new one."""
        proc, conn = self.proc, self.conn
        self.proc = self.conn = None
        self._reset_tables()
        if conn is not None:
            conn.close()
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                if os.name == "posix":
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            with contextlib.suppress(Exception):
                proc.wait(timeout=10)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _death(self) -> str:
        """Why the worker's connection broke, in words (called on a broken connection)."""
        code = None
        if self.proc is not None:
            # The socket closes a moment before the process is reaped: wait a little, so a
            # worker that exits always reads "exited with status N", never "stopped answering".
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.proc.wait(timeout=DEATH_GRACE)
        if code is None:
            return "it stopped answering"
        if code < 0 and -code in signal.valid_signals():
            name = signal.Signals(-code).name
            return f"it was killed by signal {-code} ({name}): a crash or too much memory"
        return f"it exited with status {code}"

    # ---- requests -----------------------------------------------------------------------
    def request(self, op: str, *args: Any) -> Any:
        """Ask the worker for ``op`` on ``args`` (encoded here); start it if needed."""
        if self.conn is None:
            self.start()
        mark = len(self.keep)
        try:
            return self._call(op, [self.encoder.encode(a) for a in args])
        finally:
            del self.keep[mark:]

    def _call(self, op: str, payload: Any) -> Any:
        """Send one request and wait for its answer, serving the worker's callbacks."""
        self.seq += 1
        self.epoch += 1
        seq, conn = self.seq, self.conn
        released, self.pending = self.pending, []
        try:
            conn.send(("q", seq, op, payload, released))
            while True:
                msg = conn.recv(self.deadline)
                kind = msg[0] if isinstance(msg, tuple) and msg else None
                if kind == "rel" and len(msg) == 2:
                    self.release(msg[1])
                elif kind == "q" and len(msg) == 4:
                    self._serve(msg)
                    if self.conn is not conn:
                        raise WorkerError("the process running your code was stopped while "
                                          "it waited for a test's function")
                elif kind in ("r", "x") and len(msg) == 4 and msg[1] == seq:
                    self._extras(msg[3])
                    if kind == "r":
                        return self.decoder.decode(msg[2])
                    raise self._exception(msg[2])
                else:
                    raise wire.WireError("the worker sent a message out of order")
        except wire.PeerTimeout:
            self.stop()
            raise WorkerTimeout(
                "your code did not finish before the test's time limit and was stopped: "
                "look for an endless loop or a very slow operation") from None
        except (wire.WireError, codec.CodecError) as exc:
            why = self._death() if self.proc is not None else str(exc)
            if isinstance(exc, codec.CodecError):
                why = f"it sent something invalid ({exc})"
            self.stop()
            raise WorkerError(f"the process running your code failed: {why}") from None

    # ---- the worker's calls into test code ---------------------------------------------
    def _serve(self, msg: tuple) -> None:
        _, seq, op, args = msg[:4]
        try:
            if op == "call":
                cid, call_args, call_kwargs = args
                fn = self.held(cid)
                result = fn(*self.decoder.decode(call_args), **self.decoder.decode(call_kwargs))
            elif op == "getattr":
                cid, name = args
                if not isinstance(name, str) or name.startswith("_"):
                    raise AttributeError(f"test objects expose no attribute {name!r}")
                result = getattr(self.held(cid), name)
            else:
                raise codec.CodecError(f"the worker may not ask for {op!r}")
            reply = ("r", seq, self.encoder.encode(result))
        except (codec.CodecError, wire.WireError):
            raise
        except BaseException as exc:  # the test code's own failure travels back
            reply = ("x", seq, self.encoder.encode(exc))
        self.conn.send(reply)

    def hold(self, obj: Any) -> int:
        cid = self.held_ids.get(id(obj))
        if cid is None or self.held_objects[cid][0] is not obj:
            cid, self.next_cid = self.next_cid, self.next_cid + 1
            self.held_objects[cid] = [obj, 0]
            self.held_ids[id(obj)] = cid
        self.held_objects[cid][1] += 1
        return cid

    def held(self, cid: Any) -> Any:
        entry = self.held_objects.get(cid) if type(cid) is int else None
        if entry is None:
            raise codec.CodecError("the worker named an object the tests never gave it")
        return entry[0]

    def release(self, pairs: Any) -> None:
        if not isinstance(pairs, list):
            raise codec.CodecError("bad release list")
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise codec.CodecError("bad release entry")
            cid, count = pair
            entry = self.held_objects.get(cid)
            if entry is not None and type(count) is int:
                entry[1] -= count
                if entry[1] <= 0:
                    del self.held_objects[cid]
                    if self.held_ids.get(id(entry[0])) == cid:
                        del self.held_ids[id(entry[0])]

    # ---- answers ------------------------------------------------------------------------
    def _extras(self, extras: Any) -> None:
        if not (isinstance(extras, tuple) and len(extras) == 3):
            raise codec.CodecError("bad answer extras")
        out, err, notes = extras
        if isinstance(out, str) and out:
            sys.stdout.write(out)
        if isinstance(err, str) and err:
            sys.stderr.write(err)
        for note in notes if isinstance(notes, list) else ():
            try:
                category = self.decoder.decode(note[0])
                if not (isinstance(category, type) and issubclass(category, Warning)):
                    category = UserWarning
                filename = str(note[2])
                if os.path.dirname(os.path.abspath(filename)) == _REMOTE_DIR:
                    # stacklevel reached the worker's dispatch: the caller is the test's line
                    warnings.warn(str(note[1]), category, stacklevel=_test_stacklevel())
                else:
                    warnings.warn_explicit(str(note[1]), category, filename,
                                           int(note[3]) if type(note[3]) is int else 0)
            except (codec.CodecError, IndexError, TypeError):
                continue

    def _exception(self, tree: Any) -> BaseException:
        """A local exception for what the worker raised."""
        if isinstance(tree, tuple) and len(tree) == 2 and tree[0] == "test":
            body = tree[1]
            if isinstance(body, tuple) and len(body) == 4 and body[0] == "te":
                original = self.held_objects.get(body[1])
                if original is not None and isinstance(original[0], BaseException):
                    return original[0]
            return RuntimeError("the student's code raised an exception of the tests' own")
        if not (isinstance(tree, tuple) and len(tree) == 4 and tree[0] == "exc"):
            raise codec.CodecError("bad exception")
        _, cls_tree, message, text = tree
        cls = self.decoder.decode(cls_tree)
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            cls = RuntimeError
        message = message if isinstance(message, str) else ""
        try:
            exc = cls(message)
        except Exception:
            exc = RuntimeError(f"{cls.__name__}: {message}")
        if isinstance(text, str) and text.strip():
            # a cause, not a note: pytest.raises(match=...) reads the message and its notes
            exc.__cause__ = StudentTraceback(
                "where it happened in your code (most recent call last):\n" + text.rstrip())
        return exc

    # ---- proxies ------------------------------------------------------------------------
    def check_ref(self, ref: Any) -> int | None:
        if ref is not None and type(ref) is not int:
            raise codec.CodecError("bad container reference")
        return ref

    def remote_object(self, hid: Any, tid: Any, info: Any) -> proxies.RemoteObject:
        if type(hid) is not int:
            raise codec.CodecError("bad handle")
        self._learn_type(tid, info)
        obj = self.cache.get(hid)
        if obj is None or not isinstance(obj, proxies.RemoteObject):
            obj = self.instance_type(tid)(hid, tid, self.gen)
            self.cache[hid] = obj
        object.__setattr__(obj, "_n", obj._n + 1)
        return obj

    def remote_array(self, hid: Any, dtype: Any, shape: Any, data: Any) -> proxies.RemoteArray:
        if type(hid) is not int or not (data is None or isinstance(data, bytes)):
            raise codec.CodecError("bad array handle")
        dt, shape = codec.safe_dtype(dtype), codec.check_shape(shape)
        if data is not None and len(data) != int(np.prod(shape, dtype=np.int64)) * dt.itemsize:
            raise codec.CodecError("bad array prefetch")
        obj = self.cache.get(hid)
        if obj is None or type(obj) is not proxies.RemoteArray:
            obj = proxies.RemoteArray(hid, self.gen, dt, shape, data, self.epoch)
            self.cache[hid] = obj
        else:
            obj._refresh(data, self.epoch)
        object.__setattr__(obj, "_n", obj._n + 1)
        return obj

    def remote_tuple(self, items: list, hid: Any, tid: Any, info: Any) -> proxies.RemoteTuple:
        if type(hid) is not int:
            raise codec.CodecError("bad tuple handle")
        self._learn_type(tid, info)
        return proxies.RemoteTuple(items, hid, tid, self.gen)

    def _learn_type(self, tid: Any, info: Any) -> None:
        if type(tid) is not int:
            raise codec.CodecError("bad class id")
        if info is not None:
            ok = (isinstance(info, tuple) and len(info) == 6
                  and all(isinstance(x, str) for x in info[:3])
                  and isinstance(info[3], list) and all(isinstance(m, str) for m in info[3])
                  and isinstance(info[4], str) and type(info[5]) is bool)
            if not ok:
                raise codec.CodecError("bad class description")
            self.types[tid] = info
        elif tid not in self.types:
            raise codec.CodecError("a class the worker never described")

    def instance_type(self, tid: int) -> type[proxies.RemoteObject]:
        """The local type of the worker's instances of class ``tid``, named as that class is
        (so ``type(x).__name__`` reads as it would in-process)."""
        kind = self.instance_types.get(tid)
        if kind is None:
            name, qualname, module = self.types[tid][:3]
            kind = type(name, (proxies.RemoteObject,),
                        {"__slots__": (), "__qualname__": qualname, "__module__": module,
                         "__doc__": proxies.RemoteDoc(None)})
            self.instance_types[tid] = kind
        return kind

    def method_names(self, tid: int) -> frozenset[str]:
        cls = self.class_proxy(tid)
        return cls._methods

    def class_proxy(self, tid: int, info: Any = None, recipe: Any = None) -> proxies.ClassProxy:
        self._learn_type(tid, info)
        cls = self.classes.get(tid)
        if cls is None:
            cls = self.classes[tid] = proxies.ClassProxy(tid, self.types[tid], self.gen, recipe)
        return cls

    def exception_class(self, tid: Any, info: Any) -> type:
        self._learn_type(tid, info)
        cls = self.exc_classes.get(tid)
        if cls is None:
            name, qualname, module, _, base_name, _ = self.types[tid]
            base = getattr(builtins, base_name, Exception)
            if not (isinstance(base, type) and issubclass(base, Exception)):
                base = Exception
            if not name.isidentifier():
                name = "StudentError"
            cls = type(name, (base,), {"__module__": module, "__qualname__": qualname})
            self.exc_classes[tid], self.exc_tids[cls] = cls, tid
        return cls

    def is_subclass(self, tid: int, cls: proxies.ClassProxy) -> bool:
        key = (tid, self.live_tid(cls))
        if key not in self.subclass:
            self.subclass[key] = bool(self.request("issubclass", self.class_proxy(tid), cls))
        return self.subclass[key]

    def module(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise codec.CodecError("bad module name")
        if name in self.modules:
            return self.modules[name]
        if name == "ember" or name.startswith("ember."):
            import importlib

            return importlib.import_module(name)
        if name in sys.modules:
            return sys.modules[name]
        raise codec.CodecError(f"the worker returned a module the tests do not have: {name}")

    def register_module(self, module: proxies.ModuleProxy) -> None:
        module.__path__ = []  # type: ignore[attr-defined]
        self.modules[module.__name__] = module

    def import_module(self, name: str) -> bool:
        """Import ``name`` in the worker; True when it is a package."""
        if self.conn is None:
            self.start()
        return bool(self._call("import", name))

    def module_attr(self, module: proxies.ModuleProxy, name: str) -> Any:
        value = self.request("getattr", module, name)
        if isinstance(value, proxies.RemoteObject) and value._path is None:
            object.__setattr__(value, "_path", (module.__name__, name))
        elif type(value) is proxies.ClassProxy and value._path is None:
            value._path = (module.__name__, name)
        return value

    def live_hid(self, obj: Any) -> int:
        """``obj``'s handle in the current worker (objects with a path come back to life)."""
        if obj._gen == self.gen and self.conn is not None:
            return obj._hid
        if self.conn is None:
            self.start()
        path = getattr(obj, "_path", None)
        if path is None:
            raise StaleObject(
                "this object belonged to an earlier run of your code, which crashed or timed "
                "out in an earlier test")
        fresh = self._resolve(path)
        if type(fresh) is not type(obj):
            raise StaleObject(f"{'.'.join(path)} is no longer the same kind of object")
        for slot in ("_hid", "_tid", "_gen", "_n"):
            object.__setattr__(obj, slot, getattr(fresh, slot))
        object.__setattr__(fresh, "_n", 0)
        self.cache[obj._hid] = obj
        self.modules[path[0]].__dict__[path[1]] = obj
        return obj._hid

    def live_tid(self, cls: proxies.ClassProxy) -> int:
        """``cls``'s class id in the current worker (rebuilt or looked up again if stale)."""
        if cls._gen == self.gen and self.conn is not None:
            return cls._tid
        if self.conn is None:
            self.start()
        if cls._recipe is not None:
            from .shipping import rebuild

            fresh = rebuild(cls, self)
        elif cls._path is not None:
            fresh = self._resolve(cls._path)
        else:
            raise StaleObject("this class belonged to an earlier run of your code")
        cls._tid, cls._gen, cls._methods = fresh._tid, self.gen, fresh._methods
        self.classes[cls._tid] = cls
        return cls._tid

    def _resolve(self, path: tuple) -> Any:
        import importlib

        module = importlib.import_module(path[0])
        module.__dict__.pop(path[1], None)
        return getattr(module, path[1])

    def forget(self, obj: Any) -> None:
        """A proxy died: give its references back to the worker (with the next request)."""
        # only the proxy's own slots are read: a lookup that reached the worker here, in
        # the middle of some other request (a ``__del__`` runs wherever the GC does), would
        # break the conversation
        own = object.__getattribute__
        with contextlib.suppress(Exception):
            n, gen, hid = own(obj, "_n"), own(obj, "_gen"), own(obj, "_hid")
            if gen == self.gen and n:
                self.pending.append((hid, n))


def install(client: Client) -> Client:
    """Make ``client`` the connection every proxy of this process uses."""
    proxies.CLIENTS.append(client)
    return client


def uninstall(client: Client) -> None:
    if client in proxies.CLIENTS:
        proxies.CLIENTS.remove(client)
    client.stop()



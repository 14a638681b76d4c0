"""``ember.save`` and ``ember.load``: tensors and state dicts to files and back, safely.

**The file format** (readable without ember: ``unzip -l`` and ``numpy.load``). A file is an
uncompressed zip archive holding

* ``format`` — the text ``ember.save 1``, so that a foreign zip is recognised as one;
* ``data.pkl`` — a pickle (protocol 4) of the saved object in which every tensor is a
  *persistent id*, the tuple ``("tensor", index, storage, dtype, offset, shape, strides,
  requires_grad, kind)``: ``index`` numbers the tensor objects (the same object saved
  twice loads as one object), ``storage`` names the array its numbers live in, ``offset``
  and ``strides`` are in bytes, ``kind`` is ``"tensor"`` or ``"parameter"``;
* ``data/<storage>.npy`` — one NumPy array per storage, written by ``numpy.save``.

Tensors that are views of one array (``w`` and ``w[0]``, a parameter and its state-dict
entry) point at the same storage, so after loading they share memory again and a view
keeps its shape and strides.

**Why weights-only loading is safe.** Unpickling runs whatever functions the file names
(``os.system`` is one pickle opcode away), so a model file from the internet is code. With
``weights_only=True`` (the default) the unpickler builds only what an allow-list names:
containers, numbers, strings, None, ember dtypes and shapes. Tensors never go through
``find_class`` at all: they are persistent ids, rebuilt here from arrays that
``numpy.load(allow_pickle=False)`` reads as plain numbers. Whole pickled objects (a
module saved with ``ember.save(model, f)``) need ``weights_only=False``, for trusted files.

Example:
    >>> import io, ember
    >>> buffer = io.BytesIO()
    >>> w = ember.arange(6.0).reshape(2, 3)
    >>> ember.save({"w": w, "row": w[1]}, buffer)
    >>> _ = buffer.seek(0)
    >>> loaded = ember.load(buffer)
    >>> loaded["row"].add_(10)
    tensor([13., 14., 15.])
    >>> loaded["w"]
    tensor([[ 0.,  1.,  2.],
            [13., 14., 15.]])
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import zipfile
from typing import IO, Any

import numpy as np

from ember import _dtype
from ember._size import Size
from ember._tensor import Tensor
from ember.nn.parameter import Parameter

_FORMAT = b"ember.save 1"
_PICKLE = "data.pkl"

#: What ``weights_only=True`` lets a file build: (module, name) pairs of plain data types.
#: ember's dtypes pickle as their module attributes; ``Size`` is a tuple.
_ALLOWED: frozenset[tuple[str, str]] = frozenset(
    {("collections", "OrderedDict"), ("builtins", "set"), ("builtins", "frozenset"),
     ("builtins", "complex"), ("ember._size", "Size")}
    | {("ember._dtype", name) for name, value in vars(_dtype).items()
       if isinstance(value, _dtype.dtype)})

_WEIGHTS_ONLY_HELP = (
    "If you trust the source of this file, re-run ember.load with weights_only set to "
    "False; never do so for a file from an untrusted source: unpickling it can run "
    "arbitrary code.")


def _root(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory (a view's base's base ...)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


class _Pickler(pickle.Pickler):
    """A pickler that writes tensors as persistent ids and collects their storages."""

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file, protocol=4)
        self.storages: dict[int, tuple[str, np.ndarray]] = {}  # id(root) -> (name, root)
        self._tensor_ids: dict[int, int] = {}  # id(tensor) -> its index in the file
        self._alive: list[Tensor] = []  # keeps the ids above unique while pickling

    def persistent_id(self, obj: Any) -> Any:
        """The persistent id of a tensor (module docstring), None for anything else."""
        if not isinstance(obj, Tensor):
            return None
        array = np.asarray(obj._data)
        # Hint: find the array owning the memory (_root); when it is not one contiguous
        # block (rare), use a contiguous copy of `array` itself as its own storage. Record
        # the storage in self.storages under its id (named "0", "1", ... in order of
        # appearance), number the tensor object, and return
        # the tuple the module docstring describes (offset and strides in bytes; the
        # offset is the distance between the two arrays' first bytes).
        ### BEGIN SOLUTION 08
        root = _root(array)
        if not root.flags.c_contiguous:
            root = array = np.ascontiguousarray(array)
        name, _ = self.storages.setdefault(id(root), (str(len(self.storages)), root))
        self._alive.append(obj)
        index = self._tensor_ids.setdefault(id(obj), len(self._tensor_ids))
        offset = (array.__array_interface__["data"][0]
                  - root.__array_interface__["data"][0])
        kind = "parameter" if isinstance(obj, Parameter) else "tensor"
        return ("tensor", index, name, array.dtype.str, offset, array.shape,
                array.strides, bool(obj.requires_grad), kind)
        ### END SOLUTION


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Save ``obj`` (tensors, state dicts, nested containers; any picklable object) to ``f``.

    Args:
        obj: what to save. State dicts of modules and optimizers are the usual case.
        f: a path, or a binary file object opened for writing.

    Example:
        >>> import io, ember
        >>> ember.save(ember.nn.Linear(2, 1).state_dict(), io.BytesIO())
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            save(obj, file)
        return
    index = io.BytesIO()
    pickler = _Pickler(index)
    pickler.dump(obj)
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("format", _FORMAT)
        archive.writestr(_PICKLE, index.getvalue())
        for name, root in pickler.storages.values():
            with archive.open(f"data/{name}.npy", "w", force_zip64=True) as member:
                np.save(member, root.reshape(-1), allow_pickle=False)


def _rebuild_tensor(storage: np.ndarray, dtype: str, offset: int, shape: tuple,
                    strides: tuple, requires_grad: bool, kind: str) -> Tensor:
    """A tensor (or parameter) viewing ``storage`` with the saved layout.

    Raises:
        RuntimeError: the layout does not fit in the storage (a damaged or crafted file).
    """
    # Hint: np.ndarray(shape, dtype, buffer=storage, offset=..., strides=...) makes the
    # view without copying (it checks the bounds: turn its ValueError into RuntimeError);
    # wrap it with Tensor._make, or Parameter(...) for kind "parameter".
    ### BEGIN SOLUTION 08
    try:
        array = np.ndarray(tuple(shape), np.dtype(dtype), buffer=storage, offset=offset,
                           strides=tuple(strides))
    except (TypeError, ValueError) as error:
        raise RuntimeError(f"a tensor of the file does not fit its storage: {error}") from None
    tensor = Tensor._make(array)
    if kind == "parameter":
        return Parameter(tensor, requires_grad)
    return tensor.requires_grad_(requires_grad) if requires_grad else tensor
    ### END SOLUTION


class _Unpickler(pickle.Unpickler):
    """Rebuilds the tensors of a file from its storages (trusted files: any class)."""

    def __init__(self, file: IO[bytes], archive: zipfile.ZipFile) -> None:
        super().__init__(file)
        self._archive = archive
        self._storages: dict[str, np.ndarray] = {}
        self._tensors: dict[int, Tensor] = {}

    def persistent_load(self, pid: Any) -> Tensor:
        if not (isinstance(pid, tuple) and len(pid) == 9 and pid[0] == "tensor"):
            raise pickle.UnpicklingError(f"unknown persistent id in the file: {pid!r:.80}")
        index, name, dtype, offset, shape, strides, requires_grad, kind = pid[1:]
        if index not in self._tensors:
            if name not in self._storages:
                self._storages[name] = self._read_storage(name)
            self._tensors[index] = _rebuild_tensor(self._storages[name], dtype, offset,
                                                   shape, strides, requires_grad, kind)
        return self._tensors[index]

    def _read_storage(self, name: str) -> np.ndarray:
        try:
            with self._archive.open(f"data/{name}.npy") as member:
                # allow_pickle=False: an object array would be a pickle inside the pickle
                return np.load(member, allow_pickle=False)
        except KeyError:
            raise RuntimeError(f"the file has no storage data/{name}.npy: it is damaged "
                               "or was not written by ember.save") from None


class _WeightsUnpickler(_Unpickler):
    """``weights_only=True``: only the allow-list ``_ALLOWED`` may be built."""

    def find_class(self, module: str, name: str) -> Any:
        # Hint: return super().find_class(module, name) only for pairs in _ALLOWED;
        # anything else raises pickle.UnpicklingError naming f"{module}.{name}" and ending
        # with _WEIGHTS_ONLY_HELP. Never import the module before deciding.
        ### BEGIN SOLUTION 08
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Weights only load failed: the file asks for {module}.{name}, which is not "
            "on the allow-list of ember.load(weights_only=True) (tensors, numbers, "
            "strings, None, lists, tuples, dicts, OrderedDict, sets, ember dtypes). "
            + _WEIGHTS_ONLY_HELP)
        ### END SOLUTION


def load(f: str | os.PathLike | IO[bytes], map_location: Any = None,
         weights_only: bool = True) -> Any:
    """Load what :func:`save` wrote.

    Args:
        f: a path, or a binary file object opened for reading (seekable).
        map_location: None or a device: every tensor is moved there (``"cpu"`` only,
            unless a GPU backend is installed).
        weights_only: build only tensors and plain data (safe for untrusted files);
            False unpickles any object, which runs code the file names.

    Raises:
        RuntimeError: the file is empty, truncated, or not written by ``ember.save``.
        pickle.UnpicklingError: ``weights_only=True`` and the file names an object
            outside the allow-list.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return load(file, map_location, weights_only)
    start = f.tell() if f.seekable() else 0
    if not f.read(1):
        raise RuntimeError("ember.load: the file is empty (was ember.save interrupted?)")
    f.seek(start)
    try:
        archive = zipfile.ZipFile(f)
    except zipfile.BadZipFile:
        raise RuntimeError("ember.load: not a file written by ember.save (it is not a zip "
                           "archive, or it is truncated)") from None
    with archive:
        if _FORMAT not in _read_member(archive, "format"):
            raise RuntimeError("ember.load: a zip archive, but not one written by ember.save")
        data = _read_member(archive, _PICKLE)
        unpickler_type = _WeightsUnpickler if weights_only else _Unpickler
        unpickler = unpickler_type(io.BytesIO(data), archive)
        try:
            obj = unpickler.load()
        except (EOFError, zipfile.BadZipFile, ValueError) as error:
            raise RuntimeError(f"ember.load: the file is damaged ({error})") from None
    return obj if map_location is None else _moved(obj, map_location)


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise RuntimeError(f"ember.load: the archive has no {name!r}: not written by "
                           "ember.save") from None
    except (zipfile.BadZipFile, EOFError) as error:
        raise RuntimeError(f"ember.load: the file is damaged ({error})") from None


def _moved(obj: Any, device: Any) -> Any:
    """``obj`` with every tensor in it moved to ``device`` (containers rebuilt)."""
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _moved(v, device)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _moved(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and not isinstance(obj, Size):
        return type(obj)(_moved(v, device) for v in obj)
    return obj

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 01: Tensor.numpy
"""The ``Tensor`` class: an array of the backend, a dtype view of it, and autograd slots.

This file holds the core plumbing: construction, attributes, conversion to Python and
NumPy, and the Python protocols (``len``, iteration, ``bool``, ``repr``). The math lives in
``ember/ops`` (one small ``Function`` per op); ``ember/_tensor_methods.py`` binds those ops
as methods and operators (``t.sum()``, ``a + b``), the way PyTorch binds its C++ kernels.

A tensor stores its values in ``_data``, an array of the module chosen in ``_backend``
(NumPy for now). Views share that memory: ``t.view(...)``, ``t[0]``, ``t.T`` and
``t.numpy()`` all see writes to each other.

Example:
    >>> import ember
    >>> t = ember.tensor([[1., 2.], [3., 4.]])
    >>> t.shape, t.dtype
    (ember.Size([2, 2]), ember.float32)
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import Any

from ember._backend import ARRAY_TYPES, default_array_module
from ember._device import CPU, device
from ember._dtype import dtype, float32, from_numpy_dtype
from ember._size import Size
from ember._tensor_str import tensor_repr
from ember._tracing import TRACE_STATE, warn_python_value

_new = object.__new__
_asarray = default_array_module().asarray


class Tensor:
    """A multi-dimensional array with a dtype, a device and (from stage 02) a gradient.

    ``ember.Tensor(...)`` is PyTorch's legacy constructor: ``Tensor(2, 3)`` makes an
    uninitialised 2×3 float32 tensor, ``Tensor([1, 2])`` a float32 copy of the data and
    ``Tensor()`` an empty one. Prefer ``ember.tensor(data)``, which infers the dtype.

    Attributes:
        requires_grad: whether autograd records operations on this tensor.
        grad: the accumulated gradient, None until a backward reaches this leaf.
        grad_fn: the graph node (the ``ctx`` of the op) that made this tensor; None for
            leaves.
    """

    # Slots, not a __dict__: a 4×4 tensor must be cheap to create. The autograd slots
    # after grad_fn are filled lazily (reading an unset one raises AttributeError):
    # _output_nr (which output of grad_fn), _version_counter (shared with views), _base
    # (the tensor a view looks into), _accumulator (a leaf's AccumulateGrad node).
    __slots__ = ("_data", "_requires_grad", "grad", "grad_fn", "_output_nr",
                 "_version_counter", "_base", "_accumulator", "__weakref__")

    def __init__(self, *args: Any, device: Any = None) -> None:
        self._data = legacy_data(args, float32)
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None

    @staticmethod
    def _make(data: Any, requires_grad: bool = False) -> Tensor:
        """Wrap an array without copying or checking it: the fast path every op uses.

        NumPy returns scalars (not 0-d arrays) from some operations; those become 0-d
        arrays here so ``_data`` is always an array.
        """
        if not isinstance(data, ARRAY_TYPES):
            data = _asarray(data)
        t = _new(Tensor)
        t._data = data
        t._requires_grad = requires_grad
        t.grad = None
        t.grad_fn = None
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> Size:
        """The size of each dimension, as an ``ember.Size``."""
        return Size(self._data.shape)

    @property
    def dtype(self) -> dtype:
        """The element type, e.g. ``ember.float32``."""
        return from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> device:
        """Where the memory lives (always the CPU until stage 06)."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        """True when the tensor lives on a GPU (never, until stage 06)."""
        return False

    @property
    def ndim(self) -> int:
        """The number of dimensions (alias of ``dim()``)."""
        return self._data.ndim

    # The getter is a C-level attrgetter: ``requires_grad`` is read on every op.
    requires_grad = property(attrgetter("_requires_grad"), doc="""Whether autograd records
        operations on this tensor (only floating point tensors may require grad).""")

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        if not value and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach().")
        self._requires_grad = bool(value)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation."""
        return self.grad_fn is None

    @property
    def data(self) -> Tensor:
        """The same memory as a tensor that autograd does not track.

        Unlike ``detach()``, the result has its own version counter (as in PyTorch), so
        in-place changes through ``.data`` escape the saved-tensor check: ``w.data -= lr *
        w.grad`` is the classic manual update step.
        """
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def _version(self) -> int:
        """How many in-place operations changed this tensor's memory (shared with views)."""
        # Deferred: the ember.autograd package imports Tensor from this module.
        from ember.autograd.graph import version_counter

        return version_counter(self)[0]

    @property
    def output_nr(self) -> int:
        """Which output of ``grad_fn`` this tensor is (0 for leaves)."""
        return self._output_nr if self.grad_fn is not None else 0

    @property
    def retains_grad(self) -> bool:
        """True when ``retain_grad()`` was called on this non-leaf tensor."""
        if self.grad_fn is None or not self.grad_fn._tensor_hooks:
            return False
        hooks = self.grad_fn._tensor_hooks.get(self._output_nr, ())
        return any(getattr(hook, "_retains_grad", False) for hook in hooks)

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape (an ``ember.Size``), or the size of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_dim_of(self, dim)]

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    def stride(self, dim: int | None = None) -> Any:
        """Steps in *elements* (not bytes) between neighbours along each dimension."""
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_dim_of(self, dim)]

    def is_contiguous(self) -> bool:
        """True when the elements lie in memory in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors."""
        return self._data.dtype.kind == "f"

    def data_ptr(self) -> int:
        """The address of the first element (equal for views that start at the same place)."""
        return self._data.__array_interface__["data"][0]

    @property
    def volatile(self) -> bool:
        """Always False: the pre-0.4 flag, replaced by ``ember.no_grad()`` (warns, as torch)."""
        warnings.warn("volatile was removed (Variable.volatile is always False)",
                      UserWarning, stacklevel=2)
        return False

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return ``self``."""
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> Tensor:
        """A tensor sharing this memory (and its version counter) that autograd ignores."""
        # Deferred: the ember.autograd package imports Tensor from this module.
        from ember.autograd.graph import version_counter

        out = Tensor._make(self._data)
        out._version_counter = version_counter(self)
        return out

    def detach_(self) -> Tensor:
        """Make this tensor a leaf that does not require grad, in place."""
        if getattr(self, "_base", None) is not None and self.grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ----------------------------------------------------------------- autograd
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        Args:
            gradient: d(loss)/d(self), of self's shape; may be omitted for one element.
            retain_graph: keep the saved arrays for a second backward through this graph.
            create_graph: record the backward pass too, so that ``.grad`` can itself be
                differentiated (gradients of gradients); ``retain_graph`` then defaults
                to True.
            inputs: accumulate only into these leaves.

        Example:
            >>> import ember
            >>> x = ember.tensor(2., requires_grad=True)
            >>> (x ** 3).backward()
            >>> x.grad
            tensor(12.)
        """
        # Deferred: the ember.autograd package imports Tensor from this module.
        from ember.autograd.api import backward

        backward((self,), None if gradient is None else (gradient,), retain_graph,
                 create_graph, inputs)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a
        replacement gradient.

        Returns:
            A handle whose ``remove()`` unregisters the hook.
        """
        # Deferred: the ember.autograd package imports Tensor from this module.
        from ember.autograd.graph import RemovableHandle, accumulator

        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        node = self.grad_fn
        hooks = accumulator(self)._hook_list(0) if node is None else node._hook_list(
            self._output_nr)
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return  # leaves keep their gradient anyway
        ref = weakref.ref(self)

        def retain(grad: Tensor) -> None:
            tensor = ref()
            if tensor is not None:
                old = tensor.grad
                tensor.grad = Tensor._make(grad._data.copy() if old is None
                                           else old._data + grad._data)

        retain._retains_grad = True  # type: ignore[attr-defined]
        self.grad_fn._hook_list(self._output_nr).append(retain)

    # ----------------------------------------------------------------- interop
    def numpy(self, *, force: bool = False) -> Any:
        """The NumPy array behind this tensor, sharing its memory (no copy).

        Example:
            >>> import ember
            >>> t = ember.zeros(2)
            >>> t.numpy()[0] = 5.0
            >>> t
            tensor([5., 0.])
        """
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        # ---- your code (stage 01): Tensor.numpy ----
        raise NotImplementedError("Stage 01: implement Tensor.numpy")
        # ---- end of your code (stage 01) ----

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        # Lets np.asarray(t) and other NumPy functions read the tensor without a copy.
        if dtype is None or dtype == self._data.dtype:
            return self._data.copy() if copy else self._data
        return self._data.astype(dtype)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if TRACE_STATE["active"]:
            warn_python_value("number")
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of Python numbers."""
        if TRACE_STATE["active"]:
            warn_python_value("list")
        return self._data.tolist()

    def _scalar(self) -> Any:
        """The one element as a Python number, for ``float(t)``, ``int(t)`` and friends."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __float__(self) -> float:
        if TRACE_STATE["active"]:
            warn_python_value("float")
        return float(self._scalar())

    def __int__(self) -> int:
        if TRACE_STATE["active"]:
            warn_python_value("integer")
        return int(self._scalar())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to "
                            "an index")
        return int(self._scalar())

    def __bool__(self) -> bool:
        if TRACE_STATE["active"]:
            warn_python_value("boolean")
        if self._data.size == 1:
            return bool(self._data.item())
        which = "no values" if self._data.size == 0 else "more than one value"
        raise RuntimeError(f"Boolean value of Tensor with {which} is ambiguous")

    def __complex__(self) -> complex:
        return complex(self._scalar())

    # ----------------------------------------------------------------- protocols
    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        # Each item is a view of one row, like t[i].
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (self._data.copy(), self.requires_grad))


# NumPy checks this attribute to let ``ndarray + tensor`` call ``Tensor.__radd__``.
Tensor.__array_priority__ = 1000  # type: ignore[assignment]


def _rebuild(data: Any, requires_grad: bool) -> Tensor:
    """Unpickle a tensor (``pickle`` and ``copy.deepcopy``)."""
    return Tensor._make(data, requires_grad)


def _dim_of(tensor: Tensor, dim: int) -> int:
    """``dim`` checked for ``size(dim)``/``stride(dim)``, which a 0-dim tensor has none of."""
    if tensor._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return normalize_dim(dim, tensor._data.ndim)


def normalize_dim(dim: int, ndim: int) -> int:
    """``dim`` as a non-negative index into ``ndim`` dimensions, with PyTorch's error.

    Example:
        >>> normalize_dim(-1, 3)
        2
    """
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not low <= dim <= high:
        raise IndexError("Dimension out of range (expected to be in range of "
                         f"[{low}, {high}], but got {dim})")
    return dim % ndim if ndim else 0


def legacy_data(args: tuple, dt: dtype) -> Any:
    """The array for PyTorch's legacy constructors ``Tensor(...)``, ``FloatTensor(...)``.

    ``()`` → empty; sizes (ints or one ``Size``) → uninitialised; one sequence or array →
    a copy of the data converted to ``dt``; one tensor → its data converted to ``dt``.
    """
    xp = default_array_module()
    if not args:
        return xp.empty((0,), dtype=dt.numpy)
    first = args[0]
    if all(type(a) is int for a in args) or (len(args) == 1 and isinstance(first, Size)):
        shape = tuple(first) if isinstance(first, Size) else args
        return xp.zeros(shape, dtype=dt.numpy)
    if len(args) != 1:
        raise TypeError(f"new(): invalid combination of arguments {args!r}")
    if isinstance(first, Tensor):
        return first._data.astype(dt.numpy, copy=False)
    if isinstance(first, (int, float, bool)):
        raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
    return xp.array(first, dtype=dt.numpy)

"""Shared helpers for the oracle tests: ember (the reference) against PyTorch.

The pattern of every test: build the same inputs for both frameworks from one NumPy
array, run the same call on both, and then

* if torch raises, ember must raise the same kind of exception (``check``);
* otherwise ember's result must have torch's type, dtype, shape and values.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

#: One profile for every oracle test: reproducible and quick.
SETTINGS = settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)

#: The dtypes every op is tried with (float16 is only printed and converted).
DTYPES = ("float32", "float64", "int64", "int32", "uint8", "bool")
ALL_DTYPES = DTYPES + ("float16",)
FLOATS = ("float16", "float32", "float64")
INTS = ("int64", "int32", "uint8")

NUMPY = {
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "uint8": np.uint8,
    "bool": np.bool_,
}

#: Tolerances by result dtype (rtol, atol).
TOLERANCE = {
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-5),
    "float64": (1e-10, 1e-12),
}


def tdtype(name: str) -> torch.dtype:
    """The torch dtype called ``name``."""
    return getattr(torch, name)


def edtype(name: str):
    """The ember dtype called ``name``."""
    return getattr(ember, name)


def dtype_name(dtype) -> str:
    """``torch.float32`` / ``ember.float32`` → ``"float32"``."""
    return str(dtype).rsplit(".", 1)[-1]


# --------------------------------------------------------------------- strategies
def elements(dtype: str, low: float = -10, high: float = 10) -> st.SearchStrategy:
    """Values of one dtype in a small range (no overflow surprises in products)."""
    if dtype == "bool":
        return st.booleans()
    if dtype in INTS:
        lo = 0 if dtype == "uint8" else int(low)
        return st.integers(lo, int(high))
    width = {"float16": 16, "float32": 32, "float64": 64}[dtype]
    return st.floats(low, high, width=width, allow_subnormal=False)


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 0, max_side: int = 4):
    """Array shapes, with size-0 and size-1 dimensions."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def arrays(dtype: str, shape, **kw) -> st.SearchStrategy:
    """NumPy arrays of ``dtype`` and ``shape`` (a tuple or a strategy)."""
    return hnp.arrays(NUMPY[dtype], shape, elements=elements(dtype, **kw))


def dtypes(names=DTYPES) -> st.SearchStrategy:
    return st.sampled_from(names)


def broadcast_pairs(min_side: int = 0):
    """Two mutually broadcastable shapes (each may be 0-dim)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=4, min_side=min_side, max_side=4
    ).map(lambda r: r.input_shapes)


# --------------------------------------------------------------------- tensors
def both(array: np.ndarray, requires_grad: bool = False):
    """The same data as a torch tensor and as an ember tensor (independent copies)."""
    array = np.asarray(array)
    return torch.tensor(array.copy()), ember.tensor(array.copy())


def to_numpy(tensor) -> np.ndarray:
    """Values of a torch or an ember tensor as a NumPy array (a copy)."""
    if isinstance(tensor, torch.Tensor):
        return tensor.detach().cpu().numpy().copy()
    if getattr(tensor, "requires_grad", False):  # numpy() refuses tensors requiring grad
        tensor = tensor.detach()
    return np.array(tensor.numpy(), copy=True)


def assert_same(got, expected, rtol: float | None = None, atol: float | None = None, where=""):
    """Assert ember's ``got`` is what torch gave (``expected``).

    Tensors: same type, dtype, shape and values (floats within the dtype's tolerance,
    NaN matching NaN, infinities matching exactly). Tuples/lists: element-wise.
    Python scalars: same type and value. ``torch.Size`` ↔ ``ember.Size``.
    """
    if isinstance(expected, torch.Tensor):
        assert isinstance(got, ember.Tensor), f"{where}expected an ember.Tensor, got {type(got)}"
        want = dtype_name(expected.dtype)
        assert dtype_name(got.dtype) == want, (
            f"{where}dtype {got.dtype} != torch's {expected.dtype}"
        )
        assert tuple(got.shape) == tuple(expected.shape), (
            f"{where}shape {tuple(got.shape)} != torch's {tuple(expected.shape)}"
        )
        g, e = to_numpy(got), to_numpy(expected)
        assert g.dtype == e.dtype, f"{where}.numpy() dtype {g.dtype} != torch's {e.dtype}"
        if want in FLOATS:
            r, a = TOLERANCE[want]
            np.testing.assert_allclose(
                g.astype(np.float64),
                e.astype(np.float64),
                rtol=r if rtol is None else rtol,
                atol=a if atol is None else atol,
                equal_nan=True,
                err_msg=where,
            )
        else:
            np.testing.assert_array_equal(g, e, err_msg=where)
    elif isinstance(expected, torch.Size):
        assert isinstance(got, ember.Size), f"{where}expected ember.Size, got {type(got)}"
        assert tuple(got) == tuple(expected), f"{where}{got} != {expected}"
    elif isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"{where}expected a sequence, got {type(got)}"
        assert len(got) == len(expected), f"{where}length {len(got)} != torch's {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert_same(g, e, rtol, atol, where=f"{where}[{i}] ")
    elif isinstance(expected, torch.dtype):
        assert dtype_name(got) == dtype_name(expected), f"{where}{got} != {expected}"
    elif isinstance(expected, (bool, int, float)):
        assert type(got) is type(expected), f"{where}type {type(got)} != torch's {type(expected)}"
        if isinstance(expected, float) and np.isnan(expected):
            assert np.isnan(got), f"{where}{got} != nan"
        elif isinstance(expected, float):
            assert got == pytest.approx(expected, rel=1e-6, abs=1e-6), f"{where}{got} != {expected}"
        else:
            assert got == expected, f"{where}{got!r} != {expected!r}"
    else:
        assert got == expected, f"{where}{got!r} != {expected!r}"


def exception_kind(exc_type: type) -> type:
    """The builtin exception class ember must raise where torch raised ``exc_type``.

    torch raises ``NotImplementedError`` for "op not implemented for dtype"; a
    ``RuntimeError`` (its base class) is just as good from ember. torch's own
    exception classes are reduced to their first builtin base.
    """
    if issubclass(exc_type, NotImplementedError):
        return RuntimeError
    for base in exc_type.__mro__:
        if base.__module__ == "builtins":
            return base
    return Exception


#: torch messages that name its C++ kernels rather than the user's mistake
#: (``"normal_kernel_cpu" not implemented for 'Long'``, ``ZeroDivisionError``, ``derivative
#: for aten::floor_divide is not implemented``). ember says what is wrong in its own words
#: there, so only the exception class must agree, and ember's text must not be such noise.
KERNEL_NOISE = re.compile(r"^(\"\w+\" not implemented for '\w+'|ZeroDivisionError"
                          r"|derivative for aten::\w+ is not implemented)$")


def message(exc: BaseException) -> str:
    """torch's message in ember's words."""
    return str(exc).replace("torch.", "ember.")


def assert_same_message(mine: BaseException, theirs: BaseException) -> None:
    """ember's message is torch's (``torch.`` → ``ember.``), or its own advice where
    torch's names a kernel (:data:`KERNEL_NOISE`)."""
    if KERNEL_NOISE.match(str(theirs)):
        assert str(mine) and not KERNEL_NOISE.match(str(mine)) and "_cpu" not in str(mine), (
            f"ember's message {str(mine)!r} is kernel noise")
    else:
        assert str(mine) == message(theirs), f"message {str(mine)!r} != {message(theirs)!r}"


def quiet(fn):
    """Call ``fn`` with warnings silenced (torch and NumPy both warn on edge cases)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return fn()


def check(torch_fn, ember_fn, match: bool = False, **tolerance):
    """Run both; ember must raise what torch raises, else return what torch returns.

    Args:
        torch_fn, ember_fn: zero-argument callables doing the same thing.
        match: also require torch's error message (with ``torch.`` → ``ember.``).
        tolerance: ``rtol``/``atol`` passed to :func:`assert_same`.

    Returns:
        ``(ember_result, torch_result)``, or ``None`` when torch raised.
    """
    try:
        expected = quiet(torch_fn)
    except Exception as exc:  # torch is the oracle: whatever it raises, ember raises
        kind = exception_kind(type(exc))
        try:
            got = quiet(ember_fn)
        except Exception as mine:
            assert isinstance(mine, kind), (
                f"torch raised {type(exc).__name__}({exc}), ember raised "
                f"{type(mine).__name__}({mine})"
            )
            # torch's TypeErrors come from its argument parser: their text is not ember's
            if match and kind is not TypeError:
                assert_same_message(mine, exc)
        else:
            pytest.fail(
                f"torch raised {type(exc).__name__}({exc}); ember returned {got!r}",
                pytrace=False,
            )
        return None
    got = quiet(ember_fn)
    assert_same(got, expected, **tolerance)
    return got, expected


# --------------------------------------------------------------------- gradients
#: Tolerances for gradients by dtype (rtol, atol): a backward pass chains several
#: float operations, summed in a different order than torch's kernels.
GRAD_TOLERANCE = {
    "float32": (1e-4, 1e-4),
    "float64": (1e-9, 1e-10),
}

#: Gradient tests try fewer examples per op (each runs forward and backward twice).
GRAD_SETTINGS = settings(SETTINGS, max_examples=10)


def grad_elements(dtype: str, low: float = -4, high: float = 4, ties: bool = False):
    """Float values for gradient tests; ``ties`` draws small integers (equal values, zeros)."""
    if ties:
        return st.integers(int(low), int(high)).map(float)
    width = {"float32": 32, "float64": 64}[dtype]
    if width == 32:  # bounds exactly representable in float32 (0.1 is not)
        low, high = float(np.float32(low)), float(np.float32(high))
    return st.floats(low, high, width=width, allow_subnormal=False)


def grad_arrays(dtype: str, shape, **kw) -> st.SearchStrategy:
    """Float arrays of ``dtype`` and ``shape`` for gradient tests (see :func:`grad_elements`)."""
    return hnp.arrays(NUMPY[dtype], shape, elements=grad_elements(dtype, **kw))


def leaves(arrays, dtype: str | None = None):
    """Leaf tensors requiring grad, ``(torch_list, ember_list)``, from NumPy arrays."""
    ts, es = [], []
    for a in arrays:
        a = np.asarray(a) if dtype is None else np.asarray(a, dtype=NUMPY[dtype])
        ts.append(torch.tensor(a.copy(), requires_grad=True))
        es.append(ember.tensor(a.copy(), requires_grad=True))
    return ts, es


def _outputs(result) -> list:
    """The differentiable tensors among an op's results (a tensor, tuple or list)."""
    if isinstance(result, (tuple, list)):
        items = list(result)
    else:
        items = [result]
    return items


def upstream(shape, dtype: str, seed: int) -> np.ndarray:
    """A random upstream gradient (never all ones) of ``shape``."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(tuple(shape)).astype(NUMPY[dtype])


def assert_grads(got, expected, dtype: str, where: str = "") -> None:
    """``.grad`` of ember leaves against torch's (None matching None)."""
    rtol, atol = GRAD_TOLERANCE[dtype]
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        if e is None:
            assert g is None, f"{where}grad of input {i}: torch's is None, ember's is {g!r}"
            continue
        assert g is not None, f"{where}grad of input {i} is None, torch's is {e!r}"
        assert_same(g, e, rtol=rtol, atol=atol, where=f"{where}grad of input {i}: ")


def grad_check(fn, arrays, dtype: str, seed: int = 0, pick=None, where: str = ""):
    """Forward and backward of ``fn(module, *leaves)`` in torch and ember, compared.

    Args:
        fn: ``fn(m, *tensors)`` with ``m`` the torch or ember module; returns a tensor or
            a tuple/list of tensors.
        arrays: the NumPy inputs; each becomes a leaf that requires grad.
        dtype: the float dtype of the leaves.
        seed: seeds the random upstream gradients (one per output).
        pick: indices of the outputs that receive a gradient (default: every floating
            output).

    Ember must raise the same kind of exception where torch raises (forward or backward).
    Returns ``(ember_leaves, torch_leaves)`` for further checks.
    """
    ts, es = leaves(arrays, dtype)
    try:
        t_out = quiet(lambda: _outputs(fn(torch, *ts)))
    except Exception as exc:
        kind = exception_kind(type(exc))
        with pytest.raises(kind):
            quiet(lambda: fn(ember, *es))
        return None
    e_out = quiet(lambda: _outputs(fn(ember, *es)))
    assert len(e_out) == len(t_out), f"{where}{len(e_out)} outputs, torch has {len(t_out)}"
    chosen = pick if pick is not None else [
        i for i, t in enumerate(t_out) if t.dtype.is_floating_point and t.requires_grad
    ]
    for i, (e, t) in enumerate(zip(e_out, t_out, strict=True)):
        assert_same(e, t, where=f"{where}output {i}: ")
        assert bool(e.requires_grad) == bool(t.requires_grad), (
            f"{where}output {i}: requires_grad {e.requires_grad} != torch's {t.requires_grad}"
        )
    if not chosen:
        return es, ts
    grads = [upstream(t_out[i].shape, dtype_name(t_out[i].dtype), seed + i) for i in chosen]
    t_targets = [t_out[i] for i in chosen]
    e_targets = [e_out[i] for i in chosen]
    t_grads = [torch.tensor(g) for g in grads]
    e_grads = [ember.tensor(g) for g in grads]
    try:
        quiet(lambda: torch.autograd.backward(t_targets, t_grads))
    except Exception as exc:
        kind = exception_kind(type(exc))
        try:
            quiet(lambda: ember.autograd.backward(e_targets, e_grads))
        except Exception as mine:
            assert isinstance(mine, kind), (
                f"{where}torch's backward raised {type(exc).__name__}({exc}), ember's "
                f"raised {type(mine).__name__}({mine})"
            )
            return None
        pytest.fail(f"{where}torch's backward raised {type(exc).__name__}({exc}); "
                    "ember's did not", pytrace=False)
    if len(chosen) == 1:
        # The common form, ``out.backward(gradient)``, for single outputs.
        quiet(lambda: e_targets[0].backward(e_grads[0]))
    else:
        quiet(lambda: ember.autograd.backward(e_targets, e_grads))
    assert_grads([e.grad for e in es], [t.grad for t in ts], dtype, where)
    return es, ts

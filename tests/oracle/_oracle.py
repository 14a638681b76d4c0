"""Shared helpers for the oracle tests: ember (the reference) against PyTorch.

The pattern of every test: build the same inputs for both frameworks from one NumPy
array, run the same call on both, and then

* if torch raises, ember must raise the same kind of exception (``check``);
* otherwise ember's result must have torch's type, dtype, shape and values.
"""

from __future__ import annotations

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


def message(exc: BaseException) -> str:
    """torch's message in ember's words."""
    return str(exc).replace("torch.", "ember.")


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
                assert str(mine) == message(exc), f"message {str(mine)!r} != {message(exc)!r}"
        else:
            pytest.fail(
                f"torch raised {type(exc).__name__}({exc}); ember returned {got!r}",
                pytrace=False,
            )
        return None
    got = quiet(ember_fn)
    assert_same(got, expected, **tolerance)
    return got, expected

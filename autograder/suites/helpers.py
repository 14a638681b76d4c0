"""Shared assertions for the graded suites.

Graded runs use ``--noconftest``, so suites cannot share pytest fixtures; they import
these helpers instead. Every helper fails with a message that tells the student what
is wrong with *their* tensor, not just that two arrays differ.

Values are read back through ``Tensor.numpy()``: that is the one conversion every
stage-01 test relies on, so it is checked first and with its own message.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import ember

#: NumPy dtype that stores each ember dtype (by the name after ``ember.``).
NUMPY_DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "float16": np.float16,
    "int64": np.int64,
    "int32": np.int32,
    "uint8": np.uint8,
    "bool": np.bool_,
}


def dtype_name(dtype: Any) -> str:
    """``ember.float32`` → ``"float32"`` (works on anything whose repr ends in the name)."""
    return repr(dtype).rsplit(".", 1)[-1]


def numpy_dtype(dtype: Any) -> np.dtype:
    """The NumPy dtype that must store the data of an ember tensor of ``dtype``."""
    return np.dtype(NUMPY_DTYPES[dtype_name(dtype)])


def to_numpy(t: Any, what: str = "result") -> np.ndarray:
    """Read a tensor's values as an ndarray, failing clearly if ``numpy()`` is broken."""
    assert isinstance(t, ember.Tensor), (
        f"{what}: expected an ember.Tensor, got {type(t).__name__} ({t!r})"
    )
    arr = t.numpy()
    assert isinstance(arr, np.ndarray), (
        f"{what}: Tensor.numpy() must return a numpy.ndarray, got {type(arr).__name__}"
    )
    return arr


def assert_tensor(
    t: Any,
    expected: Any,
    dtype: Any = None,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-6,
    what: str = "result",
) -> None:
    """Check that ``t`` is an ember.Tensor equal to ``expected``.

    Checks, in order: the type, ``t.shape`` is an ``ember.Size`` equal to
    ``expected.shape``, ``t.dtype`` (when ``dtype`` is given) and the NumPy dtype of the
    stored data, then the values (``allclose`` for floats, exact otherwise; NaNs equal).

    Args:
        t: the tensor under test.
        expected: an ndarray (or anything ``np.asarray`` takes) with the expected values;
            its shape is the expected shape.
        dtype: the expected ember dtype, or None to skip the dtype checks.
        rtol, atol: tolerances for floating-point values.
        what: how to call ``t`` in failure messages.
    """
    expected = np.asarray(expected)
    assert isinstance(t, ember.Tensor), (
        f"{what}: expected an ember.Tensor, got {type(t).__name__} ({t!r})"
    )
    shape = t.shape
    assert isinstance(shape, ember.Size), (
        f"{what}: .shape must be an ember.Size, got {type(shape).__name__}"
    )
    assert tuple(shape) == expected.shape, (
        f"{what}: shape is {tuple(shape)}, expected {expected.shape}"
    )
    if dtype is not None:
        assert t.dtype == dtype, f"{what}: dtype is {t.dtype!r}, expected {dtype!r}"
    arr = to_numpy(t, what)
    assert arr.shape == expected.shape, (
        f"{what}: numpy() has shape {arr.shape}, but the tensor says {tuple(shape)}"
    )
    if dtype is not None:
        want = numpy_dtype(dtype)
        assert arr.dtype == want, (
            f"{what}: dtype says {dtype!r} but the data is stored as numpy {arr.dtype} "
            f"(expected numpy {want}); did a float64 or int64 intermediate leak through?"
        )
    if arr.dtype.kind == "f" or expected.dtype.kind == "f":
        np.testing.assert_allclose(
            arr.astype(np.float64),
            expected.astype(np.float64),
            rtol=rtol,
            atol=atol,
            equal_nan=True,
            err_msg=f"{what}: wrong values",
        )
    else:
        np.testing.assert_array_equal(arr, expected, err_msg=f"{what}: wrong values")


def assert_scalar_tensor(t: Any, value: Any, dtype: Any = None, **kw: Any) -> None:
    """Check a zero-dimensional tensor (shape ``ember.Size([])``) holding ``value``."""
    assert_tensor(t, np.asarray(value), dtype, **kw)


def assert_shape(t: Any, shape: tuple[int, ...], what: str = "result") -> None:
    """Check only the shape (as an ``ember.Size``) of a tensor."""
    assert isinstance(t, ember.Tensor), (
        f"{what}: expected an ember.Tensor, got {type(t).__name__}"
    )
    assert isinstance(t.shape, ember.Size), (
        f"{what}: .shape must be an ember.Size, got {type(t.shape).__name__}"
    )
    assert tuple(t.shape) == tuple(shape), (
        f"{what}: shape is {tuple(t.shape)}, expected {tuple(shape)}"
    )


def _as_array(x: Any) -> np.ndarray:
    return to_numpy(x) if isinstance(x, ember.Tensor) else x


def shares_memory(a: Any, b: Any) -> bool:
    """True when two tensors/ndarrays share memory (via ``Tensor.numpy()``)."""
    return bool(np.shares_memory(_as_array(a), _as_array(b)))


def assert_shares_memory(a: Any, b: Any, what: str = "result") -> None:
    """Fail with a teaching message when ``a`` is a copy of ``b`` instead of a view."""
    assert shares_memory(a, b), (
        f"{what} must share memory with its input; you returned a copy"
    )


def assert_no_shared_memory(a: Any, b: Any, what: str = "result") -> None:
    """Fail when ``a`` aliases ``b`` although it must be an independent copy."""
    assert not shares_memory(a, b), (
        f"{what} must be a copy, but it shares memory with its input "
        "(writing to one would change the other)"
    )


def np_float32(x: Any) -> np.ndarray:
    """``np.asarray(x, dtype=float32)``: the usual expected-value constructor."""
    return np.asarray(x, dtype=np.float32)

"""Shared assertions for the graded suites.

Graded runs use ``--noconftest``, so suites cannot share pytest fixtures; they import
these helpers instead. Every helper fails with a message that tells the student what
is wrong with *their* tensor, not just that two arrays differ.

Values are read back through ``Tensor.numpy()``: that is the one conversion every
stage-01 test relies on, so it is checked first and with its own message.
"""

from __future__ import annotations

import re
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


def shared_array(values: Any, dtype: Any = None) -> np.ndarray:
    """An ndarray that lives beside ember, so a tensor can share (and write) its memory.

    In a graded run the test and the student's ember live in two processes, and an array
    the test builds with ``np.array`` is copied when it is handed to ember. A test of
    ``from_numpy``'s aliasing builds its array with this function instead: the array is
    made where ember lives, and reading, writing and ``np.shares_memory`` work on it as on
    any ndarray. Without a worker (ember imported in-process) it is ``np.array``.
    """
    arr = np.array(values, dtype=dtype)
    from autograder.remote import client as remote

    worker = remote.current()
    return arr if worker is None else worker.request("numpy", "array", (arr,), {})


def beside_ember(func: Any) -> Any:
    """Mark a module-level function that must run beside ember (in its process).

    Graded runs ship such a function to the student's worker process, where ember calls
    it (a ``collate_fn``, a ``worker_init_fn``); it may use only modules, constants and
    other such functions or classes of its test file. In-process it is the function.
    """
    func.__ember_beside__ = True
    return func


def run_beside_ember(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a :func:`beside_ember` function where ember lives and return its result.

    For a check about identity or in-place change of a plain Python object handed to ember
    (``state_dict(destination=d)`` returns ``d`` itself): across the process boundary such
    an object would be copied, so the whole check runs beside ember and returns its facts.
    """
    if not getattr(func, "__ember_beside__", False):
        raise TypeError(f"{func.__name__} is not marked @beside_ember")
    from autograder.remote import client as remote

    worker = remote.current()
    if worker is None:
        return func(*args, **kwargs)
    return worker.request("call", func, args, kwargs)


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


def exactly(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern that accepts ``message`` and nothing else.

    For errors whose whole text is known (PyTorch's): a substring pattern would also
    accept a message with the wrong numbers or an extra clause after it.
    """
    return "^" + re.escape(message) + "$"


def np_float32(x: Any) -> np.ndarray:
    """``np.asarray(x, dtype=float32)``: the usual expected-value constructor."""
    return np.asarray(x, dtype=np.float32)


# --------------------------------------------------------------------------------------
# Gradient checking (stage 02 onwards)
# --------------------------------------------------------------------------------------

def _as_float64_inputs(inputs: Any, rng: np.random.Generator) -> list[np.ndarray]:
    """Shapes (tuples) become random normal float64 arrays; arrays are copied as float64."""
    arrays = []
    for item in inputs:
        if isinstance(item, tuple):
            arrays.append(rng.standard_normal(item))
        else:
            arrays.append(np.array(item, dtype=np.float64))
    return arrays


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def numerical_grad(f: Any, inputs: list[np.ndarray], eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of a scalar function of float64 arrays.

    Args:
        f: maps a list of float64 ndarrays (same shapes as ``inputs``) to a Python float.
        inputs: the point at which to differentiate (not modified).
        eps: the step; ``(f(x + eps) - f(x - eps)) / (2 eps)`` per element.

    Returns:
        One float64 array per input, with the input's shape.
    """
    point = [np.array(x, dtype=np.float64) for x in inputs]
    grads = []
    for x in point:
        g = np.zeros_like(x)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = float(f(point))
            flat[i] = old - eps
            down = float(f(point))
            flat[i] = old
            gflat[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def check_grad(
    fn: Any,
    *inputs: Any,
    seed: int = 0,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    what: str = "",
    upstream: Any = None,
) -> list[np.ndarray]:
    """Check every input's ``.grad`` after ``backward`` against float64 central differences.

    The inputs become float64 leaf tensors with ``requires_grad=True``; ``fn`` maps them to
    a tensor (or a tuple of tensors). A *random* upstream gradient ``g`` (never all ones,
    which would hide a missing multiplication by the incoming gradient) is sent back with
    ``out.backward(g)``; each ``x.grad`` must equal the numerical derivative of
    ``sum(fn(x) * g)``, computed with ember's own forward pass under ``no_grad``.

    Args:
        fn: the function of tensors under test.
        *inputs: a shape tuple (random normal values) or an array (exact values) per input.
        seed: seeds the random inputs and the upstream gradient.
        eps, rtol, atol: step and tolerances of the comparison.
        what: how to call ``fn`` in failure messages.
        upstream: an explicit upstream gradient (an array, or one per output).

    Returns:
        The gradients computed by ember, as float64 arrays (for further checks).
    """
    rng = np.random.default_rng(seed)
    arrays = _as_float64_inputs(inputs, rng)
    leaves = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    outs = _outputs(fn(*leaves))
    label = what or getattr(fn, "__name__", "fn")
    for o in outs:
        assert isinstance(o, ember.Tensor), f"{label}: expected tensor outputs, got {o!r}"
        assert o.requires_grad, (
            f"{label}: the output does not require grad although its inputs do; "
            "Function.apply must record the graph (grad_fn) when an input requires grad"
        )
    if upstream is None:
        ups = [rng.standard_normal(tuple(o.shape)) for o in outs]
    else:
        ups = [np.asarray(u, dtype=np.float64) for u in _outputs(upstream)]
    if len(outs) == 1:
        outs[0].backward(ember.tensor(ups[0], dtype=ember.float64))
    else:
        ember.autograd.backward(outs, [ember.tensor(u, dtype=ember.float64) for u in ups])

    def scalar(point: list[np.ndarray]) -> float:
        with ember.no_grad():
            res = _outputs(fn(*[ember.tensor(p, dtype=ember.float64) for p in point]))
        pairs = zip(res, ups, strict=True)
        return sum(float((r.numpy().astype(np.float64) * u).sum()) for r, u in pairs)

    expected = numerical_grad(scalar, arrays, eps)
    got = []
    for k, (leaf, want) in enumerate(zip(leaves, expected, strict=True)):
        name = f"{label}: gradient of input {k} (shape {tuple(arrays[k].shape)})"
        assert leaf.grad is not None, (
            f"{name} is None after backward; the engine never reached this leaf"
        )
        assert tuple(leaf.grad.shape) == want.shape, (
            f"{name} has shape {tuple(leaf.grad.shape)}; a gradient always has its input's "
            "shape (reduce broadcast dimensions by summing)"
        )
        assert leaf.grad.dtype == ember.float64, (
            f"{name} has dtype {leaf.grad.dtype!r}; expected the input's dtype ember.float64"
        )
        arr = leaf.grad.numpy().astype(np.float64)
        np.testing.assert_allclose(
            arr, want, rtol=rtol, atol=atol,
            err_msg=f"{name} differs from the central-difference estimate",
        )
        got.append(arr)
    return got


def grad_of(t: Any, what: str = "x") -> np.ndarray:
    """``t.grad`` as an ndarray, failing clearly when it is missing."""
    assert t.grad is not None, f"{what}.grad is None: backward did not reach {what}"
    assert isinstance(t.grad, ember.Tensor), (
        f"{what}.grad must be an ember.Tensor, got {type(t.grad).__name__}"
    )
    return to_numpy(t.grad, f"{what}.grad")


def assert_sample_stats(t: Any, mean: float, std: float, what: str = "result") -> None:
    """The sample mean and std of a large random tensor agree with ``mean`` and ``std``.

    The tolerance is six standard errors (6 std / sqrt(n)): a correct sampler fails about
    once in 10^9 runs, while a wrong scale or shift of a few percent is caught.
    """
    x = to_numpy(t.detach() if hasattr(t, "detach") else t, what).astype(np.float64).ravel()
    tol = 6 * std / np.sqrt(x.size)
    assert abs(x.mean() - mean) < tol, (
        f"{what}: sample mean {x.mean():.5f}, expected {mean:.5f} ± {tol:.5f}")
    assert abs(x.std() - std) < tol, (
        f"{what}: sample std {x.std():.5f}, expected {std:.5f} ± {tol:.5f}")

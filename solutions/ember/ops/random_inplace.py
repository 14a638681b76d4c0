"""In-place random fills: ``t.normal_(mean, std)`` and ``t.uniform_(from_, to)`` (stage 07).

They overwrite a tensor with fresh random numbers drawn from ember's global generator
(``ember.manual_seed`` makes them reproducible) or from the ``generator`` passed in, and
go through the stage-03 in-place machinery like ``fill_``: the version counter goes up,
a leaf that requires grad is refused unless grad mode is off (``with ember.no_grad():``,
or on ``param.data``), and on a recorded tensor the old values get a zero gradient
(PyTorch's ``NormalBackward0``/``UniformBackward0``). ``nn.init`` is built on them.

Example:
    >>> import ember
    >>> _ = ember.manual_seed(0)
    >>> w = ember.empty(1000).normal_(2.0, 0.5)
    >>> abs(w.mean().item() - 2.0) < 0.1
    True
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module
from ember._dtype import from_numpy_dtype, unsupported_dtype
from ember._random import default_generator
from ember._tensor import Tensor
from ember.autograd.function import Context
from ember.ops.inplace import Fill, apply_inplace, check_inplace


def _generator(generator: Any) -> Any:
    """The generator to draw from: ``generator`` (a NumPy ``Generator``, e.g. the one
    ``ember.manual_seed`` returns) or ember's global one."""
    return default_generator() if generator is None else generator


def _require_float(tensor: Tensor, op: str) -> None:
    """Drawing real numbers needs a floating-point tensor (PyTorch refuses the others too)."""
    if tensor._data.dtype.kind != "f":
        raise unsupported_dtype(op, from_numpy_dtype(tensor._data.dtype), "a floating-point dtype")


def _sampling_dtype(array: Any) -> str:
    """NumPy draws float32 or float64 (float16 is converted from float32)."""
    return "float64" if array.dtype.itemsize == 8 else "float32"


class _RandomFill(Fill):
    """A fill with random numbers: the old values get a zero gradient (overwritten)."""

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None, None, None]:
        return get_array_module(grad).zeros_like(grad), None, None, None


class Normal(_RandomFill):
    """Every element replaced by a draw from N(mean, std²); the old values get gradient 0."""

    @staticmethod
    def forward(ctx: Context, a: Any, mean: float, std: float, generator: Any) -> Any:
        xp = get_array_module(a)
        # Hint: a standard normal draw z becomes mean + std * z.
        ### BEGIN SOLUTION 07
        z = generator.standard_normal(a.shape, dtype=_sampling_dtype(a))
        return xp.asarray(z * std + mean).astype(a.dtype, copy=False)
        ### END SOLUTION


class Uniform(_RandomFill):
    """Every element replaced by a draw from U[from_, to); the old values get gradient 0."""

    @staticmethod
    def forward(ctx: Context, a: Any, low: float, high: float, generator: Any) -> Any:
        xp = get_array_module(a)
        # Hint: a draw u from U[0, 1) becomes low + (high - low) * u.
        ### BEGIN SOLUTION 07
        u = generator.random(a.shape, dtype=_sampling_dtype(a))
        return xp.asarray(low + (high - low) * u).astype(a.dtype, copy=False)
        ### END SOLUTION


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Any = None) -> Tensor:
    """Fill ``self`` with draws from the normal distribution N(mean, std²), in place.

    Args:
        mean: the mean.
        std: the standard deviation (``>= 0``).
        generator: a NumPy ``Generator`` to draw from (default: ember's global one).

    Returns:
        ``self``.

    Raises:
        NotImplementedError: ``self`` is not a floating-point tensor (PyTorch's text).
        RuntimeError: ``std < 0`` ("normal expects std >= 0.0, but found std -1").

    Example:
        >>> import ember
        >>> ember.zeros(2, 3).normal_(0.0, 0.01).shape
        ember.Size([2, 3])
    """
    check_inplace(self)  # PyTorch refuses a leaf that requires grad first
    ### BEGIN SOLUTION 07
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    _require_float(self, "normal_")
    ### END SOLUTION
    rng = _generator(generator)
    return apply_inplace(self, lambda t, _: Normal.apply(t, mean, std, rng), check_dtype=False)


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *,
             generator: Any = None) -> Tensor:
    """Fill ``self`` with draws from the uniform distribution on ``[from_, to)``, in place.

    (PyTorch calls the first argument ``from``, a Python keyword: pass it by position.)

    Args:
        from_: the lower bound.
        to: the upper bound (``>= from_``).
        generator: a NumPy ``Generator`` to draw from (default: ember's global one).

    Returns:
        ``self``.

    Raises:
        NotImplementedError: ``self`` is not a floating-point tensor (PyTorch's text).
        RuntimeError: ``from_ > to`` ("uniform_ expects to return a [from, to) range, but
            found from=1 > to=0").

    Example:
        >>> import ember
        >>> w = ember.empty(100).uniform_(-0.5, 0.5)
        >>> bool((w >= -0.5).all() and (w < 0.5).all())
        True
    """
    check_inplace(self)  # PyTorch refuses a leaf that requires grad first
    ### BEGIN SOLUTION 07
    _require_float(self, "uniform_")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    ### END SOLUTION
    rng = _generator(generator)
    return apply_inplace(self, lambda t, _: Uniform.apply(t, from_, to, rng), check_dtype=False)


RANDOM_METHODS = {"normal_": normal_, "uniform_": uniform_}

__all__ = ["RANDOM_METHODS", "Normal", "Uniform", "normal_", "uniform_"]

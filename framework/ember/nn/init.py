# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 07: calculate_gain, _calculate_fan_in_and_fan_out, _calculate_correct_fan,
#             trunc_normal_, constant_, ones_, zeros_, eye_, dirac_, xavier_uniform_,
#             xavier_normal_, kaiming_uniform_, kaiming_normal_, orthogonal_, sparse_
"""``ember.nn.init``: fill weight tensors in place (PyTorch's ``torch.nn.init``).

Every function modifies its tensor in place under ``no_grad()`` (so it works on a
``Parameter`` that requires grad) and returns the same tensor object. Random ones draw from
ember's global generator (``ember.manual_seed``) unless a NumPy ``generator`` is given.

Why scale at all: a layer computes ``y_i = Σ_j W_ij x_j`` over ``fan_in`` inputs; with
independent zero-mean weights of variance σ², ``Var(y) = fan_in · σ² · E[x²]``. Glorot
(Xavier) keeps the variance of activations *and* of gradients about constant:
σ² = 2 / (fan_in + fan_out). He (Kaiming) does it for ReLU layers, which halve E[x²]:
σ² = gain² / fan with gain √2. A uniform U(-a, a) has variance a²/3, so a = √3 σ.

Example:
    >>> import ember
    >>> from ember import nn
    >>> w = nn.Parameter(ember.empty(3, 5))
    >>> nn.init.kaiming_uniform_(w, nonlinearity="relu") is w
    True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from ember import _creation
from ember._backend import get_array_module
from ember._random import default_generator
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_", "orthogonal_", "sparse_",
    # deprecated aliases (PyTorch keeps them for backward compatibility)
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
]

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
               "conv_transpose2d", "conv_transpose3d")


# --------------------------------------------------------------------------- gain and fans
def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """The recommended gain for a nonlinearity (the factor a layer's std is scaled by).

    ================= =============================
    nonlinearity      gain
    ================= =============================
    linear, conv*     1
    sigmoid           1
    tanh              5/3
    relu              √2
    leaky_relu        √(2 / (1 + negative_slope²))  (default slope 0.01)
    selu              3/4
    ================= =============================

    Args:
        nonlinearity: the ``nn.functional`` name of the function.
        param: the negative slope of ``leaky_relu`` (an int or float, not a bool).

    Raises:
        ValueError: "Unsupported nonlinearity tanhh", "negative_slope True not a valid
            number".

    Example:
        >>> calculate_gain("leaky_relu", 0.2)  # doctest: +ELLIPSIS
        1.3867...
    """
    # ---- your code (stage 07): calculate_gain ----
    raise NotImplementedError("Stage 07: implement calculate_gain")
    # ---- end of your code (stage 07) ----


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``.

    A ``Linear`` weight ``(out_features, in_features)`` has fan_in = in_features; a
    ``Conv2d`` weight ``(out, in, kh, kw)`` sees in · kh · kw inputs per output
    (the receptive field), and each input reaches out · kh · kw outputs.

    Raises:
        ValueError: fewer than 2 dimensions.
    """
    # ---- your code (stage 07): _calculate_fan_in_and_fan_out ----
    raise NotImplementedError("Stage 07: implement _calculate_fan_in_and_fan_out")
    # ---- end of your code (stage 07) ----


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """``fan_in`` or ``fan_out`` of ``tensor`` as ``mode`` (any case) asks.

    Raises:
        ValueError: "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']".
    """
    # ---- your code (stage 07): _calculate_correct_fan ----
    raise NotImplementedError("Stage 07: implement _calculate_correct_fan")
    # ---- end of your code (stage 07) ----


# --------------------------------------------------------------------------- plain fills
def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with draws from U(a, b).

    Example:
        >>> w = uniform_(ember.empty(3, 5), -0.1, 0.1)
    """
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Any = None) -> Tensor:
    """Fill ``tensor`` with draws from N(mean, std²).

    Example:
        >>> w = normal_(ember.empty(3, 5), std=0.02)
    """
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with draws from N(mean, std²) restricted to ``[a, b]``.

    Values outside ``[a, b]`` are redrawn until they fall inside. When the interval holds
    little of the distribution's mass, redrawing normals would take too long; values are
    then proposed uniformly on ``[a, b]`` and kept with probability pdf(x) / max pdf
    (rejection sampling). Works best when a ≤ mean ≤ b (a warning says otherwise).

    Example:
        >>> w = trunc_normal_(ember.empty(3, 5), std=0.02, a=-0.04, b=0.04)
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    rng = default_generator() if generator is None else generator
    xp = get_array_module(tensor._data)
    # ---- your code (stage 07): trunc_normal_ ----
    # It must define samples: the code after it reads it.
    raise NotImplementedError("Stage 07: implement trunc_normal_")
    # ---- end of your code (stage 07) ----
    with no_grad():
        return tensor.copy_(_creation.from_numpy(samples.reshape(tensor.shape)))


def _norm_cdf(x: float) -> float:
    """Φ(x), the standard normal distribution function."""
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val``.

    Example:
        >>> constant_(ember.empty(2), 0.3)
        tensor([0.3000, 0.3000])
    """
    # ---- your code (stage 07): constant_ ----
    raise NotImplementedError("Stage 07: implement constant_")
    # ---- end of your code (stage 07) ----


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones."""
    # ---- your code (stage 07): ones_ ----
    raise NotImplementedError("Stage 07: implement ones_")
    # ---- end of your code (stage 07) ----


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros (e.g. biases)."""
    # ---- your code (stage 07): zeros_ ----
    raise NotImplementedError("Stage 07: implement zeros_")
    # ---- end of your code (stage 07) ----


# --------------------------------------------------------------------------- structure
def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D ``tensor`` with the identity matrix (as many inputs kept as possible).

    Raises:
        ValueError: "Only tensors with 2 dimensions are supported".

    Example:
        >>> eye_(ember.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    # ---- your code (stage 07): eye_ ----
    raise NotImplementedError("Stage 07: implement eye_")
    # ---- end of your code (stage 07) ----


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta: the convolution then
    copies its input channels (per group of ``groups``) to its output channels.

    Output channel ``g * (out // groups) + d`` of group ``g`` gets a single 1 at input
    channel ``d`` and the kernel's centre, for ``d < min(out // groups, in)``.

    Raises:
        ValueError: "Only tensors with 3, 4, or 5 dimensions are supported",
            "dim 0 must be divisible by groups".

    Example:
        >>> w = dirac_(ember.empty(4, 2, 3, 3))
        >>> w[1, 1, 1, 1].item(), w.sum().item()
        (1.0, 2.0)
    """
    # ---- your code (stage 07): dirac_ ----
    raise NotImplementedError("Stage 07: implement dirac_")
    # ---- end of your code (stage 07) ----


# --------------------------------------------------------------------------- scaled by the fans
def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot/Xavier uniform: U(-a, a) with a = gain · √(6 / (fan_in + fan_out)).

    (Glorot & Bengio, 2010: the std gain · √(2 / (fan_in + fan_out)) times √3.)

    Example:
        >>> w = xavier_uniform_(ember.empty(3, 5), gain=calculate_gain("relu"))
    """
    # ---- your code (stage 07): xavier_uniform_ ----
    raise NotImplementedError("Stage 07: implement xavier_uniform_")
    # ---- end of your code (stage 07) ----


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out)).

    Example:
        >>> w = xavier_normal_(ember.empty(3, 5))
    """
    # ---- your code (stage 07): xavier_normal_ ----
    raise NotImplementedError("Stage 07: implement xavier_normal_")
    # ---- end of your code (stage 07) ----


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """He/Kaiming uniform: U(-bound, bound) with bound = gain · √(3 / fan_mode).

    (He et al., 2015.) ``gain = calculate_gain(nonlinearity, a)``: ``a`` is the negative
    slope of a leaky ReLU; ``mode='fan_in'`` keeps the forward variance, ``'fan_out'`` the
    backward one. ``Linear``'s default init is this with ``a=√5``: bound = 1/√fan_in.
    A tensor with no elements is left alone (with PyTorch's warning).

    Example:
        >>> w = kaiming_uniform_(ember.empty(3, 5), mode="fan_in", nonlinearity="relu")
    """
    # ---- your code (stage 07): kaiming_uniform_ ----
    raise NotImplementedError("Stage 07: implement kaiming_uniform_")
    # ---- end of your code (stage 07) ----


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """He/Kaiming normal: N(0, std²) with std = gain / √fan_mode (see ``kaiming_uniform_``).

    Example:
        >>> w = kaiming_normal_(ember.empty(3, 5), mode="fan_out", nonlinearity="relu")
    """
    # ---- your code (stage 07): kaiming_normal_ ----
    raise NotImplementedError("Stage 07: implement kaiming_normal_")
    # ---- end of your code (stage 07) ----


# --------------------------------------------------------------------------- orthogonal, sparse
def orthogonal_(tensor: Tensor, gain: float = 1, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013).

    The tensor is seen as ``rows × cols`` (trailing dimensions flattened). A Gaussian
    matrix (transposed when rows < cols, so that it is tall) is factored A = QR; Q has
    orthonormal columns. Multiplying column j by sign(R_jj) makes Q uniformly distributed
    over orthogonal matrices (Mezzadri, 2007). Then WᵀW = gain² I (tall) or WWᵀ = gain² I.

    Raises:
        ValueError: "Only tensors with 2 or more dimensions are supported".

    Example:
        >>> w = orthogonal_(ember.empty(4, 4))
        >>> bool(((w @ w.T) - ember.eye(4)).abs().max() < 1e-5)
        True
    """
    # ---- your code (stage 07): orthogonal_ ----
    raise NotImplementedError("Stage 07: implement orthogonal_")
    # ---- end of your code (stage 07) ----


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01,
            generator: Any = None) -> Tensor:
    """A sparse 2-D matrix (Martens, 2010): N(0, std²) values, and in every column
    ``ceil(sparsity · rows)`` elements, chosen at random, set to zero.

    Raises:
        ValueError: "Only tensors with 2 dimensions are supported".

    Example:
        >>> w = sparse_(ember.empty(10, 3), sparsity=0.5)
        >>> int((w == 0).sum())
        15
    """
    rng = default_generator() if generator is None else generator
    # ---- your code (stage 07): sparse_ ----
    raise NotImplementedError("Stage 07: implement sparse_")
    # ---- end of your code (stage 07) ----


# --------------------------------------------------------------------------- old names
def _make_deprecate(meth: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``nn.init.uniform`` etc.: the old names warn (FutureWarning) and call the new one."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Tensor:
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                      f"`nn.init.{new_name}`.", FutureWarning, stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = (f"{old_name}(...)\n\nDeprecated: use "
                               f":func:`ember.nn.init.{new_name}`.")
    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

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
    ### BEGIN SOLUTION 07
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
    ### END SOLUTION


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``.

    A ``Linear`` weight ``(out_features, in_features)`` has fan_in = in_features; a
    ``Conv2d`` weight ``(out, in, kh, kw)`` sees in · kh · kw inputs per output
    (the receptive field), and each input reaches out · kh · kw outputs.

    Raises:
        ValueError: fewer than 2 dimensions.
    """
    ### BEGIN SOLUTION 07
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer "
                         "than 2 dimensions")
    receptive_field_size = math.prod(tensor.shape[2:])
    fan_in = tensor.size(1) * receptive_field_size
    fan_out = tensor.size(0) * receptive_field_size
    return fan_in, fan_out
    ### END SOLUTION


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """``fan_in`` or ``fan_out`` of ``tensor`` as ``mode`` (any case) asks.

    Raises:
        ValueError: "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']".
    """
    ### BEGIN SOLUTION 07
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out
    ### END SOLUTION


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
    ### BEGIN SOLUTION 07
    n = tensor.numel()
    mass = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    if mass > 0.3:
        values = rng.normal(mean, std, n)
        outside = (values < a) | (values > b)
        while outside.any():
            values[outside] = rng.normal(mean, std, int(outside.sum()))
            outside = (values < a) | (values > b)
    else:
        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2
        values = rng.uniform(a, b, n)
        pending = xp.ones(n, dtype=bool)
        while pending.any():
            proposal = rng.uniform(a, b, int(pending.sum()))
            log_ratio = -0.5 * ((proposal - mean) / std) ** 2 - log_peak
            accepted = xp.log(rng.random(proposal.size)) <= log_ratio
            index = xp.flatnonzero(pending)[accepted]
            values[index] = proposal[accepted]
            pending[index] = False
    samples = xp.clip(xp.asarray(values).astype(tensor._data.dtype), a, b)
    ### END SOLUTION
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
    ### BEGIN SOLUTION 07
    with no_grad():
        return tensor.fill_(val)
    ### END SOLUTION


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones."""
    ### BEGIN SOLUTION 07
    with no_grad():
        return tensor.fill_(1.0)
    ### END SOLUTION


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros (e.g. biases)."""
    ### BEGIN SOLUTION 07
    with no_grad():
        return tensor.zero_()
    ### END SOLUTION


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
    ### BEGIN SOLUTION 07
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        return tensor.copy_(_creation.eye(*tensor.shape))
    ### END SOLUTION


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
    ### BEGIN SOLUTION 07
    if tensor.dim() not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.size(0) % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = tensor.size(0) // groups
    channels = min(per_group, tensor.size(1))
    outputs = [g * per_group + d for g in range(groups) for d in range(channels)]
    inputs = [d for _ in range(groups) for d in range(channels)]
    centre = tuple(size // 2 for size in tensor.shape[2:])
    with no_grad():
        tensor.zero_()
        tensor[(outputs, inputs, *centre)] = 1
    return tensor
    ### END SOLUTION


# --------------------------------------------------------------------------- scaled by the fans
def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot/Xavier uniform: U(-a, a) with a = gain · √(6 / (fan_in + fan_out)).

    (Glorot & Bengio, 2010: the std gain · √(2 / (fan_in + fan_out)) times √3.)

    Example:
        >>> w = xavier_uniform_(ember.empty(3, 5), gain=calculate_gain("relu"))
    """
    ### BEGIN SOLUTION 07
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)
    ### END SOLUTION


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out)).

    Example:
        >>> w = xavier_normal_(ember.empty(3, 5))
    """
    ### BEGIN SOLUTION 07
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)
    ### END SOLUTION


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
    ### BEGIN SOLUTION 07
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)
    ### END SOLUTION


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """He/Kaiming normal: N(0, std²) with std = gain / √fan_mode (see ``kaiming_uniform_``).

    Example:
        >>> w = kaiming_normal_(ember.empty(3, 5), mode="fan_out", nonlinearity="relu")
    """
    ### BEGIN SOLUTION 07
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)
    ### END SOLUTION


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
    ### BEGIN SOLUTION 07
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = normal_(_creation.empty(rows, cols, dtype=tensor.dtype), 0, 1, generator)
    if rows < cols:
        flattened = flattened.t()
    xp = get_array_module(flattened._data)
    q, r = xp.linalg.qr(flattened._data)
    q = q * xp.sign(xp.diagonal(r))
    if rows < cols:
        q = q.T
    with no_grad():
        tensor.copy_(_creation.from_numpy(xp.ascontiguousarray(q).reshape(tensor.shape)))
        tensor.mul_(gain)
    return tensor
    ### END SOLUTION


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
    ### BEGIN SOLUTION 07
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    normal_(tensor, 0, std, generator)
    # A random permutation of the rows of every column: its first num_zeros rows go to 0.
    zero_rows = rng.random((rows, cols)).argsort(axis=0)[:num_zeros]
    zero_cols = get_array_module(zero_rows).broadcast_to(range(cols), zero_rows.shape)
    with no_grad():
        tensor[(zero_rows.reshape(-1).tolist(), zero_cols.reshape(-1).tolist())] = 0
    return tensor
    ### END SOLUTION


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

# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: l1_loss, _nll, _nll_backward, CrossEntropy.backward, _smoothing_term,
#             cross_entropy, _cross_entropy_probabilities, BinaryCrossEntropy.forward,
#             BinaryCrossEntropy.backward, BinaryCrossEntropyWithLogits.forward,
#             BinaryCrossEntropyWithLogits.backward
"""Loss functions: ``l1_loss nll_loss cross_entropy binary_cross_entropy
binary_cross_entropy_with_logits`` (``mse_loss`` is in ``ember.nn.functional`` since stage 02).

Each loss computes one value per element (or per sample) and then reduces them:
``reduction='mean'`` (the default), ``'sum'`` or ``'none'``. The deprecated arguments
``size_average`` and ``reduce`` still work, with PyTorch's warning.

Cross-entropy is ``nll_loss(log_softmax(x, 1), target)``: two fused ops (two graph nodes,
as in PyTorch), stable for any logits because ``log_softmax`` subtracts the max first.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.cross_entropy(ember.tensor([[0., 1000.]]), ember.tensor([1]))
    tensor(0.)
"""

from __future__ import annotations

from typing import Any

from ember._backend import get_array_module, quiet
from ember._tensor import Tensor
from ember.autograd.function import ArrayFunction, Context
from ember.autograd.grad_mode import is_grad_enabled
from ember.nn._functional.activation import log_softmax, log_softmax_array, sum_keepdims
from ember.nn._reduction import reduce_losses as _reduce
from ember.nn._reduction import resolve as _reduction
from ember.nn._reduction import warn_size as _warn_size


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The absolute error |x - y|, reduced; ∂/∂x = sign(x - y) (/N for the mean).

    Example:
        >>> import ember
        >>> ember.nn.functional.l1_loss(ember.tensor([1., 4.]), ember.tensor([2., 2.]))
        tensor(1.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    # ---- your code (stage 04): l1_loss ----
    raise NotImplementedError("Stage 04: implement l1_loss")
    # ---- end of your code (stage 04) ----


# --------------------------------------------------------------------------- nll / CE
def _nll(logp: Any, target: Any, weight: Any, ignore_index: int) -> tuple[Any, ...]:
    """The per-sample losses -w[yᵢ]·logp[i, yᵢ] of (M, C) log-probabilities.

    Returns:
        ``(losses, rows, safe, w)``: the losses (0 where ignored), the row indices, the
        targets with ignored ones replaced by the valid index 0, and the weight w[yᵢ] of
        each sample (0 where ignored; their sum divides the mean).
    """
    xp = get_array_module(logp)
    rows = xp.arange(logp.shape[0])
    # ---- your code (stage 04): _nll ----
    # It must define safe, w and losses: the code after it reads them.
    raise NotImplementedError("Stage 04: implement _nll")
    # ---- end of your code (stage 04) ----
    return losses, rows, safe, w


def _reduce_array(losses: Any, w: Any, reduction: str) -> Any:
    """Reduce per-sample losses; the mean divides by the summed weights w (0/0 = nan when
    every target is ignored, as in PyTorch)."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    total = w.sum()
    if total == 0:
        with quiet(losses):  # 0/0 = nan, silently
            return losses.sum() / total
    return losses.sum() / total


def _nll_backward(ctx: Context, grad: Any) -> Any:
    """∂L/∂logp: -w[yᵢ]·g at (i, yᵢ) (divided by Σ w for the mean), 0 elsewhere."""
    rows, safe, w = ctx.saved_tensors
    shape, reduction = ctx.meta
    xp = get_array_module(w)
    # ---- your code (stage 04): _nll_backward ----
    # It must define grad_logp: the code after it reads it.
    raise NotImplementedError("Stage 04: implement _nll_backward")
    # ---- end of your code (stage 04) ----
    return grad_logp


class NllLoss(ArrayFunction):
    """The negative log-likelihood of class indices: ℓᵢ = -w[yᵢ]·x[i, yᵢ] (0 if ignored).

    ``logp`` is (M, C), ``target`` (M,). With the mean, the sum is divided by Σᵢ w[yᵢ]
    over the non-ignored samples. The gradient is -w[yᵢ]·g at position (i, yᵢ) (divided
    by the same total for the mean), 0 elsewhere.
    """

    @staticmethod
    def forward(ctx: Context, logp: Any, target: Any, weight: Any, ignore_index: int,
                reduction: str) -> Any:
        losses, rows, safe, w = _nll(logp, target, weight, ignore_index)
        ctx.save_for_backward(rows, safe, w)
        ctx.meta = (logp.shape, reduction)
        return _reduce_array(losses, w, reduction)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        return _nll_backward(ctx, grad), None, None, None, None


class CrossEntropy(ArrayFunction):
    """``nll_loss(log_softmax(x, 1), y)`` fused into one op (the common case of (N, C)
    logits without label smoothing): one graph node instead of two, for speed.

    With p = softmax(x): ∂L/∂x = G - p·Σ_c G_c, where G = ∂L/∂logp is nll_loss's gradient
    (the log-softmax backward applied to it).
    """

    @staticmethod
    def forward(ctx: Context, logits: Any, target: Any, weight: Any, ignore_index: int,
                reduction: str) -> Any:
        logp = log_softmax_array(logits, 1)
        losses, rows, safe, w = _nll(logp, target, weight, ignore_index)
        ctx.save_for_backward(rows, safe, w)
        ctx.logp = logp
        ctx.meta = (logp.shape, reduction)
        return _reduce_array(losses, w, reduction)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        grad_logp = _nll_backward(ctx, grad)
        xp = get_array_module(grad_logp)
        # ---- your code (stage 04): CrossEntropy.backward ----
        # It must define grad_logits: the code after it reads it.
        raise NotImplementedError("Stage 04: implement CrossEntropy.backward")
        # ---- end of your code (stage 04) ----
        return grad_logits, None, None, None, None


def _check_target(input: Tensor, target: Tensor, weight: Tensor | None) -> int:
    """PyTorch's checks of class-index targets; returns the number of classes."""
    t = target._data
    if t.dtype.kind not in "iu":
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_type_name(target)}")
    shape, target_shape = input._data.shape, t.shape
    classes = shape[1] if len(shape) > 1 else shape[0]
    if len(shape) > 1 and target_shape and shape[0] != target_shape[0]:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({target_shape[0]}).")
    if len(shape) > 2:
        want = [shape[0], *shape[2:]]
        if list(target_shape) != want:
            raise RuntimeError(f"Expected target size {want}, got {list(target_shape)}")
    elif len(target_shape) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    return classes


def _type_name(t: Tensor) -> str:
    kind, size = t._data.dtype.kind, t._data.dtype.itemsize
    if kind == "f":
        return {2: "Half", 4: "Float", 8: "Double"}[size]
    return "Bool" if kind == "b" else "Int"


def _flatten_classes(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, tuple]:
    """(N, C, d1, ...) → (N·d1·..., C) and its targets; (C,) → (1, C). Returns the shape
    to give back to ``reduction='none'`` losses."""
    ndim = input._data.ndim
    if ndim == 2:
        return input, target, (input._data.shape[0],)
    if ndim == 1:
        return input.reshape(1, -1), target.reshape(1), ()
    moved = input.permute(0, *range(2, input.dim()), 1)  # classes last
    return moved.reshape(-1, input.shape[1]), target.reshape(-1), tuple(target.shape)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood -input[i, target[i]] of log-probabilities, reduced.

    Args:
        input: log-probabilities (N, C), (C,) or (N, C, d1, ...).
        target: class indices (N,), () or (N, d1, ...), int64.
        weight: a (C,) weight per class.
        ignore_index: targets equal to it contribute nothing (and do not count in the mean).
        reduction: ``'mean'`` (divides by the summed weight of the counted targets),
            ``'sum'`` or ``'none'``.

    Example:
        >>> import ember
        >>> logp = ember.tensor([[-1., -2.], [-3., -4.]])
        >>> ember.nn.functional.nll_loss(logp, ember.tensor([0, 1]))
        tensor(2.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    return _class_index_loss(NllLoss, input, target, weight, ignore_index, reduction)


def _class_index_loss(fn: type[ArrayFunction], input: Tensor, target: Tensor,
                      weight: Tensor | None, ignore_index: int, reduction: str) -> Tensor:
    """Check the targets, flatten to (M, C) and run ``NllLoss`` or ``CrossEntropy``."""
    classes = _check_target(input, target, weight)
    flat_input, flat_target, shape = _flatten_classes(input, target)
    t = flat_target._data
    if t.size and (t.min() < 0 or t.max() >= classes):
        bad = ((t < 0) | (t >= classes)) & (t != ignore_index)
        if bad.any():
            raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
    w = None if weight is None else weight._data.astype(input._data.dtype, copy=False)
    out = fn.apply(flat_input, t, w, ignore_index, reduction)
    return out.reshape(shape) if reduction == "none" else out


def _smoothing_term(logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
                    reduction: str) -> Tensor:
    """PyTorch's label-smoothing part: -Σ_c w_c·log p_c per sample (0 where ignored),
    reduced like nll_loss (the mean divides by Σ w[yᵢ] over the counted samples)."""
    keep = target != ignore_index
    # ---- your code (stage 04): _smoothing_term ----
    raise NotImplementedError("Stage 04: implement _smoothing_term")
    # ---- end of your code (stage 04) ----


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """The cross-entropy between softmax(input) along dim 1 and the target classes.

    For class indices: ℓᵢ = -w[yᵢ]·log softmax(xᵢ)[yᵢ], i.e.
    ``nll_loss(log_softmax(input, 1), target)``. With label smoothing ε the target becomes
    (1 - ε)·one_hot(y) + ε/C, which adds ε/C·(-Σ_c w_c log p_c). Targets of the same shape
    as ``input`` and floating point are class probabilities.

    Example:
        >>> import ember
        >>> x = ember.tensor([[0., 0.], [0., 0.]])
        >>> ember.nn.functional.cross_entropy(x, ember.tensor([0, 1]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:  # PyTorch lets negative values through (as no smoothing)
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if target._data.dtype.kind == "f" and target.shape == input.shape:
        return _cross_entropy_probabilities(input, target, weight, reduction,
                                            label_smoothing)
    if label_smoothing <= 0.0:  # the common case, fused into one op
        return _class_index_loss(CrossEntropy, input, target, weight, ignore_index, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    # ---- your code (stage 04): cross_entropy ----
    raise NotImplementedError("Stage 04: implement cross_entropy")
    # ---- end of your code (stage 04) ----


def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight: Tensor | None,
                                 reduction: str, label_smoothing: float) -> Tensor:
    """Class-probability targets: ℓᵢ = -Σ_c w_c·t_{ic}·log p_{ic}; the mean divides by N."""
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    # ---- your code (stage 04): _cross_entropy_probabilities ----
    raise NotImplementedError("Stage 04: implement _cross_entropy_probabilities")
    # ---- end of your code (stage 04) ----


# --------------------------------------------------------------------------- binary
class BinaryCrossEntropy(ArrayFunction):
    """ℓ = -(y·log x + (1 - y)·log(1 - x)), each log clamped at -100 (PyTorch's rule, so
    that x = 0 or 1 give a finite loss).

    ∂ℓ/∂x = (x - y) / max(x(1 - x), 1e-12),   ∂ℓ/∂y = log(1 - x) - log x (unclamped, as
    PyTorch: ±inf at x = 0 or 1).
    """

    @staticmethod
    def forward(ctx: Context, x: Any, y: Any) -> Any:
        xp = get_array_module(x)
        with xp.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log(1 - x), -100)
        ctx.save_for_backward(x, y)
        # ---- your code (stage 04): BinaryCrossEntropy.forward ----
        raise NotImplementedError("Stage 04: implement BinaryCrossEntropy.forward")
        # ---- end of your code (stage 04) ----

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        x, y = ctx.saved_tensors
        xp = get_array_module(x)
        # ---- your code (stage 04): BinaryCrossEntropy.backward ----
        # It must define grad_x and grad_y: the code after it reads them.
        raise NotImplementedError("Stage 04: implement BinaryCrossEntropy.backward")
        # ---- end of your code (stage 04) ----
        return grad_x, grad_y


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-w·(y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1], reduced.

    Example:
        >>> import ember
        >>> p, y = ember.tensor([0.5, 0.5]), ember.tensor([1., 0.])
        >>> ember.nn.functional.binary_cross_entropy(p, y)
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the "
                         f"input size ({input.shape}) is deprecated. Please ensure they have "
                         "the same size.")
    x = input._data
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    losses = BinaryCrossEntropy.apply(input, target.to(input.dtype))
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


class BinaryCrossEntropyWithLogits(ArrayFunction):
    """ℓ = (1 - y)·x + (1 + (p - 1)·y)·log(1 + e^(-x)) for logits x and pos_weight p.

    log(1 + e^(-x)) = log(1 + e^(-|x|)) + max(-x, 0) never overflows. Derivatives:
    ∂ℓ/∂x = (1 - y) - (1 + (p - 1)y)·σ(-x),  ∂ℓ/∂y = -x + (p - 1)·log(1 + e^(-x)).
    ``pos_weight`` gets no gradient: as in PyTorch, it is a constant of the loss.
    """

    @staticmethod
    def forward(ctx: Context, x: Any, y: Any, pos_weight: Any) -> Any:
        xp = get_array_module(x)
        # ---- your code (stage 04): BinaryCrossEntropyWithLogits.forward ----
        # It must define softplus_neg and out: the code after it reads them.
        raise NotImplementedError("Stage 04: implement BinaryCrossEntropyWithLogits.forward")
        # ---- end of your code (stage 04) ----
        ctx.save_for_backward(x, y, pos_weight, softplus_neg)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, None]:
        x, y, pos_weight, softplus_neg = ctx.saved_tensors
        xp = get_array_module(x)
        # σ(-x) = 1 / (1 + e^x) = e^(-log(1 + e^x)) = e^(-(log(1 + e^(-x)) + x)): no overflow
        sigmoid_neg = xp.exp(-(softplus_neg + x))
        # ---- your code (stage 04): BinaryCrossEntropyWithLogits.backward ----
        # It must define grad_x and grad_y: the code after it reads them.
        raise NotImplementedError("Stage 04: implement BinaryCrossEntropyWithLogits.backward")
        # ---- end of your code (stage 04) ----
        return grad_x, grad_y, None


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of sigmoid(input), computed stably from the logits.

    ``pos_weight`` (broadcast along the last dimension) multiplies the positive term.

    Example:
        >>> import ember
        >>> x, y = ember.tensor([0., 0.]), ember.tensor([1., 0.])
        >>> ember.nn.functional.binary_cross_entropy_with_logits(x, y)
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    for name, constant in (("weight", weight), ("pos_weight", pos_weight)):
        if constant is not None and constant.requires_grad and is_grad_enabled():
            raise RuntimeError(
                "The function 'binary_cross_entropy_with_logits' is not differentiable with "
                f"respect to argument '{name}'. This input cannot have requires_grad True.")
    losses = BinaryCrossEntropyWithLogits.apply(input, target.to(input.dtype), pos_weight)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "l1_loss", "nll_loss"]

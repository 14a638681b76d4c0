# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: L1Loss.forward, NLLLoss.forward, CrossEntropyLoss.forward, BCELoss.forward,
#             BCEWithLogitsLoss.forward
"""Loss modules: thin wrappers that call ``ember.nn.functional``.

``MSELoss`` (stage 02) comes first; the layers of stage 04 follow.
"""

from __future__ import annotations

from ember._tensor import Tensor
from ember.nn import functional as F  # noqa: N812 - PyTorch's convention
from ember.nn._reduction import legacy_get_string
from ember.nn.modules.module import Module


class MSELoss(Module):
    """The mean squared error ``mean((input - target)²)`` (``reduction`` as in ``mse_loss``).

    Example:
        >>> import ember
        >>> ember.nn.MSELoss()(ember.tensor([0., 2.]), ember.tensor([0., 0.]))
        tensor(2.)
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = legacy_get_string(size_average, reduce)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class _Loss(Module):
    """A loss layer: remembers ``reduction`` (or the deprecated ``size_average``/``reduce``)."""

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = legacy_get_string(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with a per-class ``weight`` (a buffer: saved with the model, not trained)."""

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """The mean absolute error ``mean(|input - target|)``.

    Example:
        >>> import ember
        >>> ember.nn.L1Loss()(ember.tensor([0., 2.]), ember.tensor([1., 1.]))
        tensor(1.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        # ---- your code (stage 04): L1Loss.forward ----
        raise NotImplementedError("Stage 04: implement L1Loss.forward")
        # ---- end of your code (stage 04) ----


class NLLLoss(_WeightedLoss):
    """The negative log-likelihood of class indices given log-probabilities (N, C)."""

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        # ---- your code (stage 04): NLLLoss.forward ----
        raise NotImplementedError("Stage 04: implement NLLLoss.forward")
        # ---- end of your code (stage 04) ----


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C) against class indices (or probabilities).

    Example:
        >>> import ember
        >>> ember.nn.CrossEntropyLoss()(ember.zeros(1, 2), ember.tensor([1]))
        tensor(0.6931)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        # ---- your code (stage 04): CrossEntropyLoss.forward ----
        raise NotImplementedError("Stage 04: implement CrossEntropyLoss.forward")
        # ---- end of your code (stage 04) ----


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1]."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        # ---- your code (stage 04): BCELoss.forward ----
        raise NotImplementedError("Stage 04: implement BCELoss.forward")
        # ---- end of your code (stage 04) ----


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of sigmoid(logits), computed stably; ``pos_weight`` weighs the
    positive examples (a buffer, like ``weight``)."""

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        # ---- your code (stage 04): BCEWithLogitsLoss.forward ----
        raise NotImplementedError("Stage 04: implement BCEWithLogitsLoss.forward")
        # ---- end of your code (stage 04) ----

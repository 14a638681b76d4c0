# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: dropout
"""``F.dropout``: zero random elements during training, scale the others up.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.dropout(ember.ones(4), p=0.5, training=False)
    tensor([1., 1., 1., 1.])
"""

from __future__ import annotations

from ember._random import default_generator
from ember._tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Inverted dropout: each element is zeroed with probability ``p``, and the kept ones
    are multiplied by 1 / (1 - p), so the expected value of every element is unchanged
    (E[y] = (1 - p) · x / (1 - p) = x) and evaluation needs no rescaling.

    The mask comes from ember's global generator (``ember.manual_seed`` makes it
    reproducible). The result is ``input * mask``, so autograd gives ∂y/∂x = mask.

    Args:
        input: a floating point tensor.
        p: the probability of zeroing an element, in [0, 1].
        training: apply dropout (True) or return ``input`` unchanged (False).
        inplace: multiply ``input`` by the mask in place.

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> y = dropout(ember.ones(1000), p=0.25)
        >>> sorted(set(y.tolist()))  # kept elements are scaled by 1 / 0.75
        [0.0, 1.3333333730697632]
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training:
        return input
    data = input._data
    draws = default_generator().random(data.shape,
                                       dtype="float32" if data.dtype.itemsize <= 4 else "float64")
    # Hint: keep where draws >= p; the mask holds 0 or 1 / (1 - p) (all zeros when p = 1).
    # ---- your code (stage 04): dropout ----
    # It must define mask: the code after it reads it.
    raise NotImplementedError("Stage 04: implement dropout")
    # ---- end of your code (stage 04) ----
    return input.mul_(mask) if inplace else input * mask


__all__ = ["dropout"]

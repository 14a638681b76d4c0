# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
#   stage 04: Embedding.reset_parameters, Embedding.forward
"""``Embedding``: a learnable lookup table of vectors, indexed by integers (e.g. words).

Example:
    >>> import ember
    >>> table = ember.nn.Embedding(10, 3, padding_idx=0)
    >>> table
    Embedding(10, 3, padding_idx=0)
    >>> table(ember.tensor([[1, 2, 0]])).shape
    ember.Size([1, 3, 3])
"""

from __future__ import annotations

from typing import Any

from ember._creation import empty, randn
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn._functional.sparse import embedding
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter


class Embedding(Module):
    """``num_embeddings`` vectors of size ``embedding_dim``; ``forward`` looks them up.

    Attributes:
        weight: (num_embeddings, embedding_dim), initialised from N(0, 1); the row
            ``padding_idx`` (if given) is zero and receives no gradient.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,  # noqa: PLR0913
                 padding_idx: int | None = None, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """N(0, 1) entries (stage-01 ``randn``, not ``nn.init``), the padding row zeroed."""
        # ---- your code (stage 04): Embedding.reset_parameters ----
        raise NotImplementedError("Stage 04: implement Embedding.reset_parameters")
        # ---- end of your code (stage 04) ----

    def forward(self, input: Tensor) -> Tensor:
        # ---- your code (stage 04): Embedding.forward ----
        raise NotImplementedError("Stage 04: implement Embedding.forward")
        # ---- end of your code (stage 04) ----

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,  # noqa: PLR0913
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An ``Embedding`` holding ``embeddings`` (2-D), frozen unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)

"""``ember.utils``: helpers around the framework (``hooks``; stage 10 adds ``data``)."""

from ember.utils import hooks

__all__ = ["hooks"]

"""The global random number generator behind ``rand``, ``randn`` and ``randint``.

``ember.manual_seed(s)`` replaces it with a fresh generator seeded with ``s``, so the
same seed always gives the same numbers (not PyTorch's numbers: the algorithm differs).

Example:
    >>> g = manual_seed(0)
    >>> a = default_generator().random()
    >>> _ = manual_seed(0)
    >>> a == default_generator().random()
    True
"""

from __future__ import annotations

from typing import Any

from ember._backend import default_array_module

_INITIAL_SEED = 67280421310721  # PyTorch's default seed
_state: dict[str, Any] = {}


def manual_seed(seed: int) -> Any:
    """Seed the global generator; returns it.

    Args:
        seed: any non-negative integer.
    """
    xp = default_array_module()
    generator = xp.random.Generator(xp.random.PCG64(int(seed)))
    _state["generator"], _state["seed"] = generator, int(seed)
    return generator


def seed() -> int:
    """Seed the global generator from fresh OS entropy; returns the seed used."""
    xp = default_array_module()
    new_seed = int(xp.random.SeedSequence().entropy % (2**63))
    manual_seed(new_seed)
    return new_seed


def initial_seed() -> int:
    """The seed the global generator was last seeded with."""
    default_generator()
    return _state["seed"]


def default_generator() -> Any:
    """The global generator (created with PyTorch's default seed on first use)."""
    if "generator" not in _state:
        manual_seed(_INITIAL_SEED)
    return _state["generator"]

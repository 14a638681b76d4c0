"""The global random number generator behind ``rand``, ``randn`` and ``randint``.

``ember.manual_seed(s)`` replaces it with a fresh generator seeded with ``s``, so the
same seed always gives the same numbers (not PyTorch's numbers: the algorithm differs).
``get_rng_state()`` returns the generator's whole state as a ``uint8`` tensor (as torch
does: a checkpoint stores it with ``ember.save``) and ``set_rng_state`` puts it back, so a
resumed run draws the same numbers the uninterrupted run would have drawn.

Example:
    >>> g = manual_seed(0)
    >>> a = default_generator().random()
    >>> _ = manual_seed(0)
    >>> a == default_generator().random()
    True
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ember._backend import default_array_module
from ember._dtype import uint8
from ember._tensor import Tensor

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


def get_rng_state() -> Tensor:
    """The global generator's state, as a ``uint8`` tensor (the bytes of a JSON text).

    Example:
        >>> state = get_rng_state()
        >>> a = default_generator().random()
        >>> set_rng_state(state)
        >>> a == default_generator().random()
        True
    """
    generator = default_generator()
    # JSON, not pickle: the state of PCG64 is a dict of ints and strings, and a state
    # loaded back from a file must never be able to run code.
    text = json.dumps({"seed": _state["seed"], "bit_generator": generator.bit_generator.state})
    return Tensor._make(np.frombuffer(text.encode(), dtype=np.uint8).copy())


def set_rng_state(new_state: Tensor) -> None:
    """Restore a state returned by :func:`get_rng_state`.

    Raises:
        TypeError: ``new_state`` is not a uint8 tensor.
        RuntimeError: its bytes are not a generator state.
    """
    if not isinstance(new_state, Tensor) or new_state.dtype is not uint8:
        raise TypeError("expected a torch.ByteTensor (a uint8 tensor from get_rng_state()), "
                        f"but got {type(new_state).__name__}")
    try:
        saved = json.loads(np.asarray(new_state._data).tobytes().decode())
        xp = default_array_module()
        generator = xp.random.Generator(xp.random.PCG64())
        generator.bit_generator.state = saved["bit_generator"]
    except (ValueError, KeyError, TypeError) as error:
        raise RuntimeError(f"set_rng_state: not a state from get_rng_state() ({error})") from None
    _state["generator"], _state["seed"] = generator, int(saved["seed"])

"""The pytest plugin of graded runs (loaded with ``-p autograder.suites.plugin``).

It makes every graded run reproducible and honest:

* hypothesis runs a fixed, derandomised profile with no example database, so a student
  sees the same examples on every run and the grader sees what the student saw;
* before any test runs, ``ember`` must import from ``$EMBER_FRAMEWORK`` (the student's
  ``framework/`` folder); an ``ember`` from anywhere else stops the run with exit status 3.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The name of the hypothesis profile graded runs use.
PROFILE = "ember-graded"
#: Set to "1" by the grader and ``verify``: skip shrinking failing examples. Which tests
#: pass is unchanged (the examples are derandomised); only the counterexample shown is
#: larger, and a failing property test finishes in a fraction of the time.
NO_SHRINK = "EMBER_NO_SHRINK"


def register_hypothesis_profile() -> None:
    """Register and load the graded hypothesis profile (no-op without hypothesis)."""
    try:
        from hypothesis import HealthCheck, Phase, settings
    except ImportError:
        return
    phases = tuple(Phase)
    if os.environ.get(NO_SHRINK) == "1":
        phases = tuple(p for p in Phase if p not in (Phase.shrink, Phase.explain))
    settings.register_profile(
        PROFILE,
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=25,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=False,
        phases=phases,
    )
    settings.load_profile(PROFILE)


def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` lies inside ``folder``."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True


def check_ember_origin() -> str:
    """Import ``ember`` and return its file; raise if it is not under ``$EMBER_FRAMEWORK``.

    Raises:
        pytest.UsageError: the variable is unset or ``ember`` came from elsewhere.
    """
    framework = os.environ.get("EMBER_FRAMEWORK")
    if not framework:
        raise pytest.UsageError(
            "EMBER_FRAMEWORK is not set: run graded tests through autograder.check "
            "or 'python -m autograder', not plain pytest"
        )
    import autograder
    import ember

    origin = getattr(ember, "__file__", None) or "<namespace package>"
    if not _inside(origin, framework):
        raise pytest.UsageError(
            f"ember was imported from {origin}, not from EMBER_FRAMEWORK={framework}"
        )
    if _inside(autograder.__file__, framework):
        raise pytest.UsageError(f"autograder must not come from the framework folder {framework}")
    return origin


def pytest_configure(config: pytest.Config) -> None:
    """Load the hypothesis profile as early as possible (before collection)."""
    register_hypothesis_profile()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the whole run loudly when ``ember`` is not the student's framework."""
    check_ember_origin()


def pytest_report_header(config: pytest.Config) -> str:
    """Say which framework is under test at the top of pytest's output."""
    return f"ember under test: {os.environ.get('EMBER_FRAMEWORK', '?')}"

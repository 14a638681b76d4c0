"""Find the student's framework and import ``ember`` from it.

Every notebook's locked setup cell calls :func:`use_framework`. It walks up from the
working directory to the nearest folder that holds ``framework/ember`` and imports ``ember``
from there, so a notebook graded inside ``autograded/<student>/<assignment>/`` (where the
grader copied that student's ``framework/``) uses the student's code, never the
repository's. The reference lives in ``solutions/ember``, a name this search never matches.

In a notebook it also installs :mod:`autograder.unimplemented`: an example cell that reaches
a function the student has not written prints one line naming it, and "Run All" goes on.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

#: The folder name that holds the student's package.
FRAMEWORK = "framework"
#: The package students build.
PACKAGE = "ember"


def find_framework(start: str | os.PathLike[str] | None = None) -> Path:
    """The nearest ``framework`` folder holding ``ember/``, walking up from ``start``.

    Args:
        start: where to begin (default: the current working directory).

    Returns:
        The absolute ``framework`` folder (the one to put on ``sys.path``).

    Raises:
        FileNotFoundError: no folder above ``start`` holds ``framework/ember/__init__.py``.

    Example:
        >>> find_framework("course/release/01_tensors")  # doctest: +SKIP
        PosixPath('/home/me/ember-course/framework')
    """
    here = Path(start if start is not None else os.getcwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FRAMEWORK
        if (candidate / PACKAGE / "__init__.py").is_file():
            return candidate
    raise FileNotFoundError(
        f"no '{FRAMEWORK}/{PACKAGE}' folder found in {here} or any folder above it. "
        "Open the notebook from inside the course folder (the one with framework/), "
        "e.g. run 'make lab' in the course folder."
    )


def _forget_package(name: str = PACKAGE) -> None:
    """Drop ``name`` and its submodules from ``sys.modules`` so the next import is fresh."""
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def _is_inside(path: str | os.PathLike[str], folder: Path) -> bool:
    """Whether ``path`` lies inside ``folder`` (both resolved)."""
    try:
        Path(path).resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def use_framework(start: str | os.PathLike[str] | None = None) -> ModuleType:
    """Import ``ember`` from the nearest ``framework/`` folder and return it.

    Puts that folder first on ``sys.path``, forgets any ``ember`` already imported (a
    re-run of the setup cell picks up edits), imports it and checks where it came from.
    In an IPython kernel outside grading it then installs the one-line report of stubs
    (:func:`autograder.unimplemented.install`).

    Raises:
        FileNotFoundError: no ``framework/ember`` above the working directory.
        ImportError: ``ember`` was imported from somewhere else (say an installed copy).
    """
    framework = find_framework(start)
    entry = str(framework)
    sys.path[:] = [p for p in sys.path if p != entry]
    sys.path.insert(0, entry)
    importlib.invalidate_caches()
    _forget_package()
    module = importlib.import_module(PACKAGE)
    origin = getattr(module, "__file__", None)
    if origin is None or not _is_inside(origin, framework):
        raise ImportError(
            f"'{PACKAGE}' was imported from {origin}, not from {framework}. "
            f"Uninstall the other copy (pip uninstall {PACKAGE}) or restart the kernel."
        )
    from .unimplemented import install

    install()
    return module

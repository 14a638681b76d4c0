"""Planted-bug mutants of the reference framework (instructor only, never in the handout).

A mutant is one typical student mistake written as a text substitution in one file of
``solutions/ember``. CI applies each mutant to a copy of the reference and runs its
stage's graded suites (public and hidden): at least one test must fail, which proves the
suites catch that mistake. Mutants of stage NN live in ``stageNN.py`` as a tuple
``MUTANTS`` (a large stage gathers it from ``stageNN_<part>.py`` files).
"""

from __future__ import annotations

import importlib
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutant:
    """One planted bug.

    Attributes:
        name: short identifier, unique within its stage.
        stage: the stage whose suites must catch it (``"01"``).
        path: file relative to the framework root, e.g. ``"ember/_creation.py"``.
        old: text that occurs exactly once in that file of the reference.
        new: the text that replaces it.
        why: the student mistake this models.
    """

    name: str
    stage: str
    path: str
    old: str
    new: str
    why: str

    def apply(self, root: Path) -> None:
        """Plant the bug in the framework copy under ``root`` (a folder holding ``ember/``)."""
        target = Path(root) / self.path
        text = target.read_text(encoding="utf-8")
        count = text.count(self.old)
        if count != 1:
            raise ValueError(
                f"mutant {self.stage}/{self.name}: expected the old text once in "
                f"{self.path}, found it {count} times; update the mutant"
            )
        target.write_text(text.replace(self.old, self.new), encoding="utf-8")


def load(stage_id: str) -> tuple[Mutant, ...]:
    """The mutants of one stage (empty when the stage has none yet)."""
    try:
        module = importlib.import_module(f"{__name__}.stage{stage_id}")
    except ModuleNotFoundError:
        return ()
    return tuple(module.MUTANTS)


def make_mutant_framework(reference: Path, mutant: Mutant, dest: Path) -> Path:
    """Copy the reference package ``reference/ember`` to ``dest/ember`` and plant ``mutant``."""
    dest = Path(dest)
    shutil.copytree(Path(reference) / "ember", dest / "ember")
    mutant.apply(dest)
    return dest

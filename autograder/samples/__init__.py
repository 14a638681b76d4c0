"""The bundled sample submissions of ``make demo``, built deterministically at demo time.

* ``reference``: the reference framework (all regions solved) with the release notebooks;
* ``blank``: the student handout exactly as released (full of stubs);
* ``partial``: the stubs with the regions listed in ``partial.json`` solved and that
  recipe's planted mutants applied, so some checks pass and some fail.

Nothing generated is committed; :func:`build_samples` writes the three folders.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..markers import Region, strip_solutions
from ..mutants import load as load_mutants
from ..release import build_framework, ignore_junk, repo_root
from ..stages import STAGES

#: The recipe of the partial submission.
RECIPE = Path(__file__).resolve().parent / "partial.json"
#: Solved-up-to value that keeps every region solved.
ALL = 99


@dataclass(frozen=True)
class Recipe:
    """How the partial sample is made.

    Attributes:
        solve: ``"[NN/]path:qualname"`` patterns (fnmatch) of regions left solved; with
            ``NN/`` only the regions of stage NN.
        mutants: names of mutants (``"01/name"`` or ``"name"`` of stage 01) planted after.
        expected: stage name → expected auto score (checked by the round-trip test).
    """

    solve: tuple[str, ...] = ()
    mutants: tuple[str, ...] = ()
    expected: dict[str, float] = field(default_factory=dict)


def load_recipe(path: Path = RECIPE) -> Recipe:
    """Read a recipe file (JSON)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Recipe(tuple(data.get("solve", ())), tuple(data.get("mutants", ())),
                  dict(data.get("expected", {})))


def build_partial_framework(dest: Path, recipe: Recipe, root: Path | None = None) -> Path:
    """``dest/ember``: the recipe's mutants planted in the reference, then every region
    stubbed except the recipe's solved ones."""
    root = Path(root) if root is not None else repo_root()
    with tempfile.TemporaryDirectory(prefix="ember-partial-") as tmp:
        mutated = Path(tmp)
        shutil.copytree(root / "solutions" / "ember", mutated / "ember", ignore=ignore_junk)
        for name in recipe.mutants:
            stage, _, short = name.rpartition("/")
            found = {m.name: m for m in load_mutants(stage or "01")}
            if short not in found:
                raise KeyError(f"partial.json names unknown mutant {name!r}; "
                               f"known: {sorted(found)}")
            found[short].apply(mutated)
        package = build_framework(mutated, dest)
        for path in sorted((mutated / "ember").rglob("*.py")):
            rel = path.relative_to(mutated).as_posix()

            def keep(region: Region, rel: str = rel) -> bool:
                return any(_solves(pattern, rel, region) for pattern in recipe.solve)

            text = strip_solutions(path.read_text(encoding="utf-8"), None, rel, keep=keep)
            (Path(dest) / rel).write_text(text, encoding="utf-8", newline="\n")
    return package


def _solves(pattern: str, rel: str, region: Region) -> bool:
    """Does ``pattern`` (``"[NN/]path:qualname"``, fnmatch) leave ``region`` solved?

    A ``NN/`` prefix limits the pattern to the regions of stage ``NN``.
    """
    stage, slash, rest = pattern.partition("/")
    if slash and stage.isdigit():
        if region.stage != stage:
            return False
        pattern = rest
    return fnmatch.fnmatchcase(f"{rel}:{region.qualname}", pattern)


def _with_notebooks(folder: Path, release_dir: Path) -> None:
    """Copy each stage's release notebook folder into ``folder/course/release``."""
    for stage in STAGES:
        src = release_dir / stage.name
        if src.is_dir():
            shutil.copytree(src, folder / "course" / "release" / stage.name, ignore=ignore_junk)


def build_samples(dest: Path, handout: Path, root: Path | None = None,
                  recipe: Recipe | None = None) -> Path:
    """Write ``dest/reference``, ``dest/blank`` and ``dest/partial``; return ``dest``.

    Args:
        dest: the submissions folder to create (replaced if it exists).
        handout: the handout folder (the blank sample is a copy of it).
        root: the repository root.
        recipe: the partial sample's recipe (default ``partial.json``).
    """
    root = Path(root) if root is not None else repo_root()
    recipe = recipe or load_recipe()
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    release_dir = Path(handout) / "course" / "release"
    shutil.copytree(handout, dest / "blank", ignore=ignore_junk)
    build_framework(root / "solutions", dest / "reference" / "framework", ALL)
    _with_notebooks(dest / "reference", release_dir)
    build_partial_framework(dest / "partial" / "framework", recipe, root)
    _with_notebooks(dest / "partial", release_dir)
    return dest

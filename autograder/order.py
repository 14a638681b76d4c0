"""Prove each notebook's exercise order: ``python -m autograder verify --order``.

A student works a notebook from top to bottom. Each section ends with an exercise that
names the functions to write and a check cell that runs one graded group. The order is
right when every check passes as soon as the exercises above it are done, whatever is
still a stub below it: then each green check rewards the work just finished, and no check
asks for work the notebook has not reached yet.

**How an exercise names its regions (the one rule).** An exercise is a markdown cell that
holds ``**Exercise N (title).**``. After that line, each bullet of the form

    - `framework/ember/<file>.py`: <names>

names student regions of the notebook's stage in ``<file>``: every name in backticks
claims the regions whose qualified name is that name (```Tensor.numpy```, ```tensor```) or
lies inside it (```Add``` claims ``Add.forward`` when that is the stage's region of
``Add``). A backticked word that claims nothing must be the last part of a name the same
bullet claims (the ```forward``` of "the ```forward``` of ```Add```, ```Sub```"); anything
else is a typo and an error. Every region of the stage is claimed by exactly one exercise.
An exercise with nothing to write has no bullet.

For each stage the proof builds, in one folder reused from check to check (only the files
whose regions changed are rewritten):

* the pure stub build (earlier stages solved, this one stubbed): the first check's group
  must fail there, so the first exercise is what turns it green;
* for each public check cell in cell order, the build where the regions claimed by the
  exercises above it are the reference and the rest of the stage (and every later stage)
  are stubs: that check's group must pass.

The hidden check cell comes after every exercise; ``verify`` already runs the hidden suite
on that build (the progressive build of the stage).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .markers import Region, find_regions, ownership_header, strip_solutions
from .release import ignore_junk, repo_root
from .runner import Limits, RunResult, run_tests
from .stages import HIDDEN, Stage

EXERCISE = re.compile(r"\*\*Exercise (?P<number>\d+) \((?P<title>[^)]*)\)")
BULLET = re.compile(r"^\s*[-*] `(?:framework/)?ember/(?P<file>[\w/]+\.py)`:(?P<names>.*)$")
NAME = re.compile(r"`([A-Za-z_][\w.]*)`")
CHECK_CALL = re.compile(r"""check\(\s*["'](?P<stage>\d+)["']\s*,\s*["'](?P<group>\w+)["']""")

#: A region's key: (file relative to ``ember/``, qualified name).
Key = tuple[str, str]


@dataclass(frozen=True)
class Exercise:
    """An exercise cell: its number, title, cell index and the regions it claims."""

    number: int
    title: str
    cell: int
    claims: tuple[Key, ...]


@dataclass(frozen=True)
class CheckCell:
    """A check cell: the graded group it runs and its cell index."""

    group: str
    cell: int


@dataclass
class OrderCheck:
    """One proven claim (same shape as :class:`autograder.verify.Check`)."""

    name: str
    ok: bool
    detail: str = ""


def stage_regions(stage: Stage, solutions: Path | None = None) -> dict[Key, Region]:
    """Every student region of ``stage`` in the reference, in file and source order."""
    package = (solutions or repo_root() / "solutions") / "ember"
    found: dict[Key, Region] = {}
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        for region in find_regions(path.read_text(encoding="utf-8"), rel):
            if region.stage == stage.id:
                found.setdefault((rel, region.qualname), region)
    return found


def claims_of(text: str, owned: Iterable[Key]) -> tuple[list[Key], list[str]]:
    """The regions an exercise cell's bullets claim, and the names that claim nothing.

    Example:
        >>> text = "**Exercise 1 (x).**\\n- `framework/ember/a.py`: the `forward` of `F`; and `g`"
        >>> claims_of(text, [("a.py", "F.forward"), ("a.py", "g"), ("a.py", "h")])
        ([('a.py', 'F.forward'), ('a.py', 'g')], [])
    """
    owned = list(owned)
    start = EXERCISE.search(text)
    claims: list[Key] = []
    unknown: list[str] = []
    for line in text[start.end() if start else 0:].splitlines():
        bullet = BULLET.match(line)
        if not bullet:
            continue
        rel = bullet["file"]
        names = NAME.findall(bullet["names"])
        mine = [key for key in owned if key[0] == rel and any(
            key[1] == name or key[1].startswith(name + ".") for name in names)]
        claims += [key for key in mine if key not in claims]
        parts = {part for _, qualname in mine for part in qualname.split(".")}
        unknown += [f"{rel}: `{name}`" for name in names if name not in parts
                    and not any(key[1] == name or key[1].startswith(name + ".") for key in mine)]
    return claims, unknown


def notebook_steps(stage: Stage, owned: Iterable[Key],
                   notebook: Path | None = None) -> tuple[list[Exercise | CheckCell], list[str]]:
    """The exercises and check cells of a stage's source notebook in cell order, and problems.

    Problems: a name that claims no region, a region claimed twice or never, a check cell
    of another stage.
    """
    owned = list(owned)
    path = notebook or repo_root() / "course" / "source" / stage.notebook
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    steps: list[Exercise | CheckCell] = []
    problems: list[str] = []
    for index, cell in enumerate(cells):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        meta = cell.get("metadata", {}).get("nbgrader", {})
        heading = EXERCISE.search(source)
        if cell.get("cell_type") == "markdown" and heading:
            claims, unknown = claims_of(source, owned)
            problems += [f"exercise {heading['number']} (cell {index}) names {u}, which is no "
                         f"stage {stage.id} region there" for u in unknown]
            steps.append(Exercise(int(heading["number"]), heading["title"], index, tuple(claims)))
        call = CHECK_CALL.search(source)
        if cell.get("cell_type") == "code" and meta.get("grade") and call:
            if call["stage"] != stage.id:
                problems.append(f"check cell {index} runs stage {call['stage']}'s tests")
            steps.append(CheckCell(call["group"], index))
    seen: dict[Key, int] = {}
    for step in steps:
        for key in step.claims if isinstance(step, Exercise) else ():
            if key in seen:
                problems.append(f"{key[0]}: {key[1]} is claimed by exercises {seen[key]} "
                                f"and {step.number}")
            seen.setdefault(key, step.number)
    problems += [f"{rel}: {qualname} is claimed by no exercise (name it in one exercise's "
                 f"bullet for `framework/ember/{rel}`)" for rel, qualname in owned
                 if (rel, qualname) not in seen]
    return steps, problems


class IncrementalFramework:
    """A framework folder rebuilt in place: only files whose kept regions changed are written.

    ``write(solved_upto, keep)`` gives the same files as
    :func:`autograder.release.build_framework` (stages ``<= solved_upto`` solved) with the
    regions for which ``keep(file, region)`` is true solved too; ``keep`` may read a
    region's stage and qualified name, not its lines.
    """

    def __init__(self, src: Path, dest: Path) -> None:
        self.src, self.dest = Path(src), Path(dest)
        self.package = self.dest / "ember"
        self._sources: dict[str, tuple[str, list[Region]]] = {}
        self._written: dict[str, tuple[bool, ...]] = {}

    def _load(self) -> None:
        if self.package.exists():
            shutil.rmtree(self.package)
        shutil.copytree(self.src / "ember", self.package, ignore=ignore_junk)
        for path in sorted(self.package.rglob("*.py")):
            rel = path.relative_to(self.package).as_posix()
            text = path.read_text(encoding="utf-8")
            regions = find_regions(text, rel)
            if regions:
                self._sources[rel] = (text, regions)

    def write(self, solved_upto: int, keep: Callable[[str, Region], bool]) -> Path:
        """Bring the folder to the build described; returns ``dest/ember``."""
        if not self._sources:
            self._load()
        for rel, (text, regions) in self._sources.items():
            solved = tuple(int(r.stage) <= solved_upto or keep(rel, r) for r in regions)
            if self._written.get(rel) == solved:
                continue
            # ``keep`` reads a region's stage and name only, never its line: strip_solutions
            # finds its regions after the reference-only blocks are gone, so lines shift.
            stubbed = strip_solutions(text, solved_upto, rel,
                                      keep=lambda r, rel=rel: keep(rel, r))
            # The header lists the stubbed regions of stages above solved_upto (kept ones too:
            # it is a comment, and the proof never reads it).
            header = ownership_header(text, solved_upto, rel)
            with open(self.package / rel, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(header + stubbed)
            self._written[rel] = solved
        return self.package


def prove_order(stage: Stage, work: Path, limits: Limits | None = None,
                solutions: Path | None = None,
                notebook: Path | None = None) -> list[OrderCheck]:
    """The order proof of one stage (see the module docstring), one check per claim."""
    limits = limits or Limits()
    solutions = solutions or repo_root() / "solutions"
    regions = stage_regions(stage, solutions)
    steps, problems = notebook_steps(stage, regions, notebook)
    label = f"stage {stage.id} order"
    checks = [OrderCheck(f"{label}: every exercise names its regions, every region is named",
                         not problems, "\n".join(problems))]
    if problems:
        return checks
    k = int(stage.id)
    framework = IncrementalFramework(solutions, work)
    claimed: set[Key] = set()

    def build() -> Path:
        done = frozenset(claimed)
        framework.write(k - 1, lambda rel, r: r.stage == stage.id and (rel, r.qualname) in done)
        return work

    def run(group: str) -> RunResult:
        return run_tests(stage.test_files(group), build(), limits, {"EMBER_NO_SHRINK": "1"})

    cells = [s for s in steps if isinstance(s, CheckCell) and s.group != HIDDEN]
    if cells:
        first = cells[0]
        # How much a student writes before the first green check: the exercises above it.
        before = {key for step in steps[:steps.index(first)] if isinstance(step, Exercise)
                  for key in step.claims}
        lines = sum(regions[key].end - regions[key].begin - 1 for key in before)
        started = time.monotonic()
        result = run(first.group)
        caught = not result.ok and bool(result.tests)
        checks.append(OrderCheck(
            f"{label}: the first check ({first.group}) fails before any exercise and needs "
            f"{len(before)} regions, {lines} reference lines "
            f"({time.monotonic() - started:.0f} s)", caught,
            "" if caught else "it passes (or could not run) with the stage's regions stubbed"
            + (f": {result.problem}" if result.problem else "")))
    exercises: list[str] = []
    for step in steps:
        if isinstance(step, Exercise):
            claimed.update(step.claims)
            exercises.append(str(step.number))
            continue
        if step.group == HIDDEN:
            continue
        started = time.monotonic()
        result = run(step.group)
        above = ", ".join(exercises) or "none"
        checks.append(OrderCheck(
            f"{label}: check {step.group} (cell {step.cell}) passes with exercises {above} "
            f"({time.monotonic() - started:.0f} s)", result.ok,
            "" if result.ok else result.report()[:3000]))
    return checks


def verify_order(stages: Sequence[Stage], work: Path, limits: Limits | None = None
                 ) -> list[OrderCheck]:
    """The order proof of each stage, one after the other, printed as it goes."""
    checks: list[OrderCheck] = []
    for stage in stages:
        for check in prove_order(stage, Path(work) / stage.id, limits):
            print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}", flush=True)
            if not check.ok:
                print("     " + check.detail.replace("\n", "\n     "), flush=True)
            checks.append(check)
    return checks

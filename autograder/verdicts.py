"""The grader's own verdicts: every graded cell decided outside the notebook kernel.

Why the notebook cannot be trusted with a score: the student's code runs in the kernel,
and code in a process can rewrite anything else in that process (the ``check`` helper,
pytest's reporting, the files a check writes, the source notebook next to it). So the
grader never asks the kernel. Before any of the student's code runs, it

1. reads the instructor's source notebook and maps every auto-graded cell to the test
   group its ``check(stage, group)`` call names (:func:`cell_plan`); a cell that calls
   no check is worth nothing, whatever the notebook says;
2. runs each group's tests itself (:func:`decide`), on a private copy of the student's
   ``framework/``, in a trusted pytest process that never imports the student's code
   (the student's ``ember`` lives in a sandboxed worker, :mod:`autograder.remote` and
   :mod:`autograder.sandbox`), and keeps the verdict of each group.

A cell's points are then all or nothing on its group's verdict (:func:`earned`). The
notebook still runs afterwards, for the feedback and the manually graded answers; its
``check()`` cells print these verdicts (:mod:`autograder.check`), so a kernel that dies
halfway, loops or lies costs nothing the grader's runs did not already decide.

The groups of a stage share one test process when all goes well (one pytest start-up
instead of one per group); when that run crashes, times out or cannot collect, every
group is run again on its own, so one group's disaster never costs another group.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .gradebook import CHECK_CALL
from .runner import Limits, RunResult, TestOutcome, run_tests
from .stages import HIDDEN, Stage


@dataclass(frozen=True)
class GradedCell:
    """One auto-graded cell of an instructor's notebook.

    Attributes:
        grade_id: nbgrader's cell id.
        stage: the stage id its ``check()`` call names (``""``: the cell calls no check).
        group: the test group that decides it.
        points: its maximum score.
    """

    grade_id: str
    stage: str
    group: str
    points: float


def cell_plan(source_notebook: Path) -> dict[str, GradedCell]:
    """Every auto-graded code cell of the instructor's notebook and what decides it."""
    notebook = json.loads(Path(source_notebook).read_text(encoding="utf-8"))
    plan = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("grade"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        match = CHECK_CALL.search(source)
        stage, group = match.groups() if match else ("", "")
        plan[meta["grade_id"]] = GradedCell(meta["grade_id"], stage, group,
                                            float(meta.get("points", 0) or 0))
    return plan


def _group_of(test: TestOutcome, stems: Mapping[str, str]) -> str | None:
    """The group whose file holds ``test`` (the innermost dotted part naming a file)."""
    parts = test.nodeid.split("::", 1)[0].split(".")
    for part in reversed(parts):
        if part in stems:
            return stems[part]
    return None


def split(result: RunResult, files: Mapping[str, Sequence[Path]]) -> dict[str, RunResult]:
    """One :class:`RunResult` per group out of a run of every group's files together."""
    stems = {Path(f).stem: group for group, paths in files.items() for f in paths}
    per: dict[str, list[TestOutcome]] = {group: [] for group in files}
    for test in result.tests:
        group = _group_of(test, stems)
        if group is not None:
            per[group].append(test)
    return {
        group: RunResult(
            tests, returncode=int(any(t.outcome in ("failed", "error") for t in tests)),
            duration=sum(t.duration for t in tests), problem="" if tests else
            "no tests of this group ran", output="", tier=result.tier)
        for group, tests in per.items()
    }


def decide(stage: Stage, groups: Sequence[str], framework: Path, limits: Limits,
           tier: str | None = None) -> dict[str, RunResult]:
    """Run ``groups`` of ``stage`` on ``framework``: ``{group: result}``.

    Args:
        stage: the stage whose suites to run.
        groups: the groups the notebook's graded cells name (unknown names get a result
            with a problem, never an exception).
        framework: the private copy of the student's folder holding ``ember/``.
        limits: the limits of one group's run (a shared run gets one per group).
        tier: the sandbox tier (default: :func:`autograder.sandbox.choose_tier`).
    """
    files: dict[str, list[Path]] = {}
    verdicts: dict[str, RunResult] = {}
    for group in dict.fromkeys(groups):
        try:
            found = stage.test_files(group)
        except KeyError as exc:
            found, why = [], str(exc.args[0])
        else:
            why = "no test files for this group on the grader's side"
        if found:
            files[group] = found
        else:
            verdicts[group] = RunResult(problem=why, returncode=4)
    if not files:
        return verdicts
    together = [f for paths in files.values() for f in paths]
    shared = Limits(timeout=limits.timeout * len(files), memory=limits.memory,
                    file_size=limits.file_size, output=limits.output,
                    per_test=limits.per_test)
    extra = {"EMBER_NO_SHRINK": "1"}
    result = run_tests(together, framework, shared, extra, tier)
    if not result.problem:
        verdicts.update(split(result, files))
        return verdicts
    for group, paths in files.items():  # isolate the group that broke the shared run
        verdicts[group] = run_tests(paths, framework, limits, extra, tier)
    return verdicts


def earned(plan: Mapping[str, GradedCell], stage: Stage, verdicts: Mapping[str, RunResult]
           ) -> dict[str, float]:
    """``grade_id → points``: a cell's full points when its group's run passed, else 0."""
    return {
        gid: cell.points if cell.stage == stage.id and verdicts.get(cell.group)
        and verdicts[cell.group].ok else 0.0
        for gid, cell in plan.items()
    }


def problems(verdicts: Mapping[str, RunResult], shown: int = 5) -> list[str]:
    """One line per group that did not pass: its problem or its failing tests.

    A public group's line ends with the first failure's message; the hidden group's names
    its tests only (their messages could quote the hidden tests).
    """
    lines = []
    for group, result in verdicts.items():
        if result.ok:
            continue
        if result.problem:
            lines.append(f"{group}: {result.problem}")
            continue
        bad = [t for t in result.tests if t.outcome in ("failed", "error")]
        more = f" and {len(bad) - shown} more" if len(bad) > shown else ""
        line = f"{group}: {len(bad)} failed: {', '.join(t.name for t in bad[:shown])}{more}"
        if group != HIDDEN and bad and bad[0].message:
            first = bad[0].message.strip().splitlines()[0]
            line += f" (first: {first[:200]})"
        lines.append(line)
    return lines


#: Words of the worker's origin check: ember was assembled from files outside the copy.
ORIGIN_TAMPERING = "ember must come from EMBER_FRAMEWORK"


def suspicious(verdicts: Mapping[str, RunResult]) -> list[str]:
    """What in the grader's own runs looks like tampering rather than a mistake."""
    return [f"{group}: ember imported code from outside the submission (origin check)"
            for group, result in verdicts.items() if ORIGIN_TAMPERING in result.output]

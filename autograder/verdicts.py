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

All the groups of all of a student's stages share one test process when all goes well
(one pytest start-up and one worker instead of one per group); when that run crashes,
times out or cannot collect, each stage and then each group is run again on its own, so
one group's disaster never costs another group.
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


Key = tuple[str, str]  # (stage name, group)


def _owner(test: TestOutcome, files: Mapping[Key, Sequence[Path]]) -> Key | None:
    """The (stage, group) whose file holds ``test``.

    A graded test's module is ``public.stageNN.test_x`` (``hidden.stageNN.…``) inside the
    package's suites, or just ``test_x`` for suites elsewhere: the file stem names it, and
    the ``stageNN`` part tells stages apart when two have a file of that name.
    """
    parts = test.nodeid.split("::", 1)[0].split(".")
    owners = [key for key, paths in files.items()
              if any(Path(p).stem in parts for p in paths)]
    if len(owners) > 1:
        owners = [key for key in owners
                  if any(Path(p).parent.name in parts for p in files[key])]
    return owners[0] if len(owners) == 1 else None


def split(result: RunResult, files: Mapping[Key, Sequence[Path]]) -> dict[Key, RunResult]:
    """One :class:`RunResult` per (stage, group) out of a run of all their files together."""
    per: dict[Key, list[TestOutcome]] = {key: [] for key in files}
    for test in result.tests:
        key = _owner(test, files)
        if key is not None:
            per[key].append(test)
    return {
        key: RunResult(
            tests, returncode=int(any(t.outcome in ("failed", "error") for t in tests)),
            duration=sum(t.duration for t in tests), problem="" if tests else
            "no tests of this group ran", output=result.output if not tests else "",
            tier=result.tier)
        for key, tests in per.items()
    }


def _files(stage: Stage, group: str) -> tuple[list[Path], str]:
    """A group's test files, or none and why."""
    try:
        found = stage.test_files(group)
    except KeyError as exc:
        return [], str(exc.args[0])
    return found, "" if found else "no test files for this group on the grader's side"


def decide(wanted: Sequence[tuple[Stage, Sequence[str]]], framework: Path, limits: Limits,
           tier: str | None = None) -> dict[str, dict[str, RunResult]]:
    """Run the ``groups`` of each stage in ``wanted`` on ``framework``.

    Args:
        wanted: ``(stage, groups)`` pairs: the groups the notebook's graded cells name
            (unknown names get a result with a problem, never an exception).
        framework: the private copy of the student's folder holding ``ember/``.
        limits: the limits of one group's run (a shared run gets one per group).
        tier: the sandbox tier (default: :func:`autograder.sandbox.choose_tier`).

    Returns:
        ``{stage name: {group: result}}``. Every group is first run in one shared test
        process; when that run breaks, each stage, then each group, is run again alone.
    """
    files: dict[Key, list[Path]] = {}
    verdicts: dict[str, dict[str, RunResult]] = {stage.name: {} for stage, _ in wanted}
    for stage, groups in wanted:
        for group in dict.fromkeys(groups):
            found, why = _files(stage, group)
            if found:
                files[stage.name, group] = found
            else:
                verdicts[stage.name][group] = RunResult(problem=why, returncode=4)
    if not files:
        return verdicts
    result = _run(files, framework, limits, tier)
    if not result.problem:
        for (stage_name, group), part in split(result, files).items():
            verdicts[stage_name][group] = part
        return verdicts
    stages = {stage.name: stage for stage, _ in wanted}
    keys_of: dict[str, list[Key]] = {}
    for key in files:
        keys_of.setdefault(key[0], []).append(key)
    for name, keys in keys_of.items():
        if len(keys_of) > 1:  # isolate the stage that broke the shared run
            alone = decide([(stages[name], [g for _, g in keys])], framework, limits, tier)
            verdicts[name].update(alone[name])
            continue
        for key in keys:  # isolate the group that broke the stage's run
            verdicts[name][key[1]] = _run({key: files[key]}, framework, limits, tier)
    return verdicts


def _run(files: Mapping[Key, Sequence[Path]], framework: Path, limits: Limits,
         tier: str | None) -> RunResult:
    """One test process over every file in ``files``: its time limit scales with them, and
    each file keeps the budget one group alone would have had."""
    together = [f for paths in files.values() for f in paths]
    shared = Limits(timeout=limits.timeout * len(files), memory=limits.memory,
                    file_size=limits.file_size, output=limits.output,
                    per_test=limits.per_test, per_file=limits.per_file or limits.budget())
    return run_tests(together, framework, shared, {"EMBER_NO_SHRINK": "1"}, tier)


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

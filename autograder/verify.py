"""Prove the graded suites are meaningful: ``python -m autograder verify``.

For every stage k:

* all of stage k's suites (public and hidden) pass on the reference;
* on the progressive build k-1 (stage k stubbed, earlier stages solved) every group fails
  and no single test passes: each test needs the student's code;
* every planted-bug mutant of stage k is caught by at least one test;
* on the progressive build k (stages > k stubbed) stage k's suites pass, so no stage
  depends on a later stage's student code.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import mutants as mutants_mod
from .release import build_framework, build_progressive, repo_root
from .runner import Limits, RunResult, run_tests
from .stages import STAGES, Stage

#: Solved-up-to value that keeps every region solved.
ALL = 99


@dataclass
class Check:
    """One verification: a name, whether it held, and what to look at if not."""

    name: str
    ok: bool
    detail: str = ""


def stage_files(stage: Stage) -> list[Path]:
    """Every graded file of a stage, public then hidden."""
    return [f for group in stage.groups for f in stage.test_files(group)]


def _expect_pass(name: str, result: RunResult) -> Check:
    return Check(name, result.ok, "" if result.ok else result.report()[:3000])


def _expect_fail(name: str, result: RunResult) -> Check:
    passing = [t.nodeid for t in result.tests if t.outcome == "passed"]
    if result.problem and not result.tests:
        detail = f"the run itself failed: {result.problem}\n{result.output[-2000:]}"
        return Check(name, False, detail)
    if passing:
        shown = "\n  ".join(passing[:20])
        detail = f"{len(passing)} tests pass without the student's code:\n  {shown}"
        return Check(name, False, detail)
    return Check(name, True)


def _expect_caught(name: str, result: RunResult) -> Check:
    caught = not result.ok and bool(result.tests)
    return Check(name, caught, "" if caught else "no test failed: the suites miss this bug")


def plan(stage: Stage, work: Path, limits: Limits) -> list[tuple[str, Callable[[], Check]]]:
    """The checks of one stage as ``(name, job)`` pairs (each job builds its own framework)."""
    files, solutions = stage_files(stage), repo_root() / "solutions"
    k = int(stage.id)

    def on(folder: str, build: Callable[[Path], object]) -> RunResult:
        dest = work / folder
        build(dest)
        return run_tests(files, dest, limits, {"EMBER_NO_SHRINK": "1"})

    def mutant_job(name: str, m: mutants_mod.Mutant) -> Callable[[], Check]:
        def build(dest: Path) -> None:
            # Mutants are written against solutions/ (markers are comments: harmless).
            mutants_mod.make_mutant_framework(solutions, m, dest)
        return lambda: _expect_caught(name, on(f"mutant-{m.name}", build))

    names = [f"stage {stage.id}: suites pass on the reference",
             f"stage {stage.id}: every test fails on the stubs",
             f"stage {stage.id}: suites pass on the progressive build {k}"]
    jobs: list[tuple[str, Callable[[], Check]]] = [
        (names[0], lambda: _expect_pass(
            names[0], on("reference", lambda d: build_framework(solutions, d, ALL)))),
        (names[1], lambda: _expect_fail(
            names[1], on("stubs", lambda d: build_progressive(k - 1, d, solutions)))),
        (names[2], lambda: _expect_pass(
            names[2], on("progressive", lambda d: build_progressive(k, d, solutions)))),
    ]
    for mutant in mutants_mod.load(stage.id):
        name = f"stage {stage.id}: mutant {mutant.name} caught ({mutant.why})"
        jobs.append((name, mutant_job(name, mutant)))
    return jobs


def _run(named: tuple[str, Callable[[], Check]]) -> Check:
    """Run one job; a job that cannot even build its framework is a failed check."""
    name, job = named
    try:
        return job()
    except Exception as exc:  # a broken mutant or marker must not hide the other checks
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def verify(stages: Sequence[Stage] = STAGES, jobs: int | None = None,
           timeout: float = 900) -> list[Check]:
    """Run every check of every stage (in parallel processes); print and return them."""
    limits = Limits(timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="ember-verify-") as tmp:
        work = [(Path(tmp) / s.id, s) for s in stages]
        todo = [job for folder, stage in work for job in plan(stage, folder, limits)]
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            checks = list(pool.map(_run, todo))
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}")
        if not check.ok:
            print("     " + check.detail.replace("\n", "\n     "))
    return checks

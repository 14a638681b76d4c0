"""The notebook check helper: ``check("01", "views")`` in a test cell.

It runs one graded group of a stage against the student's framework (found exactly like
the notebook's setup cell finds it) in a separate process, prints a short report to
standard output, and raises ``AssertionError`` when anything failed, so nbgrader gives
the cell its points only when every test passed. It never writes to standard error on
success (nbgrader zeroes a test cell with stderr output).

Under grading the notebook decides nothing. The grader has already run every group
itself, outside the kernel (:mod:`autograder.verdicts`), and points ``EMBER_VERDICTS`` at
the reports it wrote; ``check()`` then only prints the grader's report and fails the cell
when the grader's run failed, so the feedback reads as it does for the student at home.
Whatever code in the kernel does to this function, to its output or to those files
changes what the feedback shows, never a score.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .runner import Limits, RunResult, run_tests
from .stages import HIDDEN, get_stage
from .unimplemented import stubs_named
from .workspace import find_framework

#: Set by the grader: the folder of the reports of its own runs (see the module docstring).
VERDICTS_ENV = "EMBER_VERDICTS"


def _summary(stage: str, group: str, result: RunResult, shown: int = 15,
             traceback: bool = False) -> str:
    """The report a student reads under the cell."""
    verdict = "PASSED" if result.ok else "FAILED"
    head = (
        f"Stage {stage} / {group}: {verdict} "
        f"({result.passed} passed, {result.failed} failed, {result.errors} errors, "
        f"{result.duration:.1f} s)"
    )
    # Hidden tests: names of what failed, but no assertion text that would reveal them.
    body = result.report(detail=group != HIDDEN, shown=shown)
    if group != HIDDEN:
        # A blank or half-done framework fails mostly on stubs: say which, before the list.
        todo = stubs_named([t.message for t in result.tests if t.outcome in ("failed", "error")])
        body = f"{todo}\n{body}" if todo else body
    if traceback and group != HIDDEN:
        body += "\n--- pytest output ---\n" + result.output.strip()
    elif result.problem and not result.tests and group != HIDDEN:
        body += "\n--- pytest output (last lines) ---\n" + "\n".join(
            result.output.strip().splitlines()[-25:]
        )
    return f"{head}\n{body}".rstrip()


def verdict_path(folder: Path, stage: str, group: str) -> Path:
    """Where the grader keeps the report of one group's run."""
    return Path(folder) / f"{stage}_{group}.json"


def write_verdict(folder: Path, stage: str, group: str, result: RunResult) -> Path:
    """Write the report ``check()`` prints under grading (the grader calls this)."""
    path = verdict_path(folder, stage, group)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"ok": result.ok, "report": _summary(stage, group, result)}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class CheckFailed(AssertionError):
    """A check cell's failure: the report printed above it says what failed.

    IPython shows this as one line instead of a traceback into the grader (IPython renders
    an exception with a ``_render_traceback_`` method by calling it); the cell still ends
    in an error, so nbgrader still gives it no points.
    """

    result: RunResult | None = None  # the run behind it (None under grading)

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


def _failed(stage: str, group: str, result: RunResult | None = None) -> CheckFailed:
    error = CheckFailed(f"stage {stage} / {group}: not all tests passed; read the report above")
    error.result = result
    return error


def _show_verdict(stage: str, group: str, folder: str) -> None:
    """Print the grader's report of ``stage``/``group`` and fail when its run failed."""
    try:
        data = json.loads(verdict_path(Path(folder), stage, group).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {"ok": False, "report": f"Stage {stage} / {group}: no report from the grader"}
    print(str(data.get("report", "")), flush=True)
    if data.get("ok") is not True:
        raise _failed(stage, group)


def check(stage: str, group: str, *, timeout: float = 240, select: str | None = None,
          show_all: bool = False, traceback: bool = False) -> RunResult | None:
    """Run one graded test group on the student's framework.

    Args:
        stage: stage id such as ``"01"``.
        group: a public group name (``"views"``) or ``"hidden"``.
        timeout: seconds before the test process is stopped (shorter than the cell timeout).
        select: run only the tests whose names match (pytest's ``-k`` expression).
        show_all: list every failing test, not only the first 15.
        traceback: add pytest's own report with a short traceback of each failure.

    Returns:
        The run's result (None under grading, where the grader's report is printed).

    Raises:
        CheckFailed: (an ``AssertionError``) a test failed, errored, or the run crashed or
            timed out.

    Example:
        >>> from autograder import check
        >>> check("01", "views")  # doctest: +SKIP
        Stage 01 / views: PASSED (12 passed, 0 failed, 0 errors, 1.3 s)
        test_views: 12 passed
    """
    if os.environ.get(VERDICTS_ENV):
        return _show_verdict(stage, group, os.environ[VERDICTS_ENV])
    info = get_stage(stage)
    files = info.test_files(group)
    if not files:
        raise AssertionError(f"stage {info.id} has no tests in group {group!r} here")
    options = [*(["-k", select] if select else []), *(["--tb=short"] if traceback else [])]
    result = run_tests(files, find_framework(), Limits(timeout=timeout), options=options)
    shown = len(result.tests) if show_all else 15
    print(_summary(info.id, group, result, shown, traceback), flush=True)
    if not result.ok:
        raise _failed(info.id, group, result)
    return result

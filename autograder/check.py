"""The notebook check helper: ``check("01", "views")`` in a test cell.

It runs one graded group of a stage against the student's framework (found exactly like
the notebook's setup cell finds it) in a separate process, prints a short report to
standard output, and raises ``AssertionError`` when anything failed, so nbgrader gives
the cell its points only when every test passed. It never writes to standard error on
success (nbgrader zeroes a test cell with stderr output).

When ``EMBER_RESULTS_DIR`` is set (the grader sets it), the per-test detail is also
written to ``$EMBER_RESULTS_DIR/<stage>_<group>.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .runner import Limits, RunResult, run_tests
from .stages import HIDDEN, get_stage
from .workspace import find_framework

#: The environment variable naming where per-test JSON results go.
RESULTS_ENV = "EMBER_RESULTS_DIR"


def _summary(stage: str, group: str, result: RunResult) -> str:
    """The report a student reads under the cell."""
    verdict = "PASSED" if result.ok else "FAILED"
    head = (
        f"Stage {stage} / {group}: {verdict} "
        f"({result.passed} passed, {result.failed} failed, {result.errors} errors, "
        f"{result.duration:.1f} s)"
    )
    # Hidden tests: names of what failed, but no assertion text that would reveal them.
    body = result.report(detail=group != HIDDEN)
    if result.problem and not result.tests and group != HIDDEN:
        body += "\n--- pytest output (last lines) ---\n" + "\n".join(
            result.output.strip().splitlines()[-25:]
        )
    return f"{head}\n{body}".rstrip()


def _write_results(stage: str, group: str, result: RunResult, folder: str) -> Path:
    """Write the per-test JSON the grader collects."""
    path = Path(folder) / f"{stage}_{group}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"stage": stage, "group": group, **result.to_dict()}
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    return path


def check(stage: str, group: str, *, timeout: float = 240) -> None:
    """Run one graded test group on the student's framework.

    Args:
        stage: stage id such as ``"01"``.
        group: a public group name (``"views"``) or ``"hidden"``.
        timeout: seconds before the test process is stopped (shorter than the cell timeout).

    Raises:
        AssertionError: a test failed, errored, or the run crashed or timed out.

    Example:
        >>> from autograder import check
        >>> check("01", "views")  # doctest: +SKIP
        Stage 01 / views: PASSED (12 passed, 0 failed, 0 errors, 1.3 s)
        test_views: 12 passed
    """
    info = get_stage(stage)
    files = info.test_files(group)
    if not files:
        raise AssertionError(f"stage {info.id} has no tests in group {group!r} here")
    result = run_tests(files, find_framework(), Limits(timeout=timeout))
    folder = os.environ.get(RESULTS_ENV)
    if folder:
        _write_results(info.id, group, result, folder)
    print(_summary(info.id, group, result), flush=True)
    if not result.ok:
        raise AssertionError(
            f"stage {info.id} / {group}: not all tests passed; read the report above"
        )

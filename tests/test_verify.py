"""The verification logic of ``python -m autograder verify`` (the full run is in make test)."""

from __future__ import annotations

from autograder.runner import RunResult, TestOutcome
from autograder.stages import STAGES
from autograder.verify import _expect_caught, _expect_fail, _expect_pass, stage_files


def result(*outcomes: str, problem: str = "") -> RunResult:
    tests = [TestOutcome(f"m::t{i}", o) for i, o in enumerate(outcomes)]
    return RunResult(tests=tests, returncode=0 if set(outcomes) == {"passed"} else 1,
                     problem=problem)


def test_pass_needs_every_test_to_pass():
    assert _expect_pass("x", result("passed", "passed")).ok
    assert not _expect_pass("x", result("passed", "failed")).ok
    assert not _expect_pass("x", RunResult(problem="no tests were collected", returncode=5)).ok


def test_stubs_must_fail_every_single_test():
    assert _expect_fail("x", result("failed", "error")).ok
    check = _expect_fail("x", result("failed", "passed"))
    assert not check.ok and "m::t1" in check.detail
    assert not _expect_fail("x", RunResult(problem="crashed", returncode=-11)).ok


def test_a_mutant_is_caught_by_any_failing_test():
    assert _expect_caught("x", result("passed", "failed")).ok
    assert not _expect_caught("x", result("passed", "passed")).ok


def test_every_stage_has_graded_files_including_hidden_ones():
    for stage in STAGES:
        files = stage_files(stage)
        assert files and all(f.is_file() for f in files)
        if stage.hidden_points:
            assert stage.test_files("hidden")

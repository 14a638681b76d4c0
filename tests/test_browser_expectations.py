"""The rules of the browser run (tests/browser/expectations.py), without a browser.

``make browser-test`` needs Chromium and takes minutes; what it decides from the page is
plain data, tested here on pages written by hand: a finished notebook, one that stopped,
one with a red output, a blank one whose check cells do or do not say what to write.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).with_name("browser")))

from expectations import RED, Cell, NotebookRun, Output, check_verdict, judge, table  # noqa: E402

STDOUT = "application/vnd.jupyter.stdout"
PASSED = "Stage 01 / views: PASSED (12 passed, 0 failed, 0 errors, 1.2 s)"
FAILED = "Stage 01 / views: FAILED (0 passed, 12 failed, 0 errors, 1.2 s)"
NOT_YET = ("Not implemented yet: `Tensor.view` in framework/ember/_tensor.py (stage 01, "
           "exercise 7). Implement it first; this example then runs.")


def _cells(check_outputs, prompts=("[1]:", "[2]:", "[3]:", "[4]:"), example=()):
    return [
        Cell(2, "setup", prompts[0]),
        Cell(4, "", prompts[1], tuple(example)),
        Cell(5, "check_views", prompts[2], tuple(check_outputs)),
        Cell(9, "check_hidden", prompts[3]),
    ]


def _run(mode, cells):
    run = NotebookRun("01_tensors", mode, cells)
    run.problems = judge(run)
    return run


def test_a_finished_reference_notebook_has_no_problem():
    run = _run("reference", _cells([Output(STDOUT, PASSED)]))
    assert run.problems == []
    assert (run.ran, run.red_outputs, run.last_ran) == (4, 0, True)


def test_reference_red_output_is_a_problem_even_in_an_example_cell():
    run = _run("reference", _cells([Output(STDOUT, PASSED)],
                                   example=[Output(RED, "UserWarning: something\n")]))
    assert len(run.problems) == 1
    assert "cell 4" in run.problems[0] and "UserWarning" in run.problems[0]


def test_reference_failed_check_is_a_problem():
    run = _run("reference", _cells([Output(STDOUT, FAILED), Output(RED, "CheckFailed: ...")]))
    assert any("check_views shows FAILED" in p for p in run.problems)
    assert any("red output" in p for p in run.problems)


def test_run_all_that_stopped_is_a_problem_in_both_modes():
    prompts = ("[1]:", "[2]:", "[ ]:", "[ ]:")
    for mode in ("reference", "blank"):
        run = _run(mode, _cells([], prompts=prompts))
        assert run.problems == ["Run All stopped before the last cell (cell 5 never ran)"]
        assert not run.last_ran


def test_blank_check_cell_must_say_what_to_implement():
    good = _run("blank", _cells([Output(STDOUT, FAILED + "\n" + NOT_YET),
                                 Output(RED, "CheckFailed: stage 01 / views")]))
    assert good.problems == []
    bare = _run("blank", _cells([Output(STDOUT, FAILED), Output(RED, "CheckFailed: ...")]))
    assert bare.problems and "check_views shows FAILED" in bare.problems[0]
    silent = _run("blank", _cells([]))
    assert silent.problems and "shows silent" in silent.problems[0]


@pytest.mark.parametrize("text", [
    "Stage 01: implement Tensor.view",
    "NotImplementedError: Stage 04: implement Module.__setattr__",
    "Implement `tensor` first, then this check can run.",
])
def test_the_stub_messages_count_as_readable(text):
    cell = Cell(5, "check_views", "[3]:", (Output(STDOUT, text),))
    assert check_verdict(cell, "blank") == "implement-first"
    # In reference mode the same text is not a pass.
    assert check_verdict(cell, "reference") == "unreadable"


def test_a_page_that_could_not_be_read_is_a_problem():
    run = NotebookRun("01_tensors", "reference", [], failure="the kernel was still busy")
    assert judge(run) == ["the kernel was still busy"]
    assert judge(NotebookRun("01_tensors", "blank", [])) == ["the page showed no code cell"]
    with pytest.raises(ValueError, match="mode must be one of"):
        judge(NotebookRun("01_tensors", "finished", _cells([])))


def test_the_table_has_a_row_per_notebook_and_lists_problems():
    runs = [_run("reference", _cells([Output(STDOUT, PASSED)])),
            _run("blank", _cells([], prompts=("[1]:", "[ ]:", "[ ]:", "[ ]:")))]
    text = table(runs).splitlines()
    assert text[0].split()[:2] == ["notebook", "mode"]
    assert "4/4" in text[2] and "1 PASSED" in text[2] and text[2].endswith("ok")
    assert "1/4" in text[3] and "NOT RUN" in text[3] and "1 not run" in text[3]
    assert text[-1].startswith("01_tensors (blank): Run All stopped")


def test_a_cell_skipped_before_the_last_one_is_a_problem():
    run = _run("reference", _cells([Output(STDOUT, PASSED)], prompts=("[1]:", "", "[2]:", "[3]:")))
    assert run.problems == ["code cells [4] never ran (prompts [''])"]

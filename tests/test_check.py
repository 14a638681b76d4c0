"""The notebook check helper, the graded runner and the setup cell's framework finder."""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from autograder import check
from autograder.runner import Limits, run_tests
from autograder.suites import plugin
from autograder.workspace import find_framework, use_framework

check_mod = importlib.import_module("autograder.check")  # the attribute is the function

TESTS = {
    "good": "import ember\ndef test_add():\n    assert ember.add(1, 2) == 3\n",
    "bad": "import ember\ndef test_add():\n    assert ember.add(1, 2) == 4, 'one plus two'\n"
           "def test_ok():\n    pass\n",
    "loop": "def test_loop():\n    while True:\n        pass\n",
    "crash": "import os\ndef test_crash():\n    os.abort()\n",
    "hog": "def test_hog():\n    block = bytearray(16 * 2**30)\n    assert block\n",
    "noisy": "import sys\ndef test_noisy():\n    print('x' * 100_000)\n"
             "    sys.stderr.write('stderr from the student\\n' * 1000)\n",
}


class FakeStage:
    """Stands in for a registry stage: groups map to the test files above."""

    id = "01"

    def __init__(self, folder: Path):
        self.folder = folder

    def test_files(self, group: str) -> list[Path]:
        return [self.folder / f"test_{group}.py"]


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A workspace with framework/ember; the cwd is a notebook folder inside it."""
    package = tmp_path / "framework" / "ember"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def add(a, b):\n    return a + b\n")
    tests = tmp_path / "suites"
    tests.mkdir()
    for name, body in TESTS.items():
        (tests / f"test_{name}.py").write_text(body)
    notebook_dir = tmp_path / "course" / "release" / "01_x"
    notebook_dir.mkdir(parents=True)
    monkeypatch.chdir(notebook_dir)
    monkeypatch.setattr(check_mod, "get_stage", lambda stage: FakeStage(tests))
    monkeypatch.delenv(check_mod.VERDICTS_ENV, raising=False)
    return tmp_path


def test_success_prints_a_short_report_to_stdout_only(course, capfd):
    check("01", "good")
    out, err = capfd.readouterr()
    assert err == ""
    assert out.startswith("Stage 01 / good: PASSED (1 passed, 0 failed, 0 errors")
    assert "test_good: 1 passed" in out


def test_failure_raises_and_names_the_failing_test_with_its_message(course, capfd):
    with pytest.raises(AssertionError, match="not all tests passed"):
        check("01", "bad")
    out, err = capfd.readouterr()
    assert "FAILED test_bad::test_add" in out and "one plus two" in out
    assert "test_ok" not in out.split("FAILED", 1)[1]
    assert err == ""


def test_hidden_group_reports_names_but_not_assertion_text(course, monkeypatch, capfd):
    monkeypatch.setattr(FakeStage, "test_files", lambda self, g: [self.folder / "test_bad.py"])
    with pytest.raises(AssertionError):
        check("01", "hidden")
    out, _ = capfd.readouterr()
    assert "FAILED test_bad::test_add" in out and "one plus two" not in out


def test_an_infinite_loop_is_stopped_by_the_timeout(course, capfd):
    with pytest.raises(AssertionError):
        check("01", "loop", timeout=3)
    out, _ = capfd.readouterr()
    assert "did not finish within 3 s" in out


def test_a_crashing_interpreter_is_reported(course, capfd):
    with pytest.raises(AssertionError):
        check("01", "crash")
    out, _ = capfd.readouterr()
    assert "killed by signal" in out or "no results" in out


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_memory_is_capped(course, capfd):
    with pytest.raises(AssertionError):
        check("01", "hog")
    out, _ = capfd.readouterr()
    assert "MemoryError" in out


def test_student_output_and_stderr_never_reach_the_notebook(course, capfd):
    check("01", "noisy")
    out, err = capfd.readouterr()
    assert err == "" and len(out) < 2000


def test_under_grading_check_prints_the_graders_verdict_and_runs_nothing(
        course, tmp_path, monkeypatch, capfd):
    result = run_tests([course / "suites" / "test_bad.py"], course / "framework",
                       Limits(timeout=60))
    folder = tmp_path / "verdicts"
    check_mod.write_verdict(folder, "01", "bad", result)
    monkeypatch.setenv(check_mod.VERDICTS_ENV, str(folder))
    # The suite is gone: a check that ran anything would now fail differently.
    shutil.rmtree(course / "suites")
    with pytest.raises(AssertionError, match="not all tests passed"):
        check("01", "bad")
    assert "Stage 01 / bad: FAILED (1 passed, 1 failed" in capfd.readouterr().out
    with pytest.raises(AssertionError):  # no report for this group: never a pass
        check("01", "good")
    assert "no report from the grader" in capfd.readouterr().out


def test_runner_uses_the_given_framework_not_an_inherited_pythonpath(course, tmp_path,
                                                                      monkeypatch):
    decoy = tmp_path / "decoy" / "ember"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("def add(a, b):\n    return 0\n")
    monkeypatch.setenv("PYTHONPATH", str(decoy.parent))
    result = run_tests([course / "suites" / "test_good.py"], course / "framework",
                       Limits(timeout=60))
    assert result.ok, result.output


def test_an_ember_that_kills_pytest_at_import_is_not_a_pass(course):
    init = course / "framework" / "ember" / "__init__.py"
    init.write_text("import os\nos._exit(0)\n")
    result = run_tests([course / "suites" / "test_good.py"], course / "framework",
                       Limits(timeout=60))
    assert not result.ok and result.problem


def test_the_plugin_refuses_an_ember_from_elsewhere(tmp_path):
    framework = tmp_path / "framework"
    inside = str(framework / "ember" / "__init__.py")
    hello = {"ember": inside, "path": [str(framework / "ember")], "files": [inside]}
    assert plugin.check_origin(hello, str(framework)) == inside
    elsewhere = str(tmp_path / "solutions" / "ember" / "ops.py")
    for key, value in (("ember", elsewhere), ("path", [str(tmp_path / "solutions")]),
                       ("files", [inside, elsewhere])):  # __file__, __path__, a submodule
        with pytest.raises(pytest.UsageError, match="must come from EMBER_FRAMEWORK"):
            plugin.check_origin({**hello, key: value}, str(framework))


def test_find_framework_walks_up_and_ignores_solutions(tmp_path):
    (tmp_path / "solutions" / "ember").mkdir(parents=True)
    (tmp_path / "solutions" / "ember" / "__init__.py").write_text("")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="framework/ember"):
        find_framework(deep)
    (tmp_path / "framework" / "ember").mkdir(parents=True)
    (tmp_path / "framework" / "ember" / "__init__.py").write_text("")
    assert find_framework(deep) == (tmp_path / "framework").resolve()


def test_use_framework_imports_the_nearest_ember_afresh(tmp_path, monkeypatch):
    package = tmp_path / "framework" / "ember"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    saved = {k: v for k, v in sys.modules.items() if k == "ember" or k.startswith("ember.")}
    try:
        assert use_framework().VALUE == 1
        (package / "__init__.py").write_text(textwrap.dedent("VALUE = 2\n"))
        module = use_framework()
        assert module.VALUE == 2 and sys.path[0] == str((tmp_path / "framework").resolve())
    finally:
        for name in [k for k in sys.modules if k == "ember" or k.startswith("ember.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_a_failed_check_shows_one_line_in_the_notebook_not_a_traceback(course):
    with pytest.raises(check_mod.CheckFailed) as info:
        check("01", "bad")
    assert isinstance(info.value, AssertionError)  # nbgrader and pytest still see a failure
    lines = info.value._render_traceback_()  # what IPython prints instead of a traceback
    assert len(lines) == 1 and "stage 01 / bad: not all tests passed" in lines[0]


def test_the_test_command_runs_one_test_and_ends_with_a_summary(tmp_path, monkeypatch, capsys):
    from autograder import cli

    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "solutions" / "ember", tmp_path / "framework" / "ember")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(check_mod.VERDICTS_ENV, raising=False)
    code = cli.main(["test", "01", "views", "-k", "test_view_has_the_new_shape"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Stage 01 / views: PASSED (1 passed, 0 failed" in out
    assert out.rstrip().splitlines()[-1] == (
        "stage 01: 1 of 1 groups passed (1 tests passed, 0 failed, 0 errors); all passed")
    assert cli.main(["test", "01", "hidden"]) == 2
    assert "run only when your work is graded" in capsys.readouterr().err
    assert cli.main(["test", "01", "nosuch"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "error: stage 01 has no test group 'nosuch'; its groups: tensor, creation")
    assert "hidden" not in err


def test_a_passing_check_cell_shows_only_its_report_in_a_notebook():
    from IPython.core.interactiveshell import InteractiveShell

    from autograder.runner import RunResult, TestOutcome

    shell = InteractiveShell.instance()
    try:
        # What a Jupyter kernel sends as the cell's result: nothing for a RunResult (the
        # report is printed already), its repr for anything else.
        result = RunResult(tests=[TestOutcome(nodeid="t", outcome="passed")])
        assert shell.display_formatter.format(result) == ({}, {})
        assert shell.display_formatter.format(result.tests[0])[0]["text/plain"].startswith(
            "TestOutcome(")
    finally:
        InteractiveShell.clear_instance()

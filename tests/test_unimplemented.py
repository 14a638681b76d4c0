"""The kernel's report of stubs: one line, and "Run All" goes on (autograder/unimplemented.py).

A real IPython shell runs the cells in-process; ``result.success`` is what ipykernel turns
into the reply's status, the one Jupyter's "Run All" stops on. The end-to-end proof, with
a real kernel on every notebook, is in ``tests/test_notebooks.py``.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from IPython.core.interactiveshell import InteractiveShell

from autograder import unimplemented
from autograder.check import VERDICTS_ENV, CheckFailed
from autograder.unimplemented import Stub, exercise_of, install, stub_of, stubs_named

STUB = '''
def tensor(data):
    """Make a tensor."""
    # ---- your code (stage 01): tensor ----
    raise NotImplementedError("Stage 01: implement tensor")
    # ---- end of your code (stage 01) ----
'''

NOTEBOOK = {"cells": [
    {"cell_type": "markdown", "source": "**Exercise 1 (creation).** Write:\n\n"
                                        "- `framework/ember/_creation.py`: `tensor`, `zeros`"},
    {"cell_type": "code", "source": "check('01', 'creation')"},
    {"cell_type": "markdown", "source": ["**Exercise 2 (ops).**\n",
                                         "- `framework/ember/ops/x.py`: the `forward` of `Add`"]},
]}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """framework/ember with one stub; the cwd is the notebook's folder, notebook inside."""
    package = tmp_path / "framework" / "ember"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from ._creation import tensor\n")
    (package / "_creation.py").write_text(STUB)
    folder = tmp_path / "course" / "release" / "01_tensors"
    folder.mkdir(parents=True)
    (folder / "01_tensors.ipynb").write_text(json.dumps(NOTEBOOK))
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(tmp_path / "framework"))
    monkeypatch.delenv(VERDICTS_ENV, raising=False)
    for name in [m for m in list(sys.modules) if m.split(".")[0] == "ember"]:
        monkeypatch.delitem(sys.modules, name)
    return tmp_path


@pytest.fixture
def shell(workspace):
    shell = InteractiveShell.instance()
    yield shell
    shell.set_custom_exc((), None)
    for event in ("pre_run_cell", "post_run_cell"):
        shell.events.callbacks[event].clear()
    InteractiveShell.clear_instance()


def run(shell, source: str):
    return shell.run_cell(textwrap.dedent(source), store_history=True)


def test_a_stub_names_itself_its_file_and_its_exercise(workspace):
    import ember

    with pytest.raises(NotImplementedError) as caught:
        ember.tensor([1])
    assert stub_of(caught.value) == Stub("01", "tensor", "framework/ember/_creation.py", 1)
    assert stub_of(caught.value).describe() == (
        "Not implemented yet: `tensor` in framework/ember/_creation.py (stage 01, exercise 1). "
        "Implement it first; this example then runs.")


def test_only_a_stubs_own_error_counts(workspace):
    assert stub_of(NotImplementedError("not supported yet")) is None
    assert stub_of(ValueError("Stage 01: implement tensor")) is None
    try:  # the stub's wording, raised from outside the framework
        raise NotImplementedError("Stage 01: implement tensor")
    except NotImplementedError as error:
        assert stub_of(error) is None


def test_exercises_are_found_by_file_and_name_or_by_an_ops_class():
    cells = NOTEBOOK["cells"]
    assert exercise_of(cells, "framework/ember/_creation.py", "zeros") == 1
    assert exercise_of(cells, "framework/ember/ops/x.py", "Add.forward") == 2
    assert exercise_of(cells, "framework/ember/ops/x.py", "Sub.forward") == 2  # only one
    assert exercise_of(cells, "framework/ember/other.py", "f") is None


def test_a_check_report_names_the_stubs_its_tests_met():
    messages = ["NotImplementedError: Stage 01: implement tensor",
                "AssertionError: 3 != 4", "NotImplementedError: Stage 01: implement tensor\n"
                "NotImplementedError: Stage 02: implement Add.backward"]
    assert stubs_named(messages) == (
        "Not implemented yet: `tensor`, `Add.backward` (stage 01, 02). "
        "Implement them first; the exercise names their files.")
    assert stubs_named(["AssertionError: 3 != 4"]) == ""
    many = [f"Stage 01: implement f{i}" for i in range(10)]
    assert "`f7`, and 2 more (stage 01)" in stubs_named(many)


def test_an_example_that_meets_a_stub_prints_one_line_and_succeeds(shell, capsys):
    assert install(shell)
    run(shell, "import ember")
    result = run(shell, "t = ember.tensor([1.0])\nprint('unreached')")
    out = capsys.readouterr().out
    assert result.success, "Run All would stop here"
    assert out == ("Not implemented yet: `tensor` in framework/ember/_creation.py "
                   "(stage 01, exercise 1). Implement it first; this example then runs.\n")


def test_a_later_example_that_needs_what_it_left_unfinished_succeeds_too(shell, capsys):
    install(shell)
    run(shell, "import ember")
    run(shell, "costs = []\nfor n in range(3):\n    costs.append(ember.tensor([n]))")
    capsys.readouterr()
    result = run(shell, "print(costs[2])")   # IndexError: the loop stopped at once
    out = capsys.readouterr().out
    assert result.success
    assert "uses `costs`, which an earlier example did not finish (IndexError" in out
    assert "Not implemented yet: `tensor`" in out


def test_a_name_error_names_the_value_it_misses(shell, capsys):
    install(shell)
    run(shell, "import ember")
    run(shell, "features = 1\nlabels = ember.tensor([1.0])")  # stops before labels exists
    capsys.readouterr()
    result = run(shell, "print(features, labels)")  # reads both; only labels is missing
    out = capsys.readouterr().out
    assert result.success
    assert "uses `labels`, which an earlier example did not finish (NameError" in out, out


def test_a_figure_the_stub_interrupted_is_closed_unshown(shell, capsys):
    plt = pytest.importorskip("matplotlib.pyplot")
    install(shell)
    run(shell, "import ember\nimport matplotlib.pyplot as plt")
    run(shell, "before = plt.figure()")           # an earlier cell's figure stays open
    run(shell, "costs = []\nfor n in range(3):\n    costs.append(ember.tensor([n]))")
    kept = set(plt.get_fignums())
    capsys.readouterr()
    result = run(shell, "fig, ax = plt.subplots()\nax.plot(range(3), costs)")
    assert result.success
    assert "Not implemented yet: `tensor`" in capsys.readouterr().out
    assert set(plt.get_fignums()) == kept, "the empty axes would be shown under the line"
    result = run(shell, "fig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])")
    assert result.success and len(plt.get_fignums()) == len(kept) + 1  # a real one stays
    plt.close("all")


def test_once_the_name_is_computed_its_errors_are_real_again(shell, capsys):
    install(shell)
    run(shell, "import ember")
    run(shell, "x = ember.tensor([1])")
    run(shell, "x = [1]")                     # computed now
    capsys.readouterr()
    result = run(shell, "x[5]")
    assert not result.success and isinstance(result.error_in_exec, IndexError)
    assert "Not implemented yet" not in capsys.readouterr().out


def test_any_other_error_still_stops_run_all(shell):
    install(shell)
    for source in ("1 / 0", "raise NotImplementedError('not supported')", "undefined_name"):
        result = run(shell, source)
        assert not result.success, source


def test_a_failed_check_keeps_its_error_but_does_not_stop_run_all(shell, capsys):
    install(shell)
    shell.user_ns["CheckFailed"] = CheckFailed
    result = run(shell, "raise CheckFailed('stage 01 / creation: not all tests passed')")
    assert result.success
    assert "CheckFailed" in capsys.readouterr().out  # the error output nbgrader scores


def test_rerunning_the_setup_cell_never_stacks_the_hooks(shell):
    install(shell)
    install(shell)
    reporters = [c for c in shell.events.callbacks["post_run_cell"]
                 if getattr(c, "__self__", None).__class__ is unimplemented._Reporter]
    assert len(reporters) == 1


def test_nothing_is_installed_under_grading_or_outside_ipython(shell, monkeypatch):
    monkeypatch.setenv(VERDICTS_ENV, "/nowhere")
    assert not install(shell)
    result = run(shell, "import ember\nember.tensor([1])")
    assert not result.success and isinstance(result.error_in_exec, NotImplementedError)
    monkeypatch.delenv(VERDICTS_ENV)
    InteractiveShell.clear_instance()
    assert not install()

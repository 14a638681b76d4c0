"""Every notebook runs top to bottom: on the reference, and as "Run All" on a blank handout.

The notebook is copied next to a ``framework/ember`` (the reference for a finished
workspace, the generated stubs for a blank handout) and executed by a real Jupyter kernel.
On the reference, check cells must pass and must write nothing to stderr (nbgrader zeroes
such cells). On the blank handout, execution stops at the first cell whose reply is an
error, exactly as Jupyter's "Run All" does (``autograder/unimplemented.py`` is what lets it
go on), so reaching the last cell proves that no example cell stops a student; every check
cell must still fail for nbgrader and say which function to implement first.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from autograder.stages import STAGES

ROOT = Path(__file__).resolve().parents[1]
#: What an example or check cell prints when it reaches a stub.
NOT_YET = "Not implemented yet: `"
#: A check cell's call (the release's hidden cell holds only a comment).
CHECK_CALL = re.compile(r"^check\(", re.MULTILINE)


def _execute(stage, framework: Path, notebook_path: Path, tmp_path: Path):
    """Run ``notebook_path`` in a workspace whose ``framework/ember`` is ``framework``."""
    shutil.copytree(framework, tmp_path / "framework" / "ember")
    work = tmp_path / stage.name
    work.mkdir()
    shutil.copy(notebook_path, work)  # as in a handout: the notebook beside its kernel
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=False,  # like "Run All": the first error reply ends the run
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()
    return notebook


def _text(cell, name: str = "stdout") -> str:
    return "".join(o["text"] for o in cell.outputs
                   if o.get("output_type") == "stream" and o["name"] == name)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_source_notebook_runs_on_the_reference(stage, tmp_path):
    notebook = _execute(stage, ROOT / "solutions" / "ember",
                        ROOT / "course" / "source" / stage.notebook, tmp_path)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        stderr = _text(cell, "stderr")
        if grade_id.startswith("check_") or grade_id == "setup":
            assert not stderr, f"cell {grade_id} wrote to stderr:\n{stderr}"
        assert NOT_YET not in _text(cell), f"the reference reached a stub:\n{_text(cell)}"
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"cells raised: {[e.ename for e in errors]}"


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_run_all_on_a_blank_handout_reaches_every_check(stage, tmp_path):
    notebook = _execute(stage, ROOT / "framework" / "ember",
                        ROOT / "course" / "release" / stage.notebook, tmp_path)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "Run All stopped early"
    checks = [c for c in code if c.metadata.get("nbgrader", {}).get("grade")
              and CHECK_CALL.search(c.source)]
    assert checks, f"{stage.name} has no check cell"
    for cell in checks:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        points = cell.metadata["nbgrader"]["points"]
        # The cell still raised (an error output), so nbgrader gives it no points ...
        assert determine_grade(cell) == (0, points), f"{grade_id} did not fail for nbgrader"
        # ... and its report starts with what to write first.
        assert NOT_YET in _text(cell), f"{grade_id} does not say what to implement:\n" + (
            _text(cell))
    stopped = [c for c in code if NOT_YET in _text(c) and c not in checks]
    assert stopped, "no example met a stub, so this test proves nothing about them"
    for cell in stopped:  # an example that met a stub shows the line, not a traceback
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        assert " in framework/ember/" in _text(cell), _text(cell)

"""Every source notebook runs top to bottom on the reference framework.

The notebook is copied next to a ``framework/ember`` that is the reference, exactly as a
student's finished workspace would look, and executed by a real Jupyter kernel. Check
cells must pass and must write nothing to stderr (nbgrader zeroes such cells).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.stages import STAGES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_source_notebook_runs_on_the_reference(stage, tmp_path):
    shutil.copytree(ROOT / "solutions" / "ember", tmp_path / "framework" / "ember")
    work = tmp_path / stage.name
    work.mkdir()
    notebook = nbformat.read(ROOT / "course" / "source" / stage.notebook, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        streams = [o for o in cell.outputs if o.get("output_type") == "stream"]
        stderr = "".join(o["text"] for o in streams if o["name"] == "stderr")
        if grade_id.startswith("check_") or grade_id == "setup":
            assert not stderr, f"cell {grade_id} wrote to stderr:\n{stderr}"
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"cells raised: {[e.ename for e in errors]}"

"""A tiny Ember-like course for testing the release builder and the grader quickly.

``make_course(root)`` writes ``root/solutions/ember`` (two stage-01 regions),
``root/course`` (nbgrader config and one source notebook with a locked setup cell, two
graded test cells, one hidden test cell and a manually graded answer) and returns the
:class:`~autograder.stages.Stage` describing it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.stages import Stage

REPO = Path(__file__).resolve().parent.parent

SOLUTION = '''"""A tiny ember."""


def add(a, b):
    """Add two numbers."""
    ### BEGIN SOLUTION 01
    return a + b
    ### END SOLUTION


class Box:
    """Holds a value."""

    def double(self, x):
        """Twice x."""
        ### BEGIN SOLUTION 01
        total = x + x  # a line long enough to count as solution text
        return total
        ### END SOLUTION
'''

SETUP = "from autograder.workspace import use_framework\nember = use_framework()"
HIDDEN = (
    "### BEGIN HIDDEN TESTS\n"
    "assert ember.Box().double(21) == 42, 'secret-hidden-check'\n"
    "### END HIDDEN TESTS"
)


def _meta(grade_id: str, *, grade: bool = False, solution: bool = False,
          locked: bool = True, points: int = 0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def notebook() -> nbformat.NotebookNode:
    """The tiny stage's source notebook (3 + 2 auto points, 1 manual point)."""
    cells = [
        new_markdown_cell("# Tiny stage", metadata=_meta("intro")),
        new_code_cell(SETUP, metadata=_meta("setup")),
        new_code_cell("assert ember.add(1, 2) == 3",
                      metadata=_meta("test_add", grade=True, points=2)),
        new_code_cell("print('ok')\n" + HIDDEN,
                      metadata=_meta("test_hidden", grade=True, points=1)),
        new_code_cell("assert ember.Box().double(2) == 4",
                      metadata=_meta("test_double", grade=True, points=2)),
        new_markdown_cell("YOUR ANSWER HERE", metadata=_meta(
            "reflection", grade=True, solution=True, locked=False, points=1)),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3", "language": "python", "name": "python3"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def make_course(root: Path) -> Stage:
    """Write the tiny solutions and course under ``root``; return its stage."""
    (root / "solutions" / "ember").mkdir(parents=True)
    (root / "solutions" / "ember" / "__init__.py").write_text(SOLUTION)
    source = root / "course" / "source" / "01_tiny"
    source.mkdir(parents=True)
    shutil.copy(REPO / "course" / "nbgrader_config.py", root / "course" / "nbgrader_config.py")
    nbformat.write(notebook(), source / "01_tiny.ipynb")
    return Stage(id="01", slug="tiny", title="Tiny", section="-", public={"add": 2, "double": 2},
                 hidden_points=1, manual_points=1)

"""A tiny Ember-like course for testing the release builder and the grader quickly.

``make_course(root)`` writes ``root/solutions/ember`` (two stage-01 regions),
``root/course`` (nbgrader config and one source notebook with a locked setup cell, two
graded check cells, one hidden check cell and a manually graded answer), ``root/suites``
(the pytest files of its groups ``add``, ``double`` and ``hidden``) and returns the
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
CHECK = "from autograder import check\ncheck(\"01\", \"{}\")"
HIDDEN = (
    "from autograder import check\n"
    "### BEGIN HIDDEN TESTS\n"
    "check(\"01\", \"hidden\")\n"
    "### END HIDDEN TESTS"
)
SUITES = {
    "public/stage01/test_add.py": (
        "import ember\n\n\ndef test_add():\n    assert ember.add(1, 2) == 3\n"),
    "public/stage01/test_double.py": (
        "import ember\n\n\ndef test_double():\n    assert ember.Box().double(2) == 4\n"),
    "hidden/stage01/test_secret.py": (
        "import ember\n\n\ndef test_secret():\n"
        "    assert ember.Box().double(21) == 42, 'secret-hidden-check'\n"
        "    assert ember.Box().double(-5) == -10, 'secret-negative-check'\n"
        "    assert ember.add(ember.Box().double(1), 0.5) == 2.5, 'secret-mixed-check'\n"),
}


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
        new_code_cell(CHECK.format("add"), metadata=_meta("test_add", grade=True, points=2)),
        new_code_cell("print('ok')\n" + HIDDEN,
                      metadata=_meta("test_hidden", grade=True, points=1)),
        new_code_cell(CHECK.format("double"),
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
    for name, text in SUITES.items():
        (root / "suites" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "suites" / name).write_text(text)
    return Stage(id="01", slug="tiny", title="Tiny", section="-", public={"add": 2, "double": 2},
                 hidden_points=1, manual_points=1, suites=root / "suites")


def workspace(folder: Path, release_dir: Path, framework: Path | None,
              notebook: bool = True) -> Path:
    """A student's handout folder: the released notebook and (optionally) ``framework``."""
    (folder / "course" / "release").mkdir(parents=True)
    if notebook:
        shutil.copytree(release_dir / "01_tiny", folder / "course" / "release" / "01_tiny")
    if framework is not None:
        shutil.copytree(framework, folder / "framework" / "ember")
    return folder


def student_notebook(folder: Path) -> Path:
    """The tiny notebook inside a workspace made by :func:`workspace`."""
    return folder / "course" / "release" / "01_tiny" / "01_tiny.ipynb"


def add_cell(folder: Path, source: str, kind: str = "code", after: str = "setup") -> None:
    """Insert a cell of the student's own after the cell ``after`` of the tiny notebook."""
    path = student_notebook(folder)
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == after)
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    cell["id"] = f"student-{len(nb.cells)}"
    nb.cells.insert(index + 1, cell)
    nbformat.write(nb, path)

"""Reading and repairing scores in nbgrader's gradebook.

Scores are always read through nbgrader's gradebook API (never from console output or
from ``nbgrader validate``, which exits 0 on failure). When autograde could not finish a
notebook (the kernel died, the notebook was missing or not valid JSON), the stage is
scored here from what the check cells recorded before the failure.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry

from .processes import COURSE_ID

#: A test cell's call of the check helper: ``check("01", "views")``.
CHECK_CALL = re.compile(r"""check\(\s*["'](\d+)["']\s*,\s*["'](\w+)["']""")


@dataclass
class CellScore:
    """The auto score of one graded test cell."""

    score: float
    max_score: float


@dataclass
class NotebookScores:
    """Auto-graded cells of one submitted notebook (empty when there is no submission)."""

    cells: dict[str, CellScore] = field(default_factory=dict)
    complete: bool = False

    @property
    def score(self) -> float:
        return sum(c.score for c in self.cells.values())

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.cells.values())


def db_url(db: Path) -> str:
    return f"sqlite:///{Path(db).resolve()}"


def add_students(db: Path, students: list[str]) -> None:
    """Create the students in the gradebook."""
    with Gradebook(db_url(db), COURSE_ID) as gb:
        for student in students:
            gb.update_or_create_student(student)


def _auto_grades(notebook: Any) -> list[Any]:
    """Grades of the notebook's auto-graded (code) grade cells."""
    return [g for g in notebook.grades if getattr(g.cell, "cell_type", None) == "code"]


def read_scores(db: Path, assignment: str, student: str) -> NotebookScores:
    """The auto scores of ``student``'s ``assignment`` notebook (same name as the assignment)."""
    with Gradebook(db_url(db), COURSE_ID) as gb:
        try:
            notebook = gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return NotebookScores()
        grades = _auto_grades(notebook)
        cells = {g.name: CellScore(g.auto_score or 0.0, g.max_score or 0.0) for g in grades}
        complete = bool(grades) and all(g.auto_score is not None for g in grades)
        return NotebookScores(cells, complete)


def cell_groups(source_notebook: Path) -> dict[str, tuple[str, str]]:
    """``grade_id → (stage, group)`` for each test cell of a source notebook calling check()."""
    notebook = json.loads(Path(source_notebook).read_text(encoding="utf-8"))
    groups = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        match = CHECK_CALL.search(source)
        if meta.get("grade") and match:
            groups[meta["grade_id"]] = (match.group(1), match.group(2))
    return groups


def write_fallback_scores(db: Path, assignment: str, student: str,
                          earned: dict[str, float]) -> NotebookScores:
    """Record ``earned`` (grade_id → points; others 0) for a notebook autograde could not finish."""
    with Gradebook(db_url(db), COURSE_ID) as gb, warnings.catch_warnings():
        # nbgrader's own create path triggers harmless SQLAlchemy autoflush warnings.
        warnings.simplefilter("ignore")
        gb.update_or_create_submission(assignment, student)
        notebook = gb.find_submission_notebook(assignment, assignment, student)
        for grade in _auto_grades(notebook):
            grade.auto_score = min(earned.get(grade.name, 0.0), grade.max_score or 0.0)
            grade.needs_manual_grade = False
        gb.db.commit()
    return read_scores(db, assignment, student)

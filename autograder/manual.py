"""After autograding: the formgrader for the reflection answers, then feedback and export.

A grading run (``python -m autograder grade``) leaves a complete nbgrader course in
``<grades>/course`` and its gradebook in ``<grades>/gradebook.db``. The manual part of the
job is nbgrader's own, on that course:

1. :func:`formgrader_command` opens JupyterLab in the grading course with the gradebook it
   needs (``EMBER_GRADEBOOK``: without it every nbgrader page there fails with "unable to
   open database file"); the formgrader is at ``/formgrader``: grade the reflection answers.
2. :func:`finish` regenerates every student's feedback HTML, now with the manual scores and
   comments (hidden tests still stripped, and any file showing their text withheld), and
   exports every score, automatic and manual, with ``nbgrader export`` to
   ``<grades>/grades_final.csv``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import reports
from .nbgrader_runs import feedback, tail
from .processes import nbgrader_env, run_nbgrader
from .stages import STAGES, Stage

#: The export of every score once manual grading is done.
FINAL_CSV = "grades_final.csv"


@dataclass
class Finished:
    """What :func:`finish` did.

    Attributes:
        feedback: the feedback HTML files written.
        problems: one line per feedback file not written, and why.
        csv: the exported scores.
    """

    feedback: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    csv: Path | None = None


def grading_course(grades: Path) -> tuple[Path, Path]:
    """``(course, gradebook)`` of a grading run, or a ValueError saying what is missing."""
    course, db = Path(grades) / "course", Path(grades) / "gradebook.db"
    if not (course / "nbgrader_config.py").is_file() or not db.is_file():
        raise ValueError(f"no grading run in {grades} (expected course/ and gradebook.db): "
                         "run 'python -m autograder grade SUBMISSIONS' first")
    return course.resolve(), db.resolve()


def formgrader_command(grades: Path, lab_args: Sequence[str] = ()
                       ) -> tuple[list[str], Path, dict[str, str]]:
    """``(command, cwd, env)`` of JupyterLab serving the formgrader on a grading run."""
    course, db = grading_course(grades)
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={course}",
           "--ServerApp.default_url=/formgrader", *lab_args]
    return cmd, course, nbgrader_env({"EMBER_GRADEBOOK": str(db)})


def finish(grades: Path, stages: Sequence[Stage] | None = None) -> Finished:
    """Feedback with the manual scores for every graded student, then ``grades_final.csv``.

    Args:
        grades: the grading run's output folder.
        stages: the stages to give feedback on (default: every registered stage graded).
    """
    course, db = grading_course(grades)
    if stages is None:
        stages = [s for s in STAGES if (course / "source" / s.name).is_dir()]
    done = Finished()
    autograded = course / "autograded"
    students = sorted(p.name for p in autograded.iterdir() if p.is_dir()) if (
        autograded.is_dir()) else []
    for student in students:
        results = {stage.name: reports.StageGrade(stage.name) for stage in stages}
        feedback(course, db, student, stages, results)
        for name, result in results.items():
            if result.feedback:
                done.feedback.append(Path(result.feedback))
            elif (autograded / student / name).is_dir():
                done.problems += [f"{student} / {name}: {reason}" for reason in result.reasons]
    csv = Path(grades).resolve() / FINAL_CSV
    exported = run_nbgrader(["export", f"--to={csv}"], course, db)
    if exported.returncode != 0 or not csv.is_file():
        raise RuntimeError(f"nbgrader export failed:\n{tail(exported.output, 20)}")
    done.csv = csv
    return done

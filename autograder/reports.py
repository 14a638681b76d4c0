"""Grading outputs: ``grades.csv``, ``report.json``, ``suspicious.txt`` and the grade table."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class StageGrade:
    """One student's result on one stage (auto-graded points only).

    Attributes:
        stage: the assignment name.
        score, max_score: auto points earned and possible.
        cells: ``grade_id → {"score", "max"}``.
        tests: ``group →`` the grader's run of that group (:meth:`RunResult.to_dict`).
        reasons: why points were lost or what went wrong, for the student and instructor.
        suspicious: signs of tampering, for the instructor only (``suspicious.txt``).
        tier: where the student's code ran (``bwrap`` or ``none``, see
            :mod:`autograder.sandbox`).
        feedback: the feedback HTML file ("" when there is none).
        seconds: wall-clock time of grading this stage.
        timing: where those seconds went (``tests``: the grader's own runs; ``notebook``:
            nbgrader's run of the notebook; ``feedback``: the feedback HTML).
    """

    stage: str
    score: float = 0.0
    max_score: float = 0.0
    cells: dict[str, dict[str, float]] = field(default_factory=dict)
    tests: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    tier: str = ""
    feedback: str = ""
    seconds: float = 0.0
    timing: dict[str, float] = field(default_factory=dict)


@dataclass
class StudentGrade:
    """One student's results on every stage."""

    student: str
    stages: dict[str, StageGrade] = field(default_factory=dict)
    problem: str = ""

    @property
    def total(self) -> float:
        return sum(s.score for s in self.stages.values())

    @property
    def max_score(self) -> float:
        return sum(s.max_score for s in self.stages.values())

    @property
    def percent(self) -> float:
        return 100.0 * self.total / self.max_score if self.max_score else 0.0


#: ``report.json``'s ``_isolation`` when every student's code ran in the sandbox.
ISOLATED = "isolated (bwrap)"


def _fmt(value: float) -> str:
    return f"{value:g}"


def write_csv(path: Path, grades: Sequence[StudentGrade], stages: Sequence[str]) -> Path:
    """One row per student: a column per stage, then total, max and percent."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["student", *stages, "total", "max", "percent"])
        for grade in grades:
            per = [_fmt(grade.stages[s].score) if s in grade.stages else "" for s in stages]
            writer.writerow([grade.student, *per, _fmt(grade.total), _fmt(grade.max_score),
                             f"{grade.percent:.1f}"])
    return path


def write_json(path: Path, grades: Sequence[StudentGrade], isolation: str = "") -> Path:
    """Everything: per-stage cell scores, per-test detail, reasons, feedback paths.

    ``isolation`` is the grader's warning when student code ran without a sandbox; it is
    kept under the key ``"_isolation"`` (a name no student id can have).
    """
    data: dict[str, Any] = {
        g.student: {
            **asdict(g), "total": g.total, "max": g.max_score, "percent": round(g.percent, 2),
        }
        for g in grades
    }
    data["_isolation"] = isolation or ISOLATED
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    return path


def read_json(path: Path) -> tuple[list[StudentGrade], str]:
    """The grades and isolation warning a :func:`write_json` file holds (for ``merge``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    isolation = data.pop("_isolation", "")
    grades = []
    for student, fields in sorted(data.items()):
        stages = {name: StageGrade(**stage) for name, stage in fields["stages"].items()}
        grades.append(StudentGrade(student, stages, fields.get("problem", "")))
    return grades, "" if isolation == ISOLATED else isolation


def write_suspicious(path: Path, grades: Sequence[StudentGrade], isolation: str = "") -> Path:
    """The instructor's list of submissions that look tampered with, one line per sign."""
    lines = [f"# {isolation}"] if isolation else []
    for grade in grades:
        for stage in grade.stages.values():
            lines += [f"{grade.student}\t{stage.stage}\t{sign}" for sign in stage.suspicious]
        if "rejected" in grade.problem:
            lines.append(f"{grade.student}\t-\t{grade.problem}")
    if len(lines) == (1 if isolation else 0):
        lines.append("# nothing suspicious")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def zero_reasons(grades: Sequence[StudentGrade], width: int = 160) -> str:
    """One line per rejected student and per stage scored 0, with its first reason."""
    lines = []
    for grade in grades:
        if grade.problem:
            lines.append(f"{grade.student}: {grade.problem}")
            continue
        for stage in grade.stages.values():
            if stage.score == 0 and stage.max_score > 0:
                why = stage.reasons[0] if stage.reasons else "no check passed"
                lines.append(f"{grade.student} / {stage.stage}: {why}"[:width])
    return "\n".join(lines)


def table(grades: Sequence[StudentGrade], stages: Sequence[str]) -> str:
    """The grade table as fixed-width text."""
    header = ["student", *stages, "total", "max", "percent"]
    rows = [
        [g.student, *(_fmt(g.stages[s].score) if s in g.stages else "-" for s in stages),
         _fmt(g.total), _fmt(g.max_score), f"{g.percent:.1f}%"]
        for g in grades
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_outputs(out: Path, grades: Sequence[StudentGrade], stages: Sequence[str],
                  isolation: str = "") -> None:
    """Write ``grades.csv``, ``report.json`` and ``suspicious.txt``; print the grade table."""
    write_csv(out / "grades.csv", grades, stages)
    write_json(out / "report.json", grades, isolation)
    write_suspicious(out / "suspicious.txt", grades, isolation)
    print(table(grades, stages))
    notes = zero_reasons(grades)
    if notes:
        print("\nNot graded, or scored 0 (first reason; report.json has all):\n" + notes)
    if isolation:
        print(f"\n{isolation}")

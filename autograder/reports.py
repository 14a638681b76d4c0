"""Grading outputs: ``grades.csv``, ``report.json`` and the printed grade table."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class StageGrade:
    """One student's result on one stage (auto-graded points only)."""

    stage: str
    score: float = 0.0
    max_score: float = 0.0
    cells: dict[str, dict[str, float]] = field(default_factory=dict)
    tests: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    feedback: str = ""
    seconds: float = 0.0


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


def write_json(path: Path, grades: Sequence[StudentGrade]) -> Path:
    """Everything: per-stage cell scores, per-test detail, reasons, feedback paths."""
    data = {
        g.student: {
            **asdict(g), "total": g.total, "max": g.max_score, "percent": round(g.percent, 2),
        }
        for g in grades
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    return path


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

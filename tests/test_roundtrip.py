"""The nbgrader round trip of ``make demo``, with exact scores read from the gradebook.

Builds the handout and the three bundled samples from this checkout in a temporary
folder, grades them with nbgrader, and asserts through nbgrader's gradebook API (never
``nbgrader validate``, which exits 0 on failure): the reference gets every auto-graded
point, the blank handout none, the partial sample exactly what its recipe expects.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.gradebook import COURSE_ID, db_url
from autograder.grader import GradeOptions, grade
from autograder.handout import build_handout
from autograder.samples import build_samples, load_recipe
from autograder.stages import STAGES

# One module-scoped run feeds every test here: under xdist they share one worker.
pytestmark = pytest.mark.xdist_group("roundtrip")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    handout, _ = build_handout(out / "handout")
    submissions = build_samples(out / "submissions", handout)
    results = {g.student: g for g in grade(submissions, out / "grades", GradeOptions(jobs=2))}
    return out / "grades", results


def _score(db: Path, student: str, stage: str) -> tuple[float, float]:
    """Auto score and its maximum for one notebook, from the gradebook."""
    with Gradebook(db_url(db), COURSE_ID) as gb:
        notebook = gb.find_submission_notebook(stage, stage, student)
        graded = [g for g in notebook.grades if g.cell.cell_type == "code"]
        return sum(g.auto_score or 0 for g in graded), sum(g.max_score for g in graded)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_reference_gets_every_auto_point(demo, stage):
    out, results = demo
    assert _score(out / "gradebook.db", "reference", stage.name) == (
        stage.auto_points, stage.auto_points), results["reference"].stages[stage.name].reasons


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_blank_handout_gets_zero(demo, stage):
    out, _ = demo
    assert _score(out / "gradebook.db", "blank", stage.name) == (0, stage.auto_points)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_partial_gets_its_expected_score(demo, stage):
    out, results = demo
    expected = load_recipe().expected
    score, _ = _score(out / "gradebook.db", "partial", stage.name)
    assert stage.name in expected, (
        f"autograder/samples/partial.json has no expected score for {stage.name}; "
        f"it scored {score}"
    )
    assert score == expected[stage.name], results["partial"].stages[stage.name].reasons


def test_outputs_and_table(demo):
    out, results = demo
    assert (out / "grades.csv").read_text().splitlines()[0].startswith("student,01_tensors")
    assert results["reference"].percent == 100 and results["blank"].percent == 0
    assert 0 < results["partial"].percent < 100
    for student in results.values():
        for stage in student.stages.values():
            assert stage.feedback and Path(stage.feedback).is_file()

"""The exercise-order proof (``python -m autograder verify --order``, autograder/order.py).

The tiny course proves the tool can fail (a check placed before its exercise) and that its
reused build equals the release build; then the proof runs on every real stage.

Slow: each real stage takes one graded pytest run per check cell, plus one on the stubs.
On a 2-core machine shared with other jobs a run took 5 to 30 s (linear_conv of stage 04:
about 140 s), so a stage took 35 s (07) to about 6 minutes (04); ``verify --order`` prints
each run's time.
"""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from tiny_course import make_course

from autograder.order import (
    CheckCell,
    Exercise,
    IncrementalFramework,
    claims_of,
    notebook_steps,
    prove_order,
    stage_regions,
)
from autograder.release import build_framework
from autograder.stages import STAGES

OWNED = [("ops/elementwise.py", "Add.forward"), ("ops/elementwise.py", "Add.backward"),
         ("ops/elementwise.py", "div"), ("_tensor.py", "Tensor.numpy")]


def test_a_bullet_claims_functions_and_the_regions_inside_a_class():
    text = ("**Exercise 4 (math).** Write:\n\n"
            "- `framework/ember/ops/elementwise.py`: the `forward` of `Add`; and `div`\n"
            "- `framework/ember/_tensor.py`: `Tensor.numpy`\n")
    claims, unknown = claims_of(text, OWNED[:1] + OWNED[2:])
    assert claims == [("ops/elementwise.py", "Add.forward"), ("ops/elementwise.py", "div"),
                      ("_tensor.py", "Tensor.numpy")]
    assert unknown == []


def test_a_name_that_claims_nothing_is_reported():
    text = "**Exercise 1 (x).**\n\n- `framework/ember/ops/elementwise.py`: `Sub`, `div`\n"
    claims, unknown = claims_of(text, OWNED)
    assert claims == [("ops/elementwise.py", "div")]
    assert unknown == ["ops/elementwise.py: `Sub`"]


def test_only_bullets_after_the_exercise_heading_claim():
    text = ("- `framework/ember/ops/elementwise.py`: `div` (read it)\n\n"
            "**Exercise 1 (x).** Write `Tensor.numpy` in `framework/ember/_tensor.py`.\n")
    assert claims_of(text, OWNED) == ([], [])


def _tiny_notebook(path, order):
    """A notebook whose exercises and check cells come in ``order``."""
    cells = [new_code_cell("ember = None", metadata={"nbgrader": {"grade_id": "setup"}})]
    for kind, name in order:
        if kind == "exercise":
            number = sum(1 for k, _ in order[:order.index((kind, name)) + 1] if k == kind)
            cells.append(new_markdown_cell(
                f"**Exercise {number} ({name}).**\n\n- `framework/ember/__init__.py`: `{name}`"))
        else:
            cells.append(new_code_cell(f'check("01", "{name}")', metadata={"nbgrader": {
                "grade": True, "grade_id": f"check_{name}", "points": 2, "locked": True}}))
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_the_tiny_course_maps_exercises_to_regions(tmp_path):
    stage = make_course(tmp_path)
    regions = stage_regions(stage, tmp_path / "solutions")
    assert list(regions) == [("__init__.py", "add"), ("__init__.py", "Box.double")]
    path = _tiny_notebook(tmp_path / "nb.ipynb", [("exercise", "add"), ("check", "add")])
    steps, problems = notebook_steps(stage, regions, path)
    assert steps == [Exercise(1, "add", 1, (("__init__.py", "add"),)), CheckCell("add", 2)]
    assert problems == ["__init__.py: Box.double is claimed by no exercise (name it in one "
                        "exercise's bullet for `framework/ember/__init__.py`)"]


def test_the_reused_build_equals_the_release_build(tmp_path):
    make_course(tmp_path)
    src = tmp_path / "solutions"
    fresh = build_framework(src, tmp_path / "fresh", 0) / "__init__.py"
    reused = IncrementalFramework(src, tmp_path / "reused")
    mine = reused.write(0, lambda rel, r: False) / "__init__.py"
    assert mine.read_bytes() == fresh.read_bytes()
    reused.write(0, lambda rel, r: r.qualname == "add")
    assert "return a + b" in mine.read_text() and "implement Box.double" in mine.read_text()
    assert "implement add" not in mine.read_text()
    reused.write(0, lambda rel, r: False)  # back to all stubs: the file is rewritten
    assert mine.read_bytes() == fresh.read_bytes()


def test_the_proof_holds_when_each_check_follows_its_exercise(tmp_path):
    stage = make_course(tmp_path)
    path = _tiny_notebook(tmp_path / "nb.ipynb", [
        ("exercise", "add"), ("check", "add"), ("exercise", "Box.double"), ("check", "double")])
    checks = prove_order(stage, tmp_path / "work", solutions=tmp_path / "solutions",
                         notebook=path)
    assert [c.ok for c in checks] == [True] * 4, [c.name + c.detail for c in checks]


def test_the_proof_fails_when_a_check_comes_before_its_exercise(tmp_path):
    stage = make_course(tmp_path)
    path = _tiny_notebook(tmp_path / "nb.ipynb", [
        ("exercise", "add"), ("check", "double"), ("exercise", "Box.double"), ("check", "add")])
    checks = prove_order(stage, tmp_path / "work", solutions=tmp_path / "solutions",
                         notebook=path)
    failed = [c for c in checks if not c.ok]
    assert len(failed) == 1, [c.name for c in failed]
    assert failed[0].name.startswith("stage 01 order: check double (cell 2) passes with "
                                     "exercises 1 ")
    assert "implement Box.double" in failed[0].detail


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.id)
def test_every_exercise_names_its_regions_and_every_region_is_named(stage):
    _, problems = notebook_steps(stage, stage_regions(stage))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.id)
def test_each_check_passes_with_only_the_exercises_above_it(stage, tmp_path):
    failed = [c for c in prove_order(stage, tmp_path) if not c.ok]
    assert not failed, "\n".join(f"{c.name}\n{c.detail}" for c in failed)

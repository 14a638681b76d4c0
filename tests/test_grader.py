"""The grader end to end on a tiny course, and its submission handling."""

from __future__ import annotations

import importlib.util
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder import gradebook, release
from autograder.grader import GradeOptions, cross_check, grade
from autograder.reports import StageGrade, StudentGrade, table
from autograder.submissions import UnsafeZip, ZipLimits, collect, safe_extract


def _tiny():
    spec = importlib.util.spec_from_file_location(
        "tiny_course", Path(__file__).with_name("tiny_course.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _workspace(folder: Path, release_dir: Path, framework: Path | None, notebook=True) -> Path:
    (folder / "course" / "release").mkdir(parents=True)
    if notebook:
        shutil.copytree(release_dir / "01_tiny", folder / "course" / "release" / "01_tiny")
    if framework is not None:
        shutil.copytree(framework, folder / "framework" / "ember")
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade six tiny submissions once: a reference, the blank stubs, a zip, and failures."""
    tiny = _tiny()
    root = tmp_path_factory.mktemp("tiny")
    stage = tiny.make_course(root)
    release.build_framework(root / "solutions", root / "framework")
    release_dir = release.generate_notebooks(root / "course", root / "release", [stage])
    subs = root / "subs"
    solved = root / "solutions" / "ember"
    _workspace(subs / "ref", release_dir, solved)
    _workspace(subs / "blank", release_dir, root / "framework" / "ember")
    _workspace(subs / "noframework", release_dir, None)
    broken = _workspace(subs / "broken", release_dir, solved)
    (broken / "course" / "release" / "01_tiny" / "01_tiny.ipynb").write_text("{not json")
    _workspace(subs / "missing", release_dir, solved, notebook=False)
    killer = _workspace(subs / "killer", release_dir, solved)
    (killer / "framework" / "ember" / "__init__.py").write_text("import os\nos._exit(1)\n")
    looper = _workspace(subs / "looper", release_dir, solved)
    init = looper / "framework" / "ember" / "__init__.py"
    init.write_text(init.read_text().replace("return a + b", "while True:\n        pass"))
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:
        for path in sorted((subs / "ref").rglob("*")):
            zf.write(path, f"handout/{path.relative_to(subs / 'ref')}")
    with zipfile.ZipFile(subs / "evil.zip", "w") as zf:
        zf.writestr("../../escape.txt", "x")
    out = root / "out"
    options = GradeOptions(course_dir=root / "course", stages=(stage,),
                           blank_framework=root / "framework", cell_timeout=10, jobs=2)
    results = {g.student: g for g in grade(subs, out, options)}
    return out, stage, results


def _stage(results, student) -> StageGrade:
    return results[student].stages["01_tiny"]


def test_scores_come_from_the_gradebook(graded):
    out, stage, results = graded
    expected = {"ref": 5, "zipped": 5, "blank": 0, "noframework": 0, "broken": 0,
                "missing": 0, "killer": 0, "evil": 0}
    assert {s: results[s].total for s in expected} == expected
    for student, score in expected.items():
        if student == "evil":
            continue
        scores = gradebook.read_scores(out / "gradebook.db", "01_tiny", student)
        assert scores.score == score and scores.max_score == 5


def test_a_cell_that_never_ends_costs_only_that_cell(graded):
    _, _, results = graded
    grade_ = _stage(results, "looper")
    assert grade_.score == 3 and grade_.cells["test_add"]["score"] == 0
    assert any("timeout" in r for r in grade_.reasons)


def test_every_zero_has_a_reason(graded):
    _, _, results = graded
    assert "not a valid Jupyter notebook" in _stage(results, "broken").reasons[0]
    assert "missing" in _stage(results, "missing").reasons[0]
    assert any("blank stubs" in r for r in _stage(results, "noframework").reasons)
    assert any("kernel died" in r for r in _stage(results, "killer").reasons)
    assert "rejected" in _stage(results, "evil").reasons[0]


def test_outputs_csv_json_and_feedback_without_hidden_tests(graded):
    out, _, results = graded
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0] == "student,01_tiny,total,max,percent"
    assert "ref,5,5,5,100.0" in rows and "blank,0,0,5,0.0" in rows
    report = json.loads((out / "report.json").read_text())
    assert report["ref"]["stages"]["01_tiny"]["cells"]["test_add"] == {"score": 2.0, "max": 2.0}
    for student in ("ref", "blank"):
        html = Path(results[student].stages["01_tiny"].feedback).read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "secret-hidden-check" not in html
        assert "double(21)" not in html


def test_safe_extract_rejects_traversal_links_and_bombs(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("/abs.txt", "x")
    with pytest.raises(UnsafeZip, match="unsafe path"):
        safe_extract(evil, tmp_path / "a")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"0" * 2_000_000)
    with pytest.raises(UnsafeZip, match="more than"):
        safe_extract(bomb, tmp_path / "b", ZipLimits(max_bytes=1_000_000))
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("framework/evil")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeZip, match="links"):
        safe_extract(link, tmp_path / "c")


def test_collect_names_students_and_rejects_odd_entries(tmp_path):
    subs = tmp_path / "subs"
    (subs / "alice" / "framework").mkdir(parents=True)
    (subs / "bad name").mkdir()
    (subs / "notes.txt").write_text("x")
    found = {s.student: s for s in collect(subs, tmp_path / "unpacked")}
    assert found["alice"].root == subs / "alice" and not found["alice"].problem
    assert "characters" in found["bad name"].problem
    assert "not a folder" in found["notes.txt"].problem


def test_table_lists_stage_columns_total_and_percent():
    grade_ = StudentGrade("ann", {"01_x": StageGrade("01_x", score=3, max_score=4)})
    text = table([grade_], ["01_x"])
    assert text.splitlines()[0].split() == ["student", "01_x", "total", "max", "percent"]
    assert text.splitlines()[2].split() == ["ann", "3", "3", "4", "75.0%"]


def test_points_without_a_recorded_passing_run_are_withdrawn(graded, tmp_path):
    out, stage, results = graded
    db = tmp_path / "gradebook.db"
    shutil.copy(out / "gradebook.db", db)
    course = tmp_path / "course"
    source = course / "source" / stage.notebook
    source.parent.mkdir(parents=True)
    notebook = json.loads((out / "course" / "source" / stage.notebook).read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "test_add":
            cell["source"] = 'from autograder import check\ncheck("01", "add")'
    source.write_text(json.dumps(notebook))
    grade_ = StageGrade(stage.name)  # no results recorded: the check never ran
    before = gradebook.read_scores(db, stage.name, "ref")
    after = cross_check(course, db, stage, "ref", before, grade_)
    assert before.cells["test_add"].score == 2 and after.cells["test_add"].score == 0
    assert after.cells["test_double"].score == 2
    assert "withdrawn" in grade_.reasons[0]
    assert gradebook.read_scores(db, stage.name, "ref").score == 3

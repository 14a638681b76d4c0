"""The grader end to end on a tiny course, and its submission handling."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from autograder import gradebook, release
from autograder.grader import GradeOptions, grade, merge
from autograder.reports import StageGrade, StudentGrade, table
from autograder.shards import MANIFEST, Shard, ShardError
from autograder.submissions import SubmissionLimits, UnsafeSubmission, collect, safe_extract

# One module-scoped run feeds every test here: under xdist they share one worker.
pytestmark = pytest.mark.xdist_group("grader")


def _tiny():
    spec = importlib.util.spec_from_file_location(
        "tiny_course", Path(__file__).with_name("tiny_course.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    tiny.workspace(subs / "ref", release_dir, solved)
    tiny.workspace(subs / "blank", release_dir, root / "framework" / "ember")
    tiny.workspace(subs / "noframework", release_dir, None)
    broken = tiny.workspace(subs / "broken", release_dir, solved)
    (broken / "course" / "release" / "01_tiny" / "01_tiny.ipynb").write_text("{not json")
    tiny.workspace(subs / "missing", release_dir, solved, notebook=False)
    killer = tiny.workspace(subs / "killer", release_dir, solved)
    (killer / "framework" / "ember" / "__init__.py").write_text("import os\nos._exit(1)\n")
    looper = tiny.workspace(subs / "looper", release_dir, solved)
    init = looper / "framework" / "ember" / "__init__.py"
    looping = "while b == 2:\n        pass\n    return a + b"  # the public add test only
    init.write_text(init.read_text().replace("return a + b", looping))
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:
        for path in sorted((subs / "ref").rglob("*")):
            zf.write(path, f"handout/{path.relative_to(subs / 'ref')}")
    with zipfile.ZipFile(subs / "evil.zip", "w") as zf:
        zf.writestr("../../escape.txt", "x")
    out = root / "out"
    results = {g.student: g for g in grade(subs, out, _options(root, stage))}
    return out, stage, results


def _options(root: Path, stage, **changes) -> GradeOptions:
    """How the tiny course is graded (the ``graded`` run and the sharded runs alike)."""
    return GradeOptions(course_dir=root / "course", stages=(stage,),
                        blank_framework=root / "framework", cell_timeout=10, jobs=2,
                        test_timeout=5, **changes)


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
    assert any("time limit" in r for r in grade_.reasons)


def test_every_zero_has_a_reason(graded):
    _, _, results = graded
    assert "not a valid Jupyter notebook" in _stage(results, "broken").reasons[0]
    assert "missing" in _stage(results, "missing").reasons[0]
    assert any("blank stubs" in r for r in _stage(results, "noframework").reasons)
    killed = _stage(results, "killer").reasons
    assert any("kernel died" in r for r in killed)
    # Every group's worker exited on import: each says so (the socket closing first is a race
    # the reason must not show).
    assert sum("exited with status 1" in r for r in killed) == 3, killed
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


def _outcome(grade_: StudentGrade) -> dict:
    """What a grading run decides about a student: everything but timings and file paths."""
    return {"problem": grade_.problem, "total": grade_.total, "stages": {
        name: (s.score, s.max_score, s.cells, s.reasons, s.suspicious, s.tier, bool(s.feedback))
        for name, s in grade_.stages.items()}}


def test_shards_merged_give_what_one_run_gives(graded, tmp_path):
    out, stage, results = graded
    root = out.parent
    shards = []
    for index in (2, 1):  # the order the shards run in or are named in does not matter
        shard_out = tmp_path / f"shard{index}"
        graded_here = grade(root / "subs", shard_out, _options(root, stage, shard=Shard(index, 2)))
        assert len(graded_here) in (len(results) // 2, (len(results) + 1) // 2)
        shards.append(shard_out)
    merged = {g.student: g for g in merge(shards, tmp_path / "merged",
                                          _options(root, stage))}
    assert sorted(merged) == sorted(results)
    assert {s: _outcome(g) for s, g in merged.items()} == {
        s: _outcome(g) for s, g in results.items()}
    for name in ("grades.csv", "suspicious.txt"):
        assert (tmp_path / "merged" / name).read_text() == (out / name).read_text(), name
    for student, grade_ in merged.items():
        if grade_.problem:
            continue
        scores = gradebook.read_scores(tmp_path / "merged" / "gradebook.db", "01_tiny", student)
        assert scores.score == grade_.total
        feedback = grade_.stages["01_tiny"].feedback
        assert not feedback or Path(feedback).is_relative_to(tmp_path / "merged")
        assert not feedback or Path(feedback).is_file()


def test_merge_refuses_shards_that_are_not_one_whole_class(tmp_path):
    def shard(name, spec, students=("a", "b", "c"), stages=("01_tiny",)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / MANIFEST).write_text(json.dumps(
            {"shard": spec, "class": list(students), "stages": list(stages)}))
        return folder

    one, two = shard("one", "1/3"), shard("two", "2/3")
    cases = {
        "shards missing: 3/3": [one, two],
        "shard 2/3 is given twice": [one, two, two],
        "different submission folders": [one, shard("other", "2/3", students=("a", "b"))],
        "graded different stages": [one, shard("more", "2/3", stages=("01_tiny", "02_x"))],
        "is one of 3": [one, shard("halves", "2/2")],
        "no shard.json": [one, tmp_path],
    }
    for message, folders in cases.items():
        with pytest.raises(ShardError, match=message):
            merge(folders, tmp_path / "merged")
    assert not (tmp_path / "merged").exists(), "a refused merge must write nothing"
    for bad in ("0/2", "3/2", "1", "a/b", "1/0"):
        with pytest.raises(ShardError):
            Shard.parse(bad)


def test_every_submission_is_in_exactly_one_shard():
    for count in (1, 2, 3, 7):
        owners = [[i for i in range(1, count + 1) if Shard(i, count).owns(k)]
                  for k in range(20)]
        assert all(len(o) == 1 for o in owners)
        sizes = [sum(o == [i] for o in owners) for i in range(1, count + 1)]
        assert max(sizes) - min(sizes) <= 1


def test_safe_extract_rejects_traversal_links_and_bombs(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("/abs.txt", "x")
    with pytest.raises(UnsafeSubmission, match="unsafe path"):
        safe_extract(evil, tmp_path / "a")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"0" * 2_000_000)
    with pytest.raises(UnsafeSubmission, match="more than"):
        safe_extract(bomb, tmp_path / "b", SubmissionLimits(max_bytes=1_000_000))
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("framework/evil")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeSubmission, match="links"):
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


def test_environment_folders_are_skipped_and_links_elsewhere_refused(tmp_path):
    limits = SubmissionLimits(max_entries=50)
    subs = tmp_path / "subs"
    venv = subs / "withvenv" / ".venv" / "lib"
    venv.mkdir(parents=True)
    for i in range(200):  # far over the entry limit, but an environment: not counted
        (venv / f"m{i}.py").write_text("x")
    (subs / "withvenv" / ".venv" / "python").symlink_to("/usr/bin/python3")
    (subs / "withvenv" / "framework" / "ember").mkdir(parents=True)
    (subs / "withvenv" / "framework" / "ember" / "__init__.py").write_text("")
    with zipfile.ZipFile(subs / "zipvenv.zip", "w") as zf:
        for i in range(200):
            zf.writestr(f"ws/.venv/lib/m{i}.py", "x")
        zf.writestr("ws/framework/ember/__init__.py", "")
    with zipfile.ZipFile(subs / "manyfiles.zip", "w") as zf:
        for i in range(60):  # real files this time: over the limit
            zf.writestr(f"ws/framework/ember/m{i}.py", "x")
    (subs / "symlinked" / "framework").mkdir(parents=True)
    (subs / "symlinked" / "framework" / "ember").symlink_to(tmp_path)
    (subs / "hardlinked" / "framework" / "ember").mkdir(parents=True)
    secret = tmp_path / "secret.py"
    secret.write_text("reference")
    (subs / "hardlinked" / "framework" / "ember" / "__init__.py").hardlink_to(secret)
    found = {s.student: s for s in collect(subs, tmp_path / "unpacked", limits)}
    assert not found["withvenv"].problem and not found["zipvenv"].problem
    assert not (tmp_path / "unpacked" / "zipvenv" / "ws" / ".venv").exists()
    assert "60 entries (limit 50)" in found["manyfiles"].problem
    for student in ("symlinked", "hardlinked"):
        assert "links are not allowed" in found[student].problem
        assert found[student].root is None


def _serve_formgrader(out, port):
    """Start the formgrader on a grading run; return the process (its own session)."""
    import os
    import subprocess

    from autograder.manual import formgrader_command

    lab_args = ["--no-browser", f"--port={port}", "--ServerApp.token=''"]
    lab_args += ["--allow-root"] if os.geteuid() == 0 else []  # CI runs as root
    cmd, cwd, env = formgrader_command(out, lab_args)
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)


def test_formgrader_then_manual_grades_then_feedback_and_export(graded, tmp_path):
    """The instructor's manual path: formgrader, a manual score, feedback, the export."""
    import csv
    import os
    import signal
    import socket
    import time
    import urllib.request

    from nbgrader.api import Gradebook

    from autograder.manual import finish

    out, stage, _ = graded
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lab = _serve_formgrader(out, port)
    try:
        assignments, deadline = None, time.monotonic() + 120
        while assignments is None and time.monotonic() < deadline and lab.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/formgrader/api/assignments"
                with urllib.request.urlopen(url, timeout=5) as reply:
                    assignments = json.load(reply)
            except OSError:
                time.sleep(1)
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=60)
    assert assignments is not None, "the formgrader never answered"
    assert [a["name"] for a in assignments] == ["01_tiny"], "it reads the grading run's gradebook"

    # What the formgrader's form does when the instructor scores the reflection answer.
    with Gradebook(gradebook.db_url(out / "gradebook.db"), gradebook.COURSE_ID) as gb:
        gb.find_grade("reflection", "01_tiny", "01_tiny", "ref").manual_score = 1
        gb.find_comment("reflection", "01_tiny", "01_tiny", "ref").manual_comment = (
            "A clear answer.")
        gb.db.commit()
    done = finish(out, [stage])
    html = out / "course" / "feedback" / "ref" / "01_tiny" / "01_tiny.html"
    assert html in done.feedback and "A clear answer." in html.read_text()
    text = html.read_text()
    assert "secret-hidden-check" not in text and "double(21)" not in text, (
        "hidden test code stays out of the new feedback")
    rows = {row["student_id"]: row for row in csv.DictReader(done.csv.open())}
    assert float(rows["ref"]["score"]) == 6.0 and float(rows["ref"]["max_score"]) == 6.0, (
        "the export adds the manual point to the automatic five")


def test_feedback_paths_are_relative_to_the_students_workspace():
    from autograder.feedback import relative_paths

    line = ("\x1b[0;32mFile \x1b[0;32m/srv/grades/course/autograded/alice/01_tensors/framework/"
            "ember/_creation.py:12\x1b[0m, in tensor")
    assert relative_paths(line) == ("\x1b[0;32mFile \x1b[0;32mframework/ember/_creation.py:12"
                                    "\x1b[0m, in tensor")
    assert relative_paths("/tmp/ember-run-1/w/framework/ember/a.py") == "framework/ember/a.py"
    assert relative_paths("C:\\grader\\autograder\\check.py") == "autograder\\check.py"
    assert relative_paths("/opt/venv/lib/python3.11/site-packages/numpy/_core/x.py") == (
        "<python>/site-packages/numpy/_core/x.py")
    for text in ("x / y = 2", "see https://pytorch.org/docs", "shape (2, 3)"):
        assert relative_paths(text) == text, "text that is no path stays"

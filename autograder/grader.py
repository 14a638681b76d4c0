"""Grade student submissions with nbgrader: ``python -m autograder grade SUBMISSIONS``.

For every student (a handout folder or zip) and every stage:

1. the student's notebook goes to ``course/submitted/<student>/<stage>/`` together with
   the student's ``framework/ember`` (the blank stubs when the student has none), so the
   notebook's setup cell finds the student's code and never the repository's;
2. ``nbgrader autograde`` runs in its own process group with a per-cell timeout and an
   overall timeout, with ``EMBER_RESULTS_DIR`` set so every check cell records its
   per-test results;
3. scores are read from the gradebook; when autograde could not finish (dead kernel,
   endless loop, missing or broken notebook) the stage gets what the check cells recorded
   (or 0) and the reason is kept.

Then feedback HTML is generated per student (hidden tests removed and verified), and
``grades.csv``, ``report.json`` and a printed table are written.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import gradebook, reports
from .feedback import find_hidden_leaks, hidden_snippets
from .release import ReleaseError, _course_copy, _ignore, build_framework, nbgrader_env, repo_root
from .stages import STAGES, Stage
from .submissions import STUDENT_ID, Submission, collect


@dataclass(frozen=True)
class GradeOptions:
    """How to grade.

    Attributes:
        course_dir: the course (``nbgrader_config.py`` and ``source/``).
        stages: the stages to grade.
        blank_framework: folder holding the stub ``ember/`` for students without one
            (default: build it from ``solutions/``).
        cell_timeout: nbgrader's per-cell timeout in seconds.
        feedback: generate feedback HTML.
        jobs: students graded at the same time (each in a private course copy).
    """

    course_dir: Path | None = None
    stages: tuple[Stage, ...] = STAGES
    blank_framework: Path | None = None
    cell_timeout: int = 300
    feedback: bool = True
    jobs: int = 1


def run_group(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float
              ) -> tuple[int, str, bool]:
    """Run ``cmd`` in its own process group: ``(returncode, output tail, timed_out)``."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=(os.name == "posix"),
        )
        timed_out = False
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            code = -signal.SIGKILL
        finally:
            if os.name == "posix":
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            else:
                proc.kill()
            proc.wait()
        log.seek(0)
        output = log.read()[-20_000:].decode("utf-8", "replace")
    return code, output, timed_out


def nbgrader_cmd(args: Sequence[str], course: Path, db: Path) -> list[str]:
    """An nbgrader command line on the grading course."""
    return [
        sys.executable, "-m", "nbgrader", *args,
        f"--CourseDirectory.root={course}", f"--CourseDirectory.db_url={gradebook.db_url(db)}",
        f"--CourseDirectory.course_id={gradebook.COURSE_ID}", "--log-level=WARN",
    ]


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def setup_course(out: Path, options: GradeOptions) -> tuple[Path, Path]:
    """A fresh nbgrader course in ``out/course``; every stage generated into the gradebook."""
    course, db = out / "course", out / "gradebook.db"
    for old in (course, out / "results", out / "unpacked"):
        shutil.rmtree(old, ignore_errors=True)
    db.unlink(missing_ok=True)
    _course_copy(Path(options.course_dir or repo_root() / "course"), course, options.stages)
    for stage in options.stages:
        code, output, _ = run_group(
            nbgrader_cmd(["generate_assignment", stage.name, "--force"], course, db),
            course, nbgrader_env(), 600,
        )
        if code != 0:
            raise ReleaseError(f"generate_assignment {stage.name} failed:\n{_tail(output, 30)}")
    return course, db


def blank_framework(out: Path, options: GradeOptions) -> Path:
    """The folder holding stub ``ember/`` for students who submitted no framework."""
    if options.blank_framework is not None:
        return Path(options.blank_framework)
    return build_framework(repo_root() / "solutions", out / "blank" / "framework").parent


def find_notebook(root: Path | None, stage: Stage) -> Path | None:
    """The student's notebook of ``stage`` (release layout first, then anywhere)."""
    if root is None:
        return None
    for candidate in (root / "course" / "release" / stage.notebook, root / stage.notebook):
        if candidate.is_file():
            return candidate
    found = sorted(p for p in root.rglob(f"{stage.name}.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
    return found[0] if found else None


def notebook_problem(path: Path | None) -> str:
    """Why a notebook cannot be graded ("" when it can)."""
    if path is None:
        return "notebook missing from the submission: 0 points"
    if path.stat().st_size > 50 * 2**20:
        return "notebook larger than 50 MB: 0 points"
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception as exc:  # nbformat raises several types for bad files
        return f"notebook is not a valid Jupyter notebook ({type(exc).__name__}): 0 points"
    return ""


def place_submission(course: Path, sub: Submission, stage: Stage, notebook: Path,
                     blank: Path) -> list[str]:
    """Copy the notebook and the student's ``framework/ember`` into ``submitted/``."""
    folder = course / "submitted" / sub.student / stage.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(notebook, folder / f"{stage.name}.ipynb")
    own = sub.root / "framework" / "ember" if sub.root else None
    reasons = []
    if own is None or not (own / "__init__.py").is_file():
        own = blank / "ember"
        reasons.append("no framework/ember in the submission: graded against the blank stubs")
    shutil.copytree(own, folder / "framework" / "ember", ignore=_ignore, symlinks=False)
    return reasons


def _read_tests(results: Path) -> dict[str, dict]:
    """The per-group JSON files the check cells wrote."""
    tests = {}
    for path in sorted(results.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        tests[data.get("group", path.stem)] = data
    return tests


def _test_reasons(tests: dict[str, dict], shown: int = 5) -> list[str]:
    """One line per group that did not pass: its problem or its failing tests."""
    reasons = []
    for group, data in tests.items():
        if data.get("problem"):
            reasons.append(f"{group}: {data['problem']}")
        elif not data.get("ok"):
            bad = [t["nodeid"].rsplit(".", 1)[-1] for t in data.get("tests", [])
                   if t["outcome"] in ("failed", "error")]
            more = f" and {len(bad) - shown} more" if len(bad) > shown else ""
            reasons.append(f"{group}: {len(bad)} failed: {', '.join(bad[:shown])}{more}")
    return reasons


def cell_errors(notebook: Path, timeout: int) -> list[str]:
    """One line per graded cell of an autograded notebook that ended in an error."""
    if not notebook.is_file():
        return []
    reasons = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "CellTimeoutError":
                cell_id = meta.get("grade_id", "?")
                reasons.append(f"cell {cell_id}: ran past the {timeout} s timeout")
            elif str(output.get("evalue", "")).startswith("stage "):
                continue  # a check cell's failure: the per-test reasons say more
            elif meta.get("grade") or meta.get("grade_id") == "setup":
                text = f"{output.get('ename')}: {output.get('evalue', '')}".strip()
                reasons.append(f"cell {meta.get('grade_id')}: {text[:300]}")
    return reasons


def _why_unfinished(output: str) -> str:
    """A short account of why nbgrader could not finish a notebook."""
    if "DeadKernelError" in output or "Kernel died" in output:
        return "the kernel died while running the notebook (crash or os._exit in the code)"
    if "UnresponsiveKernelError" in output or "CellTimeoutError" in output:
        return "the kernel stopped responding (a cell that never ended)"
    lines = [line.strip() for line in output.splitlines() if "Error" in line]
    return lines[-1][:300] if lines else _tail(output, 3)


def _earned(course: Path, stage: Stage, tests: dict[str, dict]) -> dict[str, float]:
    """grade_id → points for test cells whose group passed (max points are capped later)."""
    groups = gradebook.cell_groups(course / "source" / stage.notebook)
    return {gid: float("inf") for gid, (_, group) in groups.items()
            if tests.get(group, {}).get("ok")}


def cross_check(course: Path, db: Path, stage: Stage, student: str,
                scores: gradebook.NotebookScores, grade: reports.StageGrade
                ) -> gradebook.NotebookScores:
    """Zero check cells that scored without a passing run on record.

    Every ``check()`` cell writes its results file before it passes; a cell with points
    but no passing results means the check never ran (for instance, code in the kernel
    replaced it), so those points are withdrawn and the reason is kept.
    """
    groups = gradebook.cell_groups(course / "source" / stage.notebook)
    unearned = [gid for gid, (_, group) in groups.items()
                if gid in scores.cells and scores.cells[gid].score > 0
                and not grade.tests.get(group, {}).get("ok")]
    if not unearned:
        return scores
    grade.reasons.append(
        f"cells {', '.join(unearned)} passed without a recorded passing test run "
        "(was the check helper replaced?); their points are withdrawn")
    kept = {k: (0.0 if k in unearned else v.score) for k, v in scores.cells.items()}
    return gradebook.write_fallback_scores(db, stage.name, student, kept)


def autograde_one(course: Path, db: Path, out: Path, sub: Submission, stage: Stage,
                  blank: Path, options: GradeOptions) -> reports.StageGrade:
    """Autograde one student's stage; always returns a grade with its reasons."""
    start = time.monotonic()
    grade = reports.StageGrade(stage.name, max_score=stage.auto_points)
    notebook = find_notebook(sub.root, stage)
    problem = sub.problem or notebook_problem(notebook)
    results = out / "results" / sub.student / stage.name
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True)
    if problem:
        grade.reasons.append(problem)
        scores = gradebook.write_fallback_scores(db, stage.name, sub.student, {})
    else:
        grade.reasons += place_submission(course, sub, stage, notebook, blank)
        env = nbgrader_env({"EMBER_RESULTS_DIR": str(results), "EMBER_NO_SHRINK": "1"})
        overall = options.cell_timeout * (len(stage.groups) + 4)
        code, output, timed_out = run_group(
            nbgrader_cmd(["autograde", stage.name, "--student", sub.student, "--force",
                          f"--Execute.timeout={options.cell_timeout}"], course, db),
            course, env, overall,
        )
        grade.tests = _read_tests(results)
        grade.reasons += _test_reasons(grade.tests)
        autograded = course / "autograded" / sub.student / stage.name / f"{stage.name}.ipynb"
        grade.reasons += cell_errors(autograded, options.cell_timeout)
        scores = gradebook.read_scores(db, stage.name, sub.student)
        if timed_out:
            grade.reasons.append(f"autograde stopped after {overall} s")
        if code != 0 or timed_out or not scores.complete:
            grade.reasons.append(
                f"autograde could not finish the notebook: {_why_unfinished(output)}; "
                "scored from the checks that completed before that"
            )
            earned = _earned(course, stage, grade.tests)
            scores = gradebook.write_fallback_scores(db, stage.name, sub.student, earned)
        scores = cross_check(course, db, stage, sub.student, scores, grade)
    grade.cells = {k: {"score": v.score, "max": v.max_score} for k, v in scores.cells.items()}
    grade.score = scores.score
    grade.max_score = scores.max_score or stage.auto_points
    grade.seconds = round(time.monotonic() - start, 1)
    return grade


def make_feedback(course: Path, db: Path, sub: Submission, stage: Stage,
                  grade: reports.StageGrade) -> None:
    """Generate the student's feedback HTML and verify no hidden test shows in it."""
    if not (course / "autograded" / sub.student / stage.name).is_dir():
        return
    code, output, _ = run_group(
        nbgrader_cmd(["generate_feedback", stage.name, "--student", sub.student, "--force"],
                     course, db),
        course, nbgrader_env(), 600,
    )
    html = course / "feedback" / sub.student / stage.name / f"{stage.name}.html"
    if code != 0 or not html.is_file():
        grade.reasons.append(f"feedback not generated:\n{_tail(output)}")
        return
    snippets = hidden_snippets(json.loads((course / "source" / stage.notebook).read_text()))
    # nbgrader copies every file of the graded folder; the student has their framework.
    shutil.rmtree(html.parent / "framework", ignore_errors=True)
    leaks = find_hidden_leaks(html, snippets)
    if leaks:
        html.unlink()
        raise ReleaseError(f"feedback {html} showed hidden tests {leaks[:3]}; deleted it")
    grade.feedback = str(html)


def grade_student(course: Path, db: Path, out: Path, sub: Submission, blank: Path,
                  options: GradeOptions) -> reports.StudentGrade:
    """Autograde (and give feedback on) every stage of one student in one course."""
    student = reports.StudentGrade(sub.student, problem=sub.problem)
    for stage in options.stages if STUDENT_ID.match(sub.student) else ():
        print(f"grading {sub.student} / {stage.name} ...", flush=True)
        stage_grade = autograde_one(course, db, out, sub, stage, blank, options)
        if options.feedback:
            make_feedback(course, db, sub, stage, stage_grade)
        student.stages[stage.name] = stage_grade
    return student


def _worker_course(out: Path, course: Path, db: Path, student: str) -> tuple[Path, Path]:
    """A private copy of the generated course and gradebook for one student's worker."""
    folder = out / "work" / student
    shutil.rmtree(folder, ignore_errors=True)
    for part in ("source", "release"):
        if (course / part).is_dir():
            shutil.copytree(course / part, folder / "course" / part)
    shutil.copy(course / "nbgrader_config.py", folder / "course" / "nbgrader_config.py")
    shutil.copy(db, folder / "gradebook.db")
    return folder / "course", folder / "gradebook.db"


def merge_student(course: Path, db: Path, worker: tuple[Path, Path],
                  student: reports.StudentGrade) -> None:
    """Copy one worker's scores into the main gradebook and its files into the main course."""
    wcourse, wdb = worker
    for name, stage_grade in student.stages.items():
        scores = gradebook.read_scores(wdb, name, student.student)
        gradebook.write_fallback_scores(
            db, name, student.student, {k: v.score for k, v in scores.cells.items()})
        for part in ("submitted", "autograded", "feedback"):
            src = wcourse / part / student.student / name
            if src.is_dir():
                dest = course / part / student.student / name
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(src, dest)
        if stage_grade.feedback:
            stage_grade.feedback = str(course / "feedback" / student.student / name
                                       / Path(stage_grade.feedback).name)


def grade(submissions_dir: Path, out_dir: Path, options: GradeOptions | None = None
          ) -> list[reports.StudentGrade]:
    """Grade every student in ``submissions_dir``; write the outputs to ``out_dir``.

    With ``options.jobs > 1`` students are graded in parallel, each in a private copy of
    the course and gradebook (nbgrader's autograde is serial and its SQLite gradebook
    is not made for concurrent writers); the scores are then merged into
    ``out_dir/gradebook.db`` through the gradebook API.

    Returns:
        One :class:`reports.StudentGrade` per student, sorted by student id.
    """
    options = options or GradeOptions()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    course, db = setup_course(out, options)
    blank = blank_framework(out, options)
    subs = collect(Path(submissions_dir), out / "unpacked")
    gradebook.add_students(db, [s.student for s in subs if STUDENT_ID.match(s.student)])
    if options.jobs <= 1:
        results = [grade_student(course, db, out, sub, blank, options) for sub in subs]
    else:
        shutil.rmtree(out / "work", ignore_errors=True)
        workers = {sub.student: _worker_course(out, course, db, sub.student) for sub in subs}
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            results = list(pool.map(
                lambda sub: grade_student(*workers[sub.student], out, sub, blank, options),
                subs))
        for student in results:
            merge_student(course, db, workers[student.student], student)
        shutil.rmtree(out / "work", ignore_errors=True)
    names = [s.name for s in options.stages]
    reports.write_csv(out / "grades.csv", results, names)
    reports.write_json(out / "report.json", results)
    print(reports.table(results, names))
    return results

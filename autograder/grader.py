"""Grade student submissions with nbgrader: ``python -m autograder grade SUBMISSIONS``.

Nothing the student's code can touch decides a score (the argument is in
:mod:`autograder.verdicts`). Up front, before any student code runs, the grader generates
the course and reads from the instructor's notebooks which test group decides each
auto-graded cell. Then, for every student (a handout folder or zip) and every stage, in a
private copy of the course and gradebook:

1. the student's ``framework/ember`` is copied to a private folder (links refused; the
   blank stubs when the student has none);
2. the grader runs every graded group's tests on that copy itself, outside any notebook,
   the student's code in a sandboxed worker (:mod:`autograder.sandbox`); each cell's
   points are all or nothing on its group's verdict;
3. ``nbgrader autograde`` then runs the notebook (in the sandbox too when it is there),
   for the feedback and for the manually graded answers; its ``check()`` cells print the
   grader's verdicts, so a dead kernel, a loop or a forged check changes no score, and a
   cell the notebook scored differently from the grader is reported as suspicious.

The grader's scores are written to the main gradebook through nbgrader's API; feedback HTML
is generated per student and checked for hidden-test text (withheld when it shows any);
``grades.csv``, ``report.json``, ``suspicious.txt`` and a printed table are written. A
failure while grading one student's stage is kept as that stage's reason and never stops
the run.
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
from .check import VERDICTS_ENV, write_verdict
from .feedback import find_hidden_leaks, hidden_snippets
from .release import ReleaseError, _course_copy, _ignore, build_framework, nbgrader_env, repo_root
from .runner import Limits
from .sandbox import choose_tier, notebook_command
from .stages import HIDDEN, STAGES, Stage
from .submissions import (
    STUDENT_ID,
    Submission,
    UnsafeSubmission,
    collect,
    copy_tree,
    walk_submission,
)
from .verdicts import GradedCell, cell_plan, decide, earned, problems, suspicious


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
        test_timeout: seconds one graded test may take before it is stopped and fails.
        tier: the sandbox tier (:func:`autograder.sandbox.choose_tier` when None).
    """

    course_dir: Path | None = None
    stages: tuple[Stage, ...] = STAGES
    blank_framework: Path | None = None
    cell_timeout: int = 300
    feedback: bool = True
    jobs: int = 1
    test_timeout: float = 60.0
    tier: str | None = None


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
    found = sorted(p for p in walk_submission(root)
                   if p.name == f"{stage.name}.ipynb" and p.is_file())
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


def private_framework(sub: Submission, blank: Path, dest: Path) -> tuple[Path, list[str]]:
    """Copy the student's ``framework/ember`` (or the blank stubs) to ``dest/ember``.

    Returns the folder to grade (``dest``) and the reasons to report. The copy is taken
    before any of the student's code runs, and the grader's runs read only this copy.
    """
    own = sub.root / "framework" / "ember" if sub.root else None
    reasons = []
    if own is None or not (own / "__init__.py").is_file():
        own = blank / "ember"
        reasons.append("no framework/ember in the submission: graded against the blank stubs")
    shutil.rmtree(dest, ignore_errors=True)
    copy_tree(own, dest / "ember", ignore=_ignore)
    return dest, reasons


def place_submission(course: Path, sub: Submission, stage: Stage, notebook: Path,
                     framework: Path) -> Path:
    """Copy the notebook and the graded framework copy into ``submitted/``; return it."""
    folder = course / "submitted" / sub.student / stage.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(notebook, folder / f"{stage.name}.ipynb")
    copy_tree(framework / "ember", folder / "framework" / "ember")
    return folder


def cell_errors(notebook: Path, timeout: int) -> list[str]:
    """One line per graded cell of an autograded notebook that ended in an error."""
    if not notebook.is_file():
        return []
    reasons = []
    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except Exception:  # the kernel can write this file: never let it stop the grading
        return ["the autograded notebook could not be read back"]
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "CellTimeoutError":
                cell_id = meta.get("grade_id") or f"#{index + 1} (one of yours)"
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
    lines = [line.strip() for line in output.splitlines()
             if "Error" in line and "Warning" not in line and "WARNING" not in line]
    return lines[-1][:300] if lines else _tail(output, 3)[:300]


def run_notebook(course: Path, db: Path, sub: Submission, stage: Stage, verdicts: Path,
                 tier: str, options: GradeOptions) -> tuple[list[str], list[str]]:
    """Autograde the placed notebook for its feedback: ``(reasons, suspicious)``.

    Scores do not come from here. What comes back: why the notebook did not finish, the
    cells that ended in an error, and cells whose notebook score disagrees with the
    grader's (the sign of a replaced ``check``).
    """
    overall = options.cell_timeout * (len(stage.groups) + 4)
    cmd = nbgrader_cmd(["autograde", stage.name, "--student", sub.student, "--force",
                        f"--Execute.timeout={options.cell_timeout}"], course, db)
    cmd, env = notebook_command(cmd, tier, course.parent, [verdicts],
                                {VERDICTS_ENV: str(verdicts), "EMBER_NO_SHRINK": "1"})
    code, output, timed_out = run_group(cmd, course, env, overall)
    autograded = course / "autograded" / sub.student / stage.name / f"{stage.name}.ipynb"
    reasons = cell_errors(autograded, options.cell_timeout)
    try:  # the kernel could reach this copy of the gradebook: read it, never trust it
        notebook_scores = gradebook.read_scores(db, stage.name, sub.student)
    except Exception:  # noqa: BLE001 - whatever a damaged SQLite file raises
        notebook_scores = gradebook.NotebookScores()
    if timed_out:
        reasons.append(f"the notebook was stopped after {overall} s")
    if code != 0 or timed_out or not notebook_scores.complete:
        reasons.append(f"the notebook did not run to the end ({_why_unfinished(output)}); "
                       "no points depend on it: the grader ran the tests itself")
    return reasons, [f"cell {gid}: the notebook scored it {cell.score:g} but the grader's "
                     "own run of its tests failed (was check() replaced?)"
                     for gid, cell in notebook_scores.cells.items() if cell.score > 0
                     and verdict_failed(verdicts, gid)]


def verdict_failed(verdicts: Path, grade_id: str) -> bool:
    """Whether the grader failed the cell ``grade_id`` (``verdicts/cells.json``)."""
    try:
        cells = json.loads((verdicts / "cells.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return not cells.get(grade_id, False)


def autograde_one(course: Path, db: Path, out: Path, sub: Submission, stage: Stage,
                  blank: Path, plan: dict[str, GradedCell], tier: str,
                  options: GradeOptions) -> reports.StageGrade:
    """Grade one student's stage; always returns a grade with its reasons.

    The scores in the grade are the grader's (see the module docstring); the caller writes
    them to the main gradebook.
    """
    start = time.monotonic()
    grade = reports.StageGrade(stage.name, max_score=sum(c.points for c in plan.values()),
                               tier=tier)
    points = {gid: 0.0 for gid in plan}
    notebook = find_notebook(sub.root, stage)
    problem = sub.problem or notebook_problem(notebook)
    if problem:
        grade.reasons.append(problem)
    else:
        private = out / "private" / sub.student / stage.name
        framework, reasons = private_framework(sub, blank, private / "framework")
        grade.reasons += reasons
        limits = Limits(timeout=options.cell_timeout, per_test=options.test_timeout)
        groups = [c.group for c in plan.values() if c.stage == stage.id]
        began = time.monotonic()
        results = decide(stage, groups, framework, limits, tier)
        grade.timing["tests"] = round(time.monotonic() - began, 2)
        grade.tests = {group: result.to_dict() for group, result in results.items()}
        grade.reasons += problems(results)
        grade.suspicious += suspicious(results)
        points = earned(plan, stage, results)
        verdicts = private / "verdicts"
        for group, result in results.items():
            write_verdict(verdicts, stage.id, group, result)
        (verdicts / "cells.json").write_text(json.dumps({g: p > 0 for g, p in points.items()}))
        place_submission(course, sub, stage, notebook, framework)
        began = time.monotonic()
        reasons, odd = run_notebook(course, db, sub, stage, verdicts, tier, options)
        grade.timing["notebook"] = round(time.monotonic() - began, 2)
        grade.reasons += reasons
        grade.suspicious += odd
    grade.cells = {gid: {"score": points[gid], "max": cell.points} for gid, cell in plan.items()}
    grade.score = sum(points.values())
    grade.seconds = round(time.monotonic() - start, 1)
    return grade


#: Hidden-suite lines that must show together before a feedback counts as leaking them:
#: one or two can be the student's own code by coincidence (``losses.append(loss.item())``);
#: a printed test file shows dozens.
SUITE_LEAK_LINES = 3


def leak_snippets(course: Path, stage: Stage) -> tuple[list[str], list[str]]:
    """Text of the hidden tests that must never show in feedback: ``(notebook, suites)``.

    ``notebook``: the lines of the instructor's hidden regions (any one is a leak).
    ``suites``: the lines of the hidden suite files that are their own (at least 24
    characters, not a comment or import, in neither the public suites nor the
    instructor's notebook); :data:`SUITE_LEAK_LINES` of them together are a leak.
    """
    notebook = json.loads((course / "source" / stage.notebook).read_text(encoding="utf-8"))
    common = {line.strip() for cell in notebook.get("cells", [])
              for line in "".join(cell.get("source", "")).splitlines()}
    for group in stage.public:
        for path in stage.test_files(group):
            if path.is_file():
                common |= {line.strip() for line in path.read_text().splitlines()}
    suites = []
    for path in stage.test_files(HIDDEN):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if len(text) >= 24 and text not in common and not text.startswith(
                    ("#", "import ", "from ", '"""')):
                suites.append(text)
    return hidden_snippets(notebook), sorted(set(suites))


def make_feedback(course: Path, db: Path, sub: Submission, stage: Stage,
                  grade: reports.StageGrade) -> None:
    """Generate the student's feedback HTML; withhold it when hidden-test text shows."""
    graded = course / "autograded" / sub.student / stage.name
    if not graded.is_dir():
        return
    # The kernel wrote in this folder and nbgrader copies it into the feedback, following
    # links: a link to /etc/passwd would ship the file. Only plain files and folders stay.
    remove_links(graded)
    code, output, _ = run_group(
        nbgrader_cmd(["generate_feedback", stage.name, "--student", sub.student, "--force"],
                     course, db),
        course, nbgrader_env(), 600,
    )
    html = course / "feedback" / sub.student / stage.name / f"{stage.name}.html"
    if code != 0 or not html.is_file():
        grade.reasons.append(f"feedback not generated:\n{_tail(output)}")
        return
    # nbgrader copies every file of the graded folder; the student has their framework.
    shutil.rmtree(html.parent / "framework", ignore_errors=True)
    from_notebook, from_suites = leak_snippets(course, stage)
    leaks = find_hidden_leaks(html, from_notebook)
    suite_leaks = find_hidden_leaks(html, from_suites)
    leaks += suite_leaks if len(suite_leaks) >= SUITE_LEAK_LINES else []
    if leaks:
        html.unlink()
        grade.reasons.append("feedback withheld: it showed text of the hidden tests")
        grade.suspicious.append(f"the feedback showed hidden test text, e.g. {leaks[0][:80]!r}")
        return
    grade.feedback = str(html)


def remove_links(folder: Path) -> None:
    """Delete every link (and anything but plain files and folders) under ``folder``."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            path.unlink(missing_ok=True)


def grade_student(course: Path, db: Path, out: Path, sub: Submission, blank: Path,
                  plans: dict[str, dict[str, GradedCell]], tier: str,
                  options: GradeOptions) -> reports.StudentGrade:
    """Grade (and give feedback on) every stage of one student in one course copy.

    A failure of the grader itself on one stage becomes that stage's reason (and a line of
    the suspicious report, so the instructor regrades it); the other stages go on.
    """
    student = reports.StudentGrade(sub.student, problem=sub.problem)
    for stage in options.stages if STUDENT_ID.match(sub.student) else ():
        print(f"grading {sub.student} / {stage.name} ...", flush=True)
        try:
            stage_grade = autograde_one(course, db, out, sub, stage, blank, plans[stage.name],
                                        tier, options)
        except Exception as exc:  # noqa: BLE001 - one stage's failure is reported, not fatal
            stage_grade = reports.StageGrade(stage.name, tier=tier, max_score=sum(
                c.points for c in plans[stage.name].values()))
            stage_grade.reasons.append(f"the grader failed on this stage: {exc!r}")
            stage_grade.suspicious.append(f"grader error, regrade by hand: {exc!r}")
        if options.feedback:
            began = time.monotonic()
            try:
                make_feedback(course, db, sub, stage, stage_grade)
            except Exception as exc:  # noqa: BLE001
                stage_grade.reasons.append(f"feedback not generated: {exc!r}")
            stage_grade.timing["feedback"] = round(time.monotonic() - began, 2)
        student.stages[stage.name] = stage_grade
    return student


def _worker_course(out: Path, course: Path, db: Path, student: str) -> tuple[Path, Path]:
    """A private copy of the generated course and gradebook for one student."""
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
    """Write the grader's scores to the main gradebook and copy the student's files over.

    Scores come from the grade (the grader's verdicts), never from the worker's gradebook,
    which the notebook's kernel could reach.
    """
    wcourse, _ = worker
    for name, stage_grade in student.stages.items():
        scores = gradebook.write_fallback_scores(
            db, name, student.student,
            {gid: cell["score"] for gid, cell in stage_grade.cells.items()})
        stage_grade.score = scores.score
        for part in ("submitted", "autograded", "feedback"):
            src = wcourse / part / student.student / name
            if src.is_dir():
                dest = course / part / student.student / name
                shutil.rmtree(dest, ignore_errors=True)
                try:
                    copy_tree(src, dest, ignore=_ignore)
                except (OSError, UnsafeSubmission) as exc:
                    stage_grade.reasons.append(f"{part} files not kept: {exc}")
                    if part == "feedback":
                        stage_grade.feedback = ""
        if stage_grade.feedback:
            stage_grade.feedback = str(course / "feedback" / student.student / name
                                       / Path(stage_grade.feedback).name)


def grade(submissions_dir: Path, out_dir: Path, options: GradeOptions | None = None
          ) -> list[reports.StudentGrade]:
    """Grade every student in ``submissions_dir``; write the outputs to ``out_dir``.

    Each student is graded in a private copy of the course and gradebook (the notebook's
    kernel may damage its copy, never another student's or the main gradebook; and
    nbgrader's SQLite gradebook is not made for concurrent writers); ``options.jobs``
    students at a time. The scores are then merged into ``out_dir/gradebook.db`` through
    the gradebook API.

    Returns:
        One :class:`reports.StudentGrade` per student, sorted by student id.
    """
    options = options or GradeOptions()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    tier, isolation = choose_tier(options.tier)
    if isolation:
        print(f"WARNING: {isolation}", file=sys.stderr, flush=True)
    course, db = setup_course(out, options)
    plans = {stage.name: cell_plan(course / "source" / stage.notebook)
             for stage in options.stages}
    blank = blank_framework(out, options)
    subs = collect(Path(submissions_dir), out / "unpacked")
    gradebook.add_students(db, [s.student for s in subs if STUDENT_ID.match(s.student)])
    for folder in ("work", "private"):
        shutil.rmtree(out / folder, ignore_errors=True)
    workers = {sub.student: _worker_course(out, course, db, sub.student) for sub in subs
               if STUDENT_ID.match(sub.student)}

    def one(sub: Submission) -> reports.StudentGrade:
        if sub.student not in workers:
            return reports.StudentGrade(sub.student, problem=sub.problem)
        return grade_student(*workers[sub.student], out, sub, blank, plans, tier, options)

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        results = list(pool.map(one, subs))
    for student in results:
        if student.student in workers:
            merge_student(course, db, workers[student.student], student)
    for folder in ("work", "private"):
        shutil.rmtree(out / folder, ignore_errors=True)
    names = [s.name for s in options.stages]
    reports.write_csv(out / "grades.csv", results, names)
    reports.write_json(out / "report.json", results, isolation)
    reports.write_suspicious(out / "suspicious.txt", results, isolation)
    print(reports.table(results, names))
    notes = reports.zero_reasons(results)
    if notes:
        print("\nNot graded, or scored 0 (first reason; report.json has all):\n" + notes)
    if isolation:
        print(f"\n{isolation}")
    return results

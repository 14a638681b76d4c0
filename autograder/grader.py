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

import shutil
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from . import gradebook, nbgrader_runs, reports
from .check import write_verdict
from .nbgrader_runs import tail
from .processes import run_nbgrader
from .release import ReleaseError, build_framework, course_copy, ignore_junk, repo_root
from .runner import Limits, RunResult
from .sandbox import choose_tier
from .shards import Shard, read_manifests, write_manifest
from .stages import STAGES, Stage
from .submissions import (
    STUDENT_ID,
    Submission,
    UnsafeSubmission,
    collect,
    copy_tree,
    entries,
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
        shard: grade only this slice of the class (:mod:`autograder.shards`).
    """

    course_dir: Path | None = None
    stages: tuple[Stage, ...] = STAGES
    blank_framework: Path | None = None
    cell_timeout: int = 300
    feedback: bool = True
    jobs: int = 1
    test_timeout: float = 60.0
    tier: str | None = None
    shard: Shard | None = None


def setup_course(out: Path, options: GradeOptions) -> tuple[Path, Path]:
    """A fresh nbgrader course in ``out/course``; every stage generated into the gradebook."""
    course, db = out / "course", out / "gradebook.db"
    for old in (course, out / "results", out / "unpacked"):
        shutil.rmtree(old, ignore_errors=True)
    db.unlink(missing_ok=True)
    course_copy(Path(options.course_dir or repo_root() / "course"), course, options.stages)
    for stage in options.stages:
        done = run_nbgrader(["generate_assignment", stage.name, "--force"], course, db)
        if done.returncode != 0:
            raise ReleaseError(f"generate_assignment {stage.name} failed:\n{tail(done.output, 30)}")
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
    copy_tree(own, dest / "ember", ignore=ignore_junk)
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


def _prepare(sub: Submission, stage: Stage, plan: dict[str, GradedCell], tier: str
             ) -> tuple[reports.StageGrade, Path | None]:
    """A stage's empty grade and the student's notebook (None, with the reason, when the
    notebook is missing or broken)."""
    grade = reports.StageGrade(stage.name, max_score=sum(c.points for c in plan.values()),
                               tier=tier)
    grade.cells = {gid: {"score": 0.0, "max": c.points} for gid, c in plan.items()}
    notebook = find_notebook(sub.root, stage)
    problem = sub.problem or notebook_problem(notebook)
    if problem:
        grade.reasons.append(problem)
        return grade, None
    return grade, notebook


def _record(grade: reports.StageGrade, stage: Stage, plan: dict[str, GradedCell],
            results: dict[str, RunResult], verdicts: Path) -> None:
    """Score ``grade`` from the grader's runs and write the reports ``check()`` prints."""
    grade.tests = {group: result.to_dict() for group, result in results.items()}
    grade.reasons += problems(results)
    grade.suspicious += suspicious(results)
    points = earned(plan, stage, results)
    grade.cells = {gid: {"score": points[gid], "max": c.points} for gid, c in plan.items()}
    for group, result in results.items():
        write_verdict(verdicts, stage.id, group, result)


def grade_student(course: Path, db: Path, out: Path, sub: Submission, blank: Path,
                  plans: dict[str, dict[str, GradedCell]], tier: str,
                  options: GradeOptions) -> reports.StudentGrade:
    """Grade (and give feedback on) every stage of one student in one course copy.

    In three steps, each one process for all the student's stages: the grader's test run
    (:func:`autograder.verdicts.decide`), nbgrader's run of the notebooks
    (:func:`nbgrader_runs.autograde`) and the feedback (:func:`nbgrader_runs.feedback`).
    A failure of the grader itself becomes the reason of the stages it hit (and a line
    of the suspicious report, so the instructor regrades them); nothing is fatal.
    """
    student = reports.StudentGrade(sub.student, problem=sub.problem)
    if not STUDENT_ID.match(sub.student):
        return student
    print(f"grading {sub.student} ...", flush=True)
    started = time.monotonic()
    ready: dict[str, Stage] = {}
    notebooks: dict[str, Path] = {}
    for stage in options.stages:
        grade, notebook = _prepare(sub, stage, plans[stage.name], tier)
        student.stages[stage.name] = grade
        if notebook is not None:
            ready[stage.name], notebooks[stage.name] = stage, notebook
    private = out / "private" / sub.student
    step = ""
    try:
        if ready:
            step = "the grader's test run"
            framework, reasons = private_framework(sub, blank, private / "framework")
            limits = Limits(timeout=options.cell_timeout, per_test=options.test_timeout)
            began = time.monotonic()
            results = decide([(stage, [c.group for c in plans[name].values()
                                       if c.stage == stage.id])
                              for name, stage in ready.items()], framework, limits, tier)
            share = round((time.monotonic() - began) / len(ready), 2)
            for name, stage in ready.items():
                grade = student.stages[name]
                grade.reasons += reasons
                _record(grade, stage, plans[name], results[name], private / "verdicts")
                grade.timing["tests"] = share
                place_submission(course, sub, stage, notebooks[name], framework)
            step = "the notebook run"
            began = time.monotonic()
            nbgrader_runs.autograde(course, db, sub.student, list(ready.values()),
                                    student.stages, private / "verdicts", tier, options)
            share = round((time.monotonic() - began) / len(ready), 2)
            for name in ready:
                student.stages[name].timing["notebook"] = share
        if options.feedback and ready:
            step = "the feedback"
            began = time.monotonic()
            nbgrader_runs.feedback(course, db, sub.student, list(ready.values()),
                                   student.stages)
            share = round((time.monotonic() - began) / len(ready), 2)
            for name in ready:
                student.stages[name].timing["feedback"] = share
    except Exception as exc:  # noqa: BLE001 - the grader's own failure, reported per stage
        for name in ready:
            student.stages[name].reasons.append(f"the grader failed in {step}: {exc!r}")
            student.stages[name].suspicious.append(
                f"grader error in {step}, regrade by hand: {exc!r}")
    for grade in student.stages.values():
        grade.score = sum(cell["score"] for cell in grade.cells.values())
    seconds = round((time.monotonic() - started) / max(1, len(student.stages)), 1)
    for grade in student.stages.values():
        grade.seconds = seconds
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
                    copy_tree(src, dest, ignore=ignore_junk)
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
    subs = collect(Path(submissions_dir), out / "unpacked", shard=options.shard)
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
    if options.shard is not None:
        write_manifest(out, options.shard,
                       [student for student, _ in entries(Path(submissions_dir))], names)
    reports.write_outputs(out, results, names, isolation)
    return results


def merge(shard_dirs: Sequence[Path], out_dir: Path, options: GradeOptions | None = None
          ) -> list[reports.StudentGrade]:
    """Join the outputs of ``grade --shard i/n`` for every ``i`` into one grading run.

    Checks first that the folders are the n shards of one class (:mod:`autograder.shards`),
    then generates a fresh course and gradebook in ``out_dir`` and merges each shard's
    students into it as :func:`grade` merges its workers: scores from the shard's
    ``report.json``, the submitted, autograded and feedback folders copied over.

    Returns:
        Every student's grade, sorted by student id, as :func:`grade` returns them.
    """
    shards = [Path(folder).resolve() for folder in shard_dirs]
    _, stage_names = read_manifests(shards)
    options = options or GradeOptions()
    known = {stage.name: stage for stage in options.stages}
    unknown = [name for name in stage_names if name not in known]
    if unknown:
        raise KeyError(f"the shards graded stages this course does not have: {unknown}")
    options = replace(options, stages=tuple(known[n] for n in stage_names))
    out = Path(out_dir).resolve()
    if out in shards:
        raise ValueError(f"merge --out {out_dir} is one of the shards; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    course, db = setup_course(out, options)
    results, warnings = [], set()
    for folder in shards:
        graded, isolation = reports.read_json(folder / "report.json")
        warnings.add(isolation)
        gradebook.add_students(db, [g.student for g in graded if STUDENT_ID.match(g.student)])
        for student in graded:
            if STUDENT_ID.match(student.student):
                merge_student(course, db, (folder / "course", folder / "gradebook.db"), student)
        results += graded
    results.sort(key=lambda g: g.student)
    isolation = " ".join(sorted(w for w in warnings if w))
    reports.write_outputs(out, results, stage_names, isolation)
    return results

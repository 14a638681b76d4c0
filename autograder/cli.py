"""The command line: ``python -m autograder <command>``.

Instructor commands need the full repository (solutions, hidden tests); ``test`` and
``submit`` work in the student handout too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def default_jobs() -> int:
    """Parallel graders: one per CPU, at most 4 (each runs a kernel and pytest in turn)."""
    return max(1, min(4, os.cpu_count() or 1))


def cmd_release(args: argparse.Namespace) -> int:
    """Regenerate framework/ember and course/release (or check they are in sync)."""
    from .release import release

    release(check=args.check)
    print("release: generated files are in sync" if args.check
          else "release: wrote framework/ember and course/release")
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    """Build the student handout folder and zip (with the leak check)."""
    from .handout import build_handout

    folder, archive = build_handout(Path(args.out))
    print(f"handout: {folder}\nzip:     {archive}\nleak check: clean")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """Autograde every submission in SUBMISSIONS."""
    from .grader import GradeOptions, grade
    from .shards import Shard

    if not Path(args.submissions).is_dir():
        print(f"error: {args.submissions} is not a folder; put one folder or .zip per "
              "student in it", file=sys.stderr)
        return 2
    options = GradeOptions(cell_timeout=args.cell_timeout, jobs=args.jobs,
                           shard=Shard.parse(args.shard) if args.shard else None)
    grade(Path(args.submissions), Path(args.out), options)
    print(f"grades: {Path(args.out) / 'grades.csv'}\nreport: {Path(args.out) / 'report.json'}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """Join the outputs of 'grade --shard i/n' (every i) into one grading run."""
    from .grader import merge

    merge([Path(folder) for folder in args.shards], Path(args.out))
    print(f"grades: {Path(args.out) / 'grades.csv'}\nreport: {Path(args.out) / 'report.json'}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Handout + the three bundled samples + grading; checks the expected ordering."""
    from .grader import GradeOptions, grade
    from .handout import build_handout
    from .samples import build_samples

    out = Path(args.out).resolve()
    folder, _ = build_handout(out / "handout")
    submissions = build_samples(out / "submissions", folder)
    graded = grade(submissions, out / "grades", GradeOptions(jobs=args.jobs))
    results = {g.student: g.percent for g in graded}
    ok = results.get("reference") == 100 and results.get("blank") == 0 and (
        0 < results.get("partial", 0) < 100)
    print("demo: " + ("as expected (reference 100%, blank 0%, partial in between)" if ok else
                      "UNEXPECTED scores; read " + str(out / "grades" / "report.json")))
    return 0 if ok else 1


def cmd_verify(args: argparse.Namespace) -> int:
    """Prove the suites: reference passes, stubs fail, mutants caught, progressive builds."""
    from .stages import STAGES, get_stage
    from .verify import verify

    stages = [get_stage(s) for s in args.stage] if args.stage else list(STAGES)
    if args.order:
        import tempfile

        from .order import verify_order

        with tempfile.TemporaryDirectory(prefix="ember-order-") as tmp:
            checks = verify_order(stages, Path(tmp))
    else:
        checks = verify(stages, jobs=args.jobs)
    failed = [c for c in checks if not c.ok]
    print(f"verify: {len(checks) - len(failed)}/{len(checks)} checks hold")
    return 1 if failed else 0


def cmd_test(args: argparse.Namespace) -> int:
    """Run a stage's public checks on your framework, like the notebook's test cells."""
    from .check import check
    from .stages import HIDDEN, get_stage

    stage = get_stage(args.stage)
    groups = args.groups or list(stage.public)
    if HIDDEN in groups:
        print(f"error: the hidden tests run only when your work is graded; the groups you "
              f"can run: {', '.join(stage.public)}", file=sys.stderr)
        return 2
    for group in groups:
        stage.test_files(group)  # an unknown group stops here, before anything runs
    passed, failed, tests = [], [], {"passed": 0, "failed": 0, "errors": 0}
    for group in groups:
        try:
            result = check(stage.id, group, select=args.k, show_all=args.all,
                           traceback=args.tb)
            passed.append(group)
        except AssertionError as exc:
            failed.append(group)
            result = getattr(exc, "result", None)
        if result is not None:
            for key in tests:
                tests[key] += getattr(result, key)
        print(flush=True)
    verdict = "all passed" if not failed else f"failed: {', '.join(failed)}"
    print(f"stage {stage.id}: {len(passed)} of {len(groups)} groups passed "
          f"({tests['passed']} tests passed, {tests['failed']} failed, {tests['errors']} "
          f"errors); {verdict}")
    return 1 if failed else 0


def cmd_formgrader(args: argparse.Namespace) -> int:
    """Open nbgrader's formgrader on a grading run, for the manually graded answers."""
    import subprocess

    from .manual import formgrader_command

    lab_args = [f"--port={args.port}"] + (["--no-browser"] if args.no_browser else [])
    cmd, cwd, env = formgrader_command(Path(args.grades), lab_args)
    print(f"formgrader: grade the manual answers at /formgrader, then stop the server (Ctrl-C)"
          f" and run 'python -m autograder feedback --grades {args.grades}'", flush=True)
    try:
        return subprocess.call(cmd, cwd=cwd, env=env)
    except KeyboardInterrupt:
        return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """After manual grading: regenerate every feedback file and export all scores."""
    from .manual import finish

    done = finish(Path(args.grades))
    print(f"feedback: {len(done.feedback)} files rewritten with the manual scores")
    for problem in done.problems:
        print(f"  not written: {problem}")
    print(f"scores (automatic and manual): {done.csv}")
    return 1 if done.problems else 0


def cmd_submit(args: argparse.Namespace) -> int:
    """Zip your workspace for handing in, checked as the grader will check it."""
    from .submit import build_submission
    from .workspace import find_framework

    workspace = find_framework().parent
    print(build_submission(workspace, Path(args.out) if args.out else None).summary())
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def add(name: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
        cmd.set_defaults(func=func)
        return cmd

    add("release", cmd_release).add_argument(
        "--check", action="store_true", help="fail if the committed files are out of date")
    add("handout", cmd_handout).add_argument("--out", default="build/handout")
    grade = add("grade", cmd_grade)
    grade.add_argument("submissions", help="folder of student folders or zips")
    grade.add_argument("--out", default="build/grades")
    grade.add_argument("--cell-timeout", type=int, default=300)
    grade.add_argument("--jobs", type=int, default=default_jobs(),
                       help="students graded at once (default: CPU count, at most 4)")
    grade.add_argument("--shard", metavar="I/N",
                       help="grade only slice I of N of the class (submissions in name order, "
                       "every N-th from the I-th); join the slices with 'merge'")
    merge = add("merge", cmd_merge)
    merge.add_argument("shards", nargs="+", help="the --out folders of every 'grade --shard'")
    merge.add_argument("--out", default="build/grades")
    demo = add("demo", cmd_demo)
    demo.add_argument("--out", default="build/demo")
    demo.add_argument("--jobs", type=int, default=default_jobs())
    verify = add("verify", cmd_verify)
    verify.add_argument("--stage", action="append", help="only this stage (repeatable)")
    verify.add_argument("--jobs", type=int, default=None)
    verify.add_argument("--order", action="store_true",
                        help="prove instead that each notebook check passes with only the "
                        "exercises above it done (autograder/order.py)")
    test = add("test", cmd_test)
    test.add_argument("stage", nargs="?", default="01")
    test.add_argument("groups", nargs="*", help="groups to run (default: every public one)")
    test.add_argument("-k", metavar="NAME", help="only the tests whose names match "
                      "(pytest -k expression), e.g. -k test_strides")
    test.add_argument("--all", action="store_true", help="list every failing test")
    test.add_argument("--tb", action="store_true", help="show a short traceback per failure")
    formgrader = add("formgrader", cmd_formgrader)
    formgrader.add_argument("--grades", default="build/grades", help="the grading run's --out")
    formgrader.add_argument("--port", type=int, default=8888)
    formgrader.add_argument("--no-browser", action="store_true")
    add("feedback", cmd_feedback).add_argument(
        "--grades", default="build/grades", help="the grading run's --out")
    add("submit", cmd_submit).add_argument(
        "--out", help="where to write the zip (default: submission.zip in the workspace)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors become a message and exit status 1 (2 for usage)."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ModuleNotFoundError as exc:
        print(f"error: {exc}. '{args.command}' needs the instructor's repository "
              "(and 'pip install -e .[dev]').", file=sys.stderr)
    except KeyError as exc:  # str() of a KeyError quotes its message
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 1

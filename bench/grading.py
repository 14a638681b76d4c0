"""``python -m bench.grading``: how fast the grader grades a class, and where the time goes.

Builds the handout and the full reference submission exactly as ``make demo`` does, grades
``--copies`` copies of it (default 10) with ``--jobs`` graders (default 2), and prints per
stage: the class's wall-clock time divided by the number of submissions (the throughput an
instructor sees; target <= 10 s a stage on 2 cores), the mean latency of one stage, and
how that latency splits between the grader's own test runs, nbgrader's run of the
notebook and the feedback HTML. Every copy must score 100 %: a fast grader that loses
points is no grader. ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from autograder.grader import GradeOptions, grade
from autograder.handout import build_handout
from autograder.samples import build_samples
from autograder.sandbox import choose_tier
from autograder.stages import STAGES

#: Seconds per stage and submission the grader should reach on 2 cores.
TARGET = 10.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stages", nargs="+", help="stage ids (default: every built stage)")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    stages = tuple(s for s in STAGES if not args.stages or s.id in args.stages)
    with tempfile.TemporaryDirectory(prefix="ember-bench-grading-") as tmp:
        out = Path(tmp)
        folder, _ = build_handout(out / "handout")
        samples = build_samples(out / "samples", folder)
        subs = out / "subs"
        for i in range(args.copies):
            shutil.copytree(samples / "reference", subs / f"ref{i:02d}")
        start = time.monotonic()
        graded = grade(subs, out / "grades", GradeOptions(stages=stages, jobs=args.jobs))
        wall = time.monotonic() - start
    lost = [g.student for g in graded if g.percent != 100]
    rows = {}
    for stage in stages:
        per = [g.stages[stage.name] for g in graded]
        rows[stage.name] = {
            "latency": statistics.mean(s.seconds for s in per),
            **{part: statistics.mean(s.timing.get(part, 0.0) for s in per)
               for part in ("tests", "notebook", "feedback")},
        }
    throughput = wall / (args.copies * len(stages))
    print(f"tier {choose_tier()[0]}, {args.copies} copies x {len(stages)} stages, "
          f"--jobs {args.jobs}: {wall:.0f} s in all, {throughput:.1f} s per stage and "
          f"submission (target <= {TARGET:g} s)")
    print(f"{'stage':22} {'latency':>8} {'tests':>8} {'notebook':>9} {'feedback':>9}")
    for name, row in rows.items():
        print(f"{name:22} {row['latency']:8.1f} {row['tests']:8.1f} {row['notebook']:9.1f} "
              f"{row['feedback']:9.1f}")
    if lost:
        print(f"LOST POINTS: {', '.join(lost)}")
    if args.json:
        args.json.write_text(json.dumps({"wall": wall, "per_stage": throughput,
                                         "stages": rows, "lost": lost}, indent=1))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())

"""Grade a class in slices on machines that share nothing: ``grade --shard i/n`` and ``merge``.

A batch system that is not a Python scheduler (a Slurm array job, Kubernetes Jobs, a CI
matrix) runs ``python -m autograder grade SUBMISSIONS --shard i/n --out OUT_i`` once per
``i`` in ``1..n``, each on any machine that sees the submissions folder; then one
``python -m autograder merge OUT_1 … OUT_n --out OUT`` joins them into the outputs a single
run would have written: one gradebook, ``grades.csv``, ``report.json``, ``suspicious.txt``
and the per-student submitted, autograded and feedback folders.

**The slice.** The submissions are sorted by name (as :func:`autograder.submissions.collect`
lists them) and the k-th one (from 0) belongs to shard ``k mod n + 1``: every student in
exactly one shard, the shards within one student of each other in size, and the same
answer on every machine. Each shard writes ``shard.json``: its ``i/n``, the whole class it
was cut from and the stages it graded. ``merge`` refuses, before writing anything, shards
cut from different classes or for different stages, a shard given twice and a shard
missing, so a student is never lost or counted twice. A lost shard is re-run alone.

**The scores** come from each shard's ``report.json`` (the grader's verdicts), never from a
shard's gradebook, exactly as :func:`autograder.grader.grade` merges its own workers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "shard.json"
_SPEC = re.compile(r"^(?P<index>\d+)/(?P<count>\d+)$")


class ShardError(ValueError):
    """A shard spec that does not parse, or shards that do not make one whole class."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as Slurm's ``SLURM_ARRAY_TASK_ID`` from 1)."""

    index: int
    count: int

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """``"2/4"`` → ``Shard(2, 4)``.

        Raises:
            ShardError: not of the form ``i/n`` with ``1 <= i <= n``.
        """
        match = _SPEC.match(spec.strip())
        if not match:
            raise ShardError(f"--shard must look like i/n (e.g. 1/4), got {spec!r}")
        index, count = int(match["index"]), int(match["count"])
        if not 1 <= index <= count:
            raise ShardError(f"--shard {spec}: i must be between 1 and n")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, position: int) -> bool:
        """Whether the submission at ``position`` (0-based, in name order) is this shard's."""
        return position % self.count == self.index - 1


def write_manifest(out: Path, shard: Shard, students: Sequence[str],
                   stages: Sequence[str]) -> Path:
    """Record which slice of which class (and stages) ``out`` holds."""
    path = out / MANIFEST
    path.write_text(json.dumps({"shard": str(shard), "class": list(students),
                                "stages": list(stages)}, indent=1), encoding="utf-8")
    return path


def read_manifests(folders: Sequence[Path]) -> tuple[list[str], list[str]]:
    """Check that ``folders`` are the n shards of one class; return its students and stages.

    Raises:
        ShardError: a folder without ``shard.json``, shards of different classes or stages,
            a shard given twice, or one missing (each error names the folders concerned).
    """
    seen: dict[int, Path] = {}
    first: dict | None = None
    for folder in folders:
        path = Path(folder) / MANIFEST
        if not path.is_file():
            raise ShardError(f"{folder} is not the output of 'grade --shard' (no {MANIFEST})")
        data = json.loads(path.read_text(encoding="utf-8"))
        shard = Shard.parse(data["shard"])
        if first is None:
            first = {**data, "count": shard.count, "folder": folder}
        elif shard.count != first["count"]:
            raise ShardError(f"{folder} is shard {shard} but {first['folder']} is one of "
                             f"{first['count']}")
        elif data["class"] != first["class"]:
            raise ShardError(f"{folder} and {first['folder']} were cut from different "
                             "submission folders (the class changed between runs?)")
        elif data["stages"] != first["stages"]:
            raise ShardError(f"{folder} and {first['folder']} graded different stages")
        if shard.index in seen:
            raise ShardError(f"shard {shard} is given twice: {seen[shard.index]} and {folder}")
        seen[shard.index] = Path(folder)
    if first is None:
        raise ShardError("merge needs the output folders of every shard")
    count = first["count"]
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise ShardError(f"shards missing: {', '.join(missing)} (re-run them with "
                         "'grade --shard')")
    return first["class"], first["stages"]

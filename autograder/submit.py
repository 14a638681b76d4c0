"""``python -m autograder submit``: the zip a student hands in, checked as the grader will.

The zip holds the workspace (``framework/``, ``course/`` and the rest of the handout) without
the folders grading skips (:data:`~autograder.submissions.IGNORED_DIRS`: ``.venv``, caches,
``.git``) and without earlier submission zips. Before it is written, the workspace gets the
grader's own checks (no links, within the size and file-count limits); after, the zip is
unpacked with the grader's own extractor, so a zip this command writes is one the grader
accepts. The summary counts, per stage, the student regions still raising
``NotImplementedError``: a reminder, not a grade.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .submissions import (
    SubmissionLimits,
    UnsafeSubmission,
    check_folder,
    find_workspace,
    safe_extract,
    walk_submission,
)

#: The file ``make submit`` writes at the workspace root.
DEFAULT_NAME = "submission.zip"
#: A stub the student has not replaced yet (the release writes exactly this line).
STUB = re.compile(r'raise NotImplementedError\("Stage (\d{2}): implement ')


@dataclass
class SubmitReport:
    """What went into a submission zip.

    Attributes:
        archive: the zip written.
        files: number of files in it.
        size: its size in bytes.
        notebooks: the stage notebooks it holds (``"01_tensors"``, ...).
        stubs_left: stage id → number of student regions still raising
            ``NotImplementedError`` in ``framework/ember``.
    """

    archive: Path
    files: int
    size: int
    notebooks: list[str] = field(default_factory=list)
    stubs_left: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """The lines ``submit`` prints."""
        lines = [f"wrote {self.archive.name}: {self.files} files, {self.size / 1e6:.1f} MB "
                 "(.venv, caches and .git left out); the grader's checks pass on it"]
        lines.append("notebooks: " + (", ".join(self.notebooks) or "none found"))
        unfinished = {stage: n for stage, n in sorted(self.stubs_left.items()) if n}
        if unfinished:
            lines.append("still to write: " + ", ".join(
                f"stage {stage}: {n} function{'s' * (n != 1)}" for stage, n in unfinished.items()))
        else:
            lines.append("every student region of framework/ember is filled in")
        return "\n".join(lines)


def stubs_left(framework: Path) -> dict[str, int]:
    """Stage id → how many stubs in ``framework/ember`` still raise ``NotImplementedError``."""
    counts: dict[str, int] = {}
    for path in sorted((framework / "ember").rglob("*.py")):
        for stage in STUB.findall(path.read_text(encoding="utf-8", errors="replace")):
            counts[stage] = counts.get(stage, 0) + 1
    return counts


def build_submission(workspace: Path, archive: Path | None = None,
                     limits: SubmissionLimits | None = None) -> SubmitReport:
    """Zip ``workspace`` into ``archive`` (default ``workspace/submission.zip``) and check it.

    Raises:
        UnsafeSubmission: the workspace holds a link or exceeds the grader's limits, or is
            not a workspace (no ``framework/``).
    """
    workspace = Path(workspace).resolve()
    if not (workspace / "framework" / "ember").is_dir():
        raise UnsafeSubmission(f"{workspace} is not an Ember workspace (no framework/ember): "
                               "run this from the folder you were given")
    archive = Path(archive).resolve() if archive else workspace / DEFAULT_NAME
    limits = limits or SubmissionLimits()
    check_folder(workspace, limits)
    files = [path for path in walk_submission(workspace)
             if path.is_file() and path.suffix != ".zip"]
    partial = archive.with_name(archive.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, path.relative_to(workspace).as_posix())
    with tempfile.TemporaryDirectory() as scratch:
        unpacked = find_workspace(safe_extract(partial, Path(scratch), limits))
        if unpacked is None:  # cannot happen for a workspace; kept as the grader's own test
            raise UnsafeSubmission("the zip holds no framework/ or course/ folder")
    partial.replace(archive)  # only a zip that passed every check takes the final name
    notebooks = sorted(path.stem for path in (workspace / "course" / "release").glob("*/*.ipynb"))
    return SubmitReport(archive, len(files), archive.stat().st_size, notebooks,
                        stubs_left(workspace / "framework"))

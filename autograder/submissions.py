"""Collect student workspaces: folders or zips of the handout, unpacked safely.

Each entry of the submissions folder is one student: ``alice/`` or ``alice.zip`` (student
id ``alice``). Zips are checked before and while extracting: no absolute paths, no ``..``,
no links, a cap on the number of entries and on the bytes actually written (a zip bomb
stops at the cap whatever its headers claim). Folders get the same caps and the same
refusal of links (symbolic or hard): a link to the reference or to ``/etc/passwd`` would
otherwise be followed by every copy the grader makes.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the handout's copy of this module (for `submit`) has no shards.py
    from .shards import Shard

#: Folders a workspace may hold that are never part of a submission (environments, caches,
#: version control): skipped when unpacking and scanning, so a workspace zipped with its
#: ``.venv`` is graded like one without.
IGNORED_DIRS = frozenset({".venv", "venv", "__pycache__", ".ipynb_checkpoints", ".git",
                          ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache",
                          "node_modules", "__MACOSX"})

#: Student ids nbgrader and file systems both accept.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class SubmissionLimits:
    """Caps on one submitted zip."""

    max_bytes: int = 200 * 2**20
    max_entries: int = 20_000


@dataclass
class Submission:
    """One student's workspace.

    Attributes:
        student: the student id (entry name without ``.zip``).
        root: the workspace folder (holds ``framework/`` and/or ``course/``), or None.
        problem: why the workspace could not be used ("" when it could).
    """

    student: str
    root: Path | None
    problem: str = ""


class UnsafeSubmission(ValueError):
    """A submission that would reach outside its folder (paths, links) or is too large."""


def _safe_name(name: str) -> PurePosixPath:
    """The entry path, or UnsafeSubmission for absolute paths and ``..`` components."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise UnsafeSubmission(f"unsafe path in zip: {name!r}")
    return path


def safe_extract(archive: Path, dest: Path, limits: SubmissionLimits = SubmissionLimits()) -> Path:
    """Extract ``archive`` into ``dest`` enforcing :class:`SubmissionLimits`; return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    written = 0
    with zipfile.ZipFile(archive) as zf:
        entries = [info for info in zf.infolist()
                   if not IGNORED_DIRS.intersection(_safe_name(info.filename).parts[:-1])
                   and not (info.is_dir() and _safe_name(info.filename).name in IGNORED_DIRS)]
        if len(entries) > limits.max_entries:
            raise UnsafeSubmission(f"zip has {len(entries)} entries (limit {limits.max_entries})")
        for info in entries:
            rel = _safe_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeSubmission(f"links are not allowed in submissions: {info.filename!r}")
            target = dest.joinpath(*rel.parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(1 << 16):
                    written += len(chunk)
                    if written > limits.max_bytes:
                        raise UnsafeSubmission(f"zip unpacks to more than {limits.max_bytes} bytes")
                    sink.write(chunk)
    return dest


def check_folder(folder: Path, limits: SubmissionLimits = SubmissionLimits()) -> Path:
    """``folder`` when it holds no links and fits :class:`SubmissionLimits`, else raise.

    Raises:
        UnsafeSubmission: a symbolic link, a file with more than one hard link, or too
            many entries or bytes.
    """
    entries = total = 0
    for path in walk_submission(folder):
        entries += 1
        info = path.lstat()
        rel = path.relative_to(folder).as_posix()
        if stat.S_ISLNK(info.st_mode) or (stat.S_ISREG(info.st_mode) and info.st_nlink > 1):
            raise UnsafeSubmission(f"links are not allowed in submissions: {rel!r}")
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            raise UnsafeSubmission(f"only files and folders are allowed: {rel!r}")
        total += info.st_size if stat.S_ISREG(info.st_mode) else 0
        if entries > limits.max_entries:
            raise UnsafeSubmission(f"folder has more than {limits.max_entries} entries")
        if total > limits.max_bytes:
            raise UnsafeSubmission(f"folder holds more than {limits.max_bytes} bytes")
    return folder


def walk_submission(folder: Path) -> list[Path]:
    """``folder`` and everything below it but :data:`IGNORED_DIRS` (links not followed)."""
    found = [folder]
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS)
        found += [Path(here) / name for name in (*dirs, *sorted(files))]
    return found


def copy_tree(src: Path, dest: Path, ignore: Callable[[str, list[str]], Any] | None = None
              ) -> Path:
    """Copy a folder without ever following a link (a link found is refused)."""
    shutil.copytree(src, dest, symlinks=True, ignore=ignore)
    links = [p for p in [dest, *dest.rglob("*")] if p.is_symlink()]
    if links:
        shutil.rmtree(dest, ignore_errors=True)
        raise UnsafeSubmission(f"links are not allowed in submissions: {links[0].name!r}")
    return dest


def find_workspace(folder: Path, depth: int = 2) -> Path | None:
    """The folder holding ``framework/`` or ``course/`` at or below ``folder``."""
    if (folder / "framework").is_dir() or (folder / "course").is_dir():
        return folder
    if depth == 0:
        return None
    for child in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        found = find_workspace(child, depth - 1)
        if found:
            return found
    return None


def entries(submissions: Path) -> list[tuple[str, Path]]:
    """``(student id, folder or zip)`` for every entry of ``submissions``, in name order."""
    return [(entry.name[:-4] if entry.suffix.lower() == ".zip" else entry.name, entry)
            for entry in sorted(Path(submissions).iterdir()) if not entry.name.startswith(".")]


def collect(submissions: Path, unpack_dir: Path, limits: SubmissionLimits = SubmissionLimits(),
            shard: Shard | None = None) -> list[Submission]:
    """Every student in ``submissions`` (only ``shard``'s slice when given), sorted by id,
    zips unpacked into ``unpack_dir``."""
    found = []
    for position, (student, entry) in enumerate(entries(submissions)):
        if shard is not None and not shard.owns(position):
            continue
        if not STUDENT_ID.match(student):
            found.append(Submission(student, None, "student id has characters nbgrader rejects"))
            continue
        root, problem = _open_entry(entry, unpack_dir / student, limits)
        found.append(Submission(student, root, problem))
    return found


def _open_entry(entry: Path, dest: Path, limits: SubmissionLimits) -> tuple[Path | None, str]:
    """The workspace of one entry and a problem description."""
    if entry.is_symlink():
        return None, "submission rejected: links are not allowed in submissions"
    if entry.is_dir():
        try:
            folder = check_folder(entry, limits)
        except (UnsafeSubmission, OSError) as exc:
            return None, f"submission folder rejected: {exc}"
    elif entry.suffix.lower() == ".zip":
        try:
            folder = safe_extract(entry, dest, limits)
        except (UnsafeSubmission, zipfile.BadZipFile, OSError) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            return None, f"submission zip rejected: {exc}"
    else:
        return None, f"not a folder or a .zip: {entry.name}"
    root = find_workspace(folder)
    if root is None:
        return None, "no framework/ or course/ folder in the submission"
    return root, ""

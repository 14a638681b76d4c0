"""Collect student workspaces: folders or zips of the handout, unpacked safely.

Each entry of the submissions folder is one student: ``alice/`` or ``alice.zip`` (student
id ``alice``). Zips are checked before and while extracting: no absolute paths, no ``..``,
no links, a cap on the number of entries and on the bytes actually written (a zip bomb
stops at the cap whatever its headers claim).
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Student ids nbgrader and file systems both accept.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class ZipLimits:
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


class UnsafeZip(ValueError):
    """A zip that would write outside its folder or is too large."""


def _safe_name(name: str) -> PurePosixPath:
    """The entry path, or UnsafeZip for absolute paths and ``..`` components."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise UnsafeZip(f"unsafe path in zip: {name!r}")
    return path


def safe_extract(archive: Path, dest: Path, limits: ZipLimits = ZipLimits()) -> Path:
    """Extract ``archive`` into ``dest`` enforcing :class:`ZipLimits`; return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    written = 0
    with zipfile.ZipFile(archive) as zf:
        entries = zf.infolist()
        if len(entries) > limits.max_entries:
            raise UnsafeZip(f"zip has {len(entries)} entries (limit {limits.max_entries})")
        for info in entries:
            rel = _safe_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeZip(f"links are not allowed in submissions: {info.filename!r}")
            target = dest.joinpath(*rel.parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(1 << 16):
                    written += len(chunk)
                    if written > limits.max_bytes:
                        raise UnsafeZip(f"zip unpacks to more than {limits.max_bytes} bytes")
                    sink.write(chunk)
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


def collect(submissions: Path, unpack_dir: Path, limits: ZipLimits = ZipLimits()
            ) -> list[Submission]:
    """Every student in ``submissions``, sorted by id, zips unpacked into ``unpack_dir``."""
    found = []
    for entry in sorted(Path(submissions).iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.name[:-4] if entry.suffix.lower() == ".zip" else entry.name
        if not STUDENT_ID.match(student):
            found.append(Submission(student, None, "student id has characters nbgrader rejects"))
            continue
        root, problem = _open_entry(entry, unpack_dir / student, limits)
        found.append(Submission(student, root, problem))
    return found


def _open_entry(entry: Path, dest: Path, limits: ZipLimits) -> tuple[Path | None, str]:
    """The workspace of one entry and a problem description."""
    if entry.is_dir():
        folder = entry
    elif entry.suffix.lower() == ".zip":
        try:
            folder = safe_extract(entry, dest, limits)
        except (UnsafeZip, zipfile.BadZipFile, OSError) as exc:
            shutil.rmtree(dest, ignore_errors=True)
            return None, f"submission zip rejected: {exc}"
    else:
        return None, f"not a folder or a .zip: {entry.name}"
    root = find_workspace(folder)
    if root is None:
        return None, "no framework/ or course/ folder in the submission"
    return root, ""

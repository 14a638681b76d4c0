"""The student handout (a folder and a zip) built from an allowlist, and its leak check.

Only what a student needs is copied: the stubbed ``framework/``, the release notebooks,
course data, the public part of ``autograder`` (check helper, runner, registry, public
suites, the ``submit`` command), the packaging files, and the student's own README and
Makefile from ``course/handout/``. :func:`leak_check` then proves the handout holds no
solution marker, no text of a solution region, no hidden test and no mutant.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

from .markers import omit_reference_only, region_texts, strip_solutions
from .release import ReleaseError, ignore_junk, repo_root, tree_files

#: Top-level files of the repository that go to students as they are.
TOP_FILES = ("pyproject.toml", "environment.yml", ".gitignore")
#: The student's own front door (``course/handout/``), copied to the handout's top level:
#: the repository's README and Makefile are the instructor's.
STUDENT_FILES = ("README.md", "Makefile")
#: Folders copied whole (when present).
TREES = ("framework", "course/release", "course/data")
#: The public part of the autograder package (paths under ``autograder/``).
AUTOGRADER_FILES = (
    "__init__.py", "__main__.py", "cli.py", "check.py", "processes.py", "runner.py",
    "sandbox.py", "workspace.py", "unimplemented.py", "stages.py", "submissions.py",
    "submit.py",
    "suites/__init__.py", "suites/plugin.py",
    "suites/helpers.py", "suites/pytest.ini", "remote/__init__.py", "remote/client.py",
    "remote/codec.py", "remote/proxies.py", "remote/shipping.py", "remote/wire.py",
    "remote/worker.py",
)
#: Strings that must never appear in a handout file.
FORBIDDEN = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
#: Documents that may name the markers (the README's instructor guide explains them);
#: they are still searched for solution text.
MAY_NAME_MARKERS = ("README.md",)
#: Solution lines at least this long count as solution text.
MIN_LINE = 25
#: The handout's folder name.
NAME = "ember-course"


def _copy_file(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)


def build_handout(dest: Path, root: Path | None = None, check: bool = True) -> tuple[Path, Path]:
    """Write ``dest/ember-course/`` and ``dest/ember-course.zip`` from the allowlist.

    Raises:
        ReleaseError: the framework stubs are missing, or (``check``) the leak check failed.
    """
    root = Path(root) if root is not None else repo_root()
    folder = Path(dest) / NAME
    if not (root / "framework" / "ember" / "__init__.py").is_file():
        raise ReleaseError("framework/ember is missing: run 'python -m autograder release' first")
    if folder.exists():
        shutil.rmtree(folder)
    for name in TOP_FILES:
        if (root / name).is_file():
            _copy_file(root / name, folder / name)
    for name in STUDENT_FILES:
        _copy_file(root / "course" / "handout" / name, folder / name)
    for tree in TREES:
        if (root / tree).is_dir():
            shutil.copytree(root / tree, folder / tree, ignore=ignore_junk)
    package = root / "autograder"
    for name in AUTOGRADER_FILES:
        if (package / name).is_file():
            _copy_file(package / name, folder / "autograder" / name)
    public = package / "suites" / "public"
    if public.is_dir():
        shutil.copytree(public, folder / "autograder" / "suites" / "public", ignore=ignore_junk)
    if check:
        problems = leak_check(folder, root)
        if problems:
            raise ReleaseError(
                "the handout leaks instructor material:\n" + "\n".join(problems)
                + "\n(if solutions/ changed since the last release, run "
                "'python -m autograder release' first)"
            )
    return folder, make_zip(folder)


def make_zip(folder: Path) -> Path:
    """A deterministic zip of ``folder`` (sorted entries, fixed dates) next to it."""
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, path in tree_files(folder).items():
            info = zipfile.ZipInfo(f"{folder.name}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return archive


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def solution_lines(root: Path) -> set[str]:
    """Stripped lines (>= MIN_LINE chars) of solution regions and reference-only blocks that
    the stubs never contain."""
    inside: set[str] = set()
    stubs: list[str] = []
    solutions = root / "solutions"
    for path in sorted(solutions.rglob("*.py")) if solutions.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        for region in region_texts(text, str(path)):
            inside |= {line for line in _lines(region) if len(line) >= MIN_LINE}
        # Reference-only blocks: the lines the student's copy leaves out.
        inside |= {line for line in _lines(text) - _lines(omit_reference_only(text, None))
                   if len(line) >= MIN_LINE}
        stubs.append(strip_solutions(text, None, str(path)))
    for notebook in sorted((root / "course" / "source").rglob("*.ipynb")):
        inside |= _notebook_solution_lines(notebook)
    everything = "\n".join(stubs)
    return {line for line in inside if line not in everything}


def _notebook_solution_lines(path: Path) -> set[str]:
    """Long lines of a source notebook's solution and hidden regions not also outside them."""
    found: set[str] = set()
    outside: list[str] = []
    for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
        source = cell.get("source", "")
        inside = False
        for line in ("".join(source) if isinstance(source, list) else source).splitlines():
            if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) >= MIN_LINE:
                found.add(line.strip())
            elif not inside:
                outside.append(line)
    everything = "\n".join(outside)
    return {line for line in found if line not in everything}


def _secret_files(root: Path) -> dict[str, str]:
    """sha256 → description of every hidden test file and mutant module."""
    secret = {}
    package = root / "autograder"
    for folder, what in ((package / "suites" / "hidden", "hidden test"),
                         (package / "mutants", "mutant")):
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
            if path.stat().st_size:
                secret[_digest(path.read_bytes())] = f"{what} {path.relative_to(root)}"
    return secret


def _notebook_text(text: str) -> str:
    """A notebook's cell sources (JSON-escaped text would hide solution lines)."""
    try:
        cells = json.loads(text).get("cells", [])
    except ValueError:
        return text
    return "\n".join(
        "".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")
        for c in cells
    ) + "\n" + text


def leak_check(folder: Path, root: Path | None = None) -> list[str]:
    """Every leak of instructor material in the handout ``folder`` (empty: none)."""
    root = Path(root) if root is not None else repo_root()
    secret_lines = solution_lines(root)
    secret_files = _secret_files(root)
    problems = []
    for rel, path in tree_files(Path(folder)).items():
        parts = rel.split("/")
        if "hidden" in parts or "mutants" in parts or "solutions" in parts:
            problems.append(f"{rel}: instructor-only folder in the handout")
        data = path.read_bytes()
        if _digest(data) in secret_files:
            problems.append(f"{rel}: is the {secret_files[_digest(data)]}")
        text = data.decode("utf-8", "replace")
        if rel.endswith(".ipynb"):
            text = _notebook_text(text)
        if rel not in MAY_NAME_MARKERS:
            problems += [f"{rel}: contains '{word}'" for word in FORBIDDEN if word in text]
        leaked = sorted(line for line in secret_lines if line in text)
        if leaked:
            problems.append(f"{rel}: contains solution text, e.g. {leaked[0]!r}")
    return problems

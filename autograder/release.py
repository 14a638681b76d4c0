"""The release builder: stubs, release notebooks, progressive builds and the sync check.

* :func:`build_framework`: ``solutions/ember`` → ``framework/ember`` (regions → stubs);
* :func:`generate_notebooks`: ``nbgrader generate_assignment`` for every stage →
  ``course/release/NN_slug/NN_slug.ipynb`` (gradebook in a temporary folder);
* :func:`build_progressive`: stages ``<= k`` solved, the rest stubbed;
* :func:`release`: regenerate both in place, or (``check=True``) rebuild in a temporary
  folder and fail with a diff when the committed copies drifted.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .markers import MarkerError, ownership_header, strip_solutions
from .processes import PACKAGE_PARENT, run_nbgrader
from .stages import STAGES, Stage

#: Files and folders never copied or compared.
JUNK = ("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store")

__all__ = [
    "MarkerError", "ReleaseError", "build_framework", "build_progressive", "compare_trees",
    "course_copy", "generate_notebooks", "ignore_junk", "release", "repo_root", "strip_solutions",
    "tree_files",
]


class ReleaseError(RuntimeError):
    """A release step failed; the message says what to do."""


def repo_root() -> Path:
    """The repository root (the folder holding ``autograder/``)."""
    return PACKAGE_PARENT


def ignore_junk(_folder: str, names: list[str]) -> set[str]:
    """``shutil.copytree`` ignore callback for :data:`JUNK`."""
    return set(shutil.ignore_patterns(*JUNK)(_folder, names))


def build_framework(src: Path | None = None, dest: Path | None = None,
                    solved_upto: int | None = None) -> Path:
    """Write ``dest/ember`` from ``src/ember`` with student regions stubbed.

    Args:
        src: folder holding the reference ``ember/`` (default ``<repo>/solutions``).
        dest: folder to hold the stubbed ``ember/`` (default ``<repo>/framework``).
        solved_upto: keep the code of stages ``<= solved_upto`` (None: stub everything).

    Returns:
        ``dest/ember``.

    Raises:
        MarkerError: a malformed marker (file and line in the message).
        ReleaseError: a stubbed file no longer compiles.
    """
    src = Path(src) if src is not None else repo_root() / "solutions"
    dest = Path(dest) if dest is not None else repo_root() / "framework"
    package = dest / "ember"
    if not (src / "ember" / "__init__.py").is_file():
        raise ReleaseError(f"no reference package at {src / 'ember'}")
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(src / "ember", package, ignore=ignore_junk)
    for path in sorted(package.rglob("*.py")):
        name = str(path.relative_to(dest))
        text = path.read_text(encoding="utf-8")
        stubbed = ownership_header(text, solved_upto, name) + strip_solutions(
            text, solved_upto, name)
        try:
            compile(stubbed, name, "exec")
        except SyntaxError as exc:
            raise ReleaseError(f"{name}: the stubbed file does not compile: {exc}") from exc
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(stubbed)
    return package


def build_progressive(k: int, dest: Path, src: Path | None = None) -> Path:
    """The framework with stages ``<= k`` solved and stages ``> k`` stubbed, in ``dest``."""
    return build_framework(src, dest, solved_upto=int(k))


def course_copy(course_dir: Path, dest: Path, stages: Iterable[Stage]) -> Path:
    """A scratch nbgrader course: the config and each stage's source folder."""
    dest.mkdir(parents=True, exist_ok=True)
    config = course_dir / "nbgrader_config.py"
    if config.is_file():
        shutil.copy(config, dest / "nbgrader_config.py")
    for stage in stages:
        source = course_dir / "source" / stage.name
        if not (source / f"{stage.name}.ipynb").is_file():
            raise ReleaseError(f"missing source notebook {source / stage.name}.ipynb")
        stray = sorted(p.name for p in source.rglob("*.py"))
        if stray:
            raise ReleaseError(
                f"{source} holds .py files {stray}: nbgrader autograde would overwrite "
                "students' files of the same name; move them elsewhere"
            )
        shutil.copytree(source, dest / "source" / stage.name, ignore=ignore_junk)
    return dest


def generate_notebooks(course_dir: Path | None = None, out_release_dir: Path | None = None,
                       stages: Sequence[Stage] = STAGES) -> Path:
    """``nbgrader generate_assignment`` for every stage, into ``out_release_dir``.

    The gradebook lives in a temporary folder that is deleted afterwards.

    Returns:
        ``out_release_dir`` holding ``NN_slug/NN_slug.ipynb`` per stage.
    """
    course_dir = Path(course_dir) if course_dir is not None else repo_root() / "course"
    out = Path(out_release_dir) if out_release_dir is not None else course_dir / "release"
    with tempfile.TemporaryDirectory(prefix="ember-release-") as tmp:
        course = course_copy(course_dir, Path(tmp) / "course", stages)
        db = Path(tmp) / "gradebook.db"
        for stage in stages:
            done = run_nbgrader(["generate_assignment", stage.name, "--force"], course, db)
            made = course / "release" / stage.name
            if done.returncode != 0 or not (made / f"{stage.name}.ipynb").is_file():
                raise ReleaseError(
                    f"nbgrader generate_assignment {stage.name} failed "
                    f"(exit {done.returncode}):\n{done.output}"
                )
            if (out / stage.name).exists():
                shutil.rmtree(out / stage.name)
            shutil.copytree(made, out / stage.name, ignore=ignore_junk)
    return out


def tree_files(root: Path) -> dict[str, Path]:
    """Relative path → file, without :data:`JUNK`."""
    found = {}
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        rel = path.relative_to(root)
        if path.is_file() and not any(rel.match(p) or p in rel.parts for p in JUNK):
            found[rel.as_posix()] = path
    return found


def compare_trees(expected: Path, actual: Path, label: str, max_lines: int = 40) -> list[str]:
    """Readable differences between a fresh build ``expected`` and the committed ``actual``."""
    want, have = tree_files(Path(expected)), tree_files(Path(actual))
    problems = [f"{label}/{rel}: missing (not committed)" for rel in sorted(set(want) - set(have))]
    problems += [
        f"{label}/{rel}: not generated by the build" for rel in sorted(set(have) - set(want))
    ]
    for rel in sorted(set(want) & set(have)):
        a, b = want[rel].read_bytes(), have[rel].read_bytes()
        if a == b:
            continue
        diff = difflib.unified_diff(
            b.decode("utf-8", "replace").splitlines(), a.decode("utf-8", "replace").splitlines(),
            f"committed/{label}/{rel}", f"generated/{label}/{rel}", lineterm="",
        )
        lines = list(diff)
        more = f"\n... ({len(lines) - max_lines} more diff lines)" if len(lines) > max_lines else ""
        problems.append("\n".join(lines[:max_lines]) + more)
    return problems


def _replace_tree(new: Path, target: Path) -> None:
    """Replace ``target`` with a copy of ``new``."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(new, target, ignore=ignore_junk)


def release(check: bool = False, root: Path | None = None) -> list[str]:
    """Regenerate ``framework/ember`` and ``course/release`` (or check they are in sync).

    Args:
        check: build in a temporary folder and compare with what is in ``root``.
        root: the repository root (default: this checkout).

    Returns:
        The differences found (always empty when ``check`` is False).

    Raises:
        ReleaseError: with ``check=True``, when anything differs (the diff is the message).
    """
    root = Path(root) if root is not None else repo_root()
    with tempfile.TemporaryDirectory(prefix="ember-build-") as tmp:
        framework = build_framework(root / "solutions", Path(tmp) / "framework")
        notebooks = generate_notebooks(root / "course", Path(tmp) / "release")
        if not check:
            _replace_tree(framework, root / "framework" / "ember")
            _replace_tree(notebooks, root / "course" / "release")
            return []
        problems = compare_trees(framework, root / "framework" / "ember", "framework/ember")
        problems += compare_trees(notebooks, root / "course" / "release", "course/release")
    if problems:
        raise ReleaseError(
            "generated files are out of date; run 'make release' and commit the result:\n"
            + "\n".join(problems)
        )
    return problems

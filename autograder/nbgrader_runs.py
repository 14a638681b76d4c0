"""nbgrader's runs of a student's notebooks, after the grader has scored them.

The scores are already decided (:mod:`autograder.verdicts`); what nbgrader adds is the
notebook as the student will read it back. :func:`autograde` runs every placed notebook
of one student in one ``nbgrader autograde`` process, inside the sandbox when there is
one, and reads back what went wrong (a dead kernel, a cell past its timeout) and what looks
forged (a cell the notebook scored though the grader's run failed). :func:`feedback` makes
the feedback HTML of every stage in one ``nbgrader generate_feedback`` process and
withholds any file that shows text of the hidden tests.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from . import gradebook, reports
from .check import VERDICTS_ENV
from .feedback import find_hidden_leaks, hidden_snippets
from .processes import nbgrader_cmd, nbgrader_env, run_group
from .sandbox import notebook_command
from .stages import HIDDEN, Stage

if TYPE_CHECKING:
    from .grader import GradeOptions

#: Hidden-suite lines that must show together before a feedback counts as leaking them:
#: one or two can be the student's own code by coincidence (``losses.append(loss.item())``);
#: a printed test file shows dozens.
SUITE_LEAK_LINES = 3


def tail(text: str, lines: int = 8) -> str:
    """The last ``lines`` lines of ``text``."""
    return "\n".join(text.strip().splitlines()[-lines:])


def cell_errors(notebook: Path, timeout: int) -> list[str]:
    """One line per graded cell of an autograded notebook that ended in an error."""
    if not notebook.is_file():
        return []
    reasons = []
    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except Exception:  # noqa: BLE001 - the kernel can write this file: never stop on it
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


def why_unfinished(output: str) -> str:
    """A short account of why nbgrader could not finish a notebook."""
    if "DeadKernelError" in output or "Kernel died" in output:
        return "the kernel died while running the notebook (crash or os._exit in the code)"
    if "UnresponsiveKernelError" in output or "CellTimeoutError" in output:
        return "the kernel stopped responding (a cell that never ended)"
    lines = [line.strip() for line in output.splitlines()
             if "Error" in line and "Warning" not in line and "WARNING" not in line]
    return lines[-1][:300] if lines else tail(output, 3)[:300]


def autograde(course: Path, db: Path, student: str, stages: Sequence[Stage],
              grades: Mapping[str, reports.StageGrade], verdicts: Path, tier: str,
              options: GradeOptions) -> None:
    """Run the student's placed notebooks of ``stages``; add reasons and signs to ``grades``.

    No score comes from here (see the module docstring); ``db`` is this student's private
    gradebook copy, which the kernel could reach, so it is read but never trusted.
    """
    overall = options.cell_timeout * sum(len(stage.groups) + 4 for stage in stages)
    pattern = stages[0].name if len(stages) == 1 else "*"
    cmd = nbgrader_cmd(["autograde", pattern, "--student", student, "--force",
                        f"--Execute.timeout={options.cell_timeout}"], course, db)
    cmd, env = notebook_command(cmd, tier, course.parent, [verdicts],
                                {VERDICTS_ENV: str(verdicts), "EMBER_NO_SHRINK": "1"})
    done = run_group(cmd, course, env, overall)
    output, timed_out = done.output, done.timed_out
    for stage in stages:
        grade = grades[stage.name]
        autograded = course / "autograded" / student / stage.name / f"{stage.name}.ipynb"
        grade.reasons += cell_errors(autograded, options.cell_timeout)
        try:
            scores = gradebook.read_scores(db, stage.name, student)
        except Exception:  # noqa: BLE001 - whatever a damaged SQLite file raises
            scores = gradebook.NotebookScores()
        if timed_out:
            grade.reasons.append(f"the notebooks were stopped after {overall} s")
        if timed_out or not autograded.is_file() or not scores.complete:
            grade.reasons.append(
                f"the notebook did not run to the end ({why_unfinished(output)}); no points "
                "depend on it: the grader ran the tests itself")
        grade.suspicious += [
            f"cell {gid}: the notebook scored it {cell.score:g} but the grader's own run of "
            "its tests failed (was check() replaced?)"
            for gid, cell in scores.cells.items()
            if cell.score > 0 and grade.cells.get(gid, {}).get("score", 0) == 0]
    # done.returncode is 1 when any notebook failed: the per-stage checks above say which.


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


def remove_links(folder: Path) -> None:
    """Delete every link (and anything but plain files and folders) under ``folder``."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            path.unlink(missing_ok=True)


def feedback(course: Path, db: Path, student: str, stages: Sequence[Stage],
             grades: Mapping[str, reports.StageGrade]) -> None:
    """Generate the feedback HTML of ``stages``; withhold any that shows hidden-test text."""
    graded = [s for s in stages if (course / "autograded" / student / s.name).is_dir()]
    if not graded:
        return
    for stage in graded:
        # The kernel wrote in this folder and nbgrader copies it into the feedback,
        # following links: a link to /etc/passwd would ship the file.
        remove_links(course / "autograded" / student / stage.name)
    pattern = graded[0].name if len(graded) == 1 else "*"
    output = run_group(
        nbgrader_cmd(["generate_feedback", pattern, "--student", student, "--force"],
                     course, db), course, nbgrader_env(), 300 + 60 * len(graded)).output
    for stage in graded:
        grade = grades[stage.name]
        html = course / "feedback" / student / stage.name / f"{stage.name}.html"
        if not html.is_file():
            grade.reasons.append(f"feedback not generated:\n{tail(output)}")
            continue
        # nbgrader copies every file of the graded folder; the student has their framework.
        shutil.rmtree(html.parent / "framework", ignore_errors=True)
        from_notebook, from_suites = leak_snippets(course, stage)
        leaks = find_hidden_leaks(html, from_notebook)
        suite_leaks = find_hidden_leaks(html, from_suites)
        leaks += suite_leaks if len(suite_leaks) >= SUITE_LEAK_LINES else []
        if leaks:
            html.unlink()
            grade.reasons.append("feedback withheld: it showed text of the hidden tests")
            grade.suspicious.append(
                f"the feedback showed hidden test text, e.g. {leaks[0][:80]!r}")
            continue
        grade.feedback = str(html)

"""Feedback HTML without hidden tests.

nbgrader's autograde puts hidden test code back into the graded notebook, so its feedback
HTML would show it, and IPython's traceback of a failing hidden cell quotes the hidden
line. :class:`HideHiddenTests` removes the hidden region from each cell and shortens the
tracebacks of those cells to ``Name: message``. :class:`RelativePaths` rewrites the
grader's absolute paths in outputs (``/…/autograded/alice/01_tensors/framework/ember/x.py``)
relative to the student's workspace (``framework/ember/x.py``), and Python's own to
``<python>/…``. ``course/nbgrader_config.py`` puts them first in
``GenerateFeedback.preprocessors``; :func:`find_hidden_leaks` verifies the HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"


class HideHiddenTests(ClearHiddenTests):
    """Remove hidden test regions and their tracebacks from notebooks shown to students."""

    def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> tuple[Any, Any]:
        if cell.cell_type == "code" and BEGIN_HIDDEN in cell.source:
            self._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}"]
        return cell, resources


#: An absolute path up to the part a student knows: their workspace's ``framework/``,
#: ``course/`` or ``autograder/`` folder, or the notebook's own folder.
_WORKSPACE_PATH = re.compile(
    r"(?:[A-Za-z]:)?(?:[/\\][^\s/\\:'\"<>()]+)*?[/\\]autograded[/\\][^/\\]+[/\\][^/\\]+[/\\]"
    r"|(?:[A-Za-z]:)?(?:[/\\][^\s/\\:'\"<>()]+)+?[/\\](?=(?:framework|autograder)[/\\])")
#: The installed packages' folder of any Python (a venv's or the system's).
_PYTHON_PATH = re.compile(r"(?:[/\\][^\s/\\:'\"<>()]+)+?[/\\](?:site|dist)-packages[/\\]")


def relative_paths(text: str) -> str:
    """``text`` with the grader's absolute paths made relative to the student's workspace.

    Example:
        >>> relative_paths("File /srv/g/course/autograded/al/01_x/framework/ember/a.py:3")
        'File framework/ember/a.py:3'
        >>> relative_paths("/srv/.venv/lib/python3.11/site-packages/numpy/core.py")
        '<python>/site-packages/numpy/core.py'
    """
    return _PYTHON_PATH.sub("<python>/site-packages/", _WORKSPACE_PATH.sub("", text))


class RelativePaths(Preprocessor):
    """Show paths in outputs (tracebacks, printed reports) as the student's workspace has them."""

    def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> tuple[Any, Any]:
        for output in cell.get("outputs", []):
            if "traceback" in output:
                output["traceback"] = [relative_paths(line) for line in output["traceback"]]
            if "evalue" in output:
                output["evalue"] = relative_paths(output["evalue"])
            if isinstance(output.get("text"), str):
                output["text"] = relative_paths(output["text"])
            data = output.get("data", {})
            if isinstance(data.get("text/plain"), str):
                data["text/plain"] = relative_paths(data["text/plain"])
        return cell, resources


def feedback_preprocessors() -> list[type]:
    """``GenerateFeedback.preprocessors``: nbgrader's defaults after hiding hidden tests and
    making paths relative."""
    return [HideHiddenTests, RelativePaths, GetGrades, CSSHTMLHeaderPreprocessor]


def _lines(notebook: dict[str, Any]) -> tuple[list[str], set[str]]:
    """The stripped non-blank lines inside and outside hidden test regions."""
    hidden, visible = [], set()
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        inside = False
        for line in source.splitlines():
            if BEGIN_HIDDEN in line:
                inside = True
            elif END_HIDDEN in line:
                inside = False
            elif line.strip():
                (hidden.append if inside else visible.add)(line.strip())
    return hidden, visible


def hidden_snippets(notebook: dict[str, Any]) -> list[str]:
    """The non-blank lines inside hidden test regions of a source notebook that do not
    also appear outside them (those are no secret)."""
    hidden, visible = _lines(notebook)
    return [line for line in hidden if line not in visible]


def find_hidden_leaks(html: Path, snippets: Iterable[str]) -> list[str]:
    """What of the hidden tests shows in a feedback HTML file (empty: nothing)."""
    import html as html_lib

    text = html_lib.unescape(Path(html).read_text(encoding="utf-8", errors="replace"))
    leaks = [marker for marker in (BEGIN_HIDDEN, END_HIDDEN) if marker in text]
    # The HTML highlights code token by token; compare with tags removed.
    import re

    plain = re.sub(r"<[^>]+>", "", text)
    leaks += [s for s in snippets if s in plain]
    return leaks

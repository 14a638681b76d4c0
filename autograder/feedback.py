"""Feedback HTML without hidden tests.

nbgrader's autograde puts hidden test code back into the graded notebook, so its feedback
HTML would show it, and IPython's traceback of a failing hidden cell quotes the hidden
line. :class:`HideHiddenTests` removes the hidden region from each cell and shortens the
tracebacks of those cells to ``Name: message``. ``course/nbgrader_config.py`` puts it
first in ``GenerateFeedback.preprocessors``; :func:`find_hidden_leaks` verifies the HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
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


def feedback_preprocessors() -> list[type]:
    """``GenerateFeedback.preprocessors``: nbgrader's defaults after hiding hidden tests."""
    return [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]


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

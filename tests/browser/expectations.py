"""What a browser run of one notebook must show, judged from what the page displayed.

The driver (``run_notebooks.py`` beside this file) reads every cell of a notebook from
JupyterLab's page after "Run All Cells": its input prompt (``[3]:``, ``[*]:`` or ``[ ]:``)
and the MIME type and text of each output. This module turns that into a verdict, with no
browser and no kernel, so the rules are tested on their own
(``tests/test_browser_expectations.py``).

Two modes, one per kind of workspace a person opens:

* ``reference``: the handout with the reference framework in ``framework/ember`` (a finished
  student). Every code cell ran, no output is red (JupyterLab renders both tracebacks and
  standard error as ``application/vnd.jupyter.stderr``, and nbgrader zeroes a check cell that
  writes to standard error, so both count), and every check cell reports ``PASSED``.
* ``blank``: the handout as given out (every student region a stub). "Run All" reaches the
  last cell, and every check cell says in words that something is to be implemented first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The two kinds of workspace.
MODES = ("reference", "blank")
#: The MIME type JupyterLab gives to tracebacks and to standard error (both shown in red).
RED = "application/vnd.jupyter.stderr"
#: An input prompt with an execution count: the cell ran in this kernel.
RAN = re.compile(r"^\[\d+\]:$")
#: The first line of a check cell's report (``autograder/check.py``).
HEAD = re.compile(r"Stage (?P<stage>\d\d) / (?P<group>\w+): (?P<verdict>PASSED|FAILED)")
#: What a check cell on a blank handout must say: the stub's own message
#: ("Stage 01: implement tensor") or the notebook's "Not implemented yet ... implement it first".
NOT_YET = re.compile(r"implement\b.{0,200}?\bfirst|not implemented|Stage \d\d: implement \w",
                     re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Output:
    """One output as the page shows it."""

    mime: str
    text: str


@dataclass(frozen=True)
class Cell:
    """One code cell as the page shows it, with its nbgrader id from the notebook file."""

    index: int
    grade_id: str
    prompt: str
    outputs: tuple[Output, ...] = ()

    @property
    def ran(self) -> bool:
        return bool(RAN.match(self.prompt.strip()))

    @property
    def is_check(self) -> bool:
        """A visible check cell (the hidden-tests cell is a comment at home)."""
        return self.grade_id.startswith("check_") and self.grade_id != "check_hidden"

    @property
    def red(self) -> tuple[Output, ...]:
        return tuple(o for o in self.outputs if o.mime == RED)

    @property
    def text(self) -> str:
        return "\n".join(o.text for o in self.outputs)


@dataclass
class NotebookRun:
    """Everything read from the page for one notebook, and the verdict on it."""

    name: str
    mode: str
    cells: list[Cell]
    seconds: float = 0.0
    screenshot: str = ""
    #: Set by the driver when the page could not be read at all (timeout, no kernel).
    failure: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return sum(cell.ran for cell in self.cells)

    @property
    def red_outputs(self) -> int:
        return sum(len(cell.red) for cell in self.cells)

    @property
    def last_ran(self) -> bool:
        return bool(self.cells) and self.cells[-1].ran

    @property
    def checks(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.is_check]


def check_verdict(cell: Cell, mode: str) -> str:
    """A short word for one check cell: PASSED, FAILED, implement-first, not run, silent."""
    if not cell.ran:
        return "not run"
    head = HEAD.search(cell.text)
    if mode == "blank" and NOT_YET.search(cell.text):
        return "implement-first"
    if head:
        return head["verdict"]
    return "silent" if not cell.text.strip() else "unreadable"


def _first_line(text: str, width: int = 100) -> str:
    line = next((part for part in text.strip().splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 3] + "..."


def judge(run: NotebookRun) -> list[str]:
    """The problems of one notebook's run (empty: it shows what its mode requires)."""
    if run.failure:
        return [run.failure]
    if run.mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {run.mode!r}")
    if not run.cells:
        return ["the page showed no code cell"]
    problems = []
    if not run.last_ran:
        stopped = next((c for c in run.cells if not c.ran), run.cells[-1])
        problems.append(f"Run All stopped before the last cell (cell {stopped.index} never ran)")
    skipped = [cell.index for cell in run.cells[:-1] if not cell.ran]
    if skipped and run.last_ran:
        problems.append(f"code cells {skipped} never ran (prompts "
                        f"{[c.prompt for c in run.cells if not c.ran]})")
    for cell in run.cells:
        if run.mode == "reference":
            problems += [f"cell {cell.index} ({cell.grade_id or 'example'}) shows a red output: "
                         f"{_first_line(o.text)!r}" for o in cell.red]
        if not cell.is_check or not cell.ran:
            continue
        verdict = check_verdict(cell, run.mode)
        wanted = "PASSED" if run.mode == "reference" else "implement-first"
        if verdict != wanted:
            problems.append(f"check cell {cell.grade_id} shows {verdict}, not {wanted}: "
                            f"{_first_line(cell.text)!r}")
    return problems


def table(runs: list[NotebookRun]) -> str:
    """The per-notebook report the driver prints (plain text, one row a notebook)."""
    rows = [("notebook", "mode", "cells run", "red outputs", "last cell", "check cells",
             "seconds", "verdict")]
    for run in runs:
        words = [check_verdict(cell, run.mode) for cell in run.checks]
        summary = ", ".join(f"{words.count(w)} {w}" for w in dict.fromkeys(words)) or "-"
        rows.append((
            run.name, run.mode, f"{run.ran}/{len(run.cells)}", str(run.red_outputs),
            "ran" if run.last_ran else "NOT RUN", summary, f"{run.seconds:.0f}",
            "ok" if not run.problems else f"{len(run.problems)} problem(s)",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    for run in runs:
        lines += [f"{run.name} ({run.mode}): {problem}" for problem in run.problems]
    return "\n".join(line.rstrip() for line in lines)

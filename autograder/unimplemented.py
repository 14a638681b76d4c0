"""What a notebook shows when it meets a function the student has not written yet.

A blank handout is mostly stubs: every student region raises
``NotImplementedError("Stage 01: implement tensor")`` (see ``autograder/markers.py``). Left
alone, the first example cell that calls one ends in a traceback, Jupyter's "Run All" stops
there, and no check cell ever runs. The setup cell (through
:func:`autograder.workspace.use_framework`) calls :func:`install`, which changes two things
in the notebook's kernel, and nothing else:

* an **example cell** that reaches a stub prints one line instead of a traceback::

      Not implemented yet: `tensor` in framework/ember/_creation.py (stage 01, exercise 1).
      Implement it first; this example then runs.

  and its reply to Jupyter says "ok", so "Run All" goes on with the next cell. A figure
  the cell had begun to draw is closed unshown: empty axes under the line would look
  like a result. A later
  cell that fails while reading a name such an example would have computed (undefined, or
  half-filled by a loop that stopped) gets the same line, since it is only a consequence.
  Any other error (a ``TypeError`` in the student's code, a ``NotImplementedError`` that
  is not a stub's) keeps its traceback and stops "Run All" as usual;
* a **check cell** that fails still raises :class:`~autograder.check.CheckFailed`: its
  output is an error, so nbgrader gives it no points, but the reply says "ok" as well, so
  "Run All" reaches every check cell and each one shows its report.

Under grading (``EMBER_VERDICTS`` set, see :mod:`autograder.check`) nothing is installed:
the notebook runs exactly as nbgrader expects, and no example cell can turn a failure of a
graded cell into a pass. Outside IPython (a plain ``python`` script) nothing is installed
either.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

#: The message every stub raises (written by ``autograder/markers.py``).
STUB_MESSAGE = re.compile(r"^Stage (?P<stage>\d\d): implement (?P<name>[\w.<>]+)$")
#: The same message inside a longer text (a failed test's report).
STUB_IN_TEXT = re.compile(r"Stage (?P<stage>\d\d): implement (?P<name>[\w.<>]+)")
#: The heading of an exercise in a notebook's markdown: ``**Exercise 3 (interop).**``.
EXERCISE = re.compile(r"\*\*Exercise (?P<number>\d+)\b")
#: A name in backquotes in markdown.
CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Stub:
    """One unwritten student region that an example reached.

    Attributes:
        stage: the stage that owns it, ``"01"``.
        name: the qualified name of the function, ``"Tensor.view"``.
        file: where to write it, ``"framework/ember/_tensor.py"`` (None: not found).
        exercise: the exercise of the open notebook that names it (None: not found).
    """

    stage: str
    name: str
    file: str | None = None
    exercise: int | None = None

    def describe(self) -> str:
        """The line a student reads under the example cell."""
        where = f" in {self.file}" if self.file else ""
        part = f"stage {self.stage}" + (f", exercise {self.exercise}" if self.exercise else "")
        return (f"Not implemented yet: `{self.name}`{where} ({part}). "
                "Implement it first; this example then runs.")


def stubs_named(texts: list[str], shown: int = 8) -> str:
    """One line naming the stubs that ``texts`` (failed tests' messages) ran into.

    Returns "" when none did. The line is what a check cell on a blank handout prints
    first, so a student reads "implement X first" rather than a list of failures.

    Example:
        >>> stubs_named(["NotImplementedError: Stage 01: implement tensor"])
        'Not implemented yet: `tensor` (stage 01). Implement it first; the exercise names its file.'
    """
    found: dict[str, str] = {}
    for text in texts:
        for match in STUB_IN_TEXT.finditer(text or ""):
            found.setdefault(match["name"], match["stage"])
    if not found:
        return ""
    names = [f"`{name}`" for name in list(found)[:shown]]
    if len(found) > shown:
        names.append(f"and {len(found) - shown} more")
    stages = ", ".join(sorted(set(found.values())))
    it, its = ("it", "its file") if len(found) == 1 else ("them", "their files")
    return (f"Not implemented yet: {', '.join(names)} (stage {stages}). "
            f"Implement {it} first; the exercise names {its}.")


def _innermost_file(tb: TracebackType | None) -> str | None:
    """The source file of the frame that raised (the last one of the traceback)."""
    filename = None
    while tb is not None:
        filename, tb = tb.tb_frame.f_code.co_filename, tb.tb_next
    return filename


def _framework_relative(filename: str | None, framework: Path) -> str | None:
    """``framework/ember/x.py`` for a file inside ``framework`` (None otherwise)."""
    if filename is None:
        return None
    try:
        inside = Path(filename).resolve().relative_to(framework.resolve())
    except ValueError:
        return None
    return f"{framework.name}/{inside.as_posix()}"


def _notebook_cells(stage_name: str, framework: Path) -> list[dict[str, Any]]:
    """The cells of the stage's notebook: the one beside the kernel, else the release's."""
    for path in (Path.cwd() / f"{stage_name}.ipynb",
                 framework.parent / "course" / "release" / stage_name / f"{stage_name}.ipynb"):
        try:
            return json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return []


def exercise_of(cells: list[dict[str, Any]], file: str, name: str) -> int | None:
    """The number of the exercise whose "where to write" line names ``name`` in ``file``.

    An exercise lists its functions as ``- `framework/ember/x.py`: `f`, `Cls.g` `` or, for
    ops, ``the `forward` of `Add`, `Sub` ``; a line naming the file and the function (or,
    for an op's ``forward``/``backward``, its class) decides. Failing that, the one exercise
    that names the file at all.

    Example:
        >>> cells = [{"cell_type": "markdown",
        ...           "source": "**Exercise 2 (dtypes).**\\n- `framework/ember/p.py`: `f`"}]
        >>> exercise_of(cells, "framework/ember/p.py", "f")
        2
    """
    owner, _, method = name.rpartition(".")
    wanted = {name, method} | ({owner} if method in ("forward", "backward") else set())
    by_line: int | None = None
    naming_file: list[int] = []
    number: int | None = None
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = source if isinstance(source, str) else "".join(source)
        heading = EXERCISE.search(text)
        number = int(heading.group("number")) if heading else number
        if number is None:
            continue
        for line in text.splitlines():
            tokens = set(CODE.findall(line))
            if file in tokens:
                naming_file.append(number)
                if by_line is None and tokens & wanted:
                    by_line = number
    if by_line is not None:
        return by_line
    return naming_file[0] if len(set(naming_file)) == 1 else None


def stub_of(error: BaseException, framework: Path | None = None) -> Stub | None:
    """The stub behind ``error``, or None when ``error`` is not a stub's.

    A stub's error is a ``NotImplementedError`` with the stub message, raised from a file
    of the framework (the student's ``framework/``, found like the setup cell finds it).
    """
    if not isinstance(error, NotImplementedError) or len(error.args) != 1:
        return None
    match = STUB_MESSAGE.match(str(error.args[0]))
    if match is None:
        return None
    if framework is None:
        from .workspace import find_framework

        try:
            framework = find_framework()
        except FileNotFoundError:
            return Stub(match["stage"], match["name"])
    file = _framework_relative(_innermost_file(error.__traceback__), framework)
    if file is None:
        return None  # raised by something else that merely copies the wording
    from .stages import get_stage

    try:
        cells = _notebook_cells(get_stage(match["stage"]).name, framework)
    except KeyError:
        cells = []
    return Stub(match["stage"], match["name"], file, exercise_of(cells, file, match["name"]))


def _figures() -> set[int]:
    """The numbers of the open matplotlib figures (none when pyplot was never imported).

    Looked up in ``sys.modules`` rather than imported: a notebook that draws nothing
    never pays for matplotlib.
    """
    pyplot = sys.modules.get("matplotlib.pyplot")
    return set(pyplot.get_fignums()) if pyplot is not None else set()


def _names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell's code binds and the names it reads (empty if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return bound, read


class _Reporter:
    """The kernel-side hooks :func:`install` registers (one instance per shell).

    It keeps the names that cells stopped by a stub would have bound (``unfinished``): such
    a name is undefined or half-computed (a list filled by a loop that stopped), so a later
    cell that reads one and fails is a consequence of the stub, not a new problem.
    """

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        #: The names the running cell binds and reads (``pre_run_cell``).
        self.bound: set[str] = set()
        self.read: set[str] = set()
        #: Whether the running cell's error was reported as a stub's.
        self.reported = False
        #: The figures open before the running cell (those it opens are the others).
        self.figures: set[int] = set()
        #: Name → the stub that stopped the cell meant to compute it.
        self.unfinished: dict[str, Stub] = {}

    def before_cell(self, info: Any) -> None:
        """``pre_run_cell``: note what the cell binds and reads."""
        self.bound, self.read = _names(getattr(info, "raw_cell", "") or "")
        self.reported = False
        self.figures = _figures()

    def _cause(self, error: BaseException) -> tuple[Stub | None, str | None]:
        """The stub behind ``error`` and, when it is a consequence, the name it came by."""
        stub = stub_of(error)
        if stub is not None:
            return stub, None
        # A NameError names the missing value itself; otherwise any unfinished name the
        # cell reads is the likely cause (the first in order, so the message is stable).
        missing = getattr(error, "name", None) if isinstance(error, NameError) else None
        if missing in self.unfinished:
            return self.unfinished[missing], missing
        for name in sorted(self.read & set(self.unfinished)):
            return self.unfinished[name], name
        return None, None

    def show(self, shell: Any, etype: type[BaseException], value: BaseException,
             tb: TracebackType | None, tb_offset: int | None = None) -> None:
        """IPython's custom exception handler: one line for a stub, a traceback otherwise."""
        stub, name = self._cause(value)
        if stub is None:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return
        self.reported = True
        # The inline backend shows every open figure when the cell ends: close the ones
        # this cell opened before the stub stopped it, so no empty axes appear.
        pyplot = sys.modules.get("matplotlib.pyplot")
        for number in _figures() - self.figures:
            pyplot.close(number)
        for bound in self.bound:
            self.unfinished[bound] = stub
        if name is not None:
            print(f"This example uses `{name}`, which an earlier example did not finish "
                  f"({etype.__name__}: {value}).", flush=True)
        print(stub.describe(), flush=True)

    def after_cell(self, result: Any) -> None:
        """``post_run_cell``: a reported stub or a failed check does not stop "Run All"."""
        from .check import CheckFailed

        error = getattr(result, "error_in_exec", None)
        if error is None:
            for name in self.bound:  # computed in full now
                self.unfinished.pop(name, None)
        elif self.reported or isinstance(error, CheckFailed):
            # The reply's status comes from the result after this hook: "ok" lets Jupyter
            # run the queued cells. A failed check already sent its error output, which is
            # what nbgrader scores.
            result.error_in_exec = None


def install(shell: Any | None = None) -> bool:
    """Make the kernel report stubs in one line and let "Run All" go on (module docstring).

    Args:
        shell: the IPython shell (default: the running one, if any).

    Returns:
        Whether the hooks are in place (False outside IPython and under grading).
    """
    from .check import VERDICTS_ENV

    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or os.environ.get(VERDICTS_ENV):
        return False
    old = getattr(shell, "_ember_reporter", None)
    if old is not None:  # a re-run of the setup cell: replace, never stack, the hooks
        for event, callback in (("pre_run_cell", old.before_cell),
                                ("post_run_cell", old.after_cell)):
            try:
                shell.events.unregister(event, callback)
            except ValueError:
                pass
    reporter = _Reporter(shell)
    shell._ember_reporter = reporter
    shell.set_custom_exc((Exception,), reporter.show)
    shell.events.register("pre_run_cell", reporter.before_cell)
    shell.events.register("post_run_cell", reporter.after_cell)
    return True

"""Solution markers: turn reference code into student stubs.

In ``solutions/ember/**.py`` each student region is a run of whole lines::

        ### BEGIN SOLUTION 01
        ...reference code...
        ### END SOLUTION

:func:`strip_solutions` replaces every region of a stage above ``solved_upto`` with a
fenced stub at the marker's indentation, where ``Tensor.view`` is the qualified name of
the enclosing function::

        # ---- your code (stage 01): Tensor.view ----
        # It must define out: the code after it reads it.
        raise NotImplementedError("Stage 01: implement Tensor.view")
        # ---- end of your code (stage 01) ----

The second line is computed, never written by hand: it names every variable (and every
``ctx.``/``self.`` attribute) the reference region assigns and the given code after it
reads, so a stub never leaves a student to guess what the code below expects.
Everything outside the regions is copied verbatim. Malformed markers are errors, never
silently copied: a marker that reaches the handout would leak the solution.

Reference-only blocks are given code that would answer a stage's exercises (the
tensor-level derivatives of ``create_graph=True`` restate the stage-02 formulas); they
have no stub and are left out of the student's copy while their stage is unsolved::

    ### BEGIN REFERENCE ONLY 02
    @staticmethod
    def tensor_backward(ctx, grad): ...
    ### END REFERENCE ONLY
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?P<rest>.*)$")
END = re.compile(r"^(?P<indent>[ \t]*)### END SOLUTION\s*$")
STAGE = re.compile(r"^ (?P<stage>\d{2})\s*$")
#: Text that must never survive stripping (checked line by line, case-sensitive).
MARKER_WORDS = ("BEGIN SOLUTION", "END SOLUTION")
REFERENCE_BEGIN = re.compile(r"^[ \t]*### BEGIN REFERENCE ONLY (?P<stage>\d{2})\s*$")
REFERENCE_END = re.compile(r"^[ \t]*### END REFERENCE ONLY\s*$")
REFERENCE_WORDS = ("BEGIN REFERENCE ONLY", "END REFERENCE ONLY")


class MarkerError(ValueError):
    """A solution marker is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Region:
    """One student region (line numbers are 1-based, markers included).

    Attributes:
        stage: the owning stage, ``"01"``.
        begin: line of ``### BEGIN SOLUTION NN``.
        end: line of ``### END SOLUTION``.
        indent: the markers' indentation.
        qualname: dotted name of the enclosing function, e.g. ``Tensor.view``.
        needs: what the region must define for the given code after it, in the order the
            reference assigns it (``out``, ``ctx.arg``).
    """

    stage: str
    begin: int
    end: int
    indent: str
    qualname: str
    needs: tuple[str, ...] = ()


def _fail(name: str, line: int, message: str) -> MarkerError:
    return MarkerError(f"{name}:{line}: {message}")


def _scan(lines: list[str], name: str) -> list[tuple[str, int, int, str]]:
    """``(stage, begin, end, indent)`` of every region; raises on malformed markers."""
    regions, open_at = [], None
    for number, line in enumerate(lines, start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            stage = STAGE.match(begin.group("rest"))
            if open_at is not None:
                raise _fail(name, number, f"nested BEGIN SOLUTION (region opened at {open_at[1]})")
            if not stage:
                raise _fail(name, number, "BEGIN SOLUTION needs a two-digit stage: "
                            "'### BEGIN SOLUTION 01'")
            open_at = (stage.group("stage"), number, begin.group("indent"))
        elif end:
            if open_at is None:
                raise _fail(name, number, "END SOLUTION without a BEGIN SOLUTION")
            if end.group("indent") != open_at[2]:
                raise _fail(name, number, "END SOLUTION must be indented like its BEGIN "
                            f"(line {open_at[1]})")
            if number == open_at[1] + 1:
                raise _fail(name, number, "empty solution region")
            regions.append((open_at[0], open_at[1], number, open_at[2]))
            open_at = None
        elif any(word in line for word in MARKER_WORDS):
            raise _fail(name, number, "malformed solution marker; write exactly "
                        "'### BEGIN SOLUTION NN' or '### END SOLUTION' on its own line")
    if open_at is not None:
        raise _fail(name, open_at[1], "BEGIN SOLUTION without an END SOLUTION")
    return regions


def _enclosing(tree: ast.AST, line: int) -> list[ast.AST]:
    """The chain of class/function definitions that contain ``line``, outermost first."""
    chain: list[ast.AST] = []
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    node: ast.AST = tree
    while True:
        inner = [
            child for child in ast.iter_child_nodes(node)
            if isinstance(child, kinds) and child.lineno < line <= (child.end_lineno or 0)
        ]
        if not inner:
            return chain
        node = inner[0]
        chain.append(node)


def _target_names(node: ast.AST, context: type) -> list[str]:
    """``x`` for a plain name and ``a.b`` for an attribute of a name, in ``context``."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, context):
        return [node.id]
    if (isinstance(node, ast.Attribute) and isinstance(node.ctx, context)
            and isinstance(node.value, ast.Name)):
        return [f"{node.value.id}.{node.attr}"]
    return []


def _ctx_reads(method: ast.AST) -> set[str]:
    """The ``ctx.x`` attributes a method reads."""
    return {name for node in ast.walk(method) for name in _target_names(node, ast.Load)
            if name.startswith("ctx.")}


def _needs(chain: list[ast.AST], begin: int, end: int,
           ctx_reads: dict[int, set[str]] | None = None) -> tuple[str, ...]:
    """What a region assigns that the code after it reads.

    "After it" is the rest of the enclosing function and, for ``ctx.x``, the other methods
    of the enclosing class (``backward`` reads what ``forward`` saved on ``ctx``).
    ``ctx_reads`` caches :func:`_ctx_reads` by method (a class with many regions would
    otherwise walk all its methods once per region).
    """
    cache = {} if ctx_reads is None else ctx_reads
    function = chain[-1]
    assigned: list[str] = []
    for node in ast.walk(function):
        if begin < getattr(node, "lineno", 0) < end:
            assigned += [n for n in _target_names(node, ast.Store) if n not in assigned]
    read_after = {
        name for node in ast.walk(function) if getattr(node, "lineno", 0) > end
        for name in _target_names(node, ast.Load)
    }
    owner = chain[-2] if len(chain) > 1 and isinstance(chain[-2], ast.ClassDef) else None
    for method in owner.body if owner is not None else ():
        if method is not function and isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if id(method) not in cache:
                cache[id(method)] = _ctx_reads(method)
            read_after |= cache[id(method)]
    return tuple(name for name in assigned if name in read_after)


def find_regions(text: str, name: str = "<text>") -> list[Region]:
    """Every solution region of ``text`` with its enclosing function's qualified name.

    Raises:
        MarkerError: malformed, nested or unbalanced markers, or a region outside a function.
        SyntaxError: ``text`` is not valid Python.
    """
    lines = text.splitlines()
    found = _scan(lines, name)
    tree = ast.parse(text, filename=name) if found else None
    regions, ctx_reads = [], {}
    for stage, begin, end, indent in found:
        chain = _enclosing(tree, begin)
        if not chain or isinstance(chain[-1], ast.ClassDef):
            raise _fail(name, begin, "solution regions must lie inside a function body")
        qualname = ".".join(node.name for node in chain)  # type: ignore[attr-defined]
        regions.append(Region(stage, begin, end, indent, qualname,
                              _needs(chain, begin, end, ctx_reads)))
    return regions


def _spoken(names: tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def stub_lines(region: Region) -> list[str]:
    """The fenced lines that replace a region in the student's copy."""
    message = f"Stage {region.stage}: implement {region.qualname}"
    lines = [f"# ---- your code (stage {region.stage}): {region.qualname} ----"]
    if region.needs:
        them = "it" if len(region.needs) == 1 else "them"
        lines.append(f"# It must define {_spoken(region.needs)}: the code after it reads {them}.")
    lines += [f'raise NotImplementedError("{message}")',
              f"# ---- end of your code (stage {region.stage}) ----"]
    return [region.indent + line for line in lines]


def omit_reference_only(text: str, solved_upto: int | None = None,
                        name: str = "<text>") -> str:
    """Drop each reference-only block of a stage above ``solved_upto`` (all when None).

    Blocks of solved stages keep their code and lose only their marker lines. Where a
    dropped block sat between two blank lines, one of them goes too.

    Example:
        >>> src = "x = 1\\n### BEGIN REFERENCE ONLY 02\\ny = 2\\n### END REFERENCE ONLY\\n"
        >>> print(omit_reference_only(src), end="")
        x = 1
    """
    lines = text.splitlines()
    out: list[str] = []
    open_at: tuple[int, bool] | None = None  # (line, kept)
    for number, line in enumerate(lines, start=1):
        begin, end = REFERENCE_BEGIN.match(line), REFERENCE_END.match(line)
        if begin:
            if open_at is not None:
                raise _fail(name, number, "nested BEGIN REFERENCE ONLY")
            kept = solved_upto is not None and int(begin.group("stage")) <= solved_upto
            open_at = (number, kept)
        elif end:
            if open_at is None:
                raise _fail(name, number, "END REFERENCE ONLY without a BEGIN REFERENCE ONLY")
            if not open_at[1] and out and not out[-1].strip() and (
                    number == len(lines) or not lines[number].strip()):
                out.pop()
            open_at = None
        elif any(word in line for word in REFERENCE_WORDS):
            raise _fail(name, number, "malformed marker; write exactly "
                        "'### BEGIN REFERENCE ONLY NN' or '### END REFERENCE ONLY'")
        elif open_at is None or open_at[1]:
            out.append(line)
    if open_at is not None:
        raise _fail(name, open_at[0], "BEGIN REFERENCE ONLY without an END REFERENCE ONLY")
    result = "\n".join(out)
    return result + "\n" if text.endswith("\n") and out else result


def strip_solutions(text: str, solved_upto: int | None = None, name: str = "<text>",
                    keep: Callable[[Region], bool] | None = None) -> str:
    """Replace each region of a stage above ``solved_upto`` (all when None) with a stub.

    Regions of stages ``<= solved_upto``, and regions for which ``keep(region)`` is true,
    keep their code and lose only their marker lines.

    Example:
        >>> src = "def f():\\n    '''Doc.'''\\n    ### BEGIN SOLUTION 01\\n    return 1\\n"
        >>> print(strip_solutions(src + "    ### END SOLUTION\\n"))
        def f():
            '''Doc.'''
            # ---- your code (stage 01): f ----
            raise NotImplementedError("Stage 01: implement f")
            # ---- end of your code (stage 01) ----
        <BLANKLINE>
    """
    text = omit_reference_only(text, solved_upto, name)
    lines = text.splitlines()
    out: list[str] = []
    cursor = 0
    for region in find_regions(text, name):
        out.extend(lines[cursor: region.begin - 1])
        solved = solved_upto is not None and int(region.stage) <= solved_upto
        if solved or (keep is not None and keep(region)):
            out.extend(lines[region.begin: region.end - 1])
        else:
            out.extend(stub_lines(region))
        cursor = region.end
    out.extend(lines[cursor:])
    result = "\n".join(out)
    return result + "\n" if text.endswith("\n") else result


def ownership_header(text: str, solved_upto: int | None = None, name: str = "<text>") -> str:
    """Comment lines naming, stage by stage, the functions a student writes in this file.

    Empty when the file has no stubbed region. The release puts it at the top of each
    stubbed framework file, so a file that mixes stages says which stage owns which part.

    Example:
        >>> src = "def f():\\n    ### BEGIN SOLUTION 02\\n    return 1\\n    ### END SOLUTION\\n"
        >>> print(ownership_header(src), end="")
        # Student regions in this file (fenced by "# ---- your code (stage NN) ----"):
        #   stage 02: f
    """
    by_stage: dict[str, list[str]] = {}
    for region in find_regions(text, name):
        if solved_upto is None or int(region.stage) > solved_upto:
            names = by_stage.setdefault(region.stage, [])
            if region.qualname not in names:
                names.append(region.qualname)
    if not by_stage:
        return ""
    lines = ['# Student regions in this file (fenced by "# ---- your code (stage NN) ----"):']
    for stage, names in sorted(by_stage.items()):
        lines += textwrap.wrap(", ".join(names), width=96, initial_indent=f"#   stage {stage}: ",
                               subsequent_indent="#             ", break_on_hyphens=False)
    return "\n".join(lines) + "\n"


def region_texts(text: str, name: str = "<text>") -> list[str]:
    """The code lines inside each region (for the leak check)."""
    lines = text.splitlines()
    return [
        "\n".join(lines[r.begin: r.end - 1]) for r in find_regions(text, name)
    ]

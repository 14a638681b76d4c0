"""The shape of the reference framework: no module-level import cycles in ``solutions/ember``.

A cycle between two modules means neither can be read, tested or imported alone: whichever
is imported first sees the other half-initialised, and the order of the imports in
``ember/__init__.py`` becomes load-bearing. The rule checked here:

* An edge ``A -> B`` is an import that runs when ``A`` is imported: an ``import`` or
  ``from ... import`` statement at module level, including those nested in module-level
  ``if``/``try``/``with`` blocks. Imports inside a function or a class body's methods run
  later, at call time, and are not edges (the framework uses them only where PyTorch defers
  the same import, each with a comment saying why).
* Imports under ``if TYPE_CHECKING:`` never run; they are not edges either. With
  ``from __future__ import annotations`` an annotation may name a type that only the type
  checker imports.
* ``from pkg import name`` is an edge to ``pkg.name`` when ``name`` is a submodule of ``pkg``,
  otherwise to ``pkg`` (its ``__init__``).
* Importing ``pkg.sub`` first runs ``pkg/__init__``, so it is an edge to ``pkg`` too, unless
  the importer is itself inside ``pkg``: then ``pkg`` is already imported (or being
  imported, which is the normal shape of a package whose ``__init__`` imports its
  children). This is the edge that makes ``ember._tensor`` unable to import
  ``ember.autograd.graph`` at module level: ``ember/autograd/__init__.py`` imports modules
  that need ``Tensor``.

Run ``python tests/test_structure.py`` to print every cycle found.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "solutions"
PACKAGE = "ember"


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root``: dotted name → file."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    """Whether an ``if`` test is ``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def module_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported.

    Descends into module-level compound statements (``if``, ``try``, ``with``) but not into
    functions or classes, and skips the body of ``if TYPE_CHECKING:``.
    """
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                stack.extend(reversed(node.body))
            stack.extend(reversed(node.orelse))
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse,
                          node.finalbody):
                stack.extend(reversed(block))
        elif isinstance(node, ast.With):
            stack.extend(reversed(node.body))


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from`` import names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    # A package's own ``from . import x`` is relative to the package itself.
    drop = node.level - 1 if is_package else node.level
    if drop:
        base = base[:-drop]
    return ".".join(base + ([node.module] if node.module else []))


def _parents(module: str) -> list[str]:
    """The packages above ``module``: ``a.b.c`` → ``["a", "a.b"]``."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _inside(module: str, package: str, is_package: bool) -> bool:
    """Whether ``package`` is ``module``'s own package or one above it."""
    own = module if is_package else module.rpartition(".")[0]
    return own == package or own.startswith(package + ".")


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module → the modules of ``package`` it imports at module level."""
    modules = module_names(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in module_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                source = _resolve(name, is_package, node)
                targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules
                           else source for alias in node.names]
            edges.update(t for t in targets if t in modules and t != name)
            edges.update(p for t in targets for p in _parents(t)
                         if p in modules and not _inside(name, p, is_package))
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative).

    A component is a set of modules each of which imports, directly or not, every other;
    it holds one or more cycles. It is returned as its sorted module list, and
    :func:`describe` lists the edges inside it, which is what a reader needs to untangle it.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def describe(component: list[str], graph: dict[str, set[str]]) -> str:
    """One component as its internal edges, ``a -> b`` one per line."""
    members = set(component)
    lines = [f"  {a} -> {b}" for a in component for b in sorted(graph[a] & members)]
    return "\n".join([f"cycle among {len(component)} modules:", *lines])


def test_finder_sees_a_cycle(tmp_path: Path) -> None:
    """The checker itself: a two-module cycle is found, deferred and TYPE_CHECKING ones not."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from . import a\n")
    (pkg / "a.py").write_text("from .b import g\n\ndef f():\n    from .c import h\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nfrom . import a\n"
                              "if TYPE_CHECKING:\n    from .c import h\n")
    (pkg / "c.py").write_text("from .a import f\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.b"}
    assert graph["pkg.b"] == {"pkg.a"}
    assert find_cycles(graph) == [["pkg.a", "pkg.b"]]


def test_finder_counts_the_parent_package_of_an_import(tmp_path: Path) -> None:
    """``import pkg.sub.leaf`` runs ``pkg/sub/__init__``: a cycle through it is found."""
    sub = tmp_path / "pkg" / "sub"
    sub.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "core.py").write_text("from pkg.sub.leaf import x\n")
    (sub / "__init__.py").write_text("from pkg.sub.user import y\n")
    (sub / "leaf.py").write_text("x = 1\n")
    (sub / "user.py").write_text("from pkg.core import x\nfrom pkg.sub import leaf\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.core"] == {"pkg.sub", "pkg.sub.leaf"}
    assert graph["pkg.sub.user"] == {"pkg.core", "pkg.sub.leaf"}  # its own package: no edge
    assert find_cycles(graph) == [["pkg.core", "pkg.sub", "pkg.sub.user"]]


def test_no_import_cycles() -> None:
    """``solutions/ember`` has no module-level import cycle."""
    graph = import_graph()
    cycles = find_cycles(graph)
    assert not cycles, "\n".join(describe(c, graph) for c in cycles)


def deferred_imports(root: Path = ROOT, package: str = PACKAGE) -> Iterator[tuple[Path, int]]:
    """``(file, line)`` of every import of ``package`` inside a function (run at call time)."""
    for path in module_names(root, package).values():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    names = ["." if inner.level else inner.module or ""]
                else:
                    continue
                if any(n == "." or n.split(".")[0] == package for n in names):
                    yield path, inner.lineno


def test_every_deferred_import_says_why() -> None:
    """An import inside a function is a last resort; a comment next to it gives the reason.

    The comment sits at the end of the import's line or on the line just above it.
    """
    silent = []
    for path, line in deferred_imports():
        lines = path.read_text().splitlines()
        here, above = lines[line - 1], lines[line - 2].strip() if line > 1 else ""
        if "#" not in here and not above.startswith("#"):
            silent.append(f"{path.relative_to(ROOT)}:{line}: {here.strip()}")
    assert not silent, "deferred imports without a comment saying why:\n" + "\n".join(silent)


if __name__ == "__main__":
    found = import_graph()
    for cycle in find_cycles(found):
        print(describe(cycle, found))
    sys.exit(1 if find_cycles(found) else 0)

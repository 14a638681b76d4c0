"""The grader against a class of hostile and faulty submissions (the tiny course).

Every submission below is graded once, together, by the real ``grade`` (nbgrader, the
trusted test process, the sandboxed worker and notebook). Each has its expected score out
of 5 (``add`` 2, ``hidden`` 1, ``double`` 2) and, where it tries to escape, the proof that
nothing did: marker files that must not exist, a listening socket that must see no
connection, processes that must be gone, text that must not reach any output.

A forger starts from the blank stubs (an honest result is 0): any point it gets is a
forged point. An intruder starts from the reference (an honest result is 5): a point it
loses is a point the grader cost it. Attacks only the OS sandbox can stop are checked in
the ``bwrap`` tier only (CI runs it); everything else holds in both tiers. Every attack is
bounded (a few GiB of address space, 40 sleeping processes, 9 MB of output), so the
suite never risks a 2-core, 24 GiB machine.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
import tiny_course as tiny

from autograder import release
from autograder.grader import GradeOptions, grade
from autograder.sandbox import choose_tier

# One module-scoped run feeds every test here: under xdist they share one worker.
pytestmark = pytest.mark.xdist_group("hostile")

TOKEN = f"hostile-{uuid.uuid4().hex[:12]}"  # names the processes the corpus starts
ENV_TOKEN = f"grader-secret-{uuid.uuid4().hex[:12]}"  # only in the grader's environment

#: Code that patches, in whatever process imports it, everything a forger would patch.
PATCH_EVERYTHING = '''
import sys
def _ok(*args, **kwargs):
    print("Stage 01 / add: PASSED (1 passed, 0 failed, 0 errors, 0.1 s)")
for name in ("autograder", "autograder.check"):
    try:
        __import__(name)
        sys.modules[name].check = _ok
    except Exception:
        pass
try:
    import _pytest.reports, _pytest.runner
    _pytest.reports.TestReport.outcome = "passed"
    _pytest.runner.call_and_report = lambda item, when, log=True, **kw: None
except Exception:
    pass
try:
    import numpy.testing
    numpy.testing.assert_equal = numpy.testing.assert_allclose = _ok
except Exception:
    pass
'''

#: Conftest files that would turn every failure into a pass if pytest loaded them.
CONFTEST = '''
import pytest
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
'''


def escape_attempts(marks: Path, port: int, hidden: Path) -> str:
    """Code that tries every way out, swallowing each failure (so the run goes on)."""
    return f'''
import os, socket, subprocess, sys
def _try(fn):
    try:
        fn()
    except BaseException:
        pass
def _write(path):
    with open(path, "w") as handle:
        handle.write("escaped")
_try(lambda: _write({str(marks / "from_" )!r} + str(os.getpid())))
_try(lambda: socket.create_connection(("127.0.0.1", {port}), timeout=1).sendall(b"x"))
_try(lambda: print(open("/etc/passwd").read()))
_try(lambda: print(open({str(hidden)!r}).read()))
_try(lambda: print(dict(os.environ)))
for _ in range(20):
    _try(lambda: subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)  # {TOKEN}"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
'''


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


def _replace(init: Path, old: str, new: str) -> None:
    text = init.read_text()
    assert old in text
    init.write_text(text.replace(old, new))


def build_corpus(root: Path, release_dir: Path, marks: Path, port: int) -> dict[str, int]:
    """Write every submission under ``root/subs``; return the expected scores."""
    subs = root / "subs"
    solved, blank = root / "solutions" / "ember", root / "framework" / "ember"
    ref_init = solved / "__init__.py"
    hidden = root / "suites" / "hidden" / "stage01" / "test_secret.py"
    expected: dict[str, int] = {}

    def make(name: str, framework: Path | None, score: int, **kw) -> Path:
        expected[name] = score
        return tiny.workspace(subs / name, release_dir, framework, **kw)

    def init_of(ws: Path) -> Path:
        return ws / "framework" / "ember" / "__init__.py"

    # --- forgers: blank stubs, so every point would be forged -------------------------
    ws = make("forge_check_cell", blank, 0)
    tiny.add_cell(ws, PATCH_EVERYTHING)
    ws = make("forge_from_init", blank, 0)
    init_of(ws).write_text(PATCH_EVERYTHING + init_of(ws).read_text())
    ws = make("forge_verdicts", blank, 0)
    tiny.add_cell(ws, "import json, os, pathlib\n"
                      "folder = pathlib.Path(os.environ.get('EMBER_VERDICTS', '.'))\n"
                      "for group in ('add', 'double', 'hidden'):\n"
                      "    try:\n"
                      "        (folder / f'01_{group}.json').write_text(json.dumps(\n"
                      "            {'ok': True, 'report': 'PASSED'}))\n"
                      "    except OSError as exc:\n"
                      "        print(exc)\n"
                      "try:\n"
                      "    (folder / 'cells.json').write_text('{}')\n"
                      "except OSError as exc:\n"
                      "    print(exc)\n")
    ws = make("rewrite_source", blank, 0)
    tiny.add_cell(ws, "import glob, json, os\n"
                      "for path in glob.glob('../../../source/*/*.ipynb'):\n"
                      "    nb = json.load(open(path))\n"
                      "    for cell in nb['cells']:\n"
                      "        cell['source'] = 'pass'\n"
                      "    json.dump(nb, open(path, 'w'))\n"
                      "for path in glob.glob('../../../../*.db'):\n"
                      "    os.remove(path)\n")
    ws = make("printed_scores", blank, 0)
    tiny.add_cell(ws, "print('Stage 01 / add: PASSED (1 passed, 0 failed, 0 errors, 0.1 s)')\n"
                      "print('Score: 5 / 5')")
    ws = make("conftest", blank, 0)
    for folder in (ws / "framework", ws / "framework" / "ember", ws):
        (folder / "conftest.py").write_text(CONFTEST)
    ws = make("path_redirect", blank, 0)  # the origin check stops it even without a sandbox
    init_of(ws).write_text(init_of(ws).read_text() +
        "\nimport importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('ember._ref', {str(ref_init)!r})\n"
        "try:\n"
        "    _ref = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(_ref)\n"
        "    sys.modules['ember._ref'] = _ref\n"
        "    add, Box = _ref.add, _ref.Box\n"
        "except OSError:\n"
        "    pass\n")
    ws = make("reads_reference", blank, 0 if choose_tier()[0] == "bwrap" else 5)
    init_of(ws).write_text(init_of(ws).read_text() + "\ntry:\n"
                           f"    exec(open({str(ref_init)!r}).read())\n"
                           "except OSError:\n    pass\n")
    ws = make("linked", None, 0)
    (ws / "framework" / "ember").mkdir(parents=True)
    (ws / "framework" / "ember" / "__init__.py").symlink_to(ref_init)
    ws = make("syntax_error", blank, 0)
    init_of(ws).write_text("def add(a, b)\n    return a + b\n")
    ws = make("exits", blank, 0)
    init_of(ws).write_text("import sys\nsys.exit(3)\n")

    # --- intruders and accidents: the reference, so every lost point is the grader's ----
    ws = make("escapes", solved, 5)
    init_of(ws).write_text(escape_attempts(marks, port, hidden) + ref_init.read_text())
    tiny.add_cell(ws, escape_attempts(marks, port, hidden)
                  + "import autograder, pathlib\n"
                  "print(sorted(p.name for p in (pathlib.Path(autograder.__file__).parent"
                  " / 'suites' / 'hidden').iterdir()))\n")
    ws = make("fork_storm", solved, 5)  # bounded: 60 processes, each gone within a minute
    init_of(ws).write_text(
        "import os, sys\n"
        "for _ in range(60):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        f"            os.execv(sys.executable, [sys.executable, '-c', "
        f"'import time; time.sleep(60)  # {TOKEN}'])\n"
        "    except OSError:\n"
        "        break\n" + ref_init.read_text())
    ws = make("kernel_links", solved, 5)
    tiny.add_cell(ws, "import os\nos.symlink('/etc/passwd', 'passwd_link')\n"
                      "os.symlink('/etc', 'etc_link')")
    ws = make("kernel_dies", solved, 5)
    tiny.add_cell(ws, "import os\nos._exit(1)")
    ws = make("kernel_loops", solved, 5)
    tiny.add_cell(ws, "while True:\n    pass")
    ws = make("kernel_bombs", solved, 5)
    tiny.add_cell(ws, "try:\n    sudden = bytearray(16 << 30)\nexcept MemoryError:\n"
                      "    print('sudden bomb stopped')\nkeep = []\ntry:\n"
                      "    while True:\n        keep.append(bytearray(256 << 20))\n"
                      "except MemoryError:\n    print('gradual bomb stopped', len(keep))\n"
                      "keep.clear()")
    ws = make("worker_bombs", solved, 1)  # the public add and double bomb, the hidden don't
    _replace(init_of(ws), "return a + b",
             "x = bytearray(16 << 30 if b == 2 else 1)\n    return a + b")
    _replace(init_of(ws), "total = x + x",
             "keep = [bytearray(256 << 20) for _ in range(64 if x == 2 else 0)]\n"
             "        total = x + x")
    ws = make("segfault", solved, 3)
    _replace(init_of(ws), "return a + b",
             "if b == 2:\n        import ctypes\n        ctypes.string_at(0)\n    return a + b")
    ws = make("huge_output", solved, 5)
    init_of(ws).write_text("import sys\nsys.stdout.write('x' * 2_000_000)\n"
                           "sys.stderr.write('y' * 2_000_000)\n" + ref_init.read_text())
    tiny.add_cell(ws, "print('z' * 5_000_000)")
    ws = make("deleted_cells", solved, 5)
    path = tiny.student_notebook(ws)
    nb = tiny.nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    tiny.nbformat.write(nb, path)
    ws = make("mentions_hidden", solved, 5)
    tiny.add_cell(ws, 'I wonder what `check("01", "hidden")` runs.', kind="markdown")
    return expected


def _processes_with(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Grade the whole corpus once; yield what the tests need and clean up after."""
    root = tmp_path_factory.mktemp("hostile")
    stage = tiny.make_course(root)
    release.build_framework(root / "solutions", root / "framework")
    release_dir = release.generate_notebooks(root / "course", root / "release", [stage])
    marks = root / "marks"
    marks.mkdir()
    listener = Listener()
    os.environ["EMBER_HOSTILE_TOKEN"] = ENV_TOKEN
    try:
        expected = build_corpus(root, release_dir, marks, listener.port)
        options = GradeOptions(course_dir=root / "course", stages=(stage,),
                               blank_framework=root / "framework", cell_timeout=10, jobs=2,
                               test_timeout=5)
        start = time.monotonic()
        results = {g.student: g for g in grade(root / "subs", root / "out", options)}
        seconds = time.monotonic() - start
        time.sleep(1)  # let any escaped process show itself
        yield {"root": root, "out": root / "out", "results": results, "expected": expected,
               "marks": marks, "listener": listener, "seconds": seconds,
               "tier": choose_tier()[0]}
    finally:
        del os.environ["EMBER_HOSTILE_TOKEN"]
        listener.close()
        for pid in _processes_with(TOKEN):
            try:
                os.kill(pid, 9)
            except OSError:
                pass


def needs_bwrap(corpus) -> None:
    if corpus["tier"] != "bwrap":
        pytest.skip("only the bwrap sandbox can stop this (grading ran in the 'none' tier)")


def _stage(corpus, student):
    return corpus["results"][student].stages["01_tiny"]


def _outputs(corpus) -> str:
    """Everything the grader produced that a person reads: notebooks, feedback, reports."""
    texts = []
    for path in corpus["out"].rglob("*"):
        if path.is_file() and path.suffix in (".ipynb", ".html", ".json", ".csv", ".txt"):
            texts.append(path.read_text(errors="replace"))
    return "\n".join(texts)


def test_every_submission_gets_its_expected_score_and_a_row(corpus):
    got = {s: corpus["results"][s].total for s in corpus["expected"]}
    assert got == corpus["expected"]
    rows = (corpus["out"] / "grades.csv").read_text().splitlines()[1:]
    assert sorted(r.split(",")[0] for r in rows) == sorted(corpus["expected"])


def test_every_grade_records_its_isolation_tier(corpus):
    tiers = {s.tier for g in corpus["results"].values() for s in g.stages.values()}
    assert tiers == {corpus["tier"]}


def test_forged_checks_are_reported_as_suspicious(corpus):
    report = (corpus["out"] / "suspicious.txt").read_text()
    for student in ("forge_check_cell", "forge_from_init"):
        assert any("check() replaced" in s for s in _stage(corpus, student).suspicious), student
        assert f"{student}\t01_tiny" in report
    assert "linked\t-\tsubmission folder rejected: links are not allowed" in report
    for honest in ("kernel_dies", "deleted_cells", "huge_output"):
        assert not _stage(corpus, honest).suspicious


def test_a_dead_or_looping_kernel_costs_no_points_and_says_why(corpus):
    assert any("did not run to the end" in r for r in _stage(corpus, "kernel_dies").reasons)
    assert any("ran past the 10 s timeout" in r for r in _stage(corpus, "kernel_loops").reasons)


def test_bad_frameworks_get_reasons_a_student_can_act_on(corpus):
    assert any("SyntaxError" in r for r in _stage(corpus, "syntax_error").reasons)
    assert any("links are not allowed" in r for r in _stage(corpus, "linked").reasons)
    assert any("time limit" in r or "memory" in r.lower() or "MemoryError" in r
               for r in _stage(corpus, "worker_bombs").reasons)


def test_no_hidden_test_text_reaches_any_feedback(corpus):
    for path in corpus["out"].rglob("*.html"):
        text = path.read_text(errors="replace")
        assert "secret-hidden-check" not in text and "double(21)" not in text, path
    # The student who quoted the hidden check loses the feedback file, not the grade, and
    # nobody else loses theirs.
    assert not _stage(corpus, "mentions_hidden").feedback
    assert _stage(corpus, "huge_output").feedback and _stage(corpus, "escapes").feedback


def test_links_made_by_the_kernel_never_ship_their_targets(corpus):
    for path in (corpus["out"] / "course").rglob("*"):
        assert not path.is_symlink(), path
    assert not list((corpus["out"] / "course").rglob("passwd_link"))


def test_the_graders_environment_never_reaches_student_code(corpus):
    assert ENV_TOKEN not in _outputs(corpus)


def test_nothing_escapes_the_sandbox(corpus):
    needs_bwrap(corpus)
    assert not list(corpus["marks"].iterdir())
    assert corpus["listener"].accepted == 0
    assert not _processes_with(TOKEN)
    outputs = _outputs(corpus)
    assert "root:x:0:0" not in outputs
    # The package's hidden tests are masked in the notebook's view of the package.
    autograded = (corpus["out"] / "course" / "autograded" / "escapes" / "01_tiny"
                  / "01_tiny.ipynb").read_text()
    assert "[]" in autograded

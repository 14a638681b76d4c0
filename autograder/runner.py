"""Run graded pytest files in a separate, locked-down Python process.

The student's code runs inside that process, so whatever it does (crash the interpreter,
loop forever, allocate all memory, print megabytes, write to stderr) cannot take the
notebook kernel or the grader with it. The process gets:

* an explicit environment: ``PYTHONPATH`` holds at most the folder of the ``autograder``
  package (when it is not installed), never the student's folder: this process is trusted
  and never imports student code. The student's ``ember`` runs in a worker process
  (:mod:`autograder.remote`) started inside the sandbox (:mod:`autograder.sandbox`), which
  is told where the framework is by ``EMBER_FRAMEWORK`` and ``EMBER_SANDBOX_SPEC``;
* an explicit pytest configuration (``autograder/suites/pytest.ini``), no conftest files,
  no cache, no auto-loaded third-party plugins, and our plugin
  (:mod:`autograder.suites.plugin`) that fixes hypothesis's profile and checks where
  ``ember`` came from;
* a temporary working directory whose ``scratch/`` (pytest's ``--basetemp``, so every
  ``tmp_path``) is the one folder the worker may write, a wall-clock timeout (the whole
  process group is killed) and, on POSIX, limits on memory and on the size of files it
  writes.

Results come from pytest's JUnit XML report, never from parsing its console output.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import sandbox
from .processes import needs_package_path, run_group

#: Where the graded-run configuration lives.
SUITES_DIR = Path(__file__).resolve().parent / "suites"

#: Variables copied from the caller's environment when present (never PYTHONPATH).
PASS_THROUGH = (
    "PATH", "HOME", "USERPROFILE", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "TEMP", "TMP",
    "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS", "VIRTUAL_ENV", "CONDA_PREFIX", "EMBER_NO_SHRINK",
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one graded run.

    Attributes:
        timeout: wall-clock seconds before the whole process group is killed.
        memory: bytes of address space (POSIX ``RLIMIT_AS``); 0 for no limit.
        file_size: largest file the process may write, in bytes (``RLIMIT_FSIZE``).
        output: characters of console output kept (head and tail) in the result.
        per_test: seconds one test may take before the plugin stops it and restarts the
            worker; the run's budget (``timeout`` less a margin for the report) stops the
            tests after it, so a hanging submission still gets a report naming each test.
        per_file: seconds the tests of one file may use together (None: the run's budget).
    """

    timeout: float = 240.0
    memory: int = 4 * 2**30
    file_size: int = 256 * 2**20
    output: int = 20_000
    per_test: float = 60.0
    per_file: float | None = None

    def budget(self) -> float:
        """Seconds the tests may use, leaving time for pytest to start and to report."""
        return max(self.timeout * 0.9 - 5.0, 1.0)


@dataclass(frozen=True)
class TestOutcome:
    """The outcome of one test function.

    Attributes:
        nodeid: ``module::name`` as pytest reports it.
        outcome: ``"passed"``, ``"failed"``, ``"error"`` or ``"skipped"``.
        message: a short message for a test that did not pass (empty otherwise).
        duration: seconds the test took.
    """

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    outcome: str
    message: str = ""
    duration: float = 0.0

    @property
    def module(self) -> str:
        """The test file's module name, e.g. ``test_views``."""
        return self.nodeid.split("::", 1)[0].rsplit(".", 1)[-1]

    @property
    def name(self) -> str:
        """The test's name within its module."""
        return self.nodeid.split("::", 1)[-1]


@dataclass
class RunResult:
    """What one graded pytest run produced.

    Attributes:
        tests: one outcome per test, in the order pytest ran them.
        returncode: pytest's exit status (negative: killed by that signal).
        duration: wall-clock seconds.
        timed_out: the run hit the timeout and was killed.
        problem: why the run is not trustworthy (crash, no report, no tests), or ``""``.
        output: pytest's console output, truncated in the middle if long.
        tier: where the student's code ran (:mod:`autograder.sandbox`: ``bwrap`` or
            ``none``).
    """

    tests: list[TestOutcome] = field(default_factory=list)
    returncode: int = 0
    duration: float = 0.0
    timed_out: bool = False
    problem: str = ""
    output: str = ""
    tier: str = ""

    def _ipython_display_(self) -> None:  # IPython calls this instead of displaying
        """Show nothing in a notebook: ``check`` has printed the report already.

        A check cell's last expression is ``check(...)``, whose result Jupyter would
        otherwise display as a long ``RunResult(tests=[...])`` under the report.
        """

    def count(self, outcome: str) -> int:
        """How many tests ended with ``outcome``."""
        return sum(1 for t in self.tests if t.outcome == outcome)

    @property
    def passed(self) -> int:
        return self.count("passed")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def ok(self) -> bool:
        """True when tests ran, none failed or errored, and the run ended normally."""
        return (
            not self.problem
            and self.returncode == 0
            and self.passed > 0
            and self.failed == 0
            and self.errors == 0
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (counts, per-test detail, no console output)."""
        data = asdict(self)
        data.pop("output")
        data.update(passed=self.passed, failed=self.failed, errors=self.errors, ok=self.ok)
        return data

    def report(self, detail: bool = True, width: int = 400, shown: int = 15) -> str:
        """A readable text report: a line per test module, then the first failures."""
        lines = [
            f"{module}: {counts}" for module, counts in _module_counts(self.tests).items()
        ]
        if self.problem:
            lines.append(f"PROBLEM: {self.problem}")
        bad = [t for t in self.tests if t.outcome in ("failed", "error")]
        for test in bad[:shown]:
            line = f"{test.outcome.upper()} {test.module}::{test.name}"
            if detail and test.message:
                line += "\n    " + _trim(test.message, width).replace("\n", "\n    ")
            lines.append(line)
        if len(bad) > shown:
            lines.append(f"... and {len(bad) - shown} more that did not pass")
        return "\n".join(lines)


def _module_counts(tests: Sequence[TestOutcome]) -> dict[str, str]:
    """``{module: "7 passed, 1 failed"}`` in first-seen order."""
    counts: dict[str, dict[str, int]] = {}
    for test in tests:
        per = counts.setdefault(test.module, {})
        per[test.outcome] = per.get(test.outcome, 0) + 1
    return {
        module: ", ".join(f"{n} {outcome}" for outcome, n in per.items())
        for module, per in counts.items()
    }


def _trim(text: str, width: int, max_lines: int = 6) -> str:
    """At most ``max_lines`` lines and ``width`` characters of ``text``."""
    lines = [line.rstrip() for line in text.strip().splitlines()][:max_lines]
    short = "\n".join(lines)
    return short if len(short) <= width else short[: width - 3] + "..."


def build_env(framework: Path, base: dict[str, str] | None = None,
              extra: dict[str, str] | None = None) -> dict[str, str]:
    """The explicit environment of a graded run (see the module docstring)."""
    source = os.environ if base is None else base
    env = {key: source[key] for key in PASS_THROUGH if key in source}
    env.update(extra or {})
    path = [str(Path(__file__).resolve().parent.parent)] if needs_package_path() else []
    env.update(
        PYTHONPATH=os.pathsep.join(path),
        EMBER_FRAMEWORK=str(framework),
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        PYTHONNOUSERSITE="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        MPLBACKEND="Agg",
    )
    return env


def pytest_command(files: Sequence[Path], junit: Path, basetemp: Path | None = None,
                   options: Sequence[str] = ()) -> list[str]:
    """The pytest command line of a graded run (``options``: e.g. ``-k``, ``--tb``)."""
    temp = [f"--basetemp={basetemp}", *options] if basetemp is not None else [*options]
    return [
        sys.executable, "-m", "pytest",
        "--noconftest", "-p", "no:cacheprovider", "-p", "autograder.suites.plugin",
        "-c", str(SUITES_DIR / "pytest.ini"), "--rootdir", str(SUITES_DIR), *temp,
        f"--junitxml={junit}", "-o", "junit_family=xunit1", "-q", "--tb=line",
        *[str(Path(f).resolve()) for f in files],
    ]


def _read_head_tail(path: Path, limit: int) -> str:
    """The first and last ``limit // 2`` bytes of a possibly huge file, decoded."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        if size <= limit:
            return handle.read().decode("utf-8", "replace")
        head = handle.read(limit // 2)
        handle.seek(size - limit // 2)
        tail = handle.read()
    cut = size - len(head) - len(tail)
    return (
        head.decode("utf-8", "replace")
        + f"\n[... {cut} bytes of output cut ...]\n"
        + tail.decode("utf-8", "replace")
    )


def parse_junit(path: Path) -> list[TestOutcome]:
    """Per-test outcomes from a pytest JUnit XML report."""
    tests = []
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname") or Path(case.get("file", "")).stem
        nodeid = f"{module}::{case.get('name', '')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
                message = child.get("message") or (child.text or "").strip()[-600:]
                break
        tests.append(TestOutcome(nodeid, outcome, message, float(case.get("time", 0) or 0)))
    return tests


def _diagnose(returncode: int, timed_out: bool, tests: list[TestOutcome], limits: Limits,
              output: str = "") -> str:
    """Why a run cannot be trusted, in words a student can act on ("" when it can)."""
    if timed_out:
        return (
            f"the tests did not finish within {limits.timeout:g} s and were stopped; "
            "look for an infinite loop or a very slow operation"
        )
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else ""
        return (
            f"the test process was killed by signal {-returncode} {name}: it crashed, "
            "ran out of memory or wrote too much output"
        )
    if not tests and returncode in (0, 1):
        return "pytest wrote no results; something ended the test process early"
    if returncode in (2, 3, 4):
        said = [line.strip() for line in output.splitlines() if line.startswith("ERROR: ")]
        why = f": {said[-1][7:][:400]}" if said else "; see its output"
        return f"pytest could not run the tests (exit status {returncode}){why}"
    if returncode == 5 or (not tests and returncode == 0):
        return "no tests were collected"
    return ""


def run_tests(files: Sequence[Path], framework: Path, limits: Limits | None = None,
              extra_env: dict[str, str] | None = None, tier: str | None = None,
              options: Sequence[str] = ()) -> RunResult:
    """Run the pytest ``files`` against the ``ember`` package in ``framework``.

    Args:
        files: graded test files.
        framework: the folder that holds ``ember/``.
        limits: timeout and resource limits (defaults: :class:`Limits`).
        extra_env: more environment variables (e.g. ``EMBER_NO_SHRINK``).
        tier: the sandbox tier of the worker (default: :func:`sandbox.choose_tier`).
        options: more pytest options, after the graded ones (``-k NAME``, ``--tb=short``).

    Returns:
        The outcome of every test plus a diagnosis of crashes and timeouts.
    """
    limits = limits or Limits()
    framework = Path(framework).resolve()
    missing = [str(f) for f in files if not Path(f).is_file()]
    if not files or missing:
        return RunResult(problem=f"test files missing: {', '.join(missing) or 'none given'}",
                         returncode=4)
    tier = tier or sandbox.choose_tier()[0]
    with tempfile.TemporaryDirectory(prefix="ember-run-") as tmp:
        work = Path(tmp)
        junit, log_path, scratch = work / "junit.xml", work / "output.log", work / "scratch"
        scratch.mkdir()
        spec = sandbox.spec_for(framework, tier, limits.memory, writable=[scratch])
        env = build_env(framework, extra={
            "EMBER_TEST_TIMEOUT": f"{min(limits.per_test, limits.budget()):g}",
            "EMBER_RUN_BUDGET": f"{limits.budget():g}",
            **({"EMBER_FILE_BUDGET": f"{limits.per_file:g}"} if limits.per_file else {}),
            **(extra_env or {}),
            "EMBER_SANDBOX_SPEC": spec.to_json()})
        cmd = pytest_command(files, junit, basetemp=scratch / "tmp", options=options)
        finished = run_group(sandbox.limited(cmd, limits.memory, limits.file_size), work, env,
                             limits.timeout, log=log_path, keep=0)
        returncode, timed_out, duration = (finished.returncode, finished.timed_out,
                                           finished.seconds)
        output = _read_head_tail(log_path, limits.output)
        tests: list[TestOutcome] = []
        if junit.is_file() and not timed_out:
            try:
                tests = parse_junit(junit)
            except ET.ParseError:
                tests = []
    problem = _diagnose(returncode, timed_out, tests, limits, output)
    return RunResult(tests, returncode, duration, timed_out, problem, output, tier)

"""The pytest plugin of graded runs (loaded with ``-p autograder.suites.plugin``).

A graded run is a trusted pytest process: it imports the test files, runs the tests and
writes the JUnit report the grader reads, and it never imports the student's code.
``import ember`` here yields proxies (:mod:`autograder.remote`) to the student's ember,
which lives in a worker process started by this plugin, inside the sandbox when the
grader asks for one. The plugin also

* runs hypothesis with a fixed, derandomised profile and no example database, so a
  student sees the same examples on every run and the grader sees what the student saw;
* checks, before any test runs, that the worker's ``ember`` (every module of it) comes
  from ``$EMBER_FRAMEWORK``, the student's ``framework/`` folder;
* gives every test a deadline (``$EMBER_TEST_TIMEOUT`` seconds), every test file a budget
  (``$EMBER_FILE_BUDGET``) and the whole run a budget (``$EMBER_RUN_BUDGET``): a test whose
  code hangs is stopped and fails with a reason, the worker is restarted, and the next
  tests run on a fresh worker; once a file's budget is spent its remaining tests fail at
  once, so a submission that hangs everywhere costs minutes, not hours;
* gives ``tmp_path`` folders the worker may write to (inside ``$EMBER_SCRATCH``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from autograder.remote import client as remote
from autograder.remote.proxies import EmberFinder

#: The name of the hypothesis profile graded runs use.
PROFILE = "ember-graded"
#: Set to "1" by the grader and ``verify``: skip shrinking failing examples. Which tests
#: pass is unchanged (the examples are derandomised); only the counterexample shown is
#: larger, and a failing property test finishes in a fraction of the time.
NO_SHRINK = "EMBER_NO_SHRINK"
#: Seconds one test may take (setup, call and teardown together).
DEFAULT_TEST_TIMEOUT = 60.0


def register_hypothesis_profile() -> None:
    """Register and load the graded hypothesis profile (no-op without hypothesis)."""
    try:
        from hypothesis import HealthCheck, Phase, settings
    except ImportError:
        return
    phases = tuple(Phase)
    if os.environ.get(NO_SHRINK) == "1":
        phases = tuple(p for p in Phase if p not in (Phase.shrink, Phase.explain))
    settings.register_profile(
        PROFILE,
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=25,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=False,
        phases=phases,
    )
    settings.load_profile(PROFILE)


def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` lies inside ``folder`` (both resolved)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError):
        return False
    return True


def check_origin(hello: dict[str, Any], framework: str) -> str:
    """The worker's ``ember`` file; raise unless all of ember comes from ``framework``."""
    files = [f for f in hello.get("files", []) if isinstance(f, str)]
    paths = [p for p in hello.get("path", []) if isinstance(p, str)]
    origin = hello.get("ember") or "<namespace package>"
    outside = [f for f in [origin, *paths, *files] if not _inside(f, framework)]
    if outside:
        raise pytest.UsageError(
            f"ember must come from EMBER_FRAMEWORK={framework}, but parts of it come from "
            f"{', '.join(outside[:3])}")
    return origin


def _launcher() -> remote.Launcher | None:
    """The sandbox launcher the grader asked for (``$EMBER_SANDBOX_SPEC``), or None."""
    text = os.environ.get("EMBER_SANDBOX_SPEC")
    if not text:
        return None
    from autograder import sandbox

    spec = sandbox.spec_from_json(json.loads(text))
    return lambda argv, fds: sandbox.popen(spec, argv, pass_fds=fds)


class GradedRun:
    """The state of one graded run: the worker connection and the time budget."""

    def __init__(self, framework: str) -> None:
        self.framework = framework
        self.client = remote.install(remote.Client(Path(framework), _launcher()))
        self.per_test = float(os.environ.get("EMBER_TEST_TIMEOUT", DEFAULT_TEST_TIMEOUT))
        budget = os.environ.get("EMBER_RUN_BUDGET")
        self.end = time.monotonic() + float(budget) if budget else None
        per_file = os.environ.get("EMBER_FILE_BUDGET")
        self.per_file = float(per_file) if per_file else None
        self.file_left: dict[str, float] = {}
        self.test_started = 0.0
        self.client.deadline = self.end
        self.client.on_start.append(self._check_worker)

    def _check_worker(self, client: remote.Client) -> None:
        check_origin(client.hello, self.framework)

    def time_left(self) -> float | None:
        return None if self.end is None else self.end - time.monotonic()

    def test_deadline(self, file: str) -> float:
        now = time.monotonic()
        deadline = now + self.per_test
        if self.per_file is not None:
            deadline = min(deadline, now + self.file_left.setdefault(file, self.per_file))
        return deadline if self.end is None else min(deadline, self.end)

    def spent(self, file: str, seconds: float) -> None:
        if self.per_file is not None:
            self.file_left[file] = self.file_left.get(file, self.per_file) - seconds


_RUN: list[GradedRun] = []


def pytest_configure(config: pytest.Config) -> None:
    """Load the hypothesis profile and connect ``import ember`` to the worker."""
    register_hypothesis_profile()
    framework = os.environ.get("EMBER_FRAMEWORK")
    if not framework:
        raise pytest.UsageError(
            "EMBER_FRAMEWORK is not set: run graded tests through autograder.check "
            "or 'python -m autograder', not plain pytest")
    EmberFinder().install()
    _RUN.append(GradedRun(framework))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the worker now: a framework that does not even import fails loudly here."""
    run = _RUN[-1]
    try:
        run.client.start()
    except pytest.UsageError:
        raise
    except (Exception, SystemExit) as exc:  # the worker's error or the student's import
        text = str(exc) if isinstance(exc, remote.WorkerError) else (
            f"{type(exc).__name__}: {exc}")
        raise pytest.UsageError(f"your ember could not be started: {text}") from None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Give each test its deadline; the run's budget stays the limit between tests."""
    run = _RUN[-1]
    file = str(item.path)
    run.client.deadline = run.test_deadline(file)
    start = time.monotonic()
    yield
    run.spent(file, time.monotonic() - start)
    run.client.deadline = run.end


def pytest_runtest_setup(item: pytest.Item) -> None:
    run = _RUN[-1]
    left = run.time_left()
    if left is not None and left <= 0:
        pytest.fail("the time budget of this run was used up by earlier tests", pytrace=False)
    if run.per_file is not None and run.file_left.get(str(item.path), 1.0) <= 0:
        pytest.fail("the time budget of this test file was used up by earlier tests",
                    pytrace=False)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUN:
        remote.uninstall(_RUN.pop().client)


def pytest_report_header(config: pytest.Config) -> str:
    return f"ember under test: {os.environ.get('EMBER_FRAMEWORK', '?')} (in a worker process)"


@pytest.fixture
def tmp_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder per test that the worker (the student's code) may write to."""
    path = tmp_path_factory.mktemp(request.node.name[:30].replace("[", "-").replace("]", ""))
    uid = os.environ.get("EMBER_WORKER_UID")
    if uid and hasattr(os, "chown"):
        os.chown(path, int(uid), int(uid))
    return path

"""Child processes of the autograder: one way to start, time out and kill them.

Every child the autograder starts (the graded pytest run, the nbgrader commands of the
release and of grading, a notebook's kernel under nbgrader) runs through :func:`run_group`:

* in its own session (a process group on POSIX), so that a timeout or the end of the run
  kills everything it started, grandchildren included;
* with stdin closed and stdout and stderr together in a log file, never a pipe a chatty
  child could fill;
* with a wall-clock timeout, after which the whole group gets SIGKILL.

nbgrader is always started the same way, by :func:`nbgrader_cmd`: as ``python -m nbgrader``
from the running interpreter, with the course root and the gradebook given on the command
line, and an environment (:func:`nbgrader_env`) whose ``PATH`` starts with that
interpreter's ``bin`` folder, because nbgrader shells out to ``alembic`` and Jupyter tools:
nothing depends on the virtual environment being activated.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: The folder holding the ``autograder`` package.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent
#: The course id nbgrader's gradebook files are made for.
COURSE_ID = "ember"
#: How much of a child's output :func:`run_group` returns by default (its end).
OUTPUT_TAIL = 20_000


@dataclass(frozen=True)
class Finished:
    """How a child process ended.

    Attributes:
        returncode: its exit status (``-9`` when killed at the timeout).
        output: the last ``keep`` bytes of its output, decoded.
        timed_out: it ran past the timeout and was killed with its group.
        seconds: wall-clock duration.
    """

    returncode: int
    output: str
    timed_out: bool
    seconds: float


def needs_package_path() -> bool:
    """Whether a child needs :data:`PACKAGE_PARENT` on its path to import ``autograder``."""
    installed = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    return str(PACKAGE_PARENT) not in {str(Path(p).resolve()) for p in installed}


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process and everything it started (its process group on POSIX)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


def run_group(cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float,
              log: Path | None = None, keep: int = OUTPUT_TAIL) -> Finished:
    """Run ``cmd`` in its own session with ``timeout``; kill its whole group at the end.

    Args:
        cmd: the command line.
        cwd: its working folder.
        env: its whole environment (nothing is inherited).
        timeout: seconds before the group is killed.
        log: the file that receives its output (default: a temporary file).
        keep: how many bytes of the output's end to return in ``Finished.output``.
    """
    options: dict[str, object] = (
        {"start_new_session": True} if os.name == "posix"
        else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)})
    with (open(log, "w+b") if log is not None else tempfile.TemporaryFile()) as sink:
        start = time.monotonic()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=sink, stderr=subprocess.STDOUT, **options)
        timed_out = False
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc)
            code = proc.wait()
        finally:
            kill_group(proc)  # children it may have left behind
            proc.wait()
        seconds = time.monotonic() - start
        output = b""
        if keep:
            sink.seek(max(0, sink.seek(0, os.SEEK_END) - keep))
            output = sink.read()
    return Finished(code, output.decode("utf-8", "replace"), timed_out, seconds)


def nbgrader_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of nbgrader children: no inherited PYTHONPATH, this interpreter's tools
    first on ``PATH``, ``autograder`` importable."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if needs_package_path():
        env["PYTHONPATH"] = str(PACKAGE_PARENT)
    env.update(extra or {})
    return env


def nbgrader_cmd(args: Sequence[str], course: Path, db: Path) -> list[str]:
    """The command line of one nbgrader command on the course in ``course``, gradebook ``db``."""
    return [
        sys.executable, "-m", "nbgrader", *args,
        f"--CourseDirectory.root={Path(course).resolve()}",
        f"--CourseDirectory.db_url=sqlite:///{Path(db).resolve()}",
        f"--CourseDirectory.course_id={COURSE_ID}", "--log-level=WARN",
    ]


def run_nbgrader(args: Sequence[str], course: Path, db: Path, timeout: float = 600,
                 env: dict[str, str] | None = None) -> Finished:
    """Run one nbgrader command (see :func:`nbgrader_cmd`) and wait for it."""
    return run_group(nbgrader_cmd(args, course, db), course, env or nbgrader_env(), timeout)

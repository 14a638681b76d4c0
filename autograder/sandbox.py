"""Where the student's code runs: an OS sandbox when the platform has one.

The graded pytest process is trusted and never imports the student's ``ember``
(:mod:`autograder.remote`); the one process that does, the *worker*, is started through
:func:`popen`. Under grading, nbgrader's run of the notebooks and its kernel get the same
treatment (:func:`notebook_command`). Two tiers, recorded in every grade report:

``bwrap`` (Linux with bubblewrap and user namespaces; what CI runs)
    The worker sees a read-only file system made of exactly what it needs: the system
    folders (``/usr``, ``/lib*``, ``/bin``, ``/etc/ld.so*``), the Python installation and
    its site folders, the worker's own folder (``autograder/remote``), and the student's
    framework; plus a private ``/tmp`` and the run's scratch folder (writable). The
    course tree, the reference ``solutions/``, the hidden tests, the gradebook, ``/root``
    and ``/home`` are simply not there. It has no network (``--unshare-net``), its own PID
    namespace (every process it starts dies with it), runs as ``nobody`` (uid 65534), gets
    an empty environment but for a few fixed variables, and has limits on memory, on the
    number of processes and on the size of files it writes.

``none`` (macOS, Windows, a kernel without user namespaces, bubblewrap missing)
    The worker is an ordinary child process with the same resource limits where the OS
    has them. Grades are still decided outside the student's process, but the student's
    code can read whatever the grader's user can. Every report says so, loudly.

``EMBER_SANDBOX`` chooses: ``auto`` (default: ``bwrap`` when it works, else ``none``),
``bwrap`` (refuse to grade without it) or ``none``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The environment variable that picks the tier.
SANDBOX_ENV = "EMBER_SANDBOX"
#: The user the worker runs as inside the sandbox (``nobody``).
NOBODY = 65534
#: The worker's three files (it imports nothing else of the project).
REMOTE_DIR = Path(__file__).resolve().parent / "remote"
#: System folders the interpreter and its libraries need, bound read-only when present.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
                "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                "/etc/localtime")


class SandboxError(RuntimeError):
    """The sandbox that was asked for cannot run here."""


@dataclass(frozen=True)
class Spec:
    """What one worker may see and use.

    Attributes:
        tier: ``"bwrap"`` or ``"none"``.
        framework: the student's folder holding ``ember/`` (read-only).
        writable: folders the worker may write (a test's scratch folder).
        memory: bytes of address space (``RLIMIT_AS``); 0 for no limit.
        processes: most processes of the worker's user (``RLIMIT_NPROC``, bwrap tier).
        file_size: largest file it may write (``RLIMIT_FSIZE``).
        readable: more folders it may read (the notebook run: the autograder package).
        masked: folders inside those that it sees empty (the hidden tests, the mutants).
        env: variables set inside, besides the fixed few.
        cwd: the working directory inside (default ``/tmp``).
    """

    tier: str
    framework: str
    writable: tuple[str, ...] = field(default_factory=tuple)
    memory: int = 4 * 2**30
    processes: int = 64
    file_size: int = 256 * 2**20
    readable: tuple[str, ...] = field(default_factory=tuple)
    masked: tuple[str, ...] = field(default_factory=tuple)
    env: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    cwd: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def spec_from_json(data: dict[str, Any]) -> Spec:
    """The :class:`Spec` a grader passed in ``$EMBER_SANDBOX_SPEC`` (checked field by field)."""
    if not isinstance(data, dict) or data.get("tier") not in ("bwrap", "none"):
        raise SandboxError(f"bad sandbox spec: {data!r}")
    return Spec(tier=data["tier"], framework=str(data["framework"]),
                writable=tuple(str(p) for p in data.get("writable", ())),
                memory=int(data.get("memory", 0)), processes=int(data.get("processes", 64)),
                file_size=int(data.get("file_size", 256 * 2**20)),
                readable=tuple(str(p) for p in data.get("readable", ())),
                masked=tuple(str(p) for p in data.get("masked", ())),
                env=tuple((str(k), str(v)) for k, v in data.get("env", ())),
                cwd=str(data.get("cwd", "")))


def _python_paths() -> list[str]:
    """The interpreter's installation and site folders (the venv and its base)."""
    paths = sysconfig.get_paths()
    found = [sys.base_prefix, sys.prefix, paths["stdlib"], paths["platstdlib"],
             paths["purelib"], paths["platlib"], os.path.dirname(os.path.realpath(sys.executable))]
    return sorted({os.path.realpath(p) for p in found if p and os.path.exists(p)})


def bwrap_argv(spec: Spec, argv: Sequence[str]) -> list[str]:
    """The bubblewrap command line that runs ``argv`` as :class:`Spec` allows."""
    bwrap = shutil.which("bwrap") or "bwrap"
    cmd = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
           "--uid", str(NOBODY), "--gid", str(NOBODY), "--clearenv",
           "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
           "--setenv", "PYTHONHASHSEED", "0", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
           "--setenv", "OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"),
           "--setenv", "OPENBLAS_NUM_THREADS", os.environ.get("OPENBLAS_NUM_THREADS", "1"),
           "--setenv", "MPLBACKEND", "Agg",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in SYSTEM_PATHS:
        if os.path.lexists(path):
            kind = "--symlink" if os.path.islink(path) else "--ro-bind"
            cmd += [kind, os.readlink(path), path] if kind == "--symlink" else [kind, path, path]
    for path in _python_paths():
        cmd += ["--ro-bind", path, path]
    cmd += ["--ro-bind", str(REMOTE_DIR), str(REMOTE_DIR)]
    for path in (spec.framework, *spec.readable) if spec.framework else spec.readable:
        cmd += ["--ro-bind", os.path.realpath(path), os.path.realpath(path)]
    for path in spec.masked:
        cmd += ["--tmpfs", os.path.realpath(path)]
    for path in spec.writable:
        cmd += ["--bind", os.path.realpath(path), os.path.realpath(path)]
    for key, value in spec.env:
        cmd += ["--setenv", key, value]
    cmd += ["--chdir", os.path.realpath(spec.cwd) if spec.cwd else "/tmp", "--", *argv]
    return cmd


#: Sets POSIX resource limits, then becomes the real command (argv: memory, file size,
#: command...). A launcher instead of ``preexec_fn``, which is unsafe in threaded callers
#: (``verify`` and the grader run several graded runs at once). A limit the system refuses
#: (macOS and RLIMIT_AS) is skipped rather than failing the student's check.
LAUNCHER = """
import os, resource, sys
limits = ((resource.RLIMIT_AS, int(sys.argv[1])), (resource.RLIMIT_FSIZE, int(sys.argv[2])),
          (resource.RLIMIT_CORE, 0))
for kind, value in limits:
    if value <= 0 and kind != resource.RLIMIT_CORE:
        continue
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, hard))
    except (ValueError, OSError):
        pass
os.execv(sys.argv[3], sys.argv[3:])
"""


def limited(cmd: list[str], memory: int, file_size: int = 256 * 2**20) -> list[str]:
    """``cmd`` wrapped in :data:`LAUNCHER` on POSIX (unchanged elsewhere)."""
    if os.name != "posix":
        return cmd
    return [sys.executable, "-c", LAUNCHER, str(memory), str(file_size), *cmd]


def _limit(spec: Spec) -> Any:
    """A ``preexec_fn`` applying the spec's resource limits (POSIX)."""
    import resource

    def apply() -> None:
        os.setsid()
        for which, value in ((resource.RLIMIT_AS, spec.memory),
                             (resource.RLIMIT_FSIZE, spec.file_size),
                             (resource.RLIMIT_CORE, 0)):
            if value >= 0:
                soft, hard = resource.getrlimit(which)
                new = value if hard == resource.RLIM_INFINITY or value == 0 else min(value, hard)
                if value:
                    resource.setrlimit(which, (new, hard))
        if spec.tier == "bwrap":  # counted per user: nobody runs nothing else here
            resource.setrlimit(resource.RLIMIT_NPROC, (spec.processes, spec.processes))
    return apply


def popen(spec: Spec, argv: Sequence[str], pass_fds: Sequence[int] = ()) -> subprocess.Popen:
    """Start ``argv`` (the worker) inside the sandbox ``spec`` describes."""
    cmd = bwrap_argv(spec, argv) if spec.tier == "bwrap" else list(argv)
    options: dict[str, Any] = {}
    if os.name == "posix":
        options["preexec_fn"] = _limit(spec)
    return subprocess.Popen(cmd, pass_fds=tuple(pass_fds), stdin=subprocess.DEVNULL,
                            **options)


@functools.lru_cache(maxsize=1)
def bwrap_works() -> str:
    """``""`` when bubblewrap can start a process here, else why not."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    probe = Spec("bwrap", framework=str(REMOTE_DIR))
    try:
        done = subprocess.run(bwrap_argv(probe, [sys.executable, "-I", "-S", "-c", "0"]),
                              capture_output=True, timeout=30, preexec_fn=_limit(probe))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to start: {exc}"
    if done.returncode != 0:
        return "bubblewrap cannot run here: " + done.stderr.decode(errors="replace").strip()[:300]
    return ""


def choose_tier(wanted: str | None = None) -> tuple[str, str]:
    """The tier to grade in and a note for the report (empty when isolated).

    Raises:
        SandboxError: ``bwrap`` was required and cannot run.
    """
    wanted = (wanted or os.environ.get(SANDBOX_ENV) or "auto").lower()
    if wanted not in ("auto", "bwrap", "none"):
        raise SandboxError(f"{SANDBOX_ENV} must be auto, bwrap or none, not {wanted!r}")
    if wanted == "none":
        return "none", "NOT ISOLATED: the sandbox was turned off (EMBER_SANDBOX=none)"
    why = bwrap_works()
    if not why:
        return "bwrap", ""
    if wanted == "bwrap":
        raise SandboxError(f"EMBER_SANDBOX=bwrap but {why}")
    return "none", f"NOT ISOLATED: {why}; student code could read the grader's files"


def spec_for(framework: Path, tier: str, memory: int, writable: Sequence[Path] = ()) -> Spec:
    """The spec of one graded run's worker."""
    return Spec(tier=tier, framework=str(Path(framework).resolve()),
                writable=tuple(str(Path(p).resolve()) for p in writable), memory=memory)


#: The autograder package, which the notebook's check cells import.
PACKAGE_DIR = Path(__file__).resolve().parent
#: Folders of the package a notebook never sees: the hidden tests and the planted bugs.
SECRET_DIRS = (PACKAGE_DIR / "suites" / "hidden", PACKAGE_DIR / "mutants")
#: Variables a notebook run keeps from the grader's environment (nothing else passes).
NOTEBOOK_ENV = ("LANG", "LC_ALL", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def notebook_command(cmd: Sequence[str], tier: str, work: Path, readable: Sequence[Path],
                     env: dict[str, str], memory: int = 4 * 2**30
                     ) -> tuple[list[str], dict[str, str]]:
    """The command and environment of an ``nbgrader autograde`` run of student notebooks.

    nbgrader and the kernel it starts run together: in the ``bwrap`` tier inside one
    sandbox that sees ``work`` (this student's private course copy and gradebook)
    writable, ``readable`` and the autograder package without its secret folders
    read-only, and nothing of the grader's environment but ``env`` and a few locale and
    thread settings. Its own loopback network (the kernel's ZeroMQ sockets) is all the
    network there is, and its PID namespace ends every process the notebook started. In
    the ``none`` tier only the environment is cut down. Both tiers get resource limits.
    """
    keep = {k: os.environ[k] for k in NOTEBOOK_ENV if k in os.environ}
    bindir = os.path.dirname(sys.executable)
    fixed = {"PATH": os.pathsep.join([bindir, "/usr/bin", "/bin"]), "MPLBACKEND": "Agg",
             "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
             "PYTHONPATH": str(PACKAGE_DIR.parent), **keep, **env}
    if tier != "bwrap":
        return limited(list(cmd), memory), {**fixed, "HOME": str(work)}
    spec = Spec("bwrap", framework="", writable=(str(work),), memory=memory,
                readable=(str(PACKAGE_DIR), *map(str, readable)),
                masked=tuple(str(p) for p in SECRET_DIRS if p.is_dir()),
                env=tuple(fixed.items()), cwd=str(work))
    return limited(bwrap_argv(spec, list(cmd)), memory), {}


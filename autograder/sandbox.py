"""Where the student's code runs: an OS sandbox when the platform has one.

The graded pytest process is trusted and never imports the student's ``ember``
(:mod:`autograder.remote`); the one process that does, the *worker*, is started through
:func:`popen`. Two tiers, recorded in every grade report:

``bwrap`` (Linux with bubblewrap and user namespaces; what CI runs)
    The worker sees a read-only file system made of exactly what it needs: the system
    folders (``/usr``, ``/lib*``, ``/bin``, ``/etc/ld.so*``), the Python installation and
    its site folders, the worker's own three files, and the student's framework; plus a
    private ``/tmp`` and, when a test asks for one, its scratch folder (writable). The
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
    """

    tier: str
    framework: str
    writable: tuple[str, ...] = field(default_factory=tuple)
    memory: int = 4 * 2**30
    processes: int = 64
    file_size: int = 256 * 2**20

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def spec_from_json(data: dict[str, Any]) -> Spec:
    """The :class:`Spec` a grader passed in ``$EMBER_SANDBOX_SPEC`` (checked field by field)."""
    if not isinstance(data, dict) or data.get("tier") not in ("bwrap", "none"):
        raise SandboxError(f"bad sandbox spec: {data!r}")
    return Spec(tier=data["tier"], framework=str(data["framework"]),
                writable=tuple(str(p) for p in data.get("writable", ())),
                memory=int(data.get("memory", 0)), processes=int(data.get("processes", 64)),
                file_size=int(data.get("file_size", 256 * 2**20)))


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
    framework = os.path.realpath(spec.framework)
    cmd += ["--ro-bind", str(REMOTE_DIR), str(REMOTE_DIR), "--ro-bind", framework, framework]
    for path in spec.writable:
        cmd += ["--bind", os.path.realpath(path), os.path.realpath(path)]
    cmd += ["--chdir", "/tmp", "--", *argv]
    return cmd


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

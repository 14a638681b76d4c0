"""The student's front door: every command of the handout's README, run inside a fresh handout.

One slow test on purpose (it installs the course into the handout's own ``.venv`` with
``make setup``, as a student does): the handout is built from this repository, its README's
shell blocks are read, and every command in them runs in the handout, in README order where
it matters. The conda route is the one exception (no conda on CI); its ``jupyter lab`` line
is the same command ``make lab`` runs, which is tested.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from autograder import handout
from autograder.stages import STAGES
from autograder.submissions import collect

REPO = Path(__file__).resolve().parents[1]
README = REPO / "course" / "handout" / "README.md"
#: Commands the README may give that this test does not run, and why.
NOT_RUN = {
    "conda env create -f environment.yml": "conda is not installed on CI",
    "conda activate ember": "conda is not installed on CI",
    "jupyter lab --ServerApp.root_dir=. course/release/01_tensors/01_tensors.ipynb":
        "the conda route's lab: the same command make lab runs",
}


def readme_commands(text: str) -> list[str]:
    """The commands of every ```bash block, comments stripped, in order."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].split(" # ")[0].strip()
            if command:
                commands.append(command)
    return commands


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(home: Path) -> dict[str, str]:
    """A shell as a student's: no project venv, no PYTHONPATH; pip's config and cache kept."""
    # Nor the variables of an enclosing make (CI runs this under 'make test'): with them, a
    # nested make prints "Entering/Leaving directory" lines a student never sees.
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "MAKELEVEL", "MAKEFLAGS",
                          "MFLAGS", "MAKEOVERRIDES")}
    venv_bin = str(Path(os.environ.get("VIRTUAL_ENV", "/nonexistent")) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p != venv_bin)
    env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
    env["JUPYTER_RUNTIME_DIR"] = str(home / "jupyter-runtime")
    return env


def _run(command: str, cwd: Path, env: dict[str, str], timeout: int = 600
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _lab_serves_the_workspace(folder: Path, env: dict[str, str]) -> dict:
    """Start ``make lab`` headless, read the framework folder through its API, stop it."""
    port = _free_port()
    # CI runs as root, which JupyterLab refuses without --allow-root (a student never is).
    root = " --allow-root" if os.geteuid() == 0 else ""
    lab = subprocess.Popen(
        f"make lab LAB_ARGS=\"--no-browser --port={port} --ServerApp.token=''{root}\"",
        shell=True, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{port}/api/contents/framework/ember"
                with urllib.request.urlopen(url, timeout=5) as reply:
                    return json.load(reply)
            except OSError:
                if lab.poll() is not None:
                    break
                time.sleep(1)
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
        output = lab.communicate(timeout=60)[0]
    pytest.fail(f"make lab never served the workspace:\n{output}")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_every_readme_command_works_in_a_fresh_handout(tmp_path):
    commands = readme_commands(README.read_text(encoding="utf-8"))
    to_run = [c for c in commands if c not in NOT_RUN]
    assert to_run == [
        "make setup", "make lab", "make check STAGE=01", "make submit",
        "make check STAGE=01", "make check STAGE=01 GROUP=views",
        ".venv/bin/python -m autograder test 01 views -k test_flatten",
        ".venv/bin/python -m autograder test 01 views --all --tb",
        "make submit",
    ], "a README command changed: run it here too"
    folder, _ = handout.build_handout(tmp_path / "out")
    env = _environment(tmp_path)

    done = _run("make setup", folder, env, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (folder / ".venv" / "bin" / "jupyter").is_file()

    listing = _lab_serves_the_workspace(folder, env)
    assert "_tensor.py" in {item["name"] for item in listing["content"]}, (
        "make lab must be rooted at the workspace, framework/ beside the notebooks")

    # The blank handout: checks run and fail cleanly, every failure listed on request.
    done = _run("make check STAGE=01", folder, env)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    groups = len(STAGES[0].public)
    assert done.stdout.strip().splitlines()[-1].startswith(
        f"stage 01: 0 of {groups} groups passed"), done.stdout
    done = _run(".venv/bin/python -m autograder test 01 views --all --tb", folder, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("NotImplementedError") >= 2, "--all lists every failure"
    done = _run("make submit", folder, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "still to write: stage 01:" in done.stdout, done.stdout

    # The same workspace with every exercise done.
    shutil.rmtree(folder / "framework" / "ember")
    shutil.copytree(REPO / "solutions" / "ember", folder / "framework" / "ember")
    done = _run("make check STAGE=01 GROUP=views", folder, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("stage 01: 1 of 1 groups passed")
    done = _run(".venv/bin/python -m autograder test 01 views -k test_flatten", folder, env)
    assert done.returncode == 0 and "(1 passed" in done.stdout, done.stdout + done.stderr
    done = _run("make submit", folder, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every student region of framework/ember is filled in" in done.stdout

    names = zipfile.ZipFile(folder / "submission.zip").namelist()
    assert "framework/ember/__init__.py" in names
    assert "course/release/01_tensors/01_tensors.ipynb" in names
    assert not [n for n in names if n.startswith(".venv/") or "__pycache__" in n]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(folder / "submission.zip", inbox / "alice.zip")
    (student,) = collect(inbox, tmp_path / "unpacked")
    assert student.problem == "" and (student.root / "framework" / "ember").is_dir(), (
        "the grader accepts what make submit writes")

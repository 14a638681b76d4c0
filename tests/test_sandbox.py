"""The bubblewrap tier really hides the grader's files, the network and root.

Each probe runs a few lines of Python the way the worker runs (``python -I -S``) inside
:func:`autograder.sandbox.popen` and reports what it could do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import sandbox

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(bool(sandbox.bwrap_works()), reason=sandbox.bwrap_works()
                                or "bubblewrap runs")

PROBE = r"""
import json, os, socket, sys
facts = {"uid": os.getuid(), "pid": os.getpid()}
def can(what, fn):
    try:
        fn()
        facts[what] = True
    except OSError:
        facts[what] = False
can("read_reference", lambda: open(sys.argv[1]).read())
can("read_hidden", lambda: os.listdir(sys.argv[2]))
can("read_passwd_secret", lambda: open("/etc/shadow").read())
can("write_framework", lambda: open(os.path.join(sys.argv[3], "x"), "w").write("x"))
can("network", lambda: socket.create_connection(("127.0.0.1", 22), timeout=2))
facts["env"] = sorted(os.environ)
print(json.dumps(facts))
"""


def test_the_worker_sees_only_what_it_needs(tmp_path):
    framework = tmp_path / "framework"
    (framework / "ember").mkdir(parents=True)
    spec = sandbox.spec_for(framework, "bwrap", memory=2**30)
    argv = [sys.executable, "-I", "-S", "-c", PROBE,
            str(ROOT / "solutions" / "ember" / "__init__.py"),
            str(ROOT / "autograder" / "suites" / "hidden"), str(framework)]
    out = subprocess.run(sandbox.bwrap_argv(spec, argv), capture_output=True, text=True,
                         timeout=60)
    facts = json.loads(out.stdout)
    assert facts["uid"] == sandbox.NOBODY
    assert facts["pid"] < 10, "a private PID namespace"
    for what in ("read_reference", "read_hidden", "read_passwd_secret", "write_framework",
                 "network"):
        assert facts[what] is False, what
    assert "EMBER_FRAMEWORK" not in facts["env"] and "PYTHONPATH" not in facts["env"]


def test_a_graded_run_works_inside_the_sandbox(tmp_path, monkeypatch):
    """The remote worker starts in the sandbox and serves a whole group on the reference."""
    from autograder.runner import Limits, run_tests
    from autograder.stages import get_stage

    spec = sandbox.spec_for(ROOT / "solutions", "bwrap", memory=4 * 2**30)
    files = get_stage("01").test_files("creation")
    result = run_tests(files, ROOT / "solutions", Limits(timeout=240),
                       {"EMBER_SANDBOX_SPEC": spec.to_json()})
    assert result.ok and result.passed > 0, result.report()


def test_choose_tier_refuses_an_unknown_tier():
    with pytest.raises(sandbox.SandboxError, match="auto, bwrap or none"):
        sandbox.choose_tier("docker")

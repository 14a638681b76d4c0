"""A pytest plugin that records which student regions the graded suites call, and how.

Loaded by ``tests/test_suite_coverage.py`` into a plain pytest run of one stage's graded
suites against the reference (``solutions/`` on ``PYTHONPATH``, no worker process), it
sets a profile hook that reacts only to the functions holding a student region. For each
one it counts

* ``calls``: how often it ran at all;
* ``direct``: how often a graded test reached it without passing through *another*
  student region on the way (the test's own frame, ember's plumbing and the helpers in
  between are fine). A public function whose only calls are indirect is tested solely
  through other functions that may do the work themselves: a bug in it cannot show.

It traces ember's public functions the same way (``api:`` keys; a public function may not
be reached through another public function either).

Environment: ``REGION_TRACE_OUT`` names the JSON file written at the end of the session:
``key -> [calls, direct, is_public]``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

#: Code object of every region function → ``"stage:file:qualname"``, and of every public
#: function of ember → ``"api:dotted.name"`` (a region wins where they are the same code).
CODES: dict[CodeType, str] = {}
#: The code objects of the regions alone.
REGIONS: set[CodeType] = set()
#: The keys of the regions that are also public functions of ember.
PUBLIC_REGIONS: set[str] = set()
#: ``"stage:file:qualname"`` → ``[calls, direct]``.
COUNTS: dict[str, list[int]] = {}
#: How many frames up a graded test may sit and still count as a direct caller (a test, a
#: lambda of it, a helper, and ember's operator plumbing fit; a deeper walk costs time).
MAX_DEPTH = 8
SUITES = str(Path(__file__).resolve().parents[1] / "autograder" / "suites")


def _code_of(module: Any, qualname: str) -> CodeType:
    """The code object of ``qualname`` in ``module`` (through staticmethods and wrappers)."""
    obj = module
    for part in qualname.split("."):
        obj = inspect.getattr_static(obj, part)
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        elif isinstance(obj, property):
            obj = obj.fget
    return inspect.unwrap(obj).__code__


def region_codes() -> dict[CodeType, str]:
    """Map the code of every region function of the reference to its key."""
    from autograder.stages import owned_regions

    codes = {}
    for stage, files in owned_regions().items():
        for rel, names in files.items():
            module = importlib.import_module("ember." + rel[:-3].replace("/", "."))
            for name in names:
                codes[_code_of(module, name)] = f"{stage}:{rel}:{name}"
    return codes


#: Namespaces whose public functions and classes make ember's public API.
NAMESPACES = ("ember", "ember.nn", "ember.nn.functional", "ember.nn.init", "ember.autograd",
              "ember.optim", "ember.jit", "ember.static")


def _function_code(obj: Any) -> CodeType | None:
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    obj = inspect.unwrap(obj) if callable(obj) else obj
    return obj.__code__ if inspect.isfunction(obj) else None


def api_codes() -> dict[CodeType, str]:
    """Map the code of every public function and public method of ember to its name.

    A name is public when it has no leading underscore (``__init__`` counts: calling the
    class calls it); methods come from every ember class of an exported class's MRO.
    """
    codes: dict[CodeType, str] = {}
    for namespace in NAMESPACES:
        module = importlib.import_module(namespace)
        for name, value in sorted(vars(module).items()):
            if name.startswith("_"):
                continue
            if inspect.isclass(value) and value.__module__.startswith("ember"):
                for klass in reversed(value.__mro__):
                    if not klass.__module__.startswith("ember"):
                        continue
                    for attr, member in vars(klass).items():
                        code = _function_code(member)
                        if code is not None and (attr == "__init__" or not attr.startswith("_")):
                            codes.setdefault(code, f"api:{namespace}.{value.__name__}.{attr}")
            else:
                code = _function_code(value)
                if code is not None and getattr(value, "__module__", "").startswith("ember"):
                    codes.setdefault(code, f"api:{namespace}.{name}")
    return codes


def _profile(frame: FrameType, event: str, arg: Any) -> None:
    if event != "call":
        return
    key = CODES.get(frame.f_code)
    if key is None:
        return
    counts = COUNTS.setdefault(key, [0, 0])
    counts[0] += 1
    # A region may be reached through public wrappers (``ember.add`` → ``Add.forward``) but
    # not through another region; a public function through neither.
    stops = REGIONS if frame.f_code in REGIONS else CODES
    caller = frame.f_back
    for _ in range(MAX_DEPTH):
        if caller is None:
            return
        if caller.f_code.co_filename.startswith(SUITES):
            counts[1] += 1
            return
        if caller.f_code in stops:
            return
        caller = caller.f_back


def pytest_sessionstart(session: Any) -> None:
    from autograder.suites.plugin import register_hypothesis_profile

    register_hypothesis_profile()  # the examples graded runs see, so the same calls
    regions, api = region_codes(), api_codes()
    CODES.update(api)
    CODES.update(regions)
    REGIONS.update(regions)
    PUBLIC_REGIONS.update(key for code, key in regions.items() if code in api)
    sys.setprofile(_profile)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    sys.setprofile(None)
    report = {key: [*COUNTS.get(key, [0, 0]), key in PUBLIC_REGIONS]
              for key in CODES.values()}
    Path(os.environ["REGION_TRACE_OUT"]).write_text(json.dumps(report, indent=1))

"""Every student region, and every public function of ember, is tested directly.

A function tested only *through* other functions may never run its own code: ``nn.Tanh``
can call ``ember.tanh`` and leave ``F.tanh`` untested, ``x / y`` can skip ``ember.div``.
This test runs each stage's graded suites (public and hidden) against the reference
under the profile hook of ``tests/region_trace.py`` and checks, per stage:

* every function holding one of the stage's student regions runs;
* every such function that is also public (``ember.tensor``, ``F.cross_entropy``,
  ``Module.named_modules``) is called by a graded test of its stage directly, not through
  another student region;

and across stages, that every public function of ember is called directly by some graded
test, except the ones listed in :data:`INDIRECT_ONLY` (functions of later stages, abstract
methods, and the debt still to pay). The list is exact: a function that gains a direct
test must leave it, so the list only shrinks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from autograder.stages import STAGES

# One module-scoped run feeds every test here: under xdist they share one worker.
pytestmark = pytest.mark.xdist_group("suite_coverage")

ROOT = Path(__file__).resolve().parents[1]

#: Public functions no graded test calls directly (``ember.`` left out of the names).
INDIRECT_ONLY = frozenset("""
Tensor.cpu Tensor.data_ptr Tensor.detach_
autograd.ArrayFunction.backward autograd.ArrayFunction.forward autograd.Context.__init__
autograd.Context.register_hook autograd.Context.save_for_backward autograd.Function.backward
autograd.Function.forward device.__init__ dtype.__init__ initial_seed
jit.TracedFunction.__init__ jit.TracedModule.__init__ jit.TracedModule.forward
nn.AdaptiveAvgPool2d.cpu nn.AdaptiveAvgPool2d.float nn.AdaptiveAvgPool2d.half
nn.AdaptiveAvgPool2d.register_full_backward_hook
nn.AdaptiveAvgPool2d.register_full_backward_pre_hook nn.BatchNorm1d.extra_repr
nn.BatchNorm1d.reset_parameters nn.BatchNorm1d.reset_running_stats
nn.BinaryConv2d.mode_padding nn.Buffer.__init__ nn.Buffer.as_tensor
nn.Embedding.from_pretrained nn.GELU.extra_repr nn.LeakyReLU.extra_repr
nn.LogSoftmax.extra_repr nn.ParameterDict.__init__ nn.ParameterDict.clear
nn.ParameterDict.extra_repr nn.ParameterDict.get nn.ParameterDict.items
nn.ParameterDict.keys nn.ParameterDict.pop nn.ParameterDict.update nn.ParameterDict.values
nn.ParameterList.__init__ nn.ParameterList.append nn.ParameterList.extend
nn.ParameterList.extra_repr nn.ReLU.extra_repr nn.Softmax.extra_repr nn.functional.pad
nn.init.default_generator seed set_default_dtype set_printoptions
static.Graph.__init__ static.Graph.as_default static.Graph.unique_name static.Node.__init__
static.Node.eval static.Node.get_shape static.Variable.assign static.Variable.assign_add
static.Variable.assign_sub static.cast static.convert_to_node static.get_default_graph
static.get_default_session static.global_variables static.variables_initializer
""".split())


@cache
def trace(stage_id: str, folder: str) -> dict[str, list]:
    """``key -> [calls, direct, is_public]`` from one traced run of a stage's suites."""
    stage = next(s for s in STAGES if s.id == stage_id)
    files = [str(f) for group in stage.groups for f in stage.test_files(group)]
    out = Path(folder) / f"trace{stage_id}.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "solutions"), str(ROOT / "tests"), str(ROOT)]),
        "REGION_TRACE_OUT": str(out), "EMBER_NO_SHRINK": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest",
         "-p", "region_trace", "-c", str(ROOT / "autograder" / "suites" / "pytest.ini"),
         *files], cwd=folder, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, f"stage {stage_id} suites fail on the reference:\n{run.stdout}"
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("traces"))


@pytest.mark.parametrize("stage_id", [s.id for s in STAGES])
def test_every_region_runs_and_public_ones_are_called_directly(stage_id: str,
                                                               folder: str) -> None:
    report = trace(stage_id, folder)
    own = {k: v for k, v in report.items() if k.startswith(f"{stage_id}:")}
    assert own, f"stage {stage_id} has no student regions"
    never = sorted(k for k, (calls, _, _) in own.items() if calls == 0)
    assert not never, f"no graded test of stage {stage_id} runs these regions: {never}"
    indirect = sorted(k for k, (_, direct, public) in own.items() if public and direct == 0)
    assert not indirect, (
        f"these public functions of stage {stage_id} are tested only through other student "
        f"code; call each by name in a graded test of the stage: {indirect}")


def test_every_public_function_is_called_directly_by_some_stage(folder: str) -> None:
    direct: dict[str, int] = {}
    for stage in STAGES:
        for key, (_, calls, _) in trace(stage.id, folder).items():
            if key.startswith("api:"):
                name = key[len("api:ember."):]
                direct[name] = direct.get(name, 0) + calls
    uncalled = {name for name, calls in direct.items() if calls == 0}
    assert not uncalled - INDIRECT_ONLY, (
        "public functions no graded test calls by name (add a direct test to the stage "
        f"that owns them): {sorted(uncalled - INDIRECT_ONLY)}")
    assert not INDIRECT_ONLY - uncalled, (
        "these now have a direct test (or are gone): remove them from INDIRECT_ONLY: "
        f"{sorted(INDIRECT_ONLY - uncalled)}")

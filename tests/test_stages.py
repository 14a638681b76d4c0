"""The stage registry, the notebooks and the suites must describe the same course."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograder.stages import HIDDEN, STAGES, get_stage, owned_regions

ROOT = Path(__file__).resolve().parents[1]
CHECK_CALL = re.compile(r'check\("(?P<stage>\d\d)", "(?P<group>\w+)"\)')


def _nbgrader_cells(stage):
    path = ROOT / "course" / "source" / stage.notebook
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(c, c["metadata"]["nbgrader"]) for c in cells if "nbgrader" in c["metadata"]]


def test_ids_are_increasing_two_digit_course_stages():
    # Stages land in course order, not all at once (06, the GPU stage, may come later).
    ids = [s.id for s in STAGES]
    assert ids == sorted(set(ids))
    assert all(len(i) == 2 and 1 <= int(i) <= 11 for i in ids)
    assert len({s.slug for s in STAGES}) == len(STAGES)


def test_get_stage_accepts_id_number_and_name():
    stage = STAGES[0]
    assert get_stage(stage.id) is stage
    assert get_stage(int(stage.id)) is stage
    assert get_stage(stage.name) is stage
    with pytest.raises(KeyError, match="unknown stage"):
        get_stage("99")


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_every_group_has_its_test_files(stage):
    for group in stage.public:
        (path,) = stage.test_files(group)
        assert path.is_file(), f"missing public suite {path}"
    if stage.hidden_points:
        assert stage.test_files(HIDDEN), f"stage {stage.id} has a hidden cell but no hidden suite"


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_notebook_test_cells_match_the_registry(stage):
    graded = {}
    for cell, meta in _nbgrader_cells(stage):
        if not meta.get("grade"):
            continue
        if meta.get("solution"):  # a manually graded answer
            graded.setdefault("manual", 0)
            graded["manual"] += meta["points"]
            continue
        match = CHECK_CALL.search("".join(cell["source"]))
        assert match, f"test cell {meta['grade_id']} does not call check(...)"
        assert match["stage"] == stage.id
        assert meta["grade_id"] == f"check_{match['group']}"
        assert meta.get("locked"), f"test cell {meta['grade_id']} must be locked"
        graded[match["group"]] = meta["points"]
    expected = dict(stage.public)
    if stage.hidden_points:
        expected[HIDDEN] = stage.hidden_points
    if stage.manual_points:
        expected["manual"] = stage.manual_points
    assert graded == expected


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_hidden_call_sits_between_hidden_markers(stage):
    for cell, _meta in _nbgrader_cells(stage):
        source = "".join(cell["source"])
        if f'check("{stage.id}", "{HIDDEN}")' in source:
            begin = source.index("### BEGIN HIDDEN TESTS")
            end = source.index("### END HIDDEN TESTS")
            assert begin < source.index(f'"{HIDDEN}"') < end


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_setup_cell_comes_first_and_is_locked(stage):
    path = ROOT / "course" / "source" / stage.notebook
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first_code = next(c for c in cells if c["cell_type"] == "code")
    meta = first_code["metadata"].get("nbgrader", {})
    assert meta.get("locked") and meta.get("grade_id") == "setup"
    assert "use_framework()" in "".join(first_code["source"])


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_source_notebooks_have_no_outputs(stage):
    path = ROOT / "course" / "source" / stage.notebook
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.name)
def test_no_python_files_in_source_assignment_folders(stage):
    # nbgrader's autograde overwrites submitted files that also exist in source/<a>/.
    folder = ROOT / "course" / "source" / stage.name
    assert not list(folder.rglob("*.py"))


def _markdown(stage) -> str:
    cells = json.loads((ROOT / "course" / "source" / stage.notebook).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.id)
def test_the_notebook_names_every_file_and_function_its_stage_owns(stage):
    """The notebook's "where to write" lines agree with the regions in solutions/."""
    owned, text = owned_regions()[stage.id], _markdown(stage)
    assert owned, f"stage {stage.id} owns no student region"
    missing = [f for f in owned if f not in text]
    missing += [q for names in owned.values() for q in names if q.split(".")[-1] not in text]
    assert not missing, f"notebook {stage.name} never names {missing}"
    named = set(re.findall(r"`((?:[\w]+/)*[\w]+\.py)`", text))
    package = ROOT / "solutions" / "ember"

    def exists(name: str) -> bool:
        inside = re.sub(r"^(framework/)?ember/", "", name)
        return (ROOT / name).is_file() or (package / inside).is_file() or any(
            package.rglob(inside))

    stale = sorted(n for n in named if not exists(n))
    assert not stale, f"notebook {stage.name} names files that do not exist: {stale}"


def test_every_region_belongs_to_a_registered_stage():
    assert set(owned_regions()) == {stage.id for stage in STAGES}

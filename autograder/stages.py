"""The stage registry: the one list of the course's stages.

Release, grading, CI and the README all read this module. A stage is one notebook
(``course/source/<NN>_<slug>/<NN>_<slug>.ipynb``), one set of student regions in the
framework (the solution regions numbered NN) and a set of graded pytest groups:

* public groups live in ``autograder/suites/public/stageNN/test_<group>.py`` and reach
  students with the handout;
* the hidden group (``"hidden"``) is every file in
  ``autograder/suites/hidden/stageNN/``; it exists only on the instructor's side.

Each group is graded by one nbgrader test cell worth ``points``; the notebook's test
cells must match this registry exactly (``tests/test_stages.py`` checks it).

Each stage also owns a set of student regions in the framework (the marked reference code
that ``autograder/markers.py`` turns into fenced stubs); :func:`owned_regions` maps each stage
to its files and functions, and the release, the notebooks' "where to write" tables and the
README are checked against that map. The rule for placing a region: **a stage's regions
never sit in code that an earlier stage's tests call**, so stage k can be graded on a
framework whose later stages are still stubs. ``python -m autograder verify`` enforces it:
on the progressive build k (stages after k stubbed) every suite of stage k passes.

To add a stage: append a :class:`Stage` here, write its notebook and suites, and run
``make release``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: The name of the group made of all of a stage's hidden test files.
HIDDEN = "hidden"

#: The root of the ``autograder`` package (where suites and mutants live).
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Stage:
    """One stage of the course.

    Attributes:
        id: two-digit stage number, ``"01"`` … ``"11"``.
        slug: short name used in folder and notebook names.
        title: human title of the notebook.
        section: the article section the stage follows.
        public: public group name → points of its notebook test cell.
        hidden_points: points of the notebook's hidden test cell (0: no hidden cell).
        manual_points: points of manually graded answers (reflection questions).
        suites: the folder holding ``public/`` and ``hidden/`` (default: the package's
            ``suites/``; a test course brings its own).
    """

    id: str
    slug: str
    title: str
    section: str
    public: dict[str, int] = field(default_factory=dict)
    hidden_points: int = 0
    manual_points: int = 0
    suites: Path | None = None

    @property
    def name(self) -> str:
        """The assignment name, e.g. ``"01_tensors"``."""
        return f"{self.id}_{self.slug}"

    @property
    def notebook(self) -> str:
        """The notebook path relative to an assignment folder's parent."""
        return f"{self.name}/{self.name}.ipynb"

    @property
    def groups(self) -> tuple[str, ...]:
        """All graded groups, the hidden one last."""
        return (*self.public, HIDDEN) if self.hidden_points else tuple(self.public)

    @property
    def auto_points(self) -> int:
        """Points nbgrader can give without a person: public plus hidden cells."""
        return sum(self.public.values()) + self.hidden_points

    def public_dir(self) -> Path:
        return (self.suites or PACKAGE_DIR / "suites") / "public" / f"stage{self.id}"

    def hidden_dir(self) -> Path:
        return (self.suites or PACKAGE_DIR / "suites") / "hidden" / f"stage{self.id}"

    def test_files(self, group: str) -> list[Path]:
        """The pytest files of one group (the hidden group may be absent: empty list)."""
        if group == HIDDEN:
            folder = self.hidden_dir()
            return sorted(folder.glob("test_*.py")) if folder.is_dir() else []
        if group not in self.public:
            known = ", ".join(self.public)
            raise KeyError(f"stage {self.id} has no test group '{group}'; its groups: {known}")
        return [self.public_dir() / f"test_{group}.py"]


STAGES: tuple[Stage, ...] = (
    Stage(
        id="01",
        slug="tensors",
        title="Tensors: a NumPy replacement",
        section="1. NumPy replacement",
        public={
            "tensor": 2,
            "creation": 2,
            "dtypes": 2,
            "interop": 2,
            "elementwise": 2,
            "matmul": 2,
            "reductions": 2,
            "views": 2,
            "indexing": 2,
            "repr": 2,
        },
        hidden_points=12,
        manual_points=2,
    ),
    Stage(
        id="02",
        slug="autograd",
        title="Autograd: from tensors to Variables",
        section="2. Tensors and Variables",
        public={
            "engine": 3,
            "elementwise_grad": 2,
            "reduction_grad": 2,
            "shape_grad": 2,
            "matmul_grad": 2,
            "api": 2,
            "training": 2,
        },
        hidden_points=12,
        manual_points=2,
    ),
    Stage(
        id="03",
        slug="dynamic_graphs",
        title="Static vs dynamic graphs",
        section="3. Static vs dynamic graphs",
        public={
            "control_flow": 2,
            "inplace": 3,
            "static": 3,
            "jit": 3,
        },
        hidden_points=10,
        manual_points=2,
    ),
    Stage(
        id="04",
        slug="modules",
        title="Model definition: nn.Module",
        section="4. Model definition",
        public={
            "registration": 2,
            "module": 3,
            "state_dict": 2,
            "containers": 2,
            "linear_conv": 3,
            "pooling": 2,
            "activations": 2,
            "normalization": 2,
            "losses": 3,
        },
        hidden_points=12,
        manual_points=2,
    ),
    Stage(
        id="05",
        slug="custom_functions",
        title="Custom layers: autograd.Function",
        section="5. Custom layers",
        public={
            "function_api": 3,
            "gradcheck": 3,
            "xnor": 3,
        },
        hidden_points=10,
        manual_points=2,
    ),
    Stage(
        id="07",
        slug="init",
        title="Weight initialisation",
        section="7. Weight initialisation",
        public={
            "fan_gain": 2,
            "init": 3,
            "tensor_methods": 2,
        },
        hidden_points=10,
        manual_points=2,
    ),
    Stage(
        id="08",
        slug="training",
        title="Excluding subgraphs and the training process",
        section="8. Excluding subgraphs and the training process",
        public={
            "grad_modes": 2,
            "optimizer": 3,
            "adam": 3,
            "save_load": 3,
        },
        hidden_points=10,
        manual_points=2,
    ),
)


def owned_regions(solutions: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """Stage id → framework file (relative to ``ember/``) → the functions it owns there.

    Read from the reference package (``solutions/ember``, instructor side only); files and
    functions come in source order.

    Example:
        >>> owned_regions()["04"]["nn/modules/container.py"][:2]
        ['Sequential.__delitem__', 'ModuleList.__delitem__']
    """
    from .markers import find_regions  # the markers module stays on the instructor's side

    package = (solutions or PACKAGE_DIR.parent / "solutions") / "ember"
    owned: dict[str, dict[str, list[str]]] = {stage.id: {} for stage in STAGES}
    for path in sorted(package.rglob("*.py")):
        for region in find_regions(path.read_text(encoding="utf-8"), str(path)):
            files = owned.setdefault(region.stage, {})
            names = files.setdefault(path.relative_to(package).as_posix(), [])
            if region.qualname not in names:
                names.append(region.qualname)
    return owned


def get_stage(stage_id: str) -> Stage:
    """Look a stage up by its id (``"01"`` or ``1``) or its name (``"01_tensors"``)."""
    key = str(stage_id)
    for stage in STAGES:
        if key in (stage.id, stage.name, stage.id.lstrip("0")):
            return stage
    known = ", ".join(s.name for s in STAGES)
    raise KeyError(f"unknown stage {stage_id!r}; known stages: {known}")

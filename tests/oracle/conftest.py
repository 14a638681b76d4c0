"""Run the oracle tests against the reference framework in ``solutions/ember``.

The tests compare ember with PyTorch, which is the oracle. torch is imported plainly
by the test modules: when it is missing the tests fail, they never skip.
"""

import sys
from pathlib import Path

ORACLE_DIR = Path(__file__).resolve().parent
SOLUTIONS = ORACLE_DIR.parents[1] / "solutions"

# Our helper module (_oracle.py) is imported by name; the reference goes first.
sys.path.insert(0, str(ORACLE_DIR))
sys.path.insert(0, str(SOLUTIONS))

import ember  # noqa: E402

assert Path(ember.__file__).resolve().is_relative_to(SOLUTIONS), (
    f"tests/oracle must test the reference in {SOLUTIONS}, "
    f"but `import ember` found {ember.__file__}"
)

"""nbgrader configuration of the Ember course.

The autograder (``python -m autograder release|grade``) runs nbgrader with this file and
overrides the course root and the gradebook location on the command line, so no
``gradebook.db`` is ever written into the repository. Running nbgrader by hand from this
folder uses ``$EMBER_GRADEBOOK`` (default ``../build/gradebook.db``).
"""

import os
import sys

c = get_config()  # noqa: F821 (nbgrader provides get_config)

HERE = os.path.dirname(os.path.abspath(__file__))

# nbgrader runs 'alembic' (to create the gradebook) and Jupyter tools as commands: find them
# beside the Python running nbgrader, so '.venv/bin/nbgrader ...' works without activating
# the environment (otherwise a new gradebook fails half-way through a command).
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

c.CourseDirectory.course_id = "ember"
c.CourseDirectory.root = HERE
c.CourseDirectory.db_url = "sqlite:///" + os.environ.get(
    "EMBER_GRADEBOOK", os.path.join(HERE, os.pardir, "build", "gradebook.db")
)
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache",
]

# Notebook check cells run pytest with a 240 s timeout; a cell gets longer so the helper's
# own timeout (with its readable message) fires first.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0

# Hidden test code never reaches students: strip it (and the hidden cells' tracebacks)
# from the feedback HTML. Falls back to nbgrader's defaults where autograder is absent.
try:
    from autograder.feedback import feedback_preprocessors
except ImportError:  # pragma: no cover - a bare nbgrader install
    pass
else:
    c.GenerateFeedback.preprocessors = feedback_preprocessors()

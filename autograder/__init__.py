"""Ember's course infrastructure: stage registry, release builder, grader, check helper.

Importing the package stays light (no numpy, nbgrader or pytest): notebooks import it in
their first cell. ``from autograder import check`` is what test cells use.
"""

from __future__ import annotations

from .check import check

__all__ = ["check"]

"""Graded test suites: ``public/stageNN`` (in the handout) and ``hidden/stageNN`` (not).

They run only through :mod:`autograder.runner` (a subprocess with
``-p autograder.suites.plugin -c autograder/suites/pytest.ini --noconftest``); shared
assertion helpers are imported from :mod:`autograder.suites.helpers`.
"""

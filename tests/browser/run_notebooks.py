"""Run every notebook of a fresh handout in a real JupyterLab, in headless Chromium.

What a person does, done by a script: build the handout (``python -m autograder handout``),
optionally put the reference framework in its ``framework/ember`` (``--mode reference``, a
finished student), start ``jupyter lab`` in it, and for each notebook: open it, wait for the
kernel, choose Run ▸ Run All Cells from the menu bar, wait until the kernel is idle and no
cell is queued, then read every cell's prompt and outputs off the page and take a picture
of the first screen. ``expectations.py`` beside this file decides what the page must show.

Needs Debian's ``chromium`` (``apt-get install chromium``) and ``playwright`` from PyPI in
the course's environment; playwright drives the system browser and never downloads one.
Run by ``make browser-test`` (both modes); by hand::

    .venv/bin/python tests/browser/run_notebooks.py --mode reference --stages 01 \\
        --screenshots docs/screenshots

Exits 0 when every notebook shows what its mode requires, 1 otherwise, 2 when the browser
or JupyterLab could not be started.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from expectations import MODES, Cell, NotebookRun, Output, judge, table  # noqa: E402

from autograder.handout import build_handout  # noqa: E402
from autograder.stages import STAGES  # noqa: E402

#: Debian's browser; playwright is pointed at it so that it never fetches its own.
CHROMIUM = os.environ.get("EMBER_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
#: The screen a student's laptop shows (and the size of the pictures in docs/).
VIEWPORT = {"width": 1280, "height": 800}
#: The page's cells, read in one go: kind, input prompt, and each output's MIME type and text.
#: ``textContent`` rather than ``innerText``: off-screen cells are not laid out
#: (JupyterLab's content-visibility windowing), and their text must still be read.
READ_CELLS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')].map(cell => ({
  code: cell.classList.contains('jp-CodeCell'),
  // A collapsed input shows an empty placeholder prompt too: keep the one with text.
  prompt: [...cell.querySelectorAll('.jp-InputPrompt')].map(p => p.textContent.trim())
    .filter(Boolean)[0] || '',
  outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(out => ({
    mime: out.getAttribute('data-mime-type') || '', text: out.textContent})),
}))"""
#: Whether the kernel is working: its status circle in the toolbar, and any ``[*]`` prompt.
BUSY = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return {status: 'none', queued: 0, counted: 0};
  const dot = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
  return {status: dot ? dot.getAttribute('data-status') : 'none',
          queued: prompts.filter(p => p === '[*]:').length,
          counted: prompts.filter(p => /^\\[\\d+\\]:$/.test(p)).length};
}"""
#: Each cell's execution count from the notebook's model in the page (None: not run, or not
#: a code cell); null when the application object is not exposed (``expose_app_in_browser``).
READ_COUNTS = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  const cells = panel && panel.content && panel.content.model && panel.content.model.cells;
  if (!cells) return null;
  const counts = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    counts.push(cell.type === 'code' ? cell.executionCount : null);
  }
  return counts;
}"""
#: JupyterLab settings of a fresh profile, less the one pop-up that would cover the pictures.
SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false"}}


def build_workspace(mode: str, dest: Path) -> Path:
    """A fresh handout in ``dest``; in reference mode its framework is the reference."""
    folder, _ = build_handout(dest)
    if mode == "reference":
        target = folder / "framework" / "ember"
        shutil.rmtree(target)
        shutil.copytree(REPO / "solutions" / "ember", target,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lab_environment(workspace: Path, profile: Path) -> dict[str, str]:
    """The server's environment: a fresh JupyterLab profile, the handout's autograder first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBER_")}
    for name, value in SETTINGS.items():
        path = profile / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(profile / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(profile / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(profile / "runtime"),
        # A student's kernel imports the handout's autograder (make setup installs it); the
        # one installed in this environment is the repository's, so put the handout's first.
        PYTHONPATH=str(workspace),
    )
    return env


@contextmanager
def jupyter_lab(workspace: Path, profile: Path, log: Path, start_timeout: float = 300):
    """A running ``jupyter lab`` rooted at ``workspace``; yields (base URL, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}",
               f"--ServerApp.root_dir={workspace}",
               # window.jupyterapp, for READ_COUNTS (what JupyterLab's own UI tests use).
               "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:  # CI and containers run as root, which JupyterLab refuses otherwise
        command.append("--allow-root")
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=workspace, stdout=out, stderr=subprocess.STDOUT,
                                  env=_lab_environment(workspace, profile))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {server.returncode}; see {log}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not answer in {start_timeout:.0f} s; "
                                       f"see {log}") from None
                time.sleep(1)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _api(base: str, token: str, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        body = reply.read()
    return json.loads(body) if body else None


def _wait_for_one_kernel(base: str, token: str, rel: str, timeout: float = 180,
                         settle: int = 3) -> None:
    """Wait until the notebook has one kernel, idle for ``settle`` polls in a row.

    On a loaded machine JupyterLab can start two kernels for a notebook it opens and shut
    one down a moment later; cells queued by "Run All" before that are cancelled (they
    stay ``[ ]`` with no error, which no rule can tell from a finished run). Giving up
    after ``timeout`` is not an error: the run is judged on what it shows.
    """
    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quiet < settle:
        try:
            sessions = [s for s in _api(base, token, "/api/sessions") if s.get("path") == rel]
            kernels = _api(base, token, "/api/kernels")
        except OSError:  # HTTP 500 while a kernel is being replaced: not settled yet
            sessions, kernels = [], []
        one = len(sessions) == 1 and len(kernels) == 1 and (
            kernels[0].get("execution_state") == "idle")
        quiet = quiet + 1 if one else 0
        time.sleep(1)


def _shut_down_kernels(base: str, token: str) -> None:
    """End every kernel, so that one notebook's memory never slows the next."""
    for session in _api(base, token, "/api/sessions"):
        _api(base, token, f"/api/sessions/{session['id']}", method="DELETE")


RUN_MENU = ".lm-MenuBar-itemLabel:text-is('Run')"
RUN_ALL = ".lm-Menu-itemLabel:text-is('Run All Cells')"


def _run_all(page, tries: int = 6) -> None:
    """Run ▸ Run All Cells. On a loaded machine a click on the menu bar can be lost (the
    menu never opens, and the item is never there to click): open the menu again."""
    # playwright is imported only where a browser runs: the rules and tests never need it.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        page.click(RUN_MENU)
        try:
            page.click(RUN_ALL, timeout=30_000)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")  # close whatever half-opened, then try again


def _wait_until_done(page, timeout: float, settle: int = 3, retry_after: float = 45) -> None:
    """Wait until the kernel has run something and is idle with no cell queued.

    Nothing is done before some cell shows an execution count. A page can report its
    kernel idle before the kernel is connected, and then the first "Run All Cells" runs
    nothing: when no cell has run after ``retry_after`` seconds, the menu is used once more.
    """
    deadline, quiet, started, retried = time.monotonic() + timeout, 0, time.monotonic(), False
    while time.monotonic() < deadline:
        state = page.evaluate(BUSY)
        busy = state["status"] != "idle" or state["queued"]
        begun = bool(state["counted"])
        if not begun and not busy and not retried and time.monotonic() - started > retry_after:
            _run_all(page)
            retried = True
        quiet = 0 if busy or not begun else quiet + 1
        if quiet >= settle:
            return
        time.sleep(1)
    raise TimeoutError(f"the kernel was still busy (or never started) after {timeout:.0f} s")


#: The notebook's own "Save" button (JupyterLab 4 marks toolbar buttons with their command).
SAVE_BUTTON = ".jp-NotebookPanel:not(.lm-mod-hidden) [data-command='docmanager:save']"


def _save_notebook(page) -> None:
    """Save the open notebook as a person would: its toolbar button, else Ctrl+S.

    The button rather than the shortcut: a key press goes wherever the focus is, and after
    a long "Run All" (07's, over 5 minutes on a busy machine) it was lost and nothing saved.
    """
    button = page.locator(SAVE_BUTTON).first
    if button.count():
        button.click()
    else:
        page.keyboard.press("Control+s")


def _saved_execution_counts(page, base: str, token: str, rel: str,
                            timeout: float = 120) -> list[int | None]:
    """Each cell's execution count, from the notebook as JupyterLab saves it.

    The page shows no prompt for a cell whose input is collapsed (the drawing helpers), so
    whether such a cell ran is read from the saved file. Only a save that comes after the
    run counts: JupyterLab's own autosave, every two minutes, may have written the file
    half-way through it. Saved once more half-way through the wait; empty when no save
    lands.
    """
    path = "/api/contents/" + urllib.parse.quote(rel)
    before = _api(base, token, path + "?content=0")["last_modified"]
    _save_notebook(page)
    started, retried = time.monotonic(), False
    while time.monotonic() - started < timeout:
        model = _api(base, token, path + "?content=1")
        if model["last_modified"] != before:
            return [cell.get("execution_count") for cell in model["content"]["cells"]]
        if not retried and time.monotonic() - started > timeout / 2:
            _save_notebook(page)
            retried = True
        time.sleep(1)
    return []


def run_notebook(page, base: str, token: str, workspace: Path, notebook: Path, mode: str,
                 timeout: float, screenshot: Path | None) -> NotebookRun:
    """Open one notebook, Run All Cells from the menu, and read the page."""
    rel = notebook.relative_to(workspace).as_posix()
    name = notebook.stem
    source = nbformat.read(notebook, as_version=4)
    started = time.monotonic()
    # A JupyterLab workspace of its own per notebook: no tab of the previous one comes back.
    # Generous limits: on a busy 2-core machine JupyterLab's first page load alone can take
    # over a minute.
    page.set_default_timeout(180_000)
    page.goto(f"{base}/lab/workspaces/{name}/tree/{rel}?token={token}",
              wait_until="domcontentloaded")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=300_000)
    page.wait_for_selector(
        ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
        timeout=180_000)
    _wait_for_one_kernel(base, token, rel)
    _run_all(page)
    failure = ""
    try:
        _wait_until_done(page, timeout)
    except TimeoutError as err:
        failure = str(err)
    shown = page.evaluate(READ_CELLS)
    # The model's counts, else the saved file's: a collapsed input shows no prompt.
    counts = page.evaluate(READ_COUNTS) or _saved_execution_counts(page, base, token, rel)
    if len(shown) != len(source.cells):
        failure = failure or (f"the page shows {len(shown)} cells, "
                              f"the notebook has {len(source.cells)}")
    cells = []
    for index, (cell, seen) in enumerate(zip(source.cells, shown, strict=False)):
        if cell.cell_type != "code" or not seen["code"]:
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        outputs = tuple(Output(o["mime"], o["text"]) for o in seen["outputs"])
        prompt = seen["prompt"]
        if not prompt and index < len(counts) and counts[index] is not None:
            prompt = f"[{counts[index]}]:"  # a collapsed input shows no prompt on the page
        cells.append(Cell(index, grade_id, prompt, outputs))
    if screenshot is not None:
        # The first screen: the notebook scrolled back to its title.
        page.evaluate("() => document.querySelectorAll('.jp-NotebookPanel .jp-WindowedPanel-outer')"
                      ".forEach(panel => { panel.scrollTop = 0; })")
        page.wait_for_timeout(500)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
    run = NotebookRun(name, mode, cells, seconds=time.monotonic() - started,
                      screenshot=str(screenshot or ""), failure=failure)
    run.problems = judge(run)
    return run


def _save(run: NotebookRun, path: Path) -> None:
    """What the page showed, kept beside the log for whoever reads a failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(run), indent=1), encoding="utf-8")


def run_mode(mode: str, stages: list[str], out: Path, timeout: float,
             screenshots: Path | None) -> list[NotebookRun]:
    """Build the workspace of ``mode`` and run the notebooks of ``stages`` in it."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    root = out / mode
    if root.exists():
        shutil.rmtree(root)
    workspace = build_workspace(mode, root / "handout")
    runs = []
    with jupyter_lab(workspace, root / "profile", root / "jupyter-lab.log") as (base, token):
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                for stage in STAGES:
                    if stages and stage.id not in stages:
                        continue
                    notebook = workspace / "course" / "release" / stage.notebook
                    picture = screenshots / f"{stage.name}.png" if screenshots else None
                    page = browser.new_page(viewport=VIEWPORT)
                    try:
                        run = run_notebook(page, base, token, workspace, notebook, mode,
                                           timeout, picture)
                    except PlaywrightError as err:  # one page that failed; the next may not
                        first = str(err).strip().splitlines()[0]
                        run = NotebookRun(notebook.stem, mode, [], failure=f"browser: {first}")
                        run.problems = judge(run)
                    finally:
                        page.close()
                        _shut_down_kernels(base, token)
                    print(f"  {run.name} ({mode}): {run.ran}/{len(run.cells)} cells ran, "
                          f"{run.red_outputs} red outputs, {len(run.problems)} problem(s), "
                          f"{run.seconds:.0f} s", flush=True)
                    runs.append(run)
                    _save(run, root / "pages" / f"{run.name}.json")
            finally:
                browser.close()
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=(*MODES, "both"), default="both")
    parser.add_argument("--stages", default="", help="comma-separated ids, e.g. 01,04 (all)")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "browser")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds one notebook's Run All may take (default 1200)")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="save each notebook's first screen here (reference mode only)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).is_file():
        print(f"no Chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 2
    stages = [s for s in args.stages.split(",") if s]
    modes = MODES if args.mode == "both" else (args.mode,)
    runs = []
    begun = time.monotonic()
    try:
        for mode in modes:
            print(f"{mode}: building the handout and starting JupyterLab", flush=True)
            shots = args.screenshots if mode == "reference" else None
            runs += run_mode(mode, stages, args.out.resolve(), args.timeout, shots)
    except (RuntimeError, ImportError) as err:
        print(f"could not run the browser: {err}", file=sys.stderr)
        return 2
    print()
    print(table(runs))
    bad = sum(bool(run.problems) for run in runs)
    print(f"\n{len(runs)} notebooks, {bad} with problems, {time.monotonic() - begun:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

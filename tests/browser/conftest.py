"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium for the session.

The server serves a *copy* of chapters/ (JupyterLab autosaves outputs into the files it opens)
from a temporary directory, with a temporary Jupyter config dir. It is stopped at the end of the
session, with its kernels, whether the tests passed, failed or were interrupted.
"""
import json
import shutil
import statistics
from pathlib import Path

import lab_driver
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
REDRAW_TIMES = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[REDRAW_TIMES] = []


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """A running JupyterLab server whose root holds a copy of chapters/ (as `chapters/`)."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(REPOSITORY / "chapters", root / "chapters",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in (root / "chapters").rglob("*.ipynb"):
        clear_outputs(path)
    server = lab_driver.JupyterLabServer(root_dir=root, config_dir=tmp_path_factory.mktemp("jupyter-config"),
                                         log_path=root.parent / "jupyterlab.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def clear_outputs(path):
    """Drop a notebook's stored outputs and prompt numbers. Otherwise its cells show "[n]:" before
    they run, and a run that has not started yet looks like a run that has finished."""
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    path.write_text(json.dumps(notebook, indent=1))


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=lab_driver.CHROMIUM, headless=True,
                                             args=lab_driver.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def redraw_times(request):
    """Where tests record each slider's redraw times (ms); printed at the end of the session."""
    return request.config.stash[REDRAW_TIMES]


def pytest_terminal_summary(terminalreporter, config):
    missing = lab_driver.missing_browser_tools()
    if missing:
        terminalreporter.write_sep("-", "browser tests skipped")
        terminalreporter.write_line(missing)
        return
    records = config.stash.get(REDRAW_TIMES, [])
    if not records:
        return
    terminalreporter.write_sep("-", "slider move -> redrawn plot, in JupyterLab + headless Chromium")
    for notebook, widget, slider, times_ms in records:
        terminalreporter.write_line(
            f"{notebook:<28} {widget:<14} {slider:<22} median {statistics.median(times_ms):6.0f} ms  "
            f"(min {min(times_ms):.0f}, max {max(times_ms):.0f}, {len(times_ms)} moves)")

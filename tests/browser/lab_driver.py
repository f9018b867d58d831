"""Drive JupyterLab in headless Chromium: start a server, open a notebook, run it, move sliders.

Used by the browser tests (tests/browser/test_sliders.py); kept apart from the tests so that
what is *checked* there is not buried under how a browser is *driven* here.

Facts this module relies on (measured on JupyterLab 4 with ipywidgets 8):
- `interactive`/`interact` render as `.widget-interact`; a slider is a `.widget-slider` with its
  description in `.widget-label`, a noUiSlider handle `.noUi-handle` (ArrowRight/ArrowLeft move it
  by one step) and a `.widget-readout` that shows the value (negative numbers with U+2212 "−").
- The explorer's plot is an Image widget, `<img class="widget-image">`, whose src is a blob: URL
  that changes with every new PNG; its line of numbers is an HTML widget, `.widget-html`.
- Right after the page loads, "Run All Cells" can be lost (the command is not enabled yet):
  retry until a prompt shows `[*]` or `[n]`.
- Kernels are started in their own process group, so stopping the server's process group does
  not reach them: the server must shut them down itself (it does on SIGTERM), and we shut each
  notebook's kernel down from the page as soon as its tests are done.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# JupyterLab user settings for the test server: every cell attached to the DOM (the default
# windowing leaves cells outside the viewport unrendered), and no news/update pop-ups over cells.
LAB_SETTINGS = {
    # autoStartDefaultKernel: start the notebook's own kernel without asking. Otherwise a fresh server
    # sometimes shows "Select Kernel" over the first notebook, and the clicks of the tests land on it.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                   "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}

WIDGET = ".widget-interact"
SLIDER = ".widget-slider"


def missing_browser_tools():
    """None when the browser tests can run, else what is missing and how to install it."""
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(f"Chromium ({CHROMIUM}): apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright: pip install playwright (never `playwright install`: it downloads "
                       "its own browser; the tests use Debian's)")
    if not missing:
        return None
    return "browser tests (tests/browser) skipped, missing " + "; ".join(missing)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_pids(pid):
    """Process ids whose parent is `pid` (Linux /proc): the kernels a server started."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # /proc/PID/stat: "pid (command) state ppid ..."; the command may contain spaces.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


class JupyterLabServer:
    """A JupyterLab server on a free loopback port, no token, serving `root_dir`.

    `config_dir` becomes JUPYTER_CONFIG_DIR (and holds the lab settings above), so neither the
    user's settings nor a saved workspace can change what the tests see.
    """

    def __init__(self, root_dir, config_dir, log_path):
        self.root_dir, self.config_dir, self.log_path = Path(root_dir), Path(config_dir), Path(log_path)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.kernel_pids = set()

    def start(self, timeout_s=60):
        settings_dir = self.config_dir / "lab" / "user-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.config_dir),
                   JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.config_dir / "lab" / "workspaces"))
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
                   "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
                   "--IdentityProvider.token=", "--ServerApp.password=",
                   f"--ServerApp.root_dir={self.root_dir}"]
        with open(self.log_path, "w") as log:
            # A session of its own: stop() can signal the server without signalling pytest.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited at start (code {self.process.returncode}):\n"
                                   + self.log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(self.base_url + "/api/status", timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"JupyterLab did not answer within {timeout_s} s:\n"
                           + self.log_path.read_text()[-3000:])

    def remember_kernels(self):
        """Note the kernels running now, so stop() can kill any that outlive the server."""
        if self.process is not None:
            self.kernel_pids.update(child_pids(self.process.pid))

    def stop(self):
        """SIGTERM: the server shuts its kernels down and exits. Whatever is left is killed."""
        if self.process is None:
            return
        self.remember_kernels()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for pid in self.kernel_pids:
            try:
                os.killpg(pid, signal.SIGKILL)  # a kernel leads its own process group
            except (ProcessLookupError, PermissionError):
                pass
        self.process = None


# ---------------------------------------------------------------- the notebook page

RUN_STARTED = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                       .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""
# Finished: every code cell shows [n] (none [*], none [ ]), and the kernel is idle.
RUN_FINISHED = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
    return idle && prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }"""


ALL_WIDGETS_HAVE_A_PLOT = """() => [...document.querySelectorAll('.widget-interact')]
                                    .every(w => w.querySelector('img.widget-image[src]'))"""


SESSION_KERNEL = """async (path) => {
    const sessions = await (await fetch('/api/sessions?' + Date.now())).json();
    const session = sessions.find(s => s.path === path);
    return session && session.kernel ? [session.kernel.id, session.kernel.execution_state] : null; }"""


def wait_for_a_settled_kernel(page, name, timeout_s, quiet_s=2.0):
    """Wait until the notebook's session keeps one idle kernel for quiet_s. A fresh server may start
    a kernel for the notebook and replace it a second later; cells run on the first one would never
    finish (seen in a new virtual environment, once per server, on the first notebook)."""
    deadline = time.monotonic() + timeout_s
    seen, since = None, time.monotonic()
    while time.monotonic() < deadline:
        kernel = page.evaluate(SESSION_KERNEL, name)
        if kernel != seen:
            seen, since = kernel, time.monotonic()
        elif kernel is not None and kernel[1] == "idle" and time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name}: its kernel never settled (last seen: {seen})")


def open_notebook(browser, base_url, name, timeout_s=120):
    """Open `name` in JupyterLab in a new page, wait for its kernel, run all cells, wait for the end.

    Returns the page and the seconds the run took (from "Run All Cells" to the last prompt).
    """
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    # The launcher first: its kernel cards show that JupyterLab has loaded the kernel specs.
    page.goto(f"{base_url}/lab?reset", timeout=timeout_s * 1000)  # ?reset: no saved layout
    page.wait_for_selector(".jp-LauncherCard", timeout=timeout_s * 1000)
    page.goto(f"{base_url}/lab/tree/{name}?reset", timeout=timeout_s * 1000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_s * 1000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout_s * 1000)
    wait_for_a_settled_kernel(page, name, timeout_s)
    started = time.monotonic()
    for _ in range(5):
        # Should JupyterLab still ask "Select Kernel", choose the notebook's own kernel, as a reader would.
        if page.query_selector(".jp-Dialog select") is not None:
            page.select_option(".jp-Dialog select", label="Python 3 (ipykernel)")
            page.click(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
            idle = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
            page.wait_for_selector(idle, timeout=timeout_s * 1000)
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(RUN_STARTED, timeout=5_000)
            break
        except Exception:  # Playwright's TimeoutError: the click was lost, close the menu and retry
            page.keyboard.press("Escape")
    else:
        raise RuntimeError(f"{name}: 'Run All Cells' never started the execution")
    page.wait_for_function(RUN_FINISHED, timeout=timeout_s * 1000, polling=100)
    try:  # a widget's plot arrives in a message after its cell finished: give it time to render
        page.wait_for_function(ALL_WIDGETS_HAVE_A_PLOT, timeout=30_000, polling=100)
    except Exception:  # Playwright's TimeoutError: the tests report which widget has no plot
        pass
    return page, time.monotonic() - started


def shutdown_kernels(page):
    """Shut down the kernels of every session, from inside the page: the DELETE needs the _xsrf
    cookie echoed as X-XSRFToken. Returns how many sessions there were."""
    return page.evaluate("""async () => {
        const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
        const sessions = await (await fetch('/api/sessions')).json();
        for (const s of sessions)
            await fetch('/api/sessions/' + s.id, {method: 'DELETE', headers: {'X-XSRFToken': xsrf}});
        return sessions.length; }""")


ERROR_OUTPUTS = """() => {
    // stderr and tracebacks (JupyterLab renders both with the stderr MIME type), and the text a
    // widget that failed to render leaves behind.
    const found = [];
    for (const el of document.querySelectorAll(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"))
        found.push(el.innerText.slice(0, 2000));
    for (const el of document.querySelectorAll('.jp-OutputArea-output'))
        if (/Error displaying widget|Error rendering|Failed to load model/.test(el.innerText))
            found.push(el.innerText.slice(0, 2000));
    return found; }"""


def error_outputs(page):
    """Texts of every error output in the notebook (tracebacks, stderr, widget failures)."""
    return page.evaluate(ERROR_OUTPUTS)


# ---------------------------------------------------------------- widgets

def widgets(page):
    """Locators of every `interact`/`interactive` widget on the page, in notebook order."""
    return page.locator(WIDGET).all()


def slider_labels(widget):
    """The descriptions of a widget's sliders, in order ("x", "score 1 (true class)", ...)."""
    return [label.inner_text().strip() for label in widget.locator(f"{SLIDER} .widget-label").all()]


def slider_values(widget):
    """{description: value} as the readouts show them (U+2212 minus read as '-')."""
    values = {}
    for slider in widget.locator(SLIDER).all():
        label = slider.locator(".widget-label").inner_text().strip()
        readout = slider.locator(".widget-readout").inner_text().strip().replace("\u2212", "-")
        values[label] = float(readout)
    return values


def output_text(widget):
    """The line of numbers the widget shows (its HTML widget)."""
    return widget.locator(".widget-html").inner_text().strip()


def image_sources(widget):
    """The blob: URLs of the widget's plot images, joined: changes whenever a new PNG arrives."""
    return "|".join(img.get_attribute("src") or "" for img in widget.locator("img.widget-image").all())


# In the page: note when the next key goes down, and when the widget shows a plot image different
# from the current one, decoded and painted (the animation frame after the <img> got its new data).
ARM_REDRAW_TIMER = """(widget) => {
    const sources = () => [...widget.querySelectorAll('img.widget-image')].map(i => i.src).join('|');
    const timer = {keyDown: null, redrawn: null, before: sources()};
    window.__redrawTimer = timer;
    const noteKeyDown = () => { if (timer.keyDown === null) timer.keyDown = performance.now(); };
    document.addEventListener('keydown', noteKeyDown, {capture: true, once: true});
    const observer = new MutationObserver(() => {
        const now = sources();
        if (timer.redrawn !== null || !now || now === timer.before) return;
        timer.redrawn = 'pending';
        observer.disconnect();
        const images = [...widget.querySelectorAll('img.widget-image')];
        Promise.all(images.map(i => i.decode().catch(() => null))).then(
            () => requestAnimationFrame(() => { timer.redrawn = performance.now(); }));
    });
    observer.observe(widget, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}"""
REDRAWN = "() => typeof window.__redrawTimer.redrawn === 'number'"


def move_slider(page, widget, slider_index, key="ArrowRight", timeout_s=20):
    """Press `key` on a slider's handle (one step), wait until the plot is redrawn.

    Returns the milliseconds from the key press to the painted new plot, measured in the page.
    Raises Playwright's TimeoutError when the plot never changes.
    """
    handle = widget.locator(f"{SLIDER} .noUi-handle").nth(slider_index)
    handle.focus()
    widget.evaluate(ARM_REDRAW_TIMER)
    page.keyboard.press(key)
    page.wait_for_function(REDRAWN, timeout=timeout_s * 1000, polling="raf")
    return page.evaluate("() => window.__redrawTimer.redrawn - window.__redrawTimer.keyDown")

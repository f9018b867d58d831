"""The chapter notebooks in a real browser: JupyterLab in headless Chromium, driven by Playwright.

Kernel-side tests (tests/test_widgets.py) cannot see a slider that fails to render or a plot
that never redraws. Here each chapter runs top to bottom in JupyterLab, then every slider is
moved with the keyboard, one step at a time, and after each step:
- the plot image must change (and the time from the key press to the painted plot is recorded:
  the medians are printed at the end of the session; goal ≤ 150 ms),
- the numbers the widget prints must be the ones deepnet computes for the new slider values
  (computed here from deepnet's functions and the widget's fixed inputs, never copied from output).
A screenshot of each widget is saved under docs/screenshots/ for the README.

Needs Debian's Chromium and Playwright; without them the module is skipped, saying how to enable it.
"""
import json
import statistics
import time
from pathlib import Path

import lab_driver
import numpy as np
import pytest

if lab_driver.missing_browser_tools():
    pytest.skip(lab_driver.missing_browser_tools(), allow_module_level=True)

from deepnet import sigmoid, softmax  # noqa: E402  (after the skip: only needed when tests run)
from deepnet.course import language  # noqa: E402
from deepnet.figures import widgets as explorers  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[2]
# The English chapters, and one translated chapter: its sliders, labels and numbers in Korean.
CHAPTERS = [*sorted((REPOSITORY / "chapters").glob("*.ipynb")),
            REPOSITORY / "chapters" / "ko" / "5.5-activation-layers.ipynb"]
SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
MOVES_PER_SLIDER = 5
BURST_MOVES, BURST_KEY_INTERVAL_MS = 3, 50


# ---------------------------------------------------------------- what each widget must print

def relu_mask_numbers(values, code="en"):
    shift = values["shift"]
    x = explorers.RELU_INPUT + shift
    blocked = x <= 0
    out = np.where(blocked, 0.0, x)
    dx = np.where(blocked, 0.0, explorers.RELU_UPSTREAM)
    if code != "en":  # the whole line, in the notebook's words, with the numbers computed here
        with language.language_for(code):
            return [language.fill(explorers.MESSAGES["relu_line"], shift=f"{shift:.2f}",
                                  passed=int((~blocked).sum()), size=x.size, out_sum=f"{out.sum():.2f}",
                                  dx_sum=f"{dx.sum():.2f}")]
    return [f"shift = {shift:.2f}", f"{(~blocked).sum()} of {x.size} gradients pass",
            f"sum of out = {out.sum():.2f}", f"sum of dx = {dx.sum():.2f}"]


def sigmoid_numbers(values, code="en"):  # its line is symbols and numbers in every language
    x, dout = values["x"], values["dout"]
    y = float(sigmoid(np.array(x)))
    # dx from y alone: the Sigmoid's backward needs only its output.
    return [f"x = {x:.2f}", f"y = {y:.4f}", f"y(1−y) = {y * (1 - y):.4f}", f"dout = {dout:.2f}",
            f"dx = dout·y(1−y) = {dout * y * (1 - y):.4f}"]


def affine_batch_numbers(values, code="en"):
    n = int(values["batch size N"])
    inputs, outputs = explorers.AFFINE_W.shape
    db = explorers.AFFINE_UPSTREAM[:n].sum(axis=0)  # dB sums the upstream gradient over the batch
    return [f"N = {n}", f"X {(n, inputs)}", f"Y {(n, outputs)}", f"dX {(n, inputs)}",
            f"dW {(inputs, outputs)}", f"dB {(outputs,)} = ({', '.join(f'{v:.1f}' for v in db)})"]


def softmax_numbers(values, code="en"):
    labels = list(values)
    scores = np.array([values[label] for label in labels])
    true_class = next(k for k, label in enumerate(labels) if "true class" in label)
    probabilities = softmax(scores)
    gradient = probabilities - np.eye(len(scores))[true_class]

    def numbers(vector, digits):
        return "(" + ", ".join(f"{v:.{digits}f}" for v in vector) + ")"

    return [f"scores = {numbers(scores, 2)}", f"probabilities = {numbers(probabilities, 4)}",
            f"loss = {-np.log(probabilities[true_class]):.4f}", f"gradient = {numbers(gradient, 4)}"]


# A widget is recognised by its sliders' descriptions: (name for reports and screenshots, numbers).
WIDGET_KINDS = {
    ("shift",): ("relu-mask", relu_mask_numbers),
    ("x", "dout"): ("sigmoid", sigmoid_numbers),
    ("batch size N",): ("affine-batch", affine_batch_numbers),
    ("score 0", "score 1 (true class)", "score 2"): ("softmax", softmax_numbers),
}


def english_labels(code):
    """{slider label as the notebook's language shows it: the English label of WIDGET_KINDS}."""
    with language.language_for(code):
        return {
            language.translate(explorers.MESSAGES["shift"]): "shift",
            language.translate(explorers.MESSAGES["batch_size"]): "batch size N",
            language.fill(explorers.MESSAGES["score"], k=0): "score 0",
            language.fill(explorers.MESSAGES["score_true"], k=1): "score 1 (true class)",
            language.fill(explorers.MESSAGES["score"], k=2): "score 2",
            "x": "x",
            "dout": "dout",
        }


def notebook_language(notebook_path):
    return json.loads(notebook_path.read_text())["metadata"].get("language", "en")


def widget_cell_count(notebook_path):
    """Widget cells are the cells tagged nbval-ignore-output (the course's rule: only they are)."""
    cells = json.loads(notebook_path.read_text())["cells"]
    return sum("nbval-ignore-output" in cell.get("metadata", {}).get("tags", [])
               for cell in cells if cell["cell_type"] == "code")


def slider_maximum(widget, slider_index):
    """The largest value of a slider, as its handle tells assistive technology (aria-valuemax)."""
    handle = widget.locator(".widget-slider .noUi-handle").nth(slider_index)
    return float(handle.get_attribute("aria-valuemax"))


def missing_numbers(widget, expected, timeout_s=5):
    """Expected fragments the widget's output does not show (waits up to timeout_s for the text)."""
    deadline = time.monotonic() + timeout_s
    while True:
        shown = lab_driver.output_text(widget)
        missing = [fragment for fragment in expected if fragment not in shown]
        if not missing or time.monotonic() > deadline:
            return missing, shown
        time.sleep(0.05)


# ---------------------------------------------------------------- fixtures

def chapter_id(path):
    return path.relative_to(REPOSITORY / "chapters").with_suffix("").as_posix()  # 5.5-…, ko/5.5-…


@pytest.fixture(scope="module", params=CHAPTERS, ids=[chapter_id(path) for path in CHAPTERS])
def notebook(request, jupyterlab, chromium):
    """A chapter opened in JupyterLab with all cells run; its kernel is shut down afterwards.

    Module scope with a parameter: pytest runs all tests of one notebook, then the next.
    """
    path = request.param
    page, seconds = lab_driver.open_notebook(chromium, jupyterlab.base_url,
                                             path.relative_to(REPOSITORY).as_posix())
    print(f"{path.name}: all cells ran in JupyterLab in {seconds:.1f} s")
    try:
        yield path, page
    finally:
        jupyterlab.remember_kernels()
        lab_driver.shutdown_kernels(page)
        page.close()


# ---------------------------------------------------------------- tests

def test_notebook_runs_in_jupyterlab_without_error_output(notebook):
    path, page = notebook
    errors = lab_driver.error_outputs(page)
    assert not errors, f"{path.name} shows error output in JupyterLab:\n" + "\n---\n".join(errors)


def test_every_widget_cell_shows_sliders_and_a_plot(notebook):
    path, page = notebook
    widgets = lab_driver.widgets(page)
    assert len(widgets) == widget_cell_count(path), (
        f"{path.name}: {widget_cell_count(path)} cells are tagged nbval-ignore-output (widget cells), "
        f"but JupyterLab shows {len(widgets)} interact widgets: a widget did not render, or a cell "
        f"that is not a widget carries the tag")
    for index, widget in enumerate(widgets, start=1):
        labels = lab_driver.slider_labels(widget)
        assert labels, f"{path.name}: widget {index} shows no slider"
        assert lab_driver.image_sources(widget).startswith("blob:"), (
            f"{path.name}: widget {index} ({', '.join(labels)}) shows no plot image")


def test_every_slider_redraws_the_plot_with_the_numbers_for_its_new_value(notebook, redraw_times):
    path, page = notebook
    problems = []
    assert len(lab_driver.widgets(page)) == widget_cell_count(path), f"{path.name}: a widget is missing"
    code = notebook_language(path)
    to_english = english_labels(code)
    name = path.stem if code == "en" else f"{path.stem}-{code}"  # screenshots of each language
    for index, widget in enumerate(lab_driver.widgets(page), start=1):
        labels = tuple(lab_driver.slider_labels(widget))
        english = tuple(to_english.get(label, label) for label in labels)
        if english not in WIDGET_KINDS:
            problems.append(f"widget {index} has sliders {labels}, which this test does not know: "
                            f"add what it must print to WIDGET_KINDS")
            continue
        kind, numbers_in_english = WIDGET_KINDS[english]

        def expected_numbers(values, numbers_in_english=numbers_in_english):
            in_english = {to_english.get(label, label): value for label, value in values.items()}
            return numbers_in_english(in_english, code)

        widget.scroll_into_view_if_needed()

        missing, shown = missing_numbers(widget, expected_numbers(lab_driver.slider_values(widget)))
        if missing:
            problems.append(f"{kind} at its start values {lab_driver.slider_values(widget)} shows "
                            f"{shown!r}, missing {missing}")

        for slider_index, label in enumerate(labels):
            times_ms = []
            for _ in range(MOVES_PER_SLIDER):
                before = lab_driver.slider_values(widget)[label]
                if before >= slider_maximum(widget, slider_index):
                    break  # at the end of its range (batch size N starts at 4 of 8): fewer moves
                image_before = lab_driver.image_sources(widget)
                try:
                    times_ms.append(lab_driver.move_slider(page, widget, slider_index, "ArrowRight"))
                except Exception as error:  # noqa: BLE001 (Playwright's TimeoutError): report, go on
                    problems.append(f"{kind}: moving {label!r} from {before} did not redraw the plot "
                                    f"({type(error).__name__})")
                    break
                values = lab_driver.slider_values(widget)
                if values[label] <= before:
                    problems.append(f"{kind}: ArrowRight left {label!r} at {values[label]} (was {before})")
                    break
                if lab_driver.image_sources(widget) == image_before:
                    problems.append(
                        f"{kind}: the plot did not change when {label!r} moved to {values[label]}")
                missing, shown = missing_numbers(widget, expected_numbers(values))
                if missing:
                    problems.append(f"{kind} at {values} shows {shown!r}, missing {missing}")
            if times_ms:
                redraw_times.append((name, kind, label, times_ms))

        # For the README: the widget after the single steps, its plot redrawn for the last value.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        widget.screenshot(path=str(SCREENSHOTS / f"{name}-{kind}.png"), animations="disabled")

        # A student drags a slider: moves come faster than the kernel redraws. After a burst of
        # moves the widget must settle on the plot and the numbers of the last value.
        handle = widget.locator(".widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(BURST_MOVES):
            page.keyboard.press("ArrowLeft", delay=BURST_KEY_INTERVAL_MS)
        values = lab_driver.slider_values(widget)
        missing, shown = missing_numbers(widget, expected_numbers(values), timeout_s=20)
        burst = f"{kind} after {BURST_MOVES} moves {BURST_KEY_INTERVAL_MS} ms apart, at {values},"
        if missing:
            problems.append(f"{burst} shows {shown!r}, missing {missing}")
        elif not lab_driver.image_sources(widget):
            problems.append(f"{burst} shows the numbers but no plot")


    errors = lab_driver.error_outputs(page)
    if errors:
        problems.append("error output after moving the sliders:\n" + "\n---\n".join(errors))
    medians = [f"{label} {statistics.median(times):.0f} ms"
               for stem, _, label, times in redraw_times if stem == name]
    print(f"{path.name}: median redraw per slider: {', '.join(medians) or 'no sliders'}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)

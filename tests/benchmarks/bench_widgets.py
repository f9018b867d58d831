"""How long each slider takes in the kernel to redraw (run by hand: python tests/benchmarks/bench_widgets.py).

One move is what the kernel does when a slider's value changes in the browser: set the value,
which runs the layer, redraws the explorer's figure and encodes the PNG that the Image widget
sends. The browser adds the message and painting the image (tests/browser measures that).
Each slider moves back and forth over its range; the figure is the median of the moves.
Goal: well under 100 ms, so that with the browser's share a move stays within about 150 ms.
"""
import contextlib
import io
import json
import statistics
import time

import matplotlib

matplotlib.use("Agg")  # off-screen, as in a kernel with %matplotlib inline

import numpy as np  # noqa: E402

from deepnet.figures import widgets  # noqa: E402

MOVES = 24

# (name, make the explorer, the slider moved, the values it takes in turn)
SLIDERS = [
    ("relu-mask", widgets.relu_mask_explorer, "shift", np.round(np.arange(-2.4, 2.41, 0.2), 1)),
    ("sigmoid", widgets.sigmoid_explorer, "x", np.round(np.arange(-4.0, 4.01, 0.1), 1)),
    ("affine-batch", widgets.affine_batch_explorer, "batch size N", np.arange(1, widgets.MAX_BATCH_SIZE + 1)),
    ("softmax", widgets.softmax_explorer, "score 1", np.round(np.arange(-3.0, 3.01, 0.1), 1)),
]


def move_times_ms(make_explorer, description, values):
    with contextlib.redirect_stdout(io.StringIO()):
        explorer = make_explorer()
    (slider,) = [w for w in explorer.kwargs_widgets if w.description.startswith(description)]
    back_and_forth = np.concatenate([values, values[::-1][1:-1]])
    times = []
    for value in np.resize(back_and_forth, MOVES):
        value = value.item()  # a Python number, as the browser sends
        if value == slider.value:
            continue
        start = time.perf_counter()
        # (outside a kernel, interactive's clear_output prints terminal escape codes: hide them)
        with contextlib.redirect_stdout(io.StringIO()):
            slider.value = value
        times.append((time.perf_counter() - start) * 1000)
    png_kib = len(explorer.children[-2].value) / 1024  # the Image widget, just before the Output
    return times, png_kib


def main():
    results = {}
    print(f"{'slider':<14}{'median ms':>10}{'min ms':>8}{'max ms':>8}{'PNG KiB':>9}")
    for name, make_explorer, description, values in SLIDERS:
        times, png_kib = move_times_ms(make_explorer, description, values)
        results[name] = round(statistics.median(times), 1)
        print(f"{name:<14}{statistics.median(times):>10.1f}{min(times):>8.1f}{max(times):>8.1f}{png_kib:>9.1f}")
    print(json.dumps({"benchmark": "widget redraw in the kernel", "median_ms": results, "moves": MOVES,
                      "matplotlib": matplotlib.__version__}))


if __name__ == "__main__":
    main()

"""deepnet.figures.widgets: each slider re-runs its layer and redraws with the new numbers.

No browser here: setting a slider's value runs the explorer's update at once (ipywidgets
observes the value), so `.result` is the figure now shown, the HTML widget holds the line of
numbers and the Image widget the PNG that the browser shows.
These tests run with ipywidgets 8 and, in .ci/colab-env, with Colab's ipywidgets 7.7.1.
"""
import ast
import html
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets import HTML, Image, interactive
from matplotlib.image import imread

from deepnet.figures import widgets

EXPLORERS = [widgets.relu_mask_explorer, widgets.sigmoid_explorer, widgets.affine_batch_explorer,
             widgets.softmax_explorer]


def slider(explorer, description):
    (found,) = [w for w in explorer.kwargs_widgets if w.description.startswith(description)]
    return found


def child(explorer, widget_type):
    (found,) = [c for c in explorer.children if isinstance(c, widget_type)]
    return found


def shown_line(explorer):
    """The line of numbers as the browser shows it: the HTML widget's text without its markup."""
    markup = child(explorer, HTML).value
    return html.unescape(markup[markup.index(">") + 1:markup.rindex("<")])


def shown_pixels(explorer):
    return imread(io.BytesIO(bytes(child(explorer, Image).value)), format="png")


def full_drawing(figure):
    """The figure drawn whole, as the static cell of a notebook shows it (no blitting)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=widgets.PLOT_DPI)
    return imread(io.BytesIO(buffer.getvalue()), format="png")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("make_explorer", EXPLORERS, ids=lambda f: f.__name__)
def test_every_explorer_shows_its_first_numbers_and_plot_as_soon_as_it_is_made(make_explorer):
    # ipywidgets 7 (Colab) runs interactive's function only when the widget is displayed:
    # the explorer must not depend on that.
    explorer = make_explorer()
    assert isinstance(explorer, interactive)
    assert explorer.result is not None and explorer.result.axes
    assert bytes(child(explorer, Image).value).startswith(b"\x89PNG")
    assert "=" in shown_line(explorer)


def test_explorer_shows_sliders_then_numbers_then_plot():
    explorer = widgets.sigmoid_explorer()
    kinds = [type(c) for c in explorer.children]
    assert kinds[:4] == [type(slider(explorer, "x")), type(slider(explorer, "dout")), HTML, Image]


def test_explorers_start_at_the_value_they_are_given():
    explorer = widgets.sigmoid_explorer(x=-2.0)
    assert slider(explorer, "x").value == -2.0
    assert shown_line(explorer).startswith("x = -2.00  ")


def plots_title(explorer):
    (title,) = [text for text in explorer.result.texts if text.get_gid() == "title"]
    return title.get_text()


def test_moving_the_shift_slider_recomputes_the_relu_mask():
    explorer = widgets.relu_mask_explorer()
    slider(explorer, "shift").value = 0.6
    panels = {ax.get_gid(): ax for ax in explorer.result.axes}
    shifted = widgets.RELU_INPUT + 0.6
    np.testing.assert_array_equal(panels["x"].images[0].get_array(), shifted)
    np.testing.assert_array_equal(panels["mask"].images[0].get_array(), shifted <= 0)
    np.testing.assert_array_equal(panels["dx"].images[0].get_array(),
                                  np.where(shifted > 0, widgets.RELU_UPSTREAM, 0))
    passed, entries = int(np.sum(widgets.RELU_INPUT > -0.6)), widgets.RELU_INPUT.size
    assert f"shift = 0.60  {passed} of {entries} gradients pass" in shown_line(explorer)
    assert f"{passed} of {entries} gradients pass" in plots_title(explorer)


def test_no_entry_of_the_relu_input_lands_on_zero_at_any_slider_position():
    shift = slider(widgets.relu_mask_explorer(), "shift")
    positions = np.arange(shift.min, shift.max + shift.step / 2, shift.step)
    distances = np.abs(widgets.RELU_INPUT[..., None] + positions)
    assert distances.min() > shift.step / 4  # the mask never depends on a rounding error


def test_shifting_far_right_lets_every_gradient_through_and_far_left_blocks_all():
    explorer = widgets.relu_mask_explorer()
    slider(explorer, "shift").value = slider(explorer, "shift").max
    panels = {ax.get_gid(): ax for ax in explorer.result.axes}
    np.testing.assert_array_equal(panels["dx"].images[0].get_array(), widgets.RELU_UPSTREAM)
    slider(explorer, "shift").value = slider(explorer, "shift").min
    np.testing.assert_array_equal(panels["dx"].images[0].get_array(), 0)


def test_moving_the_x_slider_redraws_the_sigmoid_tangent_with_the_new_slope():
    explorer = widgets.sigmoid_explorer()
    slider(explorer, "x").value = -3.0
    y = sigmoid(-3.0)
    (tangent,) = [line for line in explorer.result.axes[0].get_lines() if line.get_gid() == "tangent"]
    tangent_x, tangent_y = tangent.get_data()
    assert (tangent_y[1] - tangent_y[0]) / (tangent_x[1] - tangent_x[0]) == pytest.approx(y * (1 - y))
    assert shown_line(explorer).startswith(f"x = -3.00  y = {y:.4f}  y(1−y) = {y * (1 - y):.4f}  ")


def test_sigmoid_explorer_shows_the_numbers_of_the_notebook_at_x_1_5():
    y = sigmoid(1.5)
    slope = y * (1 - y)
    assert shown_line(widgets.sigmoid_explorer(x=1.5)) == (
        f"x = 1.50  y = {y:.4f}  y(1−y) = {slope:.4f}  dout = 1.00  dx = dout·y(1−y) = {slope:.4f}")


def test_moving_the_dout_slider_scales_dx_by_dout_and_leaves_y_and_the_slope_alone():
    explorer = widgets.sigmoid_explorer(x=1.5)
    ax = explorer.result.axes[0]
    (point,) = [line for line in ax.get_lines() if line.get_gid() == "point"]
    y_before = point.get_ydata()[0]
    slider(explorer, "dout").value = -1.5
    y = sigmoid(1.5)
    (dx_point,) = [line for line in ax.get_lines() if line.get_gid() == "dx point"]
    assert dx_point.get_ydata()[0] == pytest.approx(-1.5 * y * (1 - y))
    assert point.get_ydata()[0] == y_before
    assert shown_line(explorer).endswith(f"dout = -1.50  dx = dout·y(1−y) = {-1.5 * y * (1 - y):.4f}")


def test_moving_the_batch_size_slider_changes_the_batch_shapes_but_not_the_parameter_shapes():
    explorer = widgets.affine_batch_explorer()
    slider(explorer, "batch size").value = 5
    shown = {t.get_gid(): t.get_text() for ax in explorer.result.axes for t in ax.texts if t.get_gid()}
    assert shown["shape:X"] == "X (5, 2)"
    assert shown["shape:dX"] == "dX (5, 2)"
    assert shown["shape:dW"] == "dW (2, 3)"
    assert shown["shape:dB"] == "dB (3,)"
    db = widgets.AFFINE_UPSTREAM[:5].sum(axis=0)
    line = shown_line(explorer)
    assert line.startswith("N = 5  X (5, 2)")
    assert line.endswith("dB (3,) = (" + ", ".join(f"{v:.1f}" for v in db) + ")")


def test_the_batch_slider_starts_where_no_array_of_the_picture_is_square():
    explorer = widgets.affine_batch_explorer()
    shapes = [ast.literal_eval(t.get_text().split(" ", 1)[1]) for ax in explorer.result.axes
              for t in ax.texts if (t.get_gid() or "").startswith("shape:")]
    assert {(4, 2), (2, 3), (4, 3), (2, 4), (3, 2)} <= set(shapes)
    assert all(len(set(shape)) == len(shape) for shape in shapes)


def test_affine_batch_view_rejects_a_batch_size_outside_the_slider_range():
    with pytest.raises(ValueError, match="batch size from 1 to 8, got 9"):
        widgets.affine_batch_view(9)


def test_moving_a_score_slider_redraws_probabilities_loss_and_gradient():
    explorer = widgets.softmax_explorer()
    slider(explorer, "score 1").value = 2.0
    scores = np.array([widgets.SOFTMAX_START[0], 2.0, widgets.SOFTMAX_START[2]])
    probabilities = np.exp(scores) / np.sum(np.exp(scores))
    panels = {ax.get_gid(): ax for ax in explorer.result.axes}
    assert [bar.get_height() for bar in panels["probabilities"].patches] == pytest.approx(probabilities)
    assert [bar.get_height() for bar in panels["gradient"].patches] == pytest.approx(
        probabilities - np.array([0, 1, 0]))
    assert f"loss = {-np.log(probabilities[1]):.4f}" in shown_line(explorer)


def test_softmax_sliders_start_on_their_step_grid_near_the_books_example():
    # A start value between two steps is snapped by the browser, which redraws at once.
    explorer = widgets.softmax_explorer()
    for k, start in enumerate(widgets.SOFTMAX_START):
        score = slider(explorer, f"score {k}")
        steps = (start - score.min) / score.step
        assert steps == pytest.approx(round(steps))
    probabilities = np.exp(widgets.SOFTMAX_START) / np.sum(np.exp(widgets.SOFTMAX_START))
    np.testing.assert_allclose(probabilities, [0.3, 0.2, 0.5], atol=0.005)


def test_the_true_class_slider_says_so():
    assert slider(widgets.softmax_explorer(), "score 1").description == "score 1 (true class)"


@pytest.mark.parametrize("make_explorer, description, value", [
    (widgets.relu_mask_explorer, "shift", -1.0),
    (widgets.sigmoid_explorer, "x", -6.5),
    (widgets.sigmoid_explorer, "dout", -1.7),
    (widgets.affine_batch_explorer, "batch size", 6),
    (widgets.softmax_explorer, "score 2", 3.3),
], ids=["relu-mask", "sigmoid", "sigmoid-dout", "affine-batch", "softmax"])
def test_the_image_after_a_move_is_the_figure_drawn_whole(make_explorer, description, value):
    # The explorers redraw only what a move changes (blitting): nothing of the old state may
    # stay behind, and nothing of the new may be missing.
    explorer = make_explorer()
    before = shown_pixels(explorer)
    slider(explorer, description).value = value
    after = shown_pixels(explorer)
    for artist in explorer.result.findobj():
        artist.set_animated(False)  # so that savefig draws everything, as a notebook's static cell
    drawn_whole = full_drawing(explorer.result)
    assert after.shape == drawn_whole.shape
    assert np.abs(after - drawn_whole).max(axis=-1).mean() < 0.002
    assert before.shape != after.shape or np.abs(before - after).max(axis=-1).mean() > 0.002


def test_redrawing_does_not_keep_figures_open_in_pyplot():
    before = plt.get_fignums()
    explorer = widgets.sigmoid_explorer()
    for x in np.arange(-8, 8, 0.5):
        slider(explorer, "x").value = float(x)
    assert plt.get_fignums() == before

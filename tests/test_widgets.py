"""deepnet.widgets: each slider re-runs its layer and redraws with the new numbers.

No browser here: setting a slider's value runs the explorer's update at once (ipywidgets
observes the value), so `.result` is the figure now shown and stdout holds the printed line.
The first drawing happens at construction in ipywidgets 8 but only when the widget is displayed
in ipywidgets 7 (Colab), so tests of the start values call `update()` themselves, as display would.
"""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets import interactive

from deepnet import widgets


def slider(explorer, description):
    (found,) = [w for w in explorer.kwargs_widgets if w.description.startswith(description)]
    return found


def last_printed_line(capsys):
    lines = [line for line in capsys.readouterr().out.splitlines() if "=" in line]
    return lines[-1]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_every_explorer_is_an_interactive_widget_that_draws_a_figure():
    for make_explorer in (widgets.relu_mask_explorer, widgets.sigmoid_explorer, widgets.affine_batch_explorer,
                          widgets.softmax_explorer):
        explorer = make_explorer()
        assert isinstance(explorer, interactive)
        explorer.update()
        assert explorer.result is not None and explorer.result.axes


def test_explorers_start_at_the_value_they_are_given(capsys):
    explorer = widgets.sigmoid_explorer(x=-2.0)
    explorer.update()
    assert slider(explorer, "x").value == -2.0
    assert "x = -2.00" in last_printed_line(capsys)


def test_moving_the_shift_slider_recomputes_the_relu_mask(capsys):
    explorer = widgets.relu_mask_explorer()
    slider(explorer, "shift").value = 0.5
    panels = {ax.get_gid(): ax for ax in explorer.result.axes}
    shifted = widgets.RELU_INPUT + 0.5
    np.testing.assert_array_equal(panels["x"].images[0].get_array(), shifted)
    np.testing.assert_array_equal(panels["mask"].images[0].get_array(), shifted <= 0)
    np.testing.assert_array_equal(panels["dx"].images[0].get_array(),
                                  np.where(shifted > 0, widgets.RELU_UPSTREAM, 0))
    blocked = int(np.sum(widgets.RELU_INPUT <= -0.5))
    assert f"shift = 0.50  blocked entries (mask True) = {blocked} of 20" in last_printed_line(capsys)


def test_shifting_far_right_lets_every_gradient_through():
    explorer = widgets.relu_mask_explorer()
    slider(explorer, "shift").value = 2.5
    panels = {ax.get_gid(): ax for ax in explorer.result.axes}
    np.testing.assert_array_equal(panels["dx"].images[0].get_array(), widgets.RELU_UPSTREAM)


def test_moving_the_x_slider_redraws_the_sigmoid_tangent_with_the_new_slope(capsys):
    explorer = widgets.sigmoid_explorer()
    slider(explorer, "x").value = -3.0
    y = sigmoid(-3.0)
    (tangent,) = [line for line in explorer.result.axes[0].get_lines() if line.get_gid() == "tangent"]
    tangent_x, tangent_y = tangent.get_data()
    assert (tangent_y[1] - tangent_y[0]) / (tangent_x[1] - tangent_x[0]) == pytest.approx(y * (1 - y))
    assert last_printed_line(capsys) == f"x = -3.00  y = {y:.4f}  y(1−y) = {y * (1 - y):.4f}"


def test_sigmoid_explorer_prints_the_numbers_of_the_brief_at_x_1_5(capsys):
    widgets.sigmoid_explorer(x=1.5).update()
    assert last_printed_line(capsys) == "x = 1.50  y = 0.8176  y(1−y) = 0.1491"


def test_moving_the_batch_size_slider_changes_the_batch_shapes_but_not_the_parameter_shapes(capsys):
    explorer = widgets.affine_batch_explorer()
    slider(explorer, "batch size").value = 5
    shown = {t.get_gid(): t.get_text() for t in explorer.result.axes[0].texts if t.get_gid()}
    assert shown["shape:X"] == "X\n(5, 2)"
    assert shown["shape:dX"] == "dX\n(5, 2)"
    assert shown["shape:dW"] == "dW\n(2, 3)"
    assert shown["shape:dB"] == "dB\n(3,)"
    db = widgets.AFFINE_UPSTREAM[:5].sum(axis=0)
    line = last_printed_line(capsys)
    assert line.startswith("N = 5  X (5, 2)")
    assert line.endswith("dB (3,) = (" + ", ".join(f"{v:.1f}" for v in db) + ")")


def test_affine_batch_view_rejects_a_batch_size_outside_the_slider_range():
    with pytest.raises(ValueError, match="batch size from 1 to 8, got 9"):
        widgets.affine_batch_view(9)


def test_moving_a_score_slider_redraws_probabilities_loss_and_gradient(capsys):
    explorer = widgets.softmax_explorer()
    slider(explorer, "score 1").value = 2.0
    scores = np.array([widgets.SOFTMAX_START[0], 2.0, widgets.SOFTMAX_START[2]])
    probabilities = np.exp(scores) / np.sum(np.exp(scores))
    panels = {ax.get_gid(): ax for ax in explorer.result.axes}
    assert [bar.get_height() for bar in panels["probabilities"].patches] == pytest.approx(probabilities)
    assert [bar.get_height() for bar in panels["gradient"].patches] == pytest.approx(
        probabilities - np.array([0, 1, 0]))
    assert f"loss = {-np.log(probabilities[1]):.4f}" in last_printed_line(capsys)


def test_the_true_class_slider_says_so():
    assert slider(widgets.softmax_explorer(), "score 1").description == "score 1 (true class)"


def test_redrawing_does_not_keep_figures_open_in_pyplot():
    before = plt.get_fignums()
    explorer = widgets.sigmoid_explorer()
    for x in np.arange(-8, 8, 0.5):
        slider(explorer, "x").value = float(x)
    assert plt.get_fignums() == before

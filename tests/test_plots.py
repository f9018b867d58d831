"""deepnet.figures.plots: each figure shows the numbers it is given, in the course's colours.

Tests read what a figure shows from its artists: value texts and axes carry a gid
("forward:price", "mask", "tangent"), images hold their arrays, bars their heights.
"""
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from deepnet import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss
from deepnet.figures import plots


def texts_by_gid(figure):
    texts = [*figure.texts, *(text for ax in figure.axes for text in ax.texts)]
    return {text.get_gid(): text for text in texts if text.get_gid()}


def shown_texts(figure):
    return {gid: text.get_text() for gid, text in texts_by_gid(figure).items()}


def axes_by_gid(figure):
    return {ax.get_gid(): ax for ax in figure.axes}


def line_by_gid(ax, gid):
    (line,) = [line for line in ax.get_lines() if line.get_gid() == gid]
    return line


def apple_example():
    """The book's apple example run through MulLayer, returning the keyword arguments of apple_graph."""
    apple, apple_num, tax, dprice = 100, 2, 1.1, 1
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return dict(apple=apple, apple_num=apple_num, tax=tax, apple_price=apple_price, price=price,
                dapple=dapple, dapple_num=dapple_num, dtax=dtax, dapple_price=dapple_price, dprice=dprice)


def test_format_value_hides_float_noise_and_keeps_strings():
    assert plots.format_value(220.00000000000003) == "220"
    assert plots.format_value(3.3000000000000003) == "3.3"
    assert plots.format_value(0.19661193324148185) == "0.1966"
    assert plots.format_value("∂L/∂z · y") == "∂L/∂z · y"


def test_apple_graph_shows_the_books_forward_and_backward_values():
    shown = shown_texts(plots.apple_graph(**apple_example()))
    assert shown["forward:apple_price"] == "200"
    assert shown["forward:price"] == "220"
    assert [shown[f"backward:{name}"] for name in ("apple", "apple_num", "tax", "apple_price", "price")] == [
        "2.2", "110", "200", "1.1", "1"]


def test_apple_orange_graph_shows_715_and_the_five_input_gradients():
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(apple, apple_num)
    orange_price = mul_orange.forward(orange, orange_num)
    all_price = add.forward(apple_price, orange_price)
    price = mul_tax.forward(all_price, tax)
    dall_price, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dall_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    dorange, dorange_num = mul_orange.backward(dorange_price)

    figure = plots.apple_orange_graph(apple, apple_num, orange, orange_num, tax,
                                      apple_price, orange_price, all_price, price,
                                      dapple, dapple_num, dorange, dorange_num, dtax,
                                      dapple_price, dorange_price, dall_price, 1)
    shown = shown_texts(figure)
    assert shown["forward:price"] == "715"
    assert [shown[f"backward:{name}"] for name in ("apple", "apple_num", "orange", "orange_num", "tax")] == [
        "2.2", "110", "3.3", "165", "650"]


def test_graph_puts_forward_values_above_the_edge_and_backward_values_below_in_their_colours():
    texts = texts_by_gid(plots.apple_graph(**apple_example()))
    forward, backward = texts["forward:price"], texts["backward:price"]
    edge_height = 0.9  # the price edge is horizontal, at the height of the tax node
    assert forward.get_position()[1] > edge_height > backward.get_position()[1]
    assert to_hex(forward.get_color()) == plots.FORWARD_COLOR
    assert to_hex(backward.get_color()) == plots.BACKWARD_COLOR


def test_sigmoid_graph_draws_no_gradient_for_its_constants():
    shown = texts_by_gid(plots.sigmoid_graph(1.0, -1.0, 0.37, 1.37, 0.73, 1.0, -0.53, -0.53, 0.2, 0.2))
    assert "backward:x" in shown and "backward:minus_x" in shown
    assert "backward:one" not in shown and "backward:minus_one" not in shown


def test_sigmoid_graph_node_by_node_gradient_equals_the_layers_y_times_one_minus_y():
    # The staged backward pass of figure 5-20, done by hand here, must agree with Sigmoid.backward.
    x = 0.7
    minus_x = -x
    exp_minus_x = np.exp(minus_x)
    denominator = 1 + exp_minus_x
    y = 1 / denominator
    dy = 1.0
    ddenominator = -dy / denominator**2
    dexp_minus_x = ddenominator
    dminus_x = dexp_minus_x * exp_minus_x
    dx = -dminus_x
    layer = Sigmoid()
    layer.forward(np.array([x]))
    figure = plots.sigmoid_graph(x, minus_x, exp_minus_x, denominator, y, dy, ddenominator, dexp_minus_x,
                                 dminus_x, dx)
    shown = texts_by_gid(figure)["backward:x"].get_text()
    assert shown == plots.format_value(layer.backward(np.array([1.0]))[0])


def test_sigmoid_graph_writes_each_nodes_local_derivative_under_its_backward_number():
    figure = plots.sigmoid_graph(1.0, -1.0, 0.37, 1.37, 0.73, 1.0, -0.53, -0.53, -0.2, 0.2)
    texts = texts_by_gid(figure)
    expected = {"denominator": "−y²", "exp_minus_x": "1", "minus_x": "exp(−x)", "x": "−1"}
    for edge, factor in expected.items():
        local, number = texts[f"local:{edge}"], texts[f"backward:{edge}"]
        assert factor in local.get_text()
        assert local.get_position()[0] == number.get_position()[0]  # right under its number
        assert local.get_position()[1] < number.get_position()[1]
        assert to_hex(local.get_color()) == plots.BACKWARD_COLOR
    assert "local:y" not in texts  # dy has passed no node yet


def test_node_graph_labels_a_multiplication_node_with_swapped_inputs():
    shown = shown_texts(plots.node_graph("×", 10, 5, 50, 6.5, 13, 1.3))
    assert (shown["backward:x"], shown["backward:y"], shown["backward:out"]) == ("6.5", "13", "1.3")


def test_relu_curves_show_a_derivative_of_zero_left_of_the_kink_and_one_right_of_it():
    x = np.linspace(-2, 2, 41)
    relu = Relu()
    out = relu.forward(x)
    figure = plots.relu_curves(x, out, relu.backward(np.ones_like(x)))
    derivative = axes_by_gid(figure)["derivative"].get_lines()[0].get_ydata()
    assert np.all(derivative[x <= 0] == 0) and np.all(derivative[x > 0] == 1)


def relu_example():
    """A small ReLU layer run forward and backward: the keyword arguments of plots.relu_mask."""
    x = np.array([[1.5, -0.5, 0.25], [-2.0, 0.75, -0.1]])
    dout = np.array([[0.3, -0.4, 0.5], [0.6, -0.7, 0.8]])
    relu = Relu()
    out = relu.forward(x)
    return dict(x=x, mask=relu.mask, out=out, dout=dout, dx=relu.backward(dout))


def test_relu_mask_shows_each_array_of_the_layer_in_its_own_panel():
    panels = axes_by_gid(plots.relu_mask(**relu_example()))
    assert sorted(panels) == ["dout", "dx", "mask", "out", "x"]
    np.testing.assert_array_equal(panels["mask"].images[0].get_array(), relu_example()["x"] <= 0)
    np.testing.assert_array_equal(panels["out"].images[0].get_array(), [[1.5, 0, 0.25], [0, 0.75, 0]])
    np.testing.assert_array_equal(panels["dx"].images[0].get_array(), [[0.3, 0, 0.5], [0, -0.7, 0]])


def test_relu_mask_writes_the_numbers_of_every_panel_in_their_cells():
    panels = axes_by_gid(plots.relu_mask(**relu_example()))
    assert [text.get_text() for text in panels["x"].texts] == ["1.5", "-0.5", "0.25", "-2", "0.75", "-0.1"]
    assert [text.get_text() for text in panels["dout"].texts] == ["0.3", "-0.4", "0.5", "0.6", "-0.7", "0.8"]
    assert [text.get_text() for text in panels["out"].texts] == ["1.5", "0", "0.25", "0", "0.75", "0"]
    assert [text.get_text() for text in panels["dx"].texts] == ["0.3", "0", "0.5", "0", "-0.7", "0"]
    assert [text.get_text() for text in panels["mask"].texts] == [
        "False", "True", "False", "True", "False", "True"]
    assert [text.get_position() for text in panels["dout"].texts][1] == (1, 0)  # (column, row)


def frame_cells(ax):
    """The (row, column) of each cell framed as blocked: the centre of each closed frame."""
    (frames,) = [c for c in ax.collections if c.get_gid() == "blocked"]
    centres = [np.mean(path.vertices[:-1], axis=0) for path in frames.get_paths()]
    return sorted((round(float(row)), round(float(column))) for column, row in centres)


def test_relu_mask_frames_the_same_blocked_cells_in_every_panel_an_exact_zero_included():
    x = np.array([[1.0, 0.0, -2.0], [0.5, -0.5, 3.0]])
    relu = Relu()
    out = relu.forward(x)
    dout = np.full_like(x, 0.5)
    panels = axes_by_gid(plots.relu_mask(x, relu.mask, out, dout, relu.backward(dout)))
    blocked = sorted(tuple(int(i) for i in cell) for cell in np.argwhere(x <= 0))
    assert (0, 1) in blocked  # the exact 0 is blocked, like the book's mask
    for gid, ax in panels.items():
        assert frame_cells(ax) == blocked, gid


def test_relu_mask_colours_a_passed_gradient_like_dout_and_a_blocked_one_as_zero():
    panels = axes_by_gid(plots.relu_mask(**relu_example()))
    dout_colors = panels["dout"].images[0].to_rgba(relu_example()["dout"])
    dx_colors = panels["dx"].images[0].to_rgba(relu_example()["dx"])
    passed = ~relu_example()["mask"]
    np.testing.assert_array_equal(dx_colors[passed], dout_colors[passed])
    zero_color = panels["dx"].images[0].to_rgba(np.zeros((1, 1)))[0, 0]
    assert (dx_colors[~passed] == zero_color).all()


def test_relu_mask_writes_white_on_dark_cells_and_black_on_light_ones():
    panels = axes_by_gid(plots.relu_mask(**relu_example()))
    image = panels["x"].images[0]
    for text, value in zip(panels["x"].texts, relu_example()["x"].flat, strict=True):
        red, green, blue, _ = image.cmap(image.norm(value))
        brightness = 0.299 * red + 0.587 * green + 0.114 * blue
        assert text.get_color() == ("white" if brightness < 0.5 else "black"), text.get_text()
    assert {text.get_color() for text in panels["x"].texts} == {"white", "black"}


def test_relu_mask_title_counts_the_blocked_entries():
    x = np.array([[1.0, -1.0], [-2.0, -3.0]])
    figure = plots.relu_mask(x, x <= 0, np.maximum(x, 0), np.ones_like(x), (x > 0) * 1.0)
    assert "1 of 4 gradients pass" in shown_texts(figure)["title"]
    assert plots.relu_status(x <= 0).startswith("1 of 4 gradients pass")


def test_relu_mask_redrawn_in_place_shows_the_same_as_a_new_figure():
    first = relu_example()
    second = {name: -values if name not in ("mask",) else ~values for name, values in first.items()}
    redrawn = plots.relu_mask(**second, figure=plots.relu_mask(**first))
    new = plots.relu_mask(**second)
    for old_ax, new_ax in zip(redrawn.axes, new.axes, strict=True):
        np.testing.assert_array_equal(old_ax.images[0].get_array(), new_ax.images[0].get_array())
        assert old_ax.images[0].get_clim() == new_ax.images[0].get_clim()
        assert [(t.get_text(), t.get_color()) for t in old_ax.texts] == [
            (t.get_text(), t.get_color()) for t in new_ax.texts]
    assert shown_texts(redrawn)["title"] == shown_texts(new)["title"]


@pytest.mark.parametrize("x", [-4.0, 0.0, 1.5])
def test_sigmoid_curve_tangent_has_the_layers_slope_and_touches_the_curve_at_x(x):
    layer = Sigmoid()
    y = layer.forward(np.array(x))
    slope = layer.backward(np.array(1.0))
    ax = plots.sigmoid_curve(x, y, slope).axes[0]
    tangent_x, tangent_y = line_by_gid(ax, "tangent").get_data()
    assert (tangent_y[1] - tangent_y[0]) / (tangent_x[1] - tangent_x[0]) == pytest.approx(slope)
    assert np.interp(x, tangent_x, tangent_y) == pytest.approx(y)
    assert line_by_gid(ax, "point").get_data() == ([x], [pytest.approx(y)])
    assert line_by_gid(ax, "slope point").get_ydata()[0] == pytest.approx(y * (1 - y))


def test_sigmoid_curve_derivative_peaks_at_a_quarter_at_zero_and_vanishes_far_away():
    grid, derivative = line_by_gid(plots.sigmoid_curve(0.0, 0.5, 0.25).axes[0], "derivative").get_data()
    assert grid[np.argmax(derivative)] == pytest.approx(0.0)
    assert np.max(derivative) == pytest.approx(0.25)
    assert derivative[0] < 1e-3 and derivative[-1] < 1e-3


def test_sigmoid_curve_puts_dx_at_dout_times_the_slope_and_scales_the_dotted_curve_by_dout():
    layer = Sigmoid()
    y = layer.forward(np.array(1.5))
    dx = layer.backward(np.array(-1.2))
    slope = y * (1 - y)
    figure = plots.sigmoid_curve(1.5, y, slope, dout=-1.2, dx=dx)
    ax = figure.axes[0]
    assert line_by_gid(ax, "dx point").get_ydata()[0] == pytest.approx(-1.2 * slope)
    grid, derivative = line_by_gid(ax, "derivative").get_data()
    np.testing.assert_allclose(line_by_gid(ax, "dout curve").get_ydata(), -1.2 * derivative)
    assert f"= {-1.2 * slope:.4f}" in ax.get_title()
    assert ax.get_ylim()[0] < -0.5  # room for dx down to −2 · 0.25


def test_affine_shapes_labels_every_block_with_the_shape_of_the_layers_arrays():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(4, 2)), rng.normal(size=(2, 3)), rng.normal(size=3)
    dY = rng.normal(size=(4, 3))
    layer = Affine(W, b)
    Y = layer.forward(X)
    dX = layer.backward(dY)
    shown = shown_texts(plots.affine_shapes(X, W, b, Y, dY, dX, layer.dW, layer.db))
    assert shown["shape:X"] == "X (4, 2)"
    assert shown["shape:Y"] == "Y (4, 3)"
    assert shown["shape:dX"] == "dX (4, 2)"
    assert shown["shape:dW"] == "dW (2, 3)"
    assert shown["shape:dB"] == "dB (3,)"
    assert shown["shape:Xᵀ"] == "Xᵀ (2, 4)"


def test_affine_shapes_writes_db_as_the_column_sums_of_dy():
    X, W, b = np.ones((3, 2)), np.ones((2, 3)), np.zeros(3)
    dY = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
    layer = Affine(W, b)
    Y = layer.forward(X)
    dX = layer.backward(dY)
    figure = plots.affine_shapes(X, W, b, Y, dY, dX, layer.dW, layer.db)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    for column_sum in ("1.2", "1.5", "1.8"):
        assert column_sum in texts


def affine_arrays(batch_size):
    """An Affine layer with D = 2, M = 3 run on a batch: the keyword arguments of plots.affine_shapes."""
    rng = np.random.default_rng(batch_size)
    X, W, b, dY = rng.normal(size=(batch_size, 2)), rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(
        size=(batch_size, 3))
    layer = Affine(W, b)
    Y = layer.forward(X)
    dX = layer.backward(dY)
    return dict(X=X, W=W, B=b, Y=Y, dY=dY, dX=dX, dW=layer.dW, dB=layer.db)


def test_affine_shapes_with_room_for_a_larger_batch_keeps_its_size_and_its_parameter_blocks():
    small = plots.affine_shapes(**affine_arrays(2), batch_room=8)
    large = plots.affine_shapes(**affine_arrays(8), batch_room=8)
    assert tuple(small.get_size_inches()) == tuple(large.get_size_inches())
    for name in ("W", "B", "Wᵀ", "dW", "dB"):
        assert texts_by_gid(small)[f"shape:{name}"].get_position() == texts_by_gid(large)[
            f"shape:{name}"].get_position()


@pytest.mark.parametrize("earlier_batch_size", [2, 8], ids=["smaller", "larger"])
def test_affine_shapes_redrawn_for_another_batch_size_shows_the_same_as_a_new_figure(earlier_batch_size):
    earlier = plots.affine_shapes(**affine_arrays(earlier_batch_size), batch_room=8)
    redrawn = plots.affine_shapes(**affine_arrays(5), batch_room=8, figure=earlier)
    new = plots.affine_shapes(**affine_arrays(5), batch_room=8)

    def shown(figure):
        texts = [(t.get_text(), t.get_position()) for ax in figure.axes for t in ax.texts if t.get_visible()]
        frames = [patch.get_bbox().bounds for ax in figure.axes for patch in ax.patches]
        borders = [np.round(segments, 6).tolist() for ax in figure.axes
                   for lines in ax.collections for segments in lines.get_segments()]
        return sorted(texts), sorted(frames), sorted(borders)

    assert shown(redrawn) == shown(new)


@pytest.mark.parametrize("batch_size", [1, 4, 8])
def test_affine_shapes_marks_the_batch_axis_that_dw_sums_away_on_both_factors(batch_size):
    figure = plots.affine_shapes(**affine_arrays(batch_size), batch_room=8)
    batch_ax = axes_by_gid(figure)["batch"]
    under_xt = np.asarray(line_by_gid(batch_ax, "contracted:Xᵀ").get_xdata())
    beside_dy = np.asarray(line_by_gid(batch_ax, "contracted:dY").get_ydata())
    # Xᵀ (D, N) has N columns and dY (N, M) has N rows, of the same cell size: equal spans.
    assert np.ptp(under_xt) == pytest.approx(np.ptp(beside_dy))
    xt_label_x = texts_by_gid(figure)["shape:Xᵀ"].get_position()[0]
    assert np.mean([under_xt.min(), under_xt.max()]) == pytest.approx(xt_label_x)
    labels = [t.get_text() for t in batch_ax.texts if t.get_gid() == "contracted:N"]
    assert labels == [f"N = {batch_size}"] * 2
    assert shown_texts(figure)["contracted:caption"] == f"(2, {batch_size}) · ({batch_size}, 3) = (2, 3)"
    assert "summed away" in shown_texts(figure)["contracted:note"]


def test_affine_shapes_numbers_are_readable_and_fit_their_cells():
    figure = plots.affine_shapes(**affine_arrays(4))
    figure.canvas.draw()  # text extents need a renderer
    batch_ax = axes_by_gid(figure)["batch"]
    values = [t for t in batch_ax.texts if t.get_gid() == "value" and t.get_visible()]
    # dB's three numbers come first: the distance between two neighbours is one cell's width.
    (x0, _), (x1, _) = batch_ax.transData.transform([values[0].get_position(), values[1].get_position()])
    cell_pixels = x1 - x0
    assert min(t.get_fontsize() for t in values) >= 9
    assert max(t.get_window_extent().width for t in values) < 0.9 * cell_pixels


def test_softmax_bars_show_the_probabilities_the_gradient_and_the_loss_of_the_books_example():
    scores = np.log([0.3, 0.2, 0.5])
    layer = SoftmaxWithLoss()
    loss = layer.forward(scores, np.array([0, 1, 0]))
    figure = plots.softmax_bars(scores, layer.y, 1, layer.backward(), loss)
    panels = axes_by_gid(figure)
    heights = {gid: [bar.get_height() for bar in ax.patches] for gid, ax in panels.items()}
    assert heights["probabilities"] == pytest.approx([0.3, 0.2, 0.5])
    assert heights["gradient"] == pytest.approx([0.3, -0.8, 0.5])
    assert "1.6094" in shown_texts(figure)["title"]
    assert [text.get_text() for text in panels["gradient"].texts] == ["0.3000", "-0.8000", "0.5000"]
    assert [bool(bar.get_hatch()) for bar in panels["probabilities"].patches] == [False, True, False]


def test_figures_are_not_kept_open_by_pyplot():
    before = plt.get_fignums()
    plots.apple_graph(**apple_example())
    plots.sigmoid_curve(0.0, 0.5, 0.25)
    assert plt.get_fignums() == before


def test_plots_does_not_import_ipywidgets():
    code = "import sys, deepnet.figures.plots; print('ipywidgets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

"""Figures for the chapter notebooks: computational graphs, the ReLU mask, the Sigmoid curve,
Affine shapes and softmax bars.

Every function takes numbers (computed by deepnet's layers in the notebook or in
deepnet.figures.widgets) and returns a matplotlib Figure; nothing is computed behind the reader's back
except the smooth curves that give a point its context.

Figures are plain `matplotlib.figure.Figure` objects, not pyplot figures: pyplot would keep
every figure open (and `%matplotlib inline` would show it a second time), while a Figure that
a notebook cell returns is shown once and then garbage-collected.

One colour scheme everywhere in the course: forward values (inputs, outputs, probabilities)
in FORWARD_COLOR, backward values (gradients) in BACKWARD_COLOR, as in the book's figures
where the backward pass is drawn in red.

Where a test needs to find what a figure shows, the artist carries a `gid` (an id that
matplotlib keeps with it): "forward:apple" is the text of the forward value on edge apple,
"mask" is the axes of the mask heatmap, "tangent" is the tangent line.

The figures behind the sliders (relu_mask, sigmoid_curve, affine_shapes, softmax_bars) have a
fixed layout, with no layout engine (constrained or tight) to run on every redraw, and take
`figure=`: a figure they drew before, to redraw in place with new numbers (deepnet.figures.widgets).
"""
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from deepnet.course.language import fill, translate
from deepnet.figures.fonts import use_cjk_fallback
from deepnet.functions import sigmoid

use_cjk_fallback()  # Korean and Chinese words in figures get real glyphs

FORWARD_COLOR = "#1f77b4"   # blue: values of the forward pass
BACKWARD_COLOR = "#d62728"  # red: gradients of the backward pass
NEUTRAL_COLOR = "#7f7f7f"   # grey: values reused unchanged (Wᵀ, Xᵀ), raw scores
FORWARD_FILL = "#d6e6f4"    # light versions for filled blocks and bars
BACKWARD_FILL = "#f7d4d4"
NEUTRAL_FILL = "#e5e5e5"
CONTRACTED_COLOR = "#7b3fa0"  # purple: the axis a matrix product sums away (N in Xᵀ·dY)
HEATMAP_COLORMAP = "BrBG"   # diverging, and neither blue nor red: values, not directions


# Every word a figure shows: templates that fill() and translate() give in the learner's language.
MESSAGES = {
    "node_title": "A {symbol} node: the gradient from the right flows back to each input",
    "apple": "apple",
    "apple_count": "apple count",
    "tax": "tax",
    "price": "price",
    "orange": "orange",
    "orange_count": "orange count",
    "apple_title": "Buying apples: a gradient is how much the price moves per unit of an input",
    "apple_orange_title": "Apples and oranges: + passes the gradient on, × swaps its inputs",
    "sigmoid_graph_title": "Sigmoid node by node at x = {x}: each gradient is the one on its right × "
    "the node's local derivative (under it); at x it is y(1−y) = {dx}",
    "forward_legend": "forward value (above)",
    "backward_legend": "backward value (below)",
    "relu_forward_title": "forward: y = x for x > 0, else 0",
    "relu_backward_title": "backward: the gradient passes (×1) or is blocked (×0)",
    "panel_x": "input x",
    "panel_dx": "dx (0 where blocked)",
    "panel_dout": "dout (from upstream)",
    "relu_status": "{passed} of {size} gradients pass (x > 0); {blocked} blocked (mask True, x ≤ 0)",
    "relu_title": "ReLU: {status}\n"
    "a black frame marks a blocked entry in every panel: there out = 0 and dx = 0",
    "sigmoid_forward": "y = σ(x)  (forward)",
    "sigmoid_backward": "dy/dx = y(1−y)  (backward)",
    "tangent": "tangent at x: slope y(1−y)",
    "maximum": "maximum 0.25 at x = 0",
    "fades": "the gradient fades to 0\nfor large |x|",
    "sum_over": "sum over\nthe batch\naxis of",
    "summed_away": ": the N samples are summed away",
    "affine_title": ("Affine with D = {d} inputs and M = {m} outputs: every gradient has the shape of its "
    "variable;\ndW = Xᵀ·dY sums over the N samples (purple); dB adds up the N rows of dY"),
    "softmax_title": "loss = −log y[{label}] = {loss}: "
    "raise the true class's score to shrink the loss and the gradient",
    "panel_scores": "scores x (logits)",
    "panel_probabilities": "probabilities y = softmax(x)",
    "panel_gradient": "gradient dx = y − t",
    "class_tick": "class {k}",
    "true_tick": "\n(true)",
}


def format_value(value):
    """Text for a value in a graph: numbers with up to 4 significant digits, strings as they are.

    220.00000000000003 (the float the apple example really computes) shows as 220.
    """
    if isinstance(value, str):
        return value
    return f"{float(value):.4g}"


def artist_by_gid(parent, gid):
    """The one artist of an Axes or Figure (line, text, patch, ...) whose gid is `gid`."""
    (found,) = [artist for artist in parent.get_children() if artist.get_gid() == gid]
    return found


# ---------------------------------------------------------------- computational graphs

def computational_graph(operators, ends, edges, title):
    """Draw a computational graph: forward values above each edge, backward values below.

    Inputs:
    - operators: {key: (x, y, symbol)}: the nodes, drawn as circles ("×", "+", "exp", "/").
    - ends: {key: (x, y, text)}: loose ends (inputs and the output), drawn as their text.
    - edges: list of (name, start, end, forward_value, backward_value): an arrow from the key
      start to the key end. A value of None draws no text (a constant input names itself),
      and a backward_value of None no backward arrow either. Values are numbers or strings.
    - title: what to look at.
    Returns: a Figure with one Axes. The value texts have gid "forward:<name>" and "backward:<name>".
    """
    positions = {key: (x, y) for key, (x, y, _) in {**operators, **ends}.items()}
    node_radius = 0.32
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    x_limits = (min(xs) - 1.8, max(xs) + 1.4)
    y_limits = (min(ys) - 0.8, max(ys) + 0.7)
    inches_per_unit = 0.85
    figure = Figure(figsize=((x_limits[1] - x_limits[0]) * inches_per_unit,
                             (y_limits[1] - y_limits[0]) * inches_per_unit + 0.6), layout="constrained")
    ax = figure.add_subplot()
    ax.set_xlim(*x_limits)
    ax.set_ylim(*y_limits)
    ax.set_aspect("equal")
    ax.axis("off")

    for x, y, symbol in operators.values():
        ax.add_patch(Circle((x, y), node_radius, facecolor="white", edgecolor="black", linewidth=1.5,
                            zorder=3))
        ax.text(x, y, symbol, ha="center", va="center", fontsize=13, zorder=4)
    starts = {start for _, start, _, _, _ in edges}
    for key, (x, y, text) in ends.items():
        # An input's name stands left of its arrow, the output's name right of it.
        if key in starts:
            ax.text(x - 0.12, y, text, ha="right", va="center", fontsize=12)
        else:
            ax.text(x + 0.12, y, text, ha="left", va="center", fontsize=12)

    for name, start, end, forward_value, backward_value in edges:
        (x0, y0), (x1, y1) = positions[start], positions[end]
        direction = np.array([x1 - x0, y1 - y0]) / np.hypot(x1 - x0, y1 - y0)
        up = np.array([-direction[1], direction[0]])  # left of the direction of travel: "above"
        # Arrows stop at a node's circle, not at its centre.
        p0 = np.array([x0, y0]) + (direction * node_radius if start in operators else 0)
        p1 = np.array([x1, y1]) - (direction * node_radius if end in operators else 0)
        # Labels sit 40% of the way along: two edges that meet at a node are further apart there.
        anchor = p0 + 0.4 * (p1 - p0)
        ax.add_patch(FancyArrowPatch(p0, p1, arrowstyle="-|>", mutation_scale=14,
                                     color=FORWARD_COLOR, linewidth=1.6))
        if forward_value is not None:
            text = ax.text(*(anchor + 0.2 * up), format_value(forward_value), color=FORWARD_COLOR,
                           ha="center", va="bottom", fontsize=12, fontweight="bold")
            text.set_gid(f"forward:{name}")
        if backward_value is None:
            continue
        shift = -0.16 * up  # the backward arrow runs just below the forward one, the other way
        shortened = 0.15 * direction
        ax.add_patch(FancyArrowPatch(p1 + shift - shortened, p0 + shift + shortened, arrowstyle="-|>",
                                     mutation_scale=12, color=BACKWARD_COLOR, linewidth=1.3))
        text = ax.text(*(anchor - 0.3 * up), format_value(backward_value), color=BACKWARD_COLOR,
                       ha="center", va="top", fontsize=12, fontweight="bold")
        text.set_gid(f"backward:{name}")

    ax.set_title(title, fontsize=12)
    figure.legend(handles=[Line2D([], [], color=FORWARD_COLOR, label=translate(MESSAGES["forward_legend"])),
                           Line2D([], [], color=BACKWARD_COLOR,
                                  label=translate(MESSAGES["backward_legend"]))],
                  loc="lower right", fontsize=9, frameon=False, ncol=2)
    return figure


def node_graph(symbol, x, y, out, dx, dy, dout, title=None):
    """One node with inputs x, y and output out, like the book's figures 5-12 and 5-13.

    symbol is "×" or "+"; the values are numbers or strings (for the general rule).
    Edge names: "x", "y", "out".
    """
    operators = {"node": (2.6, 1.0, symbol)}
    ends = {"x": (0.0, 2.3, "x"), "y": (0.0, -0.3, "y"), "out": (5.0, 1.0, "z")}
    edges = [("x", "x", "node", x, dx), ("y", "y", "node", y, dy), ("out", "node", "out", out, dout)]
    if title is None:
        title = fill(MESSAGES["node_title"], symbol=symbol)
    return computational_graph(operators, ends, edges, title)


def apple_graph(apple, apple_num, tax, apple_price, price, dapple, dapple_num, dtax, dapple_price, dprice):
    """The book's apple example (figure 5-16): 2 apples at 100 each, with a 1.1 consumption tax.

    The arguments are the book's variable names: forward values, then their gradients.
    Edge names: apple, apple_num, tax, apple_price, price.
    """
    operators = {"mul_apple": (2.6, 1.5, "×"), "mul_tax": (5.4, 0.9, "×")}
    ends = {"apple": (0.0, 2.7, translate(MESSAGES["apple"])),
            "apple_num": (0.0, 0.3, translate(MESSAGES["apple_count"])),
            "tax": (3.0, -0.9, translate(MESSAGES["tax"])), "price": (7.8, 0.9, translate(MESSAGES["price"]))}
    edges = [
        ("apple", "apple", "mul_apple", apple, dapple),
        ("apple_num", "apple_num", "mul_apple", apple_num, dapple_num),
        ("apple_price", "mul_apple", "mul_tax", apple_price, dapple_price),
        ("tax", "tax", "mul_tax", tax, dtax),
        ("price", "mul_tax", "price", price, dprice),
    ]
    return computational_graph(operators, ends, edges,
                               translate(MESSAGES["apple_title"]))


def apple_orange_graph(apple, apple_num, orange, orange_num, tax,
                       apple_price, orange_price, all_price, price,
                       dapple, dapple_num, dorange, dorange_num, dtax,
                       dapple_price, dorange_price, dall_price, dprice):
    """The book's apple and orange example (figure 5-17): 2 apples at 100, 3 oranges at 150, tax 1.1.

    The arguments are the book's variable names: forward values, then their gradients.
    Edge names: apple, apple_num, orange, orange_num, tax, apple_price, orange_price, all_price, price.
    """
    operators = {"mul_apple": (2.6, 3.6, "×"), "mul_orange": (2.6, 0.6, "×"),
                 "add": (5.2, 2.1, "+"), "mul_tax": (7.8, 2.1, "×")}
    ends = {"apple": (0.0, 4.8, translate(MESSAGES["apple"])),
            "apple_num": (0.0, 2.4, translate(MESSAGES["apple_count"])),
            "orange": (0.0, 1.8, translate(MESSAGES["orange"])),
            "orange_num": (0.0, -0.6, translate(MESSAGES["orange_count"])),
            "tax": (5.2, -0.2, translate(MESSAGES["tax"])),
            "price": (10.2, 2.1, translate(MESSAGES["price"]))}
    edges = [
        ("apple", "apple", "mul_apple", apple, dapple),
        ("apple_num", "apple_num", "mul_apple", apple_num, dapple_num),
        ("orange", "orange", "mul_orange", orange, dorange),
        ("orange_num", "orange_num", "mul_orange", orange_num, dorange_num),
        ("apple_price", "mul_apple", "add", apple_price, dapple_price),
        ("orange_price", "mul_orange", "add", orange_price, dorange_price),
        ("all_price", "add", "mul_tax", all_price, dall_price),
        ("tax", "tax", "mul_tax", tax, dtax),
        ("price", "mul_tax", "price", price, dprice),
    ]
    return computational_graph(operators, ends, edges,
                               translate(MESSAGES["apple_orange_title"]))


def sigmoid_graph(x, minus_x, exp_minus_x, denominator, y, dy, ddenominator, dexp_minus_x, dminus_x, dx):
    """The Sigmoid layer drawn as its elementary nodes (the book's figure 5-20).

    x → ×(−1) → exp → +1 → / → y, forward values of each stage, then the gradient at each stage,
    from dy (the upstream gradient) back to dx.
    Edge names: x, minus_x, exp_minus_x, denominator, y (and the constants minus_one, one).
    """
    operators = {"times_minus_one": (2.0, 1.0, "×"), "exp": (4.2, 1.0, "exp"),
                 "plus_one": (6.4, 1.0, "+"), "divide": (8.6, 1.0, "/")}
    ends = {"x": (0.0, 1.0, "x"), "minus_one": (0.9, -0.4, "−1"), "one": (5.3, -0.4, "1"),
            "y": (10.6, 1.0, "y")}
    edges = [
        ("x", "x", "times_minus_one", x, dx),
        ("minus_one", "minus_one", "times_minus_one", None, None),
        ("minus_x", "times_minus_one", "exp", minus_x, dminus_x),
        ("exp_minus_x", "exp", "plus_one", exp_minus_x, dexp_minus_x),
        ("one", "one", "plus_one", None, None),
        ("denominator", "plus_one", "divide", denominator, ddenominator),
        ("y", "divide", "y", y, dy),
    ]
    figure = computational_graph(operators, ends, edges,
                                 fill(MESSAGES["sigmoid_graph_title"], x=format_value(x),
                                      dx=format_value(dx)))
    # Under each backward number, the factor its node multiplied by (figure 5-20's rules).
    ax = figure.axes[0]
    for edge, factor in SIGMOID_LOCAL_DERIVATIVES.items():
        number_x, number_y = artist_by_gid(ax, f"backward:{edge}").get_position()
        ax.text(number_x, number_y - 0.32, factor, color=BACKWARD_COLOR, ha="center", va="top",
                fontsize=10, fontstyle="italic", gid=f"local:{edge}")
    return figure


# The local derivative of the node each backward value has just passed, by the edge it stands on.
SIGMOID_LOCAL_DERIVATIVES = {
    "denominator": "× (−y²)",      # "/": d(1/u)/du = −1/u² = −y²
    "exp_minus_x": "× 1",          # "+": passes the gradient on
    "minus_x": "× exp(−x)",        # "exp": d exp(u)/du = exp(u), here exp(−x)
    "x": "× (−1)",                 # "×": times the other input, −1
}


# ---------------------------------------------------------------- ReLU

def relu_curves(x, out, dx):
    """ReLU and its derivative side by side.

    Inputs: x, a sorted 1-D grid; out = Relu.forward(x); dx = Relu.backward(ones): the derivative.
    Returns a Figure with two Axes (gid "function" and "derivative").
    """
    figure = Figure(figsize=(9, 3.4), layout="constrained")
    left, right = figure.subplots(1, 2)
    left.plot(x, out, color=FORWARD_COLOR, linewidth=2)
    left.set(xlabel="x", ylabel="y = max(0, x)", title=translate(MESSAGES["relu_forward_title"]),
             gid="function")
    right.plot(x, dx, color=BACKWARD_COLOR, linewidth=2, drawstyle="steps-post")
    right.set(xlabel="x", ylabel="dy/dx", ylim=(-0.15, 1.15),
              title=translate(MESSAGES["relu_backward_title"]), gid="derivative")
    for ax in (left, right):
        ax.axhline(0, color="black", linewidth=0.6)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.grid(alpha=0.3)
    return figure


# The five heatmaps of relu_mask: (gid, title, title colour, column, row). The forward pass runs
# left to right along the top row, the backward pass right to left along the bottom row, and the
# mask sits between them in the middle column: it gates both.
RELU_PANELS = [
    ("x", MESSAGES["panel_x"], FORWARD_COLOR, 0, 0),
    ("out", "out = max(0, x)", FORWARD_COLOR, 2, 0),
    ("mask", "mask = (x ≤ 0)", "black", 1, 0.5),
    ("dx", MESSAGES["panel_dx"], BACKWARD_COLOR, 0, 1),
    ("dout", MESSAGES["panel_dout"], BACKWARD_COLOR, 2, 1),
]
# One mark for "blocked" in every panel: a black frame around the cell. A reader follows one
# entry through x, mask, out, dout and dx by its frame, whatever its colour.
BLOCKED_COLOR = "black"


def relu_status(mask):
    """The line a learner reads: how many gradients pass and how many the mask blocks."""
    blocked = int(np.sum(mask))
    size = int(np.size(mask))
    return fill(MESSAGES["relu_status"], passed=size - blocked, size=size, blocked=blocked)


def relu_mask(x, mask, out, dout, dx, title=None, figure=None):
    """Five heatmaps of one ReLU layer: x → out on top, dx ← dout below, the mask between them.

    Inputs: arrays of one 2-D shape (H, W): x the input, mask = (x <= 0) as Relu.forward stores it,
    out = Relu.forward(x), dout the upstream gradient, dx = Relu.backward(dout).
    figure: a figure returned by an earlier call for arrays of the same shape. Its images and
    texts get the new values, which is several times faster than a new figure (a slider redraws
    on every move).
    Returns a Figure with five Axes, gids "x", "mask", "out", "dout", "dx"; each shows its array
    as an image (ax.images[0]) and its numbers in its cells (ax.texts, row by row; the mask's
    as True / False). out and dx use the colour scales of x and dout. Every blocked cell (mask
    True) is framed in black in every panel (a LineCollection with gid "blocked", one closed
    frame per blocked cell). The figure's title text has gid "title" and says how many pass.
    """
    arrays = {"x": x, "mask": mask, "out": out, "dout": dout, "dx": dx}
    if figure is None:
        figure = relu_mask_layout(np.shape(x))
    # One colour scale per pass: equal numbers look equal in x and out, and in dout and dx.
    forward_limit = float(np.max(np.abs([x, out]))) or 1.0
    backward_limit = float(np.max(np.abs([dout, dx]))) or 1.0
    frames = blocked_frames(np.asarray(mask, dtype=bool))
    for ax in figure.axes:
        gid = ax.get_gid()
        values = np.asarray(arrays[gid], dtype=float)
        image = ax.images[0]
        image.set_data(values)
        if gid != "mask":
            limit = forward_limit if gid in ("x", "out") else backward_limit
            image.set_clim(-limit, limit)
        labels = np.where(values > 0, "True", "False") if gid == "mask" else None
        show_cell_values(ax.texts, values, image, labels)
        artist_by_gid(ax, "blocked").set_segments(frames)
    if title is None:
        title = fill(MESSAGES["relu_title"], status=relu_status(mask))
    artist_by_gid(figure, "title").set_text(title)
    return figure


def blocked_frames(mask, inset=0.06):
    """One closed square per True cell of mask, just inside the cell (image coordinates)."""
    low, high = -0.5 + inset, 0.5 - inset
    corners = [(low, low), (high, low), (high, high), (low, high), (low, low)]
    return [[(column + a, row + b) for a, b in corners] for row, column in np.argwhere(mask)]


def relu_mask_layout(shape, cell_inches=0.5):
    """The empty figure of relu_mask for arrays of `shape` (H, W): axes at fixed positions
    (no layout engine to run on every redraw), an image, a text per cell and the blocked frames
    in each panel, a title."""
    rows, columns = shape
    panel_width, panel_height = columns * cell_inches, rows * cell_inches
    gap, title_room, top_room, margin = 0.75, 0.3, 0.6, 0.15  # top_room: the two-line title
    width = 3 * panel_width + 2 * gap + 2 * margin
    height = top_room + 2 * (title_room + panel_height) + gap / 2 + margin
    figure = Figure(figsize=(width, height))
    for gid, title, color, column, row in RELU_PANELS:
        left = margin + column * (panel_width + gap)
        top = height - top_room - title_room - row * (title_room + panel_height + gap / 2)
        ax = figure.add_axes((left / width, (top - panel_height) / height,
                              panel_width / width, panel_height / height), gid=gid)
        if gid == "mask":
            ax.imshow(np.zeros(shape), cmap="Greys", vmin=0, vmax=2.5)
        else:
            ax.imshow(np.zeros(shape), cmap=HEATMAP_COLORMAP, vmin=-1, vmax=1)
        for row_index, column_index in np.ndindex(shape):
            ax.text(column_index, row_index, "", ha="center", va="center", fontsize=9)
        ax.add_collection(LineCollection([], colors=BLOCKED_COLOR, linewidths=2, gid="blocked"),
                          autolim=False)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(translate(title), color=color, fontsize=10)
    figure.text(0.5, 1 - 0.1 / height, "", ha="center", va="top", fontsize=10.5, gid="title")
    # Arrows between the panels, in the direction of each pass.
    middle_top = height - top_room - title_room - panel_height / 2
    middle_bottom = middle_top - panel_height - title_room - gap / 2
    for column in (0, 1):
        x_inches = margin + (column + 1) * panel_width + (column + 0.5) * gap
        for y_inches, arrow, name, color in [(middle_top, "→", "forward", FORWARD_COLOR),
                                             (middle_bottom, "←", "backward", BACKWARD_COLOR)]:
            figure.text(x_inches / width, y_inches / height, arrow, color=color, fontsize=20,
                        ha="center", va="center")
            figure.text(x_inches / width, (y_inches + 0.22) / height, name, color=color, fontsize=9,
                        ha="center", va="bottom")
    return figure


def show_cell_values(texts, values, image, labels=None):
    """Write each value in its cell's text (row by row), white on dark colours, black on light ones.

    labels: texts to write instead of the numbers (the mask's True / False), of values' shape."""
    if not texts:
        return
    colors = image.cmap(image.norm(values))
    dark = colors[..., :3] @ [0.299, 0.587, 0.114] < 0.5  # perceived brightness of each cell
    if labels is None:
        # + 0.0 turns -0.0 into 0.0: no "-0" in a blocked cell
        labels = np.array([f"{value + 0.0:.2g}" for value in values.flat]).reshape(values.shape)
    for text, label, on_dark in zip(texts, np.asarray(labels).flat, dark.flat, strict=True):
        text.set_text(str(label))
        text.set_color("white" if on_dark else "black")


# ---------------------------------------------------------------- Sigmoid

def sigmoid_curve(x, y, slope, dout=1.0, dx=None, x_range=(-8.0, 8.0), figure=None):
    """σ and its derivative y(1−y) on one plot, with the point at x, its tangent and dx.

    Inputs: x, a number; y = σ(x) and slope = dy/dx = y(1−y), both from the Sigmoid layer;
    dout, the upstream gradient, and dx = Sigmoid.backward(dout) = dout · y(1−y) (default: dout · slope).
    The smooth curves over x_range come from deepnet.sigmoid.
    figure: a figure returned by an earlier call (same x_range): only the point, the tangent, the
    dout curve and the title move, which is several times faster than a new figure (a slider
    redraws on every move).
    Returns a Figure with one Axes; lines with gid "sigmoid", "derivative", "tangent",
    "point" (at (x, y)), "slope point" (at (x, slope)), "x" (the vertical line at x),
    "dout curve" (dout · y(1−y) over x_range) and "dx point" (at (x, dx)).
    """
    x, y, slope, dout = float(x), float(y), float(slope), float(dout)
    dx = dout * slope if dx is None else float(dx)
    if figure is None:
        figure = sigmoid_curve_layout(x_range)
    ax = figure.axes[0]
    # The tangent at x has the slope y(1−y): the factor backward multiplies dout by.
    tangent_x = np.array([x - 1.5, x + 1.5])
    artist_by_gid(ax, "tangent").set_data(tangent_x, y + slope * (tangent_x - x))
    artist_by_gid(ax, "point").set_data([x], [y])
    artist_by_gid(ax, "slope point").set_data([x], [slope])
    artist_by_gid(ax, "x").set_xdata([x, x])
    dout_curve = artist_by_gid(ax, "dout curve")
    grid = dout_curve.get_xdata()
    curve = sigmoid(grid)
    dout_curve.set_ydata(dout * curve * (1 - curve))
    artist_by_gid(ax, "dx point").set_data([x], [dx])
    ax.set_title(f"x = {x:.2f}: y = {y:.4f};  dx = dout · y(1−y) = {dout:.2f} × {slope:.4f} = {dx:.4f}",
                 fontsize=10.5)
    return figure


def sigmoid_curve_layout(x_range):
    """The figure of sigmoid_curve without its point: curves, legend and notes at fixed positions."""
    grid = np.linspace(*x_range, 401)
    curve = sigmoid(grid)
    figure = Figure(figsize=(7.2, 4.0))
    ax = figure.add_axes((0.09, 0.12, 0.89, 0.8))
    ax.plot(grid, curve, color=FORWARD_COLOR, linewidth=2, label=translate(MESSAGES["sigmoid_forward"]),
            gid="sigmoid")
    ax.plot(grid, curve * (1 - curve), color=BACKWARD_COLOR, linewidth=2,
            label=translate(MESSAGES["sigmoid_backward"]), gid="derivative")
    ax.plot(grid, curve * (1 - curve), color=BACKWARD_COLOR, linewidth=1.3, linestyle=":",
            label="dx = dout · y(1−y)", gid="dout curve")
    ax.plot([], [], color="black", linestyle="--", linewidth=1.3, label=translate(MESSAGES["tangent"]),
            gid="tangent")
    ax.plot([], [], "o", color=FORWARD_COLOR, markersize=8, gid="point")
    ax.plot([], [], "o", color=BACKWARD_COLOR, markersize=8, gid="slope point")
    ax.plot([], [], "s", color=BACKWARD_COLOR, markerfacecolor="white", markeredgewidth=2, markersize=8,
            gid="dx point")
    ax.axvline(0, color=NEUTRAL_COLOR, linewidth=0.8, linestyle=":", gid="x")
    ax.plot([0], [0.25], "D", color=BACKWARD_COLOR, markerfacecolor="white", markersize=6)
    ax.annotate(translate(MESSAGES["maximum"]), (0, 0.25), xytext=(-7.6, 0.42), fontsize=9,
                arrowprops={"arrowstyle": "->", "color": NEUTRAL_COLOR})
    ax.annotate(translate(MESSAGES["fades"]), (6, 0.005), xytext=(3.3, 0.3), fontsize=9,
                arrowprops={"arrowstyle": "->", "color": NEUTRAL_COLOR})
    # Room below 0 for dx with a negative dout (the slider goes down to dout = −2: dx ≥ −0.5).
    ax.set(xlim=x_range, ylim=(-0.58, 1.1), xlabel="x", ylabel="y,  dy/dx,  dx")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8.5)
    return figure


# ---------------------------------------------------------------- Affine

def affine_shapes(X, W, B, Y, dY, dX, dW, dB, batch_room=None, figure=None):
    """The shapes of the Affine layer's forward and backward passes, drawn as grids of cells.

    Inputs (numpy arrays, from an Affine layer): X (N, D), W (D, M), B (M,), Y = X·W + B (N, M),
    dY (N, M) the upstream gradient, dX = dY·Wᵀ (N, D), dW = Xᵀ·dY (D, M), dB (M,) = dY summed
    over the batch axis. In the dB equation every cell shows its value, so the sum can be read off.
    batch_room: the largest batch size to leave room for (default N): with room for a slider's
    largest N, the figure keeps its size and its parameter blocks keep their places for every N.
    figure: a figure returned by an earlier call with the same D, M and batch_room: its
    batch-sized blocks are resized and its numbers rewritten in place.
    Returns a Figure with two Axes on top of each other: gid "parameters" holds what does not
    depend on N (W, B, Wᵀ, dW, dB and the operators), gid "batch" the blocks that grow with N
    (X, Y, dY, dX, Xᵀ) and the numbers. Each block's label ("X (N, D)") has gid "shape:<name>".
    In dW = Xᵀ·dY the axis of length N, which the product sums away, is marked in CONTRACTED_COLOR:
    brackets (lines with gid "contracted:Xᵀ" and "contracted:dY") labelled "N = 4" (texts with
    gid "contracted:N"), and a caption with the shapes of the product (gid "contracted:caption").
    """
    n, d = np.shape(X)
    m = np.shape(W)[1]
    room = max(n, batch_room or n)
    # Four equations in two columns: forward and dX on the left, dW and dB on the right.
    # Each block: (name, array, colours, grows with the batch?).
    equations = [
        [("X", X, "forward", True), "·", ("W", W, "forward", False), "+", ("B", B, "forward", False), "=",
         ("Y", Y, "forward", True)],
        [("dX", dX, "backward", True), "=", ("dY", dY, "backward", True), "·", ("Wᵀ", W.T, "neutral", False)],
        [("dW", dW, "backward", False), "=", ("Xᵀ", X.T, "neutral", True), "·", ("dY", dY, "backward", True)],
        [("dB", dB, "backward", False), "=", translate(MESSAGES["sum_over"]), ("dY", dY, "backward", True)],
    ]
    cell = 0.5
    # The height of each equation with room for `room` rows in every batch-sized block.
    heights = [max((room if item[3] and item[0] != "Xᵀ" else np.atleast_2d(item[1]).shape[0]) * cell
                   for item in items if not isinstance(item, str)) for items in equations]
    band_heights = [max(heights[0], heights[2]), max(heights[1], heights[3])]
    middles = [-band_heights[0] / 2, -band_heights[0] - 1.6 - band_heights[1] / 2]

    new_figure = figure is None
    if new_figure:
        figure = Figure()
        parameters_ax = figure.add_axes((0, 0, 1, 1), gid="parameters")
        batch_ax = figure.add_axes((0, 0, 1, 1), gid="batch")
        drawn = None
    else:
        parameters_ax, batch_ax = figure.axes
        # The batch axes' blocks and numbers, in the order the first call drew them: moved, resized
        # and given new text instead of drawn anew (making artists is a third of a slider move).
        labels = [text for text in batch_ax.texts if text.get_gid().startswith("shape:")]
        drawn = {"blocks": iter(zip(batch_ax.patches, batch_ax.collections, labels, strict=True)),
                 "values": iter([text for text in batch_ax.texts if text.get_gid() == "value"])}
    draw = {"parameters": parameters_ax if new_figure else None, "batch": batch_ax, "drawn": drawn}
    left_width = max(draw_equation(draw, equations[row], 0.0, middles[row], cell, room) for row in (0, 1))
    right_start = left_width + 1.5
    product_blocks = {}  # where Xᵀ and dY of dW = Xᵀ·dY are drawn: their N axis gets marked
    right_end = max(draw_equation(draw, equations[row + 2], right_start, middles[row], cell, room,
                                  show_values=(row == 1), extents=product_blocks if row == 0 else None)
                    for row in (0, 1))
    caption_x, caption_y = (right_start + right_end) / 2 - 0.8, -band_heights[0] - 0.45  # its middle
    mark_contracted_axis(batch_ax, product_blocks, n, f"{X.T.shape} · {dY.shape} = {dW.shape}",
                         caption_x, caption_y, new_figure)
    if new_figure:  # the words that do not change with N: drawn once, not on every slider move
        parameters_ax.text(caption_x + 0.02, caption_y, translate(MESSAGES["summed_away"]), ha="left",
                           va="center", fontsize=9.5, color=CONTRACTED_COLOR, gid="contracted:note")
    # A fixed scale (inches per data unit) and axes sized to the drawing: no layout engine has to
    # measure the texts on every redraw. Room on the right for the bracket beside dY.
    left, right, bottom, top = -0.3, right_end + 1.4, middles[1] - band_heights[1] / 2 - 0.3, 1.2
    inches_per_unit, title_inches = 0.5, 0.55
    width, height = (right - left) * inches_per_unit, (top - bottom) * inches_per_unit
    for ax in (parameters_ax, batch_ax):
        ax.set_position((0, 0, 1, height / (height + title_inches)))
        ax.set_xlim(left, right)
        ax.set_ylim(bottom, top)
        ax.axis("off")
    if new_figure:
        figure.set_size_inches(width, height + title_inches)
        # The title does not change with N (the block labels show it): one text less to redraw.
        figure.text(0.5, 1 - 0.08 / (height + title_inches),
                    fill(MESSAGES["affine_title"], d=d, m=m),
                    ha="center", va="top", fontsize=10, gid="title")
    return figure


def mark_contracted_axis(ax, blocks, n, caption, caption_x, caption_y, new_figure):
    """Brackets along the N axis of Xᵀ (under it) and of dY (beside it), each labelled "N = n", and
    a caption under the equation. blocks: {name: (left, bottom, right, top)} from draw_equation.
    new_figure False: the artists exist (gids "contracted:..."): they are moved, not drawn anew."""
    x_left, x_bottom, x_right, _ = blocks["Xᵀ"]
    d_left, d_bottom, d_right, d_top = blocks["dY"]
    reach, gap = 0.15, 0.08  # bracket depth and its distance from the block, in data units
    brackets = {
        "Xᵀ": ([x_left, x_left, x_right, x_right],
               [x_bottom - gap, x_bottom - gap - reach, x_bottom - gap - reach, x_bottom - gap]),
        "dY": ([d_right + gap, d_right + gap + reach, d_right + gap + reach, d_right + gap],
               [d_top, d_top, d_bottom, d_bottom]),
    }
    labels = [((x_left + x_right) / 2, x_bottom - gap - reach - 0.08, "center", "top"),
              (d_right + gap + reach + 0.1, (d_bottom + d_top) / 2, "left", "center")]
    if new_figure:
        for name in brackets:
            ax.add_line(Line2D([], [], color=CONTRACTED_COLOR, linewidth=2, gid=f"contracted:{name}"))
        for _ in labels:
            ax.text(0, 0, "", fontsize=10, color=CONTRACTED_COLOR, fontweight="bold", gid="contracted:N")
        ax.text(0, 0, "", ha="right", va="center", fontsize=9.5, color=CONTRACTED_COLOR,
                gid="contracted:caption")
    for name, (xs, ys) in brackets.items():
        artist_by_gid(ax, f"contracted:{name}").set_data(xs, ys)
    n_labels = [text for text in ax.texts if text.get_gid() == "contracted:N"]
    for text, (x, y, ha, va) in zip(n_labels, labels, strict=True):
        text.set_position((x, y))
        text.set_text(f"N = {n}")
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)
    caption_text = artist_by_gid(ax, "contracted:caption")
    caption_text.set_position((caption_x, caption_y))
    caption_text.set_text(caption)


def draw_equation(draw, items, left, middle, cell, room, show_values=False, extents=None):
    """Draw one equation of blocks and operator texts from x = left, centred on y = middle.

    draw: {"parameters": Axes or None, "batch": Axes, "drawn": None or iterators}: where the blocks
    that do not grow with the batch (and the operators) go (None: they are drawn already), and
    where the batch-sized blocks and all numbers go; "drawn" holds the batch axes' blocks and
    numbers from an earlier call ({"blocks": (frame, borders, label), "values": texts}, in the
    order they were drawn), to update in place, or None to draw new ones.
    items: (name, array, kind, grows with the batch) tuples, drawn as one cell per entry (a 1-D
    array as one row), and strings drawn between them. Each block gets the width of `room`
    samples if it grows sideways with the batch (Xᵀ). show_values writes each entry in its cell
    (cells then are wider, so that numbers such as -0.3 fit at a readable size); a batch-sized
    block gets texts for `room` rows, those beyond its N rows hidden.
    extents: a dict to fill with {name: (left, bottom, right, top)} of the batch-sized blocks.
    Returns the right edge.
    """
    fills = {"forward": (FORWARD_FILL, FORWARD_COLOR), "backward": (BACKWARD_FILL, BACKWARD_COLOR),
             "neutral": (NEUTRAL_FILL, NEUTRAL_COLOR)}
    cell_width = cell * 1.6 if show_values else cell
    for item in items:
        if isinstance(item, str):
            short = len(item) == 1
            if draw["parameters"] is not None:
                draw["parameters"].text(left + (0.35 if short else 0.7), middle, item, ha="center",
                                        va="center", fontsize=14 if short else 9)
            left += 0.7 if short else 1.4
            continue
        name, array, kind, grows = item
        values = np.atleast_2d(array)
        rows, columns = values.shape
        drawn = draw["drawn"]
        if grows:
            block = None if drawn is None else next(drawn["blocks"])
            draw_block(draw["batch"], name, values, np.shape(array), fills[kind], left, middle,
                       (cell_width, cell), block)
            if extents is not None:
                extents[name] = (left, middle - rows * cell / 2, left + columns * cell_width,
                                 middle + rows * cell / 2)
        elif draw["parameters"] is not None:
            draw_block(draw["parameters"], name, values, np.shape(array), fills[kind], left, middle,
                       (cell_width, cell))
        if show_values:
            top = middle + rows * cell / 2
            for row in range(room if grows else rows):
                for column in range(columns):
                    text = (draw["batch"].text(0, 0, "", ha="center", va="center", fontsize=9.5,
                                               color=BACKWARD_COLOR, gid="value")
                            if drawn is None else next(drawn["values"]))
                    text.set_visible(row < rows)
                    if row < rows:
                        text.set_position((left + (column + 0.5) * cell_width, top - (row + 0.5) * cell))
                        text.set_text(f"{values[row, column]:.1f}")
        sideways = grows and name == "Xᵀ"  # its columns are the samples
        left += (room if sideways else columns) * cell_width
    return left


def draw_block(ax, name, values, shape, colors, left, middle, cell, block=None):
    """One array as a grid of cells centred on y = middle, with its name and shape above it.

    cell: the (width, height) of one cell, in data units.
    block: the (frame, borders, label) of an earlier call for the same name, to move and resize
    instead of drawing new ones. Returns the block's (frame, borders, label).
    """
    if block is None:
        fill, edge = colors
        # The inner cell borders as one collection of lines: far faster to draw than a rectangle per cell.
        block = (ax.add_patch(Rectangle((0, 0), 0, 0, facecolor=fill, edgecolor=edge, linewidth=1)),
                 ax.add_collection(LineCollection([], colors=edge, linewidths=1), autolim=False),
                 ax.text(0, 0, "", ha="center", va="bottom", fontsize=10, color=edge, gid=f"shape:{name}"))
    frame, borders, label = block
    cell_width, cell_height = cell
    rows, columns = values.shape
    top, bottom = middle + rows * cell_height / 2, middle - rows * cell_height / 2
    right = left + columns * cell_width
    frame.set_bounds(left, bottom, columns * cell_width, rows * cell_height)
    borders.set_segments([[(left, y), (right, y)] for y in bottom + cell_height * np.arange(1, rows)]
                         + [[(x, bottom), (x, top)] for x in left + cell_width * np.arange(1, columns)])
    label.set_position((left + columns * cell_width / 2, top + 0.1))
    label.set_text(f"{name} {shape}")
    return block


# ---------------------------------------------------------------- Softmax-with-Loss

def softmax_bars(scores, probabilities, label, gradient, loss, figure=None):
    """Scores, softmax probabilities and the gradient y − t of Softmax-with-Loss, as bar charts.

    Inputs for one sample with C classes: scores (C,), probabilities = softmax(scores) (C,),
    label the index of the true class, gradient = SoftmaxWithLoss.backward() (C,), loss the number.
    figure: a figure returned by an earlier call with the same C and label: its bars and numbers
    get the new values, which is several times faster than a new figure (a slider redraws on
    every move).
    Returns a Figure with three Axes (gid "scores", "probabilities", "gradient"); each shows its
    values as bar heights (ax.patches) and writes them above the bars (ax.texts), with the true
    class drawn hatched. The figure's title text (with the loss) has gid "title".
    """
    scores, probabilities, gradient = (np.asarray(a, dtype=float).reshape(-1)
                                       for a in (scores, probabilities, gradient))
    if figure is None:
        figure = softmax_bars_layout(scores.size, label)
    # The scores' axis fits the largest score (at least ±5, the sliders' range: there it never moves).
    score_limit = 1.2 * max(5.0, float(np.max(np.abs(scores))))
    figure.axes[0].set_ylim(-score_limit, score_limit)
    panels = {"scores": scores, "probabilities": probabilities, "gradient": gradient}
    for ax in figure.axes:
        values = panels[ax.get_gid()]
        low, high = ax.get_ylim()
        gap = 0.02 * (high - low)  # between a bar's end and its number
        digits = 2 if ax.get_gid() == "scores" else 4
        for bar, text, value in zip(ax.patches, ax.texts, values, strict=True):
            bar.set_height(value)
            text.set_y(value + gap if value >= 0 else value - gap)
            text.set_text(f"{value:.{digits}f}")
            text.set_verticalalignment("bottom" if value >= 0 else "top")
    artist_by_gid(figure, "title").set_text(fill(MESSAGES["softmax_title"], label=label,
                                                 loss=f"{float(loss):.4f}"))
    return figure


def softmax_bars_layout(classes, label):
    """The figure of softmax_bars with bars of height 0: three Axes at fixed positions."""
    panels = [
        # softmax_bars may widen the scores' range
        ("scores", translate(MESSAGES["panel_scores"]), NEUTRAL_COLOR, (-6.0, 6.0)),
        ("probabilities", translate(MESSAGES["panel_probabilities"]), FORWARD_COLOR, (0, 1.15)),
        ("gradient", translate(MESSAGES["panel_gradient"]), BACKWARD_COLOR, (-1.15, 1.15)),
    ]
    positions = np.arange(classes)
    figure = Figure(figsize=(8.4, 3.1))
    for index, (gid, name, color, limits) in enumerate(panels):
        ax = figure.add_axes((0.07 + index * 0.33, 0.17, 0.255, 0.64), gid=gid)
        bars = ax.bar(positions, np.zeros(classes), color=color, alpha=0.85, edgecolor="black")
        bars[label].set_hatch("//")
        for position in positions:
            ax.text(position, 0, "", ha="center", va="bottom", fontsize=8.5)
        ax.axhline(0, color="black", linewidth=0.8)
        ticks = [fill(MESSAGES["class_tick"], k=k) + (translate(MESSAGES["true_tick"]) if k == label else "")
                 for k in positions]
        ax.set_xticks(positions, ticks, fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_ylim(*limits)
        ax.set_title(name, color=color, fontsize=10)
    figure.text(0.5, 0.97, "", ha="center", va="top", fontsize=11, gid="title")
    return figure

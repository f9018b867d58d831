"""Figures for the chapter notebooks: computational graphs, the ReLU mask, the Sigmoid curve,
Affine shapes and softmax bars.

Every function takes numbers (computed by deepnet's layers in the notebook or in
deepnet.widgets) and returns a matplotlib Figure; nothing is computed behind the reader's back
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
"""
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from deepnet.functions import sigmoid

FORWARD_COLOR = "#1f77b4"   # blue: values of the forward pass
BACKWARD_COLOR = "#d62728"  # red: gradients of the backward pass
NEUTRAL_COLOR = "#7f7f7f"   # grey: values reused unchanged (Wᵀ, Xᵀ), raw scores
FORWARD_FILL = "#d6e6f4"    # light versions for filled blocks and bars
BACKWARD_FILL = "#f7d4d4"
NEUTRAL_FILL = "#e5e5e5"
HEATMAP_COLORMAP = "BrBG"   # diverging, and neither blue nor red: values, not directions


def format_value(value):
    """Text for a value in a graph: numbers with up to 4 significant digits, strings as they are.

    220.00000000000003 (the float the apple example really computes) shows as 220.
    """
    if isinstance(value, str):
        return value
    return f"{float(value):.4g}"


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
    figure.legend(handles=[Line2D([], [], color=FORWARD_COLOR, label="forward value (above)"),
                           Line2D([], [], color=BACKWARD_COLOR, label="backward value (below)")],
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
        title = f"A {symbol} node: the gradient from the right flows back to each input"
    return computational_graph(operators, ends, edges, title)


def apple_graph(apple, apple_num, tax, apple_price, price, dapple, dapple_num, dtax, dapple_price, dprice):
    """The book's apple example (figure 5-16): 2 apples at 100 each, with a 1.1 consumption tax.

    The arguments are the book's variable names: forward values, then their gradients.
    Edge names: apple, apple_num, tax, apple_price, price.
    """
    operators = {"mul_apple": (2.6, 1.5, "×"), "mul_tax": (5.4, 0.9, "×")}
    ends = {"apple": (0.0, 2.7, "apple"), "apple_num": (0.0, 0.3, "apple count"),
            "tax": (3.0, -0.9, "tax"), "price": (7.8, 0.9, "price")}
    edges = [
        ("apple", "apple", "mul_apple", apple, dapple),
        ("apple_num", "apple_num", "mul_apple", apple_num, dapple_num),
        ("apple_price", "mul_apple", "mul_tax", apple_price, dapple_price),
        ("tax", "tax", "mul_tax", tax, dtax),
        ("price", "mul_tax", "price", price, dprice),
    ]
    return computational_graph(operators, ends, edges,
                               "Buying apples: a gradient is how much the price moves per unit of an input")


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
    ends = {"apple": (0.0, 4.8, "apple"), "apple_num": (0.0, 2.4, "apple count"),
            "orange": (0.0, 1.8, "orange"), "orange_num": (0.0, -0.6, "orange count"),
            "tax": (5.2, -0.2, "tax"), "price": (10.2, 2.1, "price")}
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
                               "Apples and oranges: + passes the gradient on, × swaps its inputs")


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
    return computational_graph(operators, ends, edges,
                               f"Sigmoid node by node at x = {format_value(x)}: "
                               f"the gradient reaching x is y(1−y) = {format_value(dx)}")


# ---------------------------------------------------------------- ReLU

def relu_curves(x, out, dx):
    """ReLU and its derivative side by side.

    Inputs: x, a sorted 1-D grid; out = Relu.forward(x); dx = Relu.backward(ones): the derivative.
    Returns a Figure with two Axes (gid "function" and "derivative").
    """
    figure = Figure(figsize=(9, 3.4), layout="constrained")
    left, right = figure.subplots(1, 2)
    left.plot(x, out, color=FORWARD_COLOR, linewidth=2)
    left.set(xlabel="x", ylabel="y = max(0, x)", title="forward: y = x for x > 0, else 0", gid="function")
    right.plot(x, dx, color=BACKWARD_COLOR, linewidth=2, drawstyle="steps-post")
    right.set(xlabel="x", ylabel="dy/dx", ylim=(-0.15, 1.15),
              title="backward: the gradient passes (×1) or is blocked (×0)", gid="derivative")
    for ax in (left, right):
        ax.axhline(0, color="black", linewidth=0.6)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.grid(alpha=0.3)
    return figure


def relu_mask(x, mask, out, dout, dx, title=None):
    """Five heatmaps of one ReLU layer, side by side: x, mask, out, dout, dx, each cell labelled.

    Inputs: arrays of one 2-D shape (H, W): x the input, mask = (x <= 0) as Relu.forward stores it,
    out = Relu.forward(x), dout the upstream gradient, dx = Relu.backward(dout).
    Returns a Figure with five Axes, gids "x", "mask", "out", "dout", "dx"; each shows its array
    as an image (ax.images[0]).
    """
    panels = [
        ("x", x, "input x", FORWARD_COLOR),
        ("mask", mask, "mask = (x ≤ 0)", "black"),
        ("out", out, "out = max(0, x)", FORWARD_COLOR),
        ("dout", dout, "dout (from upstream)", BACKWARD_COLOR),
        ("dx", dx, "dx = 0 where mask", BACKWARD_COLOR),
    ]
    # One colour scale for the four value panels, so equal numbers look equal everywhere.
    limit = max(np.max(np.abs(values)) for gid, values, _, _ in panels if gid != "mask") or 1.0
    figure = Figure(figsize=(15, 3.6), layout="constrained")
    for ax, (gid, values, label, color) in zip(figure.subplots(1, len(panels)), panels, strict=True):
        values = np.asarray(values)
        if gid == "mask":
            ax.imshow(values, cmap="Greys", vmin=0, vmax=1.6)
            texts = np.where(values, "True", "False")
        else:
            ax.imshow(values, cmap=HEATMAP_COLORMAP, vmin=-limit, vmax=limit)
            texts = np.vectorize(lambda v: f"{v:.2f}")(values)
        # White text on the dark cells: True in the mask, large magnitudes elsewhere.
        dark = values if gid == "mask" else np.abs(values) > 0.6 * limit
        for (row, column), text in np.ndenumerate(texts):
            ax.text(column, row, text, ha="center", va="center", fontsize=9,
                    color="white" if dark[row, column] else "black")
        ax.set_title(label, color=color, fontsize=12)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.set_xticks(range(values.shape[1]))
        ax.set_yticks(range(values.shape[0]))
        ax.set_gid(gid)
    if title is None:
        blocked = int(np.sum(mask))
        title = (f"ReLU: where the mask is True (dark, {blocked} of {np.size(mask)} entries) "
                 "the output is 0 and the gradient is blocked")
    figure.suptitle(title, fontsize=13)
    return figure


# ---------------------------------------------------------------- Sigmoid

def sigmoid_curve(x, y, slope, x_range=(-8.0, 8.0)):
    """σ and its derivative y(1−y) on one plot, with the point at x and its tangent.

    Inputs: x, a number; y = σ(x) and slope = dy/dx = y(1−y), both from the Sigmoid layer.
    The smooth curves over x_range come from deepnet.sigmoid.
    Returns a Figure with one Axes; lines with gid "sigmoid", "derivative", "tangent",
    "point" (at (x, y)) and "slope point" (at (x, slope)).
    """
    x, y, slope = float(x), float(y), float(slope)
    grid = np.linspace(*x_range, 401)
    curve = sigmoid(grid)
    figure = Figure(figsize=(8, 4.6), layout="constrained")
    ax = figure.add_subplot()
    ax.plot(grid, curve, color=FORWARD_COLOR, linewidth=2, label="y = σ(x)  (forward)", gid="sigmoid")
    ax.plot(grid, curve * (1 - curve), color=BACKWARD_COLOR, linewidth=2,
            label="dy/dx = y(1−y)  (backward)", gid="derivative")
    # The tangent at x has the slope y(1−y): the factor backward multiplies dout by.
    tangent_x = np.array([x - 1.5, x + 1.5])
    ax.plot(tangent_x, y + slope * (tangent_x - x), color="black", linestyle="--", linewidth=1.3,
            label=f"tangent at x = {x:.2f}, slope {slope:.4f}", gid="tangent")
    ax.plot([x], [y], "o", color=FORWARD_COLOR, markersize=9, gid="point")
    ax.plot([x], [slope], "o", color=BACKWARD_COLOR, markersize=9, gid="slope point")
    ax.axvline(x, color=NEUTRAL_COLOR, linewidth=0.8, linestyle=":")
    ax.plot([0], [0.25], "D", color=BACKWARD_COLOR, markerfacecolor="white", markersize=7)
    ax.annotate("maximum 0.25 at x = 0", (0, 0.25), xytext=(-7.5, 0.42), fontsize=10,
                arrowprops={"arrowstyle": "->", "color": NEUTRAL_COLOR})
    ax.set(xlim=x_range, ylim=(-0.1, 1.1), xlabel="x", ylabel="y  and  dy/dx")
    ax.set_title(f"x = {x:.2f}: y = {y:.4f}, slope y(1−y) = {slope:.4f}; "
                 "the gradient fades to 0 for large |x|", fontsize=12)
    ax.grid(alpha=0.3)
    ax.legend(loc="center right", fontsize=9)
    return figure


# ---------------------------------------------------------------- Affine

def affine_shapes(X, W, B, Y, dY, dX, dW, dB):
    """The shapes of the Affine layer's forward and backward passes, drawn as grids of cells.

    Inputs (numpy arrays, from an Affine layer): X (N, D), W (D, M), B (M,), Y = X·W + B (N, M),
    dY (N, M) the upstream gradient, dX = dY·Wᵀ (N, D), dW = Xᵀ·dY (D, M), dB (M,) = dY summed
    over the batch axis. In the dB equation every cell shows its value, so the sum can be read off.
    Returns a Figure with one Axes; each block's label ("X\\n(N, D)") has gid "shape:<name>".
    """
    # Four equations in two columns: forward and dX on the left, dW and dB on the right.
    equations = [
        [("X", X, "forward"), "·", ("W", W, "forward"), "+", ("B", B, "forward"), "=", ("Y", Y, "forward")],
        [("dX", dX, "backward"), "=", ("dY", dY, "backward"), "·", ("Wᵀ", W.T, "neutral")],
        [("dW", dW, "backward"), "=", ("Xᵀ", X.T, "neutral"), "·", ("dY", dY, "backward")],
        [("dB", dB, "backward"), "=", "sum over\nthe batch\naxis of", ("dY", dY, "backward")],
    ]
    cell = 0.5
    heights = [max(np.atleast_2d(item[1]).shape[0] for item in items if not isinstance(item, str)) * cell
               for items in equations]
    band_heights = [max(heights[0], heights[2]), max(heights[1], heights[3])]
    middles = [-band_heights[0] / 2, -band_heights[0] - 1.6 - band_heights[1] / 2]
    figure = Figure(layout="constrained")
    ax = figure.add_subplot()
    left_width = max(draw_equation(ax, equations[row], 0.0, middles[row], cell) for row in (0, 1))
    right_start = left_width + 1.5
    right_end = max(draw_equation(ax, equations[row + 2], right_start, middles[row], cell,
                                  show_values=(row == 1))
                    for row in (0, 1))
    bottom = middles[1] - band_heights[1] / 2 - 0.3
    ax.set_xlim(-0.3, right_end + 0.3)
    ax.set_ylim(bottom, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    inches_per_unit = 0.55
    figure.set_size_inches((right_end + 0.6) * inches_per_unit + 0.4, (1.2 - bottom) * inches_per_unit + 0.9)
    n, d = np.shape(X)
    m = np.shape(W)[1]
    ax.set_title(f"Affine with a batch of N = {n} (D = {d} inputs, M = {m} outputs): every gradient has "
                 "the shape of its variable;\ndB adds up the N rows of dY, since the same B was added "
                 "to every row", fontsize=11)
    return figure


def draw_equation(ax, items, left, middle, cell, show_values=False):
    """Draw one equation of blocks and operator texts from x = left, centred on y = middle.

    items: (name, array, kind) tuples, drawn as one cell per entry (a 1-D array as one row), and
    strings drawn between them. show_values writes each entry in its cell. Returns the right edge.
    """
    fills = {"forward": (FORWARD_FILL, FORWARD_COLOR), "backward": (BACKWARD_FILL, BACKWARD_COLOR),
             "neutral": (NEUTRAL_FILL, NEUTRAL_COLOR)}
    for item in items:
        if isinstance(item, str):
            short = len(item) == 1
            ax.text(left + (0.35 if short else 0.7), middle, item, ha="center", va="center",
                    fontsize=14 if short else 9)
            left += 0.7 if short else 1.4
            continue
        name, array, kind = item
        values = np.atleast_2d(array)
        fill, edge = fills[kind]
        block_top = middle + values.shape[0] * cell / 2
        for (row, column), value in np.ndenumerate(values):
            ax.add_patch(Rectangle((left + column * cell, block_top - (row + 1) * cell), cell, cell,
                                   facecolor=fill, edgecolor=edge, linewidth=1))
            if show_values:
                ax.text(left + (column + 0.5) * cell, block_top - (row + 0.5) * cell, f"{value:.1f}",
                        ha="center", va="center", fontsize=7.5, color=BACKWARD_COLOR)
        width = values.shape[1] * cell
        label = ax.text(left + width / 2, block_top + 0.1, f"{name}\n{np.shape(array)}", ha="center",
                        va="bottom", fontsize=10, color=edge)
        label.set_gid(f"shape:{name}")
        left += width
    return left


# ---------------------------------------------------------------- Softmax-with-Loss

def softmax_bars(scores, probabilities, label, gradient, loss):
    """Scores, softmax probabilities and the gradient y − t of Softmax-with-Loss, as bar charts.

    Inputs for one sample with C classes: scores (C,), probabilities = softmax(scores) (C,),
    label the index of the true class, gradient = SoftmaxWithLoss.backward() (C,), loss the number.
    Returns a Figure with three Axes (gid "scores", "probabilities", "gradient"); each shows its
    values as bar heights (ax.patches), with the true class drawn hatched.
    """
    scores, probabilities, gradient = (np.asarray(a, dtype=float).reshape(-1)
                                       for a in (scores, probabilities, gradient))
    classes = np.arange(scores.size)
    score_limit = max(5.0, float(np.max(np.abs(scores))))
    panels = [
        ("scores", scores, "scores x (logits)", NEUTRAL_COLOR, (-score_limit, score_limit)),
        ("probabilities", probabilities, "probabilities y = softmax(x)", FORWARD_COLOR, (0, 1.1)),
        ("gradient", gradient, "gradient dx = y − t", BACKWARD_COLOR, (-1.1, 1.1)),
    ]
    figure = Figure(figsize=(12, 3.8), layout="constrained")
    for ax, (gid, values, name, color, limits) in zip(figure.subplots(1, 3), panels, strict=True):
        bars = ax.bar(classes, values, color=color, alpha=0.85, edgecolor="black")
        bars[label].set_hatch("//")
        for position, value in zip(classes, values, strict=True):
            ax.text(position, value, f"{value:.4f}", ha="center", va="bottom" if value >= 0 else "top",
                    fontsize=10)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(classes, [f"class {k}" + (" (true)" if k == label else "") for k in classes])
        ax.set(ylim=limits, ylabel=name.split(" ")[0], gid=gid)
        ax.set_title(name, color=color, fontsize=12)
    figure.suptitle(f"loss = −log y[{label}] = {float(loss):.4f}: raise the true class's score to "
                    "shrink the loss and the gradient", fontsize=13)
    return figure

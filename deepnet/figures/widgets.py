"""Sliders for the chapter notebooks: move a number, watch a layer's forward and backward pass.

    from deepnet.figures import widgets
    widgets.sigmoid_explorer()          # in a notebook cell with %matplotlib inline

Each slider has three parts:
- run_<layer>(values) runs a deepnet layer on the slider's numbers and returns a line of text
  (the numbers) and the arrays to draw, as keyword arguments of a function of deepnet.figures.plots.
- the view (relu_mask_view, sigmoid_view, affine_batch_view, softmax_view) prints the line and
  returns a new figure: a static picture at the slider's start values, which GitHub shows.
- the explorer (relu_mask_explorer, ...) returns an ipywidgets `interactive`: the sliders, the
  line of numbers (an HTML widget) and the plot (an Image widget holding a PNG), redrawn on
  every move. Its `.result` is the figure shown now and `.kwargs_widgets` are the sliders, so
  tests can move a slider and check what is drawn.

Why an Image widget and not the figure displayed in interactive's Output widget: when a student
drags a slider, redraws arrive faster than JupyterLab's Output widget settles them, and it can
end up showing the numbers without the plot. Setting an Image's value cannot lose the picture.
And why each explorer keeps one figure, redraws it in place (the `figure=` argument of the plots)
and draws again only what a move changes (BlittedPng): a slider must answer within about 100 ms,
and building, laying out and drawing a whole figure takes several times that (tests/benchmarks/
bench_widgets.py measures each slider).

Only `interactive`, sliders, HTML and Image are used: they behave the same in ipywidgets 7.6 to
8.x (Colab ships 7.7.1).
"""
import html
import io
from functools import partial

import numpy as np
from ipywidgets import HTML, FloatSlider, Image, IntSlider, interactive
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.image import AxesImage, imsave
from matplotlib.spines import Spine
from matplotlib.text import Text

from deepnet.course.language import fill, translate
from deepnet.figures import plots
from deepnet.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

# The sliders' words and status lines, in the learner's language (fill, translate).
MESSAGES = {
    "relu_line": "shift = {shift}  {passed} of {size} gradients pass  "
    "sum of out = {out_sum}  sum of dx = {dx_sum}",
    "shift": "shift",
    "batch_size": "batch size N",
    "scores_line": "scores = {scores}  probabilities = {probabilities}  loss = {loss}  gradient = {gradient}",
    "score": "score {k}",
    "score_true": "score {k} (true class)",
    "bad_batch": "affine_batch_view needs a batch size from 1 to {largest}, got {got}.",
}

# Wide enough for descriptions such as "batch size N" (the default cuts them off).
SLIDER_STYLE = {"description_width": "initial"}
# The line of numbers in a fixed-width font, its spaces kept, as print() would show it.
NUMBERS_HTML = '<span style="font-family: monospace; white-space: pre-wrap">{}</span>'
# Fast PNG compression: twice as fast as the default, and the image is only a little larger.
FAST_PNG = {"compress_level": 1}
# Pixels per inch of the slider plots: the figures are sized for a notebook about 850 px wide.
PLOT_DPI = 100


def explorer(run, draw, moving_artists, **sliders):
    """`interactive` sliders above the line of numbers and the plot, both redrawn on every move.

    run(**slider values) -> (line, arrays): the numbers as text, and the keyword arguments of
    draw(**arrays, figure=None), a function of deepnet.figures.plots that redraws `figure` when given one.
    moving_artists(figure) -> the artists a move changes: only they are drawn again (BlittedPng).
    """
    numbers = HTML()
    image = Image(format="png")
    figure = painter = None  # made by the first update, then redrawn in place

    def update(**values):
        nonlocal figure, painter
        line, arrays = run(**values)
        numbers.value = NUMBERS_HTML.format(html.escape(line))
        if figure is None:
            figure = draw(**arrays)
            painter = BlittedPng(figure, moving_artists(figure))
        else:
            draw(**arrays, figure=figure)
        image.value = painter.png()
        return figure

    widget = interactive(update, **sliders)
    # interactive's own Output stays last: it stays empty unless update raises (it shows the error).
    widget.children = (*widget.kwargs_widgets, numbers, image, widget.out)
    # ipywidgets 8 draws the start values when interactive is made, ipywidgets 7 (Colab) only
    # when it is displayed: draw them now, so the widget is complete in both.
    if widget.result is None:
        widget.update()
    return widget


class BlittedPng:
    """PNG images of a figure in which only a few artists change from one image to the next.

    This is matplotlib's "blitting", the technique behind its fast animations: everything else
    is drawn once, into a background, and each image pastes the background and draws only the
    moving artists on top of it. Text is by far the slowest thing matplotlib draws, and most of
    a slider figure's text (axis labels, ticks, legends, titles) never changes.
    """

    def __init__(self, figure, moving_artists):
        self.figure = figure
        self.moving_artists = moving_artists
        figure.set_dpi(PLOT_DPI)
        self.canvas = FigureCanvasAgg(figure)
        for artist in moving_artists:
            artist.set_animated(True)  # a full draw leaves animated artists out: the background
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(figure.bbox)
        self.last_state = {}

    def groups(self):
        """The moving artists by the axes they belong to (None: the figure's own, such as titles)."""
        grouped = {}
        for artist in self.moving_artists:
            axes = artist.axes if artist.axes is not None and artist.axes.figure is self.figure else None
            grouped.setdefault(axes, []).append(artist)
        return list(grouped.items())

    def png(self):
        """The figure now, as PNG bytes (no bbox_inches="tight": the figures have a fixed layout).

        Only the axes whose moving artists changed since the last image are pasted over and drawn
        again: a move that leaves a panel as it was (the ReLU mask where no entry changed sign)
        costs nothing there. When an artist outside the axes (a title) changes, everything is drawn."""
        changed = []
        for axes, artists in self.groups():
            state = [artist_state(artist) for artist in artists]
            if self.last_state.get(axes) == state:
                continue
            self.last_state[axes] = state
            changed.append((axes, artists))
        if any(axes is None for axes, _ in changed) or len(changed) == len(self.groups()):
            self.canvas.restore_region(self.background)
            redraw = self.groups()
        else:
            for axes, _ in changed:
                box = axes.get_window_extent().padded(REGION_PADDING)
                region = [int(box.x0), int(self.canvas.get_width_height()[1] - box.y1),
                          int(box.x1) + 1, int(self.canvas.get_width_height()[1] - box.y0) + 1]
                self.canvas.restore_region(self.background, bbox=region, xy=(region[0], region[1]))
            redraw = changed
        for _, artists in redraw:
            for artist in artists:
                self.figure.draw_artist(artist)
        buffer = io.BytesIO()
        imsave(buffer, np.asarray(self.canvas.buffer_rgba()), format="png", pil_kwargs=FAST_PNG)
        return buffer.getvalue()


REGION_PADDING = 4  # pixels around an axes that its artists may cover (spines, frames)


def artist_state(artist):
    """What an artist shows now, comparable between two images; a new object when unknown."""
    if isinstance(artist, AxesImage):
        return (artist.get_array().tobytes(), artist.get_clim())
    if isinstance(artist, Text):
        return (artist.get_text(), str(artist.get_color()), artist.get_position())
    if isinstance(artist, LineCollection):
        return (tuple(np.asarray(segment).tobytes() for segment in artist.get_segments()),
                np.asarray(artist.get_colors()).tobytes())
    if isinstance(artist, Spine):
        return ("spine", artist.get_visible())
    return object()  # unknown: always drawn again


# ---------------------------------------------------------------- ReLU mask

# A fixed input, shifted by the slider. Every entry is an odd number of tenths and the slider
# moves in steps of 0.2, so an entry never lands exactly on 0, where the mask's "x <= 0" would
# be a rounding accident, and every number in the picture has one decimal.
RELU_INPUT = np.array([
    [1.3, -0.7, 0.3, -1.5],
    [-0.3, 0.9, -2.1, 1.5],
    [0.5, -1.1, 1.9, -0.1],
])
# The gradient arriving from the layer above: fixed, so only the mask decides what gets through.
RELU_UPSTREAM = np.array([
    [0.3, -0.5, 0.8, 0.1],
    [0.6, 0.4, -0.7, -0.3],
    [-0.4, 0.2, 0.5, -0.8],
])


def run_relu(shift):
    """Relu forward on RELU_INPUT + shift and backward on RELU_UPSTREAM: (line, arrays of plots.relu_mask)."""
    x = RELU_INPUT + shift
    relu = Relu()
    out = relu.forward(x)
    dx = relu.backward(RELU_UPSTREAM)
    passed = int(np.sum(~relu.mask))
    line = fill(MESSAGES["relu_line"], shift=f"{shift:.2f}", passed=passed, size=relu.mask.size,
                out_sum=f"{np.sum(out):.2f}", dx_sum=f"{np.sum(dx):.2f}")
    return line, {"x": x, "mask": relu.mask, "out": out, "dout": RELU_UPSTREAM, "dx": dx}


def relu_mask_view(shift=0.0):
    """Print run_relu's numbers and return the five heatmaps (x, mask, out, dout, dx)."""
    line, arrays = run_relu(shift)
    print(line)
    return plots.relu_mask(**arrays)


def relu_mask_moving_artists(figure):
    """What a new shift changes: the image and numbers of every panel but dout (the fixed upstream
    gradient), the blocked frames of every panel, and the title. (The axes' spines are drawn again
    too: the images cover half of each line.)"""
    changing = [ax for ax in figure.axes if ax.get_gid() != "dout"]
    return ([artist for ax in changing for artist in [*ax.images, *ax.texts, *ax.spines.values()]]
            + [plots.artist_by_gid(ax, "blocked") for ax in figure.axes]
            + [plots.artist_by_gid(figure, "title")])


def relu_mask_explorer(shift=0.0):
    """Slider "shift" (−2.4 to 2.4) added to a fixed 3×4 input: watch the mask grow and shrink."""
    return explorer(run_relu, plots.relu_mask, relu_mask_moving_artists,
                    shift=FloatSlider(value=shift, min=-2.4, max=2.4, step=0.2,
                                      description=translate(MESSAGES["shift"]), style=SLIDER_STYLE))


# ---------------------------------------------------------------- Sigmoid

def run_sigmoid(x, dout=1.0):
    """Sigmoid forward at x, backward with dout: (line, arrays of plots.sigmoid_curve).

    dx comes from the layer, Sigmoid.backward(dout), which reads only the stored output y:
    dx = dout · y(1−y). The slope y(1−y) is backward with dout = 1."""
    layer = Sigmoid()
    y = layer.forward(np.array(x, dtype=float))
    slope = layer.backward(np.ones_like(y))
    dx = layer.backward(np.array(dout, dtype=float))
    line = (f"x = {x:.2f}  y = {float(y):.4f}  y(1−y) = {float(slope):.4f}  "
            f"dout = {dout:.2f}  dx = dout·y(1−y) = {float(dx):.4f}")
    return line, {"x": x, "y": y, "slope": slope, "dout": dout, "dx": dx}


def sigmoid_view(x=1.5, dout=1.0):
    """Print run_sigmoid's numbers and return the curve with the point, its tangent and dx."""
    line, arrays = run_sigmoid(x, dout)
    print(line)
    return plots.sigmoid_curve(**arrays)


def sigmoid_moving_artists(figure):
    """What a move changes: the point on each curve, the tangent, the line at x, the dout curve,
    the dx point and the title."""
    ax = figure.axes[0]
    gids = ("x", "dout curve", "tangent", "point", "slope point", "dx point")
    return [plots.artist_by_gid(ax, gid) for gid in gids] + [ax.title]


def sigmoid_explorer(x=1.5, dout=1.0):
    """Sliders "x" (−8 to 8) and "dout" (−2 to 2): the Sigmoid's output, its slope y(1−y), the
    tangent at x, and dx = dout · y(1−y)."""
    return explorer(run_sigmoid, plots.sigmoid_curve, sigmoid_moving_artists,
                    x=FloatSlider(value=x, min=-8.0, max=8.0, step=0.1, description="x", style=SLIDER_STYLE),
                    dout=FloatSlider(value=dout, min=-2.0, max=2.0, step=0.1, description="dout",
                                     style=SLIDER_STYLE))


# ---------------------------------------------------------------- Affine

# D = 2 inputs, M = 3 outputs, as in the book's figure 5-25; up to 8 samples in a batch.
AFFINE_W = np.array([[0.2, -0.5, 0.1],
                     [0.4, 0.3, -0.2]])
AFFINE_B = np.array([0.1, 0.0, -0.1])
AFFINE_INPUTS = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5], [2.0, 1.0],
                          [0.0, -0.5], [-1.0, -2.0], [1.5, 0.0], [0.5, 1.5]])
AFFINE_UPSTREAM = np.array([[0.1, -0.2, 0.3], [0.4, 0.1, -0.1], [-0.3, 0.2, 0.2], [0.2, 0.3, -0.4],
                            [0.1, -0.1, 0.1], [-0.2, 0.4, 0.3], [0.3, 0.0, -0.2], [0.1, 0.2, 0.1]])
MAX_BATCH_SIZE = len(AFFINE_INPUTS)


def run_affine(batch_size):
    """Affine forward on the first batch_size rows of AFFINE_INPUTS, backward with as many rows of
    AFFINE_UPSTREAM: (line with every shape and dB, arrays of plots.affine_shapes)."""
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(fill(MESSAGES["bad_batch"], largest=MAX_BATCH_SIZE, got=batch_size))
    X = AFFINE_INPUTS[:batch_size]
    dY = AFFINE_UPSTREAM[:batch_size]
    layer = Affine(AFFINE_W, AFFINE_B)
    Y = layer.forward(X)
    dX = layer.backward(dY)
    db_text = ", ".join(f"{v:.1f}" for v in layer.db)
    line = (f"N = {batch_size}  X {X.shape} · W {layer.W.shape} + B {layer.b.shape} = Y {Y.shape}  |  "
            f"dX {dX.shape}  dW {layer.dW.shape}  dB {layer.db.shape} = ({db_text})")
    return line, {"X": X, "W": layer.W, "B": layer.b, "Y": Y, "dY": dY, "dX": dX, "dW": layer.dW,
                  "dB": layer.db}


# N = 4 samples by default: with D = 2 and M = 3, no array in the picture is square, so no
# shape can be read two ways (is (3, 3) the product's rows or its columns?).
AFFINE_START_BATCH_SIZE = 4


def affine_batch_view(batch_size=AFFINE_START_BATCH_SIZE):
    """Print run_affine's numbers and return the shape diagram."""
    line, arrays = run_affine(batch_size)
    print(line)
    return plots.affine_shapes(**arrays)


def affine_moving_artists(figure):
    """What a new batch size changes: the batch-sized blocks and the numbers (they have their own Axes)."""
    return [ax for ax in figure.axes if ax.get_gid() == "batch"]


def affine_batch_explorer(batch_size=AFFINE_START_BATCH_SIZE):
    """Slider "batch size N" (1 to 8): X, Y, dY and dX grow with N; W, B, dW and dB do not."""
    slider = IntSlider(value=batch_size, min=1, max=MAX_BATCH_SIZE, step=1,
                       description=translate(MESSAGES["batch_size"]), style=SLIDER_STYLE)
    draw = partial(plots.affine_shapes, batch_room=MAX_BATCH_SIZE)  # the figure keeps its size for every N
    return explorer(run_affine, draw, affine_moving_artists, batch_size=slider)


# ---------------------------------------------------------------- Softmax-with-Loss

# Scores on the sliders' 0.1 grid whose softmax, (0.3013, 0.2020, 0.4967), is close to the book's
# example (0.3, 0.2, 0.5): a slider snaps a start value between its steps, which would redraw
# the widget three times as soon as it is shown.
SOFTMAX_START = (-1.2, -1.6, -0.7)
SOFTMAX_LABEL = 1  # the true class, as in the book's one-hot label (0, 1, 0)


def run_softmax(score_0, score_1, score_2, label=SOFTMAX_LABEL):
    """SoftmaxWithLoss on three scores with the true class `label`: (line with the probabilities,
    the loss and the gradient, arrays of plots.softmax_bars)."""
    scores = np.array([score_0, score_1, score_2], dtype=float)
    layer = SoftmaxWithLoss()
    loss = layer.forward(scores, label)
    gradient = layer.backward()

    def numbers(values, digits):
        return "(" + ", ".join(f"{v:.{digits}f}" for v in values) + ")"

    line = fill(MESSAGES["scores_line"], scores=numbers(scores, 2), probabilities=numbers(layer.y, 4),
                loss=f"{float(loss):.4f}", gradient=numbers(gradient, 4))
    return line, {"scores": scores, "probabilities": layer.y, "label": label, "gradient": gradient,
                  "loss": loss}


def softmax_view(score_0=SOFTMAX_START[0], score_1=SOFTMAX_START[1], score_2=SOFTMAX_START[2],
                 label=SOFTMAX_LABEL):
    """Print run_softmax's numbers and return the three bar charts."""
    line, arrays = run_softmax(score_0, score_1, score_2, label)
    print(line)
    return plots.softmax_bars(**arrays)


def softmax_moving_artists(figure):
    """What new scores change: the bars, their numbers, the zero line drawn over them, the title
    with the loss. (The axes' limits stay: the sliders' scores fit the score panel's range.)"""
    return ([artist for ax in figure.axes for artist in [*ax.patches, *ax.lines, *ax.texts]]
            + [plots.artist_by_gid(figure, "title")])


def softmax_explorer(score_0=SOFTMAX_START[0], score_1=SOFTMAX_START[1], score_2=SOFTMAX_START[2],
                     label=SOFTMAX_LABEL):
    """Three sliders "score 0..2" (−5 to 5) for the logits of one sample whose true class is `label`."""
    sliders = {
        f"score_{k}": FloatSlider(value=value, min=-5.0, max=5.0, step=0.1, style=SLIDER_STYLE,
                                  description=fill(MESSAGES["score_true" if k == label else "score"], k=k))
        for k, value in enumerate((score_0, score_1, score_2))
    }

    def run(score_0, score_1, score_2):
        return run_softmax(score_0, score_1, score_2, label)

    return explorer(run, plots.softmax_bars, softmax_moving_artists, **sliders)

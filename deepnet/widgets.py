"""Sliders for the chapter notebooks: move a number, watch a layer's forward and backward pass.

    from deepnet import widgets
    widgets.sigmoid_explorer()          # in a notebook cell with %matplotlib inline

Each explorer pairs a *view* with ipywidgets' `interactive` (see `explorer`):
- the view (relu_mask_view, sigmoid_view, affine_batch_view, softmax_view) runs a deepnet layer
  on the slider's numbers, prints them as one line of text and returns the figure from
  deepnet.plots. A notebook calls it directly for a static picture at the slider's start values.
- the explorer (relu_mask_explorer, ...) returns the `interactive` widget: sliders above, the
  view's text and figure below, redrawn whenever a slider moves. Its `.result` is the figure
  shown now, and `.kwargs_widgets` are the sliders, so tests can move a slider and check
  what was drawn.

Only `interactive` and plain sliders are used: they behave the same in ipywidgets 7.6 to 8.x
(Colab ships 7.7.1) with `%matplotlib inline`.
"""
from functools import partial

import numpy as np
from IPython.display import display
from ipywidgets import FloatSlider, IntSlider, interactive

from deepnet import plots
from deepnet.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

# Wide enough for descriptions such as "batch size N" (the default cuts them off).
SLIDER_STYLE = {"description_width": "initial"}


def explorer(view, **sliders):
    """`interactive` around a view: each slider is passed to view by its keyword.

    The view's figure is displayed in the widget's output and returned, so that interactive
    keeps it as `.result` (interactive itself displays nothing it is not asked to).
    """
    def update(**values):
        figure = view(**values)
        display(figure)
        return figure

    return interactive(update, **sliders)


# ---------------------------------------------------------------- ReLU mask

# A fixed input, shifted by the slider. Every entry ends in 5 (hundredths), so with slider steps
# of 0.1 an entry never lands exactly on 0, where the mask's "x <= 0" would be a rounding accident.
RELU_INPUT = np.array([
    [1.25, -0.75, 0.35, -1.45, 2.05],
    [-0.35, 0.85, -2.15, 1.55, -0.15],
    [0.55, -1.05, 1.95, -0.65, 0.15],
    [-1.85, 0.95, -0.25, 1.35, -0.95],
])
# The gradient arriving from the layer above: fixed, so only the mask decides what gets through.
RELU_UPSTREAM = np.array([
    [0.3, -0.5, 0.8, 0.1, -0.2],
    [0.6, 0.4, -0.7, -0.3, 0.9],
    [-0.4, 0.2, 0.5, -0.8, 0.3],
    [0.7, -0.6, 0.1, 0.4, -0.1],
])


def relu_mask_view(shift=0.0):
    """Run a Relu layer on RELU_INPUT + shift and backward on RELU_UPSTREAM; print the count of
    blocked entries and return the five heatmaps (x, mask, out, dout, dx)."""
    x = RELU_INPUT + shift
    relu = Relu()
    out = relu.forward(x)
    dx = relu.backward(RELU_UPSTREAM)
    blocked = int(np.sum(relu.mask))
    print(f"shift = {shift:.2f}  blocked entries (mask True) = {blocked} of {relu.mask.size}  "
          f"sum of out = {np.sum(out):.2f}  sum of dx = {np.sum(dx):.2f}")
    return plots.relu_mask(x, relu.mask, out, RELU_UPSTREAM, dx)


def relu_mask_explorer(shift=0.0):
    """Slider "shift" (−2.5 to 2.5) added to a fixed 4×5 input: watch the mask grow and shrink."""
    return explorer(relu_mask_view, shift=FloatSlider(value=shift, min=-2.5, max=2.5, step=0.1,
                                                      description="shift", style=SLIDER_STYLE))


# ---------------------------------------------------------------- Sigmoid

def sigmoid_view(x=1.5):
    """Run a Sigmoid layer at x, backward with dout = 1 (so dx = dy/dx = y(1−y)); print the
    three numbers and return the curve with the point and its tangent."""
    layer = Sigmoid()
    y = layer.forward(np.array(x, dtype=float))
    slope = layer.backward(np.ones_like(y))
    print(f"x = {x:.2f}  y = {float(y):.4f}  y(1−y) = {float(slope):.4f}")
    return plots.sigmoid_curve(x, y, slope)


def sigmoid_explorer(x=1.5):
    """Slider "x" (−8 to 8): the Sigmoid's output, its slope y(1−y) and the tangent at x."""
    return explorer(sigmoid_view, x=FloatSlider(value=x, min=-8.0, max=8.0, step=0.1, description="x",
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


def affine_batch_view(batch_size=2):
    """Run an Affine layer on the first batch_size rows of AFFINE_INPUTS, backward with as many
    rows of AFFINE_UPSTREAM; print every shape and dB, and return the shape diagram."""
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"affine_batch_view needs a batch size from 1 to {MAX_BATCH_SIZE}, "
                         f"got {batch_size}.")
    X = AFFINE_INPUTS[:batch_size]
    dY = AFFINE_UPSTREAM[:batch_size]
    layer = Affine(AFFINE_W, AFFINE_B)
    Y = layer.forward(X)
    dX = layer.backward(dY)
    db_text = ", ".join(f"{v:.1f}" for v in layer.db)
    print(f"N = {batch_size}  X {X.shape} · W {layer.W.shape} + B {layer.b.shape} = Y {Y.shape}  |  "
          f"dX {dX.shape}  dW {layer.dW.shape}  dB {layer.db.shape} = ({db_text})")
    return plots.affine_shapes(X, layer.W, layer.b, Y, dY, dX, layer.dW, layer.db)


def affine_batch_explorer(batch_size=2):
    """Slider "batch size N" (1 to 8): X, Y, dY and dX grow with N; W, B, dW and dB do not."""
    slider = IntSlider(value=batch_size, min=1, max=MAX_BATCH_SIZE, step=1, description="batch size N",
                       style=SLIDER_STYLE)
    return explorer(affine_batch_view, batch_size=slider)


# ---------------------------------------------------------------- Softmax-with-Loss

# The book's example: scores whose softmax is (0.3, 0.2, 0.5). Sliders may start between steps.
SOFTMAX_START = tuple(float(score) for score in np.log([0.3, 0.2, 0.5]))
SOFTMAX_LABEL = 1  # the true class, as in the book's one-hot label (0, 1, 0)


def softmax_view(score_0=SOFTMAX_START[0], score_1=SOFTMAX_START[1], score_2=SOFTMAX_START[2],
                 label=SOFTMAX_LABEL):
    """Run SoftmaxWithLoss on three scores with the true class `label`; print the probabilities,
    the loss and the gradient, and return the three bar charts."""
    scores = np.array([score_0, score_1, score_2], dtype=float)
    layer = SoftmaxWithLoss()
    loss = layer.forward(scores, label)
    gradient = layer.backward()

    def numbers(values, digits):
        return "(" + ", ".join(f"{v:.{digits}f}" for v in values) + ")"

    print(f"scores = {numbers(scores, 2)}  probabilities = {numbers(layer.y, 4)}  "
          f"loss = {float(loss):.4f}  gradient = {numbers(gradient, 4)}")
    return plots.softmax_bars(scores, layer.y, label, gradient, loss)


def softmax_explorer(score_0=SOFTMAX_START[0], score_1=SOFTMAX_START[1], score_2=SOFTMAX_START[2],
                     label=SOFTMAX_LABEL):
    """Three sliders "score 0..2" (−5 to 5) for the logits of one sample whose true class is `label`."""
    sliders = {
        f"score_{k}": FloatSlider(value=value, min=-5.0, max=5.0, step=0.1, style=SLIDER_STYLE,
                                  description=f"score {k}" + (" (true class)" if k == label else ""))
        for k, value in enumerate((score_0, score_1, score_2))
    }
    return explorer(partial(softmax_view, label=label), **sliders)

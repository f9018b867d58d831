"""The layers of chapter 5, one small class each, with the book's names and attributes.

Every layer has forward() and backward(dout). forward stores what backward needs;
backward takes the gradient of the loss with respect to the layer's output (dout) and
returns the gradient with respect to its input(s). No method modifies an array it is given.

Checks of the caller's input are statements of their own that call a require_*() function
(they raise a ValueError or RuntimeError that says what was expected and how to fix it).
show_source(layer, core=True) leaves exactly those statements out, to show the maths alone.
"""
import numpy as np

from deepnet.course.language import fill, translate
from deepnet.functions import (
    as_float_array,
    is_one_hot,
    require_labels,
    require_vector_or_batch,
    sigmoid,
)

MESSAGES = {
    "backward_first": "{name}.backward() was called before {name}.forward(): run forward() first, it "
    "stores the values that backward() needs.",
    "shape": "{who} expected {name} of shape {expected}, got {got}; {hint}",
    "affine_parameters": "Affine expected W of shape (D, M) and b of shape (M,), got W {W} and b {b}; b "
    "needs one bias per column of W.",
    "affine_batch": "Affine expected a batch of shape (N, {features}), got shape {shape}; for a single "
    "sample use x.reshape(1, -1).",
    "affine_features": "Affine expected inputs with {features} features (W has shape {W}), got {got} (x "
    "has shape {shape}).",
    "same_shape": "x and y must have the same shape (both scalars, or arrays of one shape).",
    "dout_like_out": "dout must have the shape of forward's output.",
    "dout_like_affine_out": "dout must have the shape of forward's output (N, M).",
}


def require_forward(layer, saved):
    if saved is None:
        name = type(layer).__name__
        raise RuntimeError(fill(MESSAGES["backward_first"], name=name))


def require_shape(who, name, array, expected_shape, hint):
    if np.shape(array) != tuple(expected_shape):
        raise ValueError(fill(MESSAGES["shape"], who=who, name=name, expected=tuple(expected_shape),
                              got=np.shape(array), hint=translate(hint)))


def require_affine_parameters(W, b):
    if np.ndim(W) != 2 or np.shape(b) != (np.shape(W)[1],):
        raise ValueError(fill(MESSAGES["affine_parameters"], W=np.shape(W), b=np.shape(b)))


def require_affine_input(x, W):
    """x (a numpy array) must be a batch (N, D) or (N, d1, d2, ...) with d1*d2*... = D = len(W)."""
    n_features = W.shape[0]
    if x.ndim < 2:
        raise ValueError(fill(MESSAGES["affine_batch"], features=n_features, shape=x.shape))
    flat = x.reshape(x.shape[0], -1)
    if flat.shape[1] != n_features:
        raise ValueError(fill(MESSAGES["affine_features"], features=n_features, W=W.shape,
                              got=flat.shape[1], shape=x.shape))


class MulLayer:
    """Multiplication node  out = x * y  (section 5.4.1).

    forward(x, y) -> x * y, for scalars or arrays of the same shape.
    backward(dout) -> (dx, dy) = (dout * y, dout * x):
        each input's gradient is the upstream gradient times the *other* input,
        which is why forward keeps x and y.
    """

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        # A broadcast input would need its gradient summed back to its shape; the book's
        # node multiplies two numbers, so we ask for equal shapes instead of guessing.
        require_shape("MulLayer.forward", "y", y, np.shape(x),
                      MESSAGES["same_shape"])
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        require_forward(self, self.x)
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy

    def __repr__(self):
        return f"MulLayer(x={self.x!r}, y={self.y!r})"


class AddLayer:
    """Addition node  out = x + y  (section 5.4.2).

    forward(x, y) -> x + y.
    backward(dout) -> (dx, dy) = (dout * 1, dout * 1): d(x + y)/dx = d(x + y)/dy = 1,
        so the gradient passes through unchanged to both inputs. The derivatives are the
        constant 1 whatever x and y are, which is why forward stores nothing.
    """

    def __init__(self):
        pass

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        # Two new arrays: returning dout itself twice would tie dx and dy together,
        # so an in-place change of one would silently change the other.
        dx = dout * 1
        dy = dout * 1
        return dx, dy

    def __repr__(self):
        return "AddLayer()"


class Relu:
    """ReLU  out = max(0, x), elementwise (section 5.5.1).

    forward(x) -> out, same shape as x; stores mask = (x <= 0).
    backward(dout) -> dx = dout where x > 0, and 0 where mask is True
        (the gradient at the kink x = 0 is taken as 0, like the book).

    The book's backward writes dout[self.mask] = 0, changing the caller's array;
    ours returns a new array.
    """

    def __init__(self):
        self.mask = None

    def forward(self, x):
        x = np.asarray(x)
        self.mask = x <= 0
        return np.where(self.mask, 0, x)

    def backward(self, dout):
        require_forward(self, self.mask)
        require_shape("Relu.backward", "dout", dout, self.mask.shape, MESSAGES["dout_like_out"])
        return np.where(self.mask, 0, dout)

    def __repr__(self):
        shape = None if self.mask is None else self.mask.shape
        return f"Relu(mask shape={shape})"


class Sigmoid:
    """Sigmoid  y = 1 / (1 + exp(-x)), elementwise (section 5.5.2).

    forward(x) -> out, same shape as x; stores out.
    backward(dout) -> dx = dout * out * (1 - out), since dy/dx = y (1 - y):
        the output alone is enough to compute the gradient.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        require_forward(self, self.out)
        require_shape("Sigmoid.backward", "dout", dout, self.out.shape, MESSAGES["dout_like_out"])
        return dout * (1.0 - self.out) * self.out

    def __repr__(self):
        shape = None if self.out is None else self.out.shape
        return f"Sigmoid(out shape={shape})"


class Affine:
    """Fully connected layer  out = x · W + b  (section 5.6.2).

    Inputs:
    - W: weights, shape (D, M); b: biases, shape (M,). Both are kept *by reference*:
      an optimizer updates them in place (W -= lr * dW) and the layer sees the change.
    - input_gradient: False for a network's first layer, whose input is the data: nobody uses
      that dx, and computing it costs as much as dW. backward then returns None.
    forward(x): x of shape (N, D), or (N, d1, d2, ...) with d1*d2*... = D (flattened to (N, D)).
        Returns out of shape (N, M).
    backward(dout): dout of shape (N, M). Sets
        dW = xᵀ · dout   (D, M)
        db = sum of dout over the batch axis   (M,)
        and returns dx = dout · Wᵀ in x's original shape.
    """

    def __init__(self, W, b, input_gradient=True):
        require_affine_parameters(W, b)
        self.W = W
        self.b = b
        self.input_gradient = input_gradient
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        x = np.asarray(x)
        require_affine_input(x, self.W)
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # an image (N, d1, d2, ...) becomes a row (N, D)
        return self.x @ self.W + self.b

    def backward(self, dout):
        require_forward(self, self.x)
        require_shape("Affine.backward", "dout", dout, (self.x.shape[0], self.W.shape[1]),
                      MESSAGES["dout_like_affine_out"])
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        if not self.input_gradient:
            return None
        dx = dout @ self.W.T
        return dx.reshape(self.original_x_shape)

    def __repr__(self):
        return f"Affine(W shape={self.W.shape}, b shape={self.b.shape})"


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss (section 5.6.3).

    forward(x, t): scores x of shape (N, C), or (C,) for a batch of one;
        labels t one-hot (same shape as x) or class indices (N,) (an int for one sample).
        Stores y = softmax(x) and returns loss = -1/N * sum_n log y[n, t_n].
    backward(dout=1) -> dx = (y - t) / N * dout, in x's shape.

    The loss uses log-sum-exp (log y = x - max - log sum exp(x - max)): exact and finite for
    any finite scores, unlike log(softmax + 1e-7) in the book.
    """

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        x = as_float_array(x)
        require_vector_or_batch(x, "SoftmaxWithLoss.forward", "x")
        scores = x.reshape(1, -1) if x.ndim == 1 else x  # one sample (C,) is a batch of one (1, C)
        n, c = scores.shape
        # log y = (x - max) - log(sum exp(x - max)): log-sum-exp, exact and finite for finite scores
        shifted = scores - np.max(scores, axis=-1, keepdims=True)
        log_y = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
        t = np.asarray(t)
        require_labels(t, n, c, "SoftmaxWithLoss.forward")
        if is_one_hot(t, n, c):  # t of shape (N, C): loss = -1/N sum(t * log y), in float64
            picked = np.sum(t.reshape(n, c).astype(np.float64) * log_y)
        else:  # class indices t of shape (N,): loss = -1/N sum of log y at each true class
            picked = np.sum(log_y[np.arange(n), t.reshape(n)])
        self.loss = (-picked / n).astype(log_y.dtype)
        self.t = t
        self.y = np.exp(log_y).reshape(x.shape)
        return self.loss

    def backward(self, dout=1):
        require_forward(self, self.y)
        require_vector_or_batch(self.y, "SoftmaxWithLoss.backward", "y")
        y = self.y.reshape(1, -1) if self.y.ndim == 1 else self.y
        n, c = y.shape
        t = np.asarray(self.t)
        require_labels(t, n, c, "SoftmaxWithLoss.backward")
        if is_one_hot(t, n, c):  # one-hot t: y - t
            dx = y - t.reshape(n, c).astype(y.dtype)
        else:  # class indices: y minus 1 at each sample's true class
            dx = y.copy()
            dx[np.arange(n), t.reshape(n)] -= 1
        dx = dx * (dout / n)  # (y - t) / N, times the upstream gradient
        return dx.reshape(self.y.shape).astype(self.y.dtype, copy=False)

    def __repr__(self):
        return f"SoftmaxWithLoss(loss={self.loss!r})"

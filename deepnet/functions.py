"""The functions of chapters 3 and 4, written so that they never overflow.

    sigmoid(x)                elementwise 1 / (1 + exp(-x))
    softmax(x)                along the last axis
    cross_entropy_error(y, t) mean over the batch of -log(probability of the true class)
"""
import numpy as np

from deepnet.course.language import fill


def as_float_array(x):
    """Return x as a numpy array of floats, keeping float32/float64 and never copying a float array."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), elementwise; keeps the float dtype of x.

    The book's np.exp(-x) overflows (with a RuntimeWarning) for x < -709. Here exp only
    ever sees -|x| <= 0, so it stays in [0, 1]; for x < 0 we use the equal form e / (1 + e).
    """
    x = as_float_array(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softmax(x):
    """Softmax along the last axis: exp(x_k) / sum_j exp(x_j), for input of any shape.

    Subtracting the row maximum first changes nothing mathematically and keeps exp <= 1,
    so logits like 1000 do not overflow.
    """
    x = as_float_array(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(x):
    """log(softmax(x)) along the last axis, computed by log-sum-exp: exact and finite for finite x."""
    x = as_float_array(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def cross_entropy_error(y, t):
    """Mean cross-entropy  -1/N * sum_n log y[n, t_n].

    Inputs:
    - y: probabilities, shape (C,) for one sample or (N, C) for a batch.
    - t: labels, either one-hot with the shape of y, or class indices of shape (N,)
      (a single int for one sample).
    Returns: the mean loss over the batch (a numpy float of y's dtype).

    The book adds 1e-7 inside the log, which shifts every loss a little. We clip y at the
    smallest positive float instead: exact for every y > 1e-308, and finite when y is exactly 0.
    """
    y = as_float_array(y)
    y_batch = as_batch(y, "cross_entropy_error", "y")
    log_y = np.log(np.maximum(y_batch, np.finfo(y.dtype).tiny))
    return mean_negative_log_likelihood(log_y, t, "cross_entropy_error")


MESSAGES = {
    "vector_or_batch": "{who} expected {name} of shape (C,) or (N, C), got shape {shape}; reshape it to "
    "(N, C) with {name}.reshape(len({name}), -1).",
    "integer_labels": "{who}: class-index labels must be integers, got dtype {dtype}; use t.astype(int), "
    "or pass one-hot labels of shape (N, C).",
    "label_range": "{who}: labels must be class indices in 0..{last} (there are {classes} classes), got "
    "{got}; check the labels or the number of classes.",
    "label_shape": "{who}: labels t must be class indices of shape ({n},) or one-hot of shape ({n}, {c}) "
    "to match the scores of shape ({n}, {c}); got shape {shape}.",
}


def require_vector_or_batch(x, who, name="x"):
    """Reject anything but one sample (C,) or a batch (N, C)."""
    if x.ndim not in (1, 2):
        raise ValueError(fill(MESSAGES["vector_or_batch"], who=who, name=name, shape=x.shape))


def as_batch(x, who, name="x"):
    """View a 1-D array (C,) as a batch of one (1, C); reject anything but 1-D or 2-D."""
    require_vector_or_batch(x, who, name)
    return x.reshape(1, -1) if x.ndim == 1 else x


def is_one_hot(t, n, c):
    """True when labels t of valid shape are one-hot: (N, C), or (C,) for a batch of one (N = 1)."""
    return t.shape == (n, c) or (n == 1 and t.shape == (c,))


def require_labels(t, n, c, who):
    """Reject labels t (a numpy array) that fit neither scores of shape (N, C) nor C classes.

    Accepted: one-hot (N, C), or (C,) for one sample; class indices (N,), or () for one sample,
    as integers in 0..C-1.
    """
    if is_one_hot(t, n, c):
        return
    if t.shape == (n,) or (n == 1 and t.shape == ()):
        if not np.issubdtype(t.dtype, np.integer):
            raise ValueError(fill(MESSAGES["integer_labels"], who=who, dtype=t.dtype))
        bad = (t < 0) | (t >= c)
        if np.any(bad):
            raise ValueError(fill(MESSAGES["label_range"], who=who, last=c - 1, classes=c,
                                  got=t.reshape(-1)[bad.reshape(-1)][0]))
        return
    raise ValueError(fill(MESSAGES["label_shape"], who=who, n=n, c=c, shape=t.shape))


def labels_as_batch(t, batch_shape, who):
    """Validate labels t against scores of shape (N, C) and return (labels, is_one_hot).

    One-hot labels come back as an (N, C) float array, class indices as an (N,) int array.
    """
    n, c = batch_shape
    t = np.asarray(t)
    require_labels(t, n, c, who)
    if is_one_hot(t, n, c):
        return t.reshape(n, c).astype(np.float64, copy=False), True
    return t.reshape(n), False


def mean_negative_log_likelihood(log_y, t, who):
    """-1/N * sum of log_y at the true classes; log_y has shape (N, C)."""
    t, one_hot = labels_as_batch(t, log_y.shape, who)
    n = log_y.shape[0]
    if one_hot:
        picked = np.sum(t * log_y)
    else:
        picked = np.sum(log_y[np.arange(n), t])
    return (-picked / n).astype(log_y.dtype)

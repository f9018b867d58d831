"""Figures for chapter 5.7: gradient timings, training curves, digits with their predictions.

Each function draws one matplotlib figure and returns it; the notebook shows it.
"""
import matplotlib.pyplot as plt
import numpy as np

from deepnet.course.language import fill, translate
from deepnet.figures.plots import BACKWARD_COLOR, FORWARD_COLOR, NEUTRAL_COLOR

# Every word of these figures, in the learner's language (fill, translate).
MESSAGES = {
    "numerical": "numerical\n({count} forward passes)",
    "backprop": "backprop\n(1 forward + 1 backward)",
    "seconds_axis": "seconds for one gradient of all parameters (log scale)",
    "faster": "Backprop is {factor}× faster on this run",
    "one_batch": "one mini-batch",
    "whole_set": "whole training set, after each epoch",
    "epoch": "epoch",
    "loss_axis": "cross-entropy loss (log scale)",
    "loss_title": "The loss falls: SGD follows the gradient downhill",
    "training_set": "training set",
    "test_set": "test set",
    "accuracy": "accuracy",
    "accuracy_title": "Test accuracy follows training accuracy, a little below",
    "wrong_digit": "{prediction} (is {label})",
}

TRAIN_COLOR = FORWARD_COLOR  # blue, as everywhere in the course
TEST_COLOR = "#ff7f0e"       # orange: the data the network never trained on
RIGHT_COLOR = "#2e7d32"      # green and red, as in the exercise checks
WRONG_COLOR = "#c62828"


def gradient_timing(numerical_seconds, backprop_seconds, n_parameters):
    """Two bars on a log scale: one numerical gradient against one backprop gradient of the same network."""
    fig, ax = plt.subplots(figsize=(7, 2.6))
    names = [fill(MESSAGES["numerical"], count=f"{2 * n_parameters:,}"), translate(MESSAGES["backprop"])]
    seconds = [numerical_seconds, backprop_seconds]
    bars = ax.barh(names, seconds, color=[NEUTRAL_COLOR, BACKWARD_COLOR])
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[format_seconds(s) for s in seconds], padding=4)
    ax.set_xlim(backprop_seconds / 5, numerical_seconds * 20)
    ax.set_xlabel(translate(MESSAGES["seconds_axis"]))
    ax.set_title(fill(MESSAGES["faster"], factor=f"{numerical_seconds / backprop_seconds:,.0f}"))
    fig.tight_layout()
    return fig


def format_seconds(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def training_curves(history, batches_per_epoch):
    """Left: the loss of every mini-batch and of the whole training set per epoch. Right: accuracies."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 3.8))
    epochs = np.arange(1, len(history["epoch_loss"]) + 1)
    batch_epochs = np.arange(1, len(history["loss"]) + 1) / batches_per_epoch
    loss_ax.plot(batch_epochs, history["loss"], color=NEUTRAL_COLOR, linewidth=0.6, alpha=0.7,
                 label=translate(MESSAGES["one_batch"]))
    loss_ax.plot(epochs, history["epoch_loss"], "o-", color="black", markersize=3,
                 label=translate(MESSAGES["whole_set"]))
    loss_ax.set_yscale("log")
    loss_ax.set_xlabel(translate(MESSAGES["epoch"]))
    loss_ax.set_ylabel(translate(MESSAGES["loss_axis"]))
    loss_ax.set_title(translate(MESSAGES["loss_title"]))
    loss_ax.legend()

    acc_ax.plot(epochs, history["train_acc"], "o-", color=TRAIN_COLOR, markersize=3,
                label=translate(MESSAGES["training_set"]))
    acc_ax.plot(epochs, history["test_acc"], "s-", color=TEST_COLOR, markersize=3,
                label=translate(MESSAGES["test_set"]))
    acc_ax.set_xlabel(translate(MESSAGES["epoch"]))
    acc_ax.set_ylabel(translate(MESSAGES["accuracy"]))
    low = min(min(history["train_acc"]), min(history["test_acc"]))
    acc_ax.set_ylim(max(0.0, low - 0.02), 1.005)
    acc_ax.set_title(translate(MESSAGES["accuracy_title"]))
    acc_ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def digit_grid(images, labels, predictions, title, columns=10):
    """Digits (N, 64) or (N, 1, 8, 8) with their predicted class above: green when right, red when wrong."""
    images = np.asarray(images).reshape(len(images), 8, 8)
    rows = max(1, int(np.ceil(len(images) / columns)))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 1.1 + 0.5), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, label, prediction in zip(axes.flat, images, labels, predictions, strict=False):
        right = label == prediction
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=images.max() or 1)
        text = f"{prediction}" if right else fill(MESSAGES["wrong_digit"], prediction=prediction, label=label)
        ax.set_title(text, color=RIGHT_COLOR if right else WRONG_COLOR, fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig

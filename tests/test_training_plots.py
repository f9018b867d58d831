"""The figures of chapter 5.7 show what their titles say."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from deepnet.figures import training_plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_digit_grid_titles_right_predictions_in_green_and_wrong_ones_in_red_with_the_true_label():
    images = np.zeros((3, 64))
    fig = training_plots.digit_grid(images, labels=[1, 2, 3], predictions=[1, 7, 3], title="t", columns=5)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["1", "7 (is 2)", "3"]
    colours = [ax.title.get_color() for ax in titled]
    assert colours == [training_plots.RIGHT_COLOR, training_plots.WRONG_COLOR, training_plots.RIGHT_COLOR]
    assert len(fig.axes) == 5 and sum(bool(ax.images) for ax in fig.axes) == 3  # spare cells stay empty


def test_digit_grid_draws_each_digit_as_an_8_by_8_image():
    images = np.arange(2 * 64).reshape(2, 1, 8, 8) / 128
    fig = training_plots.digit_grid(images, [0, 1], [0, 1], "t")
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), images[1, 0])


def test_training_curves_plot_every_batch_loss_and_every_epoch_accuracy():
    history = {"loss": [2.0, 1.0, 0.5, 0.4, 0.3, 0.2], "epoch_loss": [0.8, 0.3],
               "train_acc": [0.90, 0.95], "test_acc": [0.85, 0.93]}
    fig = training_plots.training_curves(history, batches_per_epoch=3)
    loss_ax, acc_ax = fig.axes
    batch_line, epoch_line = loss_ax.get_lines()
    np.testing.assert_allclose(batch_line.get_xdata(), [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    np.testing.assert_array_equal(epoch_line.get_ydata(), [0.8, 0.3])
    train_line, test_line = acc_ax.get_lines()
    np.testing.assert_array_equal(test_line.get_ydata(), [0.85, 0.93])
    low, high = acc_ax.get_ylim()
    assert low <= 0.85 and high >= 1.0


def test_gradient_timing_titles_the_ratio_and_labels_both_bars():
    fig = training_plots.gradient_timing(numerical_seconds=2.0, backprop_seconds=0.0002, n_parameters=7510)
    ax = fig.axes[0]
    assert ax.get_title() == "Backprop is 10,000× faster on this run"
    assert ax.get_xscale() == "log"
    labels = [text.get_text() for text in ax.texts]
    assert labels == ["2.00 s", "200 µs"]
    assert "15,020 forward passes" in ax.get_yticklabels()[0].get_text()

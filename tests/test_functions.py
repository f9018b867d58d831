"""sigmoid, softmax and cross_entropy_error: values, stability, dtypes, label forms."""
import numpy as np
import pytest

from deepnet import cross_entropy_error, sigmoid, softmax

# Overflow and invalid operations become errors; underflow (exp(-1000) -> 0) is expected and harmless.
STRICT = dict(over="raise", invalid="raise", divide="raise")


def test_sigmoid_matches_the_formula_on_moderate_inputs():
    x = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)


def test_sigmoid_of_extreme_inputs_is_exactly_0_and_1_without_warnings():
    with np.errstate(**STRICT):
        y = sigmoid(np.array([-1000.0, 1000.0]))
    assert y.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_keeps_the_float_dtype(dtype):
    assert sigmoid(np.array([-1000, 0, 3], dtype=dtype)).dtype == dtype


def test_sigmoid_accepts_integers_and_scalars():
    assert sigmoid(0) == 0.5
    assert sigmoid(np.array([0, 0])).dtype == np.float64


def test_softmax_rows_sum_to_one_and_match_the_formula():
    x = np.array([[0.3, 2.9, 4.0], [1.0, 1.0, 1.0]])
    y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    np.testing.assert_allclose(y[0], np.exp(x[0]) / np.exp(x[0]).sum())
    np.testing.assert_allclose(y[1], [1 / 3] * 3)


def test_softmax_of_a_1d_array_is_along_its_only_axis():
    np.testing.assert_allclose(softmax(np.array([1.0, 2.0])), softmax(np.array([[1.0, 2.0]]))[0])


def test_softmax_works_along_the_last_axis_of_nd_input():
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=-1), np.ones((2, 3)))
    np.testing.assert_allclose(y[1, 2], softmax(x[1, 2]))


def test_softmax_is_stable_for_large_logits_and_logits_far_apart():
    with np.errstate(**STRICT):
        y_large = softmax(np.array([1000.0, 1000.0]))
        y_apart = softmax(np.array([0.0, 1e4, -1e4]))
    np.testing.assert_allclose(y_large, [0.5, 0.5])
    assert y_apart.tolist() == [0.0, 1.0, 0.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_keeps_the_float_dtype(dtype):
    assert softmax(np.array([1000, 0], dtype=dtype)).dtype == dtype


def test_cross_entropy_of_the_books_example_is_minus_log_0_2():
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t_one_hot = np.eye(10)[2]
    assert cross_entropy_error(y, t_one_hot) == pytest.approx(-np.log(0.6))
    assert cross_entropy_error(y, 2) == pytest.approx(-np.log(0.6))


def test_cross_entropy_is_the_mean_over_the_batch_for_both_label_forms():
    y = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    labels = np.array([1, 0, 1])
    expected = -np.mean(np.log([0.8, 0.6, 0.5]))
    assert cross_entropy_error(y, labels) == pytest.approx(expected, rel=1e-15)
    assert cross_entropy_error(y, np.eye(2)[labels]) == pytest.approx(expected, rel=1e-15)


def test_cross_entropy_is_finite_when_the_true_class_has_probability_exactly_zero():
    with np.errstate(**STRICT):
        loss = cross_entropy_error(np.array([1.0, 0.0]), 1)
    assert np.isfinite(loss) and loss > 700


def test_cross_entropy_has_no_epsilon_bias_unlike_the_books_1e_minus_7():
    # log(1 + 1e-7) would give 1e-7 instead of 0 for a perfect prediction.
    assert cross_entropy_error(np.array([0.0, 1.0]), 1) == 0.0


@pytest.mark.parametrize(
    "t, message",
    [
        (np.array([0, 3]), r"class indices in 0\.\.2 .*got 3"),
        (np.array([-1, 0]), r"class indices in 0\.\.2 .*got -1"),
        (np.array([[1, 0], [0, 1]]), r"one-hot of shape \(2, 3\).*got shape \(2, 2\)"),
        (np.array([0, 1, 2]), r"shape \(2,\).*got shape \(3,\)"),
        (np.array([0.0, 1.0]), r"must be integers.*astype\(int\)"),
    ],
    ids=["index too large", "negative index", "one-hot too narrow", "too many labels", "float indices"],
)
def test_cross_entropy_rejects_bad_labels_with_a_message_that_names_the_problem(t, message):
    y = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=message):
        cross_entropy_error(y, t)


def test_cross_entropy_rejects_3d_probabilities_with_a_reshape_hint():
    with pytest.raises(ValueError, match=r"\(C,\) or \(N, C\).*reshape"):
        cross_entropy_error(np.full((2, 2, 2), 0.5), np.array([0, 1]))


def test_functions_do_not_modify_their_arguments():
    x = np.array([[1000.0, -1000.0, 0.0]])
    t = np.array([[0.0, 1.0, 0.0]])
    x_before, t_before = x.copy(), t.copy()
    sigmoid(x)
    softmax(x)
    cross_entropy_error(softmax(x), t)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(t, t_before)

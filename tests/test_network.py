"""TwoLayerNet (section 5.7): its gradient, its parameters, and its training on the bundled digits."""
import numpy as np
import pytest

from deepnet.datasets import load_digits
from deepnet.gradient import relative_error
from deepnet.layers import Affine, Relu, SoftmaxWithLoss
from deepnet.network import TwoLayerNet, train


def small_batch(n=6, d=5, c=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, size=n)


def one_hot(t, c):
    return np.eye(c)[t]


def test_layers_are_affine_relu_affine_then_softmax_with_loss_as_in_the_book():
    network = TwoLayerNet(5, 4, 3, seed=0)
    assert list(network.layers) == ["Affine1", "Relu1", "Affine2"]
    assert [type(layer) for layer in network.layers.values()] == [Affine, Relu, Affine]
    assert isinstance(network.last_layer, SoftmaxWithLoss)
    shapes = {key: value.shape for key, value in network.params.items()}
    assert shapes == {"W1": (5, 4), "b1": (4,), "W2": (4, 3), "b2": (3,)}


def test_affine_layers_hold_the_very_arrays_of_params():
    network = TwoLayerNet(5, 4, 3, seed=0)
    assert network.layers["Affine1"].W is network.params["W1"]
    assert network.layers["Affine1"].b is network.params["b1"]
    assert network.layers["Affine2"].W is network.params["W2"]
    assert network.layers["Affine2"].b is network.params["b2"]


def test_weights_start_with_the_requested_spread_and_biases_at_zero():
    network = TwoLayerNet(400, 300, 10, weight_init_std=0.05, seed=0)
    assert np.std(network.params["W1"]) == pytest.approx(0.05, rel=0.02)
    assert np.all(network.params["b1"] == 0) and np.all(network.params["b2"] == 0)


def test_the_same_seed_gives_the_same_weights_and_another_seed_different_ones():
    first, again = TwoLayerNet(5, 4, 3, seed=7), TwoLayerNet(5, 4, 3, seed=7)
    other = TwoLayerNet(5, 4, 3, seed=8)
    for key in ("W1", "W2"):
        np.testing.assert_array_equal(first.params[key], again.params[key])
        assert not np.array_equal(first.params[key], other.params[key])


def test_zero_weights_predict_uniform_probabilities_so_the_loss_is_log_of_the_class_count():
    network = TwoLayerNet(5, 4, 3, seed=0)
    for value in network.params.values():
        value[...] = 0  # in place, so the layers see it
    x, t = small_batch()
    assert network.loss(x, t) == pytest.approx(np.log(3), rel=1e-12)


@pytest.mark.parametrize("label_form", ["indices", "one-hot"])
def test_backprop_gradient_matches_the_numerical_gradient_for_every_parameter(label_form):
    network = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    network.params["b1"][...] = [0.3, -0.2, 0.1, 0.5]  # nonzero biases test db1 too
    x, t = small_batch()
    if label_form == "one-hot":
        t = one_hot(t, 3)
    backprop = network.gradient(x, t)
    numerical = network.numerical_gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        assert backprop[key].shape == network.params[key].shape
        assert relative_error(backprop[key], numerical[key]) < 1e-7, key


def test_gradient_of_a_hidden_unit_that_never_fires_is_zero():
    network = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    network.params["b1"][0] = -1e6  # unit 0 is negative for every input: ReLU blocks its gradient
    x, t = small_batch()
    grads = network.gradient(x, t)
    assert np.all(grads["W1"][:, 0] == 0) and grads["b1"][0] == 0
    assert np.all(grads["W2"][0, :] == 0)


def test_gradient_and_loss_do_not_modify_the_inputs():
    network = TwoLayerNet(5, 4, 3, seed=0)
    x, t = small_batch()
    x_before, t_before = x.copy(), t.copy()
    network.gradient(x, t)
    network.numerical_gradient(x, t)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(t, t_before)


def test_numerical_gradient_leaves_the_parameters_as_they_were():
    network = TwoLayerNet(5, 4, 3, seed=0)
    before = {key: value.copy() for key, value in network.params.items()}
    network.numerical_gradient(*small_batch())
    for key, value in network.params.items():
        np.testing.assert_array_equal(value, before[key])


def test_an_in_place_update_of_params_changes_what_the_network_predicts():
    network = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    x, t = small_batch()
    loss_before = network.loss(x, t)
    grads = network.gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        network.params[key] -= 0.1 * grads[key]
    assert network.loss(x, t) < loss_before  # a small step against the gradient lowers the loss


def test_rebinding_a_parameter_instead_of_updating_it_in_place_is_reported_with_the_fix():
    network = TwoLayerNet(5, 4, 3, seed=0)
    x, t = small_batch()
    grads = network.gradient(x, t)
    network.params["W1"] = network.params["W1"] - 0.1 * grads["W1"]  # the layer keeps the old array
    with pytest.raises(RuntimeError, match=r"params\['W1'\] -= learning_rate \* grads\['W1'\]"):
        network.gradient(x, t)


def test_accuracy_counts_the_top_scores_for_index_and_one_hot_labels():
    network = TwoLayerNet(2, 2, 2, seed=0)
    network.params["W1"][...] = np.eye(2)
    network.params["W2"][...] = np.eye(2)  # scores = relu(x): the larger input wins
    x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.0, 3.0]])
    t = np.array([0, 1, 1, 0])  # the last two are wrong
    assert network.accuracy(x, t) == 0.5
    assert network.accuracy(x, one_hot(t, 2)) == 0.5


def test_a_float32_network_computes_float32_gradients():
    network = TwoLayerNet(5, 4, 3, seed=0, dtype=np.float32)
    x, t = small_batch()
    grads = network.gradient(x.astype(np.float32), t)
    assert {value.dtype for value in network.params.values()} == {np.dtype(np.float32)}
    assert {value.dtype for value in grads.values()} == {np.dtype(np.float32)}


def test_repr_names_the_sizes_and_layers():
    assert repr(TwoLayerNet(64, 100, 10, seed=0)) == (
        "TwoLayerNet(64-100-10: Affine1 -> Relu1 -> Affine2 -> SoftmaxWithLoss, float64)"
    )


def test_training_updates_the_parameters_in_place_and_reports_each_epoch():
    (x_train, t_train), (x_test, t_test) = load_digits()
    network = TwoLayerNet(64, 10, 10, seed=0)
    arrays_before = {key: value for key, value in network.params.items()}
    values_before = {key: value.copy() for key, value in network.params.items()}
    lines = []
    history = train(network, x_train[:200], t_train[:200], x_test, t_test, epochs=3, batch_size=50,
                    learning_rate=0.1, seed=0, report=lines.append)
    for key, value in network.params.items():
        assert value is arrays_before[key]  # the same arrays the layers hold
        assert not np.array_equal(value, values_before[key])
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3  loss ")
    assert len(history["loss"]) == 3 * 4  # 200 samples in batches of 50, 3 times
    assert [len(history[key]) for key in ("epoch_loss", "train_acc", "test_acc", "seconds")] == [3, 3, 3, 3]


def test_training_with_the_same_seeds_is_reproducible():
    (x_train, t_train), (x_test, t_test) = load_digits()
    histories = []
    for _ in range(2):
        network = TwoLayerNet(64, 10, 10, seed=3)
        histories.append(train(network, x_train[:300], t_train[:300], x_test, t_test, epochs=2,
                               batch_size=30, seed=4, report=None))
    assert histories[0]["loss"] == histories[1]["loss"]


def test_training_on_the_bundled_digits_reaches_97_percent_test_accuracy():
    # The chapter's settings (chapters/5.7-backprop-network.ipynb), with fewer epochs: about a second.
    (x_train, t_train), (x_test, t_test) = load_digits()
    network = TwoLayerNet(64, 100, 10, weight_init_std=0.1, seed=0)
    history = train(network, x_train, t_train, x_test, t_test, epochs=20, batch_size=32,
                    learning_rate=0.5, seed=0, report=None)
    assert history["test_acc"][-1] >= 0.97
    assert history["epoch_loss"][-1] < history["epoch_loss"][0] < np.log(10)

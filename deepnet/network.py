"""A two-layer network built from the layers, trained by backpropagation (section 5.7).

    network = TwoLayerNet(input_size=64, hidden_size=50, output_size=10, seed=0)
    grads = network.gradient(x_batch, t_batch)       # backprop: one forward, one backward
    for key in ("W1", "b1", "W2", "b2"):
        network.params[key] -= learning_rate * grads[key]   # in place: the Affine layers see it

The class follows the book's TwoLayerNet line by line; the differences are named where they are:
a seedable random generator, a dtype, `last_layer` for the book's `lastLayer`, and a check that
the parameters are still the arrays the layers hold.
"""
import time

import numpy as np

from deepnet.course.language import fill
from deepnet.gradient import numerical_gradient
from deepnet.layers import Affine, Relu, SoftmaxWithLoss

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


MESSAGES = {
    "replaced_parameter": "params['{key}'] is no longer the array that layers['Affine{number}'] uses, so "
    "changing it does not change the network. Update it in place: params['{key}'] -= learning_rate * "
    "grads['{key}'] (not params['{key}'] = ...).",
    "epoch": "epoch {epoch}/{epochs}  loss {loss}  train acc {train}  test acc {test}",
}


class TwoLayerNet:
    """Affine -> ReLU -> Affine -> SoftmaxWithLoss.

    Inputs:
    - input_size D, hidden_size H, output_size C: the layer widths, e.g. 784, 50, 10 for MNIST.
    - weight_init_std: the weights start as weight_init_std * (standard normal); biases at 0.
    - seed: an int (or a numpy Generator) to make the initial weights reproducible;
      None draws fresh weights each time, like the book's np.random.randn.
    - dtype: float64 (default, what gradient checks need) or float32 (half the memory).

    Attributes, as in the book:
    - params: dict of W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
    - layers: dict, in forward order: Affine1, Relu1, Affine2.
    - last_layer: SoftmaxWithLoss (the book calls it lastLayer).
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=None,
                 dtype=np.float64):
        rng = np.random.default_rng(seed)
        self.params = {}
        self.params["W1"] = (weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype)
        self.params["b1"] = np.zeros(hidden_size, dtype=dtype)
        self.params["W2"] = (weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype)
        self.params["b2"] = np.zeros(output_size, dtype=dtype)

        # The Affine layers keep W and b *by reference*: updating params in place
        # (params["W1"] -= ...) updates the layers too; params["W1"] = new_array would not.
        # Since Python 3.7 a plain dict keeps insertion order (the book uses OrderedDict).
        self.layers = {}
        # Affine1's input is the data: its dx would cost a quarter of a training step, unused.
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"], input_gradient=False)
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        """Scores (logits) of shape (N, C) for inputs x of shape (N, D); no softmax needed to rank them."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """Mean cross-entropy loss for inputs x (N, D) and labels t: indices (N,) or one-hot (N, C)."""
        y = self.predict(x)
        return self.last_layer.forward(y, t)

    def accuracy(self, x, t):
        """Fraction of the N inputs whose highest score is the true class (a float in [0, 1])."""
        y = np.argmax(self.predict(x), axis=1)
        t = np.asarray(t)
        if t.ndim != 1:  # one-hot labels -> class indices
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t) / x.shape[0])

    def numerical_gradient(self, x, t):
        """Gradients of the loss by central differences: two forward passes per parameter entry.

        Slow on purpose: it is the reference that gradient() is checked against.
        Returns a dict with the keys and shapes of params.
        """
        self.check_parameters_are_shared()

        # numerical_gradient moves one entry of params[key] at a time; the layers hold the same
        # arrays, so the loss sees the move even though this function ignores its argument.
        def loss_w(_):
            return self.loss(x, t)

        return {key: numerical_gradient(loss_w, self.params[key]) for key in PARAMETER_NAMES}

    def gradient(self, x, t):
        """Gradients of the loss by backpropagation: one forward pass, one backward pass.

        Inputs: x (N, D); t: indices (N,) or one-hot (N, C).
        Returns a dict with the keys and shapes of params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
        """
        self.check_parameters_are_shared()

        # forward: every layer stores what its backward needs
        self.loss(x, t)

        # backward: from the loss back to the input, layers in reverse order
        dout = 1
        dout = self.last_layer.backward(dout)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)

        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads

    def check_parameters_are_shared(self):
        """Raise if params[key] is no longer the array its Affine layer uses.

        `network.params["W1"] = network.params["W1"] - lr * dW` binds a new array to the
        dict, while Affine1 keeps the old one: training would silently stop changing the network.
        """
        for number in ("1", "2"):
            layer = self.layers["Affine" + number]
            for name, used in (("W", layer.W), ("b", layer.b)):
                key = name + number
                if self.params[key] is not used:
                    raise RuntimeError(
                        fill(MESSAGES["replaced_parameter"], key=key, number=number)
                    )

    def __repr__(self):
        input_size, hidden_size = self.params["W1"].shape
        output_size = self.params["W2"].shape[1]
        return (f"TwoLayerNet({input_size}-{hidden_size}-{output_size}: "
                f"{' -> '.join(self.layers)} -> SoftmaxWithLoss, {self.params['W1'].dtype})")


def train(network, x_train, t_train, x_test, t_test, epochs=10, batch_size=100, learning_rate=0.1,
          seed=None, report=print):
    """Mini-batch SGD on network (any object with params, gradient, loss and accuracy).

    Each epoch visits the training set once in a new random order, batch_size samples at a time,
    and updates every parameter in place:  params[key] -= learning_rate * grads[key].
    After each epoch, report(line) receives one line of progress text (report=None: silent).

    Returns a history dict of lists: "loss" (one per batch), and "epoch_loss", "train_acc",
    "test_acc", "seconds" (one per epoch, seconds since the start).
    """
    rng = np.random.default_rng(seed)
    n_train = x_train.shape[0]
    history = {"loss": [], "epoch_loss": [], "train_acc": [], "test_acc": [], "seconds": []}
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n_train)
        for begin in range(0, n_train, batch_size):
            batch = order[begin:begin + batch_size]
            grads = network.gradient(x_train[batch], t_train[batch])
            for key in PARAMETER_NAMES:
                network.params[key] -= learning_rate * grads[key]
            # gradient() ran the forward pass: the loss of this batch is already stored
            history["loss"].append(float(network.last_layer.loss))
        history["epoch_loss"].append(float(network.loss(x_train, t_train)))
        history["train_acc"].append(network.accuracy(x_train, t_train))
        history["test_acc"].append(network.accuracy(x_test, t_test))
        history["seconds"].append(time.perf_counter() - start)
        if report is not None:
            report(fill(MESSAGES["epoch"], epoch=f"{epoch:{len(str(epochs))}d}", epochs=epochs,
                        loss=f"{history['epoch_loss'][-1]:.4f}", train=f"{history['train_acc'][-1]:.4f}",
                        test=f"{history['test_acc'][-1]:.4f}"))
    return history

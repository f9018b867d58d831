"""Checks for exercises 5.5: Relu and Sigmoid, elementwise layers for x of any shape."""

import numpy as np

from deepnet import layers
from deepnet.course.checks.engine import Check
from deepnet.course.checks.layer_cases import LayerExercise, layer_cases
from deepnet.course.checks.relations import Related

MESSAGES = {
    "relu_out": "out = x where x > 0 and 0 elsewhere (e.g. np.maximum(0, x))",
    "relu_dx": "dx = dout where x > 0, and 0 where self.mask (x <= 0) is True",
    "relu_mask_itself": "the mask x > 0 itself, not the values",
    "relu_inverted": "dout kept where x <= 0 and zeroed where x > 0: the mask the wrong way round",
    "relu_times_out": "dout * out: ReLU's output instead of its derivative (1 where x > 0)",
    "relu_of_dout": "max(0, dout): ReLU applied to dout instead of the mask of x",
    "sigmoid_out": "out = 1 / (1 + exp(-x))",
    "sigmoid_dx": "dx = dout * out * (1 - out), with out = self.out stored by forward",
    "sigmoid_flipped": "1 / (1 + exp(x)): the exponent's sign is flipped",
    "sigmoid_exp": "exp(-x) alone",
    "sigmoid_no_one_minus": "dout * out, without the factor (1 - out)",
    "sigmoid_no_out": "dout * (1 - out), without the factor out",
    "sigmoid_no_dout": "out * (1 - out), without the factor dout",
    "sigmoid_uses_x": "dout * x * (1 - x): x where the output out is needed",
    "sigmoid_overflow": "Sigmoid.forward printed an overflow warning for x = -1000: np.exp(-x) = exp(1000) "
    "overflows to inf. The result is still right (1 / (1 + inf) = 0), like the book's "
    "code, but the warning alarms readers; compute exp only of -|x| (see "
    "deepnet.sigmoid), or use 0.5 * (1 + np.tanh(x / 2))",
    "one_dimensional": "your {name} works for a batch (N, D) but not for a 1-D x of shape (D,): the "
    "layer works entry by entry, so write it for x of any shape (no loop over rows, "
    "no x[i, j])",
    "images": "your {name} works for x of shape (N, D) but not for x of shape (N, d1, d2): the layer "
    "works entry by entry, so write it for x of any shape",
}


def relu_related(name, inputs, dout, right):
    x = inputs["x"]
    if name == "out":
        return Related(arrays={"x": x}, alternatives={MESSAGES["relu_mask_itself"]: x > 0}, where=("x", x))
    return Related(
        arrays={"dout": dout},
        where=("x", x),
        # At the kink x = 0 any value between 0 and dout is a valid (sub)gradient.
        also_right=[np.where(x < 0, 0.0, dout)],
        alternatives={
            MESSAGES["relu_inverted"]: np.where(x > 0, 0.0, dout),
            MESSAGES["relu_times_out"]: dout * np.maximum(0, x),
            MESSAGES["relu_of_dout"]: np.maximum(0, dout),
        },
    )


def sigmoid_related(name, inputs, dout, right):
    x, y = inputs["x"], right["out"]
    if name == "out":
        return Related(
            arrays={"x": x},
            alternatives={MESSAGES["sigmoid_flipped"]: 1 - y, MESSAGES["sigmoid_exp"]: np.exp(-x)},
        )
    return Related(
        arrays={"dout": dout},
        alternatives={
            MESSAGES["sigmoid_no_one_minus"]: dout * y,
            MESSAGES["sigmoid_no_out"]: dout * (1 - y),
            MESSAGES["sigmoid_no_dout"]: y * (1 - y),
            MESSAGES["sigmoid_uses_x"]: dout * x * (1 - x),
        },
    )


RELU = LayerExercise(
    name="Relu",
    reference=layers.Relu,
    outputs=("dx",),
    rules={"out": MESSAGES["relu_out"], "dx": MESSAGES["relu_dx"]},
    related=relu_related,
    numerical=True,
)
SIGMOID = LayerExercise(
    name="Sigmoid",
    reference=layers.Sigmoid,
    outputs=("dx",),
    rules={"out": MESSAGES["sigmoid_out"], "dx": MESSAGES["sigmoid_dx"]},
    related=sigmoid_related,
    numerical=True,
    forward_warning=MESSAGES["sigmoid_overflow"],
)


def away_from_zero(x, margin=0.1):
    """Move entries out of (-margin, margin): a numerical gradient across ReLU's kink is meaningless."""
    return np.where(np.abs(x) < margin, np.where(x < 0, -margin, margin), x)


def elementwise_cases(exercise, rng, scale):
    """Random, batch of one, exact zeros, ±1000, both forms (1-D, images) and two inputs in turn."""

    def x_of(shape):
        return away_from_zero(rng.standard_normal(shape) * scale)

    cases = [
        (description, (), {"x": x}, rng.standard_normal(x.shape))
        for description, x in [
            ("random x of shape (3, 4)", x_of((3, 4))),
            ("a batch of one, x of shape (1, 5)", x_of((1, 5))),
            ("x with exact zeros", np.array([[0.0, -2.0, 3.0], [1.5, 0.0, -0.5]])),
            ("x = ±1000", np.array([[-1000.0, 1000.0, -0.001, 0.001], [-30.0, 30.0, 2.0, -2.0]])),
        ]
    ]
    flat, flat_dout = x_of(6), rng.standard_normal(6)
    images, images_dout = x_of((2, 2, 3)), rng.standard_normal((2, 2, 3))
    twins = [
        (
            "a 1-D x of shape (6,)",
            MESSAGES["one_dimensional"].format(name=exercise.name),
            (),
            {"x": flat},
            flat_dout,
            {"x": flat.reshape(1, 6)},
            flat_dout.reshape(1, 6),
        ),
        (
            "x of shape (2, 2, 3)",
            MESSAGES["images"].format(name=exercise.name),
            (),
            {"x": images},
            images_dout,
            {"x": images.reshape(2, 6)},
            images_dout.reshape(2, 6),
        ),
    ]
    # Two inputs that are not negatives of each other: "the mask the wrong way round" and "another
    # layer's mask" then give different values.
    reuse = (
        (),
        {"x": np.array([[1.0, -1.0, 2.0], [-0.5, 0.7, -3.0]])},
        np.array([[0.5, 0.7, 0.9], [1.1, 1.3, 1.5]]),
        {"x": np.array([[-1.5, 1.2, 0.4], [-0.5, 2.0, 0.8]])},
        np.array([[0.2, -0.6, 1.0], [0.3, 0.4, -0.9]]),
    )
    return cases, reuse, twins


def check_relu(Relu):
    """Check Relu: forward(x) = max(0, x); backward passes dout where x > 0 and 0 elsewhere."""
    rng = np.random.default_rng(551)
    with Check("Relu", Relu) as check:
        if check.require_callable():
            cases, reuse, twins = elementwise_cases(RELU, rng, 1.0)
            layer_cases(check, Relu, RELU, cases, reuse, twins)
    return check.result()


def check_sigmoid(Sigmoid):
    """Check Sigmoid: forward(x) = 1 / (1 + exp(-x)); backward(dout) = dout * out * (1 - out)."""
    rng = np.random.default_rng(552)
    with Check("Sigmoid", Sigmoid) as check:
        if check.require_callable():
            cases, reuse, twins = elementwise_cases(SIGMOID, rng, 2.0)
            layer_cases(check, Sigmoid, SIGMOID, cases, reuse, twins)
    return check.result()

"""Checks for exercises 5.5: Relu and Sigmoid, elementwise layers for x of any shape."""

import numpy as np

from deepnet import layers
from deepnet.course.checks.engine import Check, a_type
from deepnet.course.checks.layer_cases import LayerExercise, layer_cases
from deepnet.course.checks.relations import Related
from deepnet.course.language import N_, fill, translate

MESSAGES = {
    "case_at_zero": "{name} at x = 0",
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
    # The two conceptual exercises: numbers and a mask written by hand.
    "value_missing": "{name} is still None: write your number for it, then run this cell again",
    "value_not_a_number": "{name} should be one number, but it is {kind}",
    "graph_right_from_yours": "{name} follows from your {previous} = {previous_value}, "
    "but that value is wrong: fix it first",
    "graph_divide": "the value after the '/' node is dout * (-y**2) = {dout} * (-{y}**2) = {expected}: "
    "you gave {got}",
    "graph_divide_sign": "; the local derivative of 1/u is -1/u**2 = -y**2, which is negative",
    "graph_divide_not_squared": "; -y is not squared: the local derivative is -y**2",
    "graph_plus": "the value after the '+' node is the value before it, unchanged: the '+' node passes "
    "the gradient on (its local derivative is 1), so it is {expected}: you gave {got}",
    "graph_plus_zero": "; the constant 1 has derivative 0, but the gradient flows to the other "
    "input, exp(-x), with factor 1",
    "graph_exp": "the value after the exp node is the upstream value times exp(-x) = {upstream} * {exp} = "
    "{expected}: you gave {got}",
    "graph_exp_alone": "; that is exp(-x) alone: multiply it by the value that arrives from the right",
    "graph_times": "the value after the '×(-1)' node is the upstream value times -1 = {upstream} * -1 = "
    "{expected}: you gave {got}",
    "graph_times_forgotten": "; the sign is not flipped: the '×' node multiplies by its other input, -1",
    "mask_missing": "predicted_mask is still None: write your mask for x, then run this cell again",
    "mask_ragged": "predicted_mask should be a list of rows of equal length, like x (shape {shape})",
    "mask_shape": "predicted_mask should have the shape of x, {shape}, but it has shape {got_shape}",
    "mask_not_boolean": "predicted_mask should hold True and False, but it holds {got}",
    "mask_is_out": "; these are the output values out = max(0, x), not the mask",
    "mask_inverted": "predicted_mask is True where x > 0: that is the wrong way round. The mask is True "
    "where the gradient is BLOCKED, x <= 0 (the switch is off there)",
    "mask_strict": "predicted_mask is False at the entry x = 0 (index {index}): the mask is x <= 0, so it "
    "is True at an exact 0; there the gradient is blocked, as in the book",
    "mask_wrong": "predicted_mask is {got}, but mask = (x <= 0) is {expected}",
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
            (N_("random x of shape (3, 4)"), x_of((3, 4))),
            (N_("a batch of one, x of shape (1, 5)"), x_of((1, 5))),
            (N_("x with exact zeros"), np.array([[0.0, -2.0, 3.0], [1.5, 0.0, -0.5]])),
            (N_("x = ±1000"), np.array([[-1000.0, 1000.0, -0.001, 0.001], [-30.0, 30.0, 2.0, -2.0]])),
        ]
    ]
    flat, flat_dout = x_of(6), rng.standard_normal(6)
    images, images_dout = x_of((2, 2, 3)), rng.standard_normal((2, 2, 3))
    twins = [
        (
            N_("a 1-D x of shape (6,)"),
            fill(MESSAGES["one_dimensional"], name=exercise.name),
            (),
            {"x": flat},
            flat_dout,
            {"x": flat.reshape(1, 6)},
            flat_dout.reshape(1, 6),
        ),
        (
            N_("x of shape (2, 2, 3)"),
            fill(MESSAGES["images"], name=exercise.name),
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
    return check_elementwise(Relu, RELU, seed=551, scale=1.0)


def check_sigmoid(Sigmoid):
    """Check Sigmoid: forward(x) = 1 / (1 + exp(-x)); backward(dout) = dout * out * (1 - out)."""
    return check_elementwise(Sigmoid, SIGMOID, seed=552, scale=2.0)


def check_elementwise(learner, exercise, seed, scale):
    """The cases of an elementwise layer (elementwise_cases), random inputs of size about `scale`."""
    with Check(exercise.name, learner) as check:
        if check.require_callable():
            cases, reuse, twins = elementwise_cases(exercise, np.random.default_rng(seed), scale)
            layer_cases(check, learner, exercise, cases, reuse, twins)
    return check.result()


# ---------------------------------------------------------------- conceptual exercises

# The Sigmoid graph of figure 5-20, at x = 0 with dout = 1 arriving from the right.
GRAPH_X = 0.0
GRAPH_DOUT = 1.0
# The four backward values, from right to left: (argument name, node it has passed).
GRAPH_VALUES = ("after_divide", "after_plus", "after_exp", "after_times_minus_one")
# The input of the mask exercise: one entry is exactly 0.
MASK_X = np.array([[1.0, -0.5], [0.0, 3.0]])


def as_number(check, name, value):
    """The learner's value as a float; a failure of the case when it is not one number."""
    try:
        number = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        number = None
    if number is None or number.size != 1 or isinstance(value, (str, bytes)):
        message = fill(MESSAGES["value_not_a_number"], name=name, kind=a_type(value))
        check.fail(("not a number", name), message)
    return float(number.reshape(()))


def text(value):
    return f"{value:.4f}"


def sigmoid_graph_steps(x, dout):
    """(name, rule, upstream name) of each backward step: rule(upstream value) is the right value."""
    y = 1 / (1 + np.exp(-x))
    return [
        ("after_divide", lambda upstream: upstream * -(y**2), None),
        ("after_plus", lambda upstream: upstream, "after_divide"),
        ("after_exp", lambda upstream: upstream * np.exp(-x), "after_plus"),
        ("after_times_minus_one", lambda upstream: -upstream, "after_exp"),
    ]


def check_sigmoid_graph_values(after_divide, after_plus, after_exp, after_times_minus_one):
    """Check the four backward values of the Sigmoid graph at x = 0 with dout = 1 (figure 5-20).

    Each value is checked twice: against the right value, and against the node's rule applied to
    the learner's own value on its right. A step that is right from a wrong start is named as such,
    so a learner fixes the first wrong step, not all four.
    """
    given = dict(zip(GRAPH_VALUES, (after_divide, after_plus, after_exp, after_times_minus_one), strict=True))
    x, dout = GRAPH_X, GRAPH_DOUT
    y = 1 / (1 + np.exp(-x))
    with Check("Sigmoid graph at x = 0", given, kind="values") as check:
        missing = [name for name, value in given.items() if value is None]
        for name in missing:
            check.unwritten.append(fill(MESSAGES["value_missing"], name=name))
        if missing:
            return check.result()
        right = {}
        learner = {}
        for name, rule, upstream_name in sigmoid_graph_steps(x, dout):
            upstream_right = dout if upstream_name is None else right[upstream_name]
            right[name] = rule(upstream_right)
            with check.case(fill(MESSAGES["case_at_zero"], name=name)):
                got = learner[name] = as_number(check, name, given[name])
                if np.isclose(got, right[name], rtol=1e-3, atol=1e-4):
                    continue
                if upstream_name is not None and np.isclose(got, rule(learner[upstream_name]), atol=1e-4):
                    check.fail(("from yours", name), fill(MESSAGES["graph_right_from_yours"],
                        name=name, previous=upstream_name, previous_value=text(learner[upstream_name])))
                check.fail(("wrong", name), graph_message(name, got, right, upstream_right, x, dout, y))
    return check.result()


def graph_message(name, got, right, upstream, x, dout, y):
    """Why the value after one node is wrong: the node's rule with its numbers, and a likely cause."""
    values = {"expected": text(right[name]), "got": text(got), "upstream": text(upstream)}
    if name == "after_divide":
        message = fill(MESSAGES["graph_divide"], dout=text(dout), y=text(y), **values)
        if np.isclose(got, -right[name]):
            message += translate(MESSAGES["graph_divide_sign"])
        elif np.isclose(got, -dout * y):
            message += translate(MESSAGES["graph_divide_not_squared"])
        return message
    if name == "after_plus":
        zero = translate(MESSAGES["graph_plus_zero"]) if got == 0 else ""
        return fill(MESSAGES["graph_plus"], **values) + zero
    if name == "after_exp":
        message = fill(MESSAGES["graph_exp"], exp=text(np.exp(-x)), **values)
        if np.isclose(got, np.exp(-x)):
            message += translate(MESSAGES["graph_exp_alone"])
        return message
    message = fill(MESSAGES["graph_times"], **values)
    if np.isclose(got, upstream):
        message += translate(MESSAGES["graph_times_forgotten"])
    return message


def check_relu_mask_prediction(predicted_mask):
    """Check a mask predicted by hand for x = [[1.0, -0.5], [0.0, 3.0]]: True where x <= 0."""
    x = MASK_X
    expected = x <= 0
    with Check("ReLU mask of x with a 0", predicted_mask, kind="values") as check:
        if predicted_mask is None:
            check.unwritten.append(MESSAGES["mask_missing"])
            return check.result()
        got = mask_of_the_right_form(check, predicted_mask, x.shape)
        if got is not None:
            with check.case("x = [[1.0, -0.5], [0.0, 3.0]]"):
                compare_mask(check, got, x, expected)
    return check.result()


def mask_of_the_right_form(check, predicted_mask, shape):
    """predicted_mask as a boolean array of x's shape, or None (the failure recorded)."""
    with check.case(N_("the form of predicted_mask")):
        try:
            got = np.asarray(predicted_mask)
        except (TypeError, ValueError):  # rows of different lengths
            check.fail(("ragged",), fill(MESSAGES["mask_ragged"], shape=shape))
        if got.shape != shape:
            check.fail(("shape",), fill(MESSAGES["mask_shape"], shape=shape, got_shape=got.shape))
        if got.dtype != bool:
            message = fill(MESSAGES["mask_not_boolean"], got=got.tolist())
            if got.dtype.kind in "iuf" and np.array_equal(got, np.maximum(0, MASK_X)):
                message += translate(MESSAGES["mask_is_out"])
            check.fail(("not boolean",), message)
        return got
    return None


def compare_mask(check, got, x, expected):
    """One case of check_relu_mask_prediction: fail with the cause, or return when the mask is right."""
    if np.array_equal(got, expected):
        return
    # x > 0 and x >= 0 differ only at the 0; both mark where the gradient passes.
    if np.array_equal(got, x > 0) or np.array_equal(got, x >= 0):
        check.fail(("inverted",), MESSAGES["mask_inverted"])
    if np.array_equal(got, x < 0):
        index = tuple(int(i) for i in np.argwhere(x == 0)[0])
        check.fail(("strict",), fill(MESSAGES["mask_strict"], index=index))
    check.fail(("wrong",), fill(MESSAGES["mask_wrong"], got=got.tolist(), expected=expected.tolist()))

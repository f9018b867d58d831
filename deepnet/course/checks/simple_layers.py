"""Checks for exercises 5.4: MulLayer and AddLayer (the apple example's nodes)."""

import numpy as np

from deepnet import layers
from deepnet.course.checks.engine import Check
from deepnet.course.checks.layer_cases import LayerExercise, layer_cases
from deepnet.course.checks.relations import Related
from deepnet.course.language import N_, fill

MESSAGES = {
    "mul_out": "out = x * y",
    "mul_dx": "dx = dout * self.y: each input's gradient is dout times the *other* input",
    "mul_dy": "dy = dout * self.x: each input's gradient is dout times the *other* input",
    "add_out": "out = x + y",
    "add_grad": "{name} = dout * 1: the add node's local derivatives are 1, so it passes the whole dout "
    "on to both inputs",
    "rule_add": "x + y, the add node's rule",
    "rule_mul": "x * y, the multiplication node's rule",
    "rule_dout_times": "dout * {input}, the input itself instead of the other input",
    "rule_no_dout": "{input}, without the factor dout",
    "rule_mul_grad": "dout * {input}, the multiplication node's rule",
    "rule_ones": "1, the local derivative without dout",
    "rule_zero": "0",
}


def as_array(value):
    return np.asarray(value, dtype=np.float64)


def mul_related(name, inputs, dout, right):
    x, y, dout = as_array(inputs["x"]), as_array(inputs["y"]), as_array(dout)
    if name == "out":
        return Related(alternatives={MESSAGES["rule_add"]: x + y})
    own, other = (x, "x") if name == "dx" else (y, "y")
    return Related(
        arrays={"dout": dout},
        where=("x", x) if np.shape(x) == np.shape(dout) else None,
        alternatives={
            fill(MESSAGES["rule_dout_times"], input=other): dout * own,
            fill(MESSAGES["rule_no_dout"], input="y" if name == "dx" else "x"): y if name == "dx" else x,
        },
    )


def add_related(name, inputs, dout, right):
    x, y, dout = as_array(inputs["x"]), as_array(inputs["y"]), as_array(dout)
    if name == "out":
        return Related(alternatives={MESSAGES["rule_mul"]: x * y})
    other = y if name == "dx" else x
    return Related(
        alternatives={
            fill(MESSAGES["rule_mul_grad"], input="y" if name == "dx" else "x"): dout * other,
            MESSAGES["rule_ones"]: np.ones_like(dout),
            MESSAGES["rule_zero"]: np.zeros_like(dout),
        }
    )


MUL_LAYER = LayerExercise(
    name="MulLayer",
    reference=layers.MulLayer,
    outputs=("dx", "dy"),
    rules={"out": MESSAGES["mul_out"], "dx": MESSAGES["mul_dx"], "dy": MESSAGES["mul_dy"]},
    related=mul_related,
)
ADD_LAYER = LayerExercise(
    name="AddLayer",
    reference=layers.AddLayer,
    outputs=("dx", "dy"),
    rules={
        "out": MESSAGES["add_out"],
        "dx": fill(MESSAGES["add_grad"], name="dx"),
        "dy": fill(MESSAGES["add_grad"], name="dy"),
    },
    related=add_related,
)


def two_input_cases(rng, first, second):
    """The cases of both nodes: the book's numbers, scalars with dout ≠ 1, arrays with exact zeros."""
    return [
        (first[0], (), {"x": first[1], "y": first[2]}, 1.0),
        (N_("scalars with dout = 1.5"), (), {"x": 3.0, "y": -4.0}, 1.5),
        (
            N_("arrays of shape (2, 3) with exact zeros, dout ≠ 1"),
            (),
            {"x": np.array([[1.5, 0.0, -2.0], [0.5, 3.0, 0.0]]), "y": rng.uniform(0.5, 2.0, (2, 3))},
            rng.uniform(0.5, 2.0, (2, 3)),
        ),
        (
            N_("arrays of shape (3,)"),
            (),
            {"x": np.array([2.0, -1.0, 0.5]), "y": np.array([0.7, 3.0, -2.5])},
            np.array([1.2, -0.4, 2.0]),
        ),
    ], ((), {"x": first[1], "y": first[2]}, 1.0, {"x": second[0], "y": second[1]}, 1.3)


def check_mul_layer(MulLayer):
    """Check MulLayer: forward(x, y) = x * y; backward(dout) = (dout * y, dout * x)."""
    rng = np.random.default_rng(54)
    with Check("MulLayer", MulLayer) as check:
        if check.require_callable():
            # The apple example itself: two MulLayer objects (apples, then tax) used in turn.
            cases, reuse = two_input_cases(
                rng, (N_("the apple example: 100 * 2, dout = 1"), 100.0, 2.0), (200.0, 1.1)
            )
            layer_cases(check, MulLayer, MUL_LAYER, cases, reuse)
    return check.result()


def check_add_layer(AddLayer):
    """Check AddLayer: forward(x, y) = x + y; backward(dout) = (dout, dout)."""
    rng = np.random.default_rng(55)
    with Check("AddLayer", AddLayer) as check:
        if check.require_callable():
            cases, reuse = two_input_cases(
                rng, (N_("the apple + orange example: 200 + 450, dout = 1.1"), 200.0, 450.0), (-1.0, 2.5)
            )
            cases[0] = (cases[0][0], (), cases[0][2], 1.1)
            layer_cases(check, AddLayer, ADD_LAYER, cases, reuse)
    return check.result()

"""The cases every layer check runs: one forward and backward, the same layer on a second input, two
layers in turn, and the contract's input forms, each compared value by value with deepnet's layer."""

from dataclasses import dataclass, field

import numpy as np

from deepnet.course.checks.engine import evaluate
from deepnet.course.checks.messages import say
from deepnet.course.checks.relations import RELATIVE_TOLERANCE, gradient_error, same_array
from deepnet.course.language import N_


@dataclass
class LayerExercise:
    """What the engine needs to know of a layer exercise.

    reference(*init): deepnet's own layer. outputs: the names backward returns, ("dx",) or ("dx", "dy").
    rules: the right formula of each value ("out", "dx", ...), said after a named cause.
    related(value_name, inputs, dout, right) -> Related: what that value may relate to in this case.
    stale_hint: said when a value is the previous input's. numerical: compare an unexplained dx with
    the numerical gradient of the learner's own forward (elementwise layers).
    """

    name: str
    reference: object
    outputs: tuple
    rules: dict
    related: object
    stale_hint: str = ""
    numerical: bool = False
    attributes: tuple = ()  # values backward stores on the layer, e.g. ("dW", "db")
    forward_warning: str = None  # said instead of the generic text when forward prints a warning
    tolerances: dict = field(
        default_factory=dict
    )  # {"out": 1e-5}: relative tolerances other than the default


def right_values(exercise, init, inputs, dout):
    """The reference layer's out and gradients for these inputs, as {"out": …, "dx": …}."""
    reference = exercise.reference(*[np.copy(a) for a in init])
    values = {"out": reference.forward(*inputs.values())}
    grads = reference.backward(dout)
    grads = grads if isinstance(grads, tuple) else (grads,)
    values.update(zip(exercise.outputs, grads, strict=True))
    values.update((name, getattr(reference, name)) for name in exercise.attributes)
    return values


def run_layer(check, learner, exercise, init, inputs, dout, layer=None, previous=None):
    """forward(inputs) then backward(dout) on `layer` (a new one when None), every value compared.

    Also: backward leaves the layer's state as forward stored it, returns new arrays, and gives the
    same result when called again. previous: the right values for the layer's previous input.
    """
    right = right_values(exercise, init, inputs, dout)
    if layer is None:
        layer = check.new(*init)
    before = dict(vars(layer)) if hasattr(layer, "__dict__") else {}
    out = check.call_method(layer, "forward", on_warning=exercise.forward_warning, **inputs)
    compare(check, learner, exercise, "out", f"{exercise.name}.forward", out, right, inputs, dout, previous)
    # What this forward stored (assigned anew): backward may read it, never change it.
    stored = {
        name: value
        for name, value in check.snapshot(layer).items()
        if name not in exercise.attributes and getattr(layer, name) is not before.get(name)
    }
    grads = backward(check, layer, exercise, dout)
    for name, value in zip(exercise.outputs, grads, strict=True):
        compare(check, learner, exercise, name, name, value, right, inputs, dout, previous)
    for name in exercise.attributes:
        value = getattr(layer, name, None)
        if value is None:
            check.fail(
                ("not set", name),
                say(
                    "not_set", what=f"{exercise.name}.backward", name=name, rule=exercise.rules.get(name, "")
                ),
            )
        compare(check, learner, exercise, name, name, value, right, inputs, dout, previous)
    check.expect_new_arrays(
        f"{exercise.name}.backward",
        dict(zip(exercise.outputs, grads, strict=True)),
        {"dout": check.last_arguments.get("dout")},
        layer,
    )
    check.expect_state_unchanged(f"{exercise.name}.backward", layer, stored)
    again = backward(check, layer, exercise, dout)
    if not all(same_array(a, b) for a, b in zip(again, grads, strict=True)):
        check.fail(("backward twice",), say("backward_twice", what=f"{exercise.name}.backward"))
    return layer, right


def backward(check, layer, exercise, dout):
    grads = check.call_method(layer, "backward", dout=dout)
    if len(exercise.outputs) == 1:
        return (grads,)
    return tuple(check.two_values(f"{exercise.name}.backward", grads))


def compare(check, learner, exercise, name, what, value, right, inputs, dout, previous):
    related = exercise.related(name, inputs, dout, right)
    if previous is not None:
        related.previous = previous[name]
    note = None
    if exercise.numerical and name == "dx":

        def note():
            return numerical_note(learner, inputs, dout, value)

    check.expect(
        what,
        value,
        right[name],
        rule=exercise.rules.get(name, ""),
        related=related,
        note=note,
        rtol=exercise.tolerances.get(name, RELATIVE_TOLERANCE),
    )


def numerical_note(learner, inputs, dout, dx):
    """Whether the learner's dx agrees with the numerical gradient of the learner's own forward."""
    from deepnet.gradient import numerical_gradient_array

    x = np.array(next(iter(inputs.values())), dtype=np.float64)
    numeric = numerical_gradient_array(lambda x_: learner().forward(x_), x, dout)
    error = gradient_error(dx, numeric)
    if error < 1e-6:
        return say("numerical_agrees", what="dx")
    return say("numerical", what="dx", error=f"{error:.0e}")


def layer_cases(check, learner, exercise, cases, reuse, twins=()):
    """The usual cases of a layer exercise.

    cases: (description, init, inputs, dout) each on a new instance.
    reuse: (init, first inputs, first dout, second inputs, second dout): the same instance on a
        second input, then two instances used in turn (a probe: the inputs are not negatives of
        each other, so "another instance's state" differs from every other relation).
    twins: (description, gap message, init, inputs, dout, basic inputs, basic dout): contract forms.
    """
    for description, init, inputs, dout in cases:
        with check.case(description, **inputs, dout=dout):
            run_layer(check, learner, exercise, init, inputs, dout)
    for description, gap, init, inputs, dout, basic_inputs, basic_dout in twins:
        check.form_case(
            description,
            gap,
            lambda i=init, x=inputs, d=dout: run_layer(check, learner, exercise, i, x, d),
            lambda i=init, x=basic_inputs, d=basic_dout: run_layer(check, learner, exercise, i, x, d),
            **inputs,
        )
    init, first, first_dout, second, second_dout = reuse

    def each_alone():
        run_layer(check, learner, exercise, init, first, first_dout)
        run_layer(check, learner, exercise, init, second, second_dout)

    def used_again():
        layer, right = run_layer(check, learner, exercise, init, first, first_dout)
        run_layer(check, learner, exercise, init, second, second_dout, layer=layer, previous=right)

    # Probes for state: each input alone on a new layer is the twin, so a failure here can only
    # come from what the layer keeps between calls, or shares with another layer.
    check.form_case(
        N_("the same layer used again on a second, different input"),
        say("stale_state"),
        used_again,
        each_alone,
        **second,
    )
    check.form_case(
        N_("two layers used in turn (forward of both, then backward of both)"),
        say("shared_state"),
        lambda: two_in_turn(check, learner, exercise, reuse),
        each_alone,
        **second,
    )


def two_in_turn(check, learner, exercise, reuse):
    """Two instances: forward of both, then backward of both (the apple example's order)."""
    init, first, first_dout, second, second_dout = reuse
    first_layer, second_layer = check.new(*init), check.new(*init)
    right_first = right_values(exercise, init, first, first_dout)
    right_second = right_values(exercise, init, second, second_dout)
    # What the first layer's backward gives if it used the second layer's stored values.
    crossed = evaluate(lambda: right_values(exercise, init, second, first_dout)) or {}
    check.call_method(first_layer, "forward", **first)
    check.call_method(second_layer, "forward", **second)
    for layer, right, inputs, dout, other in (
        (first_layer, right_first, first, first_dout, crossed),
        (second_layer, right_second, second, second_dout, None),
    ):
        grads = backward(check, layer, exercise, dout)
        for name, value in zip(exercise.outputs, grads, strict=True):
            related = exercise.related(name, inputs, dout, right)
            if other is not None:
                related.alternatives[say("other_instance")] = other.get(name)
            check.expect(
                name,
                value,
                right[name],
                rule=exercise.stale_hint or exercise.rules.get(name, ""),
                related=related,
            )


def one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]


def probabilities(rng, shape):
    """Rows of positive numbers summing to 1 (each at least 0.05, so log y is far from log 0)."""
    p = rng.uniform(1.0, 3.0, size=shape)
    return p / p.sum(axis=-1, keepdims=True)

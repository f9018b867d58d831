"""Check for exercise 5.7: TwoLayerNet.gradient, against the numerical gradient of the learner's own loss."""

import re

import numpy as np

from deepnet import layers
from deepnet.course.checks.engine import Check
from deepnet.course.checks.layer_cases import one_hot
from deepnet.course.checks.relations import Related, gradient_error
from deepnet.course.language import N_, fill
from deepnet.gradient import numerical_gradient

PARAMETER_KEYS = ("W1", "b1", "W2", "b2")
# Backprop against central differences (h = 1e-4): right code gives about 1e-8, a mistake 1e-1 or more.
NETWORK_GRADIENT_TOLERANCE = 1e-4

MESSAGES = {
    "rule": "gradient(x, t) runs self.loss(x, t) first, then backward from dout = 1 through the layers in "
    "reverse order (dout = layer.backward(dout)), and then reads each Affine layer's dW and db",
    "not_dict": "TwoLayerNet.gradient returned {got}; it should return a dict of gradients with keys "
    "W1, b1, W2, b2",
    "no_key": "the dict from gradient() has no key '{key}'; it needs the keys W1, b1, W2, b2 "
    "(grads['W1'] = self.layers['Affine1'].dW, ...)",
    "grad_none": "grads['{key}'] is None: the Affine layers set dW and db in backward; read them after "
    "the backward pass",
    "grad_shape": "grads['{key}'] has shape {got} but params['{key}'] has shape {expected}{looks_like}; "
    "each gradient has the shape of what it is the gradient of",
    "looks_like": ": it looks like the gradient of {other}",
    "grad_nonfinite": "grads['{key}'] contains inf or nan; look for an exp that overflows",
    "changed_params": "gradient() changed params['{key}']: it should only compute the gradients; the "
    "training loop updates the parameters",
    "no_params": "TwoLayerNet needs a params dict with keys W1, b1, W2, b2 (set in __init__)",
    "params_kind": "params['{key}'] should be a numpy float array, got {got}",
    "copies": "changing params['{key}'] does not change loss(): the layers must use the arrays in "
    "self.params themselves, not copies",
    "relative_error": "grads['{key}'] differs from the numerical gradient of your loss for {case} by a "
    "relative error of {error} (right code gives < 1e-7)",
    "held_batch": "the gradient that backward gives when the loss layer still holds the previous batch "
    "(run self.loss(x, t), not only self.predict(x): the last layer must see this batch)",
    "discarded": "the result of .backward(dout) is thrown away: each layer must pass its result to the "
    "layer before it, dout = layer.backward(dout)",
    "one_hot_only": "your gradient works for one-hot labels but not for class indices t of shape (N,); "
    "both go through self.loss(x, t) and the last layer, which take either",
    "batch_axis": "the batch axis N",
    "forward_order": "backward must go through the layers in reverse order, from the last to the first: "
    "for layer in reversed(list(self.layers.values())): dout = layer.backward(dout)",
}


def backward_in_forward_order(source):
    """True when gradient() loops over the layers with .backward but never reverses them."""
    body = source[source.find("def gradient") :]
    return (
        ".backward(" in body
        and "reversed" not in body
        and "[::-1]" not in body
        and re.search(r"for \w+ in (list\()?self\.layers", body) is not None
    )


def check_two_layer_net(TwoLayerNet):
    """Check TwoLayerNet.gradient against the numerical gradient of the learner's own loss.

    The network is built with the book's API, TwoLayerNet(input_size, hidden_size, output_size),
    and its params are given fixed values in place. Cases: loss() on another batch first (a
    gradient() that skips the forward pass gives that batch's gradient), gradient() twice (gradients
    read before backward ran give the previous call's), both label forms, a batch of one.
    """
    rng = np.random.default_rng(57)
    with Check(
        "TwoLayerNet",
        TwoLayerNet,
        source_hints=[
            (r"^\s*[\w.\[\]'\"]+\.backward\(\s*dout\s*\)\s*$", MESSAGES["discarded"]),
            (backward_in_forward_order, MESSAGES["forward_order"]),
        ],
    ) as check:
        if not check.require_callable():
            return check.result()
        x, other_x = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
        labels, other_labels = np.array([0, 1, 2, 1, 0, 2]), np.array([2, 2, 1, 0, 0, 1])
        values = rng.standard_normal((4 * 5 + 5 + 5 * 3 + 3,)) * 0.5

        def run(x_, t, previous_x, previous_t, first="loss"):
            net = check.new(4, 5, 3)
            params = network_parameters(check, net, values)
            before = {key: params[key].copy() for key in PARAMETER_KEYS}
            if first == "loss":
                check.call_method(net, "loss", x=previous_x, t=previous_t)
            else:
                check.call_method(net, "gradient", x=previous_x, t=previous_t)
                for key in PARAMETER_KEYS:
                    params[key][...] = before[key]
            previous = {key: numeric(check, net, key, previous_x, previous_t) for key in PARAMETER_KEYS}
            grads = check.call_method(net, "gradient", x=x_, t=t)
            for key in PARAMETER_KEYS:
                if not np.array_equal(params[key], before[key]):
                    check.fail(("changed params",), fill(MESSAGES["changed_params"], key=key))
            held = held_batch_gradient(params, x_, t, previous_x, previous_t)
            for key in PARAMETER_KEYS:
                grad = gradient_entry(check, grads, key, params)
                expected = numeric(check, net, key, x_, t)
                loss = float(np.asarray(net.loss(x_, t)))
                check.expect(
                    f"grads['{key}']",
                    grad,
                    expected,
                    rule=MESSAGES["rule"],
                    close=lambda a, b: (
                        a.shape == b.shape and gradient_error(a, b) <= NETWORK_GRADIENT_TOLERANCE
                    ),
                    note=lambda g=grad, e=expected, k=key: fill(MESSAGES["relative_error"],
                        key=k, case=check.case_description, error=f"{gradient_error(g, e):.0e}"
                    ),
                    related=Related(
                        previous=previous[key],
                        arrays={f"params['{key}']": params[key]},
                        quantities={"N": len(x_), "loss": loss},
                        axis_names={0: MESSAGES["batch_axis"]},
                        alternatives={MESSAGES["held_batch"]: held[key]},
                    ),
                )

        for description, x_, t, px, pt in [
            (
                N_("a batch of 6, one-hot labels, after loss() on another batch"),
                x,
                one_hot(labels, 3),
                other_x,
                one_hot(other_labels, 3),
            ),
            (
                N_("a batch of one, after loss() on another batch"),
                x[:1],
                one_hot(labels[:1], 3),
                other_x[:1],
                one_hot(other_labels[:1], 3),
            ),
        ]:
            with check.case(description, x=x_, t=t):
                run(x_, t, px, pt)
        with check.case(N_("gradient() called twice, on two different batches"), probe=True):
            run(x, one_hot(labels, 3), other_x, one_hot(other_labels, 3), first="gradient")
        check.form_case(
            N_("a batch of 6, class-index labels"),
            MESSAGES["one_hot_only"],
            lambda: run(x, labels, other_x, other_labels),
            lambda: run(x, one_hot(labels, 3), other_x, one_hot(other_labels, 3)),
            x=x,
            t=labels,
        )
    return check.result()


def network_parameters(check, net, values):
    """net.params, checked to be a dict of float arrays W1, b1, W2, b2, then given fixed values in place.

    In place, because the layers hold these very arrays: every run sees the same network whatever
    __init__ drew, and the biases are not all zero.
    """
    params = getattr(net, "params", None)
    if not isinstance(params, dict) or any(key not in params for key in PARAMETER_KEYS):
        check.fail(("params",), MESSAGES["no_params"])
    start = 0
    for key in PARAMETER_KEYS:
        value = params[key]
        if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.floating):
            check.fail(("params",), fill(MESSAGES["params_kind"], key=key, got=type(value).__name__))
        value[...] = values[start : start + value.size].reshape(value.shape)
        start += value.size
    return params


def gradient_entry(check, grads, key, params):
    """grads[key] as a float array of params[key]'s shape, or a failure naming what is wrong."""
    if not isinstance(grads, dict):
        check.fail(
            ("grads",), fill(MESSAGES["not_dict"], got="None" if grads is None else type(grads).__name__)
        )
    if key not in grads:
        check.fail(("grads", key), fill(MESSAGES["no_key"], key=key))
    if grads[key] is None:
        check.fail(("grads none",), fill(MESSAGES["grad_none"], key=key))
    grad = check.numbers(f"grads['{key}']", grads[key])
    if grad.shape != params[key].shape:
        other = [k for k in PARAMETER_KEYS if params[k].shape == grad.shape]
        looks_like = fill(MESSAGES["looks_like"], other=other[0]) if other else ""
        check.fail(
            ("grads shape", key),
            fill(MESSAGES["grad_shape"],
                key=key, got=grad.shape, expected=params[key].shape, looks_like=looks_like
            ),
        )
    if not np.all(np.isfinite(grad)):
        check.fail(("grads nonfinite",), fill(MESSAGES["grad_nonfinite"], key=key))
    return grad


def numeric(check, net, key, x, t):
    """Central differences of net.loss(x, t) with respect to net.params[key] (changed in place, restored)."""

    def loss(_):
        return float(np.asarray(check.call("TwoLayerNet.loss", net.loss, x=x, t=t)).reshape(-1)[0])

    gradient = numerical_gradient(loss, net.params[key])
    if not np.any(gradient):
        check.fail(("copies",), fill(MESSAGES["copies"], key=key))
    return gradient


def held_batch_gradient(params, x, t, previous_x, previous_t):
    """The gradients backprop gives when the loss layer still holds the previous batch's y and t."""
    if len(x) != len(previous_x):
        return dict.fromkeys(PARAMETER_KEYS)
    copies = {key: params[key].copy() for key in PARAMETER_KEYS}
    first, relu, second = (
        layers.Affine(copies["W1"], copies["b1"]),
        layers.Relu(),
        layers.Affine(copies["W2"], copies["b2"]),
    )
    last = layers.SoftmaxWithLoss()
    last.forward(second.forward(relu.forward(first.forward(previous_x))), previous_t)
    second.forward(relu.forward(first.forward(x)))
    first.backward(relu.backward(second.backward(last.backward(1))))
    return {"W1": first.dW, "b1": first.db, "W2": second.dW, "b2": second.db}

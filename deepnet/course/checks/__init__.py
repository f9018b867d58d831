"""Checks for the exercises: `check_relu(Relu)` says whether a learner's layer is right, and if not, why.

    ❌ Affine: fail
      - db has shape (4, 3) but should have shape (3,): it still has axis 0 (the batch axis N),
        which must be summed over; db = np.sum(dout, axis=0) (seen for x of shape (4, 5))

The engine runs the cases and explains differences (engine.py, with relations.py, exceptions.py,
layer_cases.py and messages.py); one module per exercise notebook holds that notebook's checks:
simple_layers (5.4), activation_layers (5.5), affine_softmax (5.6), network (5.7). A check never
raises, whatever the learner's code does; it returns a CheckResult.
"""

import re

from deepnet.course.checks.activation_layers import (
    check_relu,
    check_relu_mask_prediction,
    check_sigmoid,
    check_sigmoid_graph_values,
)
from deepnet.course.checks.affine_softmax import (
    check_affine,
    check_batch_bias_gradient,
    check_cross_entropy_error,
    check_softmax,
    check_softmax_with_loss,
)
from deepnet.course.checks.engine import MIMETYPE, STATUSES, CheckResult
from deepnet.course.checks.exceptions import learner_source
from deepnet.course.checks.messages import say
from deepnet.course.checks.network import check_two_layer_net
from deepnet.course.checks.simple_layers import check_add_layer, check_mul_layer

__all__ = [
    "MIMETYPE",
    "STATUSES",
    "CheckResult",
    "check_add_layer",
    "check_affine",
    "check_batch_bias_gradient",
    "check_cross_entropy_error",
    "check_mul_layer",
    "check_relu",
    "check_relu_mask_prediction",
    "check_sigmoid",
    "check_sigmoid_graph_values",
    "check_softmax",
    "check_softmax_with_loss",
    "check_two_layer_net",
    "graded",
]


def graded(check_name, *answers):
    """What `deepnet grade` runs in place of a check cell: the check, unless the learner's answer is
    deepnet's own implementation (imported, assigned, subclassed or called), which is "copied"."""
    check = globals()[check_name]
    for answer in answers:
        origin = deepnet_origin(answer)
        if origin:
            name = getattr(answer, "__name__", check_name.removeprefix("check_"))
            return CheckResult(name, "copied", [say("copied", name=name, origin=origin)])
    return check(*answers)


def deepnet_origin(learner):
    """Where in deepnet the learner's object comes from ("deepnet.layers.Relu"), or ""."""
    for candidate in getattr(learner, "__mro__", (learner,)):
        module = getattr(candidate, "__module__", "") or ""
        if module == "deepnet" or module.startswith("deepnet."):
            return f"{module}.{getattr(candidate, '__qualname__', '')}"
    name = getattr(learner, "__name__", "")
    source = learner_source(learner)
    # A function or method that hands the work to deepnet's own one: deepnet.softmax(x), layers.Relu().
    pattern = rf"\b(deepnet(\.\w+)*|functions|layers)\.{re.escape(name)}\b"
    called = re.search(pattern, source) if name else None
    return called.group(0) if called else ""

"""Checks for the exercises: `check_relu(Relu)` says whether a learner's layer is right, and if not, why.

    ❌ Affine: fail
      - db has shape (4, 3) but should have shape (3,): it still has axis 0 (the batch axis N),
        which must be summed over; db = np.sum(dout, axis=0) (seen for x of shape (4, 5))

The engine runs the cases and explains differences (engine.py, with relations.py, exceptions.py,
layer_cases.py and messages.py); one module per exercise notebook holds that notebook's checks:
simple_layers (5.4), activation_layers (5.5), affine_softmax (5.6), network (5.7). A check never
raises, whatever the learner's code does; it returns a CheckResult.
"""

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
]

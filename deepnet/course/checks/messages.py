"""Every sentence a learner reads from the checks: templates with named placeholders, filled by say().

The check modules keep their own exercise-specific sentences in a MESSAGES dict of the same form.
Every value is an English template that `deepnet translate extract` collects; fill() shows it in the
learner's language (deepnet.course.language).
"""
from deepnet.course.language import fill

MESSAGES = {
    "headline": "{symbol} {name}: {status}",
    "a_type": "a {type}",
    "an_type": "an {type}",
    "headline_counted": "{symbol} {name}: {status} ({count} checks)",
    "status_pass": "pass",
    "status_warn": "warn",
    "status_fail": "fail",
    "status_not_attempted": "not attempted yet",
    "status_copied": "copied",
    "copied": "{name} is deepnet's own implementation ({origin}), not yours: write it yourself",
    "stub": "{what} is not written yet: replace `raise NotImplementedError()` with your code, "
    "then run this cell again",
    "wrong": "{what} is wrong for {case}{where}: expected {expected}, got {got}",
    "wrong_shape": "{what} has shape {got_shape} for {case}, but it should have shape {expected_shape}",
    "also_wrong": "(the same value is also wrong for {count} more cases: {cases})",
    "at_index": " at index {index}",
    "at_index_with": " at index {index} (where {name} = {value})",
    "seen_in": "{message} (seen for {case})",
    "rule": "; {rule}",
    "nonfinite": "{what} contains {bad} for {case}{where}; it should be finite: look for a division "
    "by 0, an exp that overflows or a log of 0",
    "numerical": "the numerical gradient of your own forward differs from your {what} by a relative "
    "error of {error} (a right backward gives < 1e-7)",
    "numerical_agrees": "your {what} agrees with the numerical gradient of your own forward, "
    "so look at forward first",
    # structure
    "transposed": "{what} is transposed: it has shape {got_shape}, the shape of the transpose of "
    "{expected_shape}",
    "extra_axis": "{what} has shape {got_shape} where {expected_shape} is right: an extra axis of "
    "length 1 was kept (keepdims=True, or a reshape, where none is needed)",
    "not_summed": "{what} has shape {got_shape} but should have shape {expected_shape}: it still has "
    "axis {axis} ({axis_name}), which must be summed over",
    "reshape": "{what} has the right numbers in the wrong shape: {got_shape} instead of {expected_shape}",
    "factor_N": "{what} is {value} times too large, and {value} is the batch size N",
    "factor_1/N": "{what} is {value} times too small: it is divided by the batch size N = {value} "
    "once too often",
    "factor_C": "{what} is {value} times too large, and {value} is the number of classes C",
    "factor_1/C": "{what} is {value} times too small, and {value} is the number of classes C",
    "factor_NC": "{what} is divided by {value} = N × C, every entry of the array, not by N alone",
    "factor_-1": "{what} has the wrong sign (it is -1 times the right value)",
    "factor_2": "{what} is twice the right value",
    "factor_1/2": "{what} is half the right value",
    "factor_loss": "{what} is multiplied by the loss ({value})",
    "factor_1/loss": "{what} is divided by the loss ({value})",
    "equals": "{what} equals {label}",
    "all_zeros": "{what} is all zeros",
    "wrong_shape_scalar": "{what} returned an array of shape {got_shape} for {case}; "
    "it should return one number",
    "equals_input": "{what} is {label} unchanged",
    "row_factor": "each row of {what} is its right row times a number of its own: a normalisation "
    "(the division by a sum) uses other values than the numerator",
    "previous": "{what} is the result for the previous input, not for this one: every call of forward "
    "must compute its result anew and store on self what backward needs",
    "blocked": "{what} is 0 where it should pass the gradient ({where})",
    "passed": "{what} lets the gradient through where it should be 0 ({where})",
    "where_zero": "where {name} is exactly 0",
    "where_positive": "where {name} > 0",
    "where_negative": "where {name} < 0",
    "where_some": "at {count} of {total} entries",
    "gap": "{message} (for {case})",
    "stale_state": "the layer is right for each input on a new layer, but wrong when the same layer gets a "
    "second input: forward must compute its result and store what backward needs anew "
    "on every call",
    "shared_state": "each layer alone is right, but two layers used in turn give wrong results: they share "
    "their state; keep it on self (self.x = x), not on the class or in a global variable",
    "not_set": "{what} did not set self.{name}: store it on self, {rule}",
    "other_instance": "the value that the other layer's input gives (its state is shared: keep it on "
    "self, not on the class or in a global variable)",
    # ownership and state
    "changed_argument": "{what} changed the {name} you were given; copy it first "
    "({name} = {name}.copy()) or build a new array: the caller may still need it",
    "changed_state": "{what} changed self.{name}, which forward stored: a second call of backward "
    "then gives another result; copy it first ({copy}) and change the copy",
    "backward_twice": "calling {what} twice gives two different results; backward must only read "
    "what forward stored, not change it",
    "returned_argument": "{what} returned the {name} you were given as {output}, not a new array: "
    "a caller that changes {output} in place would change {name} too; return "
    "{name} * 1 or {name}.copy()",
    "returned_twice": "{what} returned one array object as both {first} and {second}: changing one in "
    "place would change the other; make each a new array ({example})",
    "returned_state": "{what} returned self.{name} itself as {output}: a caller that changes {output} "
    "in place would change the layer's state; return a new array",
    "warned": "{what} printed a {category} for {case}: '{text}'; find the operation that warns and avoid it",
    # values that are not arrays of numbers
    "returned_none": "{what} returned None: did you forget the `return`?",
    "returned_several": "{what} returned {count} arrays in a {container}; it should return one",
    "returned_not_numbers": "{what} returned {kind}; it should return numbers (a numpy array)",
    "not_two_values_none": "{what} returned None; it should return the pair (dx, dy): return dx, dy",
    "not_two_values_count": "{what} returned {count} values; it should return the pair (dx, dy): "
    "return dx, dy",
    "not_two_values_one": "{what} returned one {kind}; it should return the pair (dx, dy): return dx, dy",
    "no_method": "{name} has no method {method}(): define it inside the class",
    "needs_object": "{check} needs your {name} {kind}, got {got}; run the cell that defines {name}, "
    "then {check}({name})",
    "pass_class_not_instance": "{kind} object: pass the class itself, not an instance",
    "could_not_finish": "the check could not finish ({case}): {error}",
    # exceptions
    "raised": "{what} raised {error} for {case}",
    "raised_at": "{what} raised {error} for {case}, at line {line} of your code: `{text}`",
    "hint": "{message}. Hint: {hint}",
    "hint_use_self": "{name} is not defined inside the method, but the layer has self.{name}: "
    "write self.{name}",
    "hint_import_numpy": "import numpy as np (run the notebook's first code cells)",
    "hint_not_defined": "{name} is not defined: define it, or run the cell that defines it first",
    "hint_shape_call": "shape is an attribute, not a method: write x.shape[0], not x.shape(0)",
    "hint_math": "math.{function} works on one number only; for arrays use np.{function}",
    "hint_dict_keys": "looping over a dict gives its keys (the names); loop over self.layers.values()",
    "hint_missing_attribute": "{method} reads self.{name}, but nothing set it: store it in forward "
    "(self.{name} = ...){close}",
    "hint_did_you_mean": "; did you mean self.{name}?",
    "hint_none_attributes": "{names} still None here: forward must set them on self",
    "hint_none": "a value is None here: a function without `return`, or something forward did not store",
    "hint_one_dimensional": "this case gives {name} of shape {shape} (1-D), and your code indexes it with "
    "two indices; write it for any shape, e.g. with a boolean mask a[mask]",
    "hint_plain_number": "this case gives {name} as a plain number ({value}); "
    "np.asarray({name}) turns it into an array first",
    "hint_matmul": "the inner sizes of a matrix product differ; {shape_rule}",
    "hint_broadcast": "the shapes do not fit together; {shape_rule}",
    "hint_signature": "the signature is {signature}",
    "hint_key": "the dict has no key {key}",
    "hint_truth_value": "an `if` (or and/or) on an array: it needs one True or False, but here it got an "
    "array (a row of a 2-D x, say); use np.where or a boolean mask, which work for "
    "x of any shape",
}


def say(key, /, **values):
    """The message template `key`, in the learner's language, filled in with `values`."""
    return fill(MESSAGES[key], **values)

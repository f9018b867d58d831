"""The conceptual exercises of 5.5: the Sigmoid graph's backward values at x = 0, and a ReLU mask
predicted by hand for an input with an exact 0. The right answer passes, the stub is "not attempted",
and each typical wrong answer gets its cause named in the first message a learner reads."""
import numpy as np
import pytest

from deepnet.course.checks import CheckResult, check_relu_mask_prediction, check_sigmoid_graph_values
from deepnet.course.checks.activation_layers import GRAPH_X, MASK_X


def right_graph_values():
    """The four backward values, computed here node by node at GRAPH_X with dout = 1."""
    y = 1 / (1 + np.exp(-GRAPH_X))
    after_divide = 1.0 * -(y**2)
    after_plus = after_divide
    after_exp = after_plus * np.exp(-GRAPH_X)
    return [after_divide, after_plus, after_exp, -after_exp]


def first_message(result):
    assert isinstance(result, CheckResult)
    assert result.messages, str(result)
    return result.messages[0]


def test_the_right_graph_values_pass_as_floats_and_as_numpy_numbers():
    values = right_graph_values()
    assert check_sigmoid_graph_values(*values).status == "pass"
    assert check_sigmoid_graph_values(*map(np.float64, values)).status == "pass"
    assert check_sigmoid_graph_values(*(round(v, 4) for v in values)).status == "pass"


def test_the_graph_stub_is_not_attempted_and_names_each_missing_value():
    result = check_sigmoid_graph_values(None, None, None, None)
    assert result.status == "not attempted"
    assert [name in " ".join(result.messages) for name in
            ("after_divide", "after_plus", "after_exp", "after_times_minus_one")] == [True] * 4


@pytest.mark.parametrize("change, cause", [
    # the '/' node's derivative -1/u² taken as +1/u²: every value has the wrong sign
    (lambda v: [-v[0], -v[1], -v[2], -v[3]], "which is negative"),
    # -y instead of -y²
    (lambda v: [v[0] * 2, v[1] * 2, v[2] * 2, v[3] * 2], "-y is not squared"),
    # the '+' node taken to block the gradient
    (lambda v: [v[0], 0.0, 0.0, 0.0], "the constant 1 has derivative 0"),
    # the exp node's local derivative exp(-x) alone, without the upstream value
    (lambda v: [v[0], v[1], 1.0, -1.0], "exp(-x) alone"),
    # the last node's -1 forgotten
    (lambda v: [v[0], v[1], v[2], v[2]], "the sign is not flipped"),
])
def test_a_wrong_graph_value_is_named_with_the_nodes_rule_and_its_numbers(change, cause):
    wrong = change(right_graph_values())
    result = check_sigmoid_graph_values(*wrong)
    assert result.status == "fail"
    assert cause in first_message(result)
    assert "you gave" in first_message(result)


def test_a_graph_value_that_follows_from_an_earlier_mistake_points_back_to_it():
    v = right_graph_values()
    result = check_sigmoid_graph_values(-v[0], -v[1], -v[2], -v[3])
    assert "after_plus follows from your after_divide" in result.messages[1]


def test_a_graph_value_that_is_not_a_number_says_what_it_is():
    result = check_sigmoid_graph_values("-0.25", *right_graph_values()[1:])
    assert result.status == "fail"
    assert "after_divide should be one number, but it is a str" in first_message(result)


def test_the_right_mask_passes_as_a_list_and_as_the_books_expression():
    assert check_relu_mask_prediction([[False, True], [True, False]]).status == "pass"
    assert check_relu_mask_prediction(MASK_X <= 0).status == "pass"


def test_the_mask_stub_is_not_attempted():
    result = check_relu_mask_prediction(None)
    assert result.status == "not attempted"
    assert "predicted_mask is still None" in first_message(result)


@pytest.mark.parametrize("predicted, cause", [
    (MASK_X > 0, "the wrong way round"),    # True where the unit is active
    (MASK_X >= 0, "the wrong way round"),   # active, the 0 counted as active
    (MASK_X < 0, "True at an exact 0"),     # the 0 left out of the mask
    (np.maximum(0, MASK_X), "the output values out = max(0, x)"),
    ([[False, True]], "shape of x, (2, 2)"),
    ([[False, True], [True]], "rows of equal length"),
])
def test_a_wrong_mask_gets_its_cause(predicted, cause):
    result = check_relu_mask_prediction(predicted)
    assert result.status == "fail"
    assert cause in first_message(result)


def test_a_mask_with_an_unexplained_mistake_shows_both_masks():
    result = check_relu_mask_prediction([[False, False], [True, False]])
    assert result.status == "fail"
    assert str((MASK_X <= 0).tolist()) in first_message(result)

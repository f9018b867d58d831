"""The conceptual exercise of 5.6: dB written for the book's dY = [[1, 2, 3], [4, 5, 6]]. The right
answer passes in any form a learner may write it, the stub is "not attempted", and each typical wrong
answer gets its cause named in the first message a learner reads."""
import numpy as np
import pytest

from deepnet.course.checks import CheckResult, check_batch_bias_gradient
from deepnet.course.checks.affine_softmax import BOOK_DY


def first_message(result):
    assert isinstance(result, CheckResult)
    assert result.messages, str(result)
    return result.messages[0]


@pytest.mark.parametrize("answer", [
    np.sum(BOOK_DY, axis=0),
    BOOK_DY[0] + BOOK_DY[1],
    [5, 7, 9],
    np.array([5, 7, 9]),
], ids=["numpy-sum", "rows-added", "list-of-ints", "int-array"])
def test_the_column_sums_pass_however_they_are_written(answer):
    assert check_batch_bias_gradient(answer).status == "pass"


def test_the_stub_is_not_attempted_and_says_what_to_write():
    result = check_batch_bias_gradient(None)
    assert result.status == "not attempted"
    assert "dB is still None" in first_message(result)


@pytest.mark.parametrize("wrong, cause", [
    (np.sum(BOOK_DY, axis=1), "summed along each row (axis=1)"),
    (BOOK_DY.copy(), "dY itself"),
    (np.sum(BOOK_DY), "the sum of all of dY"),
    (np.mean(BOOK_DY, axis=0), "the mean over the batch"),
], ids=["axis-1", "not-summed", "whole-sum", "mean"])
def test_each_usual_mistake_is_named(wrong, cause):
    result = check_batch_bias_gradient(wrong)
    assert result.status == "fail"
    assert cause in first_message(result)
    assert "np.sum(dY, axis=0)" in first_message(result)


def test_the_axis_1_mistake_shows_the_learners_numbers():
    assert "[6.0, 15.0]" in first_message(check_batch_bias_gradient(np.sum(BOOK_DY, axis=1)))


def test_a_wrong_shape_and_a_wrong_number_are_told_apart():
    assert "has shape (1, 3)" in first_message(check_batch_bias_gradient(np.array([[5.0, 7.0, 9.0]])))
    wrong_entry = first_message(check_batch_bias_gradient(np.array([5.0, 7.0, 8.0])))
    assert "not the column sums" in wrong_entry


def test_something_that_is_not_numbers_fails_without_raising():
    result = check_batch_bias_gradient("5, 7, 9")
    assert result.status == "fail"
    assert "a str" in first_message(result)

"""The learner checks are the spec of what a learner is told.

For every check: the realistic mistakes that learners make are caught with the right cause, unusual
but correct implementations pass, the exercise stub gives "not attempted", and garbage never makes
a check raise. The learner implementations below are written the way learners write them, several
straight from the book.
"""
import json

import numpy as np
import pytest

import deepnet
from deepnet.course.checks import (
    MIMETYPE,
    CheckResult,
    check_add_layer,
    check_affine,
    check_cross_entropy_error,
    check_mul_layer,
    check_relu,
    check_sigmoid,
    check_softmax,
    check_softmax_with_loss,
    check_two_layer_net,
)


def assert_status(result, status, phrase=None):
    assert isinstance(result, CheckResult)
    assert result.status == status, str(result)
    if phrase is not None:
        # The first message is what a learner reads: it must name the cause.
        assert result.messages and phrase in result.messages[0], str(result)


# ---------------------------------------------------------------------------------------------
# MulLayer and AddLayer
# ---------------------------------------------------------------------------------------------

class BookMulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class MulLayerKeepingATuple:
    def forward(self, x, y):
        self.inputs = (x, y)
        return np.multiply(x, y)

    def backward(self, dout):
        x, y = self.inputs
        return [np.multiply(dout, y), np.multiply(dout, x)]


class MulLayerUnswapped(BookMulLayer):
    def backward(self, dout):
        return dout * self.x, dout * self.y


class MulLayerIgnoringDout(BookMulLayer):
    def backward(self, dout):
        return self.y, self.x


class MulLayerReturningOneValue(BookMulLayer):
    def backward(self, dout):
        return dout * self.y


class MulLayerForgettingInputs:
    def forward(self, x, y):
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class MulLayerStub:
    def forward(self, x, y):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


def test_mul_layer_book_code_and_unusual_forms_pass():
    assert_status(check_mul_layer(BookMulLayer), "pass")
    assert_status(check_mul_layer(MulLayerKeepingATuple), "pass")


@pytest.mark.parametrize("layer, phrase", [
    (MulLayerUnswapped, "dx equals dout * x, the input itself instead of the other input"),
    (MulLayerIgnoringDout, "dx equals y, without the factor dout"),
    (MulLayerReturningOneValue, "it should return the pair (dx, dy)"),
    (MulLayerForgettingInputs, "reads self.y, but nothing set it: store it in forward"),
])
def test_mul_layer_mistakes_are_named(layer, phrase):
    assert_status(check_mul_layer(layer), "fail", phrase)


def test_mul_layer_stub_is_not_attempted():
    assert_status(check_mul_layer(MulLayerStub), "not attempted", "raise NotImplementedError()")


class BookAddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


class AddLayerReturningDoutTwice(BookAddLayer):
    def backward(self, dout):
        return dout, dout


class AddLayerWithOnes(BookAddLayer):
    def backward(self, dout):
        ones = np.ones_like(np.asarray(dout, dtype=float))
        return dout * ones, dout * ones


class AddLayerReturningOnes(BookAddLayer):
    def backward(self, dout):
        return 1, 1


class AddLayerSplittingTheGradient(BookAddLayer):
    def backward(self, dout):
        return dout / 2, dout / 2


class AddLayerReturningOneValue(BookAddLayer):
    def backward(self, dout):
        return dout


class AddLayerWithZeroDy(BookAddLayer):
    def backward(self, dout):
        return dout, 0 * dout


def test_add_layer_book_code_and_unusual_forms_pass():
    assert_status(check_add_layer(BookAddLayer), "pass")
    assert_status(check_add_layer(AddLayerWithOnes), "pass")


def test_add_layer_returning_dout_itself_twice_is_a_warning_as_the_notebook_says():
    # The policy of 5.4: right values, but dx, dy and dout are one array, so it warns.
    assert_status(check_add_layer(AddLayerReturningDoutTwice), "warn",
                  "AddLayer.backward returned the dout you were given as dx, not a new array")


@pytest.mark.parametrize("layer, phrase", [
    (AddLayerReturningOnes, "dx equals 1, the local derivative without dout"),
    (AddLayerSplittingTheGradient, "dx is half the right value"),
    (AddLayerReturningOneValue, "it should return the pair (dx, dy)"),
    (AddLayerWithZeroDy, "dy equals 0"),
])
def test_add_layer_mistakes_are_named(layer, phrase):
    assert_status(check_add_layer(layer), "fail", phrase)


def test_add_layer_stub_is_not_attempted():
    class AddLayerStub:
        def forward(self, x, y):
            raise NotImplementedError()

        def backward(self, dout):
            raise NotImplementedError()

    assert_status(check_add_layer(AddLayerStub), "not attempted")


# ---------------------------------------------------------------------------------------------
# Relu and Sigmoid
# ---------------------------------------------------------------------------------------------

class BookRelu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


class WhereRelu:
    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, 0.0)

    def backward(self, dout):
        return np.where(self.x > 0, dout, 0.0)


class MaximumRelu:
    """np.maximum forward, and a mask that sends dout through at exactly x = 0 (a valid subgradient)."""

    def forward(self, x):
        self.negative = x < 0
        return np.maximum(0, x)

    def backward(self, dout):
        return dout * ~self.negative


class ReluWithoutMaskInBackward(WhereRelu):
    def backward(self, dout):
        return dout


class ReluWithInvertedMask(BookRelu):
    def backward(self, dout):
        dx = dout.copy()
        dx[~self.mask] = 0
        return dx


class ReluMultiplyingByOut(WhereRelu):
    def forward(self, x):
        self.out = np.maximum(0, x)
        return self.out

    def backward(self, dout):
        return dout * self.out


class ReluWithMaskInTheClass:
    """Stores the mask on the class, shared by every Relu layer."""

    def forward(self, x):
        ReluWithMaskInTheClass.mask = x <= 0
        return np.maximum(0, x)

    def backward(self, dout):
        return np.where(ReluWithMaskInTheClass.mask, 0.0, dout)


class ReluForgettingTheMask:
    def forward(self, x):
        mask = x <= 0
        return np.where(mask, 0.0, x)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class ReluChangingX(WhereRelu):
    def forward(self, x):
        self.mask = x <= 0
        x[self.mask] = 0
        return x

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class ReluReturningTheMask(WhereRelu):
    def forward(self, x):
        self.x = x
        return x > 0


def test_relu_unusual_forms_pass():
    assert_status(check_relu(WhereRelu), "pass")
    assert_status(check_relu(MaximumRelu), "pass")
    assert_status(check_relu(deepnet.Relu), "pass")


def test_relu_book_code_is_warned_that_backward_changes_dout():
    assert_status(check_relu(BookRelu), "warn",
                  "Relu.backward changed the dout you were given; copy it first")


def test_relu_forward_changing_x_is_a_warning():
    assert_status(check_relu(ReluChangingX), "warn", "Relu.forward changed the x you were given")


@pytest.mark.parametrize("layer, phrase", [
    (ReluWithoutMaskInBackward, "dx is dout unchanged"),
    (ReluWithInvertedMask, "the mask the wrong way round"),
    (ReluMultiplyingByOut, "dx equals dout * out"),
    (ReluWithMaskInTheClass, "they share their state"),
    (ReluForgettingTheMask, "reads self.mask, but nothing set it"),
    (ReluReturningTheMask, "equals the mask x > 0 itself"),
])
def test_relu_mistakes_are_named(layer, phrase):
    assert_status(check_relu(layer), "fail", phrase)


def test_relu_with_only_backward_left_to_write_is_not_attempted():
    class HalfDoneRelu(WhereRelu):
        def backward(self, dout):
            raise NotImplementedError()

    result = check_relu(HalfDoneRelu)
    assert_status(result, "not attempted", "Relu.backward is not written yet")


class BookSigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx


class TanhSigmoid:
    def forward(self, x):
        self.out = 0.5 * (1 + np.tanh(x / 2))
        return self.out

    def backward(self, dout):
        return dout * self.out - dout * self.out ** 2


class StableSigmoid(BookSigmoid):
    def forward(self, x):
        e = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return self.out


class SigmoidForgettingOneMinusOut(TanhSigmoid):
    def backward(self, dout):
        return dout * self.out


class SigmoidIgnoringDout(TanhSigmoid):
    def backward(self, dout):
        return self.out * (1 - self.out)


class SigmoidUsingX(TanhSigmoid):
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * self.x * (1 - self.x)


class SigmoidWithTheWrongSign(TanhSigmoid):
    def forward(self, x):
        self.out = 0.5 * (1 + np.tanh(-x / 2))
        return self.out


class SigmoidWithExpInBackward(StableSigmoid):
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        e = np.exp(-self.x)
        return dout * e / (1 + e) ** 2


def test_sigmoid_unusual_forms_pass():
    assert_status(check_sigmoid(TanhSigmoid), "pass")
    assert_status(check_sigmoid(StableSigmoid), "pass")


def test_sigmoid_book_code_is_warned_about_overflow():
    result = check_sigmoid(BookSigmoid)
    assert_status(result, "warn", "overflow warning for x = -1000")
    assert any("0.5 * (1 + np.tanh(x / 2))" in message for message in result.messages)


@pytest.mark.parametrize("layer, phrase", [
    (SigmoidForgettingOneMinusOut, "dx equals dout * out, without the factor (1 - out)"),
    (SigmoidIgnoringDout, "without the factor dout"),
    (SigmoidUsingX, "x where the output out is needed"),
    (SigmoidWithTheWrongSign, "the exponent's sign is flipped"),
    (SigmoidWithExpInBackward, "dx contains nan for x = ±1000"),
])
def test_sigmoid_mistakes_are_named(layer, phrase):
    assert_status(check_sigmoid(layer), "fail", phrase)


# ---------------------------------------------------------------------------------------------
# Affine
# ---------------------------------------------------------------------------------------------

class BookAffine:
    """common/layers.py of the book, which flattens tensor inputs."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        dx = dx.reshape(*self.original_x_shape)
        return dx


class EinsumAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x_shape = x.shape
        self.x = np.reshape(x, (len(x), -1))
        return np.einsum("nd,dm->nm", self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.einsum("nd,nm->dm", self.x, dout)
        self.db = dout.sum(0)
        return np.einsum("nm,dm->nd", dout, self.W).reshape(self.x_shape)


class AffineWithUnsummedDb(BookAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout
        return dx


class AffineSummingDbOverAxis1(BookAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = np.sum(dout, axis=1)
        return dx


class AffineWithTransposedDW(BookAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.dW = np.dot(dout.T, self.x)
        return dx


class AffineForgettingWTranspose(BookAffine):
    def backward(self, dout):
        super().backward(dout)
        return np.dot(dout, self.W).reshape(self.original_x_shape)


class AffineNotReshapingDx(BookAffine):
    def backward(self, dout):
        super().backward(dout)
        return np.dot(dout, self.W.T)


class AffineForgettingTheBias(BookAffine):
    def forward(self, x):
        return super().forward(x) - self.b


class AffineNotSettingDW(BookAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.dW = None
        return dx


class ChapterFiveAffine:
    """The first Affine of section 5.6.2, which does not flatten a tensor x."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


def test_affine_book_code_and_einsum_pass():
    assert_status(check_affine(BookAffine), "pass")
    assert_status(check_affine(EinsumAffine), "pass")


def test_affine_db_not_summed_is_named_with_both_shapes():
    assert_status(check_affine(AffineWithUnsummedDb), "fail",
                  "db has shape (4, 3) but should have shape (3,): it still has axis 0 (the batch axis N)")


@pytest.mark.parametrize("layer, phrase", [
    (AffineSummingDbOverAxis1, "db equals dout summed over axis 1"),
    (AffineWithTransposedDW, "dW is transposed"),
    (AffineForgettingWTranspose, "dx = dout @ W.T is (N, M)·(M, D)"),
    (AffineNotReshapingDx, "give dx back in x's original shape"),
    (AffineForgettingTheBias, "without the bias"),
    (AffineNotSettingDW, "did not set self.dW"),
    (ChapterFiveAffine, "flattened to (N, D) in forward"),
])
def test_affine_mistakes_are_named(layer, phrase):
    assert_status(check_affine(layer), "fail", phrase)


# ---------------------------------------------------------------------------------------------
# softmax and cross_entropy_error
# ---------------------------------------------------------------------------------------------

def book_softmax(x):
    """common/functions.py of the book: transposes so that 2-D x works."""
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))


def log_sum_exp_softmax(x):
    top = np.max(x, axis=-1, keepdims=True)
    log_total = top + np.log(np.sum(np.exp(x - top), axis=-1, keepdims=True))
    return np.exp(x - log_total)


def softmax_without_max(x):
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_with_global_max(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e, axis=-1, keepdims=True)


def chapter_three_softmax(x):
    c = np.max(x)
    exp_a = np.exp(x - c)
    return exp_a / np.sum(exp_a)


def softmax_over_columns(x):
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def softmax_without_keepdims(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1)


def softmax_for_2d_only(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def test_softmax_book_code_and_log_sum_exp_pass():
    assert_status(check_softmax(book_softmax), "pass")
    assert_status(check_softmax(log_sum_exp_softmax), "pass")
    assert_status(check_softmax(deepnet.softmax), "pass")


@pytest.mark.parametrize("softmax, phrase", [
    (softmax_without_max, "contains nan for rows around 1000"),
    (softmax_with_global_max, "the maximum of the whole array subtracted (each row needs its own)"),
    (chapter_three_softmax, "exp divided by the sum of the whole array"),
    (softmax_over_columns, "normalised over axis 0, the columns"),
    (softmax_without_keepdims, "keepdims=True"),
    (softmax_for_2d_only, "AxisError"),
])
def test_softmax_mistakes_are_named(softmax, phrase):
    assert_status(check_softmax(softmax), "fail", phrase)


def test_softmax_stub_is_not_attempted():
    def softmax(x):
        # YOUR CODE HERE
        raise NotImplementedError()

    assert_status(check_softmax(softmax), "not attempted", "softmax is not written yet")


def book_cross_entropy_error(y, t):
    """Section 4.2.4, for one-hot and class-index labels."""
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def clipping_cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    t = np.asarray(t)
    if t.shape == y.shape or t.size == y.size:
        t = t.reshape(y.shape).argmax(axis=-1)
    picked = np.take_along_axis(y, t.reshape(-1, 1), axis=1)
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def cross_entropy_error_without_delta(y, t):
    y, t = np.atleast_2d(y), np.asarray(t)
    if t.size != y.size:
        t = np.eye(y.shape[1])[t]
    return -np.sum(t.reshape(y.shape) * np.log(y)) / y.shape[0]


def cross_entropy_error_without_batch_mean(y, t):
    return book_cross_entropy_error(y, t) * np.atleast_2d(y).shape[0]


def cross_entropy_error_with_mean_over_all_entries(y, t):
    y, t = np.atleast_2d(y), np.asarray(t)
    if t.size != y.size:
        t = np.eye(y.shape[1])[t]
    return -np.mean(t.reshape(y.shape) * np.log(y + 1e-7))


def cross_entropy_error_without_minus(y, t):
    return -book_cross_entropy_error(y, t)


def cross_entropy_error_per_sample(y, t):
    y, t = np.atleast_2d(y), np.asarray(t)
    if t.size == y.size:
        t = t.reshape(y.shape).argmax(axis=1)
    return -np.log(y[np.arange(len(y)), t] + 1e-7)


def cross_entropy_error_with_log10(y, t):
    return book_cross_entropy_error(y, t) / np.log(10)


def cross_entropy_error_dividing_by_len(y, t):
    """Handles batches, but takes a 1-D y's length (the classes) as its batch size."""
    t = np.asarray(t)
    if t.size == y.size:
        t = t.reshape(y.shape).argmax(axis=-1)
    y2 = np.atleast_2d(y)
    return -np.sum(np.log(y2[np.arange(len(y2)), np.atleast_1d(t)] + 1e-7)) / y.shape[0]


def cross_entropy_error_without_any_guard(y, t):
    y, t = np.atleast_2d(y), np.asarray(t)
    if t.size == y.size:
        t = t.reshape(y.shape).argmax(axis=1)
    return -np.mean(np.log(y[np.arange(len(y)), t]))


def test_cross_entropy_error_book_code_fails_only_on_the_int_label_the_exercise_adds():
    assert_status(check_cross_entropy_error(book_cross_entropy_error), "fail",
                  "works for labels in an array but not for one int label of one sample")


def test_cross_entropy_error_clipping_passes():
    assert_status(check_cross_entropy_error(clipping_cross_entropy_error), "pass")
    assert_status(check_cross_entropy_error(deepnet.cross_entropy_error), "pass")


@pytest.mark.parametrize("function, phrase", [
    (cross_entropy_error_without_delta, "contains nan for a batch of 2 with exact zeros in y"),
    (cross_entropy_error_without_batch_mean, "is 3 times too large, and 3 is the batch size N"),
    (cross_entropy_error_with_mean_over_all_entries, "4 times too small, and 4 is the number of classes C"),
    (cross_entropy_error_without_minus, "has the wrong sign"),
    (cross_entropy_error_per_sample, "equals one loss per sample"),
    (cross_entropy_error_with_log10, "natural log"),
    (cross_entropy_error_dividing_by_len, "a 1-D y is a batch of one"),
])
def test_cross_entropy_error_mistakes_are_named(function, phrase):
    assert_status(check_cross_entropy_error(function), "fail", phrase)


def test_cross_entropy_error_returning_inf_for_a_zero_probability_is_a_warning():
    assert_status(check_cross_entropy_error(cross_entropy_error_without_any_guard), "warn",
                  "returns inf when the true class has probability exactly 0")


# ---------------------------------------------------------------------------------------------
# SoftmaxWithLoss
# ---------------------------------------------------------------------------------------------

class BookSoftmaxWithLoss:
    """common/layers.py of the book, with the book's softmax and cross_entropy_error."""

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = book_softmax(x)
        self.loss = book_cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class BookSoftmaxWithLossForBatches(BookSoftmaxWithLoss):
    """The book's layer with its 1-D bug fixed: left are the 1e-7 cap and the ignored dout."""

    def forward(self, x, t):
        self.one_sample = x.ndim == 1
        if self.one_sample:
            x, t = x.reshape(1, -1), t.reshape(1, -1)
        return super().forward(x, t)

    def backward(self, dout=1):
        dx = super().backward(dout)
        return dx.reshape(-1) if self.one_sample else dx


class LogSumExpSoftmaxWithLoss:
    def forward(self, x, t):
        x = np.atleast_2d(x)
        t = np.asarray(t)
        labels = t.reshape(x.shape).argmax(axis=1) if t.size == x.size else t.reshape(-1)
        top = x.max(axis=1, keepdims=True)
        log_y = x - top - np.log(np.exp(x - top).sum(axis=1, keepdims=True))
        self.shape, self.y, self.labels = np.shape(t) if t.size == x.size else None, np.exp(log_y), labels
        self.x_ndim = x.ndim
        return -log_y[np.arange(len(x)), labels].mean()

    def backward(self, dout=1):
        n = len(self.y)
        dx = (self.y - np.eye(self.y.shape[1])[self.labels]) * dout / n
        return dx.reshape(self.shape) if self.shape is not None else dx


class SoftmaxWithLossKeepingTheShape(LogSumExpSoftmaxWithLoss):
    """Returns dx of x's own shape: 1-D for a 1-D x, whatever the label form."""

    def forward(self, x, t):
        self.original_shape = np.shape(x)
        return super().forward(x, t)

    def backward(self, dout=1):
        return super().backward(dout).reshape(self.original_shape)


class SoftmaxWithLossNotDividingByN(SoftmaxWithLossKeepingTheShape):
    def backward(self, dout=1):
        return super().backward(dout) * len(self.y)


class SoftmaxWithLossWithTheWrongSign(SoftmaxWithLossKeepingTheShape):
    def backward(self, dout=1):
        return -super().backward(dout)


class SoftmaxWithLossSubtractingIndexLabels(SoftmaxWithLossKeepingTheShape):
    def forward(self, x, t):
        self.t = t
        return super().forward(x, t)

    def backward(self, dout=1):
        return (self.y - self.t).reshape(self.original_shape) / len(self.y)


class SoftmaxWithLossWithoutMax(SoftmaxWithLossKeepingTheShape):
    def forward(self, x, t):
        self.original_shape = np.shape(x)
        x, t = np.atleast_2d(x), np.asarray(t)
        self.labels = t.reshape(x.shape).argmax(axis=1) if t.size == x.size else t.reshape(-1)
        self.y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        self.shape = None
        return -np.log(self.y[np.arange(len(x)), self.labels] + 1e-7).mean()


class SoftmaxWithLossSummingTheLoss(SoftmaxWithLossKeepingTheShape):
    def forward(self, x, t):
        return super().forward(x, t) * len(np.atleast_2d(x))


class SoftmaxWithLossReturningY(SoftmaxWithLossKeepingTheShape):
    def forward(self, x, t):
        super().forward(x, t)
        return self.y


def test_softmax_with_loss_unusual_correct_forms_pass():
    assert_status(check_softmax_with_loss(SoftmaxWithLossKeepingTheShape), "pass")
    assert_status(check_softmax_with_loss(deepnet.SoftmaxWithLoss), "pass")


def test_softmax_with_loss_book_code_fails_on_one_sample_and_is_named():
    # The book's backward divides a 1-D x's gradient by the number of classes (t.shape[0]).
    assert_status(check_softmax_with_loss(BookSoftmaxWithLoss), "fail", "a 1-D x is a batch of one")


def test_softmax_with_loss_book_cap_and_ignored_dout_are_warnings():
    result = check_softmax_with_loss(BookSoftmaxWithLossForBatches)
    assert_status(result, "warn", "caps each sample's loss at -log(1e-7) = 16.1")
    assert any("backward ignores dout" in message for message in result.messages), str(result)


@pytest.mark.parametrize("layer, phrase", [
    (SoftmaxWithLossNotDividingByN, "dx is 4 times too large, and 4 is the batch size N"),
    (SoftmaxWithLossWithTheWrongSign, "dx has the wrong sign"),
    (SoftmaxWithLossSubtractingIndexLabels, "subtract 1 at each true class"),
    (SoftmaxWithLossWithoutMax, "contains nan for logits far apart"),
    (SoftmaxWithLossSummingTheLoss, "4 times too large, and 4 is the batch size N"),
    (SoftmaxWithLossReturningY, "it should return one number"),
])
def test_softmax_with_loss_mistakes_are_named(layer, phrase):
    assert_status(check_softmax_with_loss(layer), "fail", phrase)


# ---------------------------------------------------------------------------------------------
# TwoLayerNet.gradient
# ---------------------------------------------------------------------------------------------

class BookTwoLayerNet:
    """The book's TwoLayerNet (section 5.7.2) on deepnet's layers; subclasses vary gradient()."""

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            "W1": weight_init_std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }
        self.layers = {
            "Affine1": deepnet.Affine(self.params["W1"], self.params["b1"]),
            "Relu1": deepnet.Relu(),
            "Affine2": deepnet.Affine(self.params["W2"], self.params["b2"]),
        }
        self.lastLayer = deepnet.SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


class HandWrittenGradientNet(BookTwoLayerNet):
    """Backprop written out with matrices, no layer objects."""

    def gradient(self, x, t):
        W1, b1, W2 = self.params["W1"], self.params["b1"], self.params["W2"]
        t = np.asarray(t)
        if t.ndim == 1:
            t = np.eye(W2.shape[1])[t]
        hidden_in = x @ W1 + b1
        hidden = np.maximum(0, hidden_in)
        y = deepnet.softmax(hidden @ W2 + self.params["b2"])
        dscores = (y - t) / len(x)
        dhidden = (dscores @ W2.T) * (hidden_in > 0)
        return {"W1": x.T @ dhidden, "b1": dhidden.sum(axis=0), "W2": hidden.T @ dscores,
                "b2": dscores.sum(axis=0)}


class NetBackwardInForwardOrder(BookTwoLayerNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in self.layers.values():
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


class NetWithoutForwardPass(BookTwoLayerNet):
    def gradient(self, x, t):
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


class NetWithSwappedGradients(BookTwoLayerNet):
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        grads["W1"], grads["W2"] = grads["W2"], grads["W1"]
        return grads


class NetUpdatingInGradient(BookTwoLayerNet):
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        for key in grads:
            self.params[key] -= 0.1 * grads[key]
        return grads


class NetForgettingToReturn(BookTwoLayerNet):
    def gradient(self, x, t):
        self.grads = super().gradient(x, t)


class NetStartingWithZeroDout(BookTwoLayerNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(0)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


class NetSkippingRelu(BookTwoLayerNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.layers["Affine2"].backward(self.lastLayer.backward(1))
        self.layers["Affine1"].backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


class NetWhoseLayersCopyTheParameters(HandWrittenGradientNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layers["Affine1"] = deepnet.Affine(self.params["W1"].copy(), self.params["b1"].copy())


def test_two_layer_net_book_code_and_hand_written_backprop_pass():
    assert_status(check_two_layer_net(BookTwoLayerNet), "pass")
    assert_status(check_two_layer_net(HandWrittenGradientNet), "pass")


def test_two_layer_net_reference_network_passes():
    network = pytest.importorskip("deepnet.network")
    assert_status(check_two_layer_net(network.TwoLayerNet), "pass")


@pytest.mark.parametrize("net, phrase", [
    (NetBackwardInForwardOrder, "backward must go through the layers in reverse order"),
    (NetWithoutForwardPass, "is the result for the previous input"),
    (NetWithSwappedGradients, "it looks like the gradient of W2"),
    (NetUpdatingInGradient, "gradient() changed params['W1']"),
    (NetForgettingToReturn, "TwoLayerNet.gradient returned None"),
    (NetStartingWithZeroDout, "is all zeros"),
    (NetSkippingRelu, "grads['W1'] differs from the numerical gradient of your loss"),
    (NetWhoseLayersCopyTheParameters, "not copies"),
])
def test_two_layer_net_mistakes_are_named(net, phrase):
    assert_status(check_two_layer_net(net), "fail", phrase)


def test_two_layer_net_stub_is_not_attempted():
    class StubNet(BookTwoLayerNet):
        def gradient(self, x, t):
            # YOUR CODE HERE
            raise NotImplementedError()

    assert_status(check_two_layer_net(StubNet), "not attempted", "TwoLayerNet.gradient is not written yet")


def test_two_layer_net_check_leaves_the_global_random_state_as_it_was():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    check_two_layer_net(BookTwoLayerNet)
    assert np.random.rand() == expected


# ---------------------------------------------------------------------------------------------
# Every check: garbage in, a failure out, never an exception.
# ---------------------------------------------------------------------------------------------

ALL_CHECKS = [check_mul_layer, check_add_layer, check_relu, check_sigmoid, check_affine, check_softmax,
              check_cross_entropy_error, check_softmax_with_loss, check_two_layer_net]


def returns_a_string(*args, **kwargs):
    return "forty-two"


class MethodsRaiseTypeError:
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args):
        raise TypeError("unsupported operand")

    forward = backward = loss = gradient = __call__


class EverythingIsInfinite:
    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        instance.params = {key: np.ones((2, 2)) for key in ("W1", "b1", "W2", "b2")}
        instance.dW = instance.db = np.inf
        return instance

    def forward(self, *args):
        return np.full(np.shape(args[0]), np.inf)

    def backward(self, dout=1):
        return np.full(np.shape(dout), np.inf), np.inf

    def loss(self, x, t):
        return np.inf

    def gradient(self, x, t):
        return {key: np.full((2, 2), np.inf) for key in self.params}


class RecursesForever:
    def __init__(self, *args, **kwargs):
        self.params = {}

    def forward(self, *args):
        return self.forward(*args)

    backward = loss = gradient = forward


class InitRaises:
    def __init__(self, *args, **kwargs):
        raise ValueError(f"no layer here: {object()}")


def infinite_function(*args):
    return np.inf


class ExitsPython:
    def __init__(self, *args, **kwargs):
        raise SystemExit(1)


class AttributeLookupRaises:
    def __getattr__(self, name):
        raise KeyError(name)


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("garbage", [None, returns_a_string, MethodsRaiseTypeError, EverythingIsInfinite,
                                     RecursesForever, InitRaises, infinite_function, ExitsPython,
                                     AttributeLookupRaises, 42, "Relu"],
                         ids=["None", "returns a string", "methods raise TypeError", "returns inf",
                              "recursion", "__init__ raises", "function returning inf", "sys.exit",
                              "attribute lookup raises", "int", "str"])
def test_a_check_given_garbage_fails_without_raising(check, garbage):
    result = check(garbage)
    assert_status(result, "fail")
    assert result.messages
    assert all("0x" not in message or "0x…" in message for message in result.messages), result.messages


def test_a_check_given_an_instance_asks_for_the_class():
    assert_status(check_relu(WhereRelu()), "fail", "pass the class itself, not an instance")


def test_a_missing_import_gets_a_hint():
    def softmax(x):
        return numpy.exp(x) / numpy.sum(numpy.exp(x))  # noqa: F821 (the learner forgot the import)

    assert_status(check_softmax(softmax), "fail", "import numpy as np")


def test_exception_messages_are_shown_without_memory_addresses():
    result = check_relu(InitRaises)
    assert_status(result, "fail", "Relu() raised ValueError: no layer here: <object object at 0x…>")


# ---------------------------------------------------------------------------------------------
# The result: plain text, HTML and the record for the grader.
# ---------------------------------------------------------------------------------------------

def test_a_passing_result_reads_as_one_line():
    result = check_relu(WhereRelu)
    assert result.cases_run > 5
    assert str(result) == f"✅ Relu: pass ({result.cases_run} checks)"
    assert repr(result) == str(result)


def test_a_failing_result_lists_the_cause_under_the_headline():
    text = str(check_affine(AffineWithUnsummedDb))
    assert text.startswith("❌ Affine: fail\n  - db has shape (4, 3) but should have shape (3,): it still has"
                           " "
                           "axis 0 (the batch axis N), which must be summed over")


def test_a_not_attempted_result_says_so():
    assert str(check_mul_layer(MulLayerStub)).startswith("✏️ MulLayer: not attempted yet\n  - ")


def test_the_plain_text_is_the_same_on_every_run():
    for check, learner_code in [(check_relu, BookRelu), (check_sigmoid, SigmoidUsingX),
                                (check_two_layer_net, NetSkippingRelu), (check_relu, InitRaises)]:
        assert str(check(learner_code)) == str(check(learner_code))


def test_the_mime_bundle_has_text_html_and_the_record_with_exactly_three_keys():
    result = check_sigmoid(BookSigmoid)
    bundle = result._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", MIMETYPE}
    assert MIMETYPE == "application/vnd.deepnet.check+json"
    record = bundle[MIMETYPE]
    assert set(record) == {"name", "status", "messages"}
    assert record == {"name": "Sigmoid", "status": "warn", "messages": result.messages}
    assert json.loads(json.dumps(record)) == record
    assert bundle["text/plain"] == str(result)


def test_the_html_is_coloured_by_status_and_escapes_the_messages():
    passing = check_relu(WhereRelu)._repr_html_()
    failing = CheckResult("Affine", "fail", ["x <= 0 & y"])._repr_html_()
    assert "#2e7d32" in passing and "#c62828" in failing
    assert "x &lt;= 0 &amp; y" in failing


def test_a_result_rejects_an_unknown_status():
    with pytest.raises(ValueError, match="status must be one of"):
        CheckResult("Relu", "passed")

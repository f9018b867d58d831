"""The checks diagnose from behaviour: state, ownership, the contract's input forms, structure, exceptions.

Every learner implementation here is new (not one of test_checks.py's): the checks were not written
against it. Each test asserts that the *first* message, the one a learner reads, names the cause.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import test_checks as known

import deepnet
from deepnet.course.checks import (
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
from deepnet.network import TwoLayerNet

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def first_message(result):
    assert result.messages, str(result)
    return result.messages[0]


def assert_first(result, status, phrase):
    assert result.status == status, str(result)
    assert phrase in first_message(result), str(result)


# ---------------------------------------------------------------------------------------------
# State across calls
# ---------------------------------------------------------------------------------------------

STORE = {}


class MulLayerInAGlobal:
    def forward(self, x, y):
        STORE["x"], STORE["y"] = x, y
        return x * y

    def backward(self, dout):
        return dout * STORE["y"], dout * STORE["x"]


class SigmoidComputedOnce:
    def __init__(self):
        self.out = None

    def forward(self, x):
        if self.out is None:  # "caching": the second input gets the first one's output
            self.out = 1 / (1 + np.exp(-np.clip(x, -500, 500)))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class AffineKeepingTheFirstX:
    def __init__(self, W, b):
        self.W, self.b, self.x = W, b, None

    def forward(self, x):
        if self.x is None:
            self.shape = x.shape
            self.x = x.reshape(len(x), -1)
        return x.reshape(len(x), -1) @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


class SoftmaxWithLossChangingY(deepnet.SoftmaxWithLoss):
    """backward subtracts t from self.y itself: a second backward gives another dx."""

    def backward(self, dout=1):
        y = self.y.reshape(-1, self.y.shape[-1])
        n = y.shape[0]
        t = self.t if self.t.size == y.size else np.eye(y.shape[1])[self.t.reshape(-1)]
        y -= t.reshape(y.shape)
        return (y * dout / n).reshape(self.y.shape)


@pytest.mark.parametrize(
    "check, learner, phrase",
    [
        (check_mul_layer, MulLayerInAGlobal, "they share their state; keep it on self"),
        (check_sigmoid, SigmoidComputedOnce, "wrong when the same layer gets a second input"),
        (check_affine, AffineKeepingTheFirstX, "wrong when the same layer gets a second input"),
        (check_softmax_with_loss, SoftmaxWithLossChangingY, "SoftmaxWithLoss.backward changed self.y"),
    ],
)
def test_state_bugs_are_named(check, learner, phrase):
    assert_first(check(learner), "fail", phrase)


class NetReadingGradientsFirst(TwoLayerNet):
    """Collects dW and db before the backward pass: they are the previous call's (or None)."""

    def gradient(self, x, t):
        grads = {
            "W1": self.layers["Affine1"].dW,
            "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW,
            "b2": self.layers["Affine2"].db,
        }
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return grads


def test_gradients_read_before_backward_ran_are_named():
    message = first_message(check_two_layer_net(NetReadingGradientsFirst))
    assert "grads['W1'] is None" in message and "read them after the backward pass" in message


# ---------------------------------------------------------------------------------------------
# Ownership
# ---------------------------------------------------------------------------------------------


class AddLayerReturningOneCopyTwice(known.BookAddLayer):
    def backward(self, dout):
        d = np.array(dout, dtype=float)
        return d, d


class SigmoidReturningItsState:
    def forward(self, x):
        self.out = 0.5 * (1 + np.tanh(x / 2))
        return self.out

    def backward(self, dout):
        self.dx = dout * self.out * (1 - self.out)
        return self.dx


class ReluZeroingDoutInPlaceViaView(known.WhereRelu):
    def backward(self, dout):
        view = dout.reshape(-1)
        view[self.x.reshape(-1) <= 0] = 0
        return dout


@pytest.mark.parametrize(
    "check, learner, phrase",
    [
        (check_add_layer, AddLayerReturningOneCopyTwice, "returned one array object as both dx and dy"),
        (check_sigmoid, SigmoidReturningItsState, "returned self.dx itself as dx"),
        (check_relu, ReluZeroingDoutInPlaceViaView, "Relu.backward changed the dout you were given"),
    ],
)
def test_ownership_problems_are_warnings_that_name_the_array(check, learner, phrase):
    assert_first(check(learner), "warn", phrase)


# ---------------------------------------------------------------------------------------------
# The contract's input forms: the book's 2-D-only code fails with the missing form named
# ---------------------------------------------------------------------------------------------


def relu_by_rows(x):
    return np.array([[max(0.0, v) for v in row] for row in x])


class ReluForMatricesOnly:
    def forward(self, x):
        self.x = x
        return relu_by_rows(x)

    def backward(self, dout):
        return np.array(
            [
                [d if v > 0 else 0.0 for v, d in zip(r, s, strict=True)]
                for r, s in zip(self.x, dout, strict=True)
            ]
        )


def cross_entropy_for_one_hot_only(y, t):
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]


class SoftmaxWithLossForOneHotOnly(deepnet.SoftmaxWithLoss):
    def backward(self, dout=1):
        y = self.y.reshape(-1, self.y.shape[-1])
        return ((y - self.t.reshape(y.shape)) * dout / y.shape[0]).reshape(self.y.shape)


@pytest.mark.parametrize(
    "check, learner, phrase",
    [
        (
            check_affine,
            known.ChapterFiveAffine,
            "like the book's printed version, but this exercise also asks for images",
        ),
        (check_relu, ReluForMatricesOnly, "not for a 1-D x of shape (D,)"),
        (check_cross_entropy_error, cross_entropy_for_one_hot_only, "not for class indices t of shape (N,)"),
        (check_softmax_with_loss, SoftmaxWithLossForOneHotOnly, "not for class indices t of shape (N,)"),
    ],
)
def test_a_missing_input_form_is_named(check, learner, phrase):
    assert_first(check(learner), "fail", phrase)


# ---------------------------------------------------------------------------------------------
# Structure: transposed, an axis kept or not summed, a factor named in the problem's terms
# ---------------------------------------------------------------------------------------------


class AffineWithDbKeepingTheAxis(known.BookAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = np.sum(dout, axis=0, keepdims=True)
        return dx


class AffineWithDxTransposed(known.BookAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        return dx.reshape(len(dout), -1).T if len(self.original_x_shape) == 2 else dx


def softmax_dividing_by_n(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True) / (len(x) if x.ndim == 2 else 1)


class SoftmaxWithLossScaledByTheLoss(deepnet.SoftmaxWithLoss):
    def backward(self, dout=1):
        return super().backward(dout) * self.loss


@pytest.mark.parametrize(
    "check, learner, phrase",
    [
        (check_affine, AffineWithDbKeepingTheAxis, "an extra axis of length 1 was kept"),
        (check_affine, AffineWithDxTransposed, "dx is transposed"),
        (check_softmax, softmax_dividing_by_n, "is divided by the batch size N"),
        (check_softmax_with_loss, SoftmaxWithLossScaledByTheLoss, "dx is multiplied by the loss"),
    ],
)
def test_structural_differences_are_named(check, learner, phrase):
    assert_first(check(learner), "fail", phrase)


# ---------------------------------------------------------------------------------------------
# Exceptions: the case, the learner's line, a hint from the text and the source
# ---------------------------------------------------------------------------------------------


class MulLayerWithoutSelf(known.BookMulLayer):
    def backward(self, dout):
        return dout * y, dout * self.x  # noqa: F821 - the learner forgot self.


class AffineCallingShape(known.BookAffine):
    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape(0), -1)
        return self.x @ self.W + self.b


class SigmoidWithMathExp(known.TanhSigmoid):
    def forward(self, x):
        import math

        self.out = 1 / (1 + math.exp(-x))
        return self.out


class NetIteratingTheKeys(TwoLayerNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return {
            "W1": self.layers["Affine1"].dW,
            "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW,
            "b2": self.layers["Affine2"].db,
        }


def softmax_with_two_indices(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=1)[:, None]


@pytest.mark.parametrize(
    "check, learner, phrases",
    [
        (
            check_mul_layer,
            MulLayerWithoutSelf,
            ["NameError", "`return dout * y, dout * self.x", "write self.y"],
        ),
        (
            check_affine,
            AffineCallingShape,
            ["TypeError", "x.shape(0)", "shape is an attribute, not a method"],
        ),
        (check_sigmoid, SigmoidWithMathExp, ["math.exp works on one number only; for arrays use np.exp"]),
        (check_two_layer_net, NetIteratingTheKeys, ["looping over a dict gives its keys"]),
        (check_softmax, softmax_with_two_indices, ["AxisError", "for a 1-D x"]),
    ],
)
def test_exceptions_name_the_case_the_line_and_a_hint(check, learner, phrases):
    message = first_message(check(learner))
    assert message.startswith(
        (
            "your softmax",
            check.__name__.removeprefix("check_").title().replace("_", ""),
            "MulLayer",
            "Affine",
            "Sigmoid",
            "TwoLayerNet",
        )
    ), message
    for phrase in phrases:
        assert phrase in message, message


def test_one_bug_breaking_many_cases_gives_one_message():
    result = check_mul_layer(MulLayerWithoutSelf)
    assert len(result.messages) == 1, str(result)
    assert "raised NameError" in result.messages[0]


# ---------------------------------------------------------------------------------------------
# A coincidental match never outranks the earliest failure
# ---------------------------------------------------------------------------------------------


class MulLayerSwappedOnlyFor2D(known.BookMulLayer):
    """Garbage everywhere, but on the one (2, 3) case its values happen to be the swapped rule's."""

    def backward(self, dout):
        if np.ndim(self.x) == 2:
            return dout * self.x, dout * self.y
        return dout + 7.0, dout - 7.0


def test_a_relation_seen_once_is_not_named_as_the_cause():
    result = check_mul_layer(MulLayerSwappedOnlyFor2D)
    assert result.status == "fail"
    assert first_message(result).startswith("dx is wrong for the apple example"), str(result)
    assert not any("instead of the other input" in message for message in result.messages), str(result)


# ---------------------------------------------------------------------------------------------
# The learner's numpy settings change nothing
# ---------------------------------------------------------------------------------------------


def test_checks_ignore_the_learners_numpy_settings():
    before = {
        check.__name__: str(check(learner))
        for check, learner in [
            (check_sigmoid, known.StableSigmoid),
            (check_softmax, known.log_sum_exp_softmax),
            (check_affine, known.AffineWithUnsummedDb),
        ]
    }
    old_settings, old_print = np.seterr(all="raise"), np.get_printoptions()
    np.set_printoptions(precision=1, threshold=2, legacy="1.13")
    try:
        after = {
            check.__name__: str(check(learner))
            for check, learner in [
                (check_sigmoid, known.StableSigmoid),
                (check_softmax, known.log_sum_exp_softmax),
                (check_affine, known.AffineWithUnsummedDb),
            ]
        }
    finally:
        np.seterr(**old_settings)
        np.set_printoptions(**old_print)
    assert after == before
    assert after["check_sigmoid"].startswith("✅")


# ---------------------------------------------------------------------------------------------
# Unusual correct code passes
# ---------------------------------------------------------------------------------------------


class SigmoidByLogaddexp:
    def forward(self, x):
        self.out = np.exp(-np.logaddexp(0, -x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class AffineByTensordot:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return np.tensordot(x, self.W.reshape(*x.shape[1:], -1), axes=x.ndim - 1) + self.b

    def backward(self, dout):
        flat = self.x.reshape(len(self.x), -1)
        self.dW = np.einsum("nd,nm->dm", flat, dout)
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.x.shape)


class SoftmaxWithLossByAddAt:
    def forward(self, x, t):
        scores = np.atleast_2d(x)
        self.shape, n = np.shape(x), len(scores)
        labels = (
            np.argmax(t.reshape(scores.shape), axis=1) if np.size(t) == scores.size else np.reshape(t, -1)
        )
        self.one_hot = np.eye(scores.shape[1])[labels]
        log_y = scores - np.logaddexp.reduce(scores, axis=1, keepdims=True)
        self.y = np.exp(log_y)
        self.loss = -np.sum(log_y * self.one_hot) / n
        return self.loss

    def backward(self, dout=1):
        dx = self.y.copy()
        rows, columns = np.nonzero(self.one_hot)
        np.add.at(dx, (rows, columns), -1.0)
        return (dx * dout / len(dx)).reshape(self.shape)


class ReluCachingPerCall:
    """Keeps a cache dict on the instance, emptied at every forward: right."""

    def __init__(self):
        self.cache = {}

    def forward(self, x):
        self.cache = {"blocked": x <= 0}
        return np.where(self.cache["blocked"], 0.0, x)

    def backward(self, dout):
        return np.where(self.cache["blocked"], 0.0, dout)


@pytest.mark.parametrize(
    "check, learner",
    [
        (check_sigmoid, SigmoidByLogaddexp),
        (check_affine, AffineByTensordot),
        (check_softmax_with_loss, SoftmaxWithLossByAddAt),
        (check_relu, ReluCachingPerCall),
    ],
)
def test_unusual_correct_code_passes(check, learner):
    result = check(learner)
    assert result.status == "pass", str(result)


# ---------------------------------------------------------------------------------------------
# Every "where people go wrong" bullet of every exercise notebook is answered by its message
# ---------------------------------------------------------------------------------------------


class ReluCopyingNothing(known.WhereRelu):
    def forward(self, x):
        self.mask = x <= 0
        out = x
        out[self.mask] = 0
        return out

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class SoftmaxWithLossSharingY(deepnet.SoftmaxWithLoss):
    def backward(self, dout=1):
        y = self.y.reshape(-1, self.y.shape[-1])
        n = y.shape[0]
        dx = y
        if self.t.size == y.size:
            dx -= self.t.reshape(y.shape)
        else:
            dx[np.arange(n), self.t.reshape(-1)] -= 1
        return (dx * dout / n).reshape(self.y.shape)


class SoftmaxWithLossIgnoringDout(deepnet.SoftmaxWithLoss):
    def backward(self, dout=1):
        return super().backward(1)


class SoftmaxWithLossFromTheTwoFunctions(deepnet.SoftmaxWithLoss):
    def forward(self, x, t):
        super().forward(x, t)
        self.loss = known.book_cross_entropy_error(known.log_sum_exp_softmax(x), self.t)
        return self.loss


class NetThrowingAwayResults(TwoLayerNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            layer.backward(dout)
        return {
            "W1": self.layers["Affine1"].dW,
            "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW,
            "b2": self.layers["Affine2"].db,
        }


# (notebook, a distinctive piece of the bullet) -> [(check, learner code, what the first message says)]
BULLETS = {
    ("5.4", "each input's gradient needs the **other** input"): [
        (check_mul_layer, known.MulLayerUnswapped, "instead of the other input")
    ],
    ("5.4", "forgetting to store the inputs"): [
        (check_mul_layer, known.MulLayerForgettingInputs, "reads self.y, but nothing set it")
    ],
    ("5.4", "storing them on the class"): [(check_mul_layer, MulLayerInAGlobal, "they share their state")],
    ("5.4", "returning one value instead of the pair"): [
        (check_mul_layer, known.MulLayerReturningOneValue, "it should return the pair (dx, dy)")
    ],
    ("5.4", "that is the multiplication node's rule"): [
        (check_add_layer, known.AddLayerReturningOnes.__base__, None),  # the book's code passes
        (check_add_layer, known.AddLayerReturningOnes, "the local derivative without dout"),
    ],
    ("5.4", "returning `dout` once instead of the pair"): [
        (check_add_layer, known.AddLayerReturningOneValue, "it should return the pair (dx, dy)")
    ],
    ("5.4", "`return dout, dout`"): [
        (check_add_layer, known.AddLayerReturningDoutTwice, "returned the dout you were given as dx")
    ],
    ("5.5", "zeroes the **caller's** `x` too"): [
        (check_relu, ReluCopyingNothing, "Relu.forward changed the x you were given")
    ],
    ("5.5", "The book's `backward` does `dout[self.mask] = 0`"): [
        (check_relu, known.BookRelu, "Relu.backward changed the dout you were given")
    ],
    ("5.5", "Using the mask of the wrong sign"): [
        (check_relu, known.ReluWithInvertedMask, "the mask the wrong way round")
    ],
    ("5.5", "(forgetting a factor)"): [
        (check_sigmoid, known.SigmoidForgettingOneMinusOut, "without the factor (1 - out)"),
        (check_sigmoid, known.SigmoidIgnoringDout, "without the factor dout"),
        (check_sigmoid, known.SigmoidUsingX, "x where the output out is needed"),
    ],
    ("5.5", "computes `exp(1000)` for `x = -1000`"): [
        (check_sigmoid, known.BookSigmoid, "overflow warning for x = -1000")
    ],
    ("5.6", "since $B$ is added to every row"): [
        (check_affine, known.AffineWithUnsummedDb, "which must be summed over"),
        (check_affine, known.AffineWithTransposedDW.__base__, None),
    ],
    ("5.6", "has shape (M, D): transposed"): [
        (check_affine, known.AffineWithTransposedDW, "dW is transposed"),
        (check_affine, known.AffineForgettingWTranspose, "dx = dout @ W.T"),
    ],
    ("5.6", "For images, flatten `x`"): [
        (check_affine, known.ChapterFiveAffine, "also asks for images: flatten x in forward")
    ],
    ("5.6", "no subtraction: `np.exp(1000)`"): [
        (check_softmax, known.softmax_without_max, "contains nan for rows around 1000")
    ],
    ("5.6", "subtracting the maximum of the **whole array**"): [
        (check_softmax, known.softmax_with_global_max, "the maximum of the whole array subtracted")
    ],
    ("5.6", "summing over the whole batch, or over `axis=0`"): [
        (check_softmax, known.chapter_three_softmax, "divided by the sum of the whole array"),
        (check_softmax, known.softmax_over_columns, "normalised over axis 0"),
        (check_softmax, known.softmax_without_keepdims, "keepdims"),
    ],
    ("5.6", "`np.log(0)` is `-inf`"): [
        (check_cross_entropy_error, known.cross_entropy_error_without_delta, "contains nan")
    ],
    ("5.6", "dividing by the number of entries of `y`"): [
        (
            check_cross_entropy_error,
            known.cross_entropy_error_with_mean_over_all_entries,
            "is the number of classes C",
        ),
        (check_cross_entropy_error, known.cross_entropy_error_without_batch_mean, "is the batch size N"),
    ],
    ("5.6", "a 1-D `y` is **one** sample"): [
        (
            check_cross_entropy_error,
            known.cross_entropy_error_dividing_by_len,
            "not for one sample y of shape (C,)",
        )
    ],
    ("5.6", "not dividing by the batch size N (or, for a 1-D `x`"): [
        (check_softmax_with_loss, known.SoftmaxWithLossNotDividingByN, "is the batch size N"),
        (check_softmax_with_loss, known.BookSoftmaxWithLoss, "not for one sample x of shape (C,)"),
    ],
    ("5.6", "`dx = self.y; dx[..., t] -= 1` changes `self.y`"): [
        (check_softmax_with_loss, SoftmaxWithLossSharingY, "changed self.y")
    ],
    ("5.6", "ignoring `dout`"): [
        (check_softmax_with_loss, SoftmaxWithLossIgnoringDout, "backward ignores dout")
    ],
    ("5.6", "`cross_entropy_error(softmax(x), t)` is right for ordinary scores"): [
        (check_softmax_with_loss, SoftmaxWithLossFromTheTwoFunctions, "caps each sample's loss")
    ],
    ("5.7", "skipping the forward pass"): [
        (check_two_layer_net, known.NetWithoutForwardPass, "is the result for the previous input")
    ],
    ("5.7", "going through the layers in forward order"): [
        (check_two_layer_net, known.NetBackwardInForwardOrder, "in reverse order")
    ],
    ("5.7", "without keeping its result"): [
        (check_two_layer_net, NetThrowingAwayResults, "the result of .backward(dout) is thrown away")
    ],
    ("5.7", "changing `self.params` inside `gradient()`"): [
        (check_two_layer_net, known.NetUpdatingInGradient, "gradient() changed params")
    ],
}


def notebook_bullets():
    """(notebook number, bullet text) of every "Where people go wrong" list in solutions/."""
    bullets = []
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and "Where people go wrong:" in text:
                listing = text.split("Where people go wrong:", 1)[1]
                for bullet in re.findall(r"^- (.*(?:\n  .*)*)", listing, flags=re.MULTILINE):
                    bullets.append((path.name[:3], " ".join(bullet.split())))
    return bullets


def test_every_bullet_of_every_exercise_notebook_has_a_learner_case():
    bullets = notebook_bullets()
    assert len(bullets) >= 25
    for notebook, text in bullets:
        matches = [key for key in BULLETS if key[0] == notebook and " ".join(key[1].split()) in text]
        assert len(matches) == 1, f"bullet of {notebook} without exactly one learner case: {text}"
    assert len(BULLETS) == len(bullets)


@pytest.mark.parametrize("key", list(BULLETS), ids=lambda key: f"{key[0]}: {key[1][:40]}")
def test_every_bullet_is_answered_by_the_message_it_predicts(key):
    for check, learner, phrase in BULLETS[key]:
        result = check(learner)
        if phrase is None:
            assert result.status in ("pass", "warn"), str(result)
        else:
            assert result.status in ("fail", "warn") and phrase in first_message(result), str(result)

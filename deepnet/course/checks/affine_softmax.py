"""Checks for exercises 5.6: Affine, softmax, cross_entropy_error and SoftmaxWithLoss."""

import numpy as np

from deepnet import functions, layers
from deepnet.course.checks.engine import Check, a_type
from deepnet.course.checks.layer_cases import LayerExercise, layer_cases, one_hot, probabilities
from deepnet.course.checks.messages import say
from deepnet.course.checks.relations import Related
from deepnet.course.language import N_, fill

MESSAGES = {
    "affine_out": "out = x @ W + b, with x flattened to (N, D)",
    "affine_dx": "dx = dout @ self.W.T, in x's original shape",
    "affine_dW": "dW = self.x.T @ dout, of W's shape (D, M)",
    "affine_db": "db = np.sum(dout, axis=0): b was added to every sample, "
    "so its gradient sums over the batch",
    "affine_no_bias": "x @ W, without the bias",
    "affine_w_transposed": "x @ W.T + b, with W transposed",
    "affine_dx_no_transpose": "dout @ W, without the transpose of W",
    "affine_db_total": "the sum of all of dout (one number)",
    "affine_db_rows": "dout summed over axis 1 (the outputs)",
    "affine_images": "your Affine works for x of shape (N, D), like the book's printed version, but this "
    "exercise also asks for images: flatten x in forward (x.reshape(x.shape[0], -1)) and "
    "give dx back in x's original shape",
    "affine_shape_rule": "dx = dout @ W.T is (N, M)·(M, D), dW = x.T @ dout is (D, N)·(N, M); "
    "a 3-D x must be flattened to (N, D) in forward",
    "batch_axis": "the batch axis N",
    "softmax_rule": "exp(x - max) / sum(exp(x - max)) along the last axis: "
    "np.max(x, axis=-1, keepdims=True) and np.sum(e, axis=-1, keepdims=True)",
    "softmax_global_max": "softmax with the maximum of the whole array subtracted (each row needs its own)",
    "softmax_whole_sum": "exp divided by the sum of the whole array (each row should sum to 1)",
    "softmax_columns": "exp normalised over axis 0, the columns (each row, one sample, should sum to 1)",
    "softmax_no_keepdims": "exp divided by the row sums without keepdims=True, which broadcast along the "
    "wrong axis",
    "softmax_no_division": "exp(x), without dividing by the sum",
    "softmax_one_dimensional": "your softmax works for a batch (N, C) but not for one sample x of shape "
    "(C,): use axis=-1 and keepdims=True, which work for both",
    "softmax_batch": "your softmax works for one sample (C,) but not for a batch (N, C): each row is a "
    "sample; use axis=-1 and keepdims=True",
    "cee_rule": "the loss is -1/N · Σ log y[n, t_n], the mean over the batch of -log(probability of the "
    "true class)",
    "cee_per_sample": "one loss per sample (their mean is asked for, one number)",
    "cee_log10": "the loss with log10 instead of the natural log np.log",
    "cee_index_labels": "your cross_entropy_error works for one-hot labels but not for class indices "
    "t of shape (N,): take y[np.arange(N), t], or turn t into one-hot first",
    "cee_one_dimensional": "your cross_entropy_error works for a batch (N, C) but not for one sample y of "
    "shape (C,): a 1-D y is a batch of one; reshape y (and t) to (1, C)",
    "cee_int_label": "your cross_entropy_error works for labels in an array but not for one int label "
    "of one sample: np.asarray(t).reshape(1) (after reshaping y to (1, C))",
    "cee_zero": "cross_entropy_error should return one finite number when the true class has "
    "probability 0, got {got}; add a small delta inside the log (np.log(y + 1e-7))",
    "cee_zero_small": "the loss is {got} when the true class has probability 0; it should be very large "
    "(-log of a tiny number, e.g. -log(1e-7) = 16.1)",
    "cee_zero_inf": "cross_entropy_error returns inf when the true class has probability exactly 0 "
    "(log 0 = -inf): one such sample makes the batch loss and every update inf or nan; "
    "add a small delta inside the log as the book does (np.log(y + 1e-7))",
    "swl_loss": "loss = -1/N · Σ log softmax(x)[n, t_n], one number",
    "swl_dx": "dx = (y - t) / N * dout, with N the batch size (1 for a 1-D x)",
    "swl_one_dimensional": "your SoftmaxWithLoss works for a batch (N, C) but not for one sample x of shape "
    "(C,): a 1-D x is a batch of one, N = 1 (the book's code divides by t.shape[0], "
    "which is the number of classes here)",
    "swl_index_labels": "your SoftmaxWithLoss works for one-hot labels but not for class indices t of "
    "shape (N,): with indices, y - t means subtract 1 at each true class: dx = y.copy(); "
    "dx[np.arange(N), t] -= 1",
    "swl_per_sample": "one loss per sample (their mean is asked for, one number)",
    "swl_index_broadcast": "(y - t) / N with the class indices t subtracted as numbers, which broadcast "
    "along the wrong axis",
    "swl_capped": "the loss is {got} for logits far apart, where the exact loss is {exact}: "
    "log(softmax(x) + 1e-7) caps each sample's loss at -log(1e-7) = 16.1; compute log-softmax "
    "directly, x - max - log(Σ exp(x - max)), for the exact value",
    # The conceptual exercise: dB for the book's dY, by hand or with numpy.
    "bias_missing": "dB is still None: write dB for dY = {dy}, then run this cell again",
    "bias_not_numbers": "dB should be an array of numbers, one per output, but it is {kind}",
    "bias_rows": "your dB, {got}, has one number per sample: you summed along each row (axis=1). "
    "B has one entry per output, so sum down the rows, over the batch: np.sum(dY, axis=0)",
    "bias_not_summed": "your dB is dY itself, shape {shape}. A gradient has the shape of what it is "
    "the gradient of: B has shape (3,). B was copied to each of the N rows, so add up the rows' "
    "gradients: np.sum(dY, axis=0)",
    "bias_total": "your dB, {got}, is the sum of all of dY: one number. B has 3 entries, each with its "
    "own gradient: sum over the batch axis only, np.sum(dY, axis=0)",
    "bias_mean": "your dB, {got}, is the mean over the batch. Where one value is used N times, the N "
    "gradients add up; they are not averaged (the loss's 1/N is already inside dY): np.sum(dY, axis=0)",
    "bias_shape": "dB should have shape (3,), one number per output (per column of dY), but it has "
    "shape {shape}",
    "bias_wrong": "your dB, {got}, is not the column sums of dY = {dy}: each entry of dB adds up "
    "its column of dY, one term per sample",
    "swl_ignores_dout": "SoftmaxWithLoss.backward ignores dout: backward(2.0) returns the same as "
    "backward(1.0); multiply by dout, dx = (y - t) / N * dout, so that the layer also "
    "works when its loss is scaled or summed with another (the book's code ignores it "
    "too, since dout is always 1 there)",
}


# ---------------------------------------------------------------------------------------------
# Affine
# ---------------------------------------------------------------------------------------------


def affine_related(name, inputs, dout, right):
    x = inputs["x"]
    flat = x.reshape(x.shape[0], -1)
    n = x.shape[0]
    W = right["W"]
    axes = {0: MESSAGES["batch_axis"]}
    if name == "out":
        return Related(
            alternatives={
                MESSAGES["affine_no_bias"]: flat @ W,
                MESSAGES["affine_w_transposed"]: flat @ W.T + right["b"]
                if W.shape[0] == W.shape[1]
                else None,
            }
        )
    if name == "dx":
        return Related(
            quantities={"N": n},
            axis_names=axes,
            alternatives={MESSAGES["affine_dx_no_transpose"]: dout @ W if W.shape[0] == W.shape[1] else None},
        )
    if name == "dW":
        return Related(quantities={"N": n}, axis_names=axes)
    return Related(
        arrays={"dout": dout},
        quantities={"N": n},
        axis_names=axes,
        alternatives={
            MESSAGES["affine_db_total"]: np.sum(dout),
            MESSAGES["affine_db_rows"]: np.sum(dout, axis=1),
        },
    )


AFFINE = LayerExercise(
    name="Affine",
    reference=layers.Affine,
    outputs=("dx",),
    rules={
        "out": MESSAGES["affine_out"],
        "dx": MESSAGES["affine_dx"],
        "dW": MESSAGES["affine_dW"],
        "db": MESSAGES["affine_db"],
    },
    related=affine_related,
    attributes=("dW", "db", "W", "b"),
)


def check_affine(Affine):
    """Check Affine(W, b): out = x · W + b; backward sets dW = xᵀ · dout, db = Σ dout, returns dout · Wᵀ."""
    rng = np.random.default_rng(562)
    shape_hints = {ValueError: say("hint_matmul", shape_rule=MESSAGES["affine_shape_rule"])}
    with Check("Affine", Affine, hints=shape_hints) as check:
        if not check.require_callable():
            return check.result()

        def case(x_shape, W_shape):
            W, b = rng.standard_normal(W_shape), rng.standard_normal(W_shape[1])
            x, dout = rng.standard_normal(x_shape), rng.standard_normal((x_shape[0], W_shape[1]))
            return (W, b), {"x": x}, dout

        cases = [
            (description, *case(x_shape, W_shape))
            for description, x_shape, W_shape in [
                (N_("x of shape (4, 5), W of shape (5, 3)"), (4, 5), (5, 3)),
                (N_("x of shape (2, 3), W of shape (3, 4)"), (2, 3), (3, 4)),
                (N_("square x and W, both (3, 3)"), (3, 3), (3, 3)),
                (N_("a batch of one, x of shape (1, 5)"), (1, 5), (5, 3)),
            ]
        ]
        (W, b), images, dout = case((2, 2, 3), (6, 4))
        twins = [
            (
                N_("x of shape (2, 2, 3) (images), W of shape (6, 4)"),
                MESSAGES["affine_images"],
                (W, b),
                images,
                dout,
                {"x": images["x"].reshape(2, 6)},
                dout,
            )
        ]
        (W, b), first, first_dout = case((3, 4), (4, 2))
        second, second_dout = {"x": rng.standard_normal((2, 4))}, rng.standard_normal((2, 2))
        layer_cases(check, Affine, AFFINE, cases, ((W, b), first, first_dout, second, second_dout), twins)
    return check.result()


# ---------------------------------------------------------------------------------------------
# softmax and cross_entropy_error: functions
# ---------------------------------------------------------------------------------------------


def softmax_related(x):
    e = np.exp(x)
    batch = x.ndim == 2
    return Related(
        arrays={"exp(x)": e},
        quantities={"N": len(x)} if batch else {},
        alternatives={
            MESSAGES["softmax_global_max"]: np.exp(x - np.max(x))
            / np.sum(np.exp(x - np.max(x)), axis=-1, keepdims=True),
            MESSAGES["softmax_whole_sum"]: e / np.sum(e) if batch else None,
            MESSAGES["softmax_columns"]: e / np.sum(e, axis=0, keepdims=True) if batch else None,
            MESSAGES["softmax_no_keepdims"]: e / np.sum(e, axis=-1)
            if batch and x.shape[0] == x.shape[1]
            else None,
        },
    )


def check_softmax(softmax):
    """Check softmax(x): exp(x) / Σ exp(x) along the last axis, for 1-D and 2-D x, without overflow."""
    rng = np.random.default_rng(563)
    with Check(
        "softmax",
        softmax,
        kind="function",
        hints={ValueError: N_("use axis=-1 and keepdims=True so that 1-D and 2-D x both work")},
    ) as check:
        if not check.require_callable():
            return check.result()

        def run(x):
            out = check.call("softmax", softmax, x=x)
            check.expect(
                "softmax(x)",
                out,
                functions.softmax(x),
                rule=MESSAGES["softmax_rule"],
                related=softmax_related(x),
            )

        for description, x in [
            (N_("x of shape (2, 3)"), rng.standard_normal((2, 3))),
            (N_("a square x of shape (3, 3)"), rng.standard_normal((3, 3)) * 2),
            (N_("a batch of one, x of shape (1, 4)"), rng.standard_normal((1, 4))),
            (N_("x of zeros"), np.zeros((2, 3))),
            (N_("rows around 1000 and around 0"), np.array([[1000.0, 1001.0, 999.0], [0.0, -1.0, 1.0]])),
            (
                N_("logits far apart in a batch, [[1000, 0, -1000], [3, 2, 1]]"),
                np.array([[1000.0, 0.0, -1000.0], [3.0, 2.0, 1.0]]),
            ),
        ]:
            with check.case(description, x=x):
                run(x)
        for description, x in [
            (N_("a 1-D x, the book's [0.3, 2.9, 4.0]"), np.array([0.3, 2.9, 4.0])),
            (N_("a 1-D x far apart, [1000, 0, -1000]"), np.array([1000.0, 0.0, -1000.0])),
        ]:
            check.form_case(
                description,
                MESSAGES["softmax_one_dimensional"],
                lambda x=x: run(x),
                lambda x=x: run(x.reshape(1, -1)),
                x=x,
            )
    return check.result()


def check_cross_entropy_error(cross_entropy_error):
    """Check cross_entropy_error(y, t): -1/N Σ log y[true class], for one-hot and class-index labels.

    The book's `log(y + 1e-7)` passes: the function only sees probabilities, so some guard against
    log(0) is needed, and 1e-7 moves the loss by about 1e-7 / y, far below what a mistake changes.
    Returning inf when the true class has probability exactly 0 is a warning; nan is a failure.
    """
    rng = np.random.default_rng(564)
    loss_tolerance = 1e-5  # the book's log(y + 1e-7) moves a loss by about 1e-7 / y
    with Check("cross_entropy_error", cross_entropy_error, kind="function") as check:
        if not check.require_callable():
            return check.result()

        def run(y, t):
            got = check.call("cross_entropy_error", cross_entropy_error, y=y, t=t)
            y_batch = y.reshape(1, -1) if y.ndim == 1 else y
            n, c = y_batch.shape
            labels = (
                np.asarray(t).reshape(-1) if np.size(t) == n else np.argmax(np.reshape(t, (n, c)), axis=1)
            )
            expected = functions.cross_entropy_error(y, t)
            check.expect(
                "cross_entropy_error(y, t)",
                loss_value(got),
                expected,
                rule=MESSAGES["cee_rule"],
                rtol=loss_tolerance,
                related=Related(
                    quantities={"N": n, "C": c},
                    alternatives={
                        MESSAGES["cee_per_sample"]: -np.log(y_batch[np.arange(n), labels]),
                        MESSAGES["cee_log10"]: expected / np.log(10),
                    },
                ),
            )

        y, labels = probabilities(rng, (3, 4)), np.array([2, 0, 3])
        square_y, square_labels = probabilities(rng, (3, 3)), np.array([1, 2, 0])
        for description, y_, t in [
            (N_("a batch of 3, one-hot labels"), y, one_hot(labels, 4)),
            (N_("a square y of shape (3, 3), one-hot labels"), square_y, one_hot(square_labels, 3)),
            (
                N_("a batch of 2 with exact zeros in y, one-hot labels"),
                np.array([[0.1, 0.0, 0.9, 0.0], [0.0, 0.5, 0.5, 0.0]]),
                one_hot(np.array([2, 1]), 4),
            ),
        ]:
            with check.case(description, y=y_, t=t):
                run(y_, t)
        book_y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
        for description, gap, y_, t, basic_y, basic_t in [
            (
                N_("a batch of 3, class-index labels"),
                MESSAGES["cee_index_labels"],
                y,
                labels,
                y,
                one_hot(labels, 4),
            ),
            (
                N_("a square y of shape (3, 3), class-index labels"),
                MESSAGES["cee_index_labels"],
                square_y,
                square_labels,
                square_y,
                one_hot(square_labels, 3),
            ),
            (
                N_("the book's 1-D y (with exact zeros) and one-hot t"),
                MESSAGES["cee_one_dimensional"],
                book_y,
                one_hot(2, 10),
                book_y.reshape(1, -1),
                one_hot(np.array([2]), 10),
            ),
            (
                N_("a 1-D y of one sample, one-hot t"),
                MESSAGES["cee_one_dimensional"],
                y[1],
                one_hot(0, 4),
                y[1:2],
                one_hot(np.array([0]), 4),
            ),
            (
                N_("one sample: a 1-D y and the int label 2"),
                MESSAGES["cee_int_label"],
                book_y,
                2,
                book_y.reshape(1, -1),
                np.array([2]),
            ),
        ]:
            check.form_case(
                description,
                gap,
                lambda y_=y_, t=t: run(y_, t),
                lambda y_=basic_y, t=basic_t: run(y_, t),
                y=y_,
                t=t,
            )
        with check.case(N_("the true class has probability exactly 0")):
            got = loss_value(
                check.call(
                    "cross_entropy_error",
                    cross_entropy_error,
                    y=np.array([[0.0, 0.5, 0.5]]),
                    t=np.array([0]),
                    on_warning="",
                )
            )
            got = check.numbers("cross_entropy_error(y, t)", got)
            if got.size != 1 or np.isnan(got).any():
                check.fail(("zero",), fill(MESSAGES["cee_zero"], got=got.reshape(-1)[:3].tolist()))
            if np.isinf(got).any():
                check.warn(MESSAGES["cee_zero_inf"])
            elif float(got.reshape(-1)[0]) < 10:
                check.fail(
                    ("zero",), fill(MESSAGES["cee_zero_small"], got=f"{float(got.reshape(-1)[0]):.4g}")
                )
    return check.result()


def loss_value(value):
    """A loss in an array of shape (1,) counts as one number; anything else is left as it came."""
    if isinstance(value, np.ndarray) and value.shape == (1,):
        return value.reshape(())
    return value


# ---------------------------------------------------------------------------------------------
# SoftmaxWithLoss
# ---------------------------------------------------------------------------------------------


def swl_related(name, inputs, dout, right):
    x, t = inputs["x"], inputs["t"]
    scores = x.reshape(-1, x.shape[-1])
    n, c = scores.shape
    if name == "out":
        labels = np.reshape(t, -1) if np.size(t) == n else np.argmax(np.reshape(t, (n, c)), axis=1)
        per_sample = -functions.log_softmax(scores)[np.arange(n), labels]
        books_loss = -np.mean(np.log(functions.softmax(scores)[np.arange(n), labels] + 1e-7))
        related = Related(quantities={"N": n, "C": c}, alternatives={MESSAGES["swl_per_sample"]: per_sample})
        if books_loss < 0.9 * float(right["out"]):
            related.warn_if.append(
                (
                    books_loss,
                    fill(MESSAGES["swl_capped"],
                        got=f"{books_loss:.4g}", exact=f"{float(right['out']):.4g}"
                    ),
                )
            )
        return related
    related = Related(
        quantities={"N": n, "C": c, "loss": float(right["out"])}, axis_names={0: MESSAGES["batch_axis"]}
    )
    if np.ndim(t) == 1 and x.ndim == 2 and t.shape[0] in (1, c):
        related.alternatives[MESSAGES["swl_index_broadcast"]] = (functions.softmax(x) - t) / n
    if dout != 1:
        related.warn_if.append((right["dx"] / dout, MESSAGES["swl_ignores_dout"]))
    return related


SOFTMAX_WITH_LOSS = LayerExercise(
    name="SoftmaxWithLoss",
    reference=layers.SoftmaxWithLoss,
    outputs=("dx",),
    rules={"out": MESSAGES["swl_loss"], "dx": MESSAGES["swl_dx"]},
    related=swl_related,
    # The book's log(y + 1e-7) moves a loss by about 1e-7 / y: right, and not a mistake's size.
    tolerances={"out": 1e-5},
)


def check_softmax_with_loss(SoftmaxWithLoss):
    """Check SoftmaxWithLoss: forward(x, t) = mean cross-entropy of softmax(x); backward() = (y - t) / N.

    Two habits of the book's code are warnings: the loss log(softmax + 1e-7) caps each sample's
    loss at 16.1 for logits far apart, and backward ignores dout. Its division by the number of
    classes for a 1-D x is a failure: the gradient is wrong.
    """
    rng = np.random.default_rng(565)
    with Check(
        "SoftmaxWithLoss",
        SoftmaxWithLoss,
        hints={
            TypeError: N_("the book's signature is backward(self, dout=1); forward must keep y and t on self")
        },
    ) as check:
        if not check.require_callable():
            return check.result()
        x_batch, labels = rng.standard_normal((4, 3)), np.array([2, 0, 1, 1])
        x_other, other_labels = rng.standard_normal((2, 5)), np.array([4, 1])
        cases = [
            (description, (), {"x": x, "t": t}, dout)
            for description, x, t, dout in [
                (N_("a batch of 4, one-hot labels"), x_batch, one_hot(labels, 3), 1.0),
                (N_("a batch of 2 with 5 classes, one-hot labels"), x_other, one_hot(other_labels, 5), 1.0),
                (
                    N_("logits far apart, [1000, 0, -1000], one-hot labels"),
                    np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, -1000.0]]),
                    one_hot(np.array([0, 2]), 3),
                    1.0,
                ),
                ("backward(dout=2.0)", x_batch, one_hot(labels, 3), 2.0),
            ]
        ]
        book_x = np.log(np.array([0.3, 0.2, 0.5]))
        book_t = np.array([0.0, 1.0, 0.0])
        square_x = rng.standard_normal((3, 3))
        twins = [
            (
                N_("the book's example: 1-D x with softmax (0.3, 0.2, 0.5), t = (0, 1, 0)"),
                MESSAGES["swl_one_dimensional"],
                (),
                {"x": book_x, "t": book_t},
                1.0,
                {"x": book_x.reshape(1, 3), "t": book_t.reshape(1, 3)},
                1.0,
            ),
            (
                N_("a batch of 4, class-index labels"),
                MESSAGES["swl_index_labels"],
                (),
                {"x": x_batch, "t": labels},
                1.0,
                {"x": x_batch, "t": one_hot(labels, 3)},
                1.0,
            ),
            (
                N_("a square x of shape (3, 3), class-index labels"),
                MESSAGES["swl_index_labels"],
                (),
                {"x": square_x, "t": np.array([1, 2, 0])},
                1.0,
                {"x": square_x, "t": one_hot(np.array([1, 2, 0]), 3)},
                1.0,
            ),
            (
                N_("a batch of one, class-index label"),
                MESSAGES["swl_index_labels"],
                (),
                {"x": x_other[:1], "t": other_labels[:1]},
                1.0,
                {"x": x_other[:1], "t": one_hot(other_labels[:1], 5)},
                1.0,
            ),
        ]
        reuse = (
            (),
            {"x": x_batch, "t": one_hot(labels, 3)},
            1.0,
            {"x": x_other, "t": one_hot(other_labels, 5)},
            1.0,
        )
        layer_cases(check, SoftmaxWithLoss, SOFTMAX_WITH_LOSS, cases, reuse, twins)
    return check.result()


# ---------------------------------------------------------------------------------------------
# A conceptual exercise: dB by hand
# ---------------------------------------------------------------------------------------------

# The book's upstream gradient for a batch of N = 2 samples and M = 3 outputs (section 5.6.2).
BOOK_DY = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def check_batch_bias_gradient(dB):
    """Check dB for the book's dY = [[1, 2, 3], [4, 5, 6]]: the column sums [5, 7, 9].

    Each usual mistake is named: summed over axis 1 ([6, 15]), not summed (dY), the sum of
    everything (21), the mean over the batch ([2.5, 3.5, 4.5]).
    """
    dy_text = str(BOOK_DY.tolist())
    with Check("dB for the book's dY", dB, kind="values") as check:
        if dB is None:
            check.unwritten.append(fill(MESSAGES["bias_missing"], dy=dy_text))
            return check.result()
        with check.case(f"dY = {dy_text}"):
            got = as_numbers(check, dB)
            got_text = str(np.round(got, 4).tolist())
            mistakes = [
                (np.sum(BOOK_DY, axis=1), ("rows",), fill(MESSAGES["bias_rows"], got=got_text)),
                (BOOK_DY, ("not summed",), fill(MESSAGES["bias_not_summed"], shape=got.shape)),
                (np.sum(BOOK_DY), ("total",), fill(MESSAGES["bias_total"], got=got_text)),
                (np.mean(BOOK_DY, axis=0), ("mean",), fill(MESSAGES["bias_mean"], got=got_text)),
            ]
            for wrong, key, message in mistakes:
                if got.shape == np.shape(wrong) and np.allclose(got, wrong):
                    check.fail(key, message)
            if got.shape != (BOOK_DY.shape[1],):
                check.fail(("shape",), fill(MESSAGES["bias_shape"], shape=got.shape))
        if check.findings:  # a wrong shape or a named mistake: the values cannot tell more
            return check.result()
        with check.case(N_("each entry of dB, a column sum of dY")):
            if not np.allclose(got, np.sum(BOOK_DY, axis=0)):
                check.fail(("wrong",), fill(MESSAGES["bias_wrong"], got=got_text, dy=dy_text))
    return check.result()


def as_numbers(check, value):
    """The learner's value as a float array; a failure of the case when it is not numbers."""
    try:
        if isinstance(value, (str, bytes, dict, set)) or callable(value):
            raise TypeError
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        check.fail(("not numbers",), fill(MESSAGES["bias_not_numbers"], kind=a_type(value)))

"""Every layer of chapter 5: gradients agree with numerical differentiation, arguments are never
modified, float32 stays float32, extreme inputs give no warnings, and bad input gets a clear error.

Hypothesis draws the shapes and a seed; the values come from a seeded generator, as in a CS231n
gradient check. Hypothesis is derandomized: every run tries the same examples, so a gradient that
happens to cancel to almost zero (where an elementwise relative error means nothing) cannot make
CI fail one day in ten.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepnet import (
    AddLayer,
    Affine,
    MulLayer,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    numerical_gradient,
    numerical_gradient_array,
    relative_error,
)

GOOD = 1e-7  # the largest relative error a correct float64 backward pass may show
STRICT = dict(over="raise", invalid="raise", divide="raise")

PROPERTY = settings(max_examples=30, deadline=None, derandomize=True)
batch_sizes = st.integers(1, 4)
widths = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)


def random_array(rng, shape, low=-3.0, high=3.0):
    return rng.uniform(low, high, size=shape)


def away_from_zero(rng, shape, high=2.0):
    # Magnitudes in [0.5, high] with random signs: gradients large enough for a meaningful relative error.
    return rng.uniform(0.5, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def random_dout(rng, shape):
    return away_from_zero(rng, shape)


# ---- gradients -------------------------------------------------------------------------------------

@PROPERTY
@given(n=batch_sizes, d=widths, seed=seeds)
def test_mul_layer_backward_matches_numerical_gradient(n, d, seed):
    rng = np.random.default_rng(seed)
    # dx = dout * y and dy = dout * x: inputs near 0 would give gradients near 0.
    x, y = away_from_zero(rng, (n, d), high=3.0), away_from_zero(rng, (n, d), high=3.0)
    dout = random_dout(rng, (n, d))
    layer = MulLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    assert relative_error(dx, numerical_gradient_array(lambda x_: x_ * y, x.copy(), dout)) <= GOOD
    assert relative_error(dy, numerical_gradient_array(lambda y_: x * y_, y.copy(), dout)) <= GOOD


@PROPERTY
@given(n=batch_sizes, d=widths, seed=seeds)
def test_add_layer_backward_matches_numerical_gradient(n, d, seed):
    rng = np.random.default_rng(seed)
    x, y, dout = random_array(rng, (n, d)), random_array(rng, (n, d)), random_dout(rng, (n, d))
    layer = AddLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    assert relative_error(dx, numerical_gradient_array(lambda x_: x_ + y, x.copy(), dout)) <= GOOD
    assert relative_error(dy, numerical_gradient_array(lambda y_: x + y_, y.copy(), dout)) <= GOOD


@PROPERTY
@given(n=batch_sizes, d=widths, seed=seeds)
def test_relu_backward_matches_numerical_gradient_away_from_the_kink(n, d, seed):
    rng = np.random.default_rng(seed)
    x = random_array(rng, (n, d))
    x[np.abs(x) < 1e-3] = 0.5  # the kink at 0 has no derivative; central differences straddle it
    dout = random_dout(rng, (n, d))
    layer = Relu()
    layer.forward(x)
    dx = layer.backward(dout)
    assert relative_error(dx, numerical_gradient_array(Relu().forward, x.copy(), dout)) <= GOOD


@PROPERTY
@given(n=batch_sizes, d=widths, seed=seeds)
def test_sigmoid_backward_matches_numerical_gradient(n, d, seed):
    rng = np.random.default_rng(seed)
    x, dout = random_array(rng, (n, d)), random_dout(rng, (n, d))
    layer = Sigmoid()
    layer.forward(x)
    dx = layer.backward(dout)
    assert relative_error(dx, numerical_gradient_array(Sigmoid().forward, x.copy(), dout)) <= GOOD


@PROPERTY
@given(n=batch_sizes, d=widths, m=widths, seed=seeds)
def test_affine_backward_matches_numerical_gradients_of_x_w_and_b(n, d, m, seed):
    rng = np.random.default_rng(seed)
    x, W, b = random_array(rng, (n, d)), random_array(rng, (d, m)), random_array(rng, (m,))
    dout = random_dout(rng, (n, m))
    layer = Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)

    def out(x_, W_, b_):
        return Affine(W_, b_).forward(x_)

    dx_numeric = numerical_gradient_array(lambda x_: out(x_, W, b), x.copy(), dout)
    dW_numeric = numerical_gradient_array(lambda W_: out(x, W_, b), W.copy(), dout)
    db_numeric = numerical_gradient_array(lambda b_: out(x, W, b_), b.copy(), dout)
    assert relative_error(dx, dx_numeric) <= GOOD
    assert relative_error(layer.dW, dW_numeric) <= GOOD
    assert relative_error(layer.db, db_numeric) <= GOOD


@PROPERTY
@given(n=batch_sizes, c=st.integers(2, 5), one_hot=st.booleans(), seed=seeds)
def test_softmax_with_loss_backward_matches_numerical_gradient(n, c, one_hot, seed):
    rng = np.random.default_rng(seed)
    x = random_array(rng, (n, c))
    labels = rng.integers(0, c, size=n)
    t = np.eye(c)[labels] if one_hot else labels
    dout = rng.uniform(0.5, 2.0)
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward(dout)
    numeric = numerical_gradient(lambda x_: SoftmaxWithLoss().forward(x_, t) * dout, x.copy(), h=1e-5)
    assert relative_error(dx, numeric) <= GOOD


def test_affine_gradient_check_reaches_far_below_the_threshold_on_a_4d_batch():
    rng = np.random.default_rng(1)
    x, W, b = rng.normal(size=(2, 3, 2, 2)), rng.normal(size=(12, 5)), rng.normal(size=5)
    dout = rng.normal(size=(2, 5))
    layer = Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    assert relative_error(dx, numerical_gradient_array(Affine(W, b).forward, x.copy(), dout)) <= GOOD


# ---- arguments are never modified ----------------------------------------------------------------

def test_relu_backward_does_not_modify_dout():
    layer = Relu()
    layer.forward(np.array([-1.0, 2.0, 0.0]))
    dout = np.array([5.0, 6.0, 7.0])
    dx = layer.backward(dout)
    assert dout.tolist() == [5.0, 6.0, 7.0]  # the book's version leaves [0, 6, 0] here
    assert dx.tolist() == [0.0, 6.0, 0.0]


def test_add_layer_returns_two_independent_gradients():
    dx, dy = AddLayer().backward(np.array([1.0, 2.0]))
    dx[0] = 99.0
    assert dy.tolist() == [1.0, 2.0]


def layers_with_inputs(rng, dtype=np.float64):
    """(name, layer, forward arguments, dout) for every layer, on one batch of shape (3, 4)."""
    x = rng.normal(size=(3, 4)).astype(dtype)
    y = rng.normal(size=(3, 4)).astype(dtype)
    W = rng.normal(size=(4, 2)).astype(dtype)
    b = rng.normal(size=2).astype(dtype)
    dout = rng.normal(size=(3, 4)).astype(dtype)
    return [
        ("MulLayer", MulLayer(), (x, y), dout),
        ("AddLayer", AddLayer(), (x, y), dout),
        ("Relu", Relu(), (x,), dout),
        ("Sigmoid", Sigmoid(), (x,), dout),
        ("Affine", Affine(W, b), (x,), rng.normal(size=(3, 2)).astype(dtype)),
        ("SoftmaxWithLoss/indices", SoftmaxWithLoss(), (x, np.array([0, 3, 1])), dtype(1.0)),
        ("SoftmaxWithLoss/one-hot", SoftmaxWithLoss(), (x, np.eye(4)[[0, 3, 1]]), dtype(1.0)),
    ]


@pytest.mark.parametrize("index", range(7))
def test_forward_and_backward_leave_every_argument_unchanged(index):
    name, layer, args, dout = layers_with_inputs(np.random.default_rng(index))[index]
    params = [layer.W.copy(), layer.b.copy()] if isinstance(layer, Affine) else []
    before = [np.copy(a) for a in (*args, dout)]
    layer.forward(*args)
    layer.backward(dout)
    for original, now in zip(before, (*args, dout), strict=True):
        np.testing.assert_array_equal(now, original, err_msg=name)
    if params:
        np.testing.assert_array_equal(layer.W, params[0])
        np.testing.assert_array_equal(layer.b, params[1])


# ---- dtypes and extreme inputs -------------------------------------------------------------------

@pytest.mark.parametrize("index", range(7))
def test_float32_inputs_give_float32_outputs_and_gradients(index):
    name, layer, args, dout = layers_with_inputs(np.random.default_rng(0), np.float32)[index]
    out = layer.forward(*args)
    grads = layer.backward(dout)
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert np.asarray(out).dtype == np.float32, name
    assert all(g.dtype == np.float32 for g in grads), name


def test_sigmoid_layer_has_no_warnings_and_a_zero_gradient_at_plus_minus_1000():
    layer = Sigmoid()
    with np.errstate(**STRICT):
        out = layer.forward(np.array([-1000.0, 1000.0]))
        dx = layer.backward(np.ones(2))
    assert out.tolist() == [0.0, 1.0]
    assert dx.tolist() == [0.0, 0.0]


def test_softmax_with_loss_is_finite_and_exact_for_logits_1e4_apart():
    layer = SoftmaxWithLoss()
    x = np.array([[0.0, 1e4, -1e4], [0.0, 1e4, -1e4]])
    with np.errstate(**STRICT):
        loss = layer.forward(x, np.array([0, 1]))
        dx = layer.backward()
    # Sample 0 misses by 1e4 (loss 1e4 exactly), sample 1 is certain (loss 0): the mean is 5000.
    assert loss == pytest.approx(5000.0, rel=1e-12)
    np.testing.assert_allclose(dx, [[-0.5, 0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


def test_softmax_with_loss_honours_dout_and_divides_by_the_batch_size():
    x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    t = np.array([2, 0])
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    y = layer.y.copy()
    expected = (y - np.eye(3)[t]) / 2
    np.testing.assert_allclose(layer.backward(), expected)
    np.testing.assert_allclose(layer.backward(dout=3.0), 3.0 * expected)


def test_softmax_with_loss_treats_a_1d_input_as_a_batch_of_one():
    x = np.array([1.0, 2.0, 3.0])
    one, batch = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert one.forward(x, 2) == pytest.approx(batch.forward(x[np.newaxis], np.array([2])))
    dx = one.backward()
    assert dx.shape == (3,)
    np.testing.assert_allclose(dx, batch.backward()[0])  # not divided by the 3 classes


def test_relu_mask_marks_non_positive_entries_and_blocks_their_gradient_at_zero():
    layer = Relu()
    out = layer.forward(np.array([[1.0, -0.5], [0.0, 3.0]]))
    assert layer.mask.tolist() == [[False, True], [True, False]]
    assert out.tolist() == [[1.0, 0.0], [0.0, 3.0]]
    assert layer.backward(np.ones((2, 2))).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_affine_without_input_gradient_skips_dx_but_still_sets_dw_and_db():
    rng = np.random.default_rng(3)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dout = rng.normal(size=(4, 2))
    first, usual = Affine(W, b, input_gradient=False), Affine(W, b)
    first.forward(x)
    usual.forward(x)
    assert first.backward(dout) is None
    usual.backward(dout)
    np.testing.assert_array_equal(first.dW, usual.dW)
    np.testing.assert_array_equal(first.db, usual.db)


def test_affine_keeps_w_and_b_by_reference_so_in_place_updates_are_seen():
    W, b = np.ones((2, 1)), np.zeros(1)
    layer = Affine(W, b)
    x = np.array([[1.0, 2.0]])
    assert layer.forward(x).tolist() == [[3.0]]
    W -= 1.0  # what an optimizer does: W -= lr * dW
    b += 5.0
    assert layer.forward(x).tolist() == [[5.0]]


# ---- clear errors for bad input --------------------------------------------------------------------

@pytest.mark.parametrize(
    "layer, dout",
    [(MulLayer(), 1.0), (Relu(), np.ones(2)), (Sigmoid(), np.ones(2)),
     (Affine(np.ones((2, 2)), np.zeros(2)), np.ones((1, 2))), (SoftmaxWithLoss(), 1)],
    ids=["MulLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"],
)
def test_backward_before_forward_raises_a_runtime_error_mentioning_forward(layer, dout):
    with pytest.raises(RuntimeError, match=r"backward\(\) was called before .*forward\(\)"):
        layer.backward(dout)


def test_affine_feature_mismatch_names_both_numbers():
    layer = Affine(np.zeros((784, 50)), np.zeros(50))
    with pytest.raises(ValueError, match=r"784 features \(W has shape \(784, 50\)\), got 785"):
        layer.forward(np.zeros((2, 785)))


def test_affine_rejects_a_single_1d_sample_with_a_reshape_hint():
    with pytest.raises(ValueError, match=r"batch of shape \(N, 3\).*reshape\(1, -1\)"):
        Affine(np.zeros((3, 2)), np.zeros(2)).forward(np.zeros(3))


def test_affine_rejects_a_bias_that_does_not_match_w():
    with pytest.raises(ValueError, match=r"b of shape \(M,\).*W \(3, 2\) and b \(3,\)"):
        Affine(np.zeros((3, 2)), np.zeros(3))


def test_affine_backward_rejects_dout_of_the_wrong_shape():
    layer = Affine(np.zeros((3, 2)), np.zeros(2))
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dout of shape \(4, 2\), got \(2, 4\)"):
        layer.backward(np.zeros((2, 4)))


def test_relu_backward_rejects_dout_of_the_wrong_shape():
    layer = Relu()
    layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"dout of shape \(2, 3\), got \(3,\)"):
        layer.backward(np.zeros(3))


def test_mul_layer_rejects_inputs_of_different_shapes():
    with pytest.raises(ValueError, match=r"y of shape \(2,\), got \(3,\)"):
        MulLayer().forward(np.ones(2), np.ones(3))


@pytest.mark.parametrize(
    "t, message",
    [(np.array([0, 5]), r"class indices in 0\.\.2.*got 5"),
     (np.zeros((2, 4)), r"one-hot of shape \(2, 3\).*got shape \(2, 4\)")],
    ids=["label out of range", "one-hot of the wrong shape"],
)
def test_softmax_with_loss_rejects_bad_labels(t, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), t)

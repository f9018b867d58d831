"""The book's worked examples of chapter 5, reproduced with deepnet's layers."""
import numpy as np
import pytest

from deepnet import AddLayer, MulLayer, SoftmaxWithLoss


def test_apple_example_gives_220_and_gradients_2_2_110_200():
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()

    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)

    dapple_price, dtax = mul_tax_layer.backward(1)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    assert price == pytest.approx(220)
    assert (dapple, dapple_num, dtax) == pytest.approx((2.2, 110, 200))


def test_apple_and_orange_example_gives_715_and_its_five_gradients():
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple_layer, mul_orange_layer = MulLayer(), MulLayer()
    add_apple_orange_layer, mul_tax_layer = AddLayer(), MulLayer()

    apple_price = mul_apple_layer.forward(apple, apple_num)
    orange_price = mul_orange_layer.forward(orange, orange_num)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    price = mul_tax_layer.forward(all_price, tax)

    dall_price, dtax = mul_tax_layer.backward(1)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_num = mul_orange_layer.backward(dorange_price)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    assert price == pytest.approx(715)
    assert (dapple_num, dapple, dorange, dorange_num, dtax) == pytest.approx((110, 2.2, 3.3, 165, 650))


@pytest.mark.parametrize("label", [1, np.array([0, 1, 0])], ids=["index", "one-hot"])
def test_softmax_with_loss_book_example_loss_and_gradient(label):
    # Scores whose softmax is exactly (0.3, 0.2, 0.5): log-probabilities.
    x = np.log(np.array([0.3, 0.2, 0.5]))
    layer = SoftmaxWithLoss()

    loss = layer.forward(x, label)
    dx = layer.backward()

    assert loss == pytest.approx(-np.log(0.2))
    assert f"{loss:.4f}" == "1.6094"
    np.testing.assert_allclose(layer.y, [0.3, 0.2, 0.5])
    np.testing.assert_allclose(dx, [0.3, -0.8, 0.5])

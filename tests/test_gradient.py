"""Numerical gradients, relative errors and the one-line gradient-check report."""
import numpy as np
import pytest

from deepnet import gradient_check_report, numerical_gradient, numerical_gradient_array, relative_error


def test_numerical_gradient_of_a_quadratic_matches_the_derivative_for_any_shape():
    x = np.arange(6, dtype=float).reshape(2, 3) - 2.5
    grad = numerical_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-8)


def test_numerical_gradient_of_the_books_function_2():
    # f(x0, x1) = x0² + x1²  at (3, 4): gradient (6, 8), as in section 4.4.
    grad = numerical_gradient(lambda v: v[0] ** 2 + v[1] ** 2, np.array([3.0, 4.0]))
    np.testing.assert_allclose(grad, [6.0, 8.0])


def test_numerical_gradient_restores_x_even_when_f_raises():
    x = np.array([1.0, 2.0])

    def broken(v):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(broken, x)
    assert x.tolist() == [1.0, 2.0]


def test_numerical_gradient_leaves_x_bit_for_bit_unchanged():
    x = np.random.default_rng(0).normal(size=(3, 3))
    before = x.copy()
    numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_rejects_integer_arrays_instead_of_returning_zeros():
    with pytest.raises(TypeError, match=r"float array, got dtype int.*astype\(float\)"):
        numerical_gradient(lambda v: np.sum(v**2), np.array([1, 2, 3]))


def test_numerical_gradient_rejects_lists_with_a_hint():
    with pytest.raises(TypeError, match=r"numpy float array.*got list"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])


def test_numerical_gradient_array_pulls_dout_back_through_f():
    x = np.array([1.0, -2.0, 3.0])
    dout = np.array([0.5, 1.0, -1.0])
    # f(x) = x³ elementwise: the gradient of sum(f(x) * dout) is 3x² * dout.
    np.testing.assert_allclose(numerical_gradient_array(lambda v: v**3, x, dout), 3 * x**2 * dout, rtol=1e-8)


def test_relative_error_is_zero_for_equal_arrays_and_symmetric():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.2])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, b) == relative_error(b, a) == pytest.approx(0.2 / 4.2)


def test_relative_error_rejects_arrays_of_different_shapes():
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize(
    "numeric, shown",
    [([1.0, 2.0 + 3e-10], "< 1e-8 ✓"),  # 7.5e-11: its digits would differ between CPUs
     ([1.0, 2.0 + 2.8e-7], "7e-8 ✓"),
     ([1.0, 2.0 + 4e-7], "1e-7 ✓"),  # exactly 1e-7: on the threshold is good
     ([1.0, 2.0 + 1e-6], "2e-7 ? suspicious"),  # 2.5e-7: not a power of ten rounded down to ✓
     ([1.0, 2.0 + 4e-6], "1e-6 ? suspicious"),
     ([1.0, 2.0 + 0.02], "5e-3 ? suspicious"),
     ([1.0, 3.0], "2e-1 ✗ wrong")],
)
def test_gradient_check_report_prints_one_digit_and_judges_the_real_error(numeric, shown):
    line = gradient_check_report("dx", np.array([1.0, 2.0]), np.array(numeric))
    assert line == f"dx: relative error {shown} (expected ≤ 1e-7)"


def test_gradient_check_report_judges_a_value_that_prints_as_the_threshold_by_its_real_size():
    # 1.4e-7 prints as 1e-7 but is above the threshold.
    line = gradient_check_report("dx", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 5.6e-7]))
    assert line == "dx: relative error 1e-7 ? suspicious (expected ≤ 1e-7)"


def test_gradient_check_report_prints_errors_below_the_floor_as_a_bound_not_digits():
    rng = np.random.default_rng(0)
    analytic = rng.normal(size=5)
    for tiny in (0.0, 1e-15, 3e-12, 9.9e-9):
        line = gradient_check_report("dW", analytic, analytic * (1 + tiny))
        assert line == "dW: relative error < 1e-8 ✓ (expected ≤ 1e-7)"


def test_gradient_check_report_of_identical_gradients_is_below_the_floor():
    line = gradient_check_report("db", np.ones(2), np.ones(2))
    assert line == "db: relative error < 1e-8 ✓ (expected ≤ 1e-7)"


def test_gradient_check_report_states_a_custom_tolerance_and_judges_by_it():
    line = gradient_check_report("dx", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 4e-6]), tolerance=1e-5)
    assert line == "dx: relative error 1e-6 ✓ (expected ≤ 1e-5)"


def test_gradient_check_report_refuses_a_tolerance_below_the_floor():
    with pytest.raises(ValueError, match=r"tolerance of 1e-9.*at least 1e-8"):
        gradient_check_report("dx", np.ones(2), np.ones(2), tolerance=1e-9)

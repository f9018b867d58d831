"""Numerical gradients (section 4.4) and gradient checks in the CS231n manner.

A gradient check compares the analytic gradient of backward() with central differences
    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / 2h
and reports their relative error: about 1e-7 or less means the backward pass is right,
above 1e-2 means it is wrong.
"""
import numpy as np

from deepnet.course.language import fill, translate

GOOD_RELATIVE_ERROR = 1e-7
WRONG_RELATIVE_ERROR = 1e-2
# Below this, a relative error's digits are rounding noise (they differ between machines).
RELATIVE_ERROR_FLOOR = 1e-8


MESSAGES = {
    "float_array": "{who} needs x as a numpy float array (it is changed in place, one entry at a time, and "
    "restored), got {type}; use np.array(x, dtype=float).",
    "float_dtype": "{who} needs a float array, got dtype {dtype}: x + h would be rounded to an integer and "
    "the gradient silently wrong; use x.astype(float).",
    "tolerance": "gradient_check_report cannot judge a tolerance of {tolerance}: relative errors below "
    "{floor} are rounding noise. Use a tolerance of at least {floor}.",
    "suspicious": "? suspicious",
    "wrong": "✗ wrong",
    "report": "{name}: relative error {shown} {verdict} (expected ≤ {tolerance})",
}


def require_float_array(x, who):
    if not isinstance(x, np.ndarray):
        raise TypeError(fill(MESSAGES["float_array"], who=who, type=type(x).__name__))
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(fill(MESSAGES["float_dtype"], who=who, dtype=x.dtype))


def numerical_gradient(f, x, h=1e-4):
    """Gradient of the scalar function f at x by central differences, for x of any shape.

    f is called as f(x) while one entry of x is moved by ±h (as in the book, f may also ignore
    its argument and read x through a network's parameters). x is restored afterwards, even
    if f raises. Returns an array of x's shape and dtype.
    """
    require_float_array(x, "numerical_gradient")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f(x)
            x[index] = original - h
            f_minus = f(x)
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Numerical gradient of sum(f(x) * dout) with respect to x.

    This is what a layer's backward(dout) must return: the upstream gradient dout
    pulled back through f. Use it to check any layer: f = lambda x: layer.forward(x).
    """
    return numerical_gradient(lambda x_: np.sum(f(x_) * dout), x, h)


def relative_error(a, b):
    """Largest elementwise |a - b| / max(1e-8, |a| + |b|); 0 for identical arrays."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs two arrays of one shape, got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _one_digit(value):
    """1 significant digit in the notation of the notebooks' text: 2.5e-07 -> '2e-7'."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def gradient_check_report(name, analytic, numeric, tolerance=GOOD_RELATIVE_ERROR):
    """One line for a notebook: 'dx: relative error 2e-7 ? suspicious (expected ≤ 1e-7)'.

    The largest relative error is printed with one significant digit and judged by its real
    value: ✓ up to `tolerance` (1e-7), ✗ wrong above 1e-2, suspicious in between. So 2.5e-7
    prints as "2e-7 ? suspicious", never as a rounded power of ten that passes, and 1.4e-7 prints
    as "1e-7 ? suspicious": the digit is rounded, the verdict is not.

    Errors below 1e-8 print as "< 1e-8" (0 included) and are judged good. Their digits are
    rounding noise that differs between CPUs and numpy builds, and a notebook validated by nbval
    must print the same text on every machine; "< 1e-8" is a bound that holds on all of them.
    A tolerance below that floor could not be judged from the printed line, so it is refused.
    """
    if tolerance < RELATIVE_ERROR_FLOOR:
        floor = _one_digit(RELATIVE_ERROR_FLOOR)
        raise ValueError(fill(MESSAGES["tolerance"], tolerance=_one_digit(tolerance), floor=floor))
    error = relative_error(analytic, numeric)
    if error <= tolerance:
        verdict = "✓"
    elif error <= WRONG_RELATIVE_ERROR:
        verdict = translate(MESSAGES["suspicious"])
    else:
        verdict = translate(MESSAGES["wrong"])
    shown = f"< {_one_digit(RELATIVE_ERROR_FLOOR)}" if error < RELATIVE_ERROR_FLOOR else _one_digit(error)
    return fill(MESSAGES["report"], name=name, shown=shown, verdict=verdict, tolerance=_one_digit(tolerance))

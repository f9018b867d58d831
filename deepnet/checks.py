"""Checks for the exercises: `check_relu(Relu)` says whether a learner's layer is right, and if not, why.

Each check runs the learner's class or function on a short list of cases (random and hand-picked
inputs, square and non-square matrices, batches of one and of many, both label forms, extreme values,
exact zeros) and compares forward and backward with deepnet's own layers. When a value is wrong, it
looks for the known mistakes that give exactly that value and names the cause with a hint:

    ❌ Affine: fail
      - db has shape (4, 3) but b has shape (3,): sum dout over the batch axis (axis=0)

Otherwise it says where the value differs, and how far backward is from the numerical gradient of
the learner's own forward (the CS231n gradient check).

A check never raises, whatever the learner's code does (exceptions, None, strings, inf, nan): it
returns a CheckResult with status "pass", "warn", "fail" or "not attempted" (the stub still raises
NotImplementedError). Jupyter shows it in colour; its plain text is stable from run to run (no
timings, ids or addresses), and it carries a machine-readable record for `deepnet grade` under the
mimetype application/vnd.deepnet.check+json: {"name": ..., "status": ..., "messages": [...]}.
"""
import contextlib
import html
import re
import warnings

import numpy as np

from deepnet import functions, layers
from deepnet.gradient import numerical_gradient, numerical_gradient_array

STATUSES = ("pass", "warn", "fail", "not attempted")
MIMETYPE = "application/vnd.deepnet.check+json"
SYMBOLS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "not attempted": "✏️"}
COLOURS = {"pass": "#2e7d32", "warn": "#b26a00", "fail": "#c62828", "not attempted": "#546e7a"}
LABELS = {"pass": "pass", "warn": "warn", "fail": "fail", "not attempted": "not attempted yet"}

# Two values are "the same" within these tolerances. They accept every correct formula (np.where,
# tanh-based sigmoid, log-sum-exp) and reject every real mistake, which is off by far more.
RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-9
# Losses get a looser tolerance: the book's log(y + 1e-7) moves a loss by about 1e-7 / y.
LOSS_RELATIVE_TOLERANCE = 1e-5
# A network's backprop gradient against its numerical gradient (central differences, h = 1e-4):
# right code gives about 1e-8, a real mistake 1e-1 or more.
NETWORK_GRADIENT_TOLERANCE = 1e-4
MAX_FAILURES_SHOWN = 3
# Everything learner code may raise that a check turns into a message. KeyboardInterrupt is left
# alone: it is how a learner (or the grader's timeout) stops an infinite loop.
LEARNER_ERRORS = (Exception, SystemExit)
# What backward raises when forward did not keep its state: no attribute, or None * array.
STATE_ERRORS = (AttributeError, TypeError)
STUB_HINT = "replace `raise NotImplementedError()` with your code, then run this cell again"


class CheckResult:
    """The outcome of one check: name ("Relu"), status (one of STATUSES) and messages (cause + hint)."""

    def __init__(self, name, status, messages=(), cases_run=0):
        if status not in STATUSES:
            raise ValueError(f"CheckResult status must be one of {STATUSES}, got {status!r}.")
        self.name = name
        self.status = status
        self.messages = list(messages)
        self.cases_run = cases_run

    def as_record(self):
        """The machine-readable record that `deepnet grade` reads from the notebook."""
        return {"name": self.name, "status": self.status, "messages": list(self.messages)}

    def headline(self):
        line = f"{SYMBOLS[self.status]} {self.name}: {LABELS[self.status]}"
        if self.status in ("pass", "warn"):
            line += f" ({self.cases_run} checks)"
        return line

    def __str__(self):
        return "\n".join([self.headline()] + [f"  - {message}" for message in self.messages])

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        colour = COLOURS[self.status]
        items = "".join(f"<li>{html.escape(message)}</li>" for message in self.messages)
        listing = f'<ul style="margin: 0.2em 0 0 0;">{items}</ul>' if items else ""
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 0.2em 0.6em;">'
            f'<span style="color: {colour}; font-weight: bold;">{html.escape(self.headline())}</span>'
            f"{listing}</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": str(self), "text/html": self._repr_html_(), MIMETYPE: self.as_record()}


# ---------------------------------------------------------------------------------------------
# Shared helpers: run the learner's code safely, compare with the reference, detect mutation.
# ---------------------------------------------------------------------------------------------

class Failed(Exception):
    """Ends one case: the learner's code gave a wrong value or raised; the message names the cause.

    specific=False marks a generic message ("dx is wrong at index (0, 1)", "forward raised
    ValueError"): the result lists the messages that name a cause first.
    """

    def __init__(self, message, specific=True):
        super().__init__(message)
        self.specific = specific


class NotAttempted(Exception):
    """The learner's code raised NotImplementedError: the exercise stub is still in place."""


class Check:
    """Collects what one check finds while it runs its cases.

        with Check("Relu") as check:
            with check.case("x of shape (3, 4)"):
                out = check.call_method(relu, "forward", x=x)
                check.expect("Relu.forward(x)", out, expected_out, causes=[...])
        return check.result()

    A failure ends its case and the next case runs. Nothing escapes the `with Check(...)` block
    except KeyboardInterrupt (how a learner stops an infinite loop). The block also restores
    numpy's global random state, so a check does not change what the notebook's next cells print.
    """

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.warnings = []
        self.unwritten = []
        self.cases_run = 0
        self.case_description = ""
        self.case_warnings = []

    def __enter__(self):
        self.random_state = np.random.get_state()
        self.warning_filters = warnings.catch_warnings()
        self.warning_filters.__enter__()
        # Our own arithmetic on the learner's inf and nan must print nothing: stray stderr would
        # clutter the notebook and break nbval. The learner's own warnings are recorded by call().
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, exception_type, exception, traceback):
        self.warning_filters.__exit__(None, None, None)
        np.random.set_state(self.random_state)
        if isinstance(exception, LEARNER_ERRORS):
            record_exception(self, exception)
            return True
        return False

    @contextlib.contextmanager
    def case(self, description):
        """One case: its failure is recorded and ends it; its warnings count only if it passes."""
        self.case_description = description
        self.case_warnings = []
        try:
            yield
        except LEARNER_ERRORS as exception:
            record_exception(self, exception)
        else:
            self.cases_run += 1
            for message in self.case_warnings:
                add_once(self.warnings, message)

    def warn(self, message):
        self.case_warnings.append(message)

    def call(self, what, function, on_warning=None, hints=None, **arguments):
        """Return function(*arguments.values()); the argument names are only for messages.

        NotImplementedError becomes NotAttempted, any other exception Failed, with the hint that
        hints ({ExceptionType: text}) gives for its type. A Python warning from the learner's code,
        or an argument array it changed, becomes a warning of the check; on_warning replaces the
        generic text ("" ignores the warning).
        """
        # The learner gets copies, so the check's own arrays stay as they were whatever the code does.
        given = {name: value.copy() if isinstance(value, np.ndarray) else value
                 for name, value in arguments.items()}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = function(*given.values())
            except NotImplementedError:
                raise NotAttempted(f"{what} is not written yet: {STUB_HINT}") from None
            except LEARNER_ERRORS as error:
                message = f"{what} raised {describe_exception(error)}"
                hint = hint_for(error, hints)
                raise Failed(f"{message}; hint: {hint}" if hint else message, specific=False) from None
        for name, original in arguments.items():
            if isinstance(original, np.ndarray) and not np.array_equal(given[name], original, equal_nan=True):
                self.warn(
                    f"{what} changed the {name} you were given; copy it first ({name} = {name}.copy()) "
                    "or build a new array: the caller may still need it"
                )
        if caught and on_warning != "":
            first = caught[0]
            self.warn(on_warning or (
                f"{what} printed a {first.category.__name__} ({self.case_description}): "
                f"'{scrub(str(first.message))}'; find the operation that warns and avoid it"
            ))
        return result

    def call_method(self, instance, method_name, on_warning=None, hints=None, **arguments):
        """call() for instance.method_name, failing clearly when the method is missing."""
        try:
            method = getattr(instance, method_name)
        except Exception:
            method = None
        if not callable(method):
            raise Failed(f"{self.name} has no method {method_name}(): define it inside the class")
        what = f"{self.name}.{method_name}"
        return self.call(what, method, on_warning=on_warning, hints=hints, **arguments)

    def expect(self, what, got, expected, causes=(), also_right=(), note=None,
               rtol=RELATIVE_TOLERANCE):
        """Fail unless got equals expected (or a value in also_right), naming the cause if known.

        causes: (mistake, message) pairs; mistake is a value or a function computing the value
        that a known mistake gives (a function that raises is skipped). note: a function giving
        one more sentence for the generic message (e.g. the numerical gradient's verdict).
        """
        expected = np.asarray(expected, dtype=np.float64)
        got_array = as_numbers(what, got)
        if any(same_array(got_array, right, rtol) for right in [expected, *also_right]):
            return
        for mistake, message in causes:
            if same_array(got_array, evaluate(mistake), rtol):
                raise Failed(message)
        if got_array.shape != expected.shape:
            raise Failed(f"{what} has shape {got_array.shape} but should have shape {expected.shape} "
                         f"({self.case_description})", specific=False)
        if not np.all(np.isfinite(got_array)) and np.all(np.isfinite(expected)):
            bad = "nan" if np.any(np.isnan(got_array)) else "inf"
            raise Failed(f"{what} contains {bad} ({self.case_description}); it should be finite: "
                         "look for an exp that overflows or a log of 0", specific=False)
        index = first_difference(got_array, expected, rtol)
        where = f" at index {index}" if index else ""
        message = (f"{what} is wrong ({self.case_description}){where}: "
                   f"expected {number(expected[index])}, got {number(got_array[index])}")
        extra = evaluate(note) if note is not None else None
        raise Failed(f"{message}; {extra}" if extra else message, specific=False)

    def require_callable(self, learner_object, kind):
        """Fail at once when the check was given something other than a class or function."""
        is_class = isinstance(learner_object, type)
        if is_class or (callable(learner_object) and not hasattr(learner_object, "forward")):
            return
        if learner_object is None:
            got = "None"
        elif kind == "class" and hasattr(learner_object, "forward"):
            got = f"{a_type(learner_object)} object: pass the class itself, not an instance"
        else:
            got = a_type(learner_object)
        check_name = f"check_{snake_case(self.name)}"
        raise Failed(f"{check_name} needs your {self.name} {kind}, got {got}; "
                     f"run the cell that defines {self.name}, then {check_name}({self.name})")

    def result(self):
        """The CheckResult: fail > not attempted > warn > pass.

        Failures that name a cause come first; at most MAX_FAILURES_SHOWN are listed, since a
        learner fixes one thing at a time and the rest often has the same cause.
        """
        if self.failures:
            ordered = [message for specific, message in self.failures if specific]
            ordered += [message for specific, message in self.failures if not specific]
            shown = ordered[:MAX_FAILURES_SHOWN]
            if len(ordered) > MAX_FAILURES_SHOWN:
                shown.append(f"... and {len(ordered) - MAX_FAILURES_SHOWN} more problems; fix these first")
            return CheckResult(self.name, "fail", shown + self.unwritten + self.warnings, self.cases_run)
        if self.unwritten:
            return CheckResult(self.name, "not attempted", self.unwritten, self.cases_run)
        if self.warnings:
            return CheckResult(self.name, "warn", self.warnings, self.cases_run)
        return CheckResult(self.name, "pass", [], self.cases_run)


def record_exception(check, exception):
    if isinstance(exception, NotAttempted):
        add_once(check.unwritten, str(exception))
    elif isinstance(exception, Failed):
        add_failure(check.failures, str(exception), exception.specific)
    else:
        # A bug in the check itself, met on a value it did not foresee: report, never raise.
        add_failure(check.failures, f"the check could not finish ({check.case_description}): "
                                    f"{describe_exception(exception)}", specific=False)


def add_once(messages, message):
    if message not in messages:
        messages.append(message)


def add_failure(failures, message, specific):
    """Add (specific, message) unless the same message, but for its numbers, is already there.

    "the loss is 4 times too large for a batch of 4" and "... 3 times ... of 3" are one mistake.
    """
    def without_numbers(text):
        return re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", text)
    if all(without_numbers(message) != without_numbers(known) for _, known in failures):
        failures.append((specific, message))


def scrub(text, limit=300):
    """Remove memory addresses (they change from run to run) and shorten very long text."""
    text = re.sub(r"\b0x[0-9a-fA-F]{6,}\b", "0x…", text)
    return text if len(text) <= limit else text[:limit] + "…"


def hint_for(error, hints):
    """The hint for this exception's type, if any: hints maps exception types (or tuples) to text."""
    if isinstance(error, NameError):
        return "a name your code uses is not defined: run the cells above it first (e.g. import numpy as np)"
    for exception_types, hint in (hints or {}).items():
        if isinstance(error, exception_types):
            return hint
    return ""


def describe_exception(error):
    text = scrub(str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def snake_case(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def evaluate(value_or_function):
    """The value, or the function's result; None when the function raises (a mistake that cannot apply)."""
    if not callable(value_or_function):
        return value_or_function
    try:
        return value_or_function()
    except LEARNER_ERRORS:
        return None


def as_numbers(what, value):
    """The learner's value as a float array, or Failed saying what came instead."""
    if value is None:
        raise Failed(f"{what} returned None: did you forget the `return`?")
    if isinstance(value, (tuple, list)) and len(value) > 1 and all(isinstance(v, np.ndarray) for v in value):
        raise Failed(f"{what} returned {len(value)} arrays in a {type(value).__name__}; it should return one")
    if isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise Failed(f"{what} returned {a_type(value)}; it should return numbers (a numpy array)")
    try:
        return np.asarray(value, dtype=np.float64)
    except Exception:
        raise Failed(f"{what} returned {a_type(value)}, not an array of numbers") from None


def as_loss(what, value):
    """A loss as a 0-d float array; a single number in an array of shape (1,) is accepted too."""
    loss = as_numbers(what, value)
    return loss.reshape(()) if loss.size == 1 else loss


def a_type(value):
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def same_array(got, expected, rtol=RELATIVE_TOLERANCE):
    """True when both are arrays of one shape and equal within the tolerances (nan equals nan)."""
    if got is None or expected is None:
        return False
    try:
        got = np.asarray(got, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
    except Exception:
        return False
    if got.shape != expected.shape:
        return False
    largest = float(np.max(np.abs(expected), initial=0.0, where=np.isfinite(expected)))
    atol = ABSOLUTE_TOLERANCE * max(1.0, largest)
    return bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True))


def first_difference(got, expected, rtol):
    """Index (a tuple of ints) of the first entry where got and expected differ; () for scalars."""
    if got.ndim == 0:
        return ()
    differs = ~np.isclose(got, expected, rtol=rtol, atol=ABSOLUTE_TOLERANCE)
    return tuple(int(i) for i in np.argwhere(differs)[0]) if differs.any() else (0,) * got.ndim


def number(value):
    return f"{float(value):.4g}"


def two_values(what, value):
    """backward of a two-input node returns (dx, dy): a tuple or list of two."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return value
    if value is None:
        raise Failed(f"{what} returned None; it should return two values: return dx, dy")
    if isinstance(value, (tuple, list)):
        raise Failed(f"{what} returned {len(value)} values; it should return two: return dx, dy")
    raise Failed(f"{what} returned one {type(value).__name__}; it should return two values: return dx, dy")


def gradient_error(a, b):
    """||a - b|| / (||a|| + ||b||), a whole-array relative error.

    Not the elementwise max of deepnet.relative_error: an entry that is exactly 0 in backprop and
    1e-11 numerically would count as a large error there, though both are right.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def numerical_note(make_layer, x, dout, dx):
    """A sentence comparing the learner's dx with the numerical gradient of their own forward."""
    x = np.array(x, dtype=np.float64)
    numeric = numerical_gradient_array(lambda x_: make_layer().forward(x_), x, dout)
    error = gradient_error(dx, numeric)
    return (f"the numerical gradient of your forward differs from your dx by a relative error of "
            f"{error:.1e} (a right backward gives < 1e-7)")


def away_from_zero(x, margin=0.1):
    """Move entries out of (-margin, margin): a numerical gradient across ReLU's kink is meaningless."""
    return np.where(np.abs(x) < margin, np.where(x < 0, -margin, margin), x)


def probabilities(rng, shape):
    """Rows of positive numbers summing to 1 (each at least 0.05, so log y is far from log 0)."""
    p = rng.uniform(1.0, 3.0, size=shape)
    return p / p.sum(axis=-1, keepdims=True)


def one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]


# ---------------------------------------------------------------------------------------------
# The checks, one per exercise.
# ---------------------------------------------------------------------------------------------

def check_mul_layer(MulLayer):
    """Check MulLayer: forward(x, y) = x * y; backward(dout) = (dout * y, dout * x)."""
    rng = np.random.default_rng(54)
    with Check("MulLayer") as check:
        check.require_callable(MulLayer, "class")

        def mul_case(x, y, dout):
            layer = check.call("MulLayer()", MulLayer)
            out = check.call_method(layer, "forward", x=x, y=y)
            check.expect("MulLayer.forward(x, y)", out, np.multiply(x, y), causes=[
                (lambda: np.add(x, y), "forward returned x + y; a multiplication node returns x * y"),
            ])
            grads = two_values("MulLayer.backward", check.call_method(
                layer, "backward", dout=dout,
                hints={STATE_ERRORS: "forward must keep x and y on self (self.x = x) for backward"}))
            check.expect("dx", grads[0], np.multiply(dout, y), causes=[
                (lambda: np.multiply(dout, x), "backward returned dx = dout * x and dy = dout * y: "
                 "each input's gradient is dout times the *other* input, so swap them: "
                 "dx = dout * self.y, dy = dout * self.x"),
                (lambda: y, "dx = y ignores dout: multiply by the upstream gradient, dx = dout * self.y"),
            ])
            check.expect("dy", grads[1], np.multiply(dout, x), causes=[
                (lambda: x, "dy = x ignores dout: multiply by the upstream gradient, dy = dout * self.x"),
            ])

        for description, x, y, dout in [
            ("the apple example: 100 * 2, dout = 1", 100.0, 2.0, 1.0),
            ("scalars with dout = 1.5", 3.0, -4.0, 1.5),
            ("arrays of shape (2, 3) with exact zeros", np.array([[1.5, 0.0, -2.0], [0.5, 3.0, 0.0]]),
             rng.standard_normal((2, 3)), rng.standard_normal((2, 3))),
        ]:
            with check.case(description):
                mul_case(x, y, dout)
    return check.result()


def check_add_layer(AddLayer):
    """Check AddLayer: forward(x, y) = x + y; backward(dout) = (dout, dout)."""
    rng = np.random.default_rng(55)
    with Check("AddLayer") as check:
        check.require_callable(AddLayer, "class")

        def add_case(x, y, dout):
            layer = check.call("AddLayer()", AddLayer)
            out = check.call_method(layer, "forward", x=x, y=y)
            check.expect("AddLayer.forward(x, y)", out, np.add(x, y), causes=[
                (lambda: np.multiply(x, y), "forward returned x * y; an addition node returns x + y"),
            ])
            grads = two_values("AddLayer.backward", check.call_method(layer, "backward", dout=dout))
            ones = np.ones_like(np.asarray(dout, dtype=np.float64))
            for name, grad in zip(("dx", "dy"), grads, strict=True):
                check.expect(name, grad, dout, causes=[
                    (lambda: ones, f"{name} = 1 ignores dout: an add node passes dout on, {name} = dout * 1"),
                    (lambda: np.multiply(dout, 0.5), f"{name} = dout / 2: an add node does not split the "
                     f"gradient, it passes the whole dout to both inputs ({name} = dout * 1)"),
                    (lambda: np.multiply(dout, 0.0), f"{name} is 0: d(x + y)/d{name[1]} = 1, "
                     f"so {name} = dout * 1"),
                ])

        for description, x, y, dout in [
            ("the apple + orange example: 200 + 450, dout = 1", 200.0, 450.0, 1.0),
            ("scalars with dout = 1.3", -1.0, 2.5, 1.3),
            ("arrays of shape (2, 3)", rng.standard_normal((2, 3)), rng.standard_normal((2, 3)),
             rng.standard_normal((2, 3))),
        ]:
            with check.case(description):
                add_case(x, y, dout)
    return check.result()


def check_relu(Relu):
    """Check Relu: forward(x) = max(0, x); backward passes dout where x > 0 and 0 elsewhere."""
    rng = np.random.default_rng(551)
    relu_backward_hints = {STATE_ERRORS: "forward must keep the mask on self (self.mask = x <= 0)"}
    with Check("Relu") as check:
        check.require_callable(Relu, "class")

        def relu_case(x, dout):
            reference = layers.Relu()
            expected_out = reference.forward(x)
            expected_dx = reference.backward(dout)
            relu = check.call("Relu()", Relu)
            out = check.call_method(relu, "forward", x=x)
            check.expect("Relu.forward(x)", out, expected_out, causes=[
                (lambda: x, "forward returned x unchanged: set the entries where x <= 0 to 0, "
                 "e.g. np.maximum(0, x)"),
                (lambda: x > 0, "forward returned the mask (x > 0) instead of the values: "
                 "return x where x > 0 and 0 elsewhere"),
            ])
            dx = check.call_method(relu, "backward", dout=dout, hints=relu_backward_hints)
            check.expect("Relu.backward(dout)", dx, expected_dx,
                         # At the kink x = 0 any value between 0 and dout is a valid (sub)gradient.
                         also_right=[np.where(x < 0, 0.0, dout)],
                         causes=[
                             (lambda: dout, "backward returned dout unchanged: set dx to 0 where "
                              "forward's x was <= 0 (self.mask)"),
                             (lambda: np.where(x > 0, 0.0, dout), "backward keeps dout where x <= 0 and "
                              "zeroes it where x > 0: the mask is the wrong way round"),
                             (lambda: dout * expected_out, "backward returned dout * out: ReLU's "
                              "derivative is 1 where x > 0, not x, so dx = dout there"),
                         ],
                         note=lambda: numerical_note(Relu, away_from_zero(x), dout, dx))

        for description, x in [
            ("random x of shape (3, 4)", away_from_zero(rng.standard_normal((3, 4)))),
            ("a batch of one, x of shape (1, 5)", away_from_zero(rng.standard_normal((1, 5)))),
            ("a 1-D x of shape (6,)", away_from_zero(rng.standard_normal(6))),
            ("x with exact zeros", np.array([[0.0, -2.0, 3.0], [1.5, 0.0, -0.5]])),
            ("x = ±1000", np.array([[-1000.0, 1000.0, -0.001, 0.001]])),
        ]:
            with check.case(description):
                relu_case(x, rng.standard_normal(x.shape))

        with check.case("two Relu layers used in turn"):
            first_x, second_x = np.array([[1.0, -1.0, 2.0]]), np.array([[-1.0, 1.0, -2.0]])
            dout = np.array([[0.5, 0.7, 0.9]])
            first, second = check.call("Relu()", Relu), check.call("Relu()", Relu)
            check.call_method(first, "forward", x=first_x)
            check.call_method(second, "forward", x=second_x)
            dx = check.call_method(first, "backward", dout=dout, hints=relu_backward_hints)
            check.expect("the first layer's backward(dout)", dx, np.where(first_x > 0, dout, 0.0), causes=[
                (np.where(second_x > 0, dout, 0.0), "backward used the mask of another Relu layer: keep "
                 "the mask on self (self.mask = ...), not in a global or class variable"),
            ])
    return check.result()


def check_sigmoid(Sigmoid):
    """Check Sigmoid: forward(x) = 1 / (1 + exp(-x)); backward(dout) = dout * out * (1 - out)."""
    rng = np.random.default_rng(552)
    overflow_hint = (
        "Sigmoid.forward printed an overflow warning for x = -1000: np.exp(-x) = exp(1000) overflows "
        "to inf. The result is still right (1 / (1 + inf) = 0), like the book's code, but the "
        "warning alarms readers; compute exp only of -|x| (see deepnet.sigmoid), or use "
        "0.5 * (1 + np.tanh(x / 2))"
    )
    with Check("Sigmoid") as check:
        check.require_callable(Sigmoid, "class")

        def sigmoid_case(x, dout):
            reference = layers.Sigmoid()
            expected_out = reference.forward(x)
            expected_dx = reference.backward(dout)
            layer = check.call("Sigmoid()", Sigmoid)
            out = check.call_method(layer, "forward", x=x, on_warning=overflow_hint)
            check.expect("Sigmoid.forward(x)", out, expected_out, causes=[
                (lambda: 1 - expected_out, "forward computes 1 / (1 + exp(x)); the exponent is -x: "
                 "1 / (1 + np.exp(-x))"),
                (lambda: np.exp(-x), "forward returned exp(-x); sigmoid is 1 / (1 + exp(-x))"),
            ])
            dx = check.call_method(layer, "backward", dout=dout, hints={
                STATE_ERRORS: "forward must keep its output on self (self.out = out) for backward"})
            check.expect("Sigmoid.backward(dout)", dx, expected_dx, causes=[
                (lambda: dout * expected_out, "backward returned dout * out: the derivative of sigmoid "
                 "is out * (1 - out), so dx = dout * out * (1 - out)"),
                (lambda: dout * (1 - expected_out), "backward returned dout * (1 - out): the derivative "
                 "is out * (1 - out), so dx = dout * out * (1 - out)"),
                (lambda: expected_out * (1 - expected_out), "backward ignores dout: multiply by the "
                 "upstream gradient, dx = dout * out * (1 - out)"),
                (lambda: dout * x * (1 - x), "backward used x where it needs the output: "
                 "dx = dout * out * (1 - out) with out = sigmoid(x), stored in forward"),
            ], note=lambda: numerical_note(Sigmoid, x, dout, dx))

        for description, x in [
            ("random x of shape (3, 4)", rng.standard_normal((3, 4)) * 2),
            ("a batch of one, x of shape (1, 5)", rng.standard_normal((1, 5))),
            ("a 1-D x of shape (6,)", rng.standard_normal(6)),
            ("x with exact zeros", np.array([[0.0, -2.0, 3.0], [0.5, 0.0, -0.5]])),
            ("x = ±1000", np.array([[-1000.0, -30.0, 30.0, 1000.0]])),
        ]:
            with check.case(description):
                sigmoid_case(x, rng.standard_normal(x.shape))
    return check.result()


def check_affine(Affine):
    """Check Affine(W, b): out = x · W + b; backward sets dW = xᵀ · dout, db = Σ dout, returns dout · Wᵀ."""
    rng = np.random.default_rng(562)
    shape_hints = {
        ValueError: "check the shapes: dx = dout @ W.T is (N, M)·(M, D), dW = x.T @ dout is (D, N)·(N, M); "
                    "a 3-D x must be flattened to (N, D) in forward (x.reshape(x.shape[0], -1))",
        AttributeError: "forward must keep x (flattened to (N, D)) on self for backward",
    }
    with Check("Affine") as check:
        check.require_callable(Affine, "class")

        def affine_case(x, W, b, dout):
            reference = layers.Affine(W.copy(), b.copy())
            expected_out = reference.forward(x)
            expected_dx = reference.backward(dout)
            flat_x = x.reshape(x.shape[0], -1)
            layer = check.call("Affine(W, b)", Affine, W=W, b=b)
            out = check.call_method(layer, "forward", x=x, hints=shape_hints)
            check.expect("Affine.forward(x)", out, expected_out, causes=[
                (lambda: flat_x @ W, "forward forgot the bias: out = x @ W + b"),
                (lambda: flat_x @ W.T + b, "forward used W.T: out = x @ W + b, with W of shape (D, M)"),
            ])
            dx = check.call_method(layer, "backward", dout=dout, hints=shape_hints)
            check.expect("dx", dx, expected_dx, causes=[
                (lambda: dout @ W, "dx = dout @ W, but it needs W transposed: dx = dout @ self.W.T"),
                (lambda: expected_dx.reshape(flat_x.shape) if x.ndim > 2 else None,
                 f"dx has shape {flat_x.shape} but x had shape {x.shape}: reshape dx back to x's "
                 "original shape (keep x.shape in forward)"),
            ], note=lambda: numerical_note(lambda: Affine(W, b), x, dout, dx))
            dW, db = getattr(layer, "dW", None), getattr(layer, "db", None)
            if dW is None or db is None:
                missing = " and ".join(name for name, value in (("dW", dW), ("db", db)) if value is None)
                raise Failed(f"Affine.backward did not set self.{missing}: store dW = x.T @ dout and "
                             "db = np.sum(dout, axis=0) on self")
            check.expect("dW", dW, reference.dW, causes=[
                (lambda: dout.T @ flat_x, f"dW is transposed (shape {dout.shape[1]}, {flat_x.shape[1]}): "
                 f"use dW = x.T @ dout, which has W's shape {W.shape}"),
            ])
            check.expect("db", db, reference.db, causes=[
                (lambda: dout, f"db has shape {dout.shape} but b has shape {b.shape}: sum dout over the "
                 "batch axis (axis=0)"),
                (lambda: np.sum(dout), f"db is one number (the sum of all of dout) but b has shape "
                 f"{b.shape}: sum over the batch axis only, np.sum(dout, axis=0)"),
                (lambda: np.sum(dout, axis=1), "db sums dout over axis 1 (the outputs); b's gradient "
                 "sums over the batch axis: np.sum(dout, axis=0)"),
                (lambda: np.mean(dout, axis=0), "db is the mean of dout over the batch; use the sum, "
                 "np.sum(dout, axis=0) (the loss already divides by the batch size)"),
            ])

        for description, x_shape, W_shape in [
            ("x of shape (4, 5), W of shape (5, 3)", (4, 5), (5, 3)),
            ("square x and W, both (3, 3)", (3, 3), (3, 3)),
            ("a batch of one, x of shape (1, 5)", (1, 5), (5, 3)),
            ("x of shape (2, 2, 3) (images), W of shape (6, 4)", (2, 2, 3), (6, 4)),
        ]:
            x, W = rng.standard_normal(x_shape), rng.standard_normal(W_shape)
            b, dout = rng.standard_normal(W_shape[1]), rng.standard_normal((x_shape[0], W_shape[1]))
            with check.case(description):
                affine_case(x, W, b, dout)
    return check.result()


def check_softmax(softmax):
    """Check softmax(x): exp(x) / Σ exp(x) along the last axis, for 1-D and 2-D x, without overflow."""
    rng = np.random.default_rng(563)
    with Check("softmax") as check:
        check.require_callable(softmax, "function")

        def softmax_case(x):
            expected = functions.softmax(x)
            out = check.call("softmax", softmax, x=x, hints={
                ValueError: "use axis=-1 and keepdims=True so that 1-D and 2-D x both work"})
            exps = np.exp(x)
            check.expect("softmax(x)", out, expected, causes=[
                (lambda: exps / np.sum(exps, axis=-1, keepdims=True),
                 "softmax returns nan for logits like 1000: np.exp(1000) overflows to inf and "
                 "inf / inf = nan; subtract the maximum first, "
                 "np.exp(x - np.max(x, axis=-1, keepdims=True))"),
                (lambda: np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x)), axis=-1, keepdims=True),
                 "softmax returns nan for a row whose logits are far below another row's: subtract each "
                 "row's own maximum, np.max(x, axis=-1, keepdims=True), not the maximum of the whole array"),
                (lambda: exps / np.sum(exps) if x.ndim == 2 else None,
                 "for a 2-D x, softmax divides by the sum of the whole array: each row should sum to 1, "
                 "so sum along the last axis, np.sum(e, axis=-1, keepdims=True)"),
                (lambda: exps / np.sum(exps, axis=0, keepdims=True) if x.ndim == 2 else None,
                 "softmax normalises the columns (axis=0): each row (one sample) should sum to 1, "
                 "so use axis=-1"),
                (lambda: exps / np.sum(exps, axis=-1) if x.ndim == 2 else None,
                 "softmax divides by the row sums without keepdims=True, so they broadcast along the "
                 "wrong axis: use np.sum(e, axis=-1, keepdims=True)"),
                (lambda: np.exp(x - np.max(x, axis=-1)) if x.ndim == 2 else None,
                 "softmax subtracts the row maxima without keepdims=True, so they broadcast along the "
                 "wrong axis: use np.max(x, axis=-1, keepdims=True)"),
                (lambda: exps, "softmax returned exp(x) without dividing by the sum"),
            ])

        for description, x in [
            ("a 1-D x, the book's [0.3, 2.9, 4.0]", np.array([0.3, 2.9, 4.0])),
            ("x of shape (2, 3)", rng.standard_normal((2, 3))),
            ("a square x of shape (3, 3)", rng.standard_normal((3, 3)) * 2),
            ("a batch of one, x of shape (1, 4)", rng.standard_normal((1, 4))),
            ("x of zeros", np.zeros((2, 3))),
            ("logits far apart, [1000, 0, -1000]", np.array([1000.0, 0.0, -1000.0])),
            ("rows around 1000 and around 0", np.array([[1000.0, 1001.0, 999.0], [0.0, -1.0, 1.0]])),
        ]:
            with check.case(description):
                softmax_case(x)
    return check.result()


def check_cross_entropy_error(cross_entropy_error):
    """Check cross_entropy_error(y, t): -1/N Σ log y[true class], for one-hot and class-index labels.

    The book's `log(y + 1e-7)` passes: the function only sees probabilities, so some guard against
    log(0) is needed, and 1e-7 moves the loss by about 1e-7 / y, far below what a mistake changes.
    Returning inf when the true class has probability exactly 0 is a warning (it is -log 0, but it
    turns training into nan); nan is a failure.
    """
    rng = np.random.default_rng(564)
    with Check("cross_entropy_error") as check:
        check.require_callable(cross_entropy_error, "function")

        def loss_case(y, t):
            expected = functions.cross_entropy_error(y, t)
            got = as_loss("cross_entropy_error(y, t)",
                          check.call("cross_entropy_error", cross_entropy_error, y=y, t=t))
            y_batch = y.reshape(1, -1) if y.ndim == 1 else y
            n, c = y_batch.shape
            t_one_hot = t.reshape(n, c) if np.shape(t) == y.shape else one_hot(t, c)
            per_sample = -np.sum(t_one_hot * np.log(y_batch), axis=1)
            check.expect("cross_entropy_error(y, t)", got, expected, rtol=LOSS_RELATIVE_TOLERANCE, causes=[
                (lambda: np.nan if np.any(y == 0) else None,
                 "the loss is nan because some probability is exactly 0: t * log(0) = 0 * -inf = nan; "
                 "add a small delta inside the log as the book does (np.log(y + 1e-7)), or take the log "
                 "of the true class's probability only"),
                (lambda: -expected, "the loss is negative: cross-entropy is -Σ t log y, with a minus sign"),
                (lambda: expected * n if n > 1 else None,
                 f"the loss is {n} times too large for a batch of {n}: divide the sum by the batch size "
                 "(y.shape[0]) to get the mean over the batch"),
                (lambda: expected / c if y.ndim == 2 else None,
                 f"the loss is divided by {n * c} (every entry of y) instead of the batch size {n}: "
                 "np.mean over all entries averages the classes too; divide the sum by N"),
                (lambda: per_sample, f"cross_entropy_error returned one loss per sample (shape ({n},)); "
                 "return their mean, a single number"),
                (lambda: expected / np.log(10),
                 "the loss uses log10; cross-entropy uses the natural log, np.log"),
                (lambda: expected / c if y.ndim == 1 else None,
                 f"for a 1-D y (one sample) the loss was divided by {c}, the number of classes: "
                 f"a 1-D y is a batch of one, reshape it to (1, {c})"),
            ])

        y = probabilities(rng, (3, 4))
        labels = np.array([2, 0, 3])
        book_y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
        square_y = probabilities(rng, (3, 3))
        for description, y_, t in [
            ("the book's 1-D y (with exact zeros) and one-hot t", book_y, one_hot(2, 10)),
            ("a batch of 3, one-hot labels", y, one_hot(labels, 4)),
            ("a batch of 3, class-index labels", y, labels),
            ("a batch of one, class-index label", probabilities(rng, (1, 5)), np.array([4])),
            ("a square y of shape (3, 3), class-index labels", square_y, np.array([1, 2, 0])),
            ("a square y of shape (3, 3), one-hot labels", square_y, one_hot(np.array([1, 2, 0]), 3)),
        ]:
            with check.case(description):
                loss_case(y_, t)

        with check.case("the true class has probability exactly 0"):
            y_zero, t_zero = np.array([[0.0, 0.5, 0.5]]), np.array([0])
            got = as_loss("cross_entropy_error(y, t)", check.call(
                "cross_entropy_error", cross_entropy_error, y=y_zero, t=t_zero, on_warning=""))
            if got.size != 1 or np.isnan(got).any():
                raise Failed("cross_entropy_error should return one finite number when the true class has "
                             f"probability 0, got {got.reshape(-1)[:3].tolist()}; add a small delta inside "
                             "the log (np.log(y + 1e-7))")
            if np.isinf(got).any():
                check.warn("cross_entropy_error returns inf when the true class has probability exactly 0 "
                           "(log 0 = -inf): one such sample makes the batch loss and every update inf/nan; "
                           "add a small delta inside the log as the book does (np.log(y + 1e-7))")
            elif float(got.reshape(-1)[0]) < 10:
                raise Failed(f"the loss is {number(got.reshape(-1)[0])} when the true class has "
                             "probability 0; it should be very large (-log of a tiny number, "
                             "e.g. -log(1e-7) = 16.1)")
    return check.result()


def check_softmax_with_loss(SoftmaxWithLoss):
    """Check SoftmaxWithLoss: forward(x, t) = mean cross-entropy of softmax(x); backward() = (y - t) / N.

    Two habits of the book's code are warnings: the loss log(softmax + 1e-7) caps each sample's
    loss at 16.1 for logits far apart (the layer has the logits, so it can be exact), and backward
    ignores dout. Its division by the number of classes for a 1-D x is a failure: the gradient is wrong.
    """
    rng = np.random.default_rng(563)
    backward_hints = {
        AttributeError: "forward must keep y = softmax(x) and t on self",
        TypeError: "the book's signature is backward(self, dout=1); forward must keep y and t on self",
        (ValueError, IndexError): "t may be one-hot (N, C) or class indices (N,); handle both",
    }
    with Check("SoftmaxWithLoss") as check:
        check.require_callable(SoftmaxWithLoss, "class")

        def layer_case(x, t, dout=None):
            reference = layers.SoftmaxWithLoss()
            expected_loss = reference.forward(x, t)
            expected_dx = reference.backward(1 if dout is None else dout)
            layer = check.call("SoftmaxWithLoss()", SoftmaxWithLoss)
            loss = as_loss("the loss", check.call_method(layer, "forward", x=x, t=t))
            if loss.size > 1:
                raise Failed(f"SoftmaxWithLoss.forward should return the loss (one number), got an array of "
                             f"shape {loss.shape}; return self.loss")
            if loss_is_capped_by_the_books_delta(x, t, loss, expected_loss):
                check.warn(f"the loss is {number(loss)} for logits far apart, where the exact loss is "
                           f"{number(expected_loss)}: log(softmax(x) + 1e-7) caps each sample's loss at "
                           "-log(1e-7) = 16.1; compute log-softmax directly, x - max - log(Σ exp(x - max)), "
                           "for the exact value")
            else:
                check.expect("the loss", loss, expected_loss, rtol=LOSS_RELATIVE_TOLERANCE,
                             causes=loss_mistakes(x, expected_loss))
            if dout is None:
                dx = check.call_method(layer, "backward", hints=backward_hints)
            else:
                dx = check.call_method(layer, "backward", dout=dout, hints=backward_hints)
                if same_array(dx, expected_dx / dout):
                    check.warn("SoftmaxWithLoss.backward ignores dout: backward(2.0) returns the same as "
                               "backward(1.0); multiply by dout, dx = (y - t) / N * dout, so that the layer "
                               "also works when its loss is scaled or summed with another (the book's code "
                               "ignores it too, since dout is always 1 there)")
                    return
            check.expect("dx", dx, expected_dx, causes=backward_mistakes(x, t, expected_dx),
                         note=lambda: softmax_with_loss_note(SoftmaxWithLoss, x, t, dx))

        x_batch = rng.standard_normal((4, 3))
        labels = np.array([2, 0, 1, 1])
        for description, x, t in [
            ("the book's example: 1-D x with softmax (0.3, 0.2, 0.5), t = (0, 1, 0)",
             np.log(np.array([0.3, 0.2, 0.5])), np.array([0.0, 1.0, 0.0])),
            ("a batch of 4, one-hot labels", x_batch, one_hot(labels, 3)),
            ("a batch of 4, class-index labels", x_batch, labels),
            ("a square x of shape (3, 3), class-index labels", rng.standard_normal((3, 3)),
             np.array([1, 2, 0])),
            ("a batch of one, class-index label", rng.standard_normal((1, 5)), np.array([3])),
            # The exact loss is (0 + 2000) / 2: softmax must not overflow, the loss must not be capped.
            ("logits far apart, [1000, 0, -1000]", np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, -1000.0]]),
             np.array([0, 2])),
        ]:
            with check.case(description):
                layer_case(x, t)
        with check.case("backward(dout=2.0)"):
            layer_case(rng.standard_normal((2, 3)), np.array([1, 0]), dout=2.0)
    return check.result()


def loss_is_capped_by_the_books_delta(x, t, loss, expected_loss):
    """True when the loss is at least the book's log(softmax + 1e-7) value, but well below the exact one."""
    if np.ndim(x) != 2 or np.ndim(t) != 1:
        return False
    books_loss = -np.mean(np.log(functions.softmax(x)[np.arange(len(t)), t] + 1e-7))
    return bool(0.99 * books_loss <= loss < 0.9 * expected_loss)


def loss_mistakes(x, expected_loss):
    """What SoftmaxWithLoss.forward returns for the known mistakes, and what to tell the learner."""
    n = 1 if x.ndim == 1 else x.shape[0]
    return [
        (lambda: expected_loss * n if n > 1 else None, f"the loss is {n} times too large for a batch "
         f"of {n}: take the mean over the batch, not the sum"),
        (np.nan, "the loss is nan for logits like 1000: np.exp(1000) overflows; subtract the maximum of "
         "each row before exp (softmax(x - max) is the same softmax)"),
    ]


def backward_mistakes(x, t, expected_dx):
    """What SoftmaxWithLoss.backward returns for the known mistakes, and what to tell the learner."""
    n = 1 if x.ndim == 1 else x.shape[0]
    c = x.shape[-1]
    return [
        (lambda: expected_dx * n if n > 1 else None, f"dx is {n} times too large for a batch of {n}: "
         "divide by the batch size, dx = (y - t) / N"),
        (lambda: -expected_dx, "dx has the wrong sign: dx = (y - t) / N"),
        (lambda: expected_dx / c if x.ndim == 1 else None, f"for a 1-D x (one sample) backward "
         f"divided by {c}, the number of classes: a 1-D x is a batch of one, so N = 1 "
         "(the book's code has this bug: t.shape[0] is the number of classes here)"),
        (lambda: (functions.softmax(x) - t) / n if np.ndim(t) == 1 and x.ndim == 2 else None,
         "for class-index labels t, backward subtracted t itself, which broadcasts along the wrong "
         "axis: subtract 1 at each true class instead, dx = y.copy(); dx[np.arange(N), t] -= 1; dx /= N"),
        (np.nan, "dx contains nan for logits like 1000: softmax overflows; subtract the maximum of "
         "each row before exp"),
    ]


def softmax_with_loss_note(SoftmaxWithLoss, x, t, dx):
    def loss(x_):
        return SoftmaxWithLoss().forward(x_, t)
    numeric = numerical_gradient(loss, np.array(x, dtype=np.float64), h=1e-5)
    return (f"the numerical gradient of your loss differs from your dx by a relative error of "
            f"{gradient_error(dx, numeric):.1e} (a right backward gives < 1e-7)")


def check_two_layer_net(TwoLayerNet):
    """Check TwoLayerNet.gradient against the numerical gradient of the learner's own loss.

    The network is built with the book's API, TwoLayerNet(input_size, hidden_size, output_size),
    and its params are given fixed values in place. Before gradient(x, t), loss() runs on other
    data: a gradient() that skips the forward pass then returns that data's gradient, and says so.
    """
    rng = np.random.default_rng(57)
    parameter_rng = np.random.default_rng(58)
    with Check("TwoLayerNet") as check:
        check.require_callable(TwoLayerNet, "class")

        def network_case(x, t, previous_x, previous_t):
            net = check.call("TwoLayerNet(4, 5, 3)", TwoLayerNet, input_size=4, hidden_size=5, output_size=3)
            params = network_parameters(net)
            # Fixed values, written in place (the layers hold these very arrays): every run sees
            # the same network whatever __init__ drew, and the biases are not all zero.
            for key in PARAMETER_KEYS:
                params[key][...] = parameter_rng.standard_normal(params[key].shape) * 0.5
            before = {key: params[key].copy() for key in PARAMETER_KEYS}
            check.call_method(net, "loss", x=previous_x, t=previous_t)
            grads = check.call_method(
                net, "gradient", x=x, t=t,
                hints={Exception: "gradient() runs self.loss(x, t) first, then backward from the last "
                                  "layer (dout = 1) through the layers in reverse order"})
            for key in PARAMETER_KEYS:
                if not np.array_equal(params[key], before[key]):
                    raise Failed(f"gradient() changed params['{key}']: it should only compute the gradients; "
                                 "the training loop updates the parameters")
            for key in PARAMETER_KEYS:
                grad = gradient_entry(grads, key, params)
                numeric = network_numerical_gradient(check, net, key, x, t)
                if gradient_error(grad, numeric) <= NETWORK_GRADIENT_TOLERANCE:
                    continue
                stale = network_numerical_gradient(check, net, key, previous_x, previous_t)
                if gradient_error(grad, stale) <= NETWORK_GRADIENT_TOLERANCE:
                    raise Failed("gradient(x, t) returned the gradient for the x of the previous loss() "
                                 "call: it must run the forward pass first (self.loss(x, t)), which stores "
                                 "what backward needs")
                if not np.any(grad):
                    raise Failed(f"grads['{key}'] is all zeros: start backward with dout = 1 at the last "
                                 "layer and pass each layer's result to the layer before it")
                raise Failed(f"grads['{key}'] differs from the numerical gradient of your loss by a relative "
                             f"error of {gradient_error(grad, numeric):.1e} (right code gives < 1e-7; "
                             f"{'one-hot' if np.ndim(t) == 2 else 'class-index'} labels)")

        x, other_x = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
        labels, other_labels = np.array([0, 1, 2, 1, 0, 2]), np.array([2, 2, 1, 0, 0, 1])
        for description, x_, t, previous_x, previous_t in [
            ("a batch of 6, one-hot labels", x, one_hot(labels, 3), other_x, one_hot(other_labels, 3)),
            ("a batch of 6, class-index labels", x, labels, other_x, other_labels),
            ("a batch of one", x[:1], labels[:1], other_x[:1], other_labels[:1]),
        ]:
            with check.case(description):
                network_case(x_, t, previous_x, previous_t)
    return check.result()


PARAMETER_KEYS = ("W1", "b1", "W2", "b2")


def network_parameters(net):
    """net.params, checked to be a dict of float arrays W1, b1, W2, b2."""
    params = getattr(net, "params", None)
    if not isinstance(params, dict) or any(key not in params for key in PARAMETER_KEYS):
        raise Failed("TwoLayerNet needs a params dict with keys W1, b1, W2, b2 (set in __init__)")
    for key in PARAMETER_KEYS:
        if not isinstance(params[key], np.ndarray) or not np.issubdtype(params[key].dtype, np.floating):
            raise Failed(f"params['{key}'] should be a numpy float array, got {a_type(params[key])}")
    return params


def gradient_entry(grads, key, params):
    """grads[key] as a float array of params[key]'s shape, or Failed naming what is wrong."""
    if not isinstance(grads, dict):
        raise Failed(f"TwoLayerNet.gradient returned {'None' if grads is None else a_type(grads)}; "
                     "it should return a dict of gradients with keys W1, b1, W2, b2")
    if key not in grads:
        raise Failed(f"the dict from gradient() has no key '{key}'; it needs the keys W1, b1, W2, b2 "
                     "(grads['W1'] = self.layers['Affine1'].dW, ...)")
    grad = as_numbers(f"grads['{key}']", grads[key])
    if grad.shape != params[key].shape:
        other = [k for k in PARAMETER_KEYS if params[k].shape == grad.shape]
        looks_like = f": it looks like the gradient of {other[0]}" if other else ""
        raise Failed(f"grads['{key}'] has shape {grad.shape} but params['{key}'] has shape "
                     f"{params[key].shape}{looks_like}; each gradient has its parameter's shape")
    if not np.all(np.isfinite(grad)):
        raise Failed(f"grads['{key}'] contains inf or nan; look for an exp that overflows")
    return grad


def network_numerical_gradient(check, net, key, x, t):
    """Central differences of net.loss(x, t) with respect to net.params[key] (changed in place, restored)."""
    def loss(_):
        return as_loss("TwoLayerNet.loss(x, t)", check.call("TwoLayerNet.loss", net.loss, x=x, t=t))
    numeric = numerical_gradient(loss, net.params[key])
    if not np.any(numeric):
        raise Failed(f"changing params['{key}'] does not change loss(): the layers must use the arrays in "
                     "self.params themselves, not copies")
    return numeric

"""The diagnosis engine behind the learner checks: run the learner's code on cases, compare it with
deepnet's own layers, and explain a difference by what the code *does*, not by a list of known bugs.

A check runs cases (one input each, or one sequence of calls on the same instances). For every
value it compares, the engine looks at how the learner's value relates to the right one:

- the structure: transposed, an extra axis kept, an axis not summed, right numbers in the wrong
  shape, a constant factor named in the problem's terms (N, 1/N, C, -1, the loss), entries blocked
  where they should pass;
- other values of the case: an input unchanged (dout), the value another rule gives (dout * y in an
  add node), the result for the previous input (stale state), another instance's value.

Such a relation names a cause only when it is *confirmed*: it holds in at least two cases and never
fails where it would show, or it holds alone in a case built to tell it apart (a probe). Otherwise
the learner is shown the earliest failing case, in words, with the expected and the received value.
A contract gap (right for x of shape (N, D), wrong for images) is confirmed by running the same
numbers in both forms. Exceptions name the case, the line of the learner's code and a hint drawn
from the exception and that line. One message per cause: a bug that breaks five cases shows once.

Every learner-facing sentence is a template with named placeholders in MESSAGES (or in the check's
own module), filled in by say(): a later step translates them.
"""
import contextlib
import difflib
import html
import inspect
import linecache
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STATUSES = ("pass", "warn", "fail", "not attempted")
MIMETYPE = "application/vnd.deepnet.check+json"
SYMBOLS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "not attempted": "✏️"}
COLOURS = {"pass": "#2e7d32", "warn": "#b26a00", "fail": "#c62828", "not attempted": "#546e7a"}

# Two values are "the same" within these tolerances. They accept every correct formula (np.where,
# tanh-based sigmoid, log-sum-exp) and reject every real mistake, which is off by far more.
RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-9
MAX_FAILURES_SHOWN = 3
ARGUMENT_NAMES = {0: (), 2: ("W", "b"), 3: ("input_size", "hidden_size", "output_size")}
# Everything learner code may raise that a check turns into a message. KeyboardInterrupt is left
# alone: it is how a learner (or the grader's timeout) stops an infinite loop.
LEARNER_ERRORS = (Exception, SystemExit)

MESSAGES = {
    "headline": "{symbol} {name}: {status}",
    "headline_counted": "{symbol} {name}: {status} ({count} checks)",
    "status_pass": "pass",
    "status_warn": "warn",
    "status_fail": "fail",
    "status_not_attempted": "not attempted yet",
    "stub": "{what} is not written yet: replace `raise NotImplementedError()` with your code, "
            "then run this cell again",
    "wrong": "{what} is wrong for {case}{where}: expected {expected}, got {got}",
    "wrong_shape": "{what} has shape {got_shape} for {case}, but it should have shape {expected_shape}",
    "also_wrong": "(the same value is also wrong for {count} more cases: {cases})",
    "at_index": " at index {index}",
    "at_index_with": " at index {index} (where {name} = {value})",
    "seen_in": "{message} (seen for {case})",
    "rule": "; {rule}",
    "nonfinite": "{what} contains {bad} for {case}{where}; it should be finite: look for a division "
                 "by 0, an exp that overflows or a log of 0",
    "numerical": "the numerical gradient of your own forward differs from your {what} by a relative "
                 "error of {error} (a right backward gives < 1e-7)",
    "numerical_agrees": "your {what} agrees with the numerical gradient of your own forward, "
                        "so look at forward first",
    # structure
    "transposed": "{what} is transposed: it has shape {got_shape}, the shape of the transpose of "
                  "{expected_shape}",
    "extra_axis": "{what} has shape {got_shape} where {expected_shape} is right: an extra axis of "
                  "length 1 was kept (keepdims=True, or a reshape, where none is needed)",
    "not_summed": "{what} has shape {got_shape} but should have shape {expected_shape}: it still has "
                  "axis {axis} ({axis_name}), which must be summed over",
    "reshape": "{what} has the right numbers in the wrong shape: {got_shape} instead of "
               "{expected_shape}",
    "factor_N": "{what} is {value} times too large, and {value} is the batch size N",
    "factor_1/N": "{what} is {value} times too small: it is divided by the batch size N = {value} "
                  "once too often",
    "factor_C": "{what} is {value} times too large, and {value} is the number of classes C",
    "factor_1/C": "{what} is {value} times too small, and {value} is the number of classes C",
    "factor_NC": "{what} is divided by {value} = N × C, every entry of the array, not by N alone",
    "factor_-1": "{what} has the wrong sign (it is -1 times the right value)",
    "factor_2": "{what} is twice the right value",
    "factor_1/2": "{what} is half the right value",
    "factor_loss": "{what} is multiplied by the loss ({value})",
    "factor_1/loss": "{what} is divided by the loss ({value})",
    "equals": "{what} equals {label}",
    "all_zeros": "{what} is all zeros",
    "wrong_shape_scalar": "{what} returned an array of shape {got_shape} for {case}; it should return one number",
    "equals_input": "{what} is {label} unchanged",
    "row_factor": "each row of {what} is its right row times a number of its own: a normalisation "
                  "(the division by a sum) uses other values than the numerator",
    "previous": "{what} is the result for the previous input, not for this one: every call of forward "
                "must compute its result anew and store on self what backward needs",
    "blocked": "{what} is 0 where it should pass the gradient ({where})",
    "passed": "{what} lets the gradient through where it should be 0 ({where})",
    "where_zero": "where {name} is exactly 0",
    "where_positive": "where {name} > 0",
    "where_negative": "where {name} < 0",
    "where_some": "at {count} of {total} entries",
    "gap": "{message} (for {case})",
    "stale_state": "the layer is right for each input on a new layer, but wrong when the same layer gets a "
                   "second input: forward must compute its result and store what backward needs anew "
                   "on every call",
    "shared_state": "each layer alone is right, but two layers used in turn give wrong results: they share "
                    "their state; keep it on self (self.x = x), not on the class or in a global variable",
    "not_set": "{what} did not set self.{name}: store it on self, {rule}",
    "other_instance": "the value that the other layer's input gives (its state is shared: keep it on "
                      "self, not on the class or in a global variable)",
    # ownership and state
    "changed_argument": "{what} changed the {name} you were given; copy it first "
                        "({name} = {name}.copy()) or build a new array: the caller may still need it",
    "changed_state": "{what} changed self.{name}, which forward stored: a second call of backward "
                     "then gives another result; copy it first ({copy}) and change the copy",
    "backward_twice": "calling {what} twice gives two different results; backward must only read "
                      "what forward stored, not change it",
    "returned_argument": "{what} returned the {name} you were given as {output}, not a new array: "
                         "a caller that changes {output} in place would change {name} too; return "
                         "{name} * 1 or {name}.copy()",
    "returned_twice": "{what} returned one array object as both {first} and {second}: changing one in "
                      "place would change the other; make each a new array ({example})",
    "returned_state": "{what} returned self.{name} itself as {output}: a caller that changes {output} "
                      "in place would change the layer's state; return a new array",
    "warned": "{what} printed a {category} for {case}: '{text}'; find the operation that warns and "
              "avoid it",
    # values that are not arrays of numbers
    "returned_none": "{what} returned None: did you forget the `return`?",
    "returned_several": "{what} returned {count} arrays in a {container}; it should return one",
    "returned_not_numbers": "{what} returned {kind}; it should return numbers (a numpy array)",
    "not_two_values_none": "{what} returned None; it should return the pair (dx, dy): return dx, dy",
    "not_two_values_count": "{what} returned {count} values; it should return the pair (dx, dy): "
                            "return dx, dy",
    "not_two_values_one": "{what} returned one {kind}; it should return the pair (dx, dy): return dx, dy",
    "no_method": "{name} has no method {method}(): define it inside the class",
    "needs_object": "{check} needs your {name} {kind}, got {got}; run the cell that defines {name}, "
                    "then {check}({name})",
    "pass_class_not_instance": "{kind} object: pass the class itself, not an instance",
    "could_not_finish": "the check could not finish ({case}): {error}",
    # exceptions
    "raised": "{what} raised {error} for {case}",
    "raised_at": "{what} raised {error} for {case}, at line {line} of your code: `{text}`",
    "hint": "{message}. Hint: {hint}",
    "hint_use_self": "{name} is not defined inside the method, but the layer has self.{name}: "
                     "write self.{name}",
    "hint_import_numpy": "import numpy as np (run the notebook's first code cells)",
    "hint_not_defined": "{name} is not defined: define it, or run the cell that defines it first",
    "hint_shape_call": "shape is an attribute, not a method: write x.shape[0], not x.shape(0)",
    "hint_math": "math.{function} works on one number only; for arrays use np.{function}",
    "hint_dict_keys": "looping over a dict gives its keys (the names); loop over self.layers.values()",
    "hint_missing_attribute": "{method} reads self.{name}, but nothing set it: store it in forward "
                              "(self.{name} = ...){close}",
    "hint_did_you_mean": "; did you mean self.{name}?",
    "hint_none_attributes": "{names} still None here: forward must set them on self",
    "hint_none": "a value is None here: a function without `return`, or something forward did not store",
    "hint_one_dimensional": "this case gives {name} of shape {shape} (1-D), and your code indexes it with "
                            "two indices; write it for any shape, e.g. with a boolean mask a[mask]",
    "hint_plain_number": "this case gives {name} as a plain number ({value}); "
                         "np.asarray({name}) turns it into an array first",
    "hint_matmul": "the inner sizes of a matrix product differ; {shape_rule}",
    "hint_broadcast": "the shapes do not fit together; {shape_rule}",
    "hint_signature": "the signature is {signature}",
    "hint_key": "the dict has no key {key}",
    "hint_truth_value": "an `if` (or and/or) on an array: it needs one True or False, but here it got an "
                        "array (a row of a 2-D x, say); use np.where or a boolean mask, which work for "
                        "x of any shape",
}


def say(key, **values):
    """The message template `key` filled in with `values` (the one place messages are formatted)."""
    return MESSAGES[key].format(**values)


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
        status = say("status_" + self.status.replace(" ", "_"))
        if self.status in ("pass", "warn"):
            return say("headline_counted", symbol=SYMBOLS[self.status], name=self.name, status=status,
                       count=self.cases_run)
        return say("headline", symbol=SYMBOLS[self.status], name=self.name, status=status)

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
# What a check finds
# ---------------------------------------------------------------------------------------------

@dataclass
class Candidate:
    """A relation between the learner's value and the right one: key (for confirmation) and message."""
    key: tuple
    message: str


@dataclass
class Finding:
    """One failure: the case it happened in, a key for grouping, the message, and whether it is confirmed.

    A mismatch carries the candidate relations found for it; the engine decides which are confirmed.
    """
    case_index: int
    case: str
    key: tuple
    message: str
    confirmed: bool = True
    candidates: list = field(default_factory=list)
    probe: bool = False


class CaseOver(Exception):
    """Ends one case: its failure has been recorded."""


class NotAttempted(Exception):
    """The learner's code raised NotImplementedError: the exercise stub is still in place."""


@dataclass
class Related:
    """What a compared value may be related to in this case.

    arrays: {name: array} the inputs and outputs of the case ("dout", "x", "out"): a value equal to
        one of them is named ("dx equals dout").
    alternatives: {label: array} what another rule gives ("dout * y, the multiplication node's rule").
    quantities: {"N": 4, "C": 3, "loss": 0.7}: constant factors are named in these terms.
    previous: the right value for the previous input of the same instance (stale state).
    where: (name, array of the output's shape) to say where entries are blocked or passed.
    axis_names: {0: "the batch axis N"}.
    """
    arrays: dict = field(default_factory=dict)
    alternatives: dict = field(default_factory=dict)
    quantities: dict = field(default_factory=dict)
    previous: object = None
    where: tuple = None
    axis_names: dict = field(default_factory=dict)
    also_right: list = field(default_factory=list)
    warn_if: list = field(default_factory=list)  # [(value, warning)]: right enough, but say so


class Check:
    """Runs one check's cases and collects what it finds.

        with Check("Relu", Relu) as check:
            with check.case("x of shape (3, 4)"):
                layer = check.new()
                out = check.call_method(layer, "forward", x=x)
                check.expect("Relu.forward(x)", out, expected_out, rule="out = max(0, x)")
        return check.result()

    A failure ends its case and the next case runs. Nothing escapes the `with Check(...)` block
    except KeyboardInterrupt. The block restores numpy's random state and runs under its own
    np.errstate and print options, so the learner's settings change nothing.
    """

    def __init__(self, name, learner, kind="class", hints=None, source_hints=()):
        self.name = name
        self.learner = learner
        self.kind = kind
        self.hints = hints or {}            # {ExceptionType or tuple: hint} for this check
        self.source_hints = source_hints    # [(regex on the learner's source, or a test of it, hint)]
        self.findings = []
        self.warnings = []
        self.unwritten = []
        self.contradicted = {}              # candidate key -> cases where it would show but did not
        self.cases_run = 0
        self.case_index = -1
        self.case_description = ""
        self.case_probe = False
        self.case_inputs = {}
        self.case_warnings = []
        self.case_failed = False
        self.silent = 0

    # -- the block and its cases ------------------------------------------------------------

    def __enter__(self):
        self.random_state = np.random.get_state()
        self.settings = contextlib.ExitStack()
        self.settings.enter_context(warnings.catch_warnings())
        # Our own arithmetic on the learner's inf and nan must print nothing, whatever np.seterr says.
        warnings.simplefilter("ignore")
        self.settings.enter_context(np.errstate(all="ignore"))
        self.settings.enter_context(np.printoptions(precision=4, suppress=True, threshold=12, linewidth=100,
                                                    edgeitems=3, floatmode="maxprec", sign="-"))
        return self

    def __exit__(self, exception_type, exception, traceback):
        self.settings.close()
        np.random.set_state(self.random_state)
        if isinstance(exception, LEARNER_ERRORS):
            self.record_exception(exception, "")
            return True
        return False

    @contextlib.contextmanager
    def case(self, description, probe=False, **inputs):
        """One case. inputs: the case's named inputs, for hints ("this case gives a 1-D x")."""
        self.case_index += 1
        self.case_description = description
        self.case_probe = probe
        self.case_inputs = inputs
        self.case_warnings = []
        self.case_failed = False
        try:
            yield
        except (CaseOver, NotAttempted):
            pass
        except LEARNER_ERRORS as exception:
            self.record_exception(exception, "")
        if not self.case_failed:
            self.cases_run += 1
            for message in self.case_warnings:
                add_once(self.warnings, message)

    def quietly(self, run):
        """Run `run()` recording nothing; True when it passes. The twin of a contract case."""
        saved = (self.findings, self.warnings, self.unwritten, self.contradicted, self.case_warnings)
        self.findings, self.warnings, self.unwritten, self.contradicted, self.case_warnings = [], [], [], {}, []
        self.silent += 1
        passed = True
        try:
            run()
        except (CaseOver, NotAttempted, *LEARNER_ERRORS):
            passed = False
        finally:
            failed = bool(self.findings)
            self.findings, self.warnings, self.unwritten, self.contradicted, self.case_warnings = saved
            self.silent -= 1
        return passed and not failed

    def form_case(self, description, gap_message, run, base_run, **inputs):
        """A case in one of the contract's input forms (1-D x, images, class-index labels).

        base_run does the same with the same numbers in the basic form. When that passes and this
        fails, the cause is confirmed: the code does not handle this form (gap_message says how to).
        """
        base_passes = self.quietly(base_run)
        before = len(self.findings)
        with self.case(description, **inputs):
            run()
        new = self.findings[before:]
        if base_passes and new:
            detail = new[0].message
            self.findings[before:] = [Finding(self.case_index, description, ("gap", gap_message),
                                              say("gap", message=gap_message, case=description)
                                              + f" — {detail}")]

    # -- running the learner's code -----------------------------------------------------------

    def fail(self, key, message, confirmed=True, candidates=(), stop=True):
        self.case_failed = True
        self.findings.append(Finding(self.case_index, self.case_description, key, message, confirmed,
                                     list(candidates), self.case_probe))
        if stop:
            raise CaseOver()

    def warn(self, message):
        self.case_warnings.append(message)

    def new(self, *arguments, what=None):
        """An instance of the learner's class, built with copies of `arguments`."""
        what = what or (f"{self.name}({', '.join(ARGUMENT_NAMES.get(len(arguments), ()))})")
        return self.call(what, self.learner, *[np.copy(a) if isinstance(a, np.ndarray) else a
                                               for a in arguments])

    def call(self, what, function, *positional, on_warning=None, **arguments):
        """Return function(*positional, *arguments.values()); argument names are only for messages.

        The learner gets copies of arrays, so the check's own arrays stay as they were. An argument
        the code changed, or a Python warning it printed, becomes a warning of the check
        (on_warning replaces the generic text; "" ignores the warning).
        """
        given = {name: value.copy() if isinstance(value, np.ndarray) else value
                 for name, value in arguments.items()}
        with warnings.catch_warnings(record=True) as caught, \
                np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                result = function(*positional, *given.values())
            except NotImplementedError:
                if not self.silent:
                    add_once(self.unwritten, say("stub", what=what))
                raise NotAttempted() from None
            except LEARNER_ERRORS as error:
                self.record_exception(error, what)
                raise CaseOver() from None
        for name, original in arguments.items():
            if isinstance(original, np.ndarray) and not np.array_equal(given[name], original, equal_nan=True):
                self.warn(say("changed_argument", what=what, name=name))
        if caught and on_warning != "":
            first = caught[0]
            self.warn(on_warning or say("warned", what=what, category=first.category.__name__,
                                        case=self.case_description, text=scrub(str(first.message))))
        self.last_arguments = given
        return result

    def call_method(self, instance, method_name, on_warning=None, **arguments):
        """call() for instance.method_name, failing clearly when the method is missing."""
        try:
            method = getattr(instance, method_name)
        except Exception:
            method = None
        if not callable(method):
            self.fail(("no method", method_name), say("no_method", name=self.name, method=method_name))
        self.current_instance = instance
        return self.call(f"{self.name}.{method_name}", method, on_warning=on_warning, **arguments)

    def record_exception(self, error, what):
        if isinstance(error, (CaseOver, NotAttempted)):
            return
        text = describe_exception(error)
        frame = learner_frame(error)
        case = self.case_description or self.name
        if frame is None:
            message = say("raised", what=what or self.name, error=text, case=case)
            line_text = ""
        else:
            line, line_text = frame
            message = say("raised_at", what=what or self.name, error=text, case=case, line=line,
                          text=line_text)
        if not what:  # an exception in the check itself, met on a value it did not foresee
            message = say("could_not_finish", case=case, error=text)
        hint = self.exception_hint(error, line_text, what)
        if hint:
            message = say("hint", message=message, hint=hint)
        self.case_failed = True
        self.findings.append(Finding(self.case_index, case, ("exception", type(error).__name__, line_text or what),
                                     message))

    def exception_hint(self, error, line, what):
        """A hint from the exception's text, the line that raised it, the instance and the case."""
        text = str(error)
        instance = getattr(self, "current_instance", None)
        if isinstance(error, NameError):
            name = getattr(error, "name", None) or (re.findall(r"'(\w+)'", text) or [""])[0]
            if name in ("np", "numpy"):
                return say("hint_import_numpy")
            if instance is not None and name and hasattr(instance, name):
                return say("hint_use_self", name=name)
            return say("hint_not_defined", name=name)
        if isinstance(error, TypeError) and "object is not callable" in text and ".shape(" in line:
            return say("hint_shape_call")
        math_call = re.search(r"\bmath\.(\w+)\(", line)
        if isinstance(error, TypeError) and math_call and "arrays can be converted" in text:
            return say("hint_math", function=math_call.group(1))
        if isinstance(error, AttributeError) and re.search(r"'str' object has no attribute '(backward|forward)'",
                                                           text):
            return say("hint_dict_keys")
        missing = re.search(r"object has no attribute '(\w+)'", text)
        if isinstance(error, AttributeError) and missing and instance is not None \
                and f"'{type(instance).__name__}' object" in text:
            name = missing.group(1)
            close = difflib.get_close_matches(name, [a for a in vars(instance) if not a.startswith("_")], n=1)
            return say("hint_missing_attribute", method=what or self.name, name=name,
                       close=say("hint_did_you_mean", name=close[0]) if close else "")
        if "NoneType" in text:
            nones = [f"self.{a}" for a, v in vars(instance).items() if v is None] if instance is not None else []
            if nones:
                return say("hint_none_attributes", names=", ".join(nones))
            return say("hint_none")
        one_dimensional = [(name, value) for name, value in self.case_inputs.items()
                           if isinstance(value, np.ndarray) and value.ndim == 1]
        if isinstance(error, IndexError) and "1-dimensional" in text and one_dimensional:
            name, value = one_dimensional[0]
            return say("hint_one_dimensional", name=name, shape=value.shape)
        numbers = [(name, value) for name, value in self.case_inputs.items() if isinstance(value, (int, float))]
        numbers.sort(key=lambda item: not re.search(rf"\b{item[0]}\b", line))  # the one the line uses first
        if numbers and re.search(r"'(int|float)' object (has no attribute|is not subscriptable)|has no len",
                                 text):
            name, value = numbers[0]
            return say("hint_plain_number", name=name, value=value)
        if isinstance(error, KeyError):
            return say("hint_key", key=text)
        if isinstance(error, ValueError) and "truth value of an array" in text:
            return say("hint_truth_value")
        source = learner_source(self.learner)
        for pattern, hint in self.source_hints:
            found = pattern(source) if callable(pattern) else re.search(pattern, source, flags=re.MULTILINE)
            if found:
                return hint
        for exception_types, hint in self.hints.items():
            if isinstance(error, exception_types):
                return hint
        return ""

    # -- comparing values -----------------------------------------------------------------------

    def numbers(self, what, value):
        """The learner's value as a float array, or a failure saying what came instead."""
        if value is None:
            self.fail(("returned", what, "None"), say("returned_none", what=what))
        if isinstance(value, (tuple, list)) and len(value) > 1 and all(isinstance(v, np.ndarray) for v in value):
            self.fail(("returned", what, "several"), say("returned_several", what=what, count=len(value),
                                                         container=type(value).__name__))
        if isinstance(value, (str, bytes, dict, set)) or callable(value):
            self.fail(("returned", what, "kind"), say("returned_not_numbers", what=what, kind=a_type(value)))
        try:
            return np.asarray(value, dtype=np.float64)
        except Exception:
            self.fail(("returned", what, "kind"), say("returned_not_numbers", what=what, kind=a_type(value)))

    def two_values(self, what, value):
        """backward of a two-input node returns (dx, dy): a tuple or list of two."""
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return value
        if value is None:
            self.fail(("two values", what), say("not_two_values_none", what=what))
        if isinstance(value, (tuple, list)):
            self.fail(("two values", what), say("not_two_values_count", what=what, count=len(value)))
        self.fail(("two values", what), say("not_two_values_one", what=what, kind=type(value).__name__))

    def expect(self, what, got, expected, rule="", related=None, also_right=(), rtol=RELATIVE_TOLERANCE,
               close=None, note=None):
        """Fail the case unless got equals expected (or a value in also_right).

        rule: the right formula, said after a cause ("dx = dout * self.y"). related: what the value
        may relate to (see Related). close(got, expected) -> bool replaces the tolerance test.
        note: a function giving one more sentence for an unexplained difference.
        """
        related = related or Related()
        expected = np.asarray(expected, dtype=np.float64)
        got = self.numbers(what, got)
        got = as_expected_shape(got, expected)
        same = close or (lambda a, b: same_array(a, b, rtol))
        if any(same(got, right) for right in [expected, *also_right, *related.also_right]):
            self.note_contradictions(what, expected, related, same)
            return
        for value, warning in related.warn_if:
            if value is not None and same(got, np.asarray(value, dtype=np.float64)):
                self.warn(warning)
                return
        candidates = diagnose(what, got, expected, related, same)
        rule_text = say("rule", rule=rule) if rule else ""
        candidates = [Candidate(c.key, c.message + rule_text) for c in candidates]
        if expected.ndim == 0 and got.ndim > 0:
            message = say("wrong_shape_scalar", what=what, got_shape=got.shape, case=self.case_description)
        elif got.shape != expected.shape:
            message = say("wrong_shape", what=what, got_shape=got.shape, expected_shape=expected.shape,
                          case=self.case_description) + rule_text
        elif not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
            message = say("nonfinite", what=what, bad="nan" if np.any(np.isnan(got)) else "inf",
                          case=self.case_description, where=where_text(got, expected, related, rtol))
        else:
            message = say("wrong", what=what, case=self.case_description,
                          where=where_text(got, expected, related, rtol), expected=number_text(got, expected, True),
                          got=number_text(got, expected, False))
            extra = evaluate(note) if note is not None else None
            if extra:
                message += "; " + extra
        self.fail(("mismatch", what), message, confirmed=False, candidates=candidates)

    def note_contradictions(self, what, expected, related, same):
        """The value was right: every relation that would have shown here is not the learner's bug."""
        for key, value in relation_values(what, expected, related):
            if value is not None and not same(value, expected):
                self.contradicted[key] = self.contradicted.get(key, 0) + 1

    # -- ownership and state --------------------------------------------------------------------

    def snapshot(self, instance):
        """Copies of the instance's arrays (what forward stored), to see whether backward changes them."""
        try:
            state = vars(instance)
        except TypeError:
            return {}
        return {name: value.copy() for name, value in state.items() if isinstance(value, np.ndarray)}

    def expect_state_unchanged(self, what, instance, snapshot):
        for name, before in snapshot.items():
            now = getattr(instance, name, None)
            if isinstance(now, np.ndarray) and now.shape == before.shape \
                    and not np.array_equal(now, before, equal_nan=True):
                self.fail(("changed state", name), say("changed_state", what=what, name=name,
                                                       copy=f"dx = self.{name}.copy()"))

    def expect_new_arrays(self, what, outputs, arguments, instance):
        """Returned arrays must be new: not an argument, not each other, not the layer's state (a warning)."""
        arrays = [(name, value) for name, value in outputs.items() if isinstance(value, np.ndarray)]
        for name, value in arrays:
            for argument, given in arguments.items():
                if isinstance(given, np.ndarray) and value is given:
                    self.warn(say("returned_argument", what=what, name=argument, output=name))
                    return
        for i, (first, a) in enumerate(arrays):
            for second, b in arrays[i + 1:]:
                if np.shares_memory(a, b):
                    self.warn(say("returned_twice", what=what, first=first, second=second,
                                  example=f"{first} = dout * 1"))
                    return
        state = vars(instance) if hasattr(instance, "__dict__") else {}
        for name, value in arrays:
            for attribute, stored in state.items():
                if isinstance(stored, np.ndarray) and stored is value:
                    self.warn(say("returned_state", what=what, name=attribute, output=name))
                    return

    # -- the result -----------------------------------------------------------------------------

    def require_callable(self):
        """Fail at once when the check was given something other than a class or function."""
        learner = self.learner
        if isinstance(learner, type) or (callable(learner) and not hasattr(learner, "forward")):
            return True
        if learner is None:
            got = "None"
        elif self.kind == "class" and hasattr(learner, "forward"):
            got = say("pass_class_not_instance", kind=a_type(learner))
        else:
            got = a_type(learner)
        check_name = f"check_{snake_case(self.name)}"
        self.findings.append(Finding(0, "", ("not callable",), say(
            "needs_object", check=check_name, name=self.name, kind=self.kind, got=got)))
        return False

    def result(self):
        """The CheckResult: fail > not attempted > warn > pass, the messages ranked as explained above."""
        if self.findings:
            shown = rank(self.findings, self.contradicted)
            return CheckResult(self.name, "fail", shown + self.unwritten + self.warnings, self.cases_run)
        if self.unwritten:
            return CheckResult(self.name, "not attempted", self.unwritten, self.cases_run)
        if self.warnings:
            return CheckResult(self.name, "warn", self.warnings, self.cases_run)
        return CheckResult(self.name, "pass", [], self.cases_run)


def rank(findings, contradicted):
    """The messages to show: confirmed causes first (by the case where each first showed), each once.

    A candidate relation is confirmed when it holds in two or more cases and never failed to show
    where it would have, or when it is the only relation that holds in a probe case.
    """
    matches = {}
    for finding in findings:
        for candidate in finding.candidates:
            matches.setdefault(candidate.key, []).append((finding, candidate))
    confirmed = {}
    for key, found in matches.items():
        if contradicted.get(key):
            continue
        cases = {finding.case_index for finding, _ in found}
        by_probe = any(finding.probe and len(finding.candidates) == 1 for finding, _ in found)
        if len(cases) >= 2 or by_probe:
            confirmed[key] = found
    explained = set()
    causes = []
    # One message per cause: a relation whose failures an earlier one already explains adds nothing.
    ordered = sorted(confirmed.items(), key=lambda item: (item[1][0][0].case_index,
                                                          item[1][0][0].candidates.index(item[1][0][1])))
    for _key, found in ordered:
        first, candidate = found[0]
        ids = {id(finding) for finding, _ in found}
        if ids <= explained:
            continue
        explained |= ids
        causes.append((first.case_index, say("seen_in", message=candidate.message, case=first.case)))
    groups = {}
    for finding in findings:
        if id(finding) in explained:
            continue
        groups.setdefault(finding.key, []).append(finding)
    for group in groups.values():
        first = group[0]
        if first.confirmed:
            causes.append((first.case_index, first.message))
    causes.sort(key=lambda item: item[0])
    messages = unique(message for _, message in causes)
    unexplained = [group for group in groups.values() if not group[0].confirmed]
    unexplained.sort(key=lambda group: group[0].case_index)
    for group in unexplained:
        # A value that is wrong in cases already explained by a confirmed cause of the same value is
        # that cause's cascade: shown once, by the cause.
        if any(key[1] == group[0].key[1] for key in confirmed if len(key) > 1) and messages:
            continue
        message = group[0].message
        others = unique(finding.case for finding in group[1:])
        if others:
            message += " " + say("also_wrong", count=len(others), cases="; ".join(others[:2])
                                 + ("; …" if len(others) > 2 else ""))
        messages.append(message)
    if not messages:  # every failure was folded into a cause above
        messages = [findings[0].message]
    return messages[:MAX_FAILURES_SHOWN]


# ---------------------------------------------------------------------------------------------
# Structural diagnosis: how the learner's value relates to the right one
# ---------------------------------------------------------------------------------------------

FACTOR_NAMES = {"N": ("factor_N", "factor_1/N"), "C": ("factor_C", "factor_1/C")}


def named_factors(quantities):
    """(key, template, factor, shown value) for every factor the case can name: N, 1/N, C, -1, the loss …"""
    factors = [("-1", "factor_-1", -1.0, 1), ("2", "factor_2", 2.0, 2), ("1/2", "factor_1/2", 0.5, 2)]
    for name, value in quantities.items():
        if name == "loss":
            if value and np.isfinite(value) and abs(value - 1) > 1e-3:
                factors += [("loss", "factor_loss", value, number(value)),
                            ("1/loss", "factor_1/loss", 1 / value, number(value))]
            continue
        if value in (0, 1) or name not in FACTOR_NAMES:
            continue
        larger, smaller = FACTOR_NAMES[name]
        factors += [(name, larger, float(value), value), ("1/" + name, smaller, 1 / value, value)]
    if "N" in quantities and "C" in quantities and quantities["N"] * quantities["C"] > 1 and quantities["C"] > 1:
        factors.append(("1/NC", "factor_NC", 1 / (quantities["N"] * quantities["C"]),
                        quantities["N"] * quantities["C"]))
    return factors


def as_expected_shape(value, expected):
    """One number in an array of shape (1,) counts as one number."""
    value = np.asarray(value, dtype=np.float64)
    return value.reshape(()) if expected.ndim == 0 and value.shape == (1,) else value


def relation_values(what, expected, related):
    """(key, value) of every value-type relation: what the learner's value would be if it held."""
    pairs = [((what, "equals", name), as_expected_shape(value, expected)) for name, value in related.arrays.items()]
    pairs += [((what, "rule", label), None if value is None else as_expected_shape(value, expected))
              for label, value in related.alternatives.items()]
    if related.previous is not None:
        pairs.append(((what, "previous"), as_expected_shape(related.previous, expected)))
    for key, _, factor, _ in named_factors(related.quantities):
        pairs.append(((what, "factor", key), expected * factor))
    if expected.ndim == 2 and expected.shape[0] != expected.shape[1]:
        pairs.append(((what, "transposed"), expected.T))
    return pairs


def diagnose(what, got, expected, related, same):
    """Every relation that holds between got and expected, as Candidates (not yet causes)."""
    candidates = shape_relations(what, got, expected, related, same) if got.shape != expected.shape else []
    for key, value in relation_values(what, expected, related):
        if value is None or not same(got, value) or same(value, expected):
            continue
        relation = key[1]
        if relation == "equals":
            message = say("equals_input", what=what, label=key[2])
        elif relation == "rule":
            message = say("equals", what=what, label=key[2])
        elif relation == "previous":
            message = say("previous", what=what)
        elif relation == "transposed":
            message = say("transposed", what=what, got_shape=got.shape, expected_shape=expected.shape)
        else:
            template, shown = next((t, v) for k, t, _, v in named_factors(related.quantities) if k == key[2])
            message = say(template, what=what, value=shown)
        candidates.append(Candidate(key, message))
    if got.shape != expected.shape:
        pass
    elif np.all(got == 0) and np.any(expected != 0):
        candidates.append(Candidate((what, "zeros"), say("all_zeros", what=what)))
    elif not candidates:
        candidates += mask_relations(what, got, expected, related) + row_relations(what, got, expected)
    return candidates


def row_relations(what, got, expected):
    """Each row of got is its right row times a number of its own: a normalisation is off."""
    if got.ndim != 2 or got.shape[0] < 2 or not np.all(np.isfinite(got)) or np.any(expected == 0):
        return []
    ratios = got / expected
    per_row = ratios[:, :1]
    if np.allclose(ratios, per_row, rtol=1e-6) and not np.allclose(per_row, per_row[0], rtol=1e-6):
        return [Candidate((what, "row factor"), say("row_factor", what=what))]
    return []


def shape_relations(what, got, expected, related, same):
    found = []
    if got.ndim == expected.ndim + 1:
        if same(np.squeeze(got, axis=tuple(i for i, n in enumerate(got.shape) if n == 1)[:1] or None)
                if 1 in got.shape else got, expected) and 1 in got.shape:
            found.append(Candidate((what, "extra axis"), say("extra_axis", what=what, got_shape=got.shape,
                                                            expected_shape=expected.shape)))
        for axis in range(got.ndim):
            if same(got.sum(axis=axis), expected):
                found.append(Candidate((what, "not summed", axis), say(
                    "not_summed", what=what, got_shape=got.shape, expected_shape=expected.shape, axis=axis,
                    axis_name=related.axis_names.get(axis, f"axis {axis}"))))
    if got.size == expected.size and got.ndim != expected.ndim and same(got.reshape(expected.shape), expected):
        found.append(Candidate((what, "reshape"), say("reshape", what=what, got_shape=got.shape,
                                                      expected_shape=expected.shape)))
    return found


def mask_relations(what, got, expected, related):
    """Entries that are 0 where they should pass, or pass where they should be 0, said with `where`."""
    differs = ~np.isclose(got, expected, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE)
    if not differs.any() or related.where is None:
        return []
    name, where = related.where
    where = np.asarray(where)
    if where.shape != got.shape:
        return []
    if np.all(got[differs] == 0) and np.all(expected[differs] != 0):
        template = "blocked"
    elif np.all(expected[differs] == 0) and np.all(got[differs] != 0):
        template = "passed"
    else:
        return []
    for condition, place in (("zero", where == 0), ("positive", where > 0), ("negative", where < 0)):
        if np.array_equal(differs, place & (expected != 0 if template == "blocked" else got != 0)):
            text = say("where_" + condition, name=name)
            return [Candidate((what, template, condition), say(template, what=what, where=text))]
    text = say("where_some", count=int(differs.sum()), total=differs.size)
    return [Candidate((what, template, "some"), say(template, what=what, where=text))]


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

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


def gradient_error(a, b):
    """||a - b|| / (||a|| + ||b||), a whole-array relative error.

    Not the elementwise max of deepnet.relative_error: an entry that is exactly 0 in backprop and
    1e-11 numerically would count as a large error there, though both are right.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return np.inf
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def where_text(got, expected, related, rtol):
    if got.ndim == 0:
        return ""
    differs = ~np.isclose(got, expected, rtol=rtol, atol=ABSOLUTE_TOLERANCE)
    index = tuple(int(i) for i in np.argwhere(differs)[0]) if differs.any() else (0,) * got.ndim
    if related.where is not None and np.shape(related.where[1]) == got.shape:
        name, where = related.where
        return say("at_index_with", index=index, name=name, value=number(np.asarray(where)[index]))
    return say("at_index", index=index)


def number_text(got, expected, of_expected):
    """The expected (or received) value: the whole array when small, else the first differing entry."""
    value = expected if of_expected else got
    if value.size <= 6:
        return np.array2string(value, separator=", ") if value.ndim else number(value)
    differs = ~np.isclose(got, expected, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE)
    index = tuple(np.argwhere(differs)[0]) if differs.any() else (0,) * value.ndim
    return number(value[index])


def learner_frame(error):
    """(line number, line text) of the deepest traceback frame in the learner's code, or None."""
    frames = []
    traceback = error.__traceback__
    while traceback is not None:
        frames.append((traceback.tb_frame.f_code.co_filename, traceback.tb_lineno))
        traceback = traceback.tb_next
    for filename, line in reversed(frames):
        if not is_library_file(filename):
            return line, linecache.getline(filename, line).strip()
    return None


LIBRARY_FOLDERS = tuple(str(Path(p).resolve()) for p in {
    Path(__file__).resolve().parents[2],  # deepnet itself
    Path(np.__file__).resolve().parent,
    Path(contextlib.__file__).resolve().parent,  # the standard library
})


def is_library_file(filename):
    if filename.startswith("<frozen") or "site-packages" in filename:
        return True
    try:
        resolved = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    return resolved.startswith(LIBRARY_FOLDERS)


def learner_source(learner):
    """The learner's source, read method by method: a class typed into a notebook cell has no file
    that inspect can find, but its functions' code points at the cell."""
    functions = [value for value in vars(learner).values() if inspect.isfunction(value)] \
        if isinstance(learner, type) else [learner]
    parts = []
    for function in functions:
        try:
            parts.append(inspect.getsource(function))
        except (TypeError, OSError):
            pass
    return "\n".join(parts)


def evaluate(value_or_function):
    """The value, or the function's result; None when the function raises."""
    if not callable(value_or_function):
        return value_or_function
    try:
        return value_or_function()
    except LEARNER_ERRORS:
        return None


def add_once(messages, message):
    if message not in messages:
        messages.append(message)


def unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def scrub(text, limit=300):
    """Remove memory addresses (they change from run to run) and shorten very long text."""
    text = re.sub(r"\b0x[0-9a-fA-F]{6,}\b", "0x…", text)
    return text if len(text) <= limit else text[:limit] + "…"


def describe_exception(error):
    text = scrub(str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def snake_case(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def a_type(value):
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def number(value):
    return f"{float(value):.4g}"


def one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]


def probabilities(rng, shape):
    """Rows of positive numbers summing to 1 (each at least 0.05, so log y is far from log 0)."""
    p = rng.uniform(1.0, 3.0, size=shape)
    return p / p.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Layers: one forward and backward, the same instance again, two instances in turn
# ---------------------------------------------------------------------------------------------

@dataclass
class LayerExercise:
    """What the engine needs to know of a layer exercise.

    reference(*init): deepnet's own layer. outputs: the names backward returns, ("dx",) or ("dx", "dy").
    rules: the right formula of each value ("out", "dx", ...), said after a named cause.
    related(value_name, inputs, dout, right) -> Related: what that value may relate to in this case.
    stale_hint: said when a value is the previous input's. numerical: compare an unexplained dx with
    the numerical gradient of the learner's own forward (elementwise layers).
    """
    name: str
    reference: object
    outputs: tuple
    rules: dict
    related: object
    stale_hint: str = ""
    numerical: bool = False
    attributes: tuple = ()  # values backward stores on the layer, e.g. ("dW", "db")
    forward_warning: str = None  # said instead of the generic text when forward prints a warning
    tolerances: dict = field(default_factory=dict)  # {"out": 1e-5}: relative tolerances other than the default


def right_values(exercise, init, inputs, dout):
    """The reference layer's out and gradients for these inputs, as {"out": …, "dx": …}."""
    reference = exercise.reference(*[np.copy(a) for a in init])
    values = {"out": reference.forward(*inputs.values())}
    grads = reference.backward(dout)
    grads = grads if isinstance(grads, tuple) else (grads,)
    values.update(zip(exercise.outputs, grads, strict=True))
    values.update((name, getattr(reference, name)) for name in exercise.attributes)
    return values


def run_layer(check, learner, exercise, init, inputs, dout, layer=None, previous=None):
    """forward(inputs) then backward(dout) on `layer` (a new one when None), every value compared.

    Also: backward leaves the layer's state as forward stored it, returns new arrays, and gives the
    same result when called again. previous: the right values for the layer's previous input.
    """
    right = right_values(exercise, init, inputs, dout)
    if layer is None:
        layer = check.new(*init)
    before = dict(vars(layer)) if hasattr(layer, "__dict__") else {}
    out = check.call_method(layer, "forward", on_warning=exercise.forward_warning, **inputs)
    compare(check, learner, exercise, "out", f"{exercise.name}.forward", out, right, inputs, dout, previous)
    # What this forward stored (assigned anew): backward may read it, never change it.
    stored = {name: value for name, value in check.snapshot(layer).items()
              if name not in exercise.attributes and getattr(layer, name) is not before.get(name)}
    grads = backward(check, layer, exercise, dout)
    for name, value in zip(exercise.outputs, grads, strict=True):
        compare(check, learner, exercise, name, name, value, right, inputs, dout, previous)
    for name in exercise.attributes:
        value = getattr(layer, name, None)
        if value is None:
            check.fail(("not set", name), say("not_set", what=f"{exercise.name}.backward", name=name,
                                              rule=exercise.rules.get(name, "")))
        compare(check, learner, exercise, name, name, value, right, inputs, dout, previous)
    check.expect_new_arrays(f"{exercise.name}.backward", dict(zip(exercise.outputs, grads, strict=True)),
                            {"dout": check.last_arguments.get("dout")}, layer)
    check.expect_state_unchanged(f"{exercise.name}.backward", layer, stored)
    again = backward(check, layer, exercise, dout)
    if not all(same_array(a, b) for a, b in zip(again, grads, strict=True)):
        check.fail(("backward twice",), say("backward_twice", what=f"{exercise.name}.backward"))
    return layer, right


def backward(check, layer, exercise, dout):
    grads = check.call_method(layer, "backward", dout=dout)
    if len(exercise.outputs) == 1:
        return (grads,)
    return tuple(check.two_values(f"{exercise.name}.backward", grads))


def compare(check, learner, exercise, name, what, value, right, inputs, dout, previous):
    related = exercise.related(name, inputs, dout, right)
    if previous is not None:
        related.previous = previous[name]
    note = None
    if exercise.numerical and name == "dx":
        def note():
            return numerical_note(learner, inputs, dout, value)
    check.expect(what, value, right[name], rule=exercise.rules.get(name, ""), related=related, note=note,
                 rtol=exercise.tolerances.get(name, RELATIVE_TOLERANCE))


def numerical_note(learner, inputs, dout, dx):
    """Whether the learner's dx agrees with the numerical gradient of the learner's own forward."""
    from deepnet.gradient import numerical_gradient_array

    x = np.array(next(iter(inputs.values())), dtype=np.float64)
    numeric = numerical_gradient_array(lambda x_: learner().forward(x_), x, dout)
    error = gradient_error(dx, numeric)
    if error < 1e-6:
        return say("numerical_agrees", what="dx")
    return say("numerical", what="dx", error=f"{error:.0e}")


def layer_cases(check, learner, exercise, cases, reuse, twins=()):
    """The usual cases of a layer exercise.

    cases: (description, init, inputs, dout) each on a new instance.
    reuse: (init, first inputs, first dout, second inputs, second dout): the same instance on a
        second input, then two instances used in turn (a probe: the inputs are not negatives of
        each other, so "another instance's state" differs from every other relation).
    twins: (description, gap message, init, inputs, dout, basic inputs, basic dout): contract forms.
    """
    for description, init, inputs, dout in cases:
        with check.case(description, **inputs, dout=dout):
            run_layer(check, learner, exercise, init, inputs, dout)
    for description, gap, init, inputs, dout, basic_inputs, basic_dout in twins:
        check.form_case(description, gap,
                        lambda i=init, x=inputs, d=dout: run_layer(check, learner, exercise, i, x, d),
                        lambda i=init, x=basic_inputs, d=basic_dout: run_layer(check, learner, exercise, i, x, d),
                        **inputs)
    init, first, first_dout, second, second_dout = reuse

    def each_alone():
        run_layer(check, learner, exercise, init, first, first_dout)
        run_layer(check, learner, exercise, init, second, second_dout)

    def used_again():
        layer, right = run_layer(check, learner, exercise, init, first, first_dout)
        run_layer(check, learner, exercise, init, second, second_dout, layer=layer, previous=right)

    # Probes for state: each input alone on a new layer is the twin, so a failure here can only
    # come from what the layer keeps between calls, or shares with another layer.
    check.form_case("the same layer used again on a second, different input", say("stale_state"),
                    used_again, each_alone, **second)
    check.form_case("two layers used in turn (forward of both, then backward of both)", say("shared_state"),
                    lambda: two_in_turn(check, learner, exercise, reuse), each_alone, **second)


def two_in_turn(check, learner, exercise, reuse):
    """Two instances: forward of both, then backward of both (the apple example's order)."""
    init, first, first_dout, second, second_dout = reuse
    first_layer, second_layer = check.new(*init), check.new(*init)
    right_first = right_values(exercise, init, first, first_dout)
    right_second = right_values(exercise, init, second, second_dout)
    # What the first layer's backward gives if it used the second layer's stored values.
    crossed = evaluate(lambda: right_values(exercise, init, second, first_dout)) or {}
    check.call_method(first_layer, "forward", **first)
    check.call_method(second_layer, "forward", **second)
    for layer, right, inputs, dout, other in ((first_layer, right_first, first, first_dout, crossed),
                                              (second_layer, right_second, second, second_dout, None)):
        grads = backward(check, layer, exercise, dout)
        for name, value in zip(exercise.outputs, grads, strict=True):
            related = exercise.related(name, inputs, dout, right)
            if other is not None:
                related.alternatives[say("other_instance")] = other.get(name)
            check.expect(name, value, right[name],
                         rule=exercise.stale_hint or exercise.rules.get(name, ""), related=related)

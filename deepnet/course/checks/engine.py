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

This module runs the cases and ranks what they find; relations.py finds the relations,
exceptions.py reads exceptions, layer_cases.py holds the cases every layer check runs, and
messages.py every sentence (a template with named placeholders; each check module keeps its own
exercise-specific sentences the same way).
"""

import contextlib
import html
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from deepnet.course.checks.exceptions import (
    HintContext,
    describe_exception,
    exception_hint,
    learner_frame,
    scrub,
)
from deepnet.course.checks.messages import say
from deepnet.course.checks.relations import (
    RELATIVE_TOLERANCE,
    Candidate,
    Related,
    as_expected_shape,
    diagnose,
    number_text,
    relation_values,
    same_array,
    where_text,
)
from deepnet.course.language import N_, translate

STATUSES = ("pass", "warn", "fail", "not attempted", "copied")

MIMETYPE = "application/vnd.deepnet.check+json"

SYMBOLS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "not attempted": "✏️", "copied": "⛔"}

COLOURS = {"pass": "#2e7d32", "warn": "#b26a00", "fail": "#c62828", "not attempted": "#546e7a",
           "copied": "#6a1b9a"}

MAX_FAILURES_SHOWN = 3

ARGUMENT_NAMES = {0: (), 2: ("W", "b"), 3: ("input_size", "hidden_size", "output_size")}

# Everything learner code may raise that a check turns into a message. KeyboardInterrupt is left
# alone: it is how a learner (or the grader's timeout) stops an infinite loop.
LEARNER_ERRORS = (Exception, SystemExit)


# What a check is given, named in its messages (fill() translates them as placeholder values).
KINDS = (N_("class"), N_("function"), N_("values"))


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
            return say(
                "headline_counted",
                symbol=SYMBOLS[self.status],
                name=self.name,
                status=status,
                count=self.cases_run,
            )
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
        self.kind = kind  # one of KINDS: said in the learner's language in "needs your Relu class"
        self.hints = hints or {}  # {ExceptionType or tuple: hint} for this check
        self.source_hints = source_hints  # [(regex on the learner's source, or a test of it, hint)]
        self.findings = []
        self.warnings = []
        self.unwritten = []
        self.contradicted = {}  # candidate key -> cases where it would show but did not
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
        self.settings.enter_context(
            np.printoptions(
                precision=4,
                suppress=True,
                threshold=12,
                linewidth=100,
                edgeitems=3,
                floatmode="maxprec",
                sign="-",
            )
        )
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
        self.case_description = translate(description)
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
        self.findings, self.warnings, self.unwritten, self.contradicted, self.case_warnings = (
            [],
            [],
            [],
            {},
            [],
        )
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
            self.findings[before:] = [
                Finding(
                    self.case_index,
                    translate(description),
                    ("gap", gap_message),
                    say("gap", message=gap_message, case=description) + f" — {detail}",
                )
            ]

    # -- running the learner's code -----------------------------------------------------------

    def fail(self, key, message, confirmed=True, candidates=(), stop=True):
        self.case_failed = True
        self.findings.append(
            Finding(
                self.case_index,
                self.case_description,
                key,
                translate(message),
                confirmed,
                list(candidates),
                self.case_probe,
            )
        )
        if stop:
            raise CaseOver()

    def warn(self, message):
        self.case_warnings.append(translate(message))

    def new(self, *arguments, what=None):
        """An instance of the learner's class, built with copies of `arguments`."""
        what = what or (f"{self.name}({', '.join(ARGUMENT_NAMES.get(len(arguments), ()))})")
        return self.call(
            what, self.learner, *[np.copy(a) if isinstance(a, np.ndarray) else a for a in arguments]
        )

    def call(self, what, function, *positional, on_warning=None, **arguments):
        """Return function(*positional, *arguments.values()); argument names are only for messages.

        The learner gets copies of arrays, so the check's own arrays stay as they were. An argument
        the code changed, or a Python warning it printed, becomes a warning of the check
        (on_warning replaces the generic text; "" ignores the warning).
        """
        given = {
            name: value.copy() if isinstance(value, np.ndarray) else value
            for name, value in arguments.items()
        }
        with (
            warnings.catch_warnings(record=True) as caught,
            np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"),
        ):
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
            self.warn(
                on_warning
                or say(
                    "warned",
                    what=what,
                    category=first.category.__name__,
                    case=self.case_description,
                    text=scrub(str(first.message)),
                )
            )
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
            message = say(
                "raised_at", what=what or self.name, error=text, case=case, line=line, text=line_text
            )
        if not what:  # an exception in the check itself, met on a value it did not foresee
            message = say("could_not_finish", case=case, error=text)
        hint = exception_hint(
            error,
            line_text,
            HintContext(
                what=what or self.name,
                instance=getattr(self, "current_instance", None),
                inputs=self.case_inputs,
                learner=self.learner,
                hints=self.hints,
                source_hints=self.source_hints,
            ),
        )
        if hint:
            message = say("hint", message=message, hint=hint)
        self.case_failed = True
        self.findings.append(
            Finding(self.case_index, case, ("exception", type(error).__name__, line_text or what), message)
        )

    # -- comparing values -----------------------------------------------------------------------

    def numbers(self, what, value):
        """The learner's value as a float array, or a failure saying what came instead."""
        if value is None:
            self.fail(("returned", what, "None"), say("returned_none", what=what))
        if (
            isinstance(value, (tuple, list))
            and len(value) > 1
            and all(isinstance(v, np.ndarray) for v in value)
        ):
            self.fail(
                ("returned", what, "several"),
                say("returned_several", what=what, count=len(value), container=type(value).__name__),
            )
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

    def expect(
        self,
        what,
        got,
        expected,
        rule="",
        related=None,
        also_right=(),
        rtol=RELATIVE_TOLERANCE,
        close=None,
        note=None,
    ):
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
            message = (
                say(
                    "wrong_shape",
                    what=what,
                    got_shape=got.shape,
                    expected_shape=expected.shape,
                    case=self.case_description,
                )
                + rule_text
            )
        elif not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
            message = say(
                "nonfinite",
                what=what,
                bad="nan" if np.any(np.isnan(got)) else "inf",
                case=self.case_description,
                where=where_text(got, expected, related, rtol),
            )
        else:
            message = say(
                "wrong",
                what=what,
                case=self.case_description,
                where=where_text(got, expected, related, rtol),
                expected=number_text(got, expected, True),
                got=number_text(got, expected, False),
            )
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
            if (
                isinstance(now, np.ndarray)
                and now.shape == before.shape
                and not np.array_equal(now, before, equal_nan=True)
            ):
                self.fail(
                    ("changed state", name),
                    say("changed_state", what=what, name=name, copy=f"dx = self.{name}.copy()"),
                )

    def expect_new_arrays(self, what, outputs, arguments, instance):
        """Returned arrays must be new: not an argument, not each other, not the layer's state (a warning)."""
        arrays = [(name, value) for name, value in outputs.items() if isinstance(value, np.ndarray)]
        for name, value in arrays:
            for argument, given in arguments.items():
                if isinstance(given, np.ndarray) and value is given:
                    self.warn(say("returned_argument", what=what, name=argument, output=name))
                    return
        for i, (first, a) in enumerate(arrays):
            for second, b in arrays[i + 1 :]:
                if np.shares_memory(a, b):
                    self.warn(
                        say(
                            "returned_twice",
                            what=what,
                            first=first,
                            second=second,
                            example=f"{first} = dout * 1",
                        )
                    )
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
        self.findings.append(
            Finding(
                0,
                "",
                ("not callable",),
                say("needs_object", check=check_name, name=self.name, kind=self.kind, got=got),
            )
        )
        return False

    def result(self):
        """The CheckResult: fail > not attempted > warn > pass, the messages ranked as explained above."""
        unwritten = [translate(message) for message in self.unwritten]
        if self.findings:
            shown = rank(self.findings, self.contradicted)
            return CheckResult(self.name, "fail", shown + unwritten + self.warnings, self.cases_run)
        if unwritten:
            return CheckResult(self.name, "not attempted", unwritten, self.cases_run)
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
    ordered = sorted(
        confirmed.items(),
        key=lambda item: (item[1][0][0].case_index, item[1][0][0].candidates.index(item[1][0][1])),
    )
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
            message += " " + say(
                "also_wrong",
                count=len(others),
                cases="; ".join(others[:2]) + ("; …" if len(others) > 2 else ""),
            )
        messages.append(message)
    if not messages:  # every failure was folded into a cause above
        messages = [findings[0].message]
    return messages[:MAX_FAILURES_SHOWN]


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


def snake_case(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def a_type(value):
    """'an int', 'a list': the value's type with its article (one template per article)."""
    name = type(value).__name__
    return say("an_type" if name[0].lower() in "aeiou" else "a_type", type=name)

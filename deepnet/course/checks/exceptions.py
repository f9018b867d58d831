"""What an exception in the learner's code says: the line that raised it and a hint.

The hint comes from the exception's text, the line, the instance (a NameError for a name the layer has
as an attribute), the case's inputs (a 1-D x, a plain number) and the learner's source.
"""

import contextlib
import difflib
import inspect
import linecache
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepnet.course.checks.messages import say
from deepnet.course.language import translate


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


LIBRARY_FOLDERS = tuple(
    str(Path(p).resolve())
    for p in {
        Path(__file__).resolve().parents[2],  # deepnet itself
        Path(np.__file__).resolve().parent,
        Path(contextlib.__file__).resolve().parent,  # the standard library
    }
)


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
    functions = (
        [value for value in vars(learner).values() if inspect.isfunction(value)]
        if isinstance(learner, type)
        else [learner]
    )
    parts = []
    for function in functions:
        try:
            parts.append(inspect.getsource(function))
        except (TypeError, OSError):
            pass
    return "\n".join(parts)


def scrub(text, limit=300):
    """Remove memory addresses (they change from run to run) and shorten very long text."""
    text = re.sub(r"\b0x[0-9a-fA-F]{6,}\b", "0x…", text)
    return text if len(text) <= limit else text[:limit] + "…"


def describe_exception(error):
    text = scrub(str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@dataclass
class HintContext:
    """Where the exception happened: the method, the learner's instance and object, the case's inputs,
    and the check's own hints ({ExceptionType: hint}, [(pattern on the source, hint)])."""

    what: str
    instance: object = None
    inputs: dict = field(default_factory=dict)
    learner: object = None
    hints: dict = field(default_factory=dict)
    source_hints: list = field(default_factory=list)


def name_not_defined(error, text, line, context):
    if not isinstance(error, NameError):
        return ""
    name = getattr(error, "name", None) or (re.findall(r"'(\w+)'", text) or [""])[0]
    if name in ("np", "numpy"):
        return say("hint_import_numpy")
    if context.instance is not None and name and hasattr(context.instance, name):
        return say("hint_use_self", name=name)
    return say("hint_not_defined", name=name)


def shape_called(error, text, line, context):
    if isinstance(error, TypeError) and "object is not callable" in text and ".shape(" in line:
        return say("hint_shape_call")
    return ""


def math_on_an_array(error, text, line, context):
    math_call = re.search(r"\bmath\.(\w+)\(", line)
    if isinstance(error, TypeError) and math_call and "arrays can be converted" in text:
        return say("hint_math", function=math_call.group(1))
    return ""


def dict_keys_as_layers(error, text, line, context):
    if isinstance(error, AttributeError) and re.search(
        r"'str' object has no attribute '(backward|forward)'", text
    ):
        return say("hint_dict_keys")
    return ""


def attribute_not_set(error, text, line, context):
    missing = re.search(r"object has no attribute '(\w+)'", text)
    instance = context.instance
    if not (
        isinstance(error, AttributeError)
        and missing
        and instance is not None
        and f"'{type(instance).__name__}' object" in text
    ):
        return ""
    name = missing.group(1)
    close = difflib.get_close_matches(name, [a for a in vars(instance) if not a.startswith("_")], n=1)
    return say(
        "hint_missing_attribute",
        method=context.what,
        name=name,
        close=say("hint_did_you_mean", name=close[0]) if close else "",
    )


def value_is_none(error, text, line, context):
    if "NoneType" not in text:
        return ""
    instance = context.instance
    nones = (
        [f"self.{a}" for a, v in vars(instance).items() if v is None] if hasattr(instance, "__dict__") else []
    )
    return say("hint_none_attributes", names=", ".join(nones)) if nones else say("hint_none")


def two_indices_on_one_dimension(error, text, line, context):
    one_dimensional = [
        (name, value)
        for name, value in context.inputs.items()
        if isinstance(value, np.ndarray) and value.ndim == 1
    ]
    if isinstance(error, IndexError) and "1-dimensional" in text and one_dimensional:
        name, value = one_dimensional[0]
        return say("hint_one_dimensional", name=name, shape=value.shape)
    return ""


def plain_number_input(error, text, line, context):
    numbers = [(name, value) for name, value in context.inputs.items() if isinstance(value, (int, float))]
    numbers.sort(key=lambda item: not re.search(rf"\b{item[0]}\b", line))  # the one the line uses first
    if numbers and re.search(
        r"'(int|float)' object (has no attribute|is not subscriptable)|has no len", text
    ):
        name, value = numbers[0]
        return say("hint_plain_number", name=name, value=value)
    return ""


def missing_key(error, text, line, context):
    return say("hint_key", key=text) if isinstance(error, KeyError) else ""


def if_on_an_array(error, text, line, context):
    if isinstance(error, ValueError) and "truth value of an array" in text:
        return say("hint_truth_value")
    return ""


def from_the_source(error, text, line, context):
    source = learner_source(context.learner)
    for pattern, hint in context.source_hints:
        found = pattern(source) if callable(pattern) else re.search(pattern, source, flags=re.MULTILINE)
        if found:
            return translate(hint)
    return ""


def from_the_check(error, text, line, context):
    for exception_types, hint in context.hints.items():
        if isinstance(error, exception_types):
            return translate(hint)
    return ""


# In this order: the most specific reading of the exception first, the check's generic hint last.
HINT_RULES = (
    name_not_defined,
    shape_called,
    math_on_an_array,
    dict_keys_as_layers,
    attribute_not_set,
    value_is_none,
    two_indices_on_one_dimension,
    plain_number_input,
    missing_key,
    if_on_an_array,
    from_the_source,
    from_the_check,
)


def exception_hint(error, line, context):
    """The first hint a rule finds for this exception, or ""."""
    text = str(error)
    for rule in HINT_RULES:
        hint = rule(error, text, line, context)
        if hint:
            return hint
    return ""

"""How a learner's value relates to the right one: the structural diagnosis of the checks.

diagnose() lists every relation that holds (transposed, an axis kept or not summed, a factor named in
the problem's terms, an input unchanged, another rule's value, the previous input's value, entries
blocked or passed); the engine decides which of them are confirmed causes.
"""

from dataclasses import dataclass, field

import numpy as np

from deepnet.course.checks.messages import say

# Two values are "the same" within these tolerances. They accept every correct formula (np.where,
# tanh-based sigmoid, log-sum-exp) and reject every real mistake, which is off by far more.
RELATIVE_TOLERANCE = 1e-6

ABSOLUTE_TOLERANCE = 1e-9


@dataclass
class Candidate:
    """A relation between the learner's value and the right one: key (for confirmation) and message."""

    key: tuple
    message: str


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


FACTOR_NAMES = {"N": ("factor_N", "factor_1/N"), "C": ("factor_C", "factor_1/C")}


def named_factors(quantities):
    """(key, template, factor, shown value) for every factor the case can name: N, 1/N, C, -1, the loss …"""
    factors = [("-1", "factor_-1", -1.0, 1), ("2", "factor_2", 2.0, 2), ("1/2", "factor_1/2", 0.5, 2)]
    for name, value in quantities.items():
        if name == "loss":
            if value and np.isfinite(value) and abs(value - 1) > 1e-3:
                factors += [
                    ("loss", "factor_loss", value, number(value)),
                    ("1/loss", "factor_1/loss", 1 / value, number(value)),
                ]
            continue
        if value in (0, 1) or name not in FACTOR_NAMES:
            continue
        larger, smaller = FACTOR_NAMES[name]
        factors += [(name, larger, float(value), value), ("1/" + name, smaller, 1 / value, value)]
    if (
        "N" in quantities
        and "C" in quantities
        and quantities["N"] * quantities["C"] > 1
        and quantities["C"] > 1
    ):
        factors.append(
            ("1/NC", "factor_NC", 1 / (quantities["N"] * quantities["C"]), quantities["N"] * quantities["C"])
        )
    return factors


def as_expected_shape(value, expected):
    """One number in an array of shape (1,) counts as one number."""
    value = np.asarray(value, dtype=np.float64)
    return value.reshape(()) if expected.ndim == 0 and value.shape == (1,) else value


def relation_values(what, expected, related):
    """(key, value) of every value-type relation: what the learner's value would be if it held."""
    pairs = [
        ((what, "equals", name), as_expected_shape(value, expected)) for name, value in related.arrays.items()
    ]
    pairs += [
        ((what, "rule", label), None if value is None else as_expected_shape(value, expected))
        for label, value in related.alternatives.items()
    ]
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
        if (
            same(
                np.squeeze(got, axis=tuple(i for i, n in enumerate(got.shape) if n == 1)[:1] or None)
                if 1 in got.shape
                else got,
                expected,
            )
            and 1 in got.shape
        ):
            found.append(
                Candidate(
                    (what, "extra axis"),
                    say("extra_axis", what=what, got_shape=got.shape, expected_shape=expected.shape),
                )
            )
        for axis in range(got.ndim):
            if same(got.sum(axis=axis), expected):
                found.append(
                    Candidate(
                        (what, "not summed", axis),
                        say(
                            "not_summed",
                            what=what,
                            got_shape=got.shape,
                            expected_shape=expected.shape,
                            axis=axis,
                            axis_name=related.axis_names.get(axis, f"axis {axis}"),
                        ),
                    )
                )
    if (
        got.size == expected.size
        and got.ndim != expected.ndim
        and same(got.reshape(expected.shape), expected)
    ):
        found.append(
            Candidate(
                (what, "reshape"),
                say("reshape", what=what, got_shape=got.shape, expected_shape=expected.shape),
            )
        )
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


def number(value):
    return f"{float(value):.4g}"

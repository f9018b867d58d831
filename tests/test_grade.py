"""`deepnet grade` on realistic submissions: solved, untouched, wrong, endless, broken.

Grading starts kernels, so each kind of submission is graded once, by a module-scoped fixture
that runs the real command line (`deepnet grade --json`), and the tests read its JSON.
"""
import contextlib
import hashlib
import io
import json
import re
from pathlib import Path

import pytest

from deepnet.course import cli, exercises

REPO = Path(__file__).resolve().parent.parent
NAMES = ["5.4-simple-layers", "5.5-activation-layers", "5.6-affine-softmax"]
ENDLESS_TIMEOUT = 4  # seconds per cell for the endless-loop submission


def learner_notebook(name, answers=None, solved=False):
    """An exercise notebook as a learner would submit it: stubs replaced by answers (cell id ->
    source), or by the solution's own code when solved=True."""
    notebook = json.loads((REPO / "exercises" / f"{name}.ipynb").read_text(encoding="utf-8"))
    answers = dict(answers or {})
    if solved:
        solution = json.loads((REPO / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
        answers = {cell["id"]: exercises.cell_source(cell)
                   for cell in solution["cells"] if exercises.is_exercise_cell(cell)}
    for cell in notebook["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    return notebook


def save(notebook, path):
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def run_grade(*args):
    """Run `deepnet grade --json ARGS` in this process; return (exit status, parsed JSON, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["grade", "--json", *map(str, args)])
    return status, json.loads(out.getvalue()) if out.getvalue() else None, err.getvalue()


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


WRONG_RELU = '''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(0, x)

    def backward(self, dout):
        return dout  # forgot to block the gradient where x <= 0
'''

ENDLESS_SIGMOID = '''
class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = np.zeros_like(x)
        i = 0
        while i < x.size:  # never ends: i is never increased
            out.flat[i] = 1 / (1 + np.exp(-x.flat[i]))
        self.out = out
        return out

    def backward(self, dout):
        return dout * self.out * (1.0 - self.out)
'''


BOOK_RELU = '''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0  # the book's code: right values, but it writes into the caller's dout
        dx = dout
        return dx
'''


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """The three notebooks with the solution code pasted in, renamed as submissions get renamed,
    and a 5.5 notebook with the book's own Relu (worth a warning); graded with --solutions."""
    folder = tmp_path_factory.mktemp("solved")
    paths = [save(learner_notebook(name, solved=True), folder / f"student-{i}.ipynb")
             for i, name in enumerate(NAMES)]
    book = learner_notebook("5.5-activation-layers", solved=True)
    next(cell for cell in book["cells"] if cell["id"] == "relu")["source"] = BOOK_RELU
    paths.append(save(book, folder / "book-relu.ipynb"))
    return run_grade("--solutions", REPO / "solutions", *paths)


@pytest.fixture(scope="module")
def unsolved(tmp_path_factory):
    """The shipped stubs, and a 5.5 notebook with a wrong Relu and the right Sigmoid; solutions
    found from the metadata alone (no --solutions)."""
    folder = tmp_path_factory.mktemp("unsolved")
    solved_cells = learner_notebook("5.5-activation-layers", solved=True)["cells"]
    sigmoid = exercises.cell_source(next(cell for cell in solved_cells if cell["id"] == "sigmoid"))
    wrong = save(learner_notebook("5.5-activation-layers", {"relu": WRONG_RELU, "sigmoid": sigmoid}),
                 folder / "wrong-relu.ipynb")
    stubs = [REPO / "exercises" / f"{name}.ipynb" for name in NAMES]
    before = {path: digest(path) for path in [*stubs, wrong]}
    status, report, err = run_grade(*stubs, wrong)
    return status, report, err, before


KERNEL_KILLING_MUL_LAYER = '''
class MulLayer:
    def forward(self, x, y):
        import os
        os._exit(1)  # as if the process ran out of memory
'''


@pytest.fixture(scope="module")
def endless(tmp_path_factory):
    """A 5.5 notebook whose Sigmoid never returns, and a 5.4 notebook whose MulLayer kills the kernel."""
    folder = tmp_path_factory.mktemp("endless")
    loop = save(learner_notebook("5.5-activation-layers", {"sigmoid": ENDLESS_SIGMOID}),
                folder / "loop.ipynb")
    crash = save(learner_notebook("5.4-simple-layers", {"mul-layer": KERNEL_KILLING_MUL_LAYER}),
                 folder / "crash.ipynb")
    return run_grade("--timeout", ENDLESS_TIMEOUT, loop, crash)


def by_name(notebook_report):
    return {exercise["name"]: exercise for exercise in notebook_report["exercises"]}


def test_the_report_has_the_documented_json_shape(unsolved):
    _, report, _, _ = unsolved
    assert set(report) == {"notebooks"}
    for notebook in report["notebooks"]:
        assert set(notebook) == {"path", "exercises", "outputs"}
        assert set(notebook["outputs"]) == {"compared", "matched", "mismatches"}
        for exercise in notebook["exercises"]:
            assert set(exercise) == {"name", "status", "messages"}
            assert exercise["status"] in {"pass", "warn", "fail", "not attempted"}
            assert all(isinstance(message, str) for message in exercise["messages"])


def test_solution_code_in_every_exercise_grades_full_marks_and_exits_0(solved):
    status, report, err = solved
    assert err == ""
    assert [list(by_name(nb)) for nb in report["notebooks"][:3]] == [
        ["MulLayer", "AddLayer"], ["Relu", "Sigmoid"],
        ["Affine", "softmax", "cross_entropy_error", "SoftmaxWithLoss"],
    ]
    for notebook in report["notebooks"][:3]:
        assert {e["status"] for e in notebook["exercises"]} == {"pass"}
        assert notebook["outputs"]["mismatches"] == []
        assert notebook["outputs"]["matched"] == notebook["outputs"]["compared"] >= 3
    assert status == 0


def test_a_warning_is_reported_but_does_not_fail_the_notebook(solved):
    status, report, _ = solved
    book = by_name(report["notebooks"][3])
    assert book["Relu"]["status"] == "warn"
    assert any("changed the dout you were given" in message for message in book["Relu"]["messages"])
    assert report["notebooks"][3]["outputs"]["mismatches"] == []
    assert status == 0


def test_the_shipped_stubs_grade_not_attempted_and_their_outputs_differ(unsolved):
    status, report, _, _ = unsolved
    assert status == 1
    for notebook in report["notebooks"][:3]:
        assert {e["status"] for e in notebook["exercises"]} == {"not attempted"}
        reasons = [m["reason"] for m in notebook["outputs"]["mismatches"]]
        assert reasons and all("NotImplementedError" in reason for reason in reasons)
    # 5.4: the apple and fruit cells run the learner's layers
    assert [m["cell"] for m in report["notebooks"][0]["outputs"]["mismatches"]] == [
        "apple-forward", "apple-backward", "fruit-forward", "fruit-backward"]


def test_a_wrong_answer_fails_with_the_checks_diagnosis_and_the_differing_output(unsolved):
    _, report, _, _ = unsolved
    wrong = report["notebooks"][3]
    assert wrong["path"].endswith("wrong-relu.ipynb")
    exercises_found = by_name(wrong)
    assert exercises_found["Sigmoid"]["status"] == "pass"
    assert exercises_found["Relu"]["status"] == "fail"
    assert any("dx is dout unchanged" in m for m in exercises_found["Relu"]["messages"])
    [mismatch] = wrong["outputs"]["mismatches"]
    assert mismatch["cell"] == "relu-try"
    assert "dx =" in mismatch["reason"] and "the solution's is" in mismatch["reason"]
    assert wrong["outputs"]["matched"] == wrong["outputs"]["compared"] - 1


def test_grading_never_writes_the_learners_files(unsolved):
    _, _, _, before = unsolved
    assert {path: digest(path) for path in before} == before


def test_an_endless_loop_is_reported_as_such_and_the_rest_still_runs(endless):
    status, report, _ = endless
    assert status == 1
    exercises_found = by_name(report["notebooks"][0])
    assert exercises_found["Relu"]["status"] == "not attempted"  # the cells before the loop ran
    assert exercises_found["Sigmoid"]["status"] == "fail"
    assert exercises_found["Sigmoid"]["messages"] == [
        f"the check cell did not finish within {ENDLESS_TIMEOUT} s (an endless loop?)"]
    reasons = {m["cell"]: m["reason"] for m in report["notebooks"][0]["outputs"]["mismatches"]}
    assert reasons["sigmoid-try"] == f"did not finish within {ENDLESS_TIMEOUT} s (an endless loop?)"


@pytest.mark.parametrize("content, reason", [
    ("this is not json", "not a readable notebook"),
    ('{"cells": "none"}', "not a Jupyter notebook"),
    (json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), "no 'deepnet.solution'"),
])
def test_a_file_that_is_not_a_gradable_notebook_gets_one_line_and_exit_2(tmp_path, content, reason):
    path = tmp_path / "submission.ipynb"
    path.write_text(content, encoding="utf-8")
    status, report, err = run_grade(path)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"deepnet grade: {path}: ") and reason in err
    assert report == {"notebooks": [], "errors": [err.removeprefix("deepnet grade: ").strip()]}


def test_a_missing_solution_names_where_it_looked_and_the_option(tmp_path):
    path = save(learner_notebook("5.4-simple-layers"), tmp_path / "x.ipynb")
    status, _, err = run_grade("--solutions", tmp_path, path)
    assert status == 2
    assert f"its solution 5.4-simple-layers.ipynb is not in {tmp_path}; pass --solutions DIR" in err


def test_the_table_lists_each_exercise_and_each_differing_cell(unsolved):
    from deepnet.course.grade import NotebookReport, format_table

    _, report, _, _ = unsolved
    wrong = report["notebooks"][3]
    table = format_table([NotebookReport(
        path=wrong["path"], solution="5.5-activation-layers.ipynb", exercises=wrong["exercises"],
        compared=wrong["outputs"]["compared"], mismatches=wrong["outputs"]["mismatches"],
    )])
    assert re.search(r"^  Relu +FAIL +.*dx is dout unchanged", table, re.MULTILINE)
    assert re.search(r"^  Sigmoid +pass", table, re.MULTILINE)
    assert "cell relu-try: output line" in table and table.rstrip().endswith("=> NOT PASSED")


def test_code_that_kills_the_kernel_is_reported_and_grading_goes_on(endless):
    _, report, _ = endless
    crashed = report["notebooks"][1]
    assert crashed["path"].endswith("crash.ipynb")
    mul, add = crashed["exercises"]
    assert mul["status"] == add["status"] == "fail"
    assert mul["messages"] == add["messages"] == [
        "the check cell did not complete: the kernel stopped (DeadKernelError: Kernel died)"]
    assert crashed["outputs"]["compared"] == len(crashed["outputs"]["mismatches"]) + 1  # the setup cell ran

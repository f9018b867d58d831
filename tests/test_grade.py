"""`deepnet grade` on realistic and on hostile submissions.

Grading starts kernels, so each batch of submissions is graded once, by a module-scoped fixture
that runs the real command line, and the tests read its JSON. Hostile submissions are graded in
one batch of their own, with two at a time (-j 2), beside a right one: each test asserts the
verdict, the exit status, the time the notebook took, and that no file outside the submission's
own working folder changed.
"""

import asyncio
import concurrent.futures
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deepnet.course import cli, exercises, grade, reports, sandbox

REPO = Path(__file__).resolve().parent.parent
NAMES = ["5.4-simple-layers", "5.5-activation-layers", "5.6-affine-softmax"]
CELL_TIMEOUT = 3  # seconds per cell for the hostile batch
# A notebook with one endless cell costs the timeout, the grace before the kill, and a new kernel.
TIME_BOUND = CELL_TIMEOUT + sandbox.GRACE + 25
ROOT = sandbox.running_as_root()
needs_root = pytest.mark.skipif(not ROOT, reason="a read-only machine and no network need root")


def learner_notebook(name, answers=None, solved=False):
    """An exercise notebook as a learner would submit it: stubs replaced by answers (cell id ->
    source), or by the solution's own code when solved=True."""
    notebook = json.loads((REPO / "exercises" / f"{name}.ipynb").read_text(encoding="utf-8"))
    answers = dict(answers or {})
    if solved:
        solution = json.loads((REPO / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
        answers = {
            cell["id"]: exercises.cell_source(cell)
            for cell in solution["cells"]
            if exercises.is_exercise_cell(cell)
        } | answers
    for cell in notebook["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    return notebook


def solved_source(name, cell_id):
    solution = json.loads((REPO / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return exercises.cell_source(next(cell for cell in solution["cells"] if cell["id"] == cell_id))


def stub(cell_id, name="5.5-activation-layers"):
    notebook = json.loads((REPO / "exercises" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return exercises.cell_source(next(cell for cell in notebook["cells"] if cell["id"] == cell_id))


def check_names(name):
    """The exercises of a solution notebook, in order: the names its check cells' records carry."""
    solution = json.loads((REPO / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
    checks = [cell for cell in solution["cells"] if exercises.is_check_cell(cell)]
    return [exercises.check_record(cell)["name"] for cell in checks]


def save(notebook, path):
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def run_grade(*args, output_format="json"):
    """Run `deepnet grade ARGS` in this process; return (exit status, parsed output, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["grade", "--format", output_format, *map(str, args)])
    text = out.getvalue()
    return (
        status,
        json.loads(text) if output_format in ("json", "gradescope", "classroom50") else text,
        err.getvalue(),
    )


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree_digest(*folders):
    """One digest per file under the folders: what no submission may change."""
    return {
        str(path): digest(path)
        for folder in folders
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def by_name(notebook_report):
    return {exercise["name"]: exercise for exercise in notebook_report["exercises"]}


WRONG_RELU = """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(0, x)

    def backward(self, dout):
        return dout  # forgot to block the gradient where x <= 0
"""

BOOK_RELU = """
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
"""


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """The three notebooks with the solution code pasted in, renamed as submissions get renamed,
    and a 5.5 notebook with the book's own Relu (worth a warning); graded with --solutions."""
    folder = tmp_path_factory.mktemp("solved")
    paths = [
        save(learner_notebook(name, solved=True), folder / f"student-{i}.ipynb")
        for i, name in enumerate(NAMES)
    ]
    paths.append(
        save(
            learner_notebook("5.5-activation-layers", {"relu": BOOK_RELU}, solved=True),
            folder / "book-relu.ipynb",
        )
    )
    return run_grade("--solutions", REPO / "solutions", *paths)


@pytest.fixture(scope="module")
def unsolved(tmp_path_factory):
    """The shipped stubs, and a 5.5 notebook with a wrong Relu and the right Sigmoid; solutions
    found from the metadata alone (no --solutions)."""
    folder = tmp_path_factory.mktemp("unsolved")
    wrong = save(
        learner_notebook(
            "5.5-activation-layers",
            {"relu": WRONG_RELU, "sigmoid": solved_source("5.5-activation-layers", "sigmoid")},
        ),
        folder / "wrong-relu.ipynb",
    )
    stubs = [REPO / "exercises" / f"{name}.ipynb" for name in NAMES]
    before = {path: digest(path) for path in [*stubs, wrong]}
    status, report, err = run_grade(*stubs, wrong)
    return status, report, err, before


def test_the_report_has_the_documented_json_shape(unsolved):
    _, report, _, _ = unsolved
    assert set(report) == {"passed", "notebooks"}
    for notebook in report["notebooks"]:
        assert set(notebook) == {
            "path",
            "solution",
            "language",
            "passed",
            "seconds",
            "points",
            "max_points",
            "exercises",
            "outputs",
        }
        assert set(notebook["outputs"]) == {"compared", "matched", "mismatches"}
        for exercise in notebook["exercises"]:
            assert set(exercise) == {"name", "status", "messages", "points", "max_points"}
            assert exercise["status"] in {"pass", "warn", "fail", "not attempted", "copied"}
            assert all(isinstance(message, str) for message in exercise["messages"])


def test_solution_code_in_every_exercise_grades_full_marks_and_exits_0(solved):
    status, report, err = solved
    assert err == ""
    assert [list(by_name(nb)) for nb in report["notebooks"][:3]] == [check_names(name) for name in NAMES]
    assert check_names("5.4-simple-layers") == ["MulLayer", "AddLayer"]
    for notebook in report["notebooks"][:3]:
        assert {e["status"] for e in notebook["exercises"]} == {"pass"}
        assert notebook["outputs"]["mismatches"] == []
        assert notebook["outputs"]["matched"] == notebook["outputs"]["compared"] >= 3
        assert notebook["points"] == notebook["max_points"] == len(notebook["exercises"])
        assert notebook["solution"].endswith(".ipynb") and notebook["passed"]
    assert status == 0 and report["passed"]


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
    assert [m["cell"] for m in report["notebooks"][0]["outputs"]["mismatches"]] == [
        "apple-forward",
        "apple-backward",
        "fruit-forward",
        "fruit-backward",
    ]


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
    # Only Sigmoid is right: Relu is wrong, and the notebook's other exercises are still stubs.
    assert (wrong["points"], wrong["max_points"]) == (1, len(check_names("5.5-activation-layers")))


def test_grading_never_writes_the_learners_files(unsolved):
    _, _, _, before = unsolved
    assert {path: digest(path) for path in before} == before


# ---------------------------------------------------------------------------------------------
# Hostile and broken submissions
# ---------------------------------------------------------------------------------------------

RIGHT_RELU = solved_source("5.5-activation-layers", "relu")
HOSTILE = {
    # name: (cell id -> source, or a whole-notebook change), expected Relu status
    "swallowed-interrupt": (
        {"relu": "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass\n"},
        "fail",
    ),
    "sigint-ignored": (
        {
            "relu": "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True:\n    time.sleep(0.1)\n"
        },
        "fail",
    ),
    "output-flood": ({"relu": "while True:\n    print('x' * 10000)\n"}, "fail"),
    "memory-hog": (
        {
            "relu": "def hog():\n    held = []\n    while True:\n        held.append(bytearray(10**8))\n\n"
            "hog()\n"
        },
        "fail",
    ),
    "segfault": ({"relu": "import ctypes\nctypes.string_at(0)\n"}, "fail"),
    "exits-python": ({"relu": "import os\nos._exit(3)\n"}, "fail"),
    "tampers-with-the-course": (
        {
            "relu": RIGHT_RELU + "\nimport deepnet, pathlib\n"
            "root = pathlib.Path(deepnet.__file__).parent\n"
            "for path in [root / 'course' / 'checks' / 'engine.py', "
            "root.parent / 'solutions' / '5.5-activation-layers.ipynb']:\n"
            "    try:\n        path.write_text('hacked')\n    except OSError:\n        pass\n"
        },
        "pass",
    ),
    "empties-a-classmate": (
        {"relu": RIGHT_RELU + "\ntry:\n    open(CLASSMATE, 'w').close()\nexcept OSError:\n    pass\n"},
        "pass",
    ),
    "leaves-a-process": (
        {
            "relu": RIGHT_RELU + "\nimport subprocess\nsubprocess.Popen(['sleep', '987'], "
            "start_new_session=True)\n"
        },
        "pass",
    ),
    "reads-the-environment": (
        {"relu": "import os\nassert 'DEEPNET_TEST_SECRET' not in os.environ\n" + RIGHT_RELU},
        "pass",
    ),
    "fakes-a-record": (
        {
            "relu": "from IPython.display import display\n"
            "display({'application/vnd.deepnet.check+json': {'name': 'Relu', 'status': "
            "'pass', 'messages': []}, 'text/plain': '✅ Relu: pass'}, raw=True)\n"
            "class Relu:\n    pass\n"
        },
        "fail",
    ),
    "imports-the-answer": ({"relu": "from deepnet.layers import Relu\n"}, "copied"),
    "redefines-the-check": (
        {"relu": "def check_relu(layer):\n    return 'pass'\n\nclass Relu:\n    pass\n"},
        "fail",
    ),
    "checks-deepnets-class": (
        {"relu-check": "import deepnet\ncheck_relu(deepnet.Relu)", "relu": "STUB"},
        "not attempted",
    ),
}
BROKEN = {
    "wrong-solution-link": (
        lambda nb: nb["metadata"]["deepnet"].update(solution="../chapters/x.ipynb"),
        "is not a plain notebook name",
    ),
    "malformed-metadata": (
        lambda nb: nb["metadata"].update(deepnet="oops"),
        "metadata is str, not a mapping",
    ),
    "zero-exercises": (
        lambda nb: nb["metadata"]["deepnet"].update(solution="no-exercises.ipynb"),
        "has no exercise",
    ),
    "other-assignment": (
        lambda nb: nb["metadata"]["deepnet"].update(solution="5.4-simple-layers.ipynb"),
        "it is assignment 5.4-simple-layers, not 5.5-activation-layers",
    ),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    if not ROOT:  # without root a submission's kernel runs with the grader's rights: never try this
        pytest.skip("the hostile submissions are graded only where the grader runs as root")
    folder = tmp_path_factory.mktemp("hostile")
    solutions = tmp_path_factory.mktemp("solutions")
    for path in (REPO / "solutions").glob("*.ipynb"):
        (solutions / path.name).write_bytes(path.read_bytes())
    chapter = json.loads((REPO / "chapters" / "5.5-activation-layers.ipynb").read_text(encoding="utf-8"))
    save(chapter, solutions / "no-exercises.ipynb")  # a chapter: no exercise in it
    classmate = save(learner_notebook("5.5-activation-layers", solved=True), folder / "classmate.ipynb")
    paths = [classmate]
    for name, (answers, _) in HOSTILE.items():
        answers = {
            key: stub("relu") if value == "STUB" else value.replace("CLASSMATE", repr(str(classmate)))
            for key, value in answers.items()
        }
        paths.append(
            save(learner_notebook("5.5-activation-layers", answers, solved=True), folder / f"{name}.ipynb")
        )
    for name, (change, _) in BROKEN.items():
        notebook = learner_notebook("5.5-activation-layers", solved=True)
        change(notebook)
        paths.append(save(notebook, folder / f"{name}.ipynb"))
    protected = [REPO / "deepnet", REPO / "solutions", folder, solutions]
    before = tree_digest(*protected)
    os.environ["DEEPNET_TEST_SECRET"] = "s3cret"
    try:
        status, report, err = run_grade(
            "-j",
            "2",
            "--timeout",
            CELL_TIMEOUT,
            "--memory-limit",
            1500,
            "--solutions",
            solutions,
            "--assignment",
            "5.5-activation-layers",
            *paths,
        )
    finally:
        del os.environ["DEEPNET_TEST_SECRET"]
    after = tree_digest(*protected)
    leftovers = subprocess.run(["pgrep", "-f", "sleep 987"], capture_output=True, text=True).stdout.split()
    notebooks = {Path(nb["path"]).stem: nb for nb in report["notebooks"]}
    return status, notebooks, err, before, after, leftovers


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_submission_gets_its_verdict_in_bounded_time(hostile, name):
    status, notebooks, _, _, _, _ = hostile
    notebook = notebooks[name]
    relu = by_name(notebook)["Relu"]
    assert relu["status"] == HOSTILE[name][1], relu
    assert not notebook["passed"] or name in (
        "tampers-with-the-course",
        "empties-a-classmate",
        "leaves-a-process",
        "reads-the-environment",
    )
    assert status == 2  # the batch holds broken files too
    assert notebook["seconds"] < TIME_BOUND


@pytest.mark.parametrize("name", ["swallowed-interrupt", "sigint-ignored", "output-flood"])
def test_an_endless_cell_is_reported_as_a_timeout_and_the_rest_still_runs(hostile, name):
    _, notebooks, _, _, _, _ = hostile
    found = by_name(notebooks[name])
    assert any("did not finish within 3 s" in message for message in found["Relu"]["messages"]), found
    assert found["Sigmoid"]["status"] == "pass"  # the cells after it ran, in a new kernel


@pytest.mark.parametrize("name", ["segfault", "exits-python", "memory-hog"])
def test_a_crash_is_reported_and_the_notebook_goes_on(hostile, name):
    _, notebooks, _, _, _, _ = hostile
    found = by_name(notebooks[name])
    assert found["Relu"]["status"] == "fail"
    assert found["Sigmoid"]["status"] == "pass"


def test_no_file_outside_the_submissions_folders_changed(hostile):
    _, _, _, before, after, _ = hostile
    assert after == before


def test_the_classmate_is_graded_normally(hostile):
    _, notebooks, _, _, _, _ = hostile
    assert notebooks["classmate"]["passed"]


def test_no_process_of_a_submission_is_left_running(hostile):
    assert hostile[5] == []


def test_an_imported_answer_is_copied_not_passed(hostile):
    _, notebooks, _, _, _, _ = hostile
    relu = by_name(notebooks["imports-the-answer"])["Relu"]
    assert relu["messages"] == [
        "Relu is deepnet's own implementation (deepnet.layers.Relu), not yours: write it yourself"
    ]
    assert relu["points"] == 0


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_submission_gets_one_error_line_and_the_batch_goes_on(hostile, name):
    status, notebooks, err, _, _, _ = hostile
    notebook = notebooks[name]
    assert BROKEN[name][1] in notebook["error"]
    assert not notebook["passed"] and notebook["exercises"] == []
    assert [line for line in err.splitlines() if name in line] == [
        f"deepnet grade: {notebook['path']}: {notebook['error']}"
    ]
    assert status == 2


@needs_root
def test_the_course_files_are_read_only_and_there_is_no_network_for_the_kernel(tmp_path):
    folder = sandbox.new_folder(tmp_path, "probe")

    async def probe():
        async with sandbox.Sandbox(folder) as box:
            return [
                await box.run(source, timeout=30)
                for source in [
                    f"open({str(REPO / 'README.md')!r}, 'a')",
                    "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=2)",
                    "open('mine.txt', 'w').write('ok')",
                ]
            ]

    # In a thread of its own: a browser test may have left this thread's event loop running.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        write, network, own = thread.submit(asyncio.run, probe()).result()
    assert (write.status, write.error_name) == ("error", "OSError") and "Read-only" in write.error_value
    assert network.status == "error" and "unreachable" in network.error_value.lower()
    assert own.status == "ok"


@pytest.mark.parametrize(
    "content, reason",
    [
        ("this is not json", "not a readable notebook"),
        ('{"cells": "none"}', "not a Jupyter notebook"),
        (
            json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
            "no 'deepnet.solution'",
        ),
    ],
)
def test_a_file_that_is_not_a_gradable_notebook_gets_one_line_and_exit_2(tmp_path, content, reason):
    path = tmp_path / "submission.ipynb"
    path.write_text(content, encoding="utf-8")
    status, report, err = run_grade(path)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"deepnet grade: {path}: ") and reason in err
    assert report["notebooks"][0]["error"] in err and not report["passed"]


def test_a_missing_solution_names_where_it_looked_and_the_option(tmp_path):
    path = save(learner_notebook("5.4-simple-layers"), tmp_path / "x.ipynb")
    status, _, err = run_grade("--solutions", tmp_path, path)
    assert status == 2
    assert f"its solution 5.4-simple-layers.ipynb is not in {tmp_path}; pass --solutions DIR" in err


def test_a_kernel_that_cannot_start_is_exit_2_not_a_wrong_answer(tmp_path, monkeypatch):
    async def no_kernel(self):
        raise sandbox.SandboxError("the kernel did not start (OSError: no sockets)")

    monkeypatch.setattr(sandbox.Sandbox, "start", no_kernel)
    path = save(learner_notebook("5.4-simple-layers", solved=True), tmp_path / "x.ipynb")
    status, report, err = run_grade(path)
    assert status == 2
    assert "the kernel did not start" in report["notebooks"][0]["error"]
    assert report["notebooks"][0]["exercises"] == []


# ---------------------------------------------------------------------------------------------
# Formats, and parallel grading
# ---------------------------------------------------------------------------------------------


def reports_of(unsolved):
    _, report, _, _ = unsolved
    return [
        grade.NotebookReport(
            path=nb["path"],
            solution=nb["solution"],
            exercises=nb["exercises"],
            compared=nb["outputs"]["compared"],
            mismatches=nb["outputs"]["mismatches"],
        )
        for nb in report["notebooks"]
    ]


def test_the_table_lists_each_exercise_and_each_differing_cell(unsolved):
    table = reports.table(reports_of(unsolved)[3:])
    assert re.search(r"^  Relu +FAIL +.*dx is dout unchanged", table, re.MULTILINE)
    assert re.search(r"^  Sigmoid +pass", table, re.MULTILINE)
    assert "cell relu-try: output line" in table
    assert f"points: 1 of {len(check_names('5.5-activation-layers'))}" in table
    assert table.rstrip().endswith("=> NOT PASSED")


def test_the_gradebook_has_one_row_per_notebook_and_one_column_per_exercise(unsolved):
    rows = list(csv.DictReader(io.StringIO(reports.gradebook(reports_of(unsolved)))))
    assert len(rows) == 4
    assert {"MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "softmax"} <= set(rows[0])
    assert (rows[3]["Relu"], rows[3]["Sigmoid"], rows[3]["points"]) == ("0", "1", "1")
    assert rows[3]["max_points"] == str(len(check_names("5.5-activation-layers")))
    assert rows[0]["Relu"] == ""  # not an exercise of that notebook


def test_the_gradescope_results_follow_the_autograder_spec(unsolved):
    document = json.loads(reports.gradescope(reports_of(unsolved)))
    assert isinstance(document["score"], (int, float)) and isinstance(document["output"], str)
    for test in document["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
        assert (
            isinstance(test["score"], (int, float))
            and test["score"] <= test["max_score"]
            or test["max_score"] == 0
        )
    assert document["score"] == sum(test["score"] for test in document["tests"]) == 1


def test_the_classroom50_result_follows_its_schema(unsolved):
    document = json.loads(reports.classroom50(reports_of(unsolved)))
    assert document["schema"] == "classroom50/result/v1"
    total = sum(len(check_names(name)) for name in NAMES) + len(check_names("5.5-activation-layers"))
    assert (document["score"], document["max-score"]) == (1, total)
    for test in document["tests"]:
        assert set(test) == {"test-name", "passed", "score", "max-score"}
        assert isinstance(test["passed"], bool)


def test_the_markdown_summary_has_a_table_per_notebook(unsolved):
    text = reports.markdown(reports_of(unsolved))
    assert text.startswith("## deepnet grade: 0 of 4 notebooks passed")
    assert text.count("| exercise | status | message |") == 4
    assert "| Relu | FAIL | dx is dout unchanged" in text


def test_two_at_a_time_gives_the_same_report_as_one_at_a_time(unsolved):
    status, report, _, _ = unsolved
    paths = [nb["path"] for nb in report["notebooks"]]
    again, sequential, _ = run_grade("-j", "1", *paths)

    def without_timings(document):
        return [{key: value for key, value in nb.items() if key != "seconds"} for nb in document["notebooks"]]

    assert again == status and without_timings(sequential) == without_timings(report)


def test_the_exercise_notebooks_tell_colab_learners_that_grading_needs_the_file():
    for name in NAMES:
        text = (REPO / "exercises" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "Colab" in text and "deepnet grade" in text and "download" in text.lower()


def test_the_command_line_help_lists_every_format_and_limit():
    out = subprocess.run(
        [sys.executable, "-m", "deepnet.course", "grade", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    for option in ("--format", "--timeout", "--notebook-timeout", "--memory-limit", "--jobs", "--assignment"):
        assert option in out
    for name in reports.FORMATS:
        assert name in out

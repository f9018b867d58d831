"""`deepnet exercises`: the shipped stubs match the solutions, hide the answers, and never
overwrite a learner's work. Kernel-free except the last test (lax nbval on exercises/)."""
import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deepnet.course import cli, exercises

REPO = Path(__file__).resolve().parent.parent
NAMES = ["5.4-simple-layers", "5.5-activation-layers", "5.6-affine-softmax", "5.7-backprop-network"]
EXERCISES = {  # notebook -> the class or function each exercise defines, in order
    "5.4-simple-layers": ["MulLayer", "AddLayer"],
    "5.5-activation-layers": ["ReLU mask of x with a 0", "Relu", "Sigmoid graph at x = 0", "Sigmoid"],
    "5.6-affine-softmax": ["Affine", "dB for the book's dY", "softmax", "cross_entropy_error",
                           "SoftmaxWithLoss"],
    "5.7-backprop-network": ["TwoLayerNet"],
}


def load(folder, name):
    return json.loads((REPO / folder / f"{name}.ipynb").read_text(encoding="utf-8"))


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def solution_lines(source):
    """The non-blank lines between BEGIN and END SOLUTION."""
    inside, lines = False, []
    for line in source.splitlines():
        if line.strip() == exercises.SOLUTION_BEGIN:
            inside = True
        elif line.strip() == exercises.SOLUTION_END:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


@pytest.fixture
def course(tmp_path):
    """A throwaway course folder: a copy of solutions/, with exercises/ generated from it."""
    shutil.copytree(REPO / "solutions", tmp_path / "solutions")
    ok, _ = exercises.generate(tmp_path)
    assert ok
    return tmp_path


def test_solutions_and_exercises_hold_the_same_notebooks():
    for folder in ("solutions", "exercises"):
        assert sorted(p.stem for p in (REPO / folder).glob("*.ipynb")) == NAMES


def test_shipped_exercises_are_what_the_solutions_generate():
    result = subprocess.run([sys.executable, "-m", "deepnet.course", "exercises", "--check"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    solutions = sorted((REPO / "solutions").glob("*.ipynb")) + sorted((REPO / "solutions").glob("*/*.ipynb"))
    assert len(solutions) > len(NAMES)  # the English ones and the translated ones
    assert result.stdout.count("is up to date") == len(solutions)
    for solution in solutions:
        exercise = REPO / "exercises" / solution.relative_to(REPO / "solutions")
        assert f"{exercise.relative_to(REPO).as_posix()} is up to date" in result.stdout


@pytest.mark.parametrize("name", NAMES)
def test_each_exercise_cell_defines_the_books_name_and_is_followed_by_its_check(name):
    solution = load("solutions", name)
    cells = code_cells(solution)
    defined = []
    for index, cell in enumerate(cells):
        if not exercises.is_exercise_cell(cell):
            continue
        tree = ast.parse(exercises.cell_source(cell))
        check = exercises.cell_source(cells[index + 1])
        record = exercises.check_record(cells[index + 1])
        assert check.startswith("check_") and record["status"] == "pass"
        if all(isinstance(statement, ast.Assign) for statement in tree.body):
            # A conceptual exercise: the learner assigns named values, and the check gets them all.
            names = list(dict.fromkeys(target.id for statement in tree.body for target in statement.targets))
            assert check.endswith(f"({', '.join(names)})")
            defined.append(record["name"])
            continue
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.ClassDef | ast.FunctionDef)
        defined.append(tree.body[0].name)
        assert check.endswith(f"({tree.body[0].name})")
        assert record["name"] == tree.body[0].name
    assert defined == EXERCISES[name]


@pytest.mark.parametrize("name", NAMES)
def test_exercises_keep_cell_ids_and_hide_every_solution_line(name):
    solution, exercise = load("solutions", name), load("exercises", name)
    assert [c["id"] for c in exercise["cells"]] == [c["id"] for c in solution["cells"]]
    for solved, stub in zip(code_cells(solution), code_cells(exercise), strict=True):
        stub_source = exercises.cell_source(stub)
        assert exercises.SOLUTION_BEGIN not in stub_source
        if exercises.is_exercise_cell(solved):
            assert "raise NotImplementedError()" in stub_source
            assert stub["outputs"] == [] and stub["execution_count"] is None
            stub_lines = {line.strip() for line in stub_source.splitlines()}
            assert not stub_lines & set(solution_lines(exercises.cell_source(solved)))
    # No stored output anywhere in the exercise shows an answer (a check's record, an apple price).
    assert exercises.CHECK_MIMETYPE not in json.dumps(exercise)
    assert exercise["metadata"]["deepnet"]["solution"] == f"{name}.ipynb"


def test_a_stub_keeps_the_code_around_the_answer_at_its_indentation():
    source = (
        "class Relu:\n"
        "    def forward(self, x):\n"
        "        ### BEGIN SOLUTION\n"
        "        self.mask = x <= 0\n"
        "        return np.where(self.mask, 0, x)\n"
        "        ### END SOLUTION\n"
        "\n"
        "    def backward(self, dout):\n"
        "        return dout"
    )
    assert exercises.stub_source(source) == (
        "class Relu:\n"
        "    def forward(self, x):\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError()\n"
        "\n"
        "    def backward(self, dout):\n"
        "        return dout"
    )


@pytest.mark.parametrize("source, complaint", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "twice"),
])
def test_unbalanced_solution_markers_are_named_with_their_cell(source, complaint):
    with pytest.raises(exercises.ExerciseError, match=complaint) as error:
        exercises.stub_source(source, where="5.5-activation-layers.ipynb, cell relu")
    assert "cell relu" in str(error.value)


def test_the_generator_refuses_to_overwrite_an_edited_exercise_unless_forced(course, capsys):
    target = course / "exercises" / "5.5-activation-layers.ipynb"
    notebook = json.loads(target.read_text(encoding="utf-8"))
    relu = next(cell for cell in notebook["cells"] if cell["id"] == "relu")
    relu["source"] = "class Relu:\n    pass  # my own work\n"
    edited = json.dumps(notebook)
    target.write_text(edited, encoding="utf-8")

    assert cli.main(["exercises", "--root", str(course)]) == 1
    message = capsys.readouterr().out
    assert "exercises/5.5-activation-layers.ipynb was edited since it was generated" in message
    assert "sources_sha256" in message and "--force" in message
    assert target.read_text(encoding="utf-8") == edited

    assert cli.main(["exercises", "--root", str(course), "--force", "5.5-activation-layers"]) == 0
    assert "my own work" not in target.read_text(encoding="utf-8")


def test_running_an_exercise_notebook_is_not_editing_it(course):
    """Outputs and execution counts change when a learner runs cells; their code does not."""
    target = course / "exercises" / "5.4-simple-layers.ipynb"
    notebook = json.loads(target.read_text(encoding="utf-8"))
    for number, cell in enumerate(code_cells(notebook), start=1):
        cell["execution_count"] = number
    target.write_text(json.dumps(notebook), encoding="utf-8")
    assert not exercises.was_edited(target)
    ok, messages = exercises.generate(course, ["5.4-simple-layers"])  # in every language
    assert ok and messages[0] == "wrote exercises/5.4-simple-layers.ipynb"
    assert messages[1:] == ["exercises/ko/5.4-simple-layers.ipynb is up to date"]


def test_check_names_each_stale_or_missing_exercise_and_fails(course, capsys):
    solution = course / "solutions" / "5.6-affine-softmax.ipynb"
    notebook = json.loads(solution.read_text(encoding="utf-8"))
    title = next(cell for cell in notebook["cells"] if cell["source"] and "# " in cell["source"][0]
                 and cell["cell_type"] == "markdown" and not cell["id"].startswith("colab-"))
    title["source"] = "# A new title"
    solution.write_text(json.dumps(notebook), encoding="utf-8")
    (course / "exercises" / "5.4-simple-layers.ipynb").unlink()

    assert cli.main(["exercises", "--check", "--root", str(course)]) == 1
    out = capsys.readouterr().out
    assert "exercises/5.4-simple-layers.ipynb is missing" in out
    assert "exercises/5.5-activation-layers.ipynb is up to date" in out
    assert "exercises/5.6-affine-softmax.ipynb is stale" in out and "deepnet exercises" in out
    assert not (course / "exercises" / "5.4-simple-layers.ipynb").exists()  # --check writes nothing


def test_an_unknown_notebook_name_is_an_error_listing_the_known_ones(course, capsys):
    assert cli.main(["exercises", "--root", str(course), "5.9-nothing"]) == 2
    assert "5.5-activation-layers" in capsys.readouterr().err


def test_the_shipped_stubs_pass_lax_nbval():
    """The README's `pytest` is strict; this is the lax run on exercises/ (one process cannot be both).

    pyproject's addopts add --nbval; given with --nbval-lax, nbval lets lax win, so the command is
    just `pytest --nbval-lax exercises/`. Lax mode compares no outputs, but a cell that raises
    still fails unless tagged raises-exception: the generator tags the cells that call unfinished
    exercises."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", "exercises/"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_an_interrupted_write_leaves_the_old_exercise_notebook_and_no_temporary_file(course, monkeypatch):
    target = course / "exercises" / "5.5-activation-layers.ipynb"
    target.write_text(target.read_text(encoding="utf-8").replace("# YOUR CODE HERE", "# YOUR  CODE HERE"),
                      encoding="utf-8")  # stale, so it will be rewritten
    before = target.read_bytes()

    def interrupted(source, destination):
        raise KeyboardInterrupt  # as if the learner pressed Ctrl-C just before the rename
    monkeypatch.setattr(exercises.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        exercises.generate(course, ["5.5-activation-layers"], force=True)
    assert target.read_bytes() == before
    assert sorted(path.name for path in target.parent.iterdir() if path.name.startswith(".")) == []


def test_a_broken_marker_in_one_solution_stops_before_any_notebook_is_written(course):
    solution = course / "solutions" / "5.6-affine-softmax.ipynb"
    notebook = json.loads(solution.read_text(encoding="utf-8"))
    cell = next(cell for cell in notebook["cells"] if cell["id"] == "softmax")
    cell["source"] = exercises.cell_source(cell).replace("### END SOLUTION", "")
    solution.write_text(json.dumps(notebook), encoding="utf-8")
    for path in (course / "exercises").glob("*.ipynb"):
        path.unlink()
    with pytest.raises(exercises.ExerciseError, match=r"5\.6-affine-softmax\.ipynb, cell softmax"):
        exercises.generate(course)
    assert list((course / "exercises").glob("*.ipynb")) == []

"""`deepnet exercises`: write exercises/X.ipynb from solutions/X.ipynb.

A solution notebook marks each answer (nbgrader's convention):

    class Relu:
        def forward(self, x):
            ### BEGIN SOLUTION
            self.mask = x <= 0
            ...
            ### END SOLUTION

and the exercise notebook gets, at the same indentation,

            # YOUR CODE HERE
            raise NotImplementedError()

Cell ids are kept, so `deepnet grade` can match a learner's cell with its solution cell. Every
code cell from the first exercise on may run the learner's code (directly, or through objects an
earlier cell made): those cells lose their stored outputs (they would show the answers), and all
but the exercise and check cells are tagged `raises-exception`, since they raise
NotImplementedError until the exercises are done; so `pytest --nbval-lax exercises/` passes on
the stubs. (Check cells never raise, and defining a stub raises nothing.)

Notebooks are read and written as plain JSON, in the layout nbformat writes: nbformat takes
seconds to import, and `deepnet exercises --check` should not.
"""

import hashlib
import json
import os
from pathlib import Path

from deepnet.course import colab
from deepnet.course.checks import MIMETYPE as CHECK_MIMETYPE
from deepnet.course.language import fill

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
STUB_LINES = ("# YOUR CODE HERE", "raise NotImplementedError()")
EXERCISE_TAG = "exercise"
# Lets a cell raise under nbval: given to the cells that may call an unfinished exercise.
RAISES_TAG = "raises-exception"
# Key of the notebook metadata that `deepnet exercises` writes and `deepnet grade` reads.
METADATA_KEY = "deepnet"


MESSAGES = {
    "unreadable": "{path}: not a readable notebook ({error})",
    "not_a_notebook": "{path}: not a Jupyter notebook (no list of cells in it)",
    "where": "{notebook}, cell {cell}",
    "begin_twice": "{where}: '{begin}' twice without '{end}' between",
    "end_alone": "{where}: '{end}' without a '{begin}' before it",
    "never_closed": "{where}: '{begin}' is never closed by '{end}'",
    "tag_no_begin": "{where}: tagged '{tag}' but has no '{begin}'",
    "begin_no_tag": "{where}: has '{begin}' but no '{tag}' tag",
    "no_solution": "no solution notebook {path}; the solutions are: {known}",
    "up_to_date": "{path} is up to date",
    "wrote": "wrote {path}",
    "missing": "{path} is missing: it is what {solution} generates; run `deepnet exercises` to write it",
    "stale": "{path} is stale: it differs from what {solution} generates; run `deepnet exercises` to "
    "regenerate it",
    "edited": "{path} was edited since it was generated (its cells no longer match the fingerprint "
    "`deepnet exercises` stored in its metadata, '{key}.sources_sha256'); kept it. Save your work under "
    "another name, or pass --force to overwrite it",
}


class ExerciseError(Exception):
    """A solution notebook that breaks the conventions, or an exercise we must not overwrite."""


def read_notebook(path):
    """Load a notebook as a dict; raise ExerciseError with a one-line reason if it is not one."""
    path = Path(path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExerciseError(fill(MESSAGES["unreadable"], path=path, error=error)) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ExerciseError(fill(MESSAGES["not_a_notebook"], path=path))
    return notebook


def notebook_text(notebook):
    """The file content nbformat would write for this notebook (one-space indent, sorted keys)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def cell_source(cell):
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def source_lines(text):
    """Store a source as nbformat does: a list of lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def cell_tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def is_exercise_cell(cell):
    return cell.get("cell_type") == "code" and EXERCISE_TAG in cell_tags(cell)


def check_record(cell):
    """The {name, status, messages} record a check cell displayed (see deepnet.course.checks), or None."""
    for output in cell.get("outputs", []):
        record = output.get("data", {}).get(CHECK_MIMETYPE)
        if record is not None:
            return record
    return None


def is_check_cell(cell):
    """A cell whose stored output is a check record."""
    return check_record(cell) is not None


def stub_source(source, where="cell"):
    """Replace each BEGIN/END SOLUTION region by the two stub lines, at the marker's indentation."""
    stub = []
    inside = False
    for line in source.splitlines(keepends=True):
        marker = line.strip()
        if marker == SOLUTION_BEGIN:
            if inside:
                raise ExerciseError(
                    fill(MESSAGES["begin_twice"], where=where, begin=SOLUTION_BEGIN, end=SOLUTION_END)
                )
            indent = line[: len(line) - len(line.lstrip())]
            stub += [f"{indent}{STUB_LINES[0]}\n", f"{indent}{STUB_LINES[1]}\n"]
            inside = True
        elif marker == SOLUTION_END:
            if not inside:
                raise ExerciseError(
                    fill(MESSAGES["end_alone"], where=where, begin=SOLUTION_BEGIN, end=SOLUTION_END)
                )
            inside = False
        elif not inside:
            stub.append(line)
    if inside:
        raise ExerciseError(
            fill(MESSAGES["never_closed"], where=where, begin=SOLUTION_BEGIN, end=SOLUTION_END)
        )
    text = "".join(stub)
    # Jupyter stores a cell without its final newline; keep the solution's habit.
    return text if source.endswith("\n") else text.removesuffix("\n")


def sources_fingerprint(notebook):
    """SHA-256 of every cell's type and source: what a learner changes when they work.

    Outputs and execution counts are left out, so running a notebook is not "editing" it.
    """
    cells = [[cell.get("cell_type"), cell_source(cell)] for cell in notebook["cells"]]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def exercise_notebook(solution, solution_name, folder=""):
    """Build the exercise notebook (a new dict) from a solution notebook (left unchanged).
    folder: "" for English, or the language folder ("ko") of a translated solution."""
    exercise = json.loads(json.dumps(solution))  # a deep copy
    after_first_exercise = False
    for cell in exercise["cells"]:
        if cell.get("cell_type") != "code":
            continue
        after_first_exercise = after_first_exercise or is_exercise_cell(cell)
        where = fill(MESSAGES["where"], notebook=solution_name, cell=cell.get("id", "?"))
        source = cell_source(cell)
        if is_exercise_cell(cell):
            if SOLUTION_BEGIN not in source:
                raise ExerciseError(
                    fill(MESSAGES["tag_no_begin"], where=where, tag=EXERCISE_TAG, begin=SOLUTION_BEGIN)
                )
            stub = stub_source(source, where)
            cell["source"] = source_lines(stub)
            # A stub at the top level of the cell (a conceptual exercise that assigns values, not a
            # class) raises as soon as the cell runs: let it, under nbval too.
            if "\nraise NotImplementedError()" in "\n" + stub:
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                if RAISES_TAG not in tags:
                    tags.append(RAISES_TAG)
        elif SOLUTION_BEGIN in source:
            raise ExerciseError(
                fill(MESSAGES["begin_no_tag"], where=where, tag=EXERCISE_TAG, begin=SOLUTION_BEGIN)
            )
        elif after_first_exercise:
            if not is_check_cell(cell):
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                if RAISES_TAG not in tags:
                    tags.append(RAISES_TAG)
        else:
            continue
        cell["outputs"] = []
        cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)  # timings of the solution's run
    # The exercise's own badge: one copied from the solution would open the solution on Colab.
    colab.add_colab_cells(exercise, "/".join(["exercises", *filter(None, [folder]), solution_name]))
    exercise["metadata"][METADATA_KEY] = {
        "solution": solution_name,
        "sources_sha256": sources_fingerprint(exercise),
    }
    return exercise


def was_edited(path):
    """True when the exercise file at path is not as `deepnet exercises` left it (or unreadable)."""
    try:
        notebook = read_notebook(path)
    except ExerciseError:
        return True
    stored = notebook.get("metadata", {}).get(METADATA_KEY, {}).get("sources_sha256")
    return stored != sources_fingerprint(notebook)


def find_course_root(start=None):
    """The folder holding solutions/: the current directory if it has one, else the repository
    that holds this package (an editable install). None if neither has it."""
    for candidate in (Path(start or Path.cwd()), Path(__file__).resolve().parents[2]):
        if (candidate / "solutions").is_dir():
            return candidate
    return None


def select_solutions(solutions_dir, names):
    """Solution notebooks to generate from: all of them (the English ones and the translated ones in
    solutions/<language>/), or those named (with or without .ipynb), in every language."""
    available = sorted(solutions_dir.glob("*.ipynb")) + sorted(solutions_dir.glob("*/*.ipynb"))
    if not names:
        return available
    chosen = []
    for name in names:
        wanted = Path(name).name
        wanted = wanted if wanted.endswith(".ipynb") else wanted + ".ipynb"
        path = solutions_dir / wanted
        if not path.is_file():
            known = ", ".join(sorted({p.stem for p in available})) or "none"
            raise ExerciseError(fill(MESSAGES["no_solution"], path=path, known=known))
        chosen += [p for p in available if p.name == wanted]
    return chosen


def language_folder(path, solutions_dir):
    """ "ko" for solutions/ko/X.ipynb, "" for solutions/X.ipynb."""
    parent = path.parent.relative_to(solutions_dir)
    return "" if parent == Path(".") else parent.as_posix()


def generate(root, names=(), check=False, force=False):
    """Write (or with check=True, compare) exercises/X.ipynb for solutions/X.ipynb under root.

    Returns (ok, messages): ok is False when a file is stale (check) or was not overwritten
    because the learner edited it (no force).
    """
    root = Path(root)
    ok = True
    messages = []
    # Every notebook is built before any is written: a broken marker in one solution stops the
    # run with its file and cell named, and no exercise notebook is left half done.
    solutions_dir = root / "solutions"
    planned = [
        (
            path,
            notebook_text(
                exercise_notebook(read_notebook(path), path.name, language_folder(path, solutions_dir))
            ),
        )
        for path in select_solutions(solutions_dir, names)
    ]
    for solution_path, wanted in planned:
        exercise_path = root / "exercises" / solution_path.relative_to(solutions_dir)
        shown = exercise_path.relative_to(root).as_posix()
        current = exercise_path.read_text(encoding="utf-8") if exercise_path.is_file() else None
        if current == wanted:
            messages.append(fill(MESSAGES["up_to_date"], path=shown))
        elif check:
            ok = False
            messages.append(
                fill(
                    MESSAGES["missing" if current is None else "stale"],
                    path=shown,
                    solution=solution_path.relative_to(root).as_posix(),
                )
            )
        elif current is not None and not force and was_edited(exercise_path):
            ok = False
            messages.append(fill(MESSAGES["edited"], path=shown, key=METADATA_KEY))
        else:
            write_atomically(exercise_path, wanted)
            messages.append(fill(MESSAGES["wrote"], path=shown))
    return ok, messages


def write_atomically(path, text):
    """Write to a temporary file beside path, then rename it: an interrupt or a full disk leaves the
    old file (or none), never a half-written notebook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)

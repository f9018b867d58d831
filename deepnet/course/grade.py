"""`deepnet grade`: run learners' notebooks, collect their check results, compare with the solutions.

For each notebook:
1. It runs in a fresh kernel with nbclient: an in-memory copy (the learner's file is never
   written), a timeout per cell (the kernel is interrupted and the next cells run on), errors
   allowed. Each check cell leaves a record (mimetype CHECK_MIMETYPE, see deepnet.course.checks).
2. Its solution is found from the metadata `deepnet exercises` wrote into it (not the file name:
   submissions get renamed). A comparison notebook is built: the learner's cells, each carrying the
   stored outputs of the solution cell with the same id. `pytest --nbval` runs it (one subprocess
   for all notebooks, started first so that it runs alongside step 1) and reports which cells differ.
   Exercise and check cells are left out of that comparison: the checks judge them.

The result is a NotebookReport per notebook; `passed` is True only when every exercise passes
(or warns) and every compared cell matches.
"""
import json
import re
import subprocess
import sys
import tempfile
import warnings
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from deepnet.course.exercises import (
    METADATA_KEY,
    ExerciseError,
    cell_tags,
    check_record,
    is_check_cell,
    is_exercise_cell,
    read_notebook,
)

DEFAULT_TIMEOUT = 30
IGNORE_OUTPUT_TAG = "nbval-ignore-output"
NOT_COMPARED_TAGS = {IGNORE_OUTPUT_TAG, "nbval-skip", "raises-exception"}
# junit XML writes the escape character of ANSI colours as "#x1B".
ANSI_ESCAPE = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")


class GradeError(Exception):
    """A file that cannot be graded; str() is the one-line reason shown to the user."""


@dataclass
class NotebookReport:
    path: str
    solution: str
    exercises: list = field(default_factory=list)  # dicts: name, status, messages
    compared: int = 0
    mismatches: list = field(default_factory=list)  # dicts: cell, reason

    @property
    def passed(self):
        return not self.mismatches and all(e["status"] in ("pass", "warn") for e in self.exercises)

    def as_json(self):
        return {
            "path": self.path,
            "exercises": self.exercises,
            "outputs": {
                "compared": self.compared,
                "matched": self.compared - len(self.mismatches),
                "mismatches": self.mismatches,
            },
        }


def missing_tools():
    """The modules grading needs beyond deepnet's own dependencies, if any is not installed."""
    import importlib.util

    needed = ("nbformat", "nbclient", "nbval", "pytest")
    return [name for name in needed if importlib.util.find_spec(name) is None]


def first_line(text):
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def load_notebook(path):
    """Read a learner's notebook with nbformat; GradeError (one line) if it is not a notebook."""
    import nbformat  # slow to import (~2 s): only when grading

    try:
        read_notebook(path)  # plain JSON first, for a short and clear reason
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. cell ids added to an old notebook
            return nbformat.read(path, as_version=4)
    except ExerciseError as error:
        raise GradeError(str(error)) from None
    except Exception as error:  # nbformat raises many kinds; all mean "not a notebook we can run"
        raise GradeError(f"{path}: not a valid Jupyter notebook ({first_line(error)})") from None


def default_solution_dirs():
    """Where a solution is looked for when --solutions is not given, in this order."""
    return [Path.cwd() / "solutions", Path(__file__).resolve().parent.parent / "solutions"]


def find_solution(learner, path, solution_dirs):
    """The solution notebook's path, from the metadata that `deepnet exercises` writes."""
    name = learner.metadata.get(METADATA_KEY, {}).get("solution")
    if not name:
        raise GradeError(
            f"{path}: no '{METADATA_KEY}.solution' in its metadata, so its solution is unknown; "
            "grade a notebook made by `deepnet exercises` (or a copy of one)"
        )
    for folder in solution_dirs:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    looked = ", ".join(str(folder) for folder in solution_dirs)
    raise GradeError(f"{path}: its solution {name} is not in {looked}; pass --solutions DIR")


def run_notebook(notebook, cwd, timeout):
    """Execute a copy of the notebook in a fresh kernel; return (executed copy, why it stopped early
    or None). Outputs stored in the file are dropped first: only this run's outputs count."""
    import logging

    import nbformat
    from nbclient import NotebookClient

    executed = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in executed.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    quiet = logging.getLogger("deepnet.course.grade.nbclient")
    quiet.setLevel(logging.CRITICAL)  # timeouts are reported per cell, not logged
    client = NotebookClient(
        executed,
        timeout=timeout,
        interrupt_on_timeout=True,  # interrupt an endless cell and go on with the next
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        log=quiet,
    )
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own start-up chatter
    except Exception as error:  # the kernel died (os._exit, out of memory) or did not start
        return executed, f"the kernel stopped ({type(error).__name__}: {first_line(error)})"
    return executed, None


def error_of(cell, timeout):
    """A short description of the error a cell raised, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "KeyboardInterrupt":
                return f"did not finish within {timeout} s (an endless loop?)"
            name, value = output.get("ename"), first_line(output.get("evalue", ""))
            if name == "NotImplementedError" and not value:
                return "raised NotImplementedError: an exercise it uses is not written yet"
            return f"raised {name}: {value}" if value else f"raised {name}"
    return None


def exercise_results(solution, executed, timeout, stopped=None):
    """One {name, status, messages} per check cell of the solution, from the executed notebook;
    stopped says why the run ended early, if it did."""
    learner_cells = {cell.get("id"): cell for cell in executed.cells}
    results = []
    exercise_cell = None
    for cell in solution.cells:
        if is_exercise_cell(cell):
            exercise_cell = cell
        if not is_check_cell(cell):
            continue
        name = check_record(cell)["name"]
        ran = learner_cells.get(cell.get("id"))
        record = check_record(ran) if ran is not None else None
        if record is not None:
            results.append({key: record[key] for key in ("name", "status", "messages")})
            continue
        if ran is None:
            messages = [f"the check cell (id {cell.get('id')}) is missing from the notebook; "
                        "copy it back from the exercise notebook"]
        else:
            unfinished = f"did not complete: {stopped}" if stopped else "showed no result"
            problem = error_of(ran, timeout) or unfinished
            messages = [f"the check cell {problem}"]
            answer = learner_cells.get(exercise_cell.get("id")) if exercise_cell else None
            answer_error = error_of(answer, timeout) if answer is not None else None
            if answer_error:
                messages.insert(0, f"the exercise cell {answer_error}")
        results.append({"name": name, "status": "fail", "messages": messages})
    return results


def is_compared(reference):
    """True for a solution cell whose outputs a learner's notebook must reproduce: it was run, its
    output is checked, and it is not an exercise or check cell (the checks judge those)."""
    return (
        reference.cell_type == "code" and reference.execution_count is not None
        and not (is_exercise_cell(reference) or is_check_cell(reference))
        and not NOT_COMPARED_TAGS & set(cell_tags(reference))
    )


def comparison_notebook(learner, solution):
    """The learner's cells carrying the solution's outputs and tags, for nbval; and the ids of
    the cells it compares. Cells the learner added run, but nothing is compared for them."""
    import nbformat

    solution_cells = {cell.get("id"): cell for cell in solution.cells if cell.cell_type == "code"}
    notebook = nbformat.from_dict(json.loads(json.dumps(learner)))
    compared = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        reference = solution_cells.get(cell.get("id"))
        if reference is None or not is_compared(reference):
            cell.metadata["tags"] = [IGNORE_OUTPUT_TAG]
            cell.outputs, cell.execution_count = [], None
            continue
        cell.metadata["tags"] = list(cell_tags(reference))
        cell.outputs, cell.execution_count = reference.outputs, reference.execution_count
        compared.append(cell.get("id"))
    return notebook, compared


def expected_cells(solution):
    """Ids of the solution cells whose outputs a learner's notebook must reproduce."""
    return [cell.get("id") for cell in solution.cells if is_compared(cell)]


def sanitize_file(solution_path):
    """The course's nbval sanitizer, the one the solutions are validated with, if it is there."""
    candidate = Path(solution_path).resolve().parent.parent / "tests" / "nbval_sanitize.cfg"
    return candidate if candidate.is_file() else None


def start_nbval(notebook_paths, workdir, timeout, sanitize):
    """Start `pytest --nbval` on the comparison notebooks; returns (process, junit xml path)."""
    ini = Path(workdir) / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")  # keeps the course's addopts out
    junit = Path(workdir) / "nbval.xml"
    command = [
        sys.executable, "-m", "pytest", "-c", str(ini), "-p", "no:cacheprovider", "-q", "--color=no",
        "--nbval", "--nbval-current-env", f"--nbval-cell-timeout={timeout}", f"--junitxml={junit}",
    ]
    if sanitize:
        command.append(f"--nbval-sanitize-with={sanitize}")
    process = subprocess.Popen(
        command + [str(path) for path in notebook_paths],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    return process, junit


def nbval_reason(text):
    """One line saying why nbval failed a cell, from its junit report (used when the learner's
    own run shows nothing more specific)."""
    text = ANSI_ESCAPE.sub("", text)
    for marker in ("Timeout of", "Cell outputs differ", "Cell execution caused an exception"):
        if marker in text:
            return first_line(text[text.index(marker):])
    return first_line(text) or "failed"


def output_text(cell):
    """What a cell shows as text: its streams and the plain-text form of its results, in order."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            prefix = "" if output.get("name") == "stdout" else "[stderr] "
            parts.append(prefix + output.get("text", ""))
        elif "text/plain" in output.get("data", {}):
            parts.append(output["data"]["text/plain"] + "\n")
    return "".join(parts)


def output_difference(expected_cell, got_cell):
    """The first line where the learner's cell output differs from the solution's, or None."""
    expected, got = output_text(expected_cell).splitlines(), output_text(got_cell).splitlines()
    for number, (want, have) in enumerate(zip(expected, got, strict=False), start=1):
        if want != have:
            return f"output line {number} is {have!r}, the solution's is {want!r}"
    if len(expected) != len(got):
        return f"the output has {len(got)} lines, the solution's has {len(expected)}"
    return None


def nbval_results(junit, notebook_paths):
    """{notebook file name: {cell index: reason}} for each failed or skipped cell in the junit report."""
    failures = {Path(path).name: {} for path in notebook_paths}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        file_name = Path(case.get("classname", "")).name
        match = re.fullmatch(r"Cell (\d+)", case.get("name", ""))
        if file_name not in failures or match is None:
            continue
        for child in case:
            if child.tag in ("failure", "error"):
                failures[file_name][int(match[1])] = nbval_reason(child.text or child.get("message", ""))
            elif child.tag == "skipped":
                failures[file_name][int(match[1])] = "not run: an earlier cell did not finish in time"
    return failures


@dataclass
class Job:
    """One notebook to grade: where it is, its content, and its solution."""
    path: str
    learner: object
    solution_path: Path
    solution: object
    comparison_path: Path = None
    compared: list = field(default_factory=list)  # ids of the cells nbval compares
    code_ids: list = field(default_factory=list)  # ids of the comparison notebook's code cells
    executed: object = None  # the learner's notebook after the run
    stopped: str = None  # why the run ended before the last cell, if it did


def grade(paths, timeout=DEFAULT_TIMEOUT, solution_dirs=None):
    """Grade notebooks; returns (reports, errors) with errors the one-line reasons for broken files."""
    solution_dirs = solution_dirs or default_solution_dirs()
    jobs, errors = [], []
    for path in paths:
        try:
            learner = load_notebook(path)
            solution_path = find_solution(learner, path, solution_dirs)
            jobs.append(Job(str(path), learner, solution_path, load_notebook(solution_path)))
        except GradeError as error:
            errors.append(str(error))
    if not jobs:
        return [], errors

    import nbformat

    with tempfile.TemporaryDirectory(prefix="deepnet-grade-") as workdir:
        for index, job in enumerate(jobs):
            notebook, job.compared = comparison_notebook(job.learner, job.solution)
            job.code_ids = [cell.get("id") for cell in notebook.cells if cell.cell_type == "code"]
            job.comparison_path = Path(workdir) / f"{index:03d}-{job.solution_path.name}"
            nbformat.write(notebook, job.comparison_path)
        comparison_paths = [job.comparison_path for job in jobs]
        nbval, junit = start_nbval(comparison_paths, workdir, timeout, sanitize_file(jobs[0].solution_path))
        try:
            for job in jobs:
                folder = Path(job.path).resolve().parent  # the learner's relative paths work
                job.executed, job.stopped = run_notebook(job.learner, folder, timeout)
            log, _ = nbval.communicate()
        finally:
            if nbval.poll() is None:
                nbval.kill()
                nbval.wait()
        if not junit.is_file():
            raise RuntimeError(f"pytest --nbval produced no report:\n{log}")
        failures = nbval_results(junit, comparison_paths)

    return [report_for(job, failures[job.comparison_path.name], timeout) for job in jobs], errors


def report_for(job, nbval_failures, timeout):
    """The NotebookReport of one graded job; nbval_failures maps code cell index -> nbval's reason."""
    solution_cells = {cell.get("id"): cell for cell in job.solution.cells}
    executed_cells = {cell.get("id"): cell for cell in job.executed.cells}
    mismatches = []
    for index, nbval_says in sorted(nbval_failures.items()):
        cell_id = job.code_ids[index]
        if cell_id not in job.compared:
            continue
        ran = executed_cells.get(cell_id, {})
        # The learner's own run says most precisely what went wrong; nbval's words are the fallback.
        unfinished = f"did not complete: {job.stopped}" if job.stopped and not ran.get("outputs") else None
        reason = (error_of(ran, timeout) or unfinished
                  or output_difference(solution_cells[cell_id], ran) or nbval_says)
        mismatches.append({"cell": cell_id, "reason": reason})
    missing = [cell_id for cell_id in expected_cells(job.solution) if cell_id not in job.code_ids]
    mismatches += [{"cell": cell_id, "reason": "missing from the notebook"} for cell_id in missing]
    return NotebookReport(
        path=job.path, solution=str(job.solution_path),
        exercises=exercise_results(job.solution, job.executed, timeout, job.stopped),
        compared=len(job.compared) + len(missing), mismatches=mismatches,
    )


STATUS_LABELS = {"pass": "pass", "warn": "warn", "fail": "FAIL", "not attempted": "not attempted"}


def format_table(reports):
    """Plain-text report: one block per notebook, one row per exercise, then the output comparison."""
    lines = []
    for report in reports:
        lines.append(f"{report.path}  (solution: {report.solution})")
        width = max([len(e["name"]) for e in report.exercises] + [8])
        lines.append(f"  {'exercise':<{width}}  {'status':<13}  message")
        for exercise in report.exercises:
            messages = exercise["messages"] or [""]
            label = STATUS_LABELS.get(exercise["status"], exercise["status"])
            lines.append(f"  {exercise['name']:<{width}}  {label:<13}  {messages[0]}")
            lines += [f"  {'':<{width}}  {'':<13}  {message}" for message in messages[1:]]
        matched = report.compared - len(report.mismatches)
        lines.append(f"  outputs: {matched} of {report.compared} cells match the solution")
        lines += [f"    cell {m['cell']}: {m['reason']}" for m in report.mismatches]
        lines.append(f"  => {'PASSED' if report.passed else 'NOT PASSED'}")
        lines.append("")
    if len(reports) > 1:
        lines.append(f"{sum(report.passed for report in reports)} of {len(reports)} notebooks passed")
    return "\n".join(lines)


def as_json(reports, errors):
    document = {"notebooks": [report.as_json() for report in reports]}
    if errors:
        document["errors"] = errors
    return json.dumps(document, indent=2, ensure_ascii=False)


def exit_status(reports, errors):
    if errors:
        return 2
    return 0 if all(report.passed for report in reports) else 1


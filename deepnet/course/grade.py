"""`deepnet grade`: grade learners' notebooks against their solutions, safely and in parallel.

For each submission:
1. Its metadata names its solution (`deepnet exercises` wrote it): a plain notebook name that must
   be an exercise notebook in the solutions folder (and, with --assignment, that assignment).
2. The notebook to run is built from the solution, as nbgrader does with its test cells: every
   cell is the solution's, except the exercise cells, which are the learner's (matched by id).
   Check cells are the grader's own call of the check, so an edited or redefined check counts for
   nothing; cells the learner added run where they stand, but nothing is compared for them.
3. It runs once, in a Sandbox (see deepnet.course.sandbox): its own folder, a read-only machine,
   no network, limits, a per-cell timeout it cannot swallow and a budget for the whole notebook.
4. The verdict comes from that one run: each check cell's own result (never what the notebook
   displayed or stored), and each other cell's outputs compared with the solution's stored ones
   (text, as nbval compares them, after the course's sanitizer). An exercise answered with
   deepnet's own implementation is "copied", not passed.

The result is a NotebookReport per submission; one that cannot be graded gets an error line and
the others are graded all the same.
"""

import asyncio
import concurrent.futures
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from deepnet.course import language, sandbox
from deepnet.course.exercises import (
    CHECK_MIMETYPE,
    METADATA_KEY,
    ExerciseError,
    cell_source,
    cell_tags,
    check_record,
    is_check_cell,
    is_exercise_cell,
    read_notebook,
)
from deepnet.course.language import fill

DEFAULT_TIMEOUT = 30
DEFAULT_NOTEBOOK_TIMEOUT = 300
NOT_COMPARED_TAGS = {"nbval-ignore-output", "nbval-skip", "raises-exception"}
SOLUTION_NAME = re.compile(r"[\w][\w.-]*\.ipynb")
CHECK_CALL = re.compile(r"\s*(check_\w+)\(\s*(\w+(?:\s*,\s*\w+)*)\s*\)\s*")
# What the grader runs in place of a check cell: the check from the course's own module, not a
# name the notebook may have redefined, and a record of where the learner's object comes from.
GRADED_CHECK = "__import__('deepnet.course.checks', fromlist=['graded']).graded({check!r}, {names})"
MESSAGES = {
    "no_solution_key": "no '{key}.solution' in its metadata, so its solution is unknown; grade a "
    "notebook made by `deepnet exercises` (or a copy of one)",
    "bad_metadata": "its '{key}' metadata is {kind}, not a mapping; copy the metadata back from the "
    "exercise notebook",
    "bad_solution_name": "its solution link {name!r} is not a plain notebook name such as "
    "5.5-activation-layers.ipynb",
    "solution_missing": "its solution {name} is not in {looked}; pass --solutions DIR",
    "not_an_exercise": "its solution {name} has no exercise: it is not an exercise notebook",
    "other_assignment": "it is assignment {got}, not {wanted}",
    "check_missing": "the check cell (id {cell}) is missing from the notebook; copy it back from the "
    "exercise notebook",
    "exercise_missing": "the exercise cell (id {cell}) is missing; copy it back from the exercise notebook",
    "check_raised": "the check cell {problem}",
    "exercise_raised": "the exercise cell {problem}",
    "raised": "raised {name}: {value}",
    "raised_bare": "raised {name}",
    "not_written": "raised NotImplementedError: an exercise it uses is not written yet",
    "timeout": "did not finish within {seconds} s (an endless loop?); the kernel was restarted, so the "
    "cells after it ran without its results",
    "died": "stopped the kernel (it crashed or ran out of memory); the cells after it ran in a new kernel",
    "budget": "not run: the notebook's time budget ({seconds} s) ran out",
    "no_result": "showed no result",
    "copied": "{name} is deepnet's own implementation ({origin}), not yours: write it yourself",
    "truncated": "printed too much: its output was cut",
    "missing_cell": "missing from the notebook",
    "output_line": "output line {number} is {got!r}, the solution's is {want!r}",
    "output_length": "the output has {got} lines, the solution's has {want}",
    "kernel": "the kernel did not start ({error}): nothing was graded",
}


class GradeError(Exception):
    """A file that cannot be graded; str() is the one-line reason shown to the user."""


@dataclass
class NotebookReport:
    path: str
    solution: str = ""
    exercises: list = field(default_factory=list)  # dicts: name, status, messages, points, max_points
    compared: int = 0
    mismatches: list = field(default_factory=list)  # dicts: cell, reason
    error: str = ""  # why it could not be graded
    seconds: float = 0.0
    language: str = "en"  # the notebook's metadata.language: its messages and its solutions/<lang>/

    @property
    def passed(self):
        return (
            not self.error
            and bool(self.exercises)
            and not self.mismatches
            and all(e["status"] in ("pass", "warn") for e in self.exercises)
        )

    @property
    def points(self):
        return sum(e["points"] for e in self.exercises)

    @property
    def max_points(self):
        return sum(e["max_points"] for e in self.exercises)

    def as_json(self):
        document = {
            "path": self.path,
            "solution": self.solution,
            "language": self.language,
            "passed": self.passed,
            "seconds": self.seconds,
            "points": self.points,
            "max_points": self.max_points,
            "exercises": self.exercises,
            "outputs": {
                "compared": self.compared,
                "matched": self.compared - len(self.mismatches),
                "mismatches": self.mismatches,
            },
        }
        if self.error:
            document["error"] = self.error
        return document


@dataclass
class Options:
    timeout: int = DEFAULT_TIMEOUT
    notebook_timeout: int = DEFAULT_NOTEBOOK_TIMEOUT
    memory_mb: int = sandbox.Limits.memory_mb
    solution_dirs: list = None
    assignment: str = None
    jobs: int = 1


def missing_tools():
    """The modules grading needs beyond deepnet's own dependencies, if any is not installed."""
    import importlib.util

    needed = ("nbformat", "jupyter_client", "ipykernel")
    return [name for name in needed if importlib.util.find_spec(name) is None]


def first_line(text):
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def default_solution_dirs():
    """Where a solution is looked for when --solutions is not given, in this order."""
    folders = [Path.cwd() / "solutions", Path(__file__).resolve().parents[2] / "solutions"]
    return [folder for index, folder in enumerate(folders) if folder.resolve() not in
            [earlier.resolve() for earlier in folders[:index]]]


# ---------------------------------------------------------------------------------------------
# Which solution, and is it the right one
# ---------------------------------------------------------------------------------------------


def find_solution(learner, options):
    """(solution path, solution notebook) from the metadata `deepnet exercises` wrote; GradeError if
    the link is missing, malformed, not an exercise notebook or of another assignment."""
    metadata = learner.get("metadata", {})
    entry = metadata.get(METADATA_KEY, {}) if isinstance(metadata, dict) else None
    if not isinstance(entry, dict):
        raise GradeError(fill(MESSAGES["bad_metadata"], key=METADATA_KEY, kind=type(entry).__name__))
    name = entry.get("solution")
    if not name:
        raise GradeError(fill(MESSAGES["no_solution_key"], key=METADATA_KEY))
    if not isinstance(name, str) or not SOLUTION_NAME.fullmatch(name):
        raise GradeError(fill(MESSAGES["bad_solution_name"], name=name))
    folders = options.solution_dirs or default_solution_dirs()
    code = notebook_language_code(learner)
    if code != "en":  # a translated exercise is graded against the translated solution
        folders = [Path(folder) / code for folder in folders]
    path = next((Path(folder) / name for folder in folders if (Path(folder) / name).is_file()), None)
    if path is None:
        looked = ", ".join(str(folder) for folder in folders)
        raise GradeError(fill(MESSAGES["solution_missing"], name=name, looked=looked))
    try:
        solution = read_notebook(path)
    except ExerciseError as error:
        raise GradeError(str(error)) from None
    if not any(is_exercise_cell(cell) for cell in solution["cells"]):
        raise GradeError(fill(MESSAGES["not_an_exercise"], name=name))
    if options.assignment and assignment_of(name) != assignment_of(options.assignment):
        raise GradeError(fill(MESSAGES["other_assignment"], got=assignment_of(name),
                                                             wanted=assignment_of(options.assignment)))
    return path, solution


def notebook_language_code(notebook):
    """The language a notebook is written in (its metadata.language, as `deepnet translate build`
    writes it); "en" when it names none or one the course does not have."""
    metadata = notebook.get("metadata", {})
    code = metadata.get("language") if isinstance(metadata, dict) else None
    return (language.normalise(code) if isinstance(code, str) else None) or "en"


def assignment_of(name):
    """The assignment a notebook name stands for: 5.5-activation-layers for 5.5-activation-layers.ipynb."""
    name = Path(str(name)).name
    return name.removesuffix(".ipynb")


# ---------------------------------------------------------------------------------------------
# The notebook to run: the solution's cells, the learner's answers
# ---------------------------------------------------------------------------------------------


@dataclass
class Step:
    """One cell to run: its id, what it is ("exercise", "check", "code", "added"), its source."""

    cell_id: str
    kind: str
    source: str
    reference: dict = None  # the solution's cell
    points: float = 1.0


def plan(learner, solution):
    """The cells to run, in order: the solution's, with the learner's exercise cells, and the cells
    the learner added (placed after the solution cell they follow)."""
    learner_cells = [cell for cell in learner.get("cells", []) if isinstance(cell, dict)]
    answers = {cell.get("id"): cell for cell in learner_cells}
    solution_ids = {cell.get("id") for cell in solution["cells"]}
    added_after, previous = {}, None
    for cell in learner_cells:
        if cell.get("id") in solution_ids:
            previous = cell.get("id")
        elif cell.get("cell_type") == "code":
            added_after.setdefault(previous, []).append(cell)
    steps = [Step(cell.get("id"), "added", cell_source(cell)) for cell in added_after.get(None, [])]
    for cell in solution["cells"]:
        if cell.get("cell_type") == "code":
            steps.append(solution_step(cell, answers.get(cell.get("id"))))
        for added in added_after.get(cell.get("id"), []):
            steps.append(Step(added.get("id"), "added", cell_source(added)))
    return steps


def solution_step(cell, answer):
    points = cell.get("metadata", {}).get(METADATA_KEY, {}).get("points", 1)
    if is_exercise_cell(cell):
        source = cell_source(answer) if answer is not None else None
        return Step(cell.get("id"), "exercise", source, cell)
    if is_check_cell(cell):
        call = CHECK_CALL.fullmatch(cell_source(cell))
        source = GRADED_CHECK.format(check=call[1], names=call[2]) if call else cell_source(cell)
        return Step(cell.get("id"), "check", source, cell, points if isinstance(points, (int, float)) else 1)
    return Step(cell.get("id"), "code", cell_source(cell), cell)


# ---------------------------------------------------------------------------------------------
# Grading one submission
# ---------------------------------------------------------------------------------------------


def grade_one(path, options, parent):
    """The NotebookReport of one submission; never raises for anything the submission contains.
    Its messages are in the notebook's language unless set_language() or DEEPNET_LANG chose one."""
    try:
        code = notebook_language_code(load_learner(path))
    except GradeError:
        code = "en"
    with language.notebook_language(code):
        report = grade_in_language(path, options, parent)
    report.language = code
    return report


def grade_in_language(path, options, parent):
    started = time.monotonic()
    report = NotebookReport(path=str(path))
    try:
        learner = load_learner(path)
        solution_path, solution = find_solution(learner, options)
    except GradeError as error:
        report.error = str(error)
        report.seconds = round(time.monotonic() - started, 1)
        return report
    report.solution = solution_path.name
    steps = plan(learner, solution)
    folder = sandbox.new_folder(parent, Path(path).stem[:40] or "notebook")
    (folder / Path(path).name).write_bytes(Path(path).read_bytes())  # its own copy, nothing else
    try:
        runs = asyncio.run(run_steps(steps, folder, options))  # its own event loop, closed at the end
    except sandbox.SandboxError as error:
        report.error = fill(MESSAGES["kernel"], error=first_line(error))
        return report
    finally:
        sandbox.remove_folder(folder)
    report.exercises = exercise_results(steps, runs, options)
    report.compared, report.mismatches = compare_outputs(steps, runs, options, solution_path)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def load_learner(path):
    try:
        return read_notebook(path)
    except ExerciseError as error:
        raise GradeError(str(error)) from None


async def run_steps(steps, folder, options):
    """{cell id: CellRun} for every step, run in one sandbox within the notebook's budget."""
    runs = {}
    deadline = time.monotonic() + options.notebook_timeout
    limits = sandbox.Limits(memory_mb=options.memory_mb, cpu_seconds=options.notebook_timeout + 30)
    async with sandbox.Sandbox(folder, limits) as box:
        for index, step in enumerate(steps):
            if step.source is None:
                continue
            left = deadline - time.monotonic()
            if left <= 1:
                runs[step.cell_id] = sandbox.CellRun(status="budget")
                continue
            restarts = box.restarts
            runs[step.cell_id] = await box.run(step.source, timeout=min(options.timeout, left))
            if box.restarts != restarts:
                await replay_setup(box, steps[:index], runs, options)
    return runs


async def replay_setup(box, done, runs, options):
    """After a restart, run again the solution's own cells that ran before (imports, data): the
    next exercises then run as they would have. The learner's code is never run twice."""
    for step in done:
        if step.kind == "code" and runs.get(step.cell_id) is not None and runs[step.cell_id].status == "ok":
            await box.run(step.source, timeout=options.timeout)


def problem_of(run, options):
    """A short description of what went wrong in a cell's run, or None."""
    if run is None:
        return None
    if run.status == "timeout":
        return fill(MESSAGES["timeout"], seconds=options.timeout)
    if run.status == "died":
        return MESSAGES["died"]
    if run.status == "budget":
        return fill(MESSAGES["budget"], seconds=options.notebook_timeout)
    if run.status == "error":
        if run.error_name == "NotImplementedError" and not run.error_value:
            return MESSAGES["not_written"]
        value = first_line(run.error_value)
        return (
            fill(MESSAGES["raised"], name=run.error_name, value=value)
            if value
            else fill(MESSAGES["raised_bare"], name=run.error_name)
        )
    return None


def exercise_results(steps, runs, options):
    """One record per check cell: from the grader's own run of the check, nothing else."""
    results = []
    exercise = None
    for step in steps:
        if step.kind == "exercise":
            exercise = step
        if step.kind != "check":
            continue
        name = check_record(step.reference)["name"]
        record = own_record(runs.get(step.cell_id))
        entry = {"name": name, "points": 0, "max_points": step.points}
        if exercise is not None and exercise.source is None:
            entry.update(status="fail", messages=[fill(MESSAGES["exercise_missing"], cell=exercise.cell_id)])
        elif record is not None:
            entry.update(status=record["status"], messages=list(record["messages"]))
        else:
            problem = problem_of(runs.get(step.cell_id), options) or MESSAGES["no_result"]
            messages = [fill(MESSAGES["check_raised"], problem=problem)]
            answer_problem = problem_of(runs.get(exercise.cell_id), options) if exercise else None
            if answer_problem:
                messages.insert(0, fill(MESSAGES["exercise_raised"], problem=answer_problem))
            entry.update(status="fail", messages=messages)
        if entry["status"] in ("pass", "warn"):
            entry["points"] = step.points
        results.append(entry)
    return results


def own_record(run):
    """The check record of the grader's own check call: the cell's execute_result, nothing displayed."""
    if run is None:
        return None
    for output in run.outputs:
        if output.get("output_type") == "execute_result":
            record = output.get("data", {}).get(CHECK_MIMETYPE)
            if isinstance(record, dict) and {"name", "status", "messages"} <= set(record):
                return record
    return None


def compare_outputs(steps, runs, options, solution_path):
    """(number of compared cells, mismatches): each solution cell that is not an exercise or check,
    and was run in the solution, must show the same text as the solution stored."""
    sanitize = sanitizers(solution_path)
    compared, mismatches = 0, []
    for step in steps:
        if step.kind != "code" or not is_compared(step.reference):
            continue
        compared += 1
        run = runs.get(step.cell_id)
        reason = problem_of(run, options) if run is not None else MESSAGES["missing_cell"]
        if reason is None:
            reason = output_difference(step.reference.get("outputs", []), run.outputs, sanitize)
        if reason is None and run.truncated:
            reason = MESSAGES["truncated"]
        if reason:
            mismatches.append({"cell": step.cell_id, "reason": reason})
    return compared, mismatches


def is_compared(reference):
    """True for a solution cell whose outputs a learner's notebook must reproduce."""
    return reference.get("execution_count") is not None and not NOT_COMPARED_TAGS & set(cell_tags(reference))


def sanitizers(solution_path):
    """The course's nbval sanitizer (regex, replace) pairs, the ones the solutions are validated with."""
    candidate = Path(solution_path).resolve().parent.parent / "tests" / "nbval_sanitize.cfg"
    if not candidate.is_file():
        return []
    pairs, regex = [], None
    for line in candidate.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "regex":
            regex = value.strip()
        elif key.strip() == "replace" and regex is not None:
            pairs.append((re.compile(regex), value.strip()))
            regex = None
    return pairs


def output_text(outputs, sanitize):
    """What a cell shows as text, as nbval compares it: streams and the plain text of its results."""
    parts = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            prefix = "" if output.get("name") == "stdout" else "[stderr] "
            text = output.get("text", "")
            parts.append(prefix + (text if isinstance(text, str) else "".join(text)))
        elif kind in ("execute_result", "display_data") and "text/plain" in output.get("data", {}):
            text = output["data"]["text/plain"]
            parts.append((text if isinstance(text, str) else "".join(text)) + "\n")
        elif kind == "error":
            parts.append(f"[error] {output.get('ename')}\n")
    text = "".join(parts)
    for pattern, replacement in sanitize:
        text = pattern.sub(replacement, text)
    return text


def output_difference(expected_outputs, got_outputs, sanitize=()):
    """The first line where the learner's cell output differs from the solution's, or None."""
    expected = output_text(expected_outputs, sanitize).splitlines()
    got = output_text(got_outputs, sanitize).splitlines()
    for number, (want, have) in enumerate(zip(expected, got, strict=False), start=1):
        if want != have:
            return fill(MESSAGES["output_line"], number=number, got=have, want=want)
    if len(expected) != len(got):
        return fill(MESSAGES["output_length"], got=len(got), want=len(expected))
    return None


# ---------------------------------------------------------------------------------------------
# A class of submissions
# ---------------------------------------------------------------------------------------------


def grade(paths, options=None):
    """Grade notebooks (in parallel with options.jobs); reports in the order of paths."""
    options = options or Options()
    parent = Path(tempfile.mkdtemp(prefix="deepnet-grade-"))
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            return list(pool.map(lambda path: grade_one(path, options, parent), paths))
    finally:
        sandbox.remove_folder(parent)


def default_jobs():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def exit_status(reports):
    """0 every notebook passed; 1 some exercise failed; 2 a file could not be graded or the grader
    could not run (a kernel that did not start): never confused with a wrong answer."""
    if any(report.error for report in reports):
        return 2
    return 0 if all(report.passed for report in reports) else 1

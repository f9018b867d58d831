"""The `deepnet` command (also `python -m deepnet.course`): `deepnet exercises` and `deepnet grade`."""

import argparse
import sys
from pathlib import Path

from deepnet.course import exercises, grade, language, reports, translation
from deepnet.course.language import fill, translate

MESSAGES = {
    "description": (
        "Exercises for the deepnet course.\n"
        "\n"
        "  deepnet exercises                    regenerate exercises/ from solutions/ (instructors)\n"
        "  deepnet grade exercises/X.ipynb      check a finished exercise notebook (learners)\n"
        "  deepnet grade submissions/*.ipynb    grade a folder of submissions (instructors)\n"
        "\n"
        "Run it from the top folder of the course repository."
    ),
    "exercises_help": (
        "Write exercises/X.ipynb from solutions/X.ipynb: each region between '### BEGIN SOLUTION' and\n"
        "'### END SOLUTION' becomes '# YOUR CODE HERE' + 'raise NotImplementedError()'; cell ids are kept.\n"
        "The course folder is --root, else the current directory if it has solutions/, else the\n"
        "repository this deepnet package is installed from (editable install).\n"
        "An exercise notebook edited since it was generated (its cells differ from the fingerprint stored\n"
        "in its metadata) is never overwritten without --force."
    ),
    "grade_help": (
        "Grade exercise notebooks against their solutions. Each notebook runs once, in a fresh kernel of\n"
        "its own: in a folder holding only its copy (the file itself is never written), with a read-only\n"
        "view of the machine and no network when the grader runs as root, memory and CPU limits, a per-cell\n"
        "timeout that cannot be swallowed (interrupt, then kill and restart) and a budget for the whole\n"
        "notebook. Check cells are the course's own checks; the other cells' outputs are compared with the\n"
        "solution's stored outputs. An answer that is deepnet's own implementation is \"copied\".\n"
        "The solution is named in the notebook's metadata by `deepnet exercises`, so a renamed submission\n"
        "still finds it; it is looked for in --solutions DIR if given, else in ./solutions, then in the\n"
        "solutions/ folder of the repository this deepnet package is installed from.\n"
        "Exit status: 0 every notebook passed; 1 some exercise failed; 2 a file could not be graded or the\n"
        "grader could not run (never confused with a wrong answer)."
    ),
    "translate_help": (
        "The English notebooks are the only edited source; translations are gettext catalogs.\n"
        "  extract   write translations/templates/*.pot (one message per markdown block) and\n"
        "            deepnet/locale/deepnet.pot (every learner-facing message of the package)\n"
        "  update    extract, then merge each language's .po with its template (a changed block\n"
        "            keeps its translation, marked fuzzy)\n"
        "  build     compile deepnet/locale/*/LC_MESSAGES/deepnet.mo and write chapters/<lang>/,\n"
        "            solutions/<lang>/ from the catalogs (then run `deepnet exercises`)\n"
        "  check     exit 1, naming each stale template, missing or fuzzy translation, changed\n"
        "            placeholder, stale .mo or generated notebook that is not what build writes"
    ),
    "exercises_short": "generate exercises/ from solutions/",
    "names_help": "notebooks to generate, e.g. 5.5-activation-layers (default: all)",
    "check_help": "write nothing; exit 1 naming each exercise notebook that is stale or missing",
    "force_help": "overwrite exercise notebooks even if they were edited since generation",
    "root_help": "the course folder holding solutions/ and exercises/",
    "grade_short": "run and grade exercise notebooks",
    "notebooks_help": "exercise notebooks to grade",
    "format_help": "table (default), json, csv (a gradebook), markdown (a CI job summary), "
    "gradescope (results.json), classroom50 (result.json)",
    "timeout_help": "the longest a cell may run (default: %(default)s)",
    "notebook_timeout_help": "the longest a whole notebook may run (default: %(default)s)",
    "memory_help": "memory (address space) of each notebook's kernel (default: %(default)s)",
    "jobs_help": "notebooks graded at once (default: the number of CPUs)",
    "assignment_help": "only notebooks of this assignment count, e.g. 5.5-activation-layers",
    "solutions_help": "folder of the solution notebooks",
    "translate_short": "the translated notebooks and messages (maintainers)",
    "translate_root_help": "the course folder holding chapters/, solutions/ and translations/",
    "no_solutions": "deepnet exercises: no solutions/ folder here or next to the deepnet package; "
    "run it from the course's top folder or pass --root DIR",
    "no_chapters": "deepnet translate: no chapters/ folder here or next to the deepnet package; "
    "run it from the course's top folder or pass --root DIR",
    "error": "deepnet {command}: {error}",
    "not_positive": "deepnet grade: {name} must be a positive whole number, got {value}",
    "needs_tools": "deepnet grade needs {tools}: pip install {packages} "
    "(or pip install -r requirements.txt in the course folder)",
    "cannot_grade": "deepnet grade: {path}: {error}",
    "fallbacks": "{path}: {count} blocks still in English, the first {context}",
    "wrote": "wrote {path}",
}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="deepnet",
        description=translate(MESSAGES["description"]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    make = commands.add_parser(
        "exercises",
        help=translate(MESSAGES["exercises_short"]),
        description=translate(MESSAGES["exercises_help"]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    make.add_argument("names", nargs="*", metavar="NAME", help=translate(MESSAGES["names_help"]))
    make.add_argument("--check", action="store_true", help=translate(MESSAGES["check_help"]))
    make.add_argument("--force", action="store_true", help=translate(MESSAGES["force_help"]))
    make.add_argument("--root", type=Path, metavar="DIR", help=translate(MESSAGES["root_help"]))

    grading = commands.add_parser(
        "grade",
        help=translate(MESSAGES["grade_short"]),
        description=translate(MESSAGES["grade_help"]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grading.add_argument(
        "notebooks", nargs="+", metavar="NOTEBOOK", help=translate(MESSAGES["notebooks_help"])
    )
    grading.add_argument(
        "--format", choices=sorted(reports.FORMATS), default="table", help=translate(MESSAGES["format_help"])
    )
    grading.add_argument(
        "--timeout",
        type=int,
        default=grade.DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=translate(MESSAGES["timeout_help"]),
    )
    grading.add_argument(
        "--notebook-timeout",
        type=int,
        default=grade.DEFAULT_NOTEBOOK_TIMEOUT,
        metavar="SECONDS",
        help=translate(MESSAGES["notebook_timeout_help"]),
    )
    grading.add_argument(
        "--memory-limit",
        type=int,
        default=grade.Options.memory_mb,
        metavar="MB",
        help=translate(MESSAGES["memory_help"]),
    )
    grading.add_argument(
        "-j", "--jobs", type=int, default=None, metavar="N", help=translate(MESSAGES["jobs_help"])
    )
    grading.add_argument("--assignment", metavar="NAME", help=translate(MESSAGES["assignment_help"]))
    grading.add_argument("--solutions", type=Path, metavar="DIR", help=translate(MESSAGES["solutions_help"]))

    translating = commands.add_parser(
        "translate",
        help=translate(MESSAGES["translate_short"]),
        description=translate(MESSAGES["translate_help"]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    translating.add_argument("action", choices=("extract", "update", "build", "check"))
    translating.add_argument(
        "--root", type=Path, metavar="DIR", help=translate(MESSAGES["translate_root_help"])
    )
    return parser


def run_exercises(args):
    root = args.root or exercises.find_course_root()
    if root is None or not (Path(root) / "solutions").is_dir():
        print(translate(MESSAGES["no_solutions"]), file=sys.stderr)
        return 2
    try:
        ok, messages = exercises.generate(root, args.names, check=args.check, force=args.force)
    except exercises.ExerciseError as error:
        print(fill(MESSAGES["error"], command="exercises", error=error), file=sys.stderr)
        return 2
    for message in messages:
        print(message)
    return 0 if ok else 1


def run_grade(args):
    for name, value in (
        ("--timeout", args.timeout),
        ("--notebook-timeout", args.notebook_timeout),
        ("--memory-limit", args.memory_limit),
        ("--jobs", 1 if args.jobs is None else args.jobs),
    ):
        if value <= 0:
            print(fill(MESSAGES["not_positive"], name=name, value=value), file=sys.stderr)
            return 2
    missing = grade.missing_tools()
    if missing:
        print(
            fill(MESSAGES["needs_tools"], tools=", ".join(missing), packages=" ".join(missing)),
            file=sys.stderr,
        )
        return 2
    options = grade.Options(
        timeout=args.timeout,
        notebook_timeout=args.notebook_timeout,
        memory_mb=args.memory_limit,
        solution_dirs=[args.solutions] if args.solutions else None,
        assignment=args.assignment,
        jobs=args.jobs or grade.default_jobs(),
    )
    results = grade.grade(args.notebooks, options)
    for report in results:
        if report.error:
            print(fill(MESSAGES["cannot_grade"], path=report.path, error=report.error), file=sys.stderr)
    try:
        with language.notebook_language(reports.batch_language(results)):
            print(reports.FORMATS[args.format](results))
        sys.stdout.flush()
    except BrokenPipeError:  # `deepnet grade ... | head`: the reader has all it wants
        sys.stdout = None
    return grade.exit_status(results)


def run_translate(args):
    root = args.root or exercises.find_course_root()
    if root is None or not (Path(root) / "chapters").is_dir():
        print(translate(MESSAGES["no_chapters"]), file=sys.stderr)
        return 2
    root = Path(root)
    try:
        if args.action == "check":
            problems = translation.check(root)
            print_lines(problems)
            return 1 if problems else 0
        if args.action == "build":
            written, fallbacks = translation.build(root)
            for path, contexts in fallbacks:
                print(fill(MESSAGES["fallbacks"], path=path, count=len(contexts), context=contexts[0]))
        else:
            written = translation.extract(root) if args.action == "extract" else translation.update(root)
    except (translation.TranslationError, exercises.ExerciseError) as error:
        print(fill(MESSAGES["error"], command="translate", error=error), file=sys.stderr)
        return 2
    print_lines(fill(MESSAGES["wrote"], path=path) for path in written)
    return 0


def print_lines(lines):
    """Print to stdout; a reader that stops early (`deepnet translate check | head`) is no error."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = None


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "exercises":
        return run_exercises(args)
    if args.command == "translate":
        return run_translate(args)
    return run_grade(args)


if __name__ == "__main__":
    sys.exit(main())

"""The `deepnet` command (also `python -m deepnet.course`): `deepnet exercises` and `deepnet grade`."""
import argparse
import sys
from pathlib import Path

from deepnet.course import exercises, grade, reports, translate

DESCRIPTION = """\
Exercises for the deepnet course.

  deepnet exercises                    regenerate exercises/ from solutions/ (instructors)
  deepnet grade exercises/X.ipynb      check a finished exercise notebook (learners)
  deepnet grade submissions/*.ipynb    grade a folder of submissions (instructors)

Run it from the top folder of the course repository."""

EXERCISES_HELP = """\
Write exercises/X.ipynb from solutions/X.ipynb: each region between '### BEGIN SOLUTION' and
'### END SOLUTION' becomes '# YOUR CODE HERE' + 'raise NotImplementedError()'; cell ids are kept.
The course folder is --root, else the current directory if it has solutions/, else the
repository this deepnet package is installed from (editable install).
An exercise notebook edited since it was generated (its cells differ from the fingerprint stored
in its metadata) is never overwritten without --force."""

GRADE_HELP = """\
Grade exercise notebooks against their solutions. Each notebook runs once, in a fresh kernel of
its own: in a folder holding only its copy (the file itself is never written), with a read-only
view of the machine and no network when the grader runs as root, memory and CPU limits, a per-cell
timeout that cannot be swallowed (interrupt, then kill and restart) and a budget for the whole
notebook. Check cells are the course's own checks; the other cells' outputs are compared with the
solution's stored outputs. An answer that is deepnet's own implementation is "copied".
The solution is named in the notebook's metadata by `deepnet exercises`, so a renamed submission
still finds it; it is looked for in --solutions DIR if given, else in ./solutions, then in the
solutions/ folder of the repository this deepnet package is installed from.
Exit status: 0 every notebook passed; 1 some exercise failed; 2 a file could not be graded or the
grader could not run (never confused with a wrong answer)."""


TRANSLATE_HELP = """\
The English notebooks are the only edited source; translations are gettext catalogs.
  extract   write translations/templates/*.pot (one message per markdown block) and
            deepnet/locale/deepnet.pot (every learner-facing message of the package)
  update    extract, then merge each language's .po with its template (a changed block
            keeps its translation, marked fuzzy)
  build     compile deepnet/locale/*/LC_MESSAGES/deepnet.mo and write chapters/<lang>/,
            solutions/<lang>/ from the catalogs (then run `deepnet exercises`)
  check     exit 1, naming each stale template, missing or fuzzy translation, changed
            placeholder, stale .mo or generated notebook that is not what build writes"""


def build_parser():
    parser = argparse.ArgumentParser(
        prog="deepnet", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    make = commands.add_parser(
        "exercises", help="generate exercises/ from solutions/", description=EXERCISES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    make.add_argument("names", nargs="*", metavar="NAME",
                      help="notebooks to generate, e.g. 5.5-activation-layers (default: all)")
    make.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 naming each exercise notebook that is stale or missing")
    make.add_argument("--force", action="store_true",
                      help="overwrite exercise notebooks even if they were edited since generation")
    make.add_argument("--root", type=Path, metavar="DIR",
                      help="the course folder holding solutions/ and exercises/")

    grading = commands.add_parser(
        "grade", help="run and grade exercise notebooks", description=GRADE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grading.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="exercise notebooks to grade")
    grading.add_argument("--format", choices=sorted(reports.FORMATS), default="table",
                         help="table (default), json, csv (a gradebook), markdown (a CI job summary), "
                              "gradescope (results.json), classroom50 (result.json)")
    grading.add_argument(
        "--timeout", type=int, default=grade.DEFAULT_TIMEOUT, metavar="SECONDS",
        help="the longest a cell may run (default: %(default)s)")
    grading.add_argument(
        "--notebook-timeout", type=int, default=grade.DEFAULT_NOTEBOOK_TIMEOUT, metavar="SECONDS",
        help="the longest a whole notebook may run (default: %(default)s)")
    grading.add_argument(
        "--memory-limit", type=int, default=grade.Options.memory_mb, metavar="MB",
        help="memory (address space) of each notebook's kernel (default: %(default)s)")
    grading.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                         help="notebooks graded at once (default: the number of CPUs)")
    grading.add_argument("--assignment", metavar="NAME",
                         help="only notebooks of this assignment count, e.g. 5.5-activation-layers")
    grading.add_argument("--solutions", type=Path, metavar="DIR", help="folder of the solution notebooks")

    translating = commands.add_parser(
        "translate", help="the translated notebooks and messages (maintainers)", description=TRANSLATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    translating.add_argument("action", choices=("extract", "update", "build", "check"))
    translating.add_argument("--root", type=Path, metavar="DIR",
                             help="the course folder holding chapters/, solutions/ and translations/")
    return parser


def run_exercises(args):
    root = args.root or exercises.find_course_root()
    if root is None or not (Path(root) / "solutions").is_dir():
        print("deepnet exercises: no solutions/ folder here or next to the deepnet package; "
              "run it from the course's top folder or pass --root DIR", file=sys.stderr)
        return 2
    try:
        ok, messages = exercises.generate(root, args.names, check=args.check, force=args.force)
    except exercises.ExerciseError as error:
        print(f"deepnet exercises: {error}", file=sys.stderr)
        return 2
    for message in messages:
        print(message)
    return 0 if ok else 1


def run_grade(args):
    for name, value in (("--timeout", args.timeout), ("--notebook-timeout", args.notebook_timeout),
                        ("--memory-limit", args.memory_limit), ("--jobs", args.jobs or 1)):
        if value <= 0:
            print(f"deepnet grade: {name} must be a positive whole number, got {value}", file=sys.stderr)
            return 2
    missing = grade.missing_tools()
    if missing:
        print(f"deepnet grade needs {', '.join(missing)}: pip install {' '.join(missing)} "
              "(or pip install -r requirements.txt in the course folder)", file=sys.stderr)
        return 2
    options = grade.Options(
        timeout=args.timeout, notebook_timeout=args.notebook_timeout, memory_mb=args.memory_limit,
        solution_dirs=[args.solutions] if args.solutions else None, assignment=args.assignment,
        jobs=args.jobs or grade.default_jobs())
    results = grade.grade(args.notebooks, options)
    for report in results:
        if report.error:
            print(f"deepnet grade: {report.path}: {report.error}", file=sys.stderr)
    try:
        print(reports.FORMATS[args.format](results))
        sys.stdout.flush()
    except BrokenPipeError:  # `deepnet grade ... | head`: the reader has all it wants
        sys.stdout = None
    return grade.exit_status(results)


def run_translate(args):
    root = args.root or exercises.find_course_root()
    if root is None or not (Path(root) / "chapters").is_dir():
        print("deepnet translate: no chapters/ folder here or next to the deepnet package; "
              "run it from the course's top folder or pass --root DIR", file=sys.stderr)
        return 2
    root = Path(root)
    try:
        if args.action == "check":
            problems = translate.check(root)
            for problem in problems:
                print(problem)
            return 1 if problems else 0
        if args.action == "build":
            written, fallbacks = translate.build(root)
            for path, contexts in fallbacks:
                print(f"{path}: {len(contexts)} blocks still in English, the first {contexts[0]}")
        else:
            written = translate.extract(root) if args.action == "extract" else translate.update(root)
    except (translate.TranslationError, exercises.ExerciseError) as error:
        print(f"deepnet translate: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "exercises":
        return run_exercises(args)
    if args.command == "translate":
        return run_translate(args)
    return run_grade(args)


if __name__ == "__main__":
    sys.exit(main())

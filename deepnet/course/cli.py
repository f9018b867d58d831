"""The `deepnet` command (also `python -m deepnet.course`): `deepnet exercises` and `deepnet grade`."""
import argparse
import sys
from pathlib import Path

from deepnet.course import exercises, grade

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
Run each notebook in a fresh kernel (on a copy: the file is never written), report every
exercise's check (pass / warn / fail / not attempted), and compare the notebook's outputs with its
solution's stored outputs under nbval, cell by cell (cells are matched by id).
The solution is named in the notebook's metadata by `deepnet exercises`, so a renamed submission
still finds it. It is looked for in --solutions DIR if given, else in ./solutions, then in the
solutions/ folder of the repository this deepnet package is installed from.
Exit status: 0 when every exercise passes and every compared output matches, 1 otherwise,
2 when a file is not a gradable notebook."""


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
    grading.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    grading.add_argument(
        "--timeout", type=int, default=grade.DEFAULT_TIMEOUT, metavar="SECONDS",
        help="the longest a cell may run before it is interrupted (default: %(default)s)")
    grading.add_argument("--solutions", type=Path, metavar="DIR", help="folder of the solution notebooks")
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
    if args.timeout <= 0:
        print(f"deepnet grade: --timeout must be a positive whole number of seconds, got {args.timeout}",
              file=sys.stderr)
        return 2
    missing = grade.missing_tools()
    if missing:
        print(f"deepnet grade needs {', '.join(missing)}: pip install {' '.join(missing)} "
              "(or pip install -r requirements.txt in the course folder)", file=sys.stderr)
        return 2
    solution_dirs = [args.solutions] if args.solutions else None
    reports, errors = grade.grade(args.notebooks, timeout=args.timeout, solution_dirs=solution_dirs)
    for error in errors:
        print(f"deepnet grade: {error}", file=sys.stderr)
    if args.json:
        print(grade.as_json(reports, errors))
    elif reports:
        print(grade.format_table(reports))
    return grade.exit_status(reports, errors)


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "exercises":
        return run_exercises(args)
    return run_grade(args)


if __name__ == "__main__":
    sys.exit(main())

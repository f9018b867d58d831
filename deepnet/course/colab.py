"""Google Colab: the "Open in Colab" badge and the setup cell that start every course notebook.

The repository's address is defined here and nowhere else: badges, the setup cell's
`pip install` and the tests all take it from REPOSITORY_URL and BRANCH.

    python -m deepnet.course.colab stamp     # put (or refresh) both cells in chapters/ and solutions/
    python -m deepnet.course.colab check     # exit 1 if a notebook lacks them or they are stale

Every notebook starts with two cells, whose ids stay the same so that diffs stay small:
1. "colab-badge" (markdown): the badge, linking to this very notebook on Colab.
2. "colab-setup" (code): on Colab only, and only when `deepnet` is missing, installs it from
   the repository. Anywhere else it does nothing and prints nothing.

Exercise notebooks are generated from solutions by `deepnet exercises`, which stamps them with
their own address through `add_colab_cells` (a badge copied from the solution would open the
solution). Notebooks are read and written as plain JSON in nbformat's layout, like
deepnet.course.exercises does, so this needs nothing beyond the standard library.
"""
import json
import sys
from pathlib import Path

from deepnet.course.language import fill, translate

REPOSITORY_URL = "https://github.com/deepnet-course/deepnet"
BRANCH = "main"

MESSAGES = {
    "not_the_cell": "cell {position} is not the '{cell}' cell",
    "stale_cell": "the '{cell}' cell is stale (not what deepnet.course.colab writes for {path})",
    "problem": "{path}: {problem}; run `python -m deepnet.course.colab stamp` (translations: "
    "`deepnet translate build`; exercises: `deepnet exercises`)",
    "usage": "usage: python -m deepnet.course.colab stamp|check   (run in the repository's root folder)",
    "no_chapters": "no chapters/ folder in {root}: run this in the repository's root folder",
    "stamped": "stamped {path}",
    "changed": "{count} notebook(s) changed; now run `deepnet translate build` and `deepnet exercises`",
}

BADGE_CELL_ID = "colab-badge"
SETUP_CELL_ID = "colab-setup"
# Folders of the repository whose notebooks carry the two cells; exercises/ gets them from
# `deepnet exercises`, so `stamp` leaves it alone.
NOTEBOOK_FOLDERS = ("chapters", "solutions", "exercises")
STAMPED_FOLDERS = ("chapters", "solutions")

BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"

SETUP_SOURCE_TEMPLATE = '''\
# On Google Colab, install deepnet (once per session). Anywhere else this cell does nothing.
import sys

if "google.colab" in sys.modules:
    try:
        import deepnet  # noqa: F401
    except ImportError:
        import importlib
        import subprocess

        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "{install_spec}"])
        importlib.invalidate_caches()  # so that the next `import deepnet` sees the new package'''


def repository_path():
    """'owner/name' of the repository on GitHub, from REPOSITORY_URL."""
    prefix = "https://github.com/"
    if not REPOSITORY_URL.startswith(prefix):
        raise ValueError(f"REPOSITORY_URL must start with {prefix!r} (Colab opens GitHub notebooks), "
                         f"got {REPOSITORY_URL!r}")
    return REPOSITORY_URL[len(prefix):].rstrip("/")


def install_spec():
    """What the setup cell gives to pip: the repository at BRANCH, as a git URL."""
    return f"git+{REPOSITORY_URL}@{BRANCH}"


def colab_url(notebook_path):
    """The Colab address that opens `notebook_path` (relative to the repository, e.g.
    'chapters/5.5-activation-layers.ipynb') from GitHub."""
    path = Path(notebook_path).as_posix()
    if Path(notebook_path).is_absolute() or not path.endswith(".ipynb"):
        raise ValueError(f"colab_url needs a notebook path relative to the repository, such as "
                         f"'chapters/5.5-activation-layers.ipynb', got {notebook_path!r}")
    return f"https://colab.research.google.com/github/{repository_path()}/blob/{BRANCH}/{path}"


def badge_markdown(notebook_path):
    """The markdown of the "Open in Colab" badge for a notebook of the repository."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(notebook_path)})"


def setup_source():
    """The setup cell's code: pip-installs the repository on Colab when deepnet is missing."""
    return SETUP_SOURCE_TEMPLATE.format(install_spec=install_spec())


def badge_cell(notebook_path):
    return {"cell_type": "markdown", "id": BADGE_CELL_ID, "metadata": {},
            "source": badge_markdown(notebook_path).splitlines(keepends=True)}


def setup_cell():
    return {"cell_type": "code", "execution_count": None, "id": SETUP_CELL_ID, "metadata": {},
            "outputs": [], "source": setup_source().splitlines(keepends=True)}


def add_colab_cells(notebook, notebook_path):
    """Make the badge and setup cells the first two cells of `notebook` (a dict, changed in place
    and returned). Existing cells with those ids are replaced, so running it twice changes nothing."""
    others = [cell for cell in notebook["cells"] if cell.get("id") not in (BADGE_CELL_ID, SETUP_CELL_ID)]
    notebook["cells"] = [badge_cell(notebook_path), setup_cell(), *others]
    # Cell ids exist from nbformat 4.5 on; older notebooks must say they have them.
    if (notebook.get("nbformat"), notebook.get("nbformat_minor", 0)) < (4, 5):
        notebook["nbformat"], notebook["nbformat_minor"] = 4, 5
    return notebook


def notebook_text(notebook):
    """The file content nbformat would write for this notebook (one-space indent, sorted keys)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def colab_cells_problem(notebook, notebook_path):
    """None when the notebook starts with the right badge and setup cells, else what is wrong."""
    cells = notebook.get("cells", [])
    expected = [badge_cell(notebook_path), setup_cell()]
    for position, wanted in enumerate(expected):
        if len(cells) <= position or cells[position].get("id") != wanted["id"]:
            return fill(MESSAGES["not_the_cell"], position=position + 1, cell=wanted["id"])
        source = cells[position].get("source", "")
        source = source if isinstance(source, str) else "".join(source)
        if source != "".join(wanted["source"]):
            return fill(MESSAGES["stale_cell"], cell=wanted["id"], path=notebook_path)
    return None


def course_notebooks(root, folders=NOTEBOOK_FOLDERS, translated=True):
    """Paths (relative to root) of the notebooks in the given folders of the course, and (translated)
    of their translations in folder/<language>/."""
    root = Path(root)
    patterns = ("*.ipynb", "*/*.ipynb") if translated else ("*.ipynb",)
    return [path.relative_to(root) for folder in folders for pattern in patterns
            for path in sorted((root / folder).glob(pattern))]


def stamp(root, folders=STAMPED_FOLDERS):
    """Add or refresh the two cells in every notebook of `folders` under root; returns the
    relative paths of the files that changed."""
    root = Path(root)
    changed = []
    # Translated notebooks get their cells from `deepnet translate build`, which calls add_colab_cells.
    for relative in course_notebooks(root, folders, translated=False):
        path = root / relative
        before = path.read_text(encoding="utf-8")
        after = notebook_text(add_colab_cells(json.loads(before), relative.as_posix()))
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed.append(relative)
    return changed


def check(root, folders=NOTEBOOK_FOLDERS):
    """Messages for every notebook under root that lacks the two cells or has stale ones."""
    root = Path(root)
    messages = []
    for relative in course_notebooks(root, folders):
        notebook = json.loads((root / relative).read_text(encoding="utf-8"))
        problem = colab_cells_problem(notebook, relative.as_posix())
        if problem:
            messages.append(fill(MESSAGES["problem"], path=relative, problem=problem))
    return messages


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv not in (["stamp"], ["check"]):
        print(translate(MESSAGES["usage"]), file=sys.stderr)
        return 2
    root = Path.cwd()
    if not (root / "chapters").is_dir():
        print(fill(MESSAGES["no_chapters"], root=root), file=sys.stderr)
        return 2
    if argv == ["stamp"]:
        changed = stamp(root)
        for relative in changed:
            print(fill(MESSAGES["stamped"], path=relative))
        print(fill(MESSAGES["changed"], count=len(changed)))
        return 0
    messages = check(root)
    for message in messages:
        print(message)
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main())

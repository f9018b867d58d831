"""Every course notebook opens on Colab from its badge, and its setup cell installs deepnet there only."""
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from deepnet.course import colab

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOKS = [path.relative_to(REPOSITORY) for folder in colab.NOTEBOOK_FOLDERS
             for path in sorted((REPOSITORY / folder).glob("*.ipynb"))]


def first_cells(relative_path):
    cells = json.loads((REPOSITORY / relative_path).read_text(encoding="utf-8"))["cells"]
    return [(cell["id"], cell["cell_type"], "".join(cell["source"])) for cell in cells[:2]]


def run_setup_cell(monkeypatch, on_colab, deepnet_installed):
    """Execute the setup cell's code in this process with Colab and deepnet faked as asked;
    return the commands it would have run (subprocess.check_call is recorded, not run)."""
    commands = []
    monkeypatch.setattr(subprocess, "check_call", lambda command: commands.append(command))
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", ModuleType("google.colab"))
    if not deepnet_installed:
        monkeypatch.setitem(sys.modules, "deepnet", None)  # None in sys.modules: import raises ImportError
    exec(colab.setup_source(), {})
    return commands


@pytest.mark.parametrize("relative_path", NOTEBOOKS, ids=str)
def test_notebook_starts_with_the_colab_badge_and_the_setup_cell(relative_path):
    (badge_id, badge_type, badge), (setup_id, setup_type, setup) = first_cells(relative_path)
    first_two = (badge_id, badge_type, setup_id, setup_type)
    assert first_two == ("colab-badge", "markdown", "colab-setup", "code"), (
        f"{relative_path} must start with the badge and setup cells: "
        "run `python -m deepnet.course.colab stamp`")
    # The address is built here from the one definition, independently of colab_url().
    owner_and_name = colab.REPOSITORY_URL.removeprefix("https://github.com/")
    expected_link = (f"https://colab.research.google.com/github/{owner_and_name}/blob/{colab.BRANCH}/"
                     f"{relative_path.as_posix()}")
    assert badge == f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({expected_link})"
    assert f'"git+{colab.REPOSITORY_URL}@{colab.BRANCH}"' in setup


def test_the_repository_url_is_defined_in_deepnet_colab_only():
    owner_and_name = colab.REPOSITORY_URL.removeprefix("https://github.com/")
    mentions = [path.name for path in (REPOSITORY / "deepnet").rglob("*.py")
                if owner_and_name in path.read_text(encoding="utf-8")]
    assert mentions == ["colab.py"]


def test_setup_cell_does_nothing_and_prints_nothing_outside_colab():
    run = subprocess.run([sys.executable, "-c", colab.setup_source()], capture_output=True, text=True,
                         timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_setup_cell_installs_nothing_outside_colab_even_without_deepnet(monkeypatch):
    assert run_setup_cell(monkeypatch, on_colab=False, deepnet_installed=False) == []


def test_setup_cell_on_colab_pip_installs_the_repository_when_deepnet_is_missing(monkeypatch):
    commands = run_setup_cell(monkeypatch, on_colab=True, deepnet_installed=False)
    assert commands == [[sys.executable, "-m", "pip", "install", "--quiet",
                         f"git+{colab.REPOSITORY_URL}@{colab.BRANCH}"]]


def test_setup_cell_on_colab_installs_nothing_when_deepnet_is_there(monkeypatch):
    assert run_setup_cell(monkeypatch, on_colab=True, deepnet_installed=True) == []


def make_course_copy(tmp_path):
    for folder in ("chapters", "solutions"):
        (tmp_path / folder).mkdir()
        for path in (REPOSITORY / folder).glob("*.ipynb"):
            (tmp_path / folder / path.name).write_bytes(path.read_bytes())
    return tmp_path


def test_stamping_adds_the_two_cells_first_keeps_every_other_cell_and_a_second_run_changes_nothing(tmp_path):
    root = make_course_copy(tmp_path)
    before = {path: json.loads(path.read_text(encoding="utf-8")) for path in root.glob("*/*.ipynb")}
    colab.stamp(root)
    for path, old in before.items():
        new = json.loads(path.read_text(encoding="utf-8"))
        relative = path.relative_to(root).as_posix()
        assert colab.colab_cells_problem(new, relative) is None
        kept = [cell for cell in old["cells"] if cell.get("id") not in ("colab-badge", "colab-setup")]
        assert new["cells"][2:] == kept, f"{relative}: stamping changed other cells"
    assert colab.stamp(root) == []


def test_stamping_leaves_the_exercises_to_deepnet_exercises(tmp_path):
    root = make_course_copy(tmp_path)
    (root / "exercises").mkdir()
    exercise = REPOSITORY / "exercises" / "5.5-activation-layers.ipynb"
    (root / "exercises" / exercise.name).write_bytes(exercise.read_bytes())
    colab.stamp(root)
    assert (root / "exercises" / exercise.name).read_bytes() == exercise.read_bytes()


def test_exercises_generated_from_stamped_solutions_open_the_exercise_on_colab(tmp_path):
    from deepnet.course import exercises

    root = make_course_copy(tmp_path)
    colab.stamp(root)
    ok, messages = exercises.generate(root)
    assert ok, messages
    assert colab.check(root) == []

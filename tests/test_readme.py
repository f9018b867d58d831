"""The README's quick start is what CI runs: the two commands cannot drift apart."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick_start, flags=re.S)


def test_readme_quick_start_has_exactly_two_one_line_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    open_course, run_tests = commands
    assert "jupyter lab" in open_course and "pytest" in run_tests


def test_ci_runs_exactly_the_readmes_test_command():
    run_tests = quick_start_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert run_tests in ci_lines


def test_both_commands_install_the_same_requirements_file():
    for command in quick_start_commands():
        assert "pip install -r requirements.txt" in command
    assert "-e ." in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()


def test_the_korean_readme_opens_with_the_same_two_commands():
    korean = (ROOT / "README.ko.md").read_text(encoding="utf-8")
    first_section = korean.split("\n## ", 2)[1]  # 빠른 시작 (quick start)
    assert re.findall(r"```bash\n(.+?)\n```", first_section, flags=re.S) == quick_start_commands()


def test_the_korean_readme_links_the_korean_notebooks():
    korean = (ROOT / "README.ko.md").read_text(encoding="utf-8")
    for name in ("5.4-simple-layers", "5.5-activation-layers", "5.6-affine-softmax", "5.7-backprop-network"):
        assert f"](chapters/ko/{name}.ipynb)" in korean
        assert f"blob/main/chapters/ko/{name}.ipynb)" in korean
    for target in re.findall(r"\]\(([^)\s#]+)", korean):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target

"""The GitHub Actions templates in docs/github-actions/ run the commands they say, and those commands
work here: the same commands, on a submission, with the files GitHub gives a job."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from test_grade import learner_notebook, save

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "docs" / "github-actions"


def workflow(name):
    return yaml.safe_load((TEMPLATES / name).read_text(encoding="utf-8"))


def test_the_grading_workflow_only_reads_has_time_limits_and_no_secrets():
    document = workflow("grade-submissions.yml")
    text = (TEMPLATES / "grade-submissions.yml").read_text(encoding="utf-8")
    assert document["permissions"] == {"contents": "read"}
    assert "pull_request_target" not in document[True] and "secrets." not in text  # `on:` parses as True
    assert all(job["timeout-minutes"] <= 30 for job in document["jobs"].values())
    assert document["jobs"]["grade"]["strategy"]["matrix"]["notebook"].startswith("${{ fromJSON(")


def test_the_course_ci_workflow_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    steps = workflow("course-ci.yml")["jobs"]["test"]["steps"]
    command = steps[-1]["run"]
    assert command in readme


def test_the_grading_workflow_commands_work_on_a_submission(tmp_path):
    """Run the `run:` lines of both jobs as a runner would, from a course checkout with submissions."""
    course = tmp_path / "course"
    (course / "submissions" / "alice").mkdir(parents=True)
    save(learner_notebook("5.4-simple-layers", solved=True), course / "submissions" / "alice" / "week4.ipynb")
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    environment = dict(
        os.environ,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
    )
    jobs = workflow("grade-submissions.yml")["jobs"]

    def run(command, **values):
        for key, value in values.items():
            command = command.replace("${{ matrix." + key + " }}", value)
        assert "${{" not in command, command
        return subprocess.run(["bash", "-c", command], cwd=course, env=environment, timeout=300)

    [find] = [step for step in jobs["list"]["steps"] if step.get("id") == "find"]
    assert run(find["run"]).returncode == 0
    notebooks = json.loads(re.fullmatch(r"notebooks=(.*)\n", output.read_text())[1])
    assert notebooks == ["submissions/alice/week4.ipynb"]
    # The install step is the one thing not run again here: this environment has the course already.
    commands = [
        step["run"] for step in jobs["grade"]["steps"] if "run" in step and "pip install" not in step["run"]
    ]
    for command in commands:
        assert run(command, notebook=notebooks[0]).returncode == 0, command
    assert summary.read_text().startswith("## deepnet grade: 1 of 1 notebooks passed")
    assert json.loads((course / "grade.json").read_text())["passed"] is True

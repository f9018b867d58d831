"""The reports of `deepnet grade`, one function per format: table (people), json (machines), csv (a
gradebook), markdown (a CI job summary), gradescope (Gradescope's results.json) and classroom50
(Classroom 50's result.json). Each takes the list of NotebookReports and returns text.
"""

import csv
import io
import json

STATUS_LABELS = {
    "pass": "pass",
    "warn": "warn",
    "fail": "FAIL",
    "not attempted": "not attempted",
    "copied": "COPIED",
}
MESSAGES = {
    "solution": "{path}  (solution: {solution})",
    "cannot_grade": "{path}: not graded: {error}",
    "header": "exercise",
    "outputs": "outputs: {matched} of {compared} cells match the solution",
    "mismatch": "cell {cell}: {reason}",
    "passed": "PASSED",
    "not_passed": "NOT PASSED",
    "points": "points: {points:g} of {max_points:g}",
    "summary": "{passed} of {total} notebooks passed",
    "markdown_title": "## deepnet grade: {passed} of {total} notebooks passed",
    "outputs_test": "outputs match the solution",
}


def table(reports):
    """Plain text: one block per notebook, one row per exercise, then the output comparison."""
    lines = []
    for report in reports:
        if report.error:
            lines += [MESSAGES["cannot_grade"].format(path=report.path, error=report.error), ""]
            continue
        lines.append(MESSAGES["solution"].format(path=report.path, solution=report.solution))
        width = max([len(e["name"]) for e in report.exercises] + [8])
        lines.append(f"  {MESSAGES['header']:<{width}}  {'status':<13}  message")
        for exercise in report.exercises:
            messages = exercise["messages"] or [""]
            label = STATUS_LABELS.get(exercise["status"], exercise["status"])
            lines.append(f"  {exercise['name']:<{width}}  {label:<13}  {messages[0]}")
            lines += [f"  {'':<{width}}  {'':<13}  {message}" for message in messages[1:]]
        matched = report.compared - len(report.mismatches)
        lines.append("  " + MESSAGES["outputs"].format(matched=matched, compared=report.compared))
        lines += ["    " + MESSAGES["mismatch"].format(**m) for m in report.mismatches]
        lines.append("  " + MESSAGES["points"].format(points=report.points, max_points=report.max_points))
        lines.append(f"  => {MESSAGES['passed'] if report.passed else MESSAGES['not_passed']}")
        lines.append("")
    if len(reports) > 1:
        lines.append(MESSAGES["summary"].format(passed=sum(r.passed for r in reports), total=len(reports)))
    return "\n".join(lines)


def as_json(reports):
    document = {"passed": all(r.passed for r in reports), "notebooks": [r.as_json() for r in reports]}
    return json.dumps(document, indent=2, ensure_ascii=False)


def gradebook(reports):
    """CSV: one row per student notebook, one column per exercise (its points), then the totals."""
    exercises = []
    for report in reports:
        for exercise in report.exercises:
            if exercise["name"] not in exercises:
                exercises.append(exercise["name"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "notebook",
            "solution",
            *exercises,
            "outputs_matched",
            "outputs_compared",
            "points",
            "max_points",
            "passed",
            "error",
        ]
    )
    for report in reports:
        points = {e["name"]: e["points"] for e in report.exercises}
        writer.writerow(
            [
                report.path,
                report.solution,
                *(points.get(name, "") for name in exercises),
                report.compared - len(report.mismatches),
                report.compared,
                report.points,
                report.max_points,
                report.passed,
                report.error,
            ]
        )
    return out.getvalue()


def markdown(reports):
    """For a CI job summary ($GITHUB_STEP_SUMMARY): a table per notebook."""
    passed = sum(r.passed for r in reports)
    lines = [MESSAGES["markdown_title"].format(passed=passed, total=len(reports)), ""]
    for report in reports:
        verdict = "✅" if report.passed else "❌"
        lines.append(f"### {verdict} `{report.path}`")
        if report.error:
            lines += ["", MESSAGES["cannot_grade"].format(path=report.path, error=report.error), ""]
            continue
        lines += [
            "",
            f"solution `{report.solution}`, "
            + MESSAGES["points"].format(points=report.points, max_points=report.max_points),
            "",
            "| exercise | status | message |",
            "|---|---|---|",
        ]
        for exercise in report.exercises:
            message = " ".join(exercise["messages"][:1]).replace("|", "\\|")
            label = STATUS_LABELS.get(exercise["status"], exercise["status"])
            lines.append(f"| {exercise['name']} | {label} | {message} |")
        matched = report.compared - len(report.mismatches)
        lines += ["", MESSAGES["outputs"].format(matched=matched, compared=report.compared), ""]
        lines += [f"- {MESSAGES['mismatch'].format(**m)}" for m in report.mismatches]
        lines.append("")
    return "\n".join(lines)


def gradescope(reports):
    """Gradescope's autograder results.json: one test per exercise (and one for the outputs) of every
    notebook; score and max_score in points."""
    tests, output = [], []
    for report in reports:
        if report.error:
            output.append(MESSAGES["cannot_grade"].format(path=report.path, error=report.error))
            tests.append(
                {
                    "name": f"{report.path}",
                    "score": 0,
                    "max_score": 0,
                    "status": "failed",
                    "output": report.error,
                    "visibility": "visible",
                }
            )
            continue
        for exercise in report.exercises:
            passed = exercise["status"] in ("pass", "warn")
            tests.append(
                {
                    "name": f"{report.path}: {exercise['name']}",
                    "score": exercise["points"],
                    "max_score": exercise["max_points"],
                    "status": "passed" if passed else "failed",
                    "output": "\n".join(exercise["messages"]),
                    "visibility": "visible",
                }
            )
        tests.append(
            {
                "name": f"{report.path}: {MESSAGES['outputs_test']}",
                "score": 0,
                "max_score": 0,
                "status": "failed" if report.mismatches else "passed",
                "output": "\n".join(MESSAGES["mismatch"].format(**m) for m in report.mismatches),
                "visibility": "visible",
            }
        )
    document = {
        "score": sum(r.points for r in reports),
        "output": "\n".join(output) or table(reports),
        "tests": tests,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def classroom50(reports):
    """Classroom 50's result.json (schema classroom50/result/v1): one test per exercise."""
    tests = []
    for report in reports:
        for exercise in report.exercises:
            tests.append(
                {
                    "test-name": f"{report.path}: {exercise['name']}",
                    "passed": exercise["status"] in ("pass", "warn"),
                    "score": exercise["points"],
                    "max-score": exercise["max_points"],
                }
            )
        if report.error:
            tests.append({"test-name": report.path, "passed": False, "score": 0, "max-score": 0})
    document = {
        "schema": "classroom50/result/v1",
        "score": sum(r.points for r in reports),
        "max-score": sum(r.max_points for r in reports),
        "tests": tests,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


FORMATS = {
    "table": table,
    "json": as_json,
    "csv": gradebook,
    "markdown": markdown,
    "gradescope": gradescope,
    "classroom50": classroom50,
}

"""The reports of `deepnet grade`, one function per format: table (people), json (machines), csv (a
gradebook), markdown (a CI job summary), gradescope (Gradescope's results.json) and classroom50
(Classroom 50's result.json). Each takes the list of NotebookReports and returns text.
"""

import csv
import io
import json
import unicodedata

from deepnet.course.language import fill, translate

MESSAGES = {
    "status_pass": "pass",
    "status_warn": "warn",
    "status_fail": "FAIL",
    "status_not_attempted": "not attempted",
    "status_copied": "COPIED",
    "column_status": "status",
    "column_message": "message",
    "markdown_header": "| exercise | status | message |",
    "markdown_solution": "solution `{solution}`, {points}",
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


def status_label(status):
    key = "status_" + status.replace(" ", "_")
    return translate(MESSAGES[key]) if key in MESSAGES else status


def text_width(text):
    """Columns a text takes in a terminal: Hangul and Han characters take two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def columns(cells):
    """Cells padded to their widths (0: no padding), two spaces apart."""
    return "  ".join(text + " " * max(0, width - text_width(text)) for text, width in cells).rstrip()


def batch_language(reports):
    """The language the whole report is in: the notebooks' own, when they all share one."""
    codes = {report.language for report in reports}
    return codes.pop() if len(codes) == 1 else "en"


def table(reports):
    """Plain text: one block per notebook, one row per exercise, then the output comparison."""
    lines = []
    for report in reports:
        if report.error:
            lines += [fill(MESSAGES["cannot_grade"], path=report.path, error=report.error), ""]
            continue
        lines.append(fill(MESSAGES["solution"], path=report.path, solution=report.solution))
        names = [exercise["name"] for exercise in report.exercises]
        labels = [status_label(exercise["status"]) for exercise in report.exercises]
        name_width = max(text_width(text) for text in names + [translate(MESSAGES["header"])])
        label_width = max(text_width(text) for text in labels + [translate(MESSAGES["column_status"])])
        lines.append("  " + columns([(translate(MESSAGES["header"]), name_width),
                                     (translate(MESSAGES["column_status"]), label_width),
                                     (translate(MESSAGES["column_message"]), 0)]))
        for name, label, exercise in zip(names, labels, report.exercises, strict=True):
            messages = exercise["messages"] or [""]
            lines.append("  " + columns([(name, name_width), (label, label_width), (messages[0], 0)]))
            lines += ["  " + columns([("", name_width), ("", label_width), (message, 0)])
                      for message in messages[1:]]
        matched = report.compared - len(report.mismatches)
        lines.append("  " + fill(MESSAGES["outputs"], matched=matched, compared=report.compared))
        lines += ["    " + fill(MESSAGES["mismatch"], **m) for m in report.mismatches]
        lines.append("  " + fill(MESSAGES["points"], points=report.points, max_points=report.max_points))
        lines.append("  => " + translate(MESSAGES["passed"] if report.passed else MESSAGES["not_passed"]))
        lines.append("")
    if len(reports) > 1:
        lines.append(fill(MESSAGES["summary"], passed=sum(r.passed for r in reports), total=len(reports)))
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
    lines = [fill(MESSAGES["markdown_title"], passed=passed, total=len(reports)), ""]
    for report in reports:
        verdict = "✅" if report.passed else "❌"
        lines.append(f"### {verdict} `{report.path}`")
        if report.error:
            lines += ["", fill(MESSAGES["cannot_grade"], path=report.path, error=report.error), ""]
            continue
        lines += [
            "",
            fill(MESSAGES["markdown_solution"], solution=report.solution,
                 points=fill(MESSAGES["points"], points=report.points, max_points=report.max_points)),
            "",
            translate(MESSAGES["markdown_header"]),
            "|---|---|---|",
        ]
        for exercise in report.exercises:
            message = " ".join(exercise["messages"][:1]).replace("|", "\\|")
            lines.append(f"| {exercise['name']} | {status_label(exercise['status'])} | {message} |")
        matched = report.compared - len(report.mismatches)
        lines += ["", fill(MESSAGES["outputs"], matched=matched, compared=report.compared), ""]
        lines += [f"- {fill(MESSAGES['mismatch'], **m)}" for m in report.mismatches]
        lines.append("")
    return "\n".join(lines)


def gradescope(reports):
    """Gradescope's autograder results.json: one test per exercise (and one for the outputs) of every
    notebook; score and max_score in points."""
    tests, output = [], []
    for report in reports:
        if report.error:
            output.append(fill(MESSAGES["cannot_grade"], path=report.path, error=report.error))
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
                "name": f"{report.path}: {translate(MESSAGES['outputs_test'])}",
                "score": 0,
                "max_score": 0,
                "status": "failed" if report.mismatches else "passed",
                "output": "\n".join(fill(MESSAGES["mismatch"], **m) for m in report.mismatches),
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

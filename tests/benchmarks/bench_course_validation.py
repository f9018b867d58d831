"""How long it takes to validate the whole course: every notebook under nbval.

Run by hand from the repository (pytest does not collect bench_*.py files):

    python tests/benchmarks/bench_course_validation.py

Two pytest runs, as an instructor's CI would do them:
- `pytest chapters solutions`: strict nbval (pyproject's addopts), every stored output compared;
- `pytest --nbval-lax exercises`: the stubs as shipped, run but not compared.
Each run's wall time includes pytest's start-up and one kernel per notebook; the per-notebook
figures are the sums of their cells' times from pytest's JUnit XML report. Prints a table, then
one line of JSON.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
RUNS = {
    "chapters + solutions (strict)": ["chapters", "solutions"],
    "exercises (lax)": ["--nbval-lax", "exercises"],
}


def run_pytest(arguments):
    """Run pytest on the arguments; return (wall seconds, summary line, {notebook: seconds}, failed items)."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.xml"
        start = time.perf_counter()
        completed = subprocess.run([sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", *arguments],
                                   cwd=REPOSITORY, capture_output=True, text=True)
        wall = time.perf_counter() - start
        per_notebook, failed = defaultdict(float), []
        if report.exists():
            for case in ElementTree.parse(report).iter("testcase"):
                # nbval's items are "<notebook>::Cell N"; JUnit's classname is the notebook path with dots
                name = case.get("classname", "")
                per_notebook[name] += float(case.get("time", 0))
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(f"{name}::{case.get('name')}")
    lines = completed.stdout.strip().splitlines()
    summaries = [line for line in lines if re.search(r"\d+ (passed|failed)", line)]
    summary = summaries[-1] if summaries else "no summary"
    return wall, summary.strip("= "), dict(per_notebook), failed


def main():
    load_before = os.getloadavg()[0]
    results = {}
    for name, arguments in RUNS.items():
        wall, summary, per_notebook, failed = run_pytest(arguments)
        results[name] = {"wall_s": round(wall, 1), "summary": summary, "failed": failed,
                         "notebooks_s": {key: round(value, 1) for key, value in sorted(per_notebook.items())}}
    load_after = os.getloadavg()[0]

    print(f"Validating the course under nbval · load average {load_before:.1f} → {load_after:.1f} "
          f"on {os.cpu_count()} cores")
    for name, result in results.items():
        print(f"\n{name}: {result['wall_s']:.1f} s wall ({result['summary']})")
        for notebook, seconds in result["notebooks_s"].items():
            print(f"  {notebook:<48}{seconds:>7.1f} s")
        for item in result["failed"]:
            print(f"  FAILED {item}")
    total = sum(result["wall_s"] for result in results.values())
    print(f"\nwhole course: {total:.1f} s")
    print(json.dumps({"benchmark": "course_validation", "total_s": round(total, 1),
                      "load": [round(load_before, 1), round(load_after, 1)], "runs": results}))


if __name__ == "__main__":
    main()

"""How many notebooks per minute `deepnet grade` grades: a class of 100 submissions, one at a time
and two at a time.

Run by hand from the repository (pytest does not collect bench_*.py files):

    python tests/benchmarks/bench_grading.py [--count 100] [--timeout 3]

The class is a mix, as a real one is: 60 right, 20 wrong (Relu forgets its mask), 10 that crash
the kernel (os._exit) and 10 with an endless loop that swallows the interrupt (each costs the cell
timeout, the grace before the kill and a new kernel). Each run is one `deepnet grade --format json`
process over the whole class. Prints a table, then one line of JSON.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
NOTEBOOK = "5.5-activation-layers"
WRONG = (
    "class Relu:\n    def forward(self, x):\n        return np.maximum(0, x)\n\n"
    "    def backward(self, dout):\n"
    "        return dout\n"
)
CRASH = "import os\nos._exit(1)\n"
ENDLESS = "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass\n"


def submission(kind):
    exercise = json.loads((REPOSITORY / "exercises" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    solution = json.loads((REPOSITORY / "solutions" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    answers = {
        cell["id"]: cell["source"]
        for cell in solution["cells"]
        if "exercise" in cell["metadata"].get("tags", [])
    }
    answers["relu"] = {"right": answers["relu"], "wrong": WRONG, "crash": CRASH, "endless": ENDLESS}[kind]
    for cell in exercise["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    return exercise


def make_class(folder, count):
    kinds = ["right"] * 6 + ["wrong"] * 2 + ["crash"] + ["endless"]
    paths = []
    for index in range(count):
        path = Path(folder) / f"student-{index:03d}.ipynb"
        path.write_text(json.dumps(submission(kinds[index % len(kinds)])), encoding="utf-8")
        paths.append(path)
    return paths


def grade(paths, jobs, timeout):
    start = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "deepnet.course",
            "grade",
            "--format",
            "json",
            "-j",
            str(jobs),
            "--timeout",
            str(timeout),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    report = json.loads(run.stdout)
    passed = sum(notebook["passed"] for notebook in report["notebooks"])
    return wall, passed, run.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--timeout", type=int, default=3)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = make_class(folder, args.count)
        print(
            f"{args.count} submissions of {NOTEBOOK} (60 % right, 20 % wrong, 10 % crashing, 10 % endless), "
            f"--timeout {args.timeout}"
        )
        print(f"{'jobs':>4}  {'wall':>8}  {'notebooks/min':>13}  {'passed':>6}  exit")
        for jobs in (1, 2):
            wall, passed, status = grade(paths, jobs, args.timeout)
            figures[f"j{jobs}"] = {
                "seconds": round(wall, 1),
                "per_minute": round(60 * args.count / wall, 1),
                "passed": passed,
                "exit": status,
            }
            print(f"{jobs:>4}  {wall:>7.1f}s  {60 * args.count / wall:>13.1f}  {passed:>6}  {status}")
    print(json.dumps({"benchmark": "grading", "count": args.count, **figures}))


if __name__ == "__main__":
    main()

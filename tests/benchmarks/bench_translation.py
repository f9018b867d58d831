"""The translations in figures: blocks per notebook, messages per language, and how long
`deepnet translate build` and `deepnet translate check` take.

Run by hand from the repository's top folder: python tests/benchmarks/bench_translation.py

Each command runs as a whole process (what a maintainer waits for); the figure is the median of
several runs. build writes nothing when everything is current, so the runs change no file.
"""
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from deepnet.course import translation

RUNS = 7
ROOT = Path(__file__).resolve().parents[2]
COMMAND = [str(Path(sys.executable).with_name("deepnet")), "translate"]


def median_seconds(action):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([*COMMAND, action, "--root", str(ROOT)], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def translated(catalog):
    return sum(1 for message in catalog if message.id and message.string and not message.fuzzy)


def main():
    blocks = {}
    print(f"{'notebook':<42}{'blocks':>8}{'ko':>6}{'zh_CN':>7}")
    for english in translation.english_notebooks(ROOT):
        notebook = json.loads((ROOT / english).read_text(encoding="utf-8"))
        row = {"blocks": len(translation.notebook_blocks(english.as_posix(), notebook))}
        for code in translation.languages_of(english):
            catalog = translation.read_catalog(translation.catalog_path(ROOT, code, english), code)
            row[code] = translated(catalog)
        blocks[english.as_posix()] = row
        print(f"{english.as_posix():<42}{row['blocks']:>8}{row.get('ko', '-'):>6}{row.get('zh_CN', '-'):>7}")
    template = [m for m in translation.read_catalog(translation.messages_template_path()) if m.id]
    messages = {"en": len(template)}
    for code in translation.LANGUAGES:
        messages[code] = translated(translation.read_catalog(translation.messages_catalog_path(code), code))
    print("messages of the package: " + ", ".join(f"{code} {count}" for code, count in messages.items()))
    build_s, check_s = median_seconds("build"), median_seconds("check")
    print(f"deepnet translate build: {build_s:.2f} s, check: {check_s:.2f} s (median of {RUNS} runs)")
    print(json.dumps({"benchmark": "translation", "blocks": blocks, "messages": messages,
                      "build_s": round(build_s, 2), "check_s": round(check_s, 2), "runs": RUNS}))


if __name__ == "__main__":
    main()

"""How long `import deepnet` takes next to `import numpy`.

Run by hand: python tests/benchmarks/bench_import.py

Each import runs in a fresh interpreter; the figure is the median of several runs, minus the
interpreter's own start-up.
"""
import json
import statistics
import subprocess
import sys
import time

RUNS = 15


def median_seconds(code):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    bare = median_seconds("pass")
    numpy_s = median_seconds("import numpy") - bare
    deepnet_s = median_seconds("import deepnet") - bare
    print(f"{'import':<16}{'median ms':>10}")
    print(f"{'numpy':<16}{numpy_s * 1000:>10.1f}")
    print(f"{'deepnet':<16}{deepnet_s * 1000:>10.1f}   (includes numpy)")
    print(json.dumps({"benchmark": "import", "numpy_ms": round(numpy_s * 1000, 1),
                      "deepnet_ms": round(deepnet_s * 1000, 1), "runs": RUNS}))


if __name__ == "__main__":
    main()

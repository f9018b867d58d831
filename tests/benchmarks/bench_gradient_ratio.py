"""Backprop against the numerical gradient of the same network and batch: the time of each, and the ratio.

Run by hand from the repository (pytest does not collect bench_*.py files):

    python tests/benchmarks/bench_gradient_ratio.py

Two networks: the one of chapter 5.7 (64-100-10, a batch of 32, as it trains on the bundled digits)
and the book's MNIST network (784-50-10, a batch of 100; its numerical gradient takes tens of seconds).
The numerical gradient runs once (it is slow enough to time alone); backprop is the best of several
rounds of many calls. Random inputs in [0, 1] stand in for images: the time does not depend on the
values. Prints a table, then one line of JSON.
"""
import json
import os
import time

import numpy as np

from deepnet.network import TwoLayerNet

CASES = [
    ("chapter 5.7 (digits)", 64, 100, 10, 32),
    ("book (MNIST)", 784, 50, 10, 100),
]
ROUNDS, CALLS_PER_ROUND = 7, 50


def measure(input_size, hidden_size, output_size, batch):
    rng = np.random.default_rng(0)
    x = rng.random((batch, input_size))
    t = rng.integers(0, output_size, size=batch)
    network = TwoLayerNet(input_size, hidden_size, output_size, weight_init_std=0.1, seed=0)

    start = time.perf_counter()
    network.numerical_gradient(x, t)
    numerical = time.perf_counter() - start

    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS_PER_ROUND):
            network.gradient(x, t)
        rounds.append((time.perf_counter() - start) / CALLS_PER_ROUND)
    backprop = min(rounds)
    n_parameters = sum(value.size for value in network.params.values())
    return {"parameters": n_parameters, "forward_passes": 2 * n_parameters,
            "numerical_s": numerical, "backprop_s": backprop, "ratio": numerical / backprop}


def main():
    load_before = os.getloadavg()[0]
    results = {name: measure(*sizes) for name, *sizes in CASES}
    load_after = os.getloadavg()[0]
    print(f"One gradient of all parameters · load average {load_before:.1f} → {load_after:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"{'network':<22}{'shape':>12}{'batch':>7}{'parameters':>12}{'numerical':>12}{'backprop':>12}"
          f"{'ratio':>10}")
    for (name, d, h, c, batch), r in zip(CASES, results.values(), strict=True):
        print(f"{name:<22}{f'{d}-{h}-{c}':>12}{batch:>7}{r['parameters']:>12,}{r['numerical_s']:>11.2f}s"
              f"{r['backprop_s'] * 1e6:>10.0f}µs{r['ratio']:>9,.0f}×")
    print(json.dumps({"benchmark": "gradient_ratio", "load": [round(load_before, 1), round(load_after, 1)],
                      "results": {name: {key: (round(value, 6) if isinstance(value, float) else value)
                                         for key, value in r.items()} for name, r in results.items()}}))


if __name__ == "__main__":
    main()

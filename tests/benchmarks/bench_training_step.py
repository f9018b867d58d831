"""One SGD step of TwoLayerNet (784-50-10, batch 100): numpy against its matrix products and PyTorch.

Run by hand from the repository (pytest does not collect bench_*.py files):

    python tests/benchmarks/bench_training_step.py            # 1 and 2 BLAS threads
    python tests/benchmarks/bench_training_step.py --threads 1

A step is what the training loop does per batch: network.gradient(x, t), then
params[key] -= learning_rate * grads[key]. It is compared with
- the floor: the five matrix products the step needs (forward x·W1 and h·W2; backward
  dout2·W2ᵀ, hᵀ·dout2 and xᵀ·dout1), timed alone; plain numpy cannot go below it;
- the same step in PyTorch on the CPU (autograd, manual SGD), when torch is importable;
- the step with the one change to Affine that this benchmark suggests: the first layer does not
  compute dx = dout·W1ᵀ, the gradient with respect to the input images, which nobody uses.
Then it splits our step into its layers, to show where the time goes.

Each thread count runs in a fresh interpreter, since BLAS reads its thread count from the
environment at import. Figures are the best of several rounds (the least disturbed by other work
on the machine), each round timing every candidate in turn. Prints a table, then one line of JSON.

OpenBLAS kernel: some machines set OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) for old OpenBLAS
builds; they can slow a current numpy. The table names the kernel in use; to measure without
them, unset both for this command only:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python tests/benchmarks/bench_training_step.py
"""
import argparse
import ctypes
import glob
import json
import os
import platform
import re
import subprocess
import sys
import time

BATCH, INPUT, HIDDEN, OUTPUT = 100, 784, 50, 10
LEARNING_RATE = 0.1
ROUNDS = 15
CALLS_PER_ROUND = 50
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def openblas_core():
    """The CPU kernel numpy's bundled OpenBLAS chose ('Haswell', ...), or 'unknown'."""
    import numpy as np

    for library in glob.glob(os.path.join(os.path.dirname(np.__path__[0]), "numpy.libs", "*openblas*")):
        lib = ctypes.CDLL(library)
        for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(lib, symbol):
                getter = getattr(lib, symbol)
                getter.restype = ctypes.c_char_p
                return getter().decode()
    return "unknown"


def best_and_median(candidates):
    """Time each candidate CALLS_PER_ROUND times per round, for ROUNDS rounds taken in turn.

    Returns {name: (best, median)} in microseconds per call.
    """
    samples = {name: [] for name in candidates}
    for _ in range(ROUNDS):
        for name, function in candidates.items():
            start = time.perf_counter()
            for _ in range(CALLS_PER_ROUND):
                function()
            samples[name].append((time.perf_counter() - start) / CALLS_PER_ROUND * 1e6)
    return {name: (min(times), sorted(times)[len(times) // 2]) for name, times in samples.items()}


def measure(dtype_name):
    """All timings for one dtype, in this process (whose BLAS thread count is already fixed)."""
    import numpy as np

    from deepnet.layers import Affine
    from deepnet.network import PARAMETER_NAMES, TwoLayerNet

    dtype = np.dtype(dtype_name)
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, INPUT)).astype(dtype)
    t = rng.integers(0, OUTPUT, size=BATCH)

    network = TwoLayerNet(INPUT, HIDDEN, OUTPUT, seed=0, dtype=dtype)

    def numpy_step(net=network):
        grads = net.gradient(x, t)
        for key in PARAMETER_NAMES:
            net.params[key] -= LEARNING_RATE * grads[key]

    # The book's network computes Affine1's dx too, though the input is the data: what skipping it saves.
    bookish = TwoLayerNet(INPUT, HIDDEN, OUTPUT, seed=0, dtype=dtype)
    bookish.layers["Affine1"] = Affine(bookish.params["W1"], bookish.params["b1"])

    W1, W2 = network.params["W1"], network.params["W2"]
    h = np.maximum(x @ W1, 0)
    dout2 = rng.standard_normal((BATCH, OUTPUT)).astype(dtype)
    dout1 = rng.standard_normal((BATCH, HIDDEN)).astype(dtype)

    def floor():
        x @ W1
        h @ W2
        dout2 @ W2.T
        h.T @ dout2
        x.T @ dout1

    candidates = {"numpy step": numpy_step, "floor": floor,
                  "numpy step, Affine1 with dx (book)": lambda: numpy_step(bookish)}

    torch_version = None
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch_version = torch.__version__
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        tx, tt = torch.from_numpy(x), torch.from_numpy(t)
        tparams = [torch.tensor(network.params[key], requires_grad=True) for key in PARAMETER_NAMES]

        def torch_step():
            w1, b1, w2, b2 = tparams
            loss = torch.nn.functional.cross_entropy(torch.relu(tx @ w1 + b1) @ w2 + b2, tt)
            loss.backward()
            with torch.no_grad():
                for p in tparams:
                    p -= LEARNING_RATE * p.grad
                    p.grad = None

        # Same network, same batch: the same loss and gradients (else the comparison is unfair).
        same = TwoLayerNet(INPUT, HIDDEN, OUTPUT, seed=0, dtype=dtype)
        grads = same.gradient(x, t)
        w1, b1, w2, b2 = [torch.tensor(same.params[key], requires_grad=True) for key in PARAMETER_NAMES]
        loss = torch.nn.functional.cross_entropy(torch.relu(tx @ w1 + b1) @ w2 + b2, tt)
        loss.backward()
        tolerance = 1e-4 if dtype == np.float32 else 1e-10
        for key, p in zip(PARAMETER_NAMES, (w1, b1, w2, b2), strict=True):
            assert np.allclose(p.grad.numpy(), grads[key], rtol=tolerance, atol=tolerance), key

        candidates["torch step"] = torch_step

    timings = best_and_median(candidates)

    # Where the time goes: each layer's forward and backward, after one full step stored their inputs.
    numpy_step()
    layers = network.layers
    relu_in = layers["Affine1"].forward(x)
    affine2_in = layers["Relu1"].forward(relu_in)
    scores = layers["Affine2"].forward(affine2_in)
    network.last_layer.forward(scores, t)
    d_scores = network.last_layer.backward(1)
    d_hidden = layers["Affine2"].backward(d_scores)
    d_relu_in = layers["Relu1"].backward(d_hidden)
    layers["Affine1"].backward(d_relu_in)
    grads = network.gradient(x, t)

    def update():
        for key in PARAMETER_NAMES:
            network.params[key] -= 0.0 * grads[key]  # the same work as a real update, no drift

    parts = {
        "Affine1.forward": lambda: layers["Affine1"].forward(x),
        "Relu1.forward": lambda: layers["Relu1"].forward(relu_in),
        "Affine2.forward": lambda: layers["Affine2"].forward(affine2_in),
        "SoftmaxWithLoss.forward": lambda: network.last_layer.forward(scores, t),
        "SoftmaxWithLoss.backward": lambda: network.last_layer.backward(1),
        "Affine2.backward": lambda: layers["Affine2"].backward(d_scores),
        "Relu1.backward": lambda: layers["Relu1"].backward(d_hidden),
        "Affine1.backward": lambda: layers["Affine1"].backward(d_relu_in),
        "  (dx = dout·W1ᵀ, skipped: unused)": lambda: d_relu_in @ W1.T,
        "parameter update": update,
    }
    breakdown = {name: best for name, (best, _median) in best_and_median(parts).items()}
    return {"timings": timings, "breakdown": breakdown, "torch": torch_version}


def child(threads):
    import numpy as np

    result = {"threads": threads, "numpy": np.__version__, "openblas_core": openblas_core(),
              "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
              "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
              "load_before": os.getloadavg()[0]}
    for dtype_name in ("float64", "float32"):
        result[dtype_name] = measure(dtype_name)
    result["load_after"] = os.getloadavg()[0]
    print(json.dumps(result))


def run_child(threads):
    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    completed = subprocess.run([sys.executable, __file__, "--child", str(threads)], env=env,
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def print_table(result):
    print(f"\n{result['threads']} thread(s) · numpy {result['numpy']} · "
          f"OpenBLAS kernel {result['openblas_core']} (OPENBLAS_CORETYPE={result['OPENBLAS_CORETYPE']}) · "
          f"load average {result['load_before']:.1f} → {result['load_after']:.1f} on {os.cpu_count()} cores")
    for dtype_name in ("float64", "float32"):
        timings = result[dtype_name]["timings"]
        floor = timings["floor"][0]
        print(f"\n  {dtype_name}: one step, µs     best   median   best/floor")
        for name, (best, median) in timings.items():
            print(f"  {name:<32}{best:>8.0f}{median:>9.0f}{best / floor:>10.2f}×")
        if "torch step" in timings:
            ratio = timings["torch step"][0] / timings["numpy step"][0]
            print(f"  numpy step is {ratio:.2f}× {'faster' if ratio > 1 else 'slower'} than torch "
                  f"{result[dtype_name]['torch']} (best times)")
        print(f"\n  {dtype_name}: where the time goes, µs (best)")
        for name, best in result[dtype_name]["breakdown"].items():
            print(f"  {name:<36}{best:>8.1f}")


def json_figures(result):
    """The best time of each candidate, in µs, for one thread count."""
    figures = {"threads": result["threads"], "openblas_core": result["openblas_core"],
               "OPENBLAS_CORETYPE": result["OPENBLAS_CORETYPE"],
               "load": [round(result["load_before"], 1), round(result["load_after"], 1)]}
    for dtype_name in ("float64", "float32"):
        figures[dtype_name] = {re.sub(r"\W+", "_", name).strip("_"): round(best, 1)
                               for name, (best, _median) in result[dtype_name]["timings"].items()}
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="BLAS thread counts to try")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    results = [run_child(threads) for threads in args.threads]
    print(f"TwoLayerNet {INPUT}-{HIDDEN}-{OUTPUT}, batch {BATCH}: one SGD step · "
          f"{platform.processor() or 'cpu'} · {ROUNDS} rounds of {CALLS_PER_ROUND} calls")
    for result in results:
        print_table(result)
    summary = {"benchmark": "training_step", "shape": f"{INPUT}-{HIDDEN}-{OUTPUT}", "batch": BATCH,
               "results": [json_figures(result) for result in results]}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

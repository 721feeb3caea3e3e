"""What every benchmark needs: the full MNIST arrays, the machine's description, FLOP counts.

Shapes follow the package: images ``(n, 784)`` float in [0, 1] (or uint8 raw pixels),
labels ``(n,)`` int64 digits.
"""

import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import threadpoolctl

N_CLASSES = 10

# What "seconds" means in every timing: wall-clock time (the default), or the process's CPU
# time, which a busy machine's other processes do not inflate (meaningful with 1 thread only:
# with more, it adds up the threads, including time they spend waiting for work).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = CLOCKS["wall"]


def use_clock(name):
    """Make ``clock()`` read the wall clock (``"wall"``) or the process's CPU time (``"cpu"``)."""
    global _clock
    _clock = CLOCKS[name]


def clock():
    """Seconds on the chosen clock (see ``use_clock``); only differences are meaningful."""
    return _clock()


def load_full_mnist(*, raw_pixels=False):
    """The full MNIST set (60,000 + 10,000 digits) as ``(train_X, train_y, test_X, test_y)``.

    Uses ``mnistnet.data.load_mnist``; refuses to benchmark on the bundled sample, whose
    timings and accuracies would not be comparable.
    """
    from mnistnet.data import load_mnist

    mnist = load_mnist(raw_pixels=raw_pixels)
    if mnist.source != "full":
        raise SystemExit(
            "The benchmark needs the full MNIST set, but only the bundled sample was found. "
            "Run `make download`, or set MNISTNET_DATA_DIR to a folder with the four .gz files."
        )
    return mnist.train_images, mnist.train_labels, mnist.test_images, mnist.test_labels


def flops_per_example(sizes):
    """Floating-point operations of one training example's matrix products (forward + backward).

    Per layer l with n_in inputs and n_out outputs: 2·n_in·n_out for z = a W^T (forward),
    as much again for ∂C/∂W = δ^T a (BP4), and as much again for δ W (BP2) in every layer but
    the first (the input layer needs no δ). Elementwise work is not counted: these are the
    FLOPs that "effective GFLOP/s" divides by time.
    """
    flops = 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 3 if l > 0 else 2
        flops += products * 2 * n_in * n_out
    return flops


def summarise(times):
    """Median, min and max of a list of seconds."""
    return statistics.median(times), min(times), max(times)


def cpu_model():
    """The CPU's model name, as /proc/cpuinfo gives it (or what the platform module knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info():
    """A dict describing the machine and the libraries, for RESULTS.md."""
    import torch

    blas = [
        f"{lib['internal_api']} {lib.get('version') or ''} ({lib.get('architecture') or '?'}, "
        f"{lib['num_threads']} threads, {Path(lib['filepath']).name})"
        for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"
    ]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy BLAS": "; ".join(blas) or "none found",
        "torch": torch.__version__,
        "torch threads": torch.get_num_threads(),
        "load average (1 min) at start": f"{os.getloadavg()[0]:.2f}",
    }

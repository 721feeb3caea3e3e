"""Peak memory of a full-MNIST float32 training run, measured in a fresh process.

Run by ``bench.py`` as ``python benchmarks/peak_memory.py SIZES BATCH EPOCHS`` (for example
``784,100,10 128 1``); prints one line of JSON. Three measurements, in MB (10^6 bytes):

- ``process peak``: the process's peak resident memory (interpreter, numpy, mnistnet, the data
  and training: what the operating system sees), the larger of the kernel's high-water marks
  (VmHWM) while loading and while training. Not ``getrusage``'s ``ru_maxrss``: in a child
  process started by fork it also counts the parent's memory at the fork;
- ``training peak``: the peak resident memory while training, after the kernel's high-water
  mark was reset (Linux ``/proc/self/clear_refs``) once the data was loaded; None where
  that reset is not allowed;
- ``training allocations``: the largest amount of memory that training allocated on top of
  what existed when it started (``tracemalloc``, which numpy reports its arrays to).
"""

import json
import sys
import tracemalloc
from pathlib import Path

import numpy as np

from mnistnet.data import load_mnist
from mnistnet.network import Network
from mnistnet.train import train

MB = 1e6


def status_mb(field):
    """A memory figure from /proc/self/status (VmRSS, VmHWM), in MB, or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / MB              # the file counts kB
    except OSError:
        pass
    return None


def reset_peak():
    """Reset the kernel's resident-memory high-water mark; True if that worked."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main(sizes, batch_size, epochs):
    """Load full MNIST, train one float32 network, report memory as a dict."""
    report = {"after imports": status_mb("VmRSS")}
    mnist = load_mnist()
    report["source"] = mnist.source
    report["after loading"] = status_mb("VmRSS")
    report["loading peak"] = status_mb("VmHWM")
    can_reset = reset_peak()
    tracemalloc.start()
    network = Network(sizes, activation="relu", cost="cross_entropy", dtype=np.float32, rng=0)
    train(network, mnist.train_images, mnist.train_labels, epochs=epochs,
          batch_size=batch_size, learning_rate=0.1, test_images=mnist.test_images,
          test_labels=mnist.test_labels, rng=0)
    report["training allocations"] = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    report["training peak"] = status_mb("VmHWM") if can_reset else None
    report["process peak"] = max(report["loading peak"], report["training peak"] or 0)
    if not can_reset:      # the high-water mark was never reset: it covers the whole run
        report["process peak"] = status_mb("VmHWM")
    return report


if __name__ == "__main__":
    sizes = [int(n) for n in sys.argv[1].split(",")]
    print(json.dumps(main(sizes, int(sys.argv[2]), int(sys.argv[3]))))

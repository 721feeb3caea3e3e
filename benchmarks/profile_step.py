"""Where does a training epoch's time go? cProfile of one mnistnet epoch, by function.

    python benchmarks/profile_step.py                       # 784-100-10, batch 128, float32
    python benchmarks/profile_step.py --sizes 784 16 16 10 --activation sigmoid \\
        --cost quadratic --batch-size 10 --learning-rate 3 --threads 1

Prints the functions that take the most time of their own (``tottime``). Matrix products
written with ``@`` are not separate Python calls, so their time is counted in the method
that contains them (``_feedforward``, ``_backprop``); numpy functions called by name
(``sum``, ``exp``, ``astype``, ...) appear on their own lines.
"""

import argparse
import cProfile
import pstats
import time

import numpy as np
from threadpoolctl import threadpool_limits

from common import load_full_mnist
from mnistnet.network import Network
from mnistnet.train import Trainer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[784, 100, 10])
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--cost", default="cross_entropy")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()

    train_X, train_y, _, _ = load_full_mnist()
    train_X = train_X.astype(args.dtype, copy=False)
    network = Network(args.sizes, activation=args.activation, cost=args.cost,
                      dtype=args.dtype, rng=0)

    def epoch(seed):
        Trainer(network, train_X, train_y, epochs=1, batch_size=args.batch_size,
                learning_rate=args.learning_rate, rng=seed).run()

    with threadpool_limits(limits=args.threads, user_api="blas"):
        epoch(0)                                            # warm-up
        started = time.perf_counter()
        epoch(1)
        plain = time.perf_counter() - started
        profiler = cProfile.Profile()
        profiler.runcall(epoch, 2)
    print(f"one epoch without the profiler: {plain:.3f} s "
          f"({plain / np.ceil(len(train_X) / args.batch_size) * 1e6:.0f} µs per step)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

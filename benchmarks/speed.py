"""Speed: mnistnet against PyTorch on the same networks, and against the matrix products alone.

Every comparison trains both from the same initial weights, on the same mini-batches in the
same order (two generators with the same seed draw the same permutation each epoch), in the
same dtype and with the same number of threads. Epochs of the two alternate, so a busy moment
on the machine hits both; the table reports the median epoch and the fastest and slowest.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from common import clock, flops_per_example, summarise
from mnistnet.network import Network
from mnistnet.train import Trainer
from torch_reference import TorchMLP, as_tensors


@dataclass(frozen=True)
class Config:
    """One network and its training settings, as the benchmark table names it."""

    sizes: tuple
    activation: str
    cost: str
    batch_size: int
    learning_rate: float

    @property
    def name(self):
        return "-".join(map(str, self.sizes))

    @property
    def kind(self):
        return f"{self.activation}, {self.cost.replace('_', '-')}, η={self.learning_rate:g}"


# The issue's configurations: the videos' network with its settings, and ReLU networks with
# softmax cross-entropy (what lesson 5 trains) at the usual batch sizes.
VIDEOS_16 = ((784, 16, 16, 10), "sigmoid", "quadratic")
RELU_100 = ((784, 100, 10), "relu", "cross_entropy")
RELU_800 = ((784, 800, 10), "relu", "cross_entropy")
CONFIGS = [
    Config(*VIDEOS_16, batch_size=10, learning_rate=3.0),
    Config(*VIDEOS_16, batch_size=100, learning_rate=3.0),
    Config(*RELU_100, batch_size=10, learning_rate=0.05),
    Config(*RELU_100, batch_size=32, learning_rate=0.1),
    Config(*RELU_100, batch_size=128, learning_rate=0.1),
    Config(*RELU_800, batch_size=128, learning_rate=0.1),
]
QUICK_CONFIGS = [CONFIGS[0], CONFIGS[3], CONFIGS[4]]


@dataclass
class Comparison:
    """The measurements of one configuration in one dtype."""

    config: Config
    dtype: str
    mnistnet_times: list
    torch_times: list
    mnistnet_accuracy: float
    torch_accuracy: float
    gradient_difference: float   # max |∂C/∂W mnistnet − PyTorch| / max |∂C/∂W PyTorch|, one batch
    mnistnet_threads: list       # BLAS threads of each mnistnet epoch (blas_threads="auto")
    measured_times: list         # epochs of a copy trained with blas_threads="measure" (or [])
    measured_threads: list       # the thread count "measure" chose in each of them

    @property
    def ratio(self):
        """mnistnet's median epoch time over PyTorch's."""
        return summarise(self.mnistnet_times)[0] / summarise(self.torch_times)[0]

    @property
    def measured_ratio(self):
        """The same ratio for mnistnet with blas_threads="measure"."""
        return summarise(self.measured_times)[0] / summarise(self.torch_times)[0]

    def gflops(self, times, n_train=60_000):
        """Effective GFLOP/s of the matrix products at the median epoch time."""
        return flops_per_example(self.config.sizes) * n_train / summarise(times)[0] / 1e9


def compare(config, dtype, data, *, epochs, threads, seed=0, measure=False):
    """Train ``config`` with mnistnet and PyTorch side by side for ``epochs`` epochs.

    ``data`` is ``(train_X, train_y, test_X, test_y)`` with float32 images in [0, 1].
    mnistnet trains with its default ``blas_threads="auto"``; with ``measure=True`` a copy
    of the network also trains with ``blas_threads="measure"``, its epochs in turn with the
    other two (the dashboard's setting; it re-chooses the thread count every epoch).
    """
    train_X, train_y, test_X, test_y = data
    train_X = train_X.astype(dtype, copy=False)       # both start from arrays of the dtype
    network = Network(list(config.sizes), activation=config.activation, cost=config.cost,
                      dtype=dtype, rng=seed)
    reference = TorchMLP(network, config.learning_rate)
    tensors = as_tensors(train_X, train_y, dtype)
    difference = gradient_difference(network, reference, train_X[:100], train_y[:100])
    measured = network.copy()
    mnistnet_shuffles = np.random.default_rng(seed)    # the same seed: the same permutations
    measured_shuffles = np.random.default_rng(seed)
    torch_shuffles = np.random.default_rng(seed)
    mnistnet_threads, measured_threads = [], []

    def mnistnet_epoch(net, shuffles, blas_threads, chosen):
        """A one-epoch Trainer (its input checks, done once per training, are not timed)."""
        trainer = Trainer(net, train_X, train_y, epochs=1, batch_size=config.batch_size,
                          learning_rate=config.learning_rate, rng=shuffles,
                          blas_threads=blas_threads)
        return lambda: chosen.extend(trainer.run().blas_threads)   # and note the threads used

    def torch_epoch():
        order = torch_shuffles.permutation(len(train_X))
        return lambda: reference.train_epoch(*tensors, order, config.batch_size)

    mnistnet_times, measured_times, torch_times = [], [], []
    runs = [(partial(mnistnet_epoch, network, mnistnet_shuffles, "auto", mnistnet_threads),
             mnistnet_times), (torch_epoch, torch_times)]
    if measure:
        runs.append((partial(mnistnet_epoch, measured, measured_shuffles, "measure",
                             measured_threads), measured_times))
    torch.set_num_threads(threads)
    with threadpool_limits(limits=threads, user_api="blas"):
        for epoch in range(epochs):
            # each epoch another contender goes first, so a busy moment hits each in turn
            for prepare, times in runs[epoch % len(runs):] + runs[:epoch % len(runs)]:
                run = prepare()
                started = clock()
                run()
                times.append(clock() - started)
        test_tensors = as_tensors(test_X, test_y, dtype)
        torch_accuracy = reference.accuracy(test_tensors[0], test_tensors[1])
    mnistnet_accuracy = network.accuracy(test_X, test_y)
    return Comparison(config, np.dtype(dtype).name, mnistnet_times, torch_times,
                      mnistnet_accuracy, torch_accuracy, difference, mnistnet_threads,
                      measured_times, measured_threads)


def gradient_difference(network, reference, X, labels):
    """Largest relative difference between mnistnet's and PyTorch's weight gradients on a batch.

    The cross-check of the gradients: after many steps the two trajectories drift apart by
    rounding alone (sigmoid networks at η = 3 amplify a 1e-16 difference ~100x per 100 steps),
    so agreement is checked where it must be exact up to rounding, on the first batch.
    """
    weight_grads, _ = network.gradients(X, labels)
    torch_grads = reference.weight_gradients(*as_tensors(X, labels, network.dtype))
    largest = max(np.abs(G).max() for G in torch_grads)
    return float(max(np.abs(G - H).max() for G, H in zip(weight_grads, torch_grads)) / largest)


def matmul_floor(sizes=(784, 100, 10), batch_size=128, dtype=np.float32, *, n_train=60_000,
                 repeats=5, threads=2):
    """Seconds for the matrix products alone of one training epoch: the floor for this design.

    The same products, shapes and layout as ``Network._backprop``: per layer a @ W^T
    (forward), δ^T a (BP4), δ W (BP2, not for the first layer), written into preallocated
    arrays, on random data. Returns (median, min, max) over ``repeats`` epochs.
    """
    products_epoch = _products_epoch(sizes, batch_size, dtype, n_train)
    with threadpool_limits(limits=threads, user_api="blas"):
        times = [products_epoch() for _ in range(repeats)]
    return summarise(times)


def floor_comparison(data, sizes=(784, 100, 10), batch_size=128, *, epochs=5, threads=2,
                     learning_rate=0.1):
    """mnistnet's float32 epoch and its matrix products alone, timed in turn.

    Taking turns matters on a machine whose speed drifts from minute to minute (this VM's
    does, by up to 40 %): a floor timed a minute before the epochs it is compared with can
    land in a faster or slower minute. ``data`` is ``(train_X, train_y, ...)`` with float32
    images. Returns ``(products times, mnistnet times)``, one entry per epoch.
    """
    train_X, train_y = data[0], data[1]
    network = Network(list(sizes), activation="relu", cost="cross_entropy", rng=0)
    products_epoch = _products_epoch(sizes, batch_size, np.float32, len(train_X))
    products_times, mnistnet_times = [], []
    with threadpool_limits(limits=threads, user_api="blas"):
        for epoch in range(epochs):
            trainer = Trainer(network, train_X, train_y, epochs=1, batch_size=batch_size,
                              learning_rate=learning_rate, rng=epoch)
            products_times.append(products_epoch())
            started = clock()
            trainer.run()
            mnistnet_times.append(clock() - started)
    return products_times, mnistnet_times


def _products_epoch(sizes, batch_size, dtype, n_train):
    """A function that runs one epoch of matrix products (on random data) and returns its seconds."""
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((n_out, n_in)).astype(dtype)
               for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    full, last = divmod(n_train, batch_size)
    batch_sizes = [batch_size] * full + ([last] if last else [])
    buffers = {m: _product_buffers(sizes, m, dtype, rng) for m in set(batch_sizes)}

    def products_epoch():
        started = clock()
        for m in batch_sizes:
            _products(weights, *buffers[m])
        return clock() - started
    return products_epoch


def _product_buffers(sizes, m, dtype, rng):
    """Random activations and deltas for a batch of m, and outputs for every product."""
    activations = [rng.random((m, n)).astype(dtype) for n in sizes]
    deltas = [rng.random((m, n)).astype(dtype) for n in sizes]
    weight_grads = [np.empty((n_out, n_in), dtype) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    return activations, deltas, weight_grads


def _products(weights, activations, deltas, weight_grads):
    """Every matrix product of one mini-batch's forward and backward pass."""
    for l, W in enumerate(weights, start=1):
        np.matmul(activations[l - 1], W.T, out=activations[l])           # forward
    for l in range(len(weights), 0, -1):
        np.matmul(deltas[l].T, activations[l - 1], out=weight_grads[l - 1])   # BP4
        if l > 1:
            np.matmul(deltas[l], weights[l - 1], out=deltas[l - 1])           # BP2


def blas_threads_sweep(batch_sizes=(10, 32, 64, 128, 256), dtypes=(np.float32, np.float64),
                       *, repeats=3):
    """Matrix-product time of a 784-100-10 epoch on 1 and on 2 BLAS threads, per batch size.

    Shows where a second BLAS thread starts to pay off for each dtype. Returns rows of
    ``(dtype name, batch size, seconds on 1 thread, seconds on 2 threads)``.
    """
    rows = []
    for dtype in dtypes:
        for m in batch_sizes:
            one = matmul_floor(batch_size=m, dtype=dtype, repeats=repeats, threads=1)[0]
            two = matmul_floor(batch_size=m, dtype=dtype, repeats=repeats, threads=2)[0]
            rows.append((np.dtype(dtype).name, m, one, two))
    return rows


def float64_threads_check(data, *, batch_sizes=(10, 32, 128), epochs=1, threads=2):
    """One mnistnet float64 epoch of 784-100-10 with BLAS allowed 1 thread, and allowed 2.

    ``Trainer`` picks its own BLAS thread count for small float64 batches; if it does the right
    thing, the "2 allowed" column is never much slower than the "1 allowed" one. Returns rows
    of ``(batch size, seconds with 1, seconds with 2)`` (median over ``epochs``).
    """
    train_X, train_y = data[0].astype(np.float64), data[1]
    rows = []
    for m in batch_sizes:
        row = [m]
        for limit in (1, threads):
            network = Network([784, 100, 10], activation="relu", cost="cross_entropy",
                              dtype=np.float64, rng=0)
            times = []
            with threadpool_limits(limits=limit, user_api="blas"):
                for epoch in range(epochs):
                    trainer = Trainer(network, train_X, train_y, epochs=1, batch_size=m,
                                      learning_rate=0.05, rng=epoch)
                    started = clock()
                    trainer.run()
                    times.append(clock() - started)
            row.append(summarise(times)[0])
        rows.append(tuple(row))
    return rows

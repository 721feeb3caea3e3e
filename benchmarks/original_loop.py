"""The original student notebook's training loop, re-implemented to time it against mnistnet.

What the notebook did (see /work/shared/origin/README.md): a 784-16-16-10 sigmoid network,
quadratic cost with derivative 2(a − y), raw 0-255 pixels, one example at a time in file
order, gradients summed and applied every 100 examples with learning rate 0.1 (divided by
100 even for the first update, which comes after a single example), one epoch. This module
keeps those choices, including the ones that cost time: each example's σ′·c is computed three
times, the pixel vector is uint8 (so every first-layer product converts it to float64), and the
gradient sums are new zero arrays after every update. Written afresh, not copied.
"""

import numpy as np

from common import clock


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)); raw pixels overflow e^(−z), which gives the right limit 0."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def zero_sums(weights, biases):
    """Fresh zero arrays shaped like the weights and biases, for summing gradients."""
    return [np.zeros(W.shape) for W in weights], [np.zeros(b.shape) for b in biases]


def train_one_epoch(weights, biases, images, targets, *, learning_rate=0.1, every=100):
    """One pass over ``images`` (n, 784) uint8 with one-hot ``targets`` (n, 10), in place.

    ``weights[j]`` is (n_out, n_in) float64, ``biases[j]`` is (n_out,) float64, as in the
    notebook.
    """
    L = len(weights)
    weight_sums, bias_sums = zero_sums(weights, biases)
    a = [None] * (L + 1)
    for i in range(len(images)):
        a[0] = images[i]                                          # uint8, as in the notebook
        for j in range(L):
            a[j + 1] = sigmoid(weights[j] @ a[j] + biases[j])
        c = 2 * (a[L] - targets[i])                               # ∂C/∂a for C = Σ (a − y)²
        for j in range(L, 0, -1):
            weight_sums[j - 1] += np.outer(a[j] * (1 - a[j]) * c, a[j - 1])
            bias_sums[j - 1] += a[j] * (1 - a[j]) * c
            c = weights[j - 1].T @ ((a[j] * (1 - a[j])) * c)
        if i % every == 0:                                        # true first at i = 0
            for j in range(L):
                weights[j] -= learning_rate * weight_sums[j] / every
                biases[j] -= learning_rate * bias_sums[j] / every
            weight_sums, bias_sums = zero_sums(weights, biases)


def accuracy(weights, biases, images, labels):
    """Fraction of ``images`` whose largest output is the label (vectorised; same answer)."""
    a = images.astype(np.float64)
    for W, b in zip(weights, biases):
        a = sigmoid(a @ W.T + b)
    return float((a.argmax(axis=1) == labels).mean())


def compare_with_mnistnet(raw_data, *, seed=0, threads=2):
    """Time one epoch of the notebook's loop and of mnistnet's ORIGINAL-like settings.

    Both start from the same uniform(−0.5, 0.5) weights (mnistnet's ``init="uniform"``
    draws exactly the notebook's distribution); mnistnet trains on mini-batches of 100 with
    learning rate 0.1 on raw pixels, in float64 as the notebook did and in float32.

    ``raw_data`` is ``(train_X, train_y, test_X, test_y)`` with uint8 pixels.
    Returns a dict of seconds and accuracies.
    """
    from threadpoolctl import threadpool_limits

    from mnistnet.network import Network
    from mnistnet.train import Trainer

    train_X, train_y, test_X, test_y = raw_data
    targets = np.eye(10)[train_y]                                 # one-hot float64, (n, 10)
    start = Network([784, 16, 16, 10], activation="sigmoid", cost="quadratic", init="uniform",
                    dtype=np.float64, rng=seed)
    results = {}
    with threadpool_limits(limits=threads, user_api="blas"):
        weights = [W.copy() for W in start.weights]
        biases = [b.copy() for b in start.biases]
        started = clock()
        train_one_epoch(weights, biases, train_X, targets)
        results["loop seconds"] = clock() - started
        results["loop accuracy"] = accuracy(weights, biases, test_X, test_y)
        for dtype in (np.float64, np.float32):
            network = start.copy() if dtype == np.float64 else Network.from_parameters(
                start.weights, start.biases, activation="sigmoid", cost="quadratic",
                init="uniform", dtype=dtype)
            trainer = Trainer(network, train_X, train_y, epochs=1, batch_size=100,
                              learning_rate=0.1, rng=seed)
            started = clock()
            trainer.run()
            name = np.dtype(dtype).name
            results[f"mnistnet {name} seconds"] = clock() - started
            results[f"mnistnet {name} accuracy"] = network.accuracy(test_X, test_y)
    return results

"""Cost functions: how wrong the network's outputs are, and where backpropagation starts.

``COSTS`` maps a name to a ``Cost`` that keeps together everything one cost needs (as in
Nielsen's ``network2.py``):

- ``output``: the output layer's activation that goes with this cost,
- ``value(z, a, Y)``: the cost of a batch, the mean over its examples of the per-example cost,
- ``delta(z, a, Y)``: δ^L = ∂C_x/∂z^L for each example x (BP1), shape ``(n, k)``.

Shapes: ``z`` and ``a`` are the output layer's pre-activations and activations, ``(n, k)``;
``Y`` holds one-hot targets, ``(n, k)``. Lesson 3 derives each delta.

``quadratic`` is the cost of the videos and of the original notebook, with a sigmoid output:
C_x = Σ_j (a_j − y_j)², so ∂C_x/∂a = 2(a − y) and δ^L = 2(a − y) ⊙ σ′(z^L).

``cross_entropy`` goes with a softmax output: C_x = −Σ_j y_j ln a_j, and the softmax's
derivative cancels the log's so neatly that δ^L = a − y.
"""

from typing import Callable, NamedTuple

import numpy as np

from mnistnet.activations import log_softmax, sigmoid, sigmoid_prime, softmax


class Cost(NamedTuple):
    """A cost function with its output activation and its output-layer delta, side by side."""

    output: Callable
    value: Callable
    delta: Callable


def quadratic_value(z, a, Y):
    """Mean over the batch of Σ_j (a_j − y_j)², a number."""
    return float(((a - Y) ** 2).sum()) / len(a)


def quadratic_delta(z, a, Y):
    """δ^L = 2(a − y) ⊙ σ′(z^L) for each example, shape (n, k)."""
    return 2.0 * (a - Y) * sigmoid_prime(z, a)


def cross_entropy_value(z, a, Y):
    """Mean over the batch of −Σ_j y_j ln a_j, a number.

    ln a is taken from a itself when every probability is a normal float number (the usual
    case, and the cheap one). A score far below the best of its row makes its probability
    underflow towards 0, where ln a would be −inf or imprecise: then ln a comes from z, by
    ``log_softmax``, which stays exact.
    """
    if a.min() > np.finfo(a.dtype).tiny:       # tiny: the smallest normal float (~1e-38 in float32)
        log_a = np.log(a)
    else:
        log_a = log_softmax(z)
    # np.vdot(Y, ln a) is Σ y_j ln a_j over every example at once, in one pass
    return -float(np.vdot(Y, log_a)) / len(a)


def cross_entropy_delta(z, a, Y):
    """δ^L = a − y for each example, shape (n, k)."""
    return a - Y


COSTS = {
    "quadratic": Cost(sigmoid, quadratic_value, quadratic_delta),
    "cross_entropy": Cost(softmax, cross_entropy_value, cross_entropy_delta),
}

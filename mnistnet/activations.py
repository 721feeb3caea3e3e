"""Activation functions σ(z), each written next to its derivative σ′(z).

``ACTIVATIONS`` maps a name to an ``Activation(function, derivative)`` pair:

>>> f, f_prime = ACTIVATIONS["sigmoid"]
>>> f(np.array([0.0]))
array([0.5])

Every derivative takes ``z`` and, optionally, ``a = f(z)`` when the caller already has it:
backpropagation stores ``a`` from the forward pass, so it passes it in and saves recomputing
``f``. The derivation is in lesson 3; the functions work elementwise on arrays of any shape
and keep their dtype.

``softmax`` is the output layer that goes with the cross-entropy cost (see ``mnistnet.costs``).
"""

from typing import Callable, NamedTuple

import numpy as np


class Activation(NamedTuple):
    """A hidden-layer activation: the function and its derivative, side by side."""

    function: Callable
    derivative: Callable


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)): squashes any number into (0, 1)."""
    # For very negative z, e^(−z) overflows to inf and 1 / (1 + inf) = 0, the right limit:
    # only the harmless overflow warning needs silencing (raw pixels give z ~ ±1000).
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z, a=None):
    """σ′(z) = σ(z)(1 − σ(z)); pass ``a = σ(z)`` if you have it already."""
    if a is None:
        a = sigmoid(z)
    return a * (1.0 - a)


def relu(z):
    """ReLU(z) = max(0, z): passes positive inputs, silences negative ones."""
    return np.maximum(z, 0.0)


def relu_prime(z, a=None):
    """ReLU′(z) = 1 where z > 0, else 0 (we take 0 at z = 0)."""
    return (z > 0).astype(z.dtype)


def tanh(z):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)): like σ but in (−1, 1) and centred on 0."""
    return np.tanh(z)


def tanh_prime(z, a=None):
    """tanh′(z) = 1 − tanh(z)²; pass ``a = tanh(z)`` if you have it already."""
    if a is None:
        a = np.tanh(z)
    return 1.0 - a * a


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_prime),
    "relu": Activation(relu, relu_prime),
    "tanh": Activation(tanh, tanh_prime),
}


def softmax(z):
    """Turn each row of scores z into probabilities: e^(z_j) / Σ_k e^(z_k).

    Parameters
    ----------
    z : ndarray, shape (n, k)
        One row of output pre-activations per example.

    Returns
    -------
    ndarray, shape (n, k)
        Each row is positive and sums to 1.

    Notes
    -----
    Subtracting each row's largest score first changes nothing mathematically
    (it cancels in the fraction) but keeps ``exp`` from overflowing.
    """
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def log_softmax(z):
    """ln softmax(z), row by row, computed without taking the log of a number that underflowed.

    Parameters
    ----------
    z : ndarray, shape (n, k)

    Returns
    -------
    ndarray, shape (n, k)
        ``z_j − ln Σ_k e^(z_k)`` for each row.
    """
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

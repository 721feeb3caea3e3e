"""Checking gradients by finite differences: does backpropagation compute what it claims?

The derivative of the cost C with respect to one weight w is, numerically, the central
difference

    ∂C/∂w ≈ (C(w + h) − C(w − h)) / 2h,

whose error shrinks like h² (h is the nudge, as in lesson 3, where ε is the float64 rounding
error). ``check_gradients`` nudges weights one at a time this way and compares with
``Network.gradients``; ``compare_gradients`` grades someone else's gradients (the backprop
lesson's exercise) layer by layer. Both work in float64 on a copy, so the network itself is
never touched.

The relative error of a layer's gradient g (backprop) against g̃ (finite differences) is the
largest difference measured against the layer's largest gradient:
max_i |g_i − g̃_i| / max_i max(|g_i|, |g̃_i|). About 1e-7 or less means the gradient is right;
1e-2 or more means a mistake. (Dividing each entry by its own size instead would flag tiny
entries: a first-layer weight whose pixel is inked in one or two images has a gradient of
about 1e-7, only a few thousand times the ~1e-11 rounding error of C(w ± h), so it alone
would show an error of 1e-4 although backpropagation is right.)
"""

from dataclasses import dataclass

import numpy as np

from mnistnet.network import Network, as_generator

CORRECT = 1e-5          # relative error below which a gradient counts as right


@dataclass
class GradientCheck:
    """The largest relative error between backprop and finite differences, layer by layer.

    Attributes
    ----------
    weight_errors, bias_errors : list of float
        ``weight_errors[l-1]`` is the relative error (see the module docstring) over the
        checked entries of ∂C/∂W^(l); likewise for the biases.
    checked : int
        How many weights and biases were nudged.
    """

    weight_errors: list
    bias_errors: list
    checked: int

    @property
    def largest_error(self):
        """The largest relative error in any layer."""
        return max(self.weight_errors + self.bias_errors)

    def __str__(self):
        lines = ["layer   weights    biases"]
        for l, (w, b) in enumerate(zip(self.weight_errors, self.bias_errors), start=1):
            lines.append(f"{l:>5}   {w:.1e}    {b:.1e}")
        verdict = "backprop agrees" if self.largest_error < CORRECT else "MISMATCH"
        lines.append(f"largest relative error {self.largest_error:.1e} over {self.checked} "
                     f"entries: {verdict}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"GradientCheck(largest_error={self.largest_error:.1e}, "
                f"weight_errors={[float(f'{e:.1e}') for e in self.weight_errors]}, "
                f"bias_errors={[float(f'{e:.1e}') for e in self.bias_errors]})")


def relative_error(a, b):
    """max |a − b| / max(|a|, |b|) over all entries: 0 when equal, about 1 when unrelated."""
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return float(np.abs(a - b).max(initial=0.0) / scale) if scale > 0 else 0.0


def check_gradients(network, X, Y, *, h=1e-5, max_per_array=100, rng=0):
    """Compare backprop's gradients with central differences, layer by layer.

    Parameters
    ----------
    network : Network
        Not modified: the check runs on a float64 copy.
    X : array_like, shape (n, sizes[0])
    Y : array_like, shape (n, sizes[-1]) one-hot, or (n,) digit labels
    h : float
        The nudge, > 0 (lesson 3: about 1e-5 is best in float64).
    max_per_array : int or None
        Check at most this many randomly chosen entries of each weight matrix and bias
        vector (each costs two forward passes); None checks them all.
    rng : int, numpy.random.Generator or None
        Chooses the entries.

    Returns
    -------
    GradientCheck
    """
    if not h > 0:
        raise ValueError(f"h, the nudge of each weight, must be > 0, got {h!r}; 1e-5 is best "
                         "in float64 (lesson 3).")
    net = _float64_copy(network)
    X = net.check_inputs(X)
    Y = net.check_targets(Y, len(X))
    rng = as_generator(rng)
    weight_grads, bias_grads = net.gradients(X, Y)
    weight_errors, bias_errors, checked = [], [], 0
    for params, grads, errors in ((net.weights, weight_grads, weight_errors),
                                  (net.biases, bias_grads, bias_errors)):
        for param, grad in zip(params, grads):
            entries = _choose_entries(param.size, max_per_array, rng)
            numeric = np.array([_central_difference(net, X, Y, param, i, h)
                                for i in entries])
            errors.append(relative_error(grad.flat[entries], numeric))
            checked += len(entries)
    return GradientCheck(weight_errors, bias_errors, checked)


def compare_gradients(network, X, Y, weight_grads, bias_grads):
    """Grade someone's gradients against backprop in float64, one plain sentence per array.

    Parameters
    ----------
    network : Network
    X : array_like, shape (n, sizes[0])
    Y : array_like, shape (n, sizes[-1]) one-hot, or (n,) digit labels
    weight_grads, bias_grads : lists of array_like
        The gradients to grade, shaped like ``network.weights`` and ``network.biases``.

    Returns
    -------
    GradientComparison
        Printing it gives one sentence per layer's weights and biases; ``.correct`` is
        True when all are right, ``.wrong`` lists what is not (e.g. ``"layer 2 weights"``).
    """
    net = _float64_copy(network)
    X = net.check_inputs(X)
    expected_weights, expected_biases = net.gradients(X, net.check_targets(Y, len(X)))
    sentences, wrong = [], []
    for kind, given, expected in (("weights", weight_grads, expected_weights),
                                  ("biases", bias_grads, expected_biases)):
        if len(given) != len(expected):
            sentences.append(f"Expected {len(expected)} {kind} gradients (one per layer), "
                             f"got {len(given)}.")
            wrong.append(f"{kind} count")
            continue
        for l, (g, e) in enumerate(zip(given, expected), start=1):
            verdict = _grade(np.asarray(g, dtype=float), e)
            sentences.append(f"Layer {l} {kind}: {verdict}")
            if not verdict.startswith("correct"):
                wrong.append(f"layer {l} {kind}")
    return GradientComparison(sentences, wrong)


@dataclass
class GradientComparison:
    """The verdict of ``compare_gradients``: one sentence per array, and what is wrong."""

    sentences: list
    wrong: list

    @property
    def correct(self):
        """True when every gradient matched."""
        return not self.wrong

    def __str__(self):
        return "\n".join(self.sentences)

    def __repr__(self):
        return str(self)


def _grade(given, expected):
    """One sentence on how ``given`` compares with the ``expected`` gradient."""
    if given.shape != expected.shape:
        return f"wrong shape: expected {expected.shape}, got {given.shape}."
    if not np.isfinite(given).all():
        return "contains NaN or infinity."
    error = relative_error(given, expected)
    if error < CORRECT:
        return f"correct (largest relative error {error:.1e})."
    # Is it the right gradient times a number? (least-squares fit of that number)
    scale = np.vdot(given, expected) / np.vdot(expected, expected) if expected.any() else 0.0
    if scale != 0 and relative_error(given, scale * expected) < CORRECT:
        return (f"wrong by a constant factor: it is {scale:.4g} times the right gradient "
                "(a missing 1/n for the batch mean, or the 2 of the quadratic cost?).")
    return f"wrong (largest relative error {error:.1e})."


def _float64_copy(network):
    """A float64 copy of ``network``: checks need the extra digits."""
    return Network.from_parameters(network.weights, network.biases,
                                   activation=network.activation, cost=network.cost,
                                   init=network.init, dtype=np.float64)


def _choose_entries(size, max_per_array, rng):
    """Flat indices of the entries to check: all, or a random sample."""
    if max_per_array is None or size <= max_per_array:
        return np.arange(size)
    return np.sort(rng.choice(size, max_per_array, replace=False))


def _central_difference(net, X, Y, param, i, h):
    """(C(w + h) − C(w − h)) / 2h for the entry w = ``param.flat[i]``.

    The entry is put back afterwards.
    """
    saved = param.flat[i]
    param.flat[i] = saved + h
    cost_plus = _cost(net, X, Y)
    param.flat[i] = saved - h
    cost_minus = _cost(net, X, Y)
    param.flat[i] = saved
    return (cost_plus - cost_minus) / (2 * h)


def _cost(net, X, Y):
    """The batch cost for checked X and one-hot Y."""
    zs, activations = net._feedforward(X)
    return net._cost.value(zs[-1], activations[-1], Y)

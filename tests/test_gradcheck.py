"""Tests for mnistnet.gradcheck: backprop agrees with finite differences, and mistakes show."""

import numpy as np
import pytest

from mnistnet.activations import ACTIVATIONS, Activation, sigmoid
from mnistnet.gradcheck import check_gradients, compare_gradients
from mnistnet.network import Network

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 6))
LABELS = np.array([0, 1, 2, 3, 0, 1, 2, 3])


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_backprop_matches_finite_differences(activation, cost):
    net = Network([6, 5, 7, 4], activation=activation, cost=cost, init="normal",
                  dtype=np.float64, rng=1)
    result = check_gradients(net, X, LABELS, max_per_array=None)
    assert result.checked == sum(W.size + b.size for W, b in zip(net.weights, net.biases))
    assert len(result.weight_errors) == len(result.bias_errors) == 3
    assert result.largest_error < 1e-7, str(result)


def test_check_runs_on_a_float32_network_without_touching_it():
    net = Network([6, 5, 4], dtype=np.float32, rng=2)
    before = [W.copy() for W in net.weights]
    result = check_gradients(net, X, LABELS)
    assert result.largest_error < 1e-6
    for W, saved in zip(net.weights, before):
        np.testing.assert_array_equal(W, saved)


@pytest.mark.parametrize("h", [0.0, -1e-5])
def test_a_nudge_that_is_not_positive_is_explained(h):
    with pytest.raises(ValueError, match="h, the nudge of each weight, must be > 0"):
        check_gradients(Network([6, 5, 4], rng=2), X, LABELS, h=h)


def test_a_smaller_nudge_is_used_when_asked():
    # float64 round-off grows like ε C / h: a tiny h must show a larger error than the default
    net = Network([6, 5, 4], dtype=np.float64, rng=2)
    assert check_gradients(net, X, LABELS, h=1e-12).largest_error > \
        10 * check_gradients(net, X, LABELS).largest_error


def test_a_wrong_derivative_is_caught(monkeypatch):
    # σ′ without its (1 − σ) factor: backprop then disagrees with the finite differences.
    monkeypatch.setitem(ACTIVATIONS, "sigmoid", Activation(sigmoid, lambda z, a=None: sigmoid(z)))
    net = Network([6, 5, 4], dtype=np.float64, rng=3)
    result = check_gradients(net, X, LABELS)
    assert result.weight_errors[0] > 1e-2      # the hidden layer's gradient is wrong
    assert result.weight_errors[1] < 1e-6      # the output layer's does not use σ′ of layer 1
    assert "MISMATCH" in str(result)


def test_report_has_a_row_per_layer():
    text = str(check_gradients(Network([6, 5, 3, 4], dtype=np.float64, rng=4), X, LABELS))
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "weights", "biases"]
    assert [line.split()[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert "backprop agrees" in lines[-1]


def test_sampling_limits_the_entries_checked():
    net = Network([6, 5, 4], dtype=np.float64, rng=5)
    assert check_gradients(net, X, LABELS, max_per_array=3).checked == 3 * 4


def test_compare_gradients_accepts_right_ones():
    net = Network([6, 5, 4], rng=6)
    weight_grads, bias_grads = net.gradients(X, LABELS)
    verdict = compare_gradients(net, X, LABELS, weight_grads, bias_grads)
    assert verdict.correct
    assert str(verdict).splitlines()[0].startswith("Layer 1 weights: correct")


def test_compare_gradients_names_the_wrong_layer():
    net = Network([6, 5, 5, 4], dtype=np.float64, rng=7)
    weight_grads, bias_grads = net.gradients(X, LABELS)
    weight_grads[1] = weight_grads[1] + 0.1
    verdict = compare_gradients(net, X, LABELS, weight_grads, bias_grads)
    assert verdict.wrong == ["layer 2 weights"]
    assert "Layer 2 weights: wrong (largest relative error" in str(verdict)


def test_compare_gradients_spots_a_missing_batch_mean():
    net = Network([6, 5, 4], dtype=np.float64, rng=8)
    weight_grads, bias_grads = net.gradients(X, LABELS)
    summed = [g * len(X) for g in weight_grads]          # summed instead of averaged
    verdict = compare_gradients(net, X, LABELS, summed, bias_grads)
    assert verdict.wrong == ["layer 1 weights", "layer 2 weights"]
    assert "it is 8 times the right gradient" in str(verdict)


def test_compare_gradients_reports_wrong_shapes_and_counts():
    net = Network([6, 5, 4], dtype=np.float64, rng=9)
    weight_grads, bias_grads = net.gradients(X, LABELS)
    bias_grads[0] = bias_grads[0].reshape(-1, 1)
    verdict = compare_gradients(net, X, LABELS, weight_grads[:1], bias_grads)
    assert "Expected 2 weights gradients (one per layer), got 1." in str(verdict)
    assert "Layer 1 biases: wrong shape: expected (5,), got (5, 1)." in str(verdict)

"""Tests for mnistnet.activations: values, derivatives, and numerical stability."""

import warnings

import numpy as np
import pytest

from mnistnet.activations import ACTIVATIONS, log_softmax, sigmoid, softmax


def test_sigmoid_known_values():
    # σ(0) = 1/2; σ(ln 3) = 1 / (1 + 1/3) = 3/4; σ(−z) = 1 − σ(z).
    z = np.array([0.0, np.log(3.0), -np.log(3.0)])
    np.testing.assert_allclose(sigmoid(z), [0.5, 0.75, 0.25], rtol=1e-15)


def test_sigmoid_of_huge_inputs_is_exact_and_silent():
    # Raw 0-255 pixels give pre-activations of ±1000: no overflow warning, exact limits.
    for dtype in (np.float32, np.float64):
        z = np.array([-1000.0, -100.0, 100.0, 1000.0], dtype=dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            a = sigmoid(z)
        assert a.dtype == dtype
        assert a[0] == 0.0 and a[-1] == 1.0
        assert np.all(np.isfinite(a))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    function, derivative = ACTIVATIONS[name]
    z = np.array([-3.0, -0.7, 0.4, 2.5])       # no kink of ReLU within ε of these
    eps = 1e-6
    numeric = (function(z + eps) - function(z - eps)) / (2 * eps)
    np.testing.assert_allclose(derivative(z), numeric, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(derivative(z, function(z)), numeric, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_keeps_float32(name):
    function, derivative = ACTIVATIONS[name]
    z = np.linspace(-2, 2, 5, dtype=np.float32)
    assert function(z).dtype == np.float32
    assert derivative(z, function(z)).dtype == np.float32


def test_relu_and_tanh_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].function(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].derivative(z), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(ACTIVATIONS["tanh"].function(z), np.tanh(z))


def test_softmax_rows_are_probabilities():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    a = softmax(z)
    np.testing.assert_allclose(a.sum(axis=1), [1.0, 1.0])
    # e^1 : e^2 : e^3, worked out: [0.09003057, 0.24472847, 0.66524096]
    np.testing.assert_allclose(a[0], [0.09003057, 0.24472847, 0.66524096], rtol=1e-7)
    np.testing.assert_allclose(a[1], [1 / 3] * 3)


def test_softmax_is_stable_for_huge_scores():
    z = np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = softmax(z)
        log_a = log_softmax(z)
    np.testing.assert_allclose(a, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(log_a, [[0.0, -1000.0, -2000.0]])


def test_log_softmax_is_log_of_softmax():
    z = np.random.default_rng(0).standard_normal((4, 5))
    np.testing.assert_allclose(log_softmax(z), np.log(softmax(z)), rtol=1e-12)

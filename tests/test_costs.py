"""Tests for mnistnet.costs: the cost values and their output-layer deltas (BP1)."""

import numpy as np
import pytest

from mnistnet.activations import log_softmax, sigmoid, softmax
from mnistnet.costs import COSTS


def test_quadratic_value_by_hand():
    # Example 1: a = [0.5, 0.25], y = [1, 0]: (0.5 − 1)² + 0.25² = 0.25 + 0.0625 = 0.3125.
    # Example 2: a = [0, 1], y = [0, 1]: 0. Batch cost: mean = 0.15625.
    a = np.array([[0.5, 0.25], [0.0, 1.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert COSTS["quadratic"].value(None, a, Y) == pytest.approx(0.15625)


def test_cross_entropy_value_by_hand():
    # z = [ln 1, ln 3] → softmax = [1/4, 3/4]; label 1 → cost −ln(3/4) = 0.2876821.
    z = np.log(np.array([[1.0, 3.0]]))
    a = softmax(z)
    assert COSTS["cross_entropy"].value(z, a, np.array([[0.0, 1.0]])) == pytest.approx(
        -np.log(0.75))


def test_cross_entropy_is_finite_when_softmax_underflows():
    # a_1 = e^(−1000) underflows to 0, but ln a_1 = −1000 exactly: cost 1000, not inf.
    z = np.array([[1000.0, 0.0]])
    cost = COSTS["cross_entropy"].value(z, softmax(z), np.array([[0.0, 1.0]]))
    assert cost == pytest.approx(1000.0)


def test_cross_entropy_stays_exact_when_a_probability_is_barely_above_zero():
    # float32: e^(−100) ≈ 3.7e-44 is not 0 but a subnormal number with a few bits of
    # precision, so ln of it would be off by about 0.01. The cost must still be 100.
    z = np.array([[0.0, -100.0]], dtype=np.float32)
    a = softmax(z)
    assert 0 < a[0, 1] < np.finfo(np.float32).tiny
    cost = COSTS["cross_entropy"].value(z, a, np.array([[0.0, 1.0]], dtype=np.float32))
    assert cost == pytest.approx(100.0, abs=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_from_a_equals_cross_entropy_from_z(dtype):
    # The usual case takes ln a from a; it must agree with the stable log_softmax of z.
    rng = np.random.default_rng(5)
    z = (rng.standard_normal((64, 10)) * 4).astype(dtype)
    Y = np.eye(10, dtype=dtype)[rng.integers(0, 10, 64)]
    expected = -np.sum(Y * log_softmax(z.astype(np.float64))) / 64
    tolerance = 1e-6 if dtype == np.float32 else 1e-12
    assert COSTS["cross_entropy"].value(z, softmax(z), Y) == pytest.approx(expected, rel=tolerance)


@pytest.mark.parametrize("name", sorted(COSTS))
def test_delta_is_derivative_of_cost_with_respect_to_z(name):
    # value() is the batch mean, so ∂value/∂z for example x is delta_x / n.
    cost = COSTS[name]
    rng = np.random.default_rng(3)
    z = rng.standard_normal((3, 4))
    Y = np.eye(4)[[0, 2, 3]]
    delta = cost.delta(z, cost.output(z), Y)
    eps, numeric = 1e-6, np.zeros_like(z)
    for index in np.ndindex(z.shape):
        z_plus, z_minus = z.copy(), z.copy()
        z_plus[index] += eps
        z_minus[index] -= eps
        numeric[index] = (cost.value(z_plus, cost.output(z_plus), Y)
                          - cost.value(z_minus, cost.output(z_minus), Y)) / (2 * eps)
    np.testing.assert_allclose(delta / len(z), numeric, rtol=1e-7, atol=1e-10)


def test_output_layers():
    assert COSTS["quadratic"].output is sigmoid
    assert COSTS["cross_entropy"].output is softmax

"""Tests for mnistnet.network: shapes, initialisation, forward pass, backprop, input checks."""

import numpy as np
import pytest

from mnistnet.activations import sigmoid
from mnistnet.network import Network

RNG = np.random.default_rng(42)
X_SMALL = RNG.standard_normal((6, 5))
LABELS_SMALL = np.array([0, 1, 2, 2, 1, 0])


def small_network(**kwargs):
    return Network([5, 4, 3], dtype=np.float64, rng=0, **kwargs)


# --- structure and initialisation -------------------------------------------------------

def test_weights_and_biases_have_the_videos_layout():
    net = Network([784, 16, 16, 10])
    assert [W.shape for W in net.weights] == [(16, 784), (16, 16), (10, 16)]
    assert [b.shape for b in net.biases] == [(16,), (16,), (10,)]
    assert all(W.dtype == np.float32 for W in net.weights + net.biases)
    assert net.sizes == [784, 16, 16, 10]


def test_default_init_depends_on_activation():
    assert Network([3, 2], activation="sigmoid").init == "xavier"
    assert Network([3, 2], activation="tanh").init == "xavier"
    assert Network([3, 2], activation="relu").init == "he"


def test_uniform_init_is_the_original_notebooks():
    net = Network([784, 16, 16, 10], init="uniform", rng=0)
    for array in net.weights + net.biases:
        assert array.min() >= -0.5 and array.max() < 0.5
    # uniform(-0.5, 0.5) has standard deviation 1/√12 ≈ 0.2887
    assert net.weights[0].std() == pytest.approx(1 / np.sqrt(12), rel=0.02)
    assert net.biases[0].std() > 0.1          # biases random too, not zero


@pytest.mark.parametrize("init, expected_std", [
    ("normal", 1.0),                          # Nielsen: standard normal
    ("xavier", np.sqrt(2 / (784 + 100))),     # Glorot: variance 2 / (n_in + n_out)
    ("he", np.sqrt(2 / 784)),                 # He: variance 2 / n_in
])
def test_scaled_inits_have_the_stated_spread(init, expected_std):
    net = Network([784, 100, 10], init=init, rng=1)
    assert net.weights[0].std() == pytest.approx(expected_std, rel=0.02)
    if init != "normal":
        assert not net.biases[0].any()


def test_same_seed_same_weights_and_generator_accepted():
    a = Network([10, 5, 3], rng=7)
    b = Network([10, 5, 3], rng=np.random.default_rng(7))
    c = Network([10, 5, 3], rng=8)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_float32_and_float64_start_from_the_same_weights():
    a = Network([10, 5, 3], dtype=np.float32, rng=3)
    b = Network([10, 5, 3], dtype=np.float64, rng=3)
    np.testing.assert_allclose(a.weights[0], b.weights[0], rtol=1e-7)


def test_copy_is_independent():
    net = small_network()
    twin = net.copy()
    twin.weights[0][0, 0] += 1.0
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]
    assert (twin.sizes, twin.activation, twin.cost, twin.init, twin.dtype) == (
        net.sizes, net.activation, net.cost, net.init, net.dtype)


def test_repr_names_the_settings():
    assert repr(Network([4, 3], rng=0)) == (
        "Network([4, 3], activation='sigmoid', cost='quadratic', init='xavier', dtype=float32)")


# --- the forward pass ---------------------------------------------------------------------

def test_forward_and_feedforward_shapes():
    net = Network([5, 4, 3], rng=0)
    zs, activations = net.feedforward(X_SMALL)
    assert zs[0] is None
    np.testing.assert_array_equal(activations[0], X_SMALL.astype(np.float32))
    assert [a.shape for a in activations] == [(6, 5), (6, 4), (6, 3)]
    assert [z.shape for z in zs[1:]] == [(6, 4), (6, 3)]
    np.testing.assert_array_equal(net.forward(X_SMALL), activations[-1])
    assert net.forward(X_SMALL).dtype == np.float32


def test_forward_computes_sigmoid_of_wa_plus_b():
    net = small_network()
    x = X_SMALL[:1]
    a1 = sigmoid(net.weights[0] @ x[0] + net.biases[0])          # one example, column style
    a2 = sigmoid(net.weights[1] @ a1 + net.biases[1])
    np.testing.assert_allclose(net.forward(x)[0], a2, rtol=1e-14)


def test_softmax_output_with_cross_entropy():
    out = small_network(cost="cross_entropy").forward(X_SMALL)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_predict_and_accuracy():
    net = small_network()
    predictions = net.predict(X_SMALL)
    np.testing.assert_array_equal(predictions, net.forward(X_SMALL).argmax(axis=1))
    assert net.accuracy(X_SMALL, predictions) == 1.0
    wrong = (predictions + 1) % 3
    assert net.accuracy(X_SMALL, wrong) == 0.0
    half = np.where(np.arange(6) < 3, predictions, wrong)
    assert net.accuracy(X_SMALL, half) == 0.5


def test_raw_uint8_pixels_are_accepted():
    net = Network([4, 2], rng=0)
    X = np.array([[0, 255, 128, 3]], dtype=np.uint8)
    np.testing.assert_allclose(net.forward(X), net.forward(X.astype(np.float32)))


# --- cost and backpropagation ---------------------------------------------------------------

def hand_worked_network():
    """The 2-2-1 network of the test below, with weights chosen to give round numbers."""
    return Network.from_parameters(
        [np.array([[1.0, -0.5], [0.0, 0.0]]), np.array([[2.0, 4.0]])],
        [np.array([0.0, np.log(3.0)]), np.array([-4.0])], dtype=np.float64)


def test_hand_worked_2_2_1_example():
    # x = [1, 2], target y = 1.
    # Layer 1: z1 = W1 x + b1 = [1·1 − 0.5·2 + 0, 0 + ln 3] = [0, ln 3]
    #          a1 = σ(z1) = [1/2, 3/4]        (σ(ln 3) = 1 / (1 + 1/3) = 3/4)
    # Layer 2: z2 = 2·(1/2) + 4·(3/4) − 4 = 0,  a2 = σ(0) = 1/2
    # Cost: (a2 − y)² = (−1/2)² = 1/4
    # BP1: δ2 = 2(a2 − y) σ′(z2) = 2·(−1/2)·(1/4) = −1/4           (σ′(0) = 1/2·1/2)
    # BP4: ∂C/∂W2 = δ2 a1ᵀ = −1/4·[1/2, 3/4] = [−1/8, −3/16];  BP3: ∂C/∂b2 = −1/4
    # BP2: δ1 = (W2ᵀ δ2) ⊙ σ′(z1) = [−1/2, −1] ⊙ [1/4, 3/16] = [−1/8, −3/16]
    #      (σ′(ln 3) = 3/4·1/4 = 3/16)
    # BP4: ∂C/∂W1 = δ1 xᵀ = [[−1/8, −1/4], [−3/16, −3/8]];  BP3: ∂C/∂b1 = [−1/8, −3/16]
    net = hand_worked_network()
    X, Y = np.array([[1.0, 2.0]]), np.array([[1.0]])
    zs, activations = net.feedforward(X)
    np.testing.assert_allclose(zs[1], [[0.0, np.log(3.0)]], atol=1e-15)
    np.testing.assert_allclose(activations[1], [[0.5, 0.75]])
    np.testing.assert_allclose(activations[2], [[0.5]])
    assert net.cost_of(X, Y) == pytest.approx(0.25)
    weight_grads, bias_grads = net.gradients(X, Y)
    np.testing.assert_allclose(weight_grads[1], [[-1 / 8, -3 / 16]])
    np.testing.assert_allclose(bias_grads[1], [-1 / 4])
    np.testing.assert_allclose(weight_grads[0], [[-1 / 8, -1 / 4], [-3 / 16, -3 / 8]])
    np.testing.assert_allclose(bias_grads[0], [-1 / 8, -3 / 16])


def original_notebook_gradients(net, X, Y):
    """An independent oracle: the original notebook's loop, one example at a time.

    For each example it runs forward, sets c = 2(a_L − y), and walks back through the
    layers accumulating outer products, as the student's code did; the sums are then
    divided by n, since our cost is the mean over the batch.
    """
    weight_sums = [np.zeros_like(W) for W in net.weights]
    bias_sums = [np.zeros_like(b) for b in net.biases]
    for x, y in zip(X, Y):
        a = [x]
        for W, b in zip(net.weights, net.biases):
            a.append(1 / (1 + np.exp(-(W @ a[-1] + b))))
        c = 2 * (a[-1] - y)
        for j in range(len(net.weights), 0, -1):
            slope = a[j] * (1 - a[j]) * c
            weight_sums[j - 1] += np.outer(slope, a[j - 1])
            bias_sums[j - 1] += slope
            c = net.weights[j - 1].T @ slope
    return [s / len(X) for s in weight_sums], [s / len(X) for s in bias_sums]


def test_batch_backprop_equals_the_original_per_example_loop():
    net = Network([5, 4, 6, 3], init="uniform", dtype=np.float64, rng=5)
    Y = np.eye(3)[LABELS_SMALL]
    expected_w, expected_b = original_notebook_gradients(net, X_SMALL, Y)
    weight_grads, bias_grads = net.gradients(X_SMALL, Y)
    for got, expected in zip(weight_grads + bias_grads, expected_w + expected_b):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_labels_and_one_hot_targets_give_the_same_cost_and_gradients():
    net = small_network()
    Y = np.eye(3)[LABELS_SMALL]
    assert net.cost_of(X_SMALL, LABELS_SMALL) == net.cost_of(X_SMALL, Y)
    from_labels, from_one_hot = net.gradients(X_SMALL, LABELS_SMALL), net.gradients(X_SMALL, Y)
    for a, b in zip(from_labels[0] + from_labels[1], from_one_hot[0] + from_one_hot[1]):
        np.testing.assert_array_equal(a, b)


def test_gradients_have_the_structure_of_the_parameters():
    net = Network([5, 4, 3], rng=0)
    weight_grads, bias_grads = net.gradients(X_SMALL, LABELS_SMALL)
    assert [g.shape for g in weight_grads] == [W.shape for W in net.weights]
    assert [g.shape for g in bias_grads] == [b.shape for b in net.biases]
    assert all(g.dtype == np.float32 for g in weight_grads + bias_grads)


def test_gradients_do_not_change_the_network():
    net = small_network()
    before = [W.copy() for W in net.weights]
    net.gradients(X_SMALL, LABELS_SMALL)
    for W, saved in zip(net.weights, before):
        np.testing.assert_array_equal(W, saved)


# --- errors for bad input ---------------------------------------------------------------------

@pytest.mark.parametrize("sizes, error, match", [
    ([784], ValueError, "at least 2 layers"),
    ([], ValueError, "at least 2 layers"),
    ([784, 0, 10], ValueError, "at least 1 neuron, got 0"),
    ([784, -3, 10], ValueError, "at least 1 neuron, got -3"),
    ([784, 2.5, 10], TypeError, "whole numbers, got 2.5"),
    (784, TypeError, "list of layer sizes"),
])
def test_bad_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        Network(sizes)


@pytest.mark.parametrize("keyword, value, known", [
    ("activation", "softplus", "sigmoid, relu, tanh"),
    ("cost", "hinge", "quadratic, cross_entropy"),
    ("init", "zeros", "uniform, normal, xavier, he"),
])
def test_unknown_names_list_the_known_ones(keyword, value, known):
    with pytest.raises(ValueError, match=f"unknown {keyword} '{value}'; choose one of: {known}"):
        Network([3, 2], **{keyword: value})


@pytest.mark.parametrize("dtype", [np.int32, np.float16, "banana"])
def test_bad_dtype(dtype):
    with pytest.raises(TypeError, match="dtype must be np.float32 or np.float64"):
        Network([3, 2], dtype=dtype)


def test_bad_rng():
    with pytest.raises(TypeError, match="rng must be an int seed"):
        Network([3, 2], rng="seed")


def test_negative_seed_is_explained():
    with pytest.raises(ValueError, match=r"rng must be a seed >= 0.*got -1"):
        Network([3, 2], rng=-1)


def test_single_image_gets_a_reshape_hint():
    with pytest.raises(ValueError, match=r"must have shape \(n, 5\), got \(5,\).*reshape\(1, -1\)"):
        small_network().forward(X_SMALL[0])


def test_unflattened_images_get_a_hint():
    net = Network([784, 10], rng=0)
    with pytest.raises(ValueError, match=r"got \(2, 28, 28\).*images.reshape"):
        net.predict(np.zeros((2, 28, 28)))


def test_non_finite_inputs_are_refused():
    X = X_SMALL.copy()
    X[2, 3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        small_network().forward(X)
    with pytest.raises(ValueError, match="finite"):
        small_network().gradients(X_SMALL, np.full((6, 3), np.inf))


@pytest.mark.parametrize("method, what", [("cost_of", "cost"), ("gradients", "gradient"),
                                          ("accuracy", "accuracy")])
def test_empty_batch_has_no_cost_gradient_or_accuracy(method, what):
    compute = getattr(small_network(), method)
    with pytest.raises(ValueError, match=f"X has no rows: the {what} .*at least one example"):
        compute(np.zeros((0, 5)), np.zeros(0, dtype=int))


def test_empty_batch_has_empty_outputs_and_predictions():
    net = small_network()
    assert net.forward(np.zeros((0, 5))).shape == (0, 3)
    predictions = net.predict(np.zeros((0, 5)))
    assert predictions.shape == (0,) and predictions.dtype.kind == "i"


def test_non_numeric_inputs_are_refused():
    with pytest.raises(TypeError, match="X must hold numbers"):
        small_network().forward(np.full((1, 5), "x"))


def test_wrong_target_shape():
    with pytest.raises(ValueError, match=r"Y must have shape \(6, 3\).*or \(6,\).*got \(6, 4\)"):
        small_network().cost_of(X_SMALL, np.zeros((6, 4)))
    with pytest.raises(ValueError, match=r"labels must have shape \(6,\).*got \(5,\)"):
        small_network().gradients(X_SMALL, LABELS_SMALL[:5])


def test_labels_out_of_range():
    with pytest.raises(ValueError, match="labels must be in 0-2.*got values from 0 to 3"):
        small_network().accuracy(X_SMALL, np.array([0, 1, 2, 3, 1, 0]))
    with pytest.raises(ValueError, match="from -1 to"):
        small_network().gradients(X_SMALL, np.array([0, 1, 2, -1, 1, 0]))


def test_float_labels_are_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"labels must be integers.*astype\(int\)"):
        small_network().accuracy(X_SMALL, LABELS_SMALL.astype(float))


def test_from_parameters_checks_shapes():
    with pytest.raises(ValueError, match=r"layer 2: weights must have shape .*got \(4, 3\)"):
        Network.from_parameters([np.zeros((4, 5)), np.zeros((4, 3))], [np.zeros(4), np.zeros(3)])
    with pytest.raises(ValueError, match="same length"):
        Network.from_parameters([np.zeros((4, 5))], [])

"""Tests for mnistnet.train: SGD steps, history, reproducibility, divergence, stopping."""

import numpy as np
import pytest

from mnistnet.data import load_mnist, load_sample
from mnistnet.network import Network
from mnistnet.train import History, Trainer, train


def small_data(sample, n=1000):
    return sample.train_images[:n], sample.train_labels[:n]


def test_training_reduces_the_cost(sample):
    images, labels = small_data(sample)
    net = Network([784, 30, 10], rng=0)
    before = net.cost_of(images, labels)
    history = train(net, images, labels, epochs=3, batch_size=10, learning_rate=3.0)
    assert net.cost_of(images, labels) < 0.5 * before
    assert history.epoch_costs[-1] < history.epoch_costs[0]
    assert history.epochs_done == 3 and not history.diverged and not history.stopped
    assert history.message == f"Trained 3 epochs in {sum(history.epoch_times):.3g} s."


def test_history_records_every_batch_and_epoch(sample):
    images, labels = small_data(sample, 95)
    history = train(Network([784, 8, 10], rng=0), images, labels, epochs=2, batch_size=10,
                    learning_rate=1.0, test_images=sample.test_images[:50],
                    test_labels=sample.test_labels[:50])
    assert len(history.batch_costs) == 2 * 10        # 95 examples: 9 batches of 10 and one of 5
    assert len(history.epoch_costs) == len(history.test_accuracies) == len(history.epoch_times) == 2
    assert history.epoch_costs[0] == pytest.approx(np.mean(history.batch_costs[:10]))
    assert all(0 <= a <= 1 for a in history.test_accuracies)
    assert all(t > 0 for t in history.epoch_times)
    assert history.settings == dict(epochs=2, batch_size=10, learning_rate=1.0, momentum=0.0,
                                    weight_decay=0.0, learning_rate_drops=[], seed=0,
                                    n_train=95)


def test_same_seed_same_result(sample):
    images, labels = small_data(sample, 300)
    runs = []
    for _ in range(2):
        net = Network([784, 10, 10], rng=1)
        history = train(net, images, labels, epochs=2, batch_size=16, learning_rate=1.0,
                        momentum=0.5, rng=2)
        runs.append((net, history))
    (net_a, history_a), (net_b, history_b) = runs
    assert history_a.batch_costs == history_b.batch_costs
    np.testing.assert_array_equal(net_a.weights[0], net_b.weights[0])
    net_c = Network([784, 10, 10], rng=1)
    history_c = train(net_c, images, labels, epochs=2, batch_size=16, learning_rate=1.0,
                      momentum=0.5, rng=3)               # another shuffling order
    assert history_c.batch_costs != history_a.batch_costs


def test_one_step_is_plain_gradient_descent():
    # With a single batch holding every example, one step must be W ← W − η ∂C/∂W exactly.
    rng = np.random.default_rng(0)
    X, labels = rng.random((20, 6)), rng.integers(0, 3, 20)
    net = Network([6, 4, 3], dtype=np.float64, rng=0)
    expected = net.copy()
    weight_grads, bias_grads = expected.gradients(X, labels)
    train(net, X, labels, epochs=1, batch_size=20, learning_rate=0.5)
    for W, W0, g in zip(net.weights, expected.weights, weight_grads):
        np.testing.assert_allclose(W, W0 - 0.5 * g, rtol=1e-13)
    for b, b0, g in zip(net.biases, expected.biases, bias_grads):
        np.testing.assert_allclose(b, b0 - 0.5 * g, rtol=1e-13)


def test_momentum_and_weight_decay_follow_the_stated_rule():
    # v ← μv − η(∂C/∂W + λW), W ← W + v; biases get no decay. Two full-batch steps.
    rng = np.random.default_rng(1)
    X, labels = rng.random((12, 5)), rng.integers(0, 3, 12)
    eta, mu, lam = 0.3, 0.9, 0.01
    net = Network([5, 4, 3], dtype=np.float64, rng=1)
    oracle = net.copy()
    v_w = [np.zeros_like(W) for W in oracle.weights]
    v_b = [np.zeros_like(b) for b in oracle.biases]
    for _ in range(2):
        weight_grads, bias_grads = oracle.gradients(X, labels)
        for i in range(2):
            v_w[i] = mu * v_w[i] - eta * (weight_grads[i] + lam * oracle.weights[i])
            v_b[i] = mu * v_b[i] - eta * bias_grads[i]
            oracle.weights[i] = oracle.weights[i] + v_w[i]
            oracle.biases[i] = oracle.biases[i] + v_b[i]
    train(net, X, labels, epochs=2, batch_size=12, learning_rate=eta, momentum=mu,
          weight_decay=lam)
    for got, expected in zip(net.weights + net.biases, oracle.weights + oracle.biases):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_learning_rate_drops_scale_the_step_from_the_stated_epoch():
    # Three full-batch epochs at η = 0.5, dropped ×0.1 from epoch 3: steps of 0.5, 0.5, 0.05.
    rng = np.random.default_rng(2)
    X, labels = rng.random((10, 5)), rng.integers(0, 3, 10)
    net = Network([5, 4, 3], dtype=np.float64, rng=2)
    oracle = net.copy()
    for eta in (0.5, 0.5, 0.05):
        weight_grads, bias_grads = oracle.gradients(X, labels)
        oracle.weights = [W - eta * g for W, g in zip(oracle.weights, weight_grads)]
        oracle.biases = [b - eta * g for b, g in zip(oracle.biases, bias_grads)]
    history = train(net, X, labels, epochs=3, batch_size=10, learning_rate=0.5,
                    learning_rate_drops=((3, 0.1),))
    for got, expected in zip(net.weights + net.biases, oracle.weights + oracle.biases):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert history.settings["learning_rate_drops"] == [[3, 0.1]]


@pytest.mark.parametrize("drops", [((0, 0.1),), ((3, -1.0),), (3, 0.1), "soon"])
def test_bad_learning_rate_drops_are_explained(drops):
    net = Network([5, 4, 3], rng=0)
    with pytest.raises(ValueError, match="learning.rate.drop"):
        train(net, np.zeros((4, 5)), [0, 1, 2, 0], epochs=1, batch_size=2, learning_rate=0.1,
              learning_rate_drops=drops)


def test_raw_uint8_pixels_and_float64_train(sample):
    raw = load_sample(raw_pixels=True)
    assert raw.train_images.dtype == np.uint8
    net = Network([784, 8, 10], init="uniform", dtype=np.float64, rng=0)
    history = train(net, raw.train_images[:200], raw.train_labels[:200], epochs=1,
                    batch_size=100, learning_rate=0.1)
    assert history.epochs_done == 1 and net.weights[0].dtype == np.float64


def test_divergence_stops_and_keeps_the_last_good_weights(sample):
    images, labels = small_data(sample, 500)
    net = Network([784, 32, 10], activation="relu", cost="cross_entropy", rng=0)
    after_epoch_1 = []

    def blow_up(trainer):             # after a good first epoch, an absurd learning rate
        after_epoch_1.extend(W.copy() for W in trainer.network.weights)
        trainer.learning_rate = 1e30

    history = train(net, images, labels, epochs=3, batch_size=50, learning_rate=0.1,
                    on_epoch=blow_up)
    assert history.diverged and not history.stopped
    assert history.epochs_done == 1
    assert "diverged in epoch 2" in history.message
    assert "Try a smaller learning rate than 1e+30" in history.message
    for W, saved in zip(net.weights, after_epoch_1):
        np.testing.assert_array_equal(W, saved)
    assert np.isfinite(history.batch_costs).all()


def test_a_callback_can_stop_training(sample):
    images, labels = small_data(sample, 500)
    history = train(Network([784, 8, 10], rng=0), images, labels, epochs=5, batch_size=10,
                    learning_rate=1.0, on_batch=lambda trainer: trainer.batch == 7)
    assert history.stopped and not history.diverged
    assert len(history.batch_costs) == 7 and history.epochs_done == 0
    assert "Stopped on request after 0 epochs and 7 more mini-batches." == history.message


def test_request_stop_ends_training_after_the_current_batch(sample):
    images, labels = small_data(sample, 100)
    trainer = Trainer(Network([784, 8, 10], rng=0), images, labels, epochs=5, batch_size=10,
                      learning_rate=1.0, on_epoch=lambda trainer: trainer.request_stop())
    history = trainer.run()
    assert history.stopped and history.epochs_done == 1 and len(history.batch_costs) == 10
    assert trainer.step() is False


def test_step_trains_one_batch_at_a_time(sample):
    images, labels = small_data(sample, 30)
    trainer = Trainer(Network([784, 8, 10], rng=0), images, labels, epochs=2, batch_size=10,
                      learning_rate=1.0)
    results = [trainer.step() for _ in range(8)]
    assert results == [True] * 5 + [False] * 3          # 2 epochs x 3 batches
    assert len(trainer.history.batch_costs) == 6 and trainer.done
    trainer.request_stop()                              # after the end: changes nothing
    assert trainer.history.epochs_done == 2 and not trainer.history.stopped


def test_run_for_trains_in_chunks_exactly_as_run_does(sample):
    images, labels = small_data(sample, 300)

    def trainer():
        return Trainer(Network([784, 8, 10], rng=0), images, labels, epochs=2, batch_size=10,
                       learning_rate=1.0, rng=3)

    chunked = trainer()
    assert chunked.run_for(0) is True                   # no time at all: still one mini-batch
    assert len(chunked.history.batch_costs) == 1
    while chunked.run_for(0.01):
        pass
    whole = trainer()
    whole.run()
    assert chunked.done and chunked.history.batch_costs == whole.history.batch_costs
    assert np.array_equal(chunked.network.weights[0], whole.network.weights[0])
    assert chunked.run_for(1.0) is False                # over: nothing more to train


def test_ctrl_c_keeps_the_weights_trained_so_far(sample):
    images, labels = small_data(sample, 200)
    net = Network([784, 8, 10], rng=0)
    initial = net.weights[0].copy()

    def interrupt(trainer):
        if trainer.batch == 5:
            raise KeyboardInterrupt

    history = train(net, images, labels, epochs=2, batch_size=10, learning_rate=1.0,
                    on_batch=interrupt)
    assert history.stopped and len(history.batch_costs) == 5
    assert "interrupted in epoch 1" in history.message and "keeps the weights" in history.message
    assert not np.array_equal(net.weights[0], initial)


def test_progress_bar_per_epoch(sample, capsys):
    images, labels = small_data(sample, 100)
    train(Network([784, 8, 10], rng=0), images, labels, epochs=2, batch_size=10,
          learning_rate=1.0, progress=True)
    err = capsys.readouterr().err
    assert "epoch 1/2" in err and "epoch 2/2" in err


def test_history_is_a_plain_dataclass():
    history = History()
    assert history.batch_costs == [] and history.diverged is False and history.settings == {}


@pytest.mark.parametrize("keyword, value, match", [
    ("epochs", 0, "epochs must be a whole number >= 1, got 0"),
    ("batch_size", 2.5, "batch_size must be a whole number >= 1, got 2.5"),
    ("learning_rate", -0.1, "learning_rate must be > 0, got -0.1"),
    ("learning_rate", float("nan"), "learning_rate must be > 0, got nan"),
    ("momentum", 1.0, r"momentum must be >= 0 and < 1, got 1.0"),
    ("weight_decay", -1, "weight_decay must be >= 0, got -1.0"),
])
def test_bad_settings_are_refused(sample, keyword, value, match):
    settings = dict(epochs=1, batch_size=10, learning_rate=0.1)
    settings[keyword] = value
    images, labels = small_data(sample, 20)
    with pytest.raises(ValueError, match=match):
        Trainer(Network([784, 10], rng=0), images, labels, **settings)


def test_bad_training_data_is_refused(sample):
    images, labels = small_data(sample, 20)
    net = Network([784, 10], rng=0)
    with pytest.raises(ValueError, match=r"images must have shape \(n, 784\), got \(20, 28, 28\)"):
        train(net, images.reshape(20, 28, 28), labels, epochs=1, batch_size=5, learning_rate=1)
    with pytest.raises(ValueError, match=r"labels must have shape \(20,\)"):
        train(net, images, labels[:10], epochs=1, batch_size=5, learning_rate=1)
    with pytest.raises(ValueError, match="labels must be in 0-9"):
        train(net, images, labels + 1, epochs=1, batch_size=5, learning_rate=1)
    bad = images.copy()
    bad[3, 3] = np.inf
    with pytest.raises(ValueError, match="finite"):
        train(net, bad, labels, epochs=1, batch_size=5, learning_rate=1)
    with pytest.raises(ValueError, match="both test_images and test_labels"):
        train(net, images, labels, epochs=1, batch_size=5, learning_rate=1, test_images=images)
    with pytest.raises(ValueError, match="empty"):
        train(net, images[:0], labels[:0], epochs=1, batch_size=5, learning_rate=1)


def test_reaches_92_percent_on_real_mnist_in_one_short_epoch(shared_mnist_dir):
    # 20,000 real training digits, one epoch (313 mini-batches of 64): a second or two.
    data = load_mnist(shared_mnist_dir, download=False)
    net = Network([784, 100, 10], activation="relu", cost="cross_entropy", rng=0)
    history = train(net, data.train_images[:20_000], data.train_labels[:20_000], epochs=1,
                    batch_size=64, learning_rate=0.05, momentum=0.9,
                    test_images=data.test_images, test_labels=data.test_labels)
    assert history.test_accuracies[0] >= 0.92


def test_presets_plug_into_network_and_train(sample):
    from mnistnet.presets import ORIGINAL, PRESETS, VIDEOS
    assert set(PRESETS) == {"original", "videos", "videos_tuned", "best"}
    net = Network(**ORIGINAL.network_kwargs(), rng=0)
    assert (net.sizes, net.init, ORIGINAL.raw_pixels) == ([784, 16, 16, 10], "uniform", True)
    assert ORIGINAL.train_kwargs() == dict(epochs=1, batch_size=100, learning_rate=0.1,
                                           momentum=0.0, weight_decay=0.0,
                                           learning_rate_drops=())
    quick = VIDEOS.replace(epochs=1)
    history = train(Network(**quick.network_kwargs(), rng=0), *small_data(sample, 100),
                    **quick.train_kwargs())
    assert history.epochs_done == 1 and VIDEOS.epochs == 10


def test_the_tuned_videos_preset_keeps_the_videos_network_and_batches(sample):
    from mnistnet.presets import VIDEOS, VIDEOS_TUNED
    assert VIDEOS_TUNED.network_kwargs() == VIDEOS.network_kwargs()          # 784-16-16-10 sigmoid
    assert (VIDEOS_TUNED.raw_pixels, VIDEOS_TUNED.batch_size, VIDEOS_TUNED.epochs) == (False, 10, 10)
    assert VIDEOS_TUNED.learning_rate_drops == ((8, 0.1),) and VIDEOS_TUNED.weight_decay > 0
    net = Network(**VIDEOS_TUNED.network_kwargs(), rng=0)
    history = train(net, sample.train_images, sample.train_labels, **VIDEOS_TUNED.train_kwargs(),
                    test_images=sample.test_images, test_labels=sample.test_labels)
    assert history.test_accuracies[-1] >= 0.91        # 92-93 % on the sample, 95.5 % on all of MNIST


def test_on_epoch_is_called_even_when_on_batch_stops_on_the_epochs_last_batch(sample):
    images, labels = small_data(sample, 100)
    epochs_seen = []
    history = train(Network([784, 8, 10], rng=0), images, labels, epochs=3, batch_size=10,
                    learning_rate=1.0, on_batch=lambda trainer: trainer.batch == 10,
                    on_epoch=lambda trainer: epochs_seen.append(trainer.epoch))
    assert history.stopped and history.epochs_done == 1
    assert epochs_seen == [1]


def test_an_empty_test_set_is_refused_before_training(sample):
    images, labels = small_data(sample, 50)
    with pytest.raises(ValueError, match="X has no rows: the test accuracy of an empty batch"):
        Trainer(Network([784, 10]), images, labels, epochs=1, batch_size=10, learning_rate=0.1,
                test_images=images[:0], test_labels=labels[:0])

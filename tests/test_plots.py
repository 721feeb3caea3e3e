"""The plots draw what they are given: checked on the artists they return."""

import matplotlib

matplotlib.use("Agg")   # no window in tests

import numpy as np
import pytest
from matplotlib import pyplot as plt
from matplotlib.colors import to_rgba

from mnistnet import plots
from mnistnet.train import History


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    images = rng.random((12, 784), dtype=np.float32)
    labels = np.arange(12) % 10
    return images, labels


def two_epoch_history():
    # 4 mini-batches per epoch (n_train 40, batch 10): 8 batch costs, 2 epoch costs.
    return History(batch_costs=[0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35],
                   epoch_costs=[0.75, 0.425], test_accuracies=[0.8, 0.9], epochs_done=2,
                   settings=dict(n_train=40, batch_size=10))


def test_plot_digit_shows_the_pixels_as_28x28(ax, digits):
    image = plots.plot_digit(ax, digits[0][3], title="a three")
    assert np.array_equal(image.get_array(), digits[0][3].reshape(28, 28))
    assert image.get_clim() == (0, 1)
    assert ax.get_title() == "a three"


def test_plot_digit_scales_raw_pixels_to_0_255(ax):
    image = plots.plot_digit(ax, np.full((28, 28), 200, dtype=np.uint8))
    assert image.get_clim() == (0, 255)


def test_plot_digit_explains_a_wrong_shape(ax):
    with pytest.raises(ValueError, match=r"must have shape \(784,\).*got \(30,\)"):
        plots.plot_digit(ax, np.zeros(30))


def test_digit_grid_marks_wrong_guesses_in_red(digits):
    images, labels = digits
    guesses = labels.copy()
    guesses[[2, 5]] = [7, 0]     # two mistakes: 2 read as 7, 5 read as 0
    fig = plots.plot_digit_grid(images, labels, guesses, ncols=5)
    titles = [ax.title for ax in fig.axes if ax.get_visible()]
    assert len(titles) == 12 and len(fig.axes) == 15   # 3 rows of 5, 3 hidden
    red = [t.get_text() for t in titles if t.get_color() == plots.WRONG_COLOR]
    assert red == ["2→7", "5→0"]
    assert titles[0].get_text() == "0"


def test_history_lines_follow_the_history(ax):
    history = two_epoch_history()
    lines = plots.plot_history(ax, history)
    # Batch k of 4 per epoch ends at epoch k/4; the epoch costs sit at epochs 1 and 2.
    assert np.allclose(lines.batch.get_xdata(), np.arange(1, 9) / 4)
    assert np.allclose(lines.batch.get_ydata(), history.batch_costs)
    assert list(lines.epoch.get_xdata()) == [1, 2]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "cost")

    history.batch_costs += [0.3, 0.25]
    history.epoch_costs.append(0.3)
    plots.update_history_lines(lines, history)
    assert len(lines.batch.get_xdata()) == 10 and list(lines.epoch.get_xdata()) == [1, 2, 3]


def test_long_histories_are_averaged_in_blocks(ax):
    history = History(batch_costs=list(np.arange(6000.0)), epochs_done=1,
                      settings=dict(n_train=60000, batch_size=10))
    lines = plots.plot_history(ax, history)
    y = lines.batch.get_ydata()
    assert len(y) == 2000 and y[0] == pytest.approx(1.0)   # mean of 0, 1, 2


def test_accuracy_is_plotted_in_percent(ax):
    line = plots.plot_accuracy(ax, two_epoch_history())
    assert np.allclose(line.get_ydata(), [80, 90])
    assert ax.get_ylim()[1] == 100 and "%" in ax.get_ylabel()


def test_confusion_matrix_counts_every_pair(ax):
    labels = np.array([0, 0, 1, 1, 1, 9])
    guesses = np.array([0, 1, 1, 1, 7, 9])
    image = plots.plot_confusion_matrix(ax, labels, guesses)
    counts = image.get_array()
    assert counts.sum() == 6 and np.trace(counts) == 4
    assert counts[0, 1] == 1 and counts[1, 7] == 1 and counts[1, 1] == 2
    assert "66.7 % right" in ax.get_title()


@pytest.mark.parametrize("labels, guesses, error, match", [
    ([0, 1, -1], [0, 1, 9], ValueError, r"labels must be digits 0-9, got values from -1 to 1"),
    ([0, 1, 9], [0, 10, 9], ValueError, r"guesses must be digits 0-9, got values from 0 to 10"),
    ([0, 1.5, 9], [0, 1, 9], TypeError, r"labels must be whole numbers.*float64.*astype\(int\)"),
    ([0, 1, 9], [0, 1], ValueError, r"guesses must have one digit per image \(3\), got shape \(2,\)"),
])
def test_confusion_matrix_refuses_what_is_not_a_digit(ax, labels, guesses, error, match):
    with pytest.raises(error, match=match):
        plots.plot_confusion_matrix(ax, np.array(labels), np.array(guesses))


def test_output_activations_highlight_the_guess(ax):
    a = np.linspace(0, 0.9, 10)[::-1]            # tallest bar: digit 0
    bars = plots.plot_output_activations(ax, a, label=3)
    assert np.allclose([b.get_height() for b in bars], a)
    assert bars[0].get_facecolor() == to_rgba(plots.WRONG_COLOR)
    assert bars[3].get_facecolor() == to_rgba(plots.LABEL_COLOR)
    assert "guess: 0" in ax.get_title() and "wrong" in ax.get_title()


def test_layer_activations_draw_one_panel_per_layer():
    activations = [np.linspace(0, 1, 784), np.linspace(0, 1, 16), np.linspace(0, 1, 30),
                   np.eye(10)[4]]
    fig = plt.figure()
    artists = plots.plot_layer_activations(fig, activations)
    assert len(fig.axes) == 4 and len(artists) == 4
    assert artists[1].get_array().shape == (4, 4)          # 16 neurons in a 4x4 grid
    assert artists[2].get_array().count() == 30            # 30 in a 6x5 grid, 0 blanks shown
    assert "guess 4" in fig.axes[3].get_title()


def test_weight_images_use_a_symmetric_scale_centred_at_zero():
    weights = np.random.default_rng(1).normal(size=(10, 784))
    fig = plots.plot_weight_images(weights, ncols=4)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 10
    low, high = images[0].get_clim()
    assert low == -high and high > 0
    assert np.array_equal(images[9].get_array(), weights[9].reshape(28, 28))


def test_mean_digits_average_each_class():
    images = np.zeros((4, 784))
    images[0, 0] = images[1, 0] = 1.0
    images[1, 1] = 0.5
    labels = np.array([2, 2, 5, 5])
    fig = plots.plot_mean_digits(images, labels)
    mean_of_twos = fig.axes[2].images[0].get_array()
    assert mean_of_twos[0, 0] == 1.0 and mean_of_twos[0, 1] == 0.25
    assert fig.axes[2].get_title() == "2  (2)"


def test_pixel_histogram_counts_every_pixel(ax, digits):
    bars = plots.plot_pixel_histogram(ax, digits[0])
    assert sum(b.get_height() for b in bars) == digits[0].size


def test_class_counts_count_each_digit(ax):
    bars = plots.plot_class_counts(ax, np.array([1, 1, 1, 7]))
    assert [b.get_height() for b in bars] == [0, 3, 0, 0, 0, 0, 0, 1, 0, 0]


def test_class_counts_refuse_what_is_not_a_digit(ax):
    with pytest.raises(ValueError, match="labels must be digits 0-9, got values from 0 to 10"):
        plots.plot_class_counts(ax, np.array([0, 3, 10]))


def test_importing_plots_leaves_matplotlib_settings_alone():
    import importlib

    before = dict(matplotlib.rcParams)
    importlib.reload(plots)
    assert dict(matplotlib.rcParams) == before

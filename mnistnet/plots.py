"""Figures from arrays and histories: digits, costs, accuracies, weights and activations.

Every ``plot_*`` function that draws one picture takes a matplotlib ``ax``, draws on it and
returns what it drew (the artists), so a caller can update them later with ``set_data``
instead of drawing again; the dashboards do exactly that. Functions whose natural unit is a
grid of pictures create and return a whole ``Figure`` (pass ``fig=`` to draw into your own).

Nothing here changes matplotlib's global settings. In a notebook, ``fig = plot_...(...)``
shows the figure once at the end of the cell.

Images may be one digit ``(784,)`` or ``(28, 28)``, or a batch ``(n, 784)`` / ``(n, 28, 28)``;
pixels may be floats in [0, 1] or raw ``uint8`` 0-255.
"""

from typing import NamedTuple

import numpy as np
from matplotlib.ticker import MaxNLocator

DIGITS = np.arange(10)
COST_COLOR = "tab:blue"
ACCURACY_COLOR = "tab:green"
GUESS_COLOR = "tab:orange"
WRONG_COLOR = "tab:red"
LABEL_COLOR = "tab:green"
OTHER_COLOR = "0.7"


# --- boilerplate: turning inputs into arrays and making figures (safe to skip) ------------

def _new_figure(figsize):
    """A pyplot figure, so a notebook shows it at the end of the cell."""
    from matplotlib import pyplot as plt

    return plt.figure(figsize=figsize)


def _as_digit_images(images):
    """Images of any accepted shape as an ``(n, 28, 28)`` array."""
    images = np.asarray(images)
    if images.ndim in (1, 2) and images.shape[-1] == 784:
        return images.reshape(-1, 28, 28)
    if images.ndim in (2, 3) and images.shape[-2:] == (28, 28):
        return images.reshape(-1, 28, 28)
    raise ValueError(
        f"images must have shape (784,), (28, 28), (n, 784) or (n, 28, 28), got {images.shape}. "
        "Pass rows of data.train_images, for example."
    )


def _pixel_range(images):
    """(0, 255) for raw pixels, (0, 1) for scaled ones."""
    return (0, 255) if np.asarray(images).max(initial=0) > 1 else (0, 1)


def _as_digit_labels(labels, n, what="labels"):
    """Labels (or guesses) as ``n`` ints in 0-9, or explain what is wrong with them."""
    labels = np.asarray(labels).reshape(-1)
    if labels.shape != (n,):
        raise ValueError(f"{what} must have one digit per image ({n}), got shape {labels.shape}.")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{what} must be whole numbers (digits 0-9), got dtype {labels.dtype}. "
                        f"Convert them with {what}.astype(int).")
    if n and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{what} must be digits 0-9, got values from {labels.min()} to "
                         f"{labels.max()}. Pass the true digits and net.predict(images).")
    return labels.astype(int)


# --- one digit and grids of digits ---------------------------------------------------------

def plot_digit(ax, image, title=None):
    """Show one digit as a 28x28 picture, white ink on black as the network sees it.

    Parameters
    ----------
    ax : matplotlib Axes
    image : array, shape (784,) or (28, 28)
        Pixels in [0, 1] or raw 0-255.
    title : str, optional

    Returns
    -------
    AxesImage
        Update it with ``artist.set_data(new_image.reshape(28, 28))``.
    """
    image = _as_digit_images(image)
    if len(image) != 1:
        raise ValueError(f"plot_digit shows one image, got {len(image)}. Use plot_digit_grid.")
    vmin, vmax = _pixel_range(image)
    artist = ax.imshow(image[0], cmap="gray", vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return artist


def plot_digit_grid(images, labels=None, guesses=None, ncols=10, *, fig=None):
    """Show many digits in a grid, each titled with its label and, if given, the guess.

    Wrong guesses are titled ``label→guess`` in red, so mistakes stand out.

    Parameters
    ----------
    images : array, shape (n, 784) or (n, 28, 28)
    labels : array of int, shape (n,), optional
    guesses : array of int, shape (n,), optional
        The network's guesses, e.g. ``net.predict(images)``.
    ncols : int
        Digits per row.
    fig : matplotlib Figure, optional
        Draw into this figure instead of a new one.

    Returns
    -------
    Figure
    """
    images = _as_digit_images(images)
    n = len(images)
    labels = None if labels is None else _as_digit_labels(labels, n)
    guesses = None if guesses is None else _as_digit_labels(guesses, n, "guesses")
    nrows = max(1, -(-n // ncols))
    if fig is None:
        fig = _new_figure((1.1 * min(ncols, n), 1.25 * nrows + 0.4))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_visible(False)
            continue
        plot_digit(ax, images[i])
        _title_digit(ax, labels, guesses, i)
    if guesses is not None and labels is not None:
        fig.suptitle("label → network's guess (wrong guesses in red)", fontsize=10)
    return fig


def _title_digit(ax, labels, guesses, i):
    if labels is None and guesses is None:
        return
    if guesses is None:
        ax.set_title(str(labels[i]), fontsize=10)
    elif labels is None:
        ax.set_title(f"guess {guesses[i]}", fontsize=9)
    elif guesses[i] == labels[i]:
        ax.set_title(str(labels[i]), fontsize=10)
    else:
        ax.set_title(f"{labels[i]}→{guesses[i]}", fontsize=10, color=WRONG_COLOR,
                     fontweight="bold")


def plot_mean_digits(images, labels, *, fig=None):
    """Show the average image of each digit 0-9: what a "typical" 3 looks like.

    Parameters
    ----------
    images : array, shape (n, 784) or (n, 28, 28)
    labels : array of int, shape (n,)

    Returns
    -------
    Figure
    """
    images = _as_digit_images(images)
    labels = _as_digit_labels(labels, len(images))
    if fig is None:
        fig = _new_figure((11, 1.6))
    axes = fig.subplots(1, 10)
    for digit, ax in zip(DIGITS, axes):
        of_digit = images[labels == digit]
        mean = of_digit.mean(axis=0) if len(of_digit) else np.zeros((28, 28))
        ax.imshow(mean, cmap="gray", vmin=0, vmax=_pixel_range(images)[1])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{digit}  ({len(of_digit)})", fontsize=9)
    fig.suptitle("average image of each digit (number of examples)", fontsize=10)
    return fig


# --- the data set ---------------------------------------------------------------------------

def plot_pixel_histogram(ax, images):
    """Histogram of all pixel values: most pixels are background (0), a few are ink.

    Returns
    -------
    BarContainer
    """
    pixels = np.asarray(images).reshape(-1)
    vmin, vmax = _pixel_range(pixels)
    _, _, bars = ax.hist(pixels, bins=32, range=(vmin, vmax), color=COST_COLOR)
    ax.set_yscale("log")
    ax.set_xlabel("pixel value" + (" (0-255)" if vmax == 255 else " (0 = background, 1 = ink)"))
    ax.set_ylabel("number of pixels (log scale)")
    ax.set_title("pixel values")
    return bars


def plot_class_counts(ax, labels):
    """Bar chart of how many examples there are of each digit.

    Parameters
    ----------
    ax : matplotlib Axes
    labels : array of int in 0-9, shape (n,)

    Returns
    -------
    BarContainer
    """
    labels = _as_digit_labels(labels, np.size(labels))
    counts = np.bincount(labels, minlength=10)[:10]
    bars = ax.bar(DIGITS, counts, color=COST_COLOR)
    ax.bar_label(bars, fontsize=8)
    ax.set_xticks(DIGITS)
    ax.set_xlabel("digit")
    ax.set_ylabel("number of examples")
    ax.set_title(f"examples per digit ({len(labels):,} in all)")
    return bars


# --- training: cost and accuracy -----------------------------------------------------------

class HistoryLines(NamedTuple):
    """The two cost curves ``plot_history`` draws."""

    batch: object  # Line2D: cost of every mini-batch, faded
    epoch: object  # Line2D: cost per epoch, with markers


def batches_per_epoch(history):
    """How many mini-batches make one epoch, from the history's settings (or its counts)."""
    settings = getattr(history, "settings", None) or {}
    n = settings.get("n_train") or settings.get("n_examples") or settings.get("training_examples")
    batch_size = settings.get("batch_size")
    if n and batch_size:
        return -(-int(n) // int(batch_size))
    if history.epochs_done:
        return max(1, len(history.batch_costs) // history.epochs_done)
    return None


def batch_cost_curve(history, max_points=2000):
    """x (in epochs) and y of the per-mini-batch cost; long runs are averaged in blocks.

    Returns
    -------
    x, y : arrays of the same length (at most about ``max_points``)
    """
    costs = np.asarray(history.batch_costs, dtype=float)
    per_epoch = batches_per_epoch(history) or max(1, len(costs))
    x = np.arange(1, len(costs) + 1) / per_epoch
    block = -(-len(costs) // max_points) if len(costs) > max_points else 1
    if block > 1:
        n = len(costs) // block * block
        x = x[block - 1:n:block]
        costs = costs[:n].reshape(-1, block).mean(axis=1)
    return x, costs


def epoch_cost_curve(history):
    """x = 1, 2, … (epochs) and y = the cost of each epoch."""
    costs = np.asarray(history.epoch_costs, dtype=float)
    return np.arange(1, len(costs) + 1), costs


def accuracy_curve(history):
    """x = 1, 2, … (epochs) and y = test accuracy of each epoch in %."""
    accuracies = 100 * np.asarray(history.test_accuracies, dtype=float)
    return np.arange(1, len(accuracies) + 1), accuracies


def plot_history(ax, history, *, label=None, color=COST_COLOR, faded=False, batches=True):
    """Plot the cost per mini-batch (faded) and per epoch (line with dots) against epochs.

    Parameters
    ----------
    ax : matplotlib Axes
    history : mnistnet.train.History
    label : str, optional
        Legend name of this run.
    color : matplotlib colour
    faded : bool
        Draw the whole run faded (for earlier runs shown for comparison).
    batches : bool
        Draw the per-mini-batch curve (if False, ``lines.batch`` is None).

    Returns
    -------
    HistoryLines
        ``(batch, epoch)`` lines; update them with ``update_history_lines(lines, history)``.
    """
    alpha = 0.35 if faded else 1.0
    batch = None
    if batches:
        batch = ax.plot(*batch_cost_curve(history), color=color, alpha=0.3 * alpha,
                        linewidth=0.8, label=None if faded else "cost per mini-batch")[0]
    epoch = ax.plot(*epoch_cost_curve(history), color=color, alpha=alpha, marker="o",
                    markersize=4, linewidth=1.5,
                    label=label or ("cost per epoch" if not faded else None))[0]
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost")
    ax.set_title("cost (lower is better)")
    ax.grid(alpha=0.3)
    return HistoryLines(batch, epoch)


def update_history_lines(lines, history):
    """Move the lines of ``plot_history`` to the history's latest values and rescale."""
    if lines.batch is not None:
        lines.batch.set_data(*batch_cost_curve(history))
    lines.epoch.set_data(*epoch_cost_curve(history))
    _rescale(lines.epoch.axes)


def plot_accuracy(ax, history, *, label=None, color=ACCURACY_COLOR, faded=False):
    """Plot the test accuracy after each epoch, in %.

    Returns
    -------
    Line2D
        Update it with ``update_accuracy_line(line, history)``.
    """
    line = ax.plot(*accuracy_curve(history), color=color, alpha=0.35 if faded else 1.0,
                   marker="o", markersize=4, linewidth=1.5,
                   label=label or (None if faded else "test accuracy"))[0]
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("test accuracy (higher is better)")
    ax.grid(alpha=0.3)
    _rescale(ax)
    return line


def update_accuracy_line(line, history):
    """Move the line of ``plot_accuracy`` to the history's latest values and rescale."""
    line.set_data(*accuracy_curve(history))
    _rescale(line.axes)


def _rescale(ax):
    """Fit the axes to their lines; an accuracy axis tops out at 100 %."""
    ax.set_autoscale_on(True)   # set_xlim / set_ylim below turn it off
    ax.relim()
    ax.autoscale_view()
    if ax.get_ylabel().startswith("test accuracy"):
        bottom, _ = ax.get_ylim()
        ax.set_ylim(max(0, bottom), 100)
    left, right = ax.get_xlim()
    ax.set_xlim(0, max(right, 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # whole epochs


# --- what the network thinks ----------------------------------------------------------------

def plot_confusion_matrix(ax, labels, guesses):
    """Count, for each true digit (row), how often the network guessed each digit (column).

    The diagonal holds the right answers; everything else is a mistake.

    Parameters
    ----------
    ax : matplotlib Axes
    labels : array of int in 0-9, shape (n,)
        The true digits.
    guesses : array of int in 0-9, shape (n,)
        The network's guesses, e.g. ``net.predict(images)``.

    Returns
    -------
    AxesImage
    """
    labels = _as_digit_labels(labels, np.size(labels))
    guesses = _as_digit_labels(guesses, len(labels), "guesses")
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (labels, guesses), 1)
    image = ax.imshow(counts, cmap="Blues")
    threshold = counts.max() / 2
    for (row, col), count in np.ndenumerate(counts):
        ax.text(col, row, str(count), ha="center", va="center", fontsize=7,
                color="white" if count > threshold else "black")
    ax.set_xticks(DIGITS)
    ax.set_yticks(DIGITS)
    ax.set_xlabel("network's guess")
    ax.set_ylabel("true digit")
    accuracy = np.trace(counts) / max(1, counts.sum())
    ax.set_title(f"confusion matrix ({100 * accuracy:.1f} % right)")
    return image


def plot_output_activations(ax, activations_row, label=None):
    """Bar chart of the 10 output activations; the guess (the tallest bar) is highlighted.

    Parameters
    ----------
    ax : matplotlib Axes
    activations_row : array, shape (10,) or (1, 10)
        One example's output layer, e.g. ``net.forward(x.reshape(1, -1))[0]``.
    label : int, optional
        The true digit: a wrong guess is drawn red and the true digit's bar green.

    Returns
    -------
    BarContainer
    """
    a = np.asarray(activations_row, dtype=float).reshape(-1)
    if a.shape != (10,):
        raise ValueError(f"activations_row must hold 10 output activations, got shape {a.shape}.")
    guess = int(np.argmax(a))
    colors = [OTHER_COLOR] * 10
    if label is not None and int(label) != guess:
        colors[int(label)] = LABEL_COLOR
        colors[guess] = WRONG_COLOR
    else:
        colors[guess] = GUESS_COLOR
    bars = ax.bar(DIGITS, a, color=colors)
    ax.set_xticks(DIGITS)
    ax.set_xlabel("digit")
    ax.set_ylabel("output activation")
    ax.set_ylim(0, max(1.0, a.max() * 1.05))
    title = f"guess: {guess}"
    if label is not None:
        title += f"   (label: {int(label)}{', right' if int(label) == guess else ', wrong'})"
    ax.set_title(title)
    return bars


def plot_layer_activations(axes_or_fig, activations):
    """Show every layer's activations for one example, input on the left, output on the right.

    The input is shown as the 28x28 digit, each hidden layer as a grid of neurons (bright =
    active) and the output layer as a bar chart.

    Parameters
    ----------
    axes_or_fig : matplotlib Figure, or a sequence of one Axes per layer
    activations : list of arrays
        ``activations[l]`` has shape ``(n_l,)`` or ``(1, n_l)``: what ``net.feedforward(x)``
        returns as its second value, for one example ``x`` of shape ``(1, 784)``.

    Returns
    -------
    list of artists, one per layer
    """
    layers = [np.asarray(a, dtype=float).reshape(-1) for a in activations]
    if hasattr(axes_or_fig, "subplots"):
        widths = [1.3] + [1.0] * (len(layers) - 2) + [1.8]
        axes = axes_or_fig.subplots(1, len(layers), width_ratios=widths)
    else:
        axes = list(axes_or_fig)
    if len(axes) != len(layers):
        raise ValueError(f"need one Axes per layer ({len(layers)}), got {len(axes)}.")
    artists = [plot_digit(axes[0], layers[0], title="input (784 pixels)")]
    for l, (ax, a) in enumerate(zip(axes[1:-1], layers[1:-1]), start=1):
        artists.append(_plot_neuron_grid(ax, a, f"hidden layer {l}\n({len(a)} neurons)"))
    artists.append(plot_output_activations(axes[-1], layers[-1]))
    axes[-1].set_title(f"output: guess {int(np.argmax(layers[-1]))}")
    return artists


def _plot_neuron_grid(ax, a, title):
    """One layer's activations as a near-square grid of cells, bright = active."""
    n = len(a)
    ncols = int(np.ceil(np.sqrt(n)))
    nrows = -(-n // ncols)
    grid = np.full(nrows * ncols, np.nan)
    grid[:n] = a
    vmin = min(0.0, a.min())
    vmax = max(1.0, a.max())
    image = ax.imshow(grid.reshape(nrows, ncols), cmap="gray", vmin=vmin, vmax=vmax)
    ax.set_facecolor("white")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    return image


def plot_weight_images(weights, ncols=8, *, max_images=64, fig=None):
    """Show the first layer's weights into each hidden neuron as a 28x28 picture.

    Row ``j`` of ``weights[0]`` says how much neuron ``j`` cares about each pixel: red pixels
    push it on, blue pixels push it off, white ones don't matter (the colour scale is
    symmetric around 0 and shared by all pictures).

    Parameters
    ----------
    weights : array, shape (n_hidden, 784)
        ``net.weights[0]``.
    ncols : int
    max_images : int
        Show at most this many neurons (the first ones).

    Returns
    -------
    Figure
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2 or weights.shape[1] != 784:
        raise ValueError(
            f"weights must have shape (n_hidden, 784), got {weights.shape}. "
            "Pass net.weights[0], the weights into the first hidden layer."
        )
    shown = weights[:max_images]
    n = len(shown)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    if fig is None:
        fig = _new_figure((1.3 * ncols + 1.0, 1.35 * nrows + 0.5))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    scale = np.percentile(np.abs(shown), 99.5) or 1.0
    for j, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if j >= n:
            ax.set_visible(False)
            continue
        image = ax.imshow(shown[j].reshape(28, 28), cmap="RdBu_r", vmin=-scale, vmax=scale)
        ax.set_title(f"neuron {j}", fontsize=8)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    more = f" (first {n} of {len(weights)})" if n < len(weights) else ""
    fig.suptitle(f"weights into each hidden neuron{more}", fontsize=10)
    return fig


def plot_neuron_weights(ax, weight_row, title=None):
    """One hidden neuron's 784 incoming weights as a 28x28 picture, red + / blue −.

    Returns
    -------
    AxesImage
    """
    w = np.asarray(weight_row, dtype=float).reshape(-1)
    if w.shape != (784,):
        raise ValueError(f"weight_row must hold 784 weights, got shape {w.shape}. "
                         "Pass net.weights[0][j] for neuron j.")
    scale = np.abs(w).max() or 1.0
    image = ax.imshow(w.reshape(28, 28), cmap="RdBu_r", vmin=-scale, vmax=scale)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return image

"""Training: mini-batch stochastic gradient descent, one mini-batch at a time (lesson 4).

>>> history = train(net, images, labels, epochs=10, batch_size=10, learning_rate=3.0)

``train`` builds a ``Trainer`` and runs it. A ``Trainer`` trains one mini-batch per
``step()``, so a dashboard can train in short chunks (``run_for(seconds)``) and stay
responsive; ``run()`` steps until the last epoch; ``request_stop()`` (or a callback
returning True) ends training after the current mini-batch. Everything it measured is in
``trainer.history``, a ``History``.

Each epoch shuffles the training set with the seeded generator and walks through it in
mini-batches; each step moves every weight against its gradient::

    v ← μ v − η (∂C/∂W + λ W)        (μ: momentum, η: learning rate, λ: weight_decay)
    W ← W + v                          (with μ = 0 this is W ← W − η (∂C/∂W + λ W))

The L2 weight decay adds (λ/2) Σ W² to the cost (weights only, not biases). Unlike
Nielsen's book, λ is *not* divided by the number of training examples: ``weight_decay=1e-4``
here matches Nielsen's λ = 6 on 60,000 examples, and PyTorch's ``weight_decay``.
"""

import contextlib
import math
import time
from dataclasses import dataclass, field

import numpy as np

from mnistnet.data import one_hot
from mnistnet.network import all_finite, as_generator
from mnistnet.threads import (ThreadChoice, blas_threads, blas_threads_restored, thread_choice,
                              use_blas_threads)


@dataclass
class History:
    """What happened during training, for plots and dashboards.

    Attributes
    ----------
    batch_costs : list of float
        The cost of each mini-batch, measured just before the step that learned from it.
    epoch_costs : list of float
        The mean of each finished epoch's mini-batch costs.
    test_accuracies : list of float
        Test accuracy after each finished epoch (empty without a test set).
    epoch_times : list of float
        Seconds spent training each epoch (not counting test evaluation and callbacks).
    blas_threads : list of int or None
        The BLAS thread count each epoch trained with (see ``mnistnet.threads``); None if,
        with ``blas_threads="measure"``, the epoch ended before the timing did.
    epochs_done : int
        Epochs finished.
    diverged : bool
        True if the cost stopped being finite and training stopped.
    stopped : bool
        True if training ended early: a stop request, a callback, or Ctrl-C.
    message : str
        What happened, in plain words.
    settings : dict
        The training settings (epochs, batch size, learning rate, …).
    """

    batch_costs: list = field(default_factory=list)
    epoch_costs: list = field(default_factory=list)
    test_accuracies: list = field(default_factory=list)
    epoch_times: list = field(default_factory=list)
    blas_threads: list = field(default_factory=list)
    epochs_done: int = 0
    diverged: bool = False
    stopped: bool = False
    message: str = ""
    settings: dict = field(default_factory=dict)


class Trainer:
    """Trains a network by mini-batch gradient descent, one mini-batch per ``step()``.

    Parameters
    ----------
    network : Network
        Trained in place.
    images : array_like, shape (n, sizes[0])
        Training inputs (float, or uint8 raw pixels: each mini-batch is converted as it is
        gathered, so the training set is never copied).
    labels : array_like of int, shape (n,)
        Training digits.
    epochs : int
        Passes over the training set.
    batch_size : int
        Examples per mini-batch (the last one of an epoch may be smaller).
    learning_rate : float
        η, the step size. It, ``momentum`` and ``weight_decay`` are read at every step, so
        a dashboard may change them during training.
    momentum : float, optional
        μ in [0, 1): how much of the previous step's velocity each step keeps.
    weight_decay : float, optional
        λ ≥ 0, the L2 penalty (see the module docstring: not divided by n).
    learning_rate_drops : sequence of (int, float), optional
        Steps down the learning rate: ``((11, 0.1),)`` multiplies it by 0.1 at the start of
        epoch 11. Big steps find the valley fast; small ones then settle into it.
    test_images, test_labels : array_like, optional
        A test (or validation) set evaluated after each epoch.
    rng : int, numpy.random.Generator or None
        Seed or generator for the shuffling.
    on_batch, on_epoch : callable, optional
        Called as ``on_batch(trainer)`` after each step and ``on_epoch(trainer)`` after each
        epoch; returning True stops training.
    progress : bool
        Show a progress bar per epoch (tqdm).
    blas_threads : "auto", "measure" or int
        How many threads numpy's matrix products may use (see ``mnistnet.threads``):
        ``"auto"`` by a fixed rule, so the same seed gives the same weights bit for bit;
        ``"measure"`` by timing steps with 1 and with all threads at each epoch's start,
        best on a busy machine (the last digits can then differ from run to run).
    """

    def __init__(self, network, images, labels, *, epochs, batch_size, learning_rate,
                 momentum=0.0, weight_decay=0.0, learning_rate_drops=(), test_images=None, test_labels=None, rng=0,
                 on_batch=None, on_epoch=None, progress=False, blas_threads="auto"):
        self.network = network
        self.images = _check_images(network, images, "images")
        self.labels = network.check_labels(labels, len(self.images))
        self.epochs = _check_count("epochs", epochs)
        self.batch_size = _check_count("batch_size", batch_size)
        self.learning_rate = check_number("learning_rate", learning_rate, low=0.0, strict=True)
        self.momentum = check_number("momentum", momentum, low=0.0, high=1.0)
        self.weight_decay = check_number("weight_decay", weight_decay, low=0.0)
        self.learning_rate_drops = _check_drops(learning_rate_drops)
        if (test_images is None) != (test_labels is None):
            raise ValueError("give both test_images and test_labels, or neither.")
        self.test_images = self.test_labels = None
        if test_images is not None:
            self.test_images = network.check_batch(test_images, "test accuracy")
            self.test_labels = network.check_labels(test_labels, len(self.test_images))
        self.rng = as_generator(rng)
        self.on_batch, self.on_epoch, self.progress = on_batch, on_epoch, progress

        self.targets = one_hot(self.labels, network.sizes[-1], network.dtype)  # (n, 10), once
        self.n_batches = math.ceil(len(self.images) / batch_size)
        self.epoch = 0            # the epoch under way, counting from 1
        self.batch = 0            # mini-batches done in this epoch
        self.done = False
        self.history = History(settings=dict(
            epochs=self.epochs, batch_size=self.batch_size, learning_rate=self.learning_rate,
            momentum=self.momentum, weight_decay=self.weight_decay,
            learning_rate_drops=[list(drop) for drop in self.learning_rate_drops],
            seed=rng if isinstance(rng, int) else None, n_train=len(self.images)))
        self._weight_velocities = [np.zeros_like(W) for W in network.weights]
        self._bias_velocities = [np.zeros_like(b) for b in network.biases]
        self._order = None
        self._epoch_costs = []
        self._epoch_time = 0.0
        self._snapshot = None
        self._bar = None
        self._stop_requested = False
        self._running = False
        self._threads = thread_choice(blas_threads, network.sizes, network.dtype, batch_size,
                                      self.n_batches)
        self._threads_in_use = None

    # --- the public controls ----------------------------------------------------------

    def step(self):
        """Train on one mini-batch. Returns False once training is over, True otherwise."""
        if self._running:              # inside run(): the settings below are already made
            return self._step()
        with self._settings():
            return self._step()

    def run(self):
        """Train until the last epoch (or a stop); returns the ``History``.

        Ctrl-C (KeyboardInterrupt) stops training and keeps the weights trained so far.
        """
        try:
            self.run_for(math.inf)
        except KeyboardInterrupt:
            self._finish(stopped=True, message=(
                f"Training was interrupted in epoch {self.epoch}; the network keeps the weights "
                "trained so far."))
        return self.history

    def run_for(self, seconds):
        """Train for about ``seconds`` (at least one mini-batch); False once training is over.

        What a dashboard calls between redraws. Cheaper than calling ``step()`` in a loop:
        numpy's settings for training (see ``_settings``) are made once, not at every step,
        which at small batches saves about a third of the time.
        """
        deadline = time.perf_counter() + seconds
        with self._settings():
            self._running = True
            try:
                going = self._step()
                while going and time.perf_counter() < deadline:
                    going = self._step()
            finally:
                self._running = False
        return going

    def request_stop(self):
        """Ask training to stop after the current mini-batch (safe to call from a callback)."""
        self._stop_requested = True

    # --- one epoch, one mini-batch --------------------------------------------------------

    @contextlib.contextmanager
    def _settings(self):
        """numpy's settings while training: quiet overflow, and BLAS threads set back after."""
        # A diverging run overflows before its cost turns non-finite; the divergence
        # message says so in plain words, so numpy's overflow warnings are silenced (a
        # warning from a dashboard's background training would land in a random cell).
        quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore")
        with quiet, blas_threads_restored():   # steps set the count ThreadChoice picks
            self._threads_in_use = None
            yield

    def _step(self):
        """``step`` itself: one mini-batch, then the end-of-epoch and stop bookkeeping."""
        if self.done:
            return False
        if self._stop_requested:
            return self._finish(stopped=True)
        if self.batch == 0:
            self._start_epoch()
        if not self._train_batch():
            return False
        wants_stop = self.on_batch is not None and self.on_batch(self)
        if self.batch == self.n_batches:
            if not self._end_epoch():
                return False
            epoch_wants_stop = self.on_epoch is not None and self.on_epoch(self)
            wants_stop = wants_stop or epoch_wants_stop      # on_epoch is called either way
            if self.epoch == self.epochs:
                return self._finish(stopped=False)
        if wants_stop or self._stop_requested:
            return self._finish(stopped=True)
        return True

    def _start_epoch(self):
        """Shuffle the training order and remember the weights, in case this epoch diverges."""
        self.epoch += 1
        for epoch, factor in self.learning_rate_drops:
            if epoch == self.epoch:
                self.learning_rate *= factor
        self._order = self.rng.permutation(len(self.images))
        self._threads.start_epoch()
        self._epoch_costs = []
        self._epoch_time = 0.0
        self._snapshot = ([W.copy() for W in self.network.weights],
                          [b.copy() for b in self.network.biases])
        if self.progress:
            from tqdm.auto import tqdm
            self._bar = tqdm(total=self.n_batches, desc=f"epoch {self.epoch}/{self.epochs}",
                             unit="batch", leave=True)

    def _train_batch(self):
        """Gather the next mini-batch, backpropagate, and step; False if the cost diverged."""
        threads = self._set_blas_threads()
        started = time.perf_counter()
        chosen = self._order[self.batch * self.batch_size:(self.batch + 1) * self.batch_size]
        # .take(chosen, axis=0) is images[chosen], with less overhead per call
        X = self.images.take(chosen, axis=0).astype(self.network.dtype, copy=False)  # (m, 784)
        Y = self.targets.take(chosen, axis=0)                                         # (m, 10)
        # Gradients come out already multiplied by η (the cheapest place to do it).
        cost, steps_w, steps_b = self.network._backprop(X, Y, scale=self.learning_rate)
        if not math.isfinite(cost):
            self._diverge(cost)
            return False
        self._descend(steps_w, steps_b)
        seconds = time.perf_counter() - started
        self._threads.record(threads, seconds)
        self.batch += 1
        self._epoch_time += seconds
        self._epoch_costs.append(cost)
        self.history.batch_costs.append(cost)
        if self._bar is not None:
            self._bar.update()
        return True

    def _set_blas_threads(self):
        """Give BLAS the thread count ``self._threads`` wants next; returns the count in force."""
        wanted = self._threads.next_threads()
        if wanted != self._threads_in_use:
            use_blas_threads(wanted)
            self._threads_in_use = blas_threads()
            if self._threads_in_use != wanted:
                # Another Python thread holds OpenBLAS's count (threadpoolctl lets one at a
                # time change it): train with the count in force, and record that one.
                self._threads = ThreadChoice([self._threads_in_use])
        return self._threads_in_use

    def _descend(self, steps_w, steps_b):
        """One step downhill for every layer: v ← μv − η(∂C/∂W + λW), W ← W + v.

        ``steps_w[l-1]`` and ``steps_b[l-1]`` are η ∂C/∂W^(l) and η ∂C/∂b^(l).
        """
        net, decay = self.network, self.learning_rate * self.weight_decay
        for W, eta_dW, v in zip(net.weights, steps_w, self._weight_velocities):
            if decay:
                eta_dW += decay * W                # η λ W, the L2 term's share
            _move(W, eta_dW, v, self.momentum)
        for b, eta_db, v in zip(net.biases, steps_b, self._bias_velocities):
            _move(b, eta_db, v, self.momentum)

    def _end_epoch(self):
        """Record the epoch's cost, time and test accuracy; False if the weights broke."""
        history = self.history
        if not all(np.isfinite(W).all() for W in self.network.weights):
            self._diverge(float("nan"))
            return False
        history.epoch_costs.append(float(np.mean(self._epoch_costs)))
        history.epoch_times.append(self._epoch_time)
        history.blas_threads.append(self._threads.chosen)
        history.epochs_done = self.epoch
        if self.test_images is not None:
            predictions = self.network._predict(self.test_images)   # checked once, in __init__
            history.test_accuracies.append(float((predictions == self.test_labels).mean()))
        if self._bar is not None:
            postfix = {"cost": f"{history.epoch_costs[-1]:.4f}"}
            if history.test_accuracies:
                postfix["test accuracy"] = f"{history.test_accuracies[-1]:.4f}"
            self._bar.set_postfix(postfix)
            self._bar.close()
            self._bar = None
        self.batch = 0
        return True

    def _diverge(self, cost):
        """Stop, put back the weights from the start of this epoch, and say what happened."""
        for W, saved in zip(self.network.weights, self._snapshot[0]):
            W[...] = saved
        for b, saved in zip(self.network.biases, self._snapshot[1]):
            b[...] = saved
        self.history.diverged = True
        self._finish(stopped=False, message=(
            f"Training diverged in epoch {self.epoch}: the cost became {cost} (too large to "
            f"compute), so training stopped. The weights were put back to where they were at "
            f"the start of epoch {self.epoch}. Try a smaller learning rate than "
            f"{self.learning_rate:g}, for example {self.learning_rate / 10:g}."))

    def _finish(self, *, stopped, message=None):
        """Mark training over; returns False so ``step`` can ``return self._finish(...)``."""
        history = self.history
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self.done = True
        history.stopped = stopped
        if message is None:
            done = f"{history.epochs_done} epoch{'s' * (history.epochs_done != 1)}"
            seconds = sum(history.epoch_times)
            message = (f"Stopped on request after {done} and {self.batch} more mini-batches."
                       if stopped else f"Trained {done} in {seconds:.3g} s.")
        history.message = message
        return False


def train(network, images, labels, *, epochs, batch_size, learning_rate, momentum=0.0,
          weight_decay=0.0, learning_rate_drops=(), test_images=None, test_labels=None, rng=0,
          on_batch=None, on_epoch=None, progress=False, blas_threads="auto"):
    """Train ``network`` in place by mini-batch gradient descent; returns the ``History``.

    The parameters are those of ``Trainer``; this is ``Trainer(...).run()``.
    """
    return Trainer(network, images, labels, epochs=epochs, batch_size=batch_size,
                   learning_rate=learning_rate, momentum=momentum, weight_decay=weight_decay,
                   learning_rate_drops=learning_rate_drops, test_images=test_images,
                   test_labels=test_labels, rng=rng, on_batch=on_batch, on_epoch=on_epoch,
                   progress=progress, blas_threads=blas_threads).run()


def drops_words(learning_rate_drops, epochs):
    """' (× 0.1 from epoch 8)' for each learning-rate drop that comes within ``epochs``."""
    return "".join(f" (× {factor:g} from epoch {epoch})"
                   for epoch, factor in learning_rate_drops if epoch <= epochs)


def _move(param, eta_grad, velocity, mu):
    """Move one parameter array in place, given ``eta_grad`` = η ∂C/∂W, with momentum μ."""
    if mu:
        velocity *= mu
        velocity -= eta_grad                   # v ← μv − η∂C/∂W
        param += velocity                      # W ← W + v
    else:
        param -= eta_grad                      # W ← W − η∂C/∂W


def _check_images(network, images, name):
    """The training images as an array (not copied), checked once for shape and values."""
    images = np.asarray(images)
    if images.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {images.dtype}.")
    if images.ndim != 2 or images.shape[1] != network.sizes[0]:
        raise ValueError(
            f"{name} must have shape (n, {network.sizes[0]}), got {images.shape}. "
            "For 28x28 images use images.reshape(len(images), -1).")
    if len(images) == 0:
        raise ValueError(f"{name} is empty: training needs at least one example.")
    if images.dtype.kind == "f" and not all_finite(images):
        raise ValueError(f"{name} must contain finite numbers, got NaN or infinity.")
    return images


def _check_drops(drops):
    """``learning_rate_drops`` as a tuple of (epoch, factor) pairs, or an explanation."""
    try:
        drops = tuple((int(epoch), float(factor)) for epoch, factor in drops)
    except (TypeError, ValueError):
        raise ValueError(f"learning_rate_drops must be (epoch, factor) pairs such as "
                         f"((11, 0.1),), got {drops!r}.") from None
    for epoch, factor in drops:
        if epoch < 1 or not 0 < factor:
            raise ValueError(f"each learning-rate drop needs an epoch >= 1 and a factor > 0, "
                             f"got ({epoch}, {factor:g}).")
    return drops


def _check_count(name, value):
    """A positive whole number, or an explanation."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}.")
    return int(value)


def check_number(name, value, *, low, high=None, strict=False):
    """A finite float in [low, high) (or (low, …) when strict), or an explanation.

    The Trainer checks its settings with it; the training dashboard, its starting values.
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}.") from None
    too_low = value <= low if strict else value < low
    if not math.isfinite(value) or too_low or (high is not None and value >= high):
        bounds = f"{'>' if strict else '>='} {low:g}" + (f" and < {high:g}" if high else "")
        raise ValueError(f"{name} must be {bounds}, got {value!r}.")
    return value

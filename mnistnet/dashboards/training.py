"""The training dashboard: choose the settings, click Retrain, watch the network learn.

>>> dashboard = training_dashboard(data)      # in a notebook cell; the cell shows it
>>> dashboard                                  # (or display(dashboard))

How it stays responsive: Retrain starts an asyncio task on the notebook's own event loop. The
task trains for at most ``CHUNK_SECONDS`` and then pauses for ``PAUSE_SECONDS``; during the
pause the notebook handles clicks and slider moves, so Stop takes effect within about a
tenth of a second. The plot is redrawn at most every ``REDRAW_SECONDS``, because drawing it
costs about as much time as training a chunk.

The settings are read once, when Retrain is clicked: moving a slider during a run changes
the next run, never the current one. Each run is kept in ``dashboard.runs`` and shown, faded,
next to the newer ones and in a table.

For tests and curious learners, the dashboard is a ``widgets.VBox`` with these attributes:
``controls`` (label -> widget), ``retrain_button``, ``stop_button``, ``status`` (an HTML
widget), ``plot`` (a ``FigureImage``: ``.figure`` and ``.widget``), ``runs`` (list of ``Run``),
``history`` and ``network`` (of the latest run), ``task`` (the asyncio task of the run under
way, or the last one) and ``errors`` (an ``ErrorLog``).
"""

import asyncio
import html
import math
import re
import time
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from mnistnet.activations import ACTIVATIONS
from mnistnet.costs import COSTS
from mnistnet.dashboards.common import ErrorLog, FigureImage, label_style
from mnistnet.network import INITS, Network
from mnistnet.plots import (
    plot_accuracy, plot_history, update_accuracy_line, update_history_lines)
from mnistnet.train import Trainer, check_number, drops_words

CHUNK_SECONDS = 0.1     # train at most this long before letting the notebook handle clicks
PAUSE_SECONDS = 0.005   # the pause; sleep(0) would make clicks wait several chunks
REDRAW_SECONDS = 0.25   # redraw the plot at most 4 times a second, and spend at most a third
                        # of the time drawing (a busy machine can take 0.3 s per drawing)
EARLIER_RUNS_SHOWN = 4  # faded curves of this many earlier runs
RUN_COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown",
              "tab:pink", "tab:olive", "tab:cyan", "tab:red", "tab:gray"]

DEFAULTS = dict(hidden_layers=(16, 16), learning_rate=3.0, batch_size=10, epochs=5,
                activation="sigmoid", cost="quadratic", init="xavier", n_train=5000,
                momentum=0.0, weight_decay=0.0, raw_pixels=False, drop_epoch=None)
DROP_FACTOR = 0.1       # the "smaller steps from epoch" control multiplies η by this
BATCH_SIZES = [1, 2, 5, 10, 20, 32, 50, 64, 100, 128, 256, 512, 1000]
WEIGHT_DECAYS = [0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3]
TRAINING_EXAMPLES = [500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000]


@dataclass
class Run:
    """One click of Retrain: its settings, its network, what happened."""

    number: int
    settings: dict
    network: Network = None
    history: object = None
    seconds: float = 0.0
    outcome: str = "running"   # running, finished, stopped, diverged or failed
    color: str = "tab:blue"
    notes: list = field(default_factory=list)


def training_dashboard(data=None, *, preset=None, seed=0, test_examples=None, **settings):
    """Build the training dashboard: sliders, Retrain and Stop, a live plot, earlier runs.

    Parameters
    ----------
    data : MNIST, optional
        What ``load_mnist()`` returns (the default, loaded when the dashboard is built):
        anything with ``train_images (n, 784)``, ``train_labels``, ``test_images`` and
        ``test_labels``.
    preset : dict or preset object, optional
        Starting values of the controls, e.g. ``mnistnet.presets.VIDEOS``.
    seed : int
        Seed of every run's initial weights and shuffling, so two runs with the same
        settings give the same curves and differences come from the settings.
    test_examples : int, optional
        Evaluate on the first this many test images (default: all of them).
    **settings
        Starting values that override the preset: ``hidden_layers`` (tuple of int),
        ``learning_rate``, ``batch_size``, ``epochs``, ``activation``, ``cost``, ``init``,
        ``n_train`` (training examples), ``momentum``, ``weight_decay``, ``raw_pixels``,
        ``drop_epoch`` (the epoch from which η is multiplied by 0.1; None: never).

    Returns
    -------
    TrainingDashboard
        A widget; a notebook cell that ends with it shows it.
    """
    if data is None:
        from mnistnet.data import load_mnist
        data = load_mnist()
    return TrainingDashboard(data, starting_settings(preset, settings), seed=seed,
                             test_examples=test_examples)


def starting_settings(preset, overrides):
    """The controls' first values: the defaults, then the preset, then keyword overrides."""
    chosen = dict(DEFAULTS)
    for source in (_preset_dict(preset), overrides):
        for name, value in source.items():
            if name == "sizes":
                chosen["hidden_layers"] = tuple(value[1:-1])
            elif name == "learning_rate_drops":
                chosen["drop_epoch"] = _drop_epoch(value)
            elif name in ("training_examples", "n_examples"):
                chosen["n_train"] = value
            elif name in DEFAULTS:
                chosen[name] = value
            elif source is overrides:
                raise TypeError(f"training_dashboard() got an unknown setting {name!r}; "
                                f"known ones are {', '.join(DEFAULTS)}.")
    _check_starting_values(chosen)
    return chosen


def _check_starting_values(s):
    """The values the sliders cannot show or the Trainer would refuse, explained up front."""
    check_number("learning_rate", s["learning_rate"], low=0.0, strict=True)   # as Trainer does
    check_number("momentum", s["momentum"], low=0.0, high=1.0)
    if s["drop_epoch"] is not None and not s["drop_epoch"] >= 1:
        raise ValueError(f"drop_epoch must be an epoch >= 1, or None for no drop, got "
                         f"{s['drop_epoch']!r}.")


def _drop_epoch(learning_rate_drops):
    """The epoch of a preset's single ×0.1 drop (None for no drop), which the control shows."""
    drops = tuple(learning_rate_drops)
    if not drops:
        return None
    if len(drops) > 1 or drops[0][1] != DROP_FACTOR:
        raise ValueError(f"the dashboard can show one learning-rate drop by {DROP_FACTOR:g}, "
                         f"got learning_rate_drops={drops!r}.")
    return int(drops[0][0])


def _preset_dict(preset):
    if preset is None:
        return {}
    if isinstance(preset, dict):
        return preset
    if hasattr(preset, "_asdict"):
        return preset._asdict()
    if hasattr(preset, "__dataclass_fields__"):
        return {name: getattr(preset, name) for name in preset.__dataclass_fields__}
    return vars(preset)


class TrainingDashboard(widgets.VBox):
    """The training dashboard widget (build it with ``training_dashboard``)."""

    def __init__(self, data, settings, *, seed=0, test_examples=None):
        self.data = data
        self.seed = seed
        self.test_examples = test_examples
        self.errors = ErrorLog()
        self.controls = self._make_controls(settings, len(data.train_images))
        self.retrain_button = widgets.Button(description="Retrain", button_style="primary",
                                             icon="play", tooltip="Train a new network")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True,
                                          tooltip="Stop training after this mini-batch")
        self.status = widgets.HTML("Choose the settings and click <b>Retrain</b>.")
        self.status.add_class("mnistnet-status")
        self.plot = FigureImage(9.6, 3.3, layout=None)   # a fixed layout draws twice as fast
        self.table = widgets.HTML()
        self.runs = []
        self.task = None
        self._trainer = None
        self.retrain_button.on_click(self.errors.guard(self._on_retrain))
        self.stop_button.on_click(self.errors.guard(self._on_stop))
        self._draw_axes()
        self.plot.show()
        # align_items: keep the plot at its own size (a column stretches items to its width)
        super().__init__(self._layout(),
                         layout=widgets.Layout(width="100%", align_items="flex-start"))
        self.add_class("mnistnet-training-dashboard")   # for the browser test to find it

    # --- what tests and curious learners read --------------------------------------------

    @property
    def history(self):
        """The ``History`` of the latest run (None before the first)."""
        return self.runs[-1].history if self.runs else None

    @property
    def network(self):
        """The network of the latest run (None before the first)."""
        return self.runs[-1].network if self.runs else None

    @property
    def running(self):
        """True while a run is under way."""
        return self.task is not None and not self.task.done()

    # --- building the widgets ---------------------------------------------------------------

    def _make_controls(self, s, n_available):
        style = label_style()
        wide = widgets.Layout(width="25em")
        examples = sorted({n for n in TRAINING_EXAMPLES if n < n_available} | {n_available})
        n_train = min(examples, key=lambda n: abs(n - min(s["n_train"], n_available)))
        controls = [
            widgets.Text(", ".join(map(str, s["hidden_layers"])), description="hidden layers",
                         placeholder="e.g. 16, 16   (empty: no hidden layer)",
                         tooltip="Neurons in each hidden layer, separated by commas"),
            widgets.FloatLogSlider(s["learning_rate"], base=10, step=0.1,
                                   # 10^-3 … 10^2, wider if the starting value is outside
                                   min=min(-3, math.floor(math.log10(s["learning_rate"]))),
                                   max=max(2, math.ceil(math.log10(s["learning_rate"]))),
                                   description="learning rate", readout_format=".3g"),
            widgets.SelectionSlider(options=sorted(set(BATCH_SIZES) | {s["batch_size"]}),
                                    value=s["batch_size"], description="batch size"),
            widgets.IntSlider(s["epochs"], min=1, max=max(50, s["epochs"]), description="epochs"),
            widgets.Dropdown(options=drop_options(max(50, s["epochs"], s["drop_epoch"] or 0)),
                             value=s["drop_epoch"],
                             description="η × 0.1 from",
                             tooltip="Smaller steps for the last epochs: the learning rate "
                                     "is multiplied by 0.1 from this epoch on"),
            widgets.Dropdown(options=list(ACTIVATIONS), value=s["activation"],
                             description="activation"),
            widgets.Dropdown(options=list(COSTS), value=s["cost"], description="cost"),
            widgets.Dropdown(options=list(INITS), value=s["init"], description="initialisation"),
            widgets.SelectionSlider(options=examples, value=n_train,
                                    description="training examples"),
            widgets.FloatSlider(s["momentum"], min=0.0, max=max(0.99, s["momentum"]), step=0.01,
                                description="momentum", readout_format=".3g"),
            widgets.SelectionSlider(options=sorted(set(WEIGHT_DECAYS) | {s["weight_decay"]}),
                                    value=s["weight_decay"], description="weight decay"),
            widgets.Dropdown(options=[("scaled to 0-1", False), ("raw 0-255", True)],
                             value=bool(s["raw_pixels"]), description="pixels"),
        ]
        for control in controls:
            control.style = style
            control.layout = wide
        return {control.description: control for control in controls}

    def _layout(self):
        c = self.controls
        left = widgets.VBox([c[name] for name in ("hidden layers", "learning rate", "η × 0.1 from",
                                                  "batch size", "epochs", "training examples")])
        right = widgets.VBox([c[name] for name in ("activation", "cost", "initialisation",
                                                   "momentum", "weight decay", "pixels")])
        buttons = widgets.HBox([self.retrain_button, self.stop_button])
        return [widgets.HBox([left, right]), buttons, self.status, self.plot.widget,
                self.table, self.errors.output]

    # --- reading the settings ------------------------------------------------------------

    def read_settings(self):
        """The controls' values as the settings of one run (read once per Retrain)."""
        c = self.controls
        return dict(
            hidden_layers=parse_hidden_layers(c["hidden layers"].value),
            learning_rate=float(c["learning rate"].value),
            batch_size=int(c["batch size"].value),
            epochs=int(c["epochs"].value),
            activation=c["activation"].value,
            cost=c["cost"].value,
            init=c["initialisation"].value,
            n_train=int(c["training examples"].value),
            momentum=float(c["momentum"].value),
            weight_decay=float(c["weight decay"].value),
            raw_pixels=bool(c["pixels"].value),
            drop_epoch=c["η × 0.1 from"].value,
        )

    # --- the buttons -------------------------------------------------------------------------

    def _on_retrain(self, _button=None):
        if self.running:      # a second click while training: ignore it
            return
        try:
            settings = self.read_settings()
        except ValueError as problem:
            self.status.value = _warning(str(problem))
            return
        run = Run(len(self.runs) + 1, settings, color=RUN_COLORS[len(self.runs) % 10])
        self.runs.append(run)
        self._set_running(True)
        self._show_table()
        coroutine = self._train(run)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:   # no event loop (a plain script): train right here
            asyncio.run(coroutine)
            return
        self.task = loop.create_task(coroutine)

    def _on_stop(self, _button=None):
        if self._trainer is not None and self.running:
            self._trainer.request_stop()
            self.status.value = "Stopping…"

    def _set_running(self, running):
        self.retrain_button.disabled = running
        self.stop_button.disabled = not running

    # --- training, in chunks ----------------------------------------------------------------

    async def _train(self, run):
        """Train ``run`` in short chunks, then show how it ended; errors go to the log."""
        started = time.perf_counter()
        try:
            await self._train_in_chunks(run, started)
            run.outcome = _outcome(run.history)
        except Exception:
            run.outcome = "failed"
            self.errors.report(f"Run {run.number} failed:")
            self.status.value = _warning(f"Run {run.number} failed: see the error below.")
        finally:
            run.seconds = time.perf_counter() - started
            self._trainer = None
            try:
                if run.outcome != "failed":
                    self._show_progress(run)
            except Exception:
                self.errors.report("Showing the end of the run failed:")
            finally:
                self._set_running(False)
                self._show_table()   # last: a finished row means everything is shown

    async def _train_in_chunks(self, run, started):
        """Train for ``CHUNK_SECONDS`` at a time, pausing so clicks get through."""
        self._trainer = trainer = self._make_trainer(run)
        self._start_plot(run)
        last_draw = time.perf_counter()
        while trainer.run_for(CHUNK_SECONDS):
            run.seconds = time.perf_counter() - started
            wait = max(REDRAW_SECONDS, 2 * self.plot.render_seconds)
            if time.perf_counter() - last_draw > wait:
                self._show_progress(run)
                last_draw = time.perf_counter()
            await asyncio.sleep(PAUSE_SECONDS)

    def _make_trainer(self, run):
        s = run.settings
        n_test = self.test_examples or len(self.data.test_images)
        X = pixels(self.data.train_images[:s["n_train"]], s["raw_pixels"])    # (n, 784)
        X_test = pixels(self.data.test_images[:n_test], s["raw_pixels"])
        run.network = Network([X.shape[1], *s["hidden_layers"], 10], activation=s["activation"],
                              cost=s["cost"], init=s["init"], rng=self.seed)
        trainer = Trainer(run.network, X, self.data.train_labels[:s["n_train"]],
                          epochs=s["epochs"], batch_size=s["batch_size"],
                          learning_rate=s["learning_rate"], momentum=s["momentum"],
                          weight_decay=s["weight_decay"],
                          learning_rate_drops=learning_rate_drops(s),
                          rng=self.seed, test_images=X_test,
                          test_labels=self.data.test_labels[:n_test],
                          blas_threads="measure")   # right even while the browser is busy
        run.history = trainer.history
        return trainer

    # --- showing progress -------------------------------------------------------------------

    def _draw_axes(self):
        """Empty cost and accuracy axes, with the earlier runs faded in."""
        self.plot.clear()
        self.cost_ax, self.accuracy_ax = self.plot.figure.subplots(1, 2)
        self.plot.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.9, wspace=0.22)
        for run in self.runs[:-1][-EARLIER_RUNS_SHOWN:]:
            if run.history is not None:
                plot_history(self.cost_ax, run.history, color=run.color, faded=True,
                             batches=False)
                plot_accuracy(self.accuracy_ax, run.history, color=run.color, faded=True,
                              label=f"run {run.number}")
        self.cost_ax.set(xlabel="epoch", ylabel="cost", title="cost (lower is better)")
        self.accuracy_ax.set(xlabel="epoch", ylabel="test accuracy (%)",
                             title="test accuracy (higher is better)")

    def _start_plot(self, run):
        self._draw_axes()
        self.cost_lines = plot_history(self.cost_ax, run.history, color=run.color)
        self.accuracy_line = plot_accuracy(self.accuracy_ax, run.history, color=run.color,
                                           label=f"run {run.number} (this one)")
        self.cost_ax.legend(loc="upper right", fontsize=8)
        self.accuracy_ax.legend(loc="lower right", fontsize=8)
        self.plot.show()

    def _show_progress(self, run):
        """Update the status line and move the curves to the latest numbers."""
        self.status.value = status_text(run, self._trainer)
        update_history_lines(self.cost_lines, run.history)
        update_accuracy_line(self.accuracy_line, run.history)
        self.plot.show()

    def _show_table(self):
        self.table.value = runs_table(self.runs)


def pixels(images, raw):
    """The images as raw 0-255 pixels (uint8) or scaled to [0, 1], whichever they are now."""
    is_raw = images.dtype == np.uint8
    if raw and not is_raw:
        return np.rint(images * 255).astype(np.uint8)
    if is_raw and not raw:
        return (images / np.float32(255)).astype(np.float32)
    return images


def drop_options(max_epoch):
    """The choices of the "η × 0.1 from" menu: never, or an epoch (1: all of training)."""
    return [("never", None)] + [(f"epoch {epoch}", epoch) for epoch in range(1, max_epoch + 1)]


def learning_rate_drops(s):
    """The run's ``learning_rate_drops`` for the Trainer: ((epoch, 0.1),) or ()."""
    return () if s["drop_epoch"] is None else ((s["drop_epoch"], DROP_FACTOR),)


def _outcome(history):
    if history.diverged:
        return "diverged"
    return "stopped" if history.stopped else "finished"


def parse_hidden_layers(text):
    """'16, 16' -> (16, 16); an empty text means no hidden layer."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if not all(p.isdigit() and 1 <= int(p) <= 2000 for p in parts):
        raise ValueError(f"hidden layers should be whole numbers from 1 to 2000 separated by "
                         f"commas, like 16, 16 — got '{text}'.")
    return tuple(int(p) for p in parts)


# --- words and tables (formatting only) ------------------------------------------------------

def status_text(run, trainer=None):
    """One line: run, epoch, cost, accuracy, time; or the message of how the run ended."""
    h, s = run.history, run.settings
    if trainer is not None:
        progress = f"epoch {trainer.epoch} of {s['epochs']}"
    else:
        progress = f"{h.epochs_done} of {s['epochs']} epochs done"
    parts = [f"<b>Run {run.number}</b>", progress]
    if h.batch_costs:
        parts.append(f"cost {h.batch_costs[-1]:.4f}")
    if h.test_accuracies:
        parts.append(f"test accuracy {100 * h.test_accuracies[-1]:.2f} %")
    parts.append(f"{run.seconds:.1f} s")
    line = " · ".join(parts)
    if run.outcome == "running":
        return line + " · training…"
    if run.outcome == "diverged":
        return line + "<br>" + _warning(h.message)
    return line + f"<br>{html.escape(h.message)}"


def _warning(text):
    return f"<span style='color:#b00020'><b>{html.escape(text)}</b></span>"


CELL = "padding:2px 10px; text-align:left"
HEADER_CELL = CELL + "; white-space:nowrap; border-bottom:1px solid #999"


def runs_table(runs):
    """An HTML table of every run, newest first, so settings and results can be compared."""
    head = ("run", "network", "training", "test accuracy", "time", "result")
    rows = []
    for run in reversed(runs):
        h = run.history
        accuracy = f"{100 * h.test_accuracies[-1]:.2f} %" if h and h.test_accuracies else "–"
        cells = (f"<span style='color:{_css(run.color)}'>■</span> {run.number}",
                 network_words(run.settings), training_words(run.settings, h), accuracy,
                 f"{run.seconds:.1f} s", run.outcome)
        rows.append("".join(f"<td style='{CELL}'>{cell}</td>" for cell in cells))
    header = "".join(f"<th style='{HEADER_CELL}'>{name}</th>" for name in head)
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return (f"<table class='mnistnet-runs' style='font-size:90%; border-collapse:collapse'>"
            f"<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>")


def network_words(s):
    """'784-16-16-10 sigmoid, quadratic cost, xavier init'"""
    sizes = "-".join(map(str, (784, *s["hidden_layers"], 10)))
    return f"{sizes} {s['activation']}, {s['cost']} cost, {s['init']} init"


def training_words(s, history=None):
    """'learning rate 3 · batch 10 · 5 of 5 epochs · 5,000 examples', plus any extras."""
    done = history.epochs_done if history is not None else 0
    rate = (f"learning rate {s['learning_rate']:.3g}"
            + drops_words(learning_rate_drops(s), s["epochs"]))
    words = [rate, f"batch {s['batch_size']}", f"{done} of {s['epochs']} epochs",
             f"{s['n_train']:,} examples"]
    if s["momentum"]:
        words.append(f"momentum {s['momentum']:g}")
    if s["weight_decay"]:
        words.append(f"weight decay {s['weight_decay']:g}")
    if s["raw_pixels"]:
        words.append("raw pixels")
    return " · ".join(words)


def _css(matplotlib_color):
    from matplotlib.colors import to_hex
    return to_hex(matplotlib_color)

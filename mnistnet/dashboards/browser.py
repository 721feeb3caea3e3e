"""The digit browser: look through the digits one by one, and at what a network guesses.

>>> digit_browser(data.test_images, data.test_labels)            # lesson 1
>>> digit_browser(data.test_images, data.test_labels, network)   # with guesses

Pick a digit class (or "any") and move the ``example`` slider; with a network, tick
``only mistakes`` to see just the digits it gets wrong. The returned ``DigitBrowser`` (a
``widgets.VBox``) has ``digit``, ``example`` and ``only_mistakes`` controls, ``shown`` (the
indices the slider walks through), ``index`` (the image shown) and ``plot``.
"""

import ipywidgets as widgets
import numpy as np

from mnistnet.dashboards.common import ErrorLog, FigureImage, label_style
from mnistnet.plots import plot_digit, plot_output_activations


def digit_browser(images, labels, network=None):
    """Build a browser of digits with their labels and, given a network, its guesses.

    Parameters
    ----------
    images : array, shape (n, 784)
    labels : array of int, shape (n,)
    network : Network, optional

    Returns
    -------
    DigitBrowser
        A widget; a notebook cell that ends with it shows it.
    """
    return DigitBrowser(images, labels, network)


class DigitBrowser(widgets.VBox):
    """Browse digits by class and index; see the network's output activations for each."""

    def __init__(self, images, labels, network=None):
        self.images = np.asarray(images).reshape(len(images), -1)
        self.labels = np.asarray(labels).astype(int)
        if len(self.labels) != len(self.images):
            raise ValueError(f"need one label per image: {len(self.images)} images, "
                             f"{len(self.labels)} labels.")
        self.network = network
        self.outputs = None if network is None else network.forward(self.images)   # (n, 10)
        self.guesses = None if network is None else self.outputs.argmax(axis=1)     # (n,)
        self.errors = ErrorLog()
        style = label_style("6em")
        self.digit = widgets.Dropdown(options=[("any", None)] + [(str(d), d) for d in range(10)],
                                      description="digit", style=style)
        self.example = widgets.IntSlider(0, min=0, max=len(self.images) - 1,
                                         description="example", style=style,
                                         layout=widgets.Layout(width="30em"))
        self.only_mistakes = widgets.Checkbox(False, description="only mistakes",
                                              disabled=network is None, indent=False)
        self.caption = widgets.HTML()
        self.plot = FigureImage(7.5 if network is not None else 2.6, 2.8)
        for control in (self.digit, self.only_mistakes):
            control.observe(self.errors.guard(self._choose_digits), names="value")
        self.example.observe(self.errors.guard(self._show), names="value")
        controls = [self.digit, self.example] + ([self.only_mistakes] if network else [])
        # align_items: a column stretches its items to full width (a 250-pixel digit 4x).
        super().__init__([widgets.HBox(controls), self.caption, self.plot.widget,
                          self.errors.output], layout=widgets.Layout(align_items="flex-start"))
        self.add_class("mnistnet-digit-browser")   # for the browser test to find it
        self.caption.add_class("mnistnet-caption")
        self._choose_digits()

    @property
    def index(self):
        """The index (into ``images``) of the digit on show, or None if none matches."""
        return int(self.shown[self.example.value]) if len(self.shown) else None

    def _choose_digits(self, _change=None):
        """Restrict the slider to the chosen class (and to mistakes, if ticked)."""
        keep = np.ones(len(self.labels), dtype=bool)
        if self.digit.value is not None:
            keep &= self.labels == self.digit.value
        if self.only_mistakes.value and self.guesses is not None:
            keep &= self.guesses != self.labels
        self.shown = np.flatnonzero(keep)
        moves = self.example.value != 0   # moving the slider redraws by itself
        with self.example.hold_trait_notifications():
            self.example.value = 0
            self.example.max = max(0, len(self.shown) - 1)
        if not moves:
            self._show()

    def _show(self, _change=None):
        """Draw the digit on show and, with a network, its output activations."""
        self.plot.clear()
        if self.index is None:
            self.caption.value = "No digit matches these choices."
            self.plot.show()
            return
        i = self.index
        axes = self.plot.figure.subplots(1, 2 if self.network is not None else 1,
                                         width_ratios=[1, 1.8] if self.network else None,
                                         squeeze=False)[0]
        plot_digit(axes[0], self.images[i], title=f"label: {self.labels[i]}")
        caption = f"image #{i} of {len(self.images):,} · {len(self.shown):,} to browse"
        if self.network is not None:
            plot_output_activations(axes[1], self.outputs[i], label=self.labels[i])
            verdict = "right" if self.guesses[i] == self.labels[i] else "<b>wrong</b>"
            caption += f" · the network guesses {self.guesses[i]} ({verdict})"
        self.caption.value = caption
        self.plot.show()

"""Pieces every dashboard shares: a matplotlib figure shown as a picture, and an error log.

Figures are drawn with matplotlib off screen and shown in a ``widgets.Image`` as a PNG. That
works the same from a button callback, from a background training task and in a test, and
it never leaves stray figures in the notebook.

Errors inside a callback would otherwise vanish (ipywidgets only logs them to the browser's
console), so every callback is wrapped by ``ErrorLog.guard``, which writes the traceback into
an ``Output`` the learner sees. It uses ``append_stderr``, not ``with output:``, because the
context manager silently drops everything when used from a background task.

``guard`` also runs one dashboard's callbacks one at a time. JupyterLab 4 with ipykernel 7
may hand widget events to a second kernel thread (comms over subshells) while the first is
still busy, and two redraws of one matplotlib figure at the same moment break its layout.
"""

import functools
import io
import threading
import time
import traceback

import ipywidgets as widgets
from matplotlib.figure import Figure

DPI = 96


class FigureImage:
    """A matplotlib ``Figure`` and the ``widgets.Image`` that shows it.

    Draw on ``self.figure`` (or its axes) as usual, then call ``show()`` to update the
    picture in the notebook.
    """

    def __init__(self, width, height, dpi=DPI, layout="constrained"):
        self.figure = Figure(figsize=(width, height), dpi=dpi, layout=layout)
        self.widget = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.render_seconds = 0.0   # how long the last show() took

    def clear(self):
        """Remove everything drawn so far."""
        self.figure.clear()

    def show(self):
        """Render the figure to PNG and put it in the widget."""
        started = time.perf_counter()
        self.widget.value = figure_to_png(self.figure)
        self.render_seconds = time.perf_counter() - started


def figure_to_png(figure, dpi=DPI):
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class ErrorLog:
    """An ``Output`` area that shows the tracebacks of failed callbacks; one per dashboard.

    Attributes
    ----------
    output : widgets.Output
        Put it in the dashboard's layout; it takes no space while empty.
    """

    def __init__(self):
        self.output = widgets.Output(layout=widgets.Layout(max_height="20em", overflow="auto"))
        self.output.add_class("mnistnet-errors")
        self._one_at_a_time = threading.RLock()   # re-entrant: a callback may set a widget

    def guard(self, callback):
        """Wrap ``callback`` so it runs one at a time and an exception is shown, not lost."""

        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            with self._one_at_a_time:
                try:
                    return callback(*args, **kwargs)
                except Exception:
                    self.report()
                    return None

        return guarded

    def report(self, note=None):
        """Show the exception being handled (call it inside an ``except`` block)."""
        text = traceback.format_exc()
        if note:
            text = f"{note}\n{text}"
        self.output.append_stderr(text)

    @property
    def text(self):
        """Everything shown so far, as one string (for tests)."""
        return "".join(item.get("text", "") for item in self.output.outputs)


def label_style(width="9.5em"):
    """Slider style with room for readable labels like ``training examples``."""
    return {"description_width": width}

"""Draw a digit: hold the mouse button down (or a finger) to write; see the network's guess.

>>> draw_a_digit(network)

The drawing is kept twice: on the canvas the learner sees (an ``ipycanvas.Canvas``) and as a
numpy array in the kernel (``DrawADigit.drawing``, ink = 1), into which every stroke is drawn
with the same round pen. When the mouse button is released, the array goes through
``center_digit`` (fit into 20x20, centre of mass at the middle of 28x28: how MNIST's digits
were made) and the network's output activations are shown. Keeping our own copy means no
waiting for the browser to send pixels back.

The returned ``DrawADigit`` (a ``widgets.VBox``) has ``canvas``, ``clear_button``,
``drawing`` (the big picture), ``digit`` (the 28x28 the network saw, or None), ``guess``
and ``plot``.
"""

import ipywidgets as widgets
import numpy as np
from ipycanvas import Canvas

from mnistnet.dashboards.common import ErrorLog, FigureImage
from mnistnet.plots import plot_digit, plot_output_activations
from mnistnet.preprocess import center_digit

CANVAS_SIZE = 280   # pixels: ten canvas pixels per MNIST pixel
PEN_WIDTH = 22      # MNIST strokes are 2-3 pixels wide in a 20-pixel-high digit
PROMPT = "<b>Draw a digit</b> in the box: hold the mouse button down (or a finger) and write."


def draw_a_digit(network):
    """Build the drawing pad: draw with the mouse, see the network's guess.

    Parameters
    ----------
    network : Network
        A trained network with 784 inputs and 10 outputs.

    Returns
    -------
    DrawADigit
        A widget; a notebook cell that ends with it shows it.
    """
    return DrawADigit(network)


class DrawADigit(widgets.VBox):
    """A canvas to draw on, a Clear button, and the network's guess for the drawing."""

    def __init__(self, network):
        if network.sizes[0] != 784 or network.sizes[-1] != 10:
            raise ValueError(f"draw_a_digit needs a network with 784 inputs and 10 outputs, "
                             f"got sizes {network.sizes}.")
        self.network = network
        self.errors = ErrorLog()
        self.canvas = Canvas(width=CANVAS_SIZE, height=CANVAS_SIZE,
                             layout=widgets.Layout(border="2px solid #888",
                                                   width=f"{CANVAS_SIZE + 4}px",
                                                   height=f"{CANVAS_SIZE + 4}px"))
        self._set_up_pen()
        self.canvas.on_client_ready(self._set_up_pen)   # again once the browser shows it
        self.clear_button = widgets.Button(description="Clear", icon="eraser")
        self.caption = widgets.HTML(PROMPT)
        self.plot = FigureImage(6.2, 2.6)
        self.drawing = np.zeros((CANVAS_SIZE, CANVAS_SIZE))
        self.digit = self.guess = None
        self._pen = None   # the last point while the button is held, else None
        guard = self.errors.guard
        self.canvas.on_mouse_down(guard(self._pen_down))
        self.canvas.on_mouse_move(guard(self._pen_move))
        self.canvas.on_mouse_up(guard(self._pen_up))
        self.canvas.on_mouse_out(guard(self._pen_up))
        self.canvas.on_touch_start(guard(lambda touches: self._pen_down(*touches[0])))
        self.canvas.on_touch_move(guard(lambda touches: self._pen_move(*touches[0])))
        self.canvas.on_touch_end(guard(lambda touches: self._pen_up()))
        self.canvas.on_touch_cancel(guard(lambda touches: self._pen_up()))
        self.clear_button.on_click(guard(self._clear))
        self._show_guess()
        left = widgets.VBox([self.canvas, self.clear_button])
        right = widgets.VBox([self.caption, self.plot.widget])
        super().__init__([widgets.HBox([left, right]), self.errors.output])
        self.add_class("mnistnet-draw-a-digit")   # for the browser test to find it
        self.caption.add_class("mnistnet-caption")

    # --- the pen ---------------------------------------------------------------------------

    def _set_up_pen(self):
        self.canvas.line_width = PEN_WIDTH
        self.canvas.line_cap = "round"
        self.canvas.line_join = "round"
        self.canvas.stroke_style = "black"
        self.canvas.fill_style = "black"

    def _pen_down(self, x, y):
        self._pen = (x, y)
        self._stroke(x, y)

    def _pen_move(self, x, y):
        if self._pen is not None:
            self._stroke(x, y)

    def _pen_up(self, x=None, y=None):
        if self._pen is not None:
            self._pen = None
            self._show_guess()

    def _stroke(self, x, y):
        """Draw from the last pen position to (x, y), on the canvas and in ``drawing``."""
        x0, y0 = self._pen
        if (x0, y0) == (x, y):   # a dot
            self.canvas.fill_circle(x, y, PEN_WIDTH / 2)
        else:
            self.canvas.stroke_line(x0, y0, x, y)
        stamp_segment(self.drawing, (x0, y0), (x, y), PEN_WIDTH / 2)
        self._pen = (x, y)

    def _clear(self, _button=None):
        self.canvas.clear()
        self.drawing[:] = 0
        self._show_guess()

    # --- the guess -------------------------------------------------------------------------

    def _show_guess(self):
        """Preprocess the drawing like MNIST, run the network, and show what it thinks."""
        self.plot.clear()
        axes = self.plot.figure.subplots(1, 2, width_ratios=[1, 1.9])
        if not self.drawing.any():
            self.digit = self.guess = None
            self.caption.value = PROMPT
            plot_digit(axes[0], np.zeros((28, 28)), title="what the network sees")
            plot_output_activations(axes[1], np.zeros(10))
            axes[1].set_title("guess: draw something first")
        else:
            self.digit = center_digit(self.drawing)                     # (28, 28)
            outputs = self.network.forward(self.digit.reshape(1, 784))[0]  # (10,)
            self.guess = int(np.argmax(outputs))
            plot_digit(axes[0], self.digit, title="what the network sees")
            plot_output_activations(axes[1], outputs)
            self.caption.value = (f"The network reads: <b style='font-size:160%'>{self.guess}"
                                  "</b>  (draw more, or Clear to start again)")
        self.plot.show()


def stamp_segment(image, start, end, radius):
    """Ink every pixel within ``radius`` of the segment start-end (soft 1-pixel edge).

    ``image`` is changed in place; points are (x, y) = (column, row) like on the canvas.
    """
    (x0, y0), (x1, y1) = start, end
    reach = radius + 1
    height, width = image.shape
    top, bottom = int(max(0, min(y0, y1) - reach)), int(min(height, max(y0, y1) + reach + 1))
    left, right = int(max(0, min(x0, x1) - reach)), int(min(width, max(x0, x1) + reach + 1))
    if top >= bottom or left >= right:
        return
    rows, cols = np.mgrid[top:bottom, left:right] + 0.5   # pixel centres
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else np.clip(((cols - x0) * dx + (rows - y0) * dy) / length2, 0, 1)
    distance = np.hypot(cols - (x0 + t * dx), rows - (y0 + t * dy))
    ink = np.clip(radius + 0.5 - distance, 0, 1)
    region = image[top:bottom, left:right]
    np.maximum(region, ink, out=region)

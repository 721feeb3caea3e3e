"""Inside the network: every layer's activations for one digit, and one neuron's weights.

>>> inside_the_network(network, data.test_images, data.test_labels)

The top picture follows one digit through the network: the input pixels, each hidden layer's
activations (bright = active) and the output layer. The bottom picture opens up one neuron of
the first hidden layer: its 784 incoming weights drawn as a 28x28 image (red pushes it on,
blue pushes it off), and those weights times this digit's pixels, whose sum plus the bias is
the neuron's weighted input z.

The returned ``InsideTheNetwork`` (a ``widgets.VBox``) has ``example`` and ``neuron`` sliders,
``layers_plot`` and ``neuron_plot`` (``FigureImage``) and ``activations`` (of the digit shown).
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from mnistnet.dashboards.common import ErrorLog, FigureImage, label_style
from mnistnet.plots import plot_digit, plot_layer_activations, plot_neuron_weights


def inside_the_network(network, images, labels):
    """Build the "inside the network" dashboard for a trained (or untrained) network.

    Parameters
    ----------
    network : Network
    images : array, shape (n, 784)
    labels : array of int, shape (n,)

    Returns
    -------
    InsideTheNetwork
        A widget; a notebook cell that ends with it shows it.
    """
    return InsideTheNetwork(network, images, labels)


class InsideTheNetwork(widgets.VBox):
    """Pick a digit and a first-layer neuron; see the activations and the neuron's weights."""

    def __init__(self, network, images, labels):
        self.network = network
        self.images = np.asarray(images).reshape(len(images), -1)
        self.labels = np.asarray(labels).astype(int)
        self.errors = ErrorLog()
        style = label_style("6em")
        wide = widgets.Layout(width="30em")
        n_neurons = network.sizes[1]
        self.example = widgets.IntSlider(0, min=0, max=len(self.images) - 1,
                                         description="example", style=style, layout=wide)
        self.neuron = widgets.IntSlider(0, min=0, max=n_neurons - 1, style=style, layout=wide,
                                        description="neuron" if len(network.sizes) > 2
                                        else "output")
        self.caption = widgets.HTML()
        self.layers_plot = FigureImage(2.0 + 1.6 * len(network.sizes), 2.9)
        self.neuron_plot = FigureImage(7.5, 2.7)
        self.example.observe(self.errors.guard(self._show_all), names="value")
        self.neuron.observe(self.errors.guard(self._show_neuron), names="value")
        # align_items: a column stretches its items to full width, blurring the pictures.
        super().__init__([widgets.HBox([self.example, self.neuron]), self.caption,
                          self.layers_plot.widget, self.neuron_plot.widget, self.errors.output],
                         layout=widgets.Layout(align_items="flex-start"))
        self.add_class("mnistnet-inside-the-network")   # for the browser test to find it
        self.caption.add_class("mnistnet-caption")
        self._show_all()

    def _show_all(self, _change=None):
        """Run the chosen digit through the network and draw every layer."""
        x = self.images[self.example.value].reshape(1, -1)            # (1, 784)
        _, activations = self.network.feedforward(x)
        self.activations = [a[0] for a in activations]                # one row per layer
        label = self.labels[self.example.value]
        guess = int(np.argmax(self.activations[-1]))
        verdict = "right" if guess == label else "<b>wrong</b>"
        self.caption.value = (f"image #{self.example.value}: label {label}, "
                              f"the network guesses {guess} ({verdict})")
        self._show_neuron()

    def _show_neuron(self, _change=None):
        """Redraw both pictures with the chosen neuron highlighted."""
        self.layers_plot.clear()
        artists = plot_layer_activations(self.layers_plot.figure, self.activations)
        if len(self.activations) > 2:
            _outline_neuron(artists[1], self.neuron.value)
        self.layers_plot.show()
        self._draw_neuron_weights()

    def _draw_neuron_weights(self):
        j = self.neuron.value
        W, b = self.network.weights[0][j], self.network.biases[0][j]   # (784,), scalar
        x = self.activations[0]                                         # (784,)
        z = float(W @ x + b)
        self.neuron_plot.clear()
        axes = self.neuron_plot.figure.subplots(1, 3)
        plot_neuron_weights(axes[0], W, title=f"weights into neuron {j}")
        plot_digit(axes[1], x, title="this digit")
        plot_neuron_weights(axes[2], W * x, title="weights × pixels")
        a = self.activations[1][j]
        axes[2].set_xlabel(f"sum {z - b:+.2f}, bias {b:+.2f}\nz = {z:+.2f}, activation {a:.2f}",
                           fontsize=9)
        self.neuron_plot.show()


def _outline_neuron(image, j):
    """Draw a box around neuron ``j`` in a layer drawn as a grid of cells."""
    ncols = image.get_array().shape[1]
    row, col = divmod(j, ncols)
    image.axes.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False,
                                   edgecolor="tab:orange", linewidth=2.5))

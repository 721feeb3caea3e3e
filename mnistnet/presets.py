"""Ready-made settings: the original notebook, the videos' network, and our best one.

A ``Preset`` holds everything needed to rebuild a run: the network (sizes, activation,
cost, init), the data (``raw_pixels``) and the training (epochs, batch size, learning
rate, momentum, weight decay). The CLI (``--preset``), the lessons and the dashboards use
them the same way::

    from mnistnet.data import load_mnist
    from mnistnet.network import Network
    from mnistnet.presets import VIDEOS
    from mnistnet.train import train

    data = load_mnist(raw_pixels=VIDEOS.raw_pixels)
    net = Network(**VIDEOS.network_kwargs(), rng=0)
    history = train(net, data.train_images, data.train_labels, **VIDEOS.train_kwargs(),
                    test_images=data.test_images, test_labels=data.test_labels, rng=0)

``PRESETS`` maps the names ``"original"``, ``"videos"``, ``"videos_tuned"`` and ``"best"`` to
them, and ``preset.replace(epochs=3)`` gives a variant (presets themselves are frozen).
"""

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """One complete recipe: network, data and training settings, with a sentence on each."""

    name: str
    description: str
    sizes: tuple
    activation: str
    cost: str
    init: str
    raw_pixels: bool
    epochs: int
    batch_size: int
    learning_rate: float
    momentum: float = 0.0
    weight_decay: float = 0.0
    learning_rate_drops: tuple = ()

    def network_kwargs(self):
        """Keywords for ``Network(...)``: sizes, activation, cost, init."""
        return dict(sizes=list(self.sizes), activation=self.activation, cost=self.cost,
                    init=self.init)

    def train_kwargs(self):
        """Keywords for ``train(...)``: epochs, batch size, learning rate (and its drops),
        momentum, weight decay."""
        return dict(epochs=self.epochs, batch_size=self.batch_size,
                    learning_rate=self.learning_rate, momentum=self.momentum,
                    weight_decay=self.weight_decay, learning_rate_drops=self.learning_rate_drops)

    def replace(self, **changes):
        """A copy with some settings changed, e.g. ``VIDEOS.replace(epochs=3)``."""
        return dataclasses.replace(self, **changes)


ORIGINAL = Preset(
    name="original",
    description=("The student notebook: 784-16-16-10 sigmoid network, quadratic cost, "
                 "weights and biases uniform in [-0.5, 0.5), raw 0-255 pixels, learning rate "
                 "0.1 on gradients averaged over 100 examples, one epoch (about 15-26 %)."),
    sizes=(784, 16, 16, 10), activation="sigmoid", cost="quadratic", init="uniform",
    raw_pixels=True, epochs=1, batch_size=100, learning_rate=0.1,
)

VIDEOS = Preset(
    name="videos",
    description=("The 3Blue1Brown videos' network trained as in Nielsen's book: the same "
                 "784-16-16-10 sigmoid network, pixels scaled to [0, 1], mini-batches of 10, "
                 "10 epochs, learning rate 1.5 (Nielsen's 3.0: his cost has a factor 1/2 "
                 "that ours does not), Xavier initialisation (about 94 %)."),
    sizes=(784, 16, 16, 10), activation="sigmoid", cost="quadratic", init="xavier",
    raw_pixels=False, epochs=10, batch_size=10, learning_rate=1.5,
)

# The same network, mini-batches and epochs as VIDEOS: only the steps change.
VIDEOS_TUNED = VIDEOS.replace(
    name="videos_tuned",
    description=("The videos' network and mini-batches, finished with two of lesson 5's "
                 "tools: learning rate 1.0, ten times smaller for the last 3 of the 10 "
                 "epochs, and a light L2 weight decay of 5e-5; chosen on a validation split "
                 "(about 95.5 %)."),
    learning_rate=1.0, weight_decay=5e-5, learning_rate_drops=((8, 0.1),),
)

BEST = Preset(
    name="best",
    description=("Lesson 5's best: 784-256-128-10 with ReLU, softmax and cross-entropy, He "
                 "initialisation, mini-batches of 64, learning rate 0.05 with momentum 0.9, "
                 "dropped to 0.005 for the last 5 of 15 epochs, L2 weight decay 2e-4; chosen "
                 "on a validation split (about 98.5 % test accuracy)."),
    sizes=(784, 256, 128, 10), activation="relu", cost="cross_entropy", init="he",
    raw_pixels=False, epochs=15, batch_size=64, learning_rate=0.05, momentum=0.9,
    weight_decay=2e-4, learning_rate_drops=((11, 0.1),),
)

PRESETS = {preset.name: preset for preset in (ORIGINAL, VIDEOS, VIDEOS_TUNED, BEST)}

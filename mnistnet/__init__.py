"""mnistnet: a neural network that learns to read handwritten digits, in plain numpy.

The package the lessons call. Its stages, in the order the data flows through them:

- ``mnistnet.idx``, ``mnistnet.download``, ``mnistnet.data``: MNIST files → arrays
- ``mnistnet.network``: the network, its forward pass and backpropagation
- ``mnistnet.train``: mini-batch stochastic gradient descent and its history
- ``mnistnet.plots``, ``mnistnet.dashboards``: figures and interactive widgets
  (import them yourself: ``from mnistnet import plots``)

Importing mnistnet downloads nothing, prints nothing and changes no global settings.
"""

from mnistnet.data import MNIST, load_mnist, load_sample, one_hot, train_validation_split
from mnistnet.download import data_dir, download_mnist
from mnistnet.errors import DownloadError, IDXFormatError, MnistnetError, ModelFileError
from mnistnet.gradcheck import check_gradients, compare_gradients
from mnistnet.idx import read_idx, write_idx
from mnistnet.network import Network
from mnistnet.presets import BEST, ORIGINAL, VIDEOS
from mnistnet.saving import load_history, load_network, save_network
from mnistnet.train import History, Trainer, train

__version__ = "0.1.0"

__all__ = [
    "BEST", "DownloadError", "History", "IDXFormatError", "MNIST", "MnistnetError",
    "ModelFileError", "Network", "ORIGINAL", "Trainer", "VIDEOS", "check_gradients",
    "compare_gradients", "data_dir", "download_mnist", "load_history", "load_mnist",
    "load_network", "load_sample", "one_hot", "read_idx", "save_network", "train",
    "train_validation_split", "write_idx",
]

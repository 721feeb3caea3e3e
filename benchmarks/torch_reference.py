"""The same network trained by PyTorch: the reference mnistnet is timed and checked against.

The model is what a PyTorch user would write: ``nn.Linear`` layers and activations, autograd,
and the SGD step written out (``p -= η ∂C/∂p``): on batches of 10 that is about 20 % faster
here than ``torch.optim.SGD`` (foreach, fused or not), so PyTorch gets its fastest idiom. It starts from a mnistnet network's own weights (``nn.Linear`` stores
W^(l) as ``(n_l, n_{l-1})``, the same layout as ``Network.weights``), and uses the same cost
definitions:

- quadratic: sigmoid outputs, the per-example sum of squares (a − y)², mean over the batch;
- cross_entropy: softmax outputs, the mean over the batch of −ln a_label
  (``F.cross_entropy`` on the output pre-activations is exactly that).
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

TORCH_ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}
TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


class TorchMLP:
    """A PyTorch copy of a mnistnet ``Network`` with plain SGD.

    Parameters
    ----------
    network : mnistnet.network.Network
        Its sizes, activation, cost, dtype and current weights are copied.
    learning_rate : float
    """

    def __init__(self, network, learning_rate):
        self.cost = network.cost
        self.dtype = TORCH_DTYPES[np.dtype(network.dtype)]
        layers = []
        for l, (W, b) in enumerate(zip(network.weights, network.biases), start=1):
            linear = nn.Linear(W.shape[1], W.shape[0], dtype=self.dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W)))
                linear.bias.copy_(torch.from_numpy(np.ascontiguousarray(b)))
            layers.append(linear)
            if l < len(network.weights):
                layers.append(TORCH_ACTIVATIONS[network.activation]())
        self.model = nn.Sequential(*layers)
        self.parameters = list(self.model.parameters())
        self.learning_rate = learning_rate

    def batch_cost(self, X, labels, Y):
        """The mean over the batch of the per-example cost, as mnistnet defines it."""
        z = self.model(X)                                   # output pre-activations, (n, 10)
        if self.cost == "quadratic":
            return ((torch.sigmoid(z) - Y) ** 2).sum(dim=1).mean()
        return F.cross_entropy(z, labels)

    def train_epoch(self, images, labels, targets, order, batch_size):
        """One epoch of SGD over the examples in ``order`` (a permutation), in mini-batches.

        ``images`` (n, 784), ``labels`` (n,) int64 and one-hot ``targets`` (n, 10) are
        tensors; ``order`` is the same numpy permutation mnistnet's trainer drew.
        """
        order = torch.from_numpy(order)
        self.model.train()
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            cost = self.batch_cost(images[chosen], labels[chosen], targets[chosen])
            for p in self.parameters:
                p.grad = None
            cost.backward()
            with torch.no_grad():
                for p in self.parameters:
                    p.sub_(p.grad, alpha=self.learning_rate)      # p ← p − η ∂C/∂p

    def weight_gradients(self, images, labels, targets):
        """∂C/∂W of every layer for one batch, as numpy arrays (the weights are not changed)."""
        for p in self.parameters:
            p.grad = None
        self.batch_cost(images, labels, targets).backward()
        grads = [m.weight.grad.numpy().copy() for m in self.model if isinstance(m, nn.Linear)]
        for p in self.parameters:
            p.grad = None
        return grads

    @torch.no_grad()
    def accuracy(self, images, labels):
        """The fraction of ``images`` whose largest output is the label."""
        return float((self.model(images).argmax(dim=1) == labels).double().mean())


def as_tensors(images, labels, dtype):
    """Training arrays as tensors: images of ``dtype``, int64 labels and one-hot targets."""
    images = torch.from_numpy(np.ascontiguousarray(images, dtype=dtype))
    labels = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    targets = F.one_hot(labels, 10).to(images.dtype)
    return images, labels, targets

"""MNIST as numpy arrays: the full set from the data folder, or the sample in the package.

``load_mnist()`` reads the four files from the data folder (``data_dir()``), downloading them
first if needed. Without a network it says so in one line and uses the bundled sample of
10,000 training and 2,000 test digits, so every lesson still runs.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mnistnet.download import (
    MNIST_SHA256, data_dir, download_mnist, read_verified, resolve_data_dir,
)
from mnistnet.errors import DownloadError
from mnistnet.idx import parse_idx, read_idx

__all__ = ["MNIST", "data_dir", "load_mnist", "load_sample", "one_hot",
           "train_validation_split", "stratified_indices", "clear_cache"]

SAMPLE_DIR = Path(__file__).parent / "sample"
_LOADED = {}  # the bundled sample's four arrays as read (uint8, read-only): read once


@dataclass(frozen=True, repr=False)
class MNIST:
    """The MNIST digits, split into a training set and a test set.

    Attributes
    ----------
    train_images : numpy.ndarray
        ``(n_train, 784)``: each row is a 28x28 image, row after row. float32 in [0, 1]
        (0 is the white paper, 1 the blackest ink), or uint8 0-255 with ``raw_pixels=True``.
    train_labels : numpy.ndarray
        ``(n_train,)`` int64: the digit (0-9) each image shows.
    test_images, test_labels : numpy.ndarray
        ``(n_test, 784)`` and ``(n_test,)``, likewise; never used for training.
    source : str
        ``"full"`` (60,000 + 10,000 digits) or ``"sample"`` (the bundled 10,000 + 2,000).
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str

    def __repr__(self):
        return (f"MNIST(source={self.source!r}, train_images={self.train_images.shape} "
                f"{self.train_images.dtype}, test_images={self.test_images.shape} "
                f"{self.test_images.dtype})")


def load_mnist(data_dir=None, *, raw_pixels=False, sample=False, download=True):
    """Load the MNIST training and test digits as arrays.

    Parameters
    ----------
    data_dir : str or Path, optional
        The folder with the four MNIST files; by default ``data_dir()``.
    raw_pixels : bool
        Keep the pixels as stored, uint8 0-255 (what the original notebook fed its network),
        instead of float32 scaled to [0, 1].
    sample : bool
        Use the bundled sample (10,000 training and 2,000 test digits) directly.
    download : bool
        Download missing files. If they cannot be had, one line says so and the sample is used.

    Returns
    -------
    MNIST
        New arrays on every call: changing them changes nothing for the next call.
    """
    if sample:
        return _as_mnist(_sample_arrays(), "sample", raw_pixels)
    folder = resolve_data_dir(data_dir)
    arrays = _full_arrays(folder, download)
    if arrays is None:
        why = (f"could not be downloaded into {folder}" if download
               else f"is not in {folder} (download=False)")
        print(f"mnistnet: the full MNIST {why}, so this uses the bundled sample of "
              "10,000 training and 2,000 test digits; to get all 70,000, run "
              "`python -m mnistnet download` (it says what went wrong).")
        return _as_mnist(_sample_arrays(), "sample", raw_pixels)
    return _as_mnist(arrays, "full", raw_pixels)


def load_sample(raw_pixels=False):
    """The bundled sample: 10,000 training and 2,000 test digits, each digit's share kept.

    Same as ``load_mnist(sample=True, raw_pixels=raw_pixels)``; no file is downloaded.
    """
    return load_mnist(sample=True, raw_pixels=raw_pixels)


def clear_cache():
    """Forget the bundled sample's arrays, so the next ``load_mnist`` reads its files again.

    (The full set is read from its files on every call, so it needs no clearing.)
    """
    _LOADED.clear()


def _full_arrays(folder, download):
    """The four full arrays from ``folder`` (downloading if allowed), or None if not to be had.

    Not kept in memory between calls: a training run should hold one copy of the 60,000
    images (188 MB as float32), not two.
    """
    # With download=True, download_mnist reports damaged files itself: stay quiet here.
    arrays = _read_folder(folder, report=print if not download else _quiet)
    if arrays is None and download:
        try:
            download_mnist(folder)
        except DownloadError:
            return None
        arrays = _read_folder(folder, report=print)
    return arrays


def _read_folder(folder, report):
    """Read and check the four MNIST files in ``folder``; None if one is missing or wrong."""
    arrays = []
    for name in MNIST_SHA256:
        contents = read_verified(folder, name, report=report)  # decompressed once, hashed
        if contents is None:
            return None
        arrays.append(parse_idx(contents, folder / name))  # ... and parsed from the same bytes
    return _read_only(arrays)


def _sample_arrays():
    """The four arrays of the bundled sample (read once per process)."""
    key = ("sample", SAMPLE_DIR)
    if key not in _LOADED:
        _LOADED[key] = _read_only([read_idx(SAMPLE_DIR / f"{name}.gz") for name in MNIST_SHA256])
    return _LOADED[key]


def _read_only(arrays):
    """Flatten the images to (n, 784) and lock the arrays against changes (they are shared)."""
    train_images, train_labels, test_images, test_labels = arrays
    arrays = (train_images.reshape(len(train_images), -1), train_labels,
              test_images.reshape(len(test_images), -1), test_labels)
    for array in arrays:
        array.flags.writeable = False
    return arrays


def _as_mnist(arrays, source, raw_pixels):
    """An MNIST of fresh copies of ``arrays`` (labels as int64)."""
    train_images, train_labels, test_images, test_labels = arrays
    return MNIST(_pixels(train_images, raw_pixels), train_labels.astype(np.int64),
                 _pixels(test_images, raw_pixels), test_labels.astype(np.int64), source)


def _pixels(images, raw_pixels):
    """A fresh copy of the images: uint8 0-255 if ``raw_pixels``, else float32 in [0, 1]."""
    if raw_pixels:
        return images.copy()
    pixels = images.astype(np.float32)
    pixels /= 255  # 0 -> 0.0, 255 -> 1.0 (in place: one array of 60000 x 784, not two)
    return pixels


def _quiet(message):
    """A report function that says nothing."""


def one_hot(labels, n_classes=10, dtype=np.float32):
    """Turn digit labels into one-hot rows: 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0].

    Row ``i`` is the output the network should ideally give for example ``i``: 1 for the
    right digit, 0 for every other.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Digits 0 to ``n_classes - 1``.
    n_classes : int
        Length of each row.
    dtype : numpy dtype
        Type of the result; float32 matches the network's default.

    Returns
    -------
    numpy.ndarray
        ``Y``, shape ``(n, n_classes)``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must have shape (n,), got {labels.shape}. "
                         "For a single label use one_hot([label]).")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got {labels.dtype}. "
                        "Convert them first, e.g. labels.astype(int).")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be between 0 and {n_classes - 1}, got values from "
                         f"{labels.min()} to {labels.max()}. Is n_classes={n_classes} right?")
    Y = np.zeros((len(labels), n_classes), dtype=dtype)
    Y[np.arange(len(labels)), labels] = 1
    return Y


class Split(NamedTuple):
    """The result of ``train_validation_split``; unpacks like a tuple of four arrays."""

    train_images: np.ndarray
    train_labels: np.ndarray
    validation_images: np.ndarray
    validation_labels: np.ndarray


def train_validation_split(images, labels, n_validation, rng):
    """Set aside ``n_validation`` training examples to tune settings on, keeping digit shares.

    Each digit gets its share of the validation set (stratified), chosen at random; both
    parts keep the original order.

    Parameters
    ----------
    images : numpy.ndarray, shape (n, 784)
    labels : numpy.ndarray, shape (n,)
    n_validation : int
        How many examples go to the validation set, 0 <= n_validation < n.
    rng : int or numpy.random.Generator
        A seed or generator: the same seed gives the same split.

    Returns
    -------
    Split
        ``(train_images, train_labels, validation_images, validation_labels)``.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} "
                         f"images and {len(labels)} labels.")
    if isinstance(n_validation, bool) or not isinstance(n_validation, (int, np.integer)):
        raise TypeError(f"n_validation must be an int, got {n_validation!r}.")
    if not 0 <= n_validation < len(labels):
        raise ValueError(f"n_validation must be between 0 and {len(labels) - 1} "
                         f"(there are {len(labels)} examples), got {n_validation}.")
    validation = stratified_indices(labels, n_validation, rng)
    is_training = np.ones(len(labels), dtype=bool)
    is_training[validation] = False
    return Split(images[is_training], labels[is_training], images[validation], labels[validation])


def stratified_indices(labels, n, rng):
    """Pick ``n`` examples at random so that each digit keeps its share.

    Parameters
    ----------
    labels : numpy.ndarray, shape (N,)
    n : int
        How many to pick, 0 <= n <= N.
    rng : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray
        ``(n,)`` sorted indices into ``labels``.
    """
    labels, rng = np.asarray(labels), np.random.default_rng(rng)
    digits, counts = np.unique(labels, return_counts=True)
    shares = _shares(counts, n)
    order = rng.permutation(len(labels))  # a random order; each digit takes its first `share`
    picked = [order[labels[order] == digit][:share] for digit, share in zip(digits, shares)]
    return np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=int)


def _shares(counts, n):
    """Split ``n`` in proportion to ``counts``, in whole numbers that add up to ``n``."""
    exact = counts * n / counts.sum()
    shares = np.floor(exact).astype(int)
    largest_remainders = np.argsort(shares - exact, kind="stable")  # biggest fraction first
    shares[largest_remainders[: n - shares.sum()]] += 1
    return shares

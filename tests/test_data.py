"""Loading MNIST: known facts of the real data, the offline fallback, one-hot labels, the split."""

import dataclasses

import numpy as np
import pytest

from mnistnet.data import (
    clear_cache, data_dir, load_mnist, load_sample, one_hot, train_validation_split,
)

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture(scope="module")
def mnist(shared_mnist_dir):
    return load_mnist(shared_mnist_dir, download=False)


def test_full_set_shapes_and_types(mnist):
    assert mnist.source == "full"
    assert mnist.train_images.shape == (60000, 784) and mnist.train_images.dtype == np.float32
    assert mnist.test_images.shape == (10000, 784) and mnist.test_images.dtype == np.float32
    assert mnist.train_labels.shape == (60000,) and mnist.train_labels.dtype == np.int64
    assert mnist.test_labels.shape == (10000,) and mnist.test_labels.dtype == np.int64


def test_first_labels_are_the_known_ones(mnist):
    assert mnist.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_training_digit_counts(mnist):
    assert np.bincount(mnist.train_labels).tolist() == TRAIN_COUNTS


def test_pixels_scaled_to_0_1_with_the_known_mean(mnist):
    assert mnist.train_images.min() == 0.0 and mnist.train_images.max() == 1.0
    assert mnist.train_images.mean(dtype=np.float64) == pytest.approx(0.1307, abs=5e-5)


def test_raw_pixels_are_the_stored_bytes(shared_mnist_dir):
    raw = load_mnist(shared_mnist_dir, raw_pixels=True, download=False)
    assert raw.train_images.dtype == np.uint8 and raw.train_images.max() == 255
    assert raw.train_images.mean(dtype=np.float64) == pytest.approx(33.318, abs=5e-4)


def test_each_call_returns_fresh_arrays(shared_mnist_dir):
    first = load_mnist(shared_mnist_dir, raw_pixels=True, download=False)
    first.train_images[:] = 0
    first.train_labels[:] = 0
    second = load_mnist(shared_mnist_dir, raw_pixels=True, download=False)
    assert second.train_images.max() == 255 and second.train_labels[0] == 5


def test_result_is_frozen(mnist):
    with pytest.raises(dataclasses.FrozenInstanceError):
        mnist.source = "other"
    assert "60000" in repr(mnist) and "full" in repr(mnist)


def test_sample_has_the_promised_size(capsys):
    sample = load_sample()
    assert sample.source == "sample"
    assert sample.train_images.shape == (10000, 784) and sample.test_images.shape == (2000, 784)
    assert sample.train_images.dtype == np.float32 and sample.train_images.max() == 1.0
    assert load_mnist(sample=True, raw_pixels=True).train_images.dtype == np.uint8
    assert capsys.readouterr().out == ""  # asked for: nothing to say


def test_offline_load_says_so_in_one_line_and_uses_the_sample(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MNISTNET_MIRRORS", "http://127.0.0.1:9/")  # nothing listens there
    mnist = load_mnist(tmp_path / "empty")
    line = capsys.readouterr().out
    assert mnist.source == "sample" and len(mnist.train_labels) == 10000
    assert line.count("\n") == 1
    assert "10,000 training and 2,000 test digits" in line
    assert "python -m mnistnet download" in line
    assert f"could not be downloaded into {tmp_path / 'empty'}," in line


def test_no_download_means_no_network(tmp_path, capsys, start_mirror):
    mirror = start_mirror(tmp_path)
    mnist = load_mnist(tmp_path / "empty", download=False)
    assert mnist.source == "sample" and mirror.requests == []
    assert f"is not in {tmp_path / 'empty'} (download=False)" in capsys.readouterr().out


def test_damaged_file_is_reported_then_the_sample_used(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b not really gzip")
    clear_cache()
    assert load_mnist(folder, download=False).source == "sample"
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "ignoring" in lines[0] and "damaged gzip" in lines[0]


def test_data_dir_order_of_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTNET_DATA_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_dir() == tmp_path / "mine"
    monkeypatch.delenv("MNISTNET_DATA_DIR")
    assert data_dir() == tmp_path / "cache" / "mnistnet"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".cache" / "mnistnet"


def test_one_hot_by_hand():
    Y = one_hot([3, 0, 9])
    assert Y.shape == (3, 10) and Y.dtype == np.float32
    assert Y[0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert Y[1].tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert Y[2].tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert one_hot(np.array([1]), n_classes=2, dtype=np.float64).tolist() == [[0.0, 1.0]]


@pytest.mark.parametrize("labels, error, message", [
    ([0, 10], ValueError, "between 0 and 9"),
    ([-1], ValueError, "between 0 and 9"),
    ([1.0, 2.0], TypeError, "must be integers"),
    ([[1, 2]], ValueError, "shape \\(n,\\)"),
])
def test_one_hot_rejects_bad_labels(labels, error, message):
    with pytest.raises(error, match=message):
        one_hot(labels)


def test_split_is_a_partition():
    labels = np.arange(100) % 10
    images = np.arange(100)[:, None] * np.ones((1, 4))  # row i holds i: we can tell rows apart
    split = train_validation_split(images, labels, 20, rng=0)
    assert len(split.train_images) == 80 and len(split.validation_images) == 20
    rows = np.concatenate([split.train_images[:, 0], split.validation_images[:, 0]])
    assert sorted(rows.tolist()) == list(range(100))
    np.testing.assert_array_equal(split.train_labels, split.train_images[:, 0] % 10)
    assert np.all(np.diff(split.train_images[:, 0]) > 0)  # original order kept


def test_split_keeps_each_digits_share():
    labels = np.repeat(np.arange(10), [100, 200, 100, 100, 100, 100, 100, 100, 100, 100])
    *_, validation_labels = train_validation_split(np.zeros((1100, 1)), labels, 110, rng=1)
    assert np.bincount(validation_labels).tolist() == [10, 20, 10, 10, 10, 10, 10, 10, 10, 10]


def test_split_is_reproducible_from_a_seed_or_generator():
    labels = np.arange(1000) % 10
    images = np.arange(1000)[:, None]
    a = train_validation_split(images, labels, 100, rng=7)
    b = train_validation_split(images, labels, 100, rng=np.random.default_rng(7))
    c = train_validation_split(images, labels, 100, rng=8)
    np.testing.assert_array_equal(a.validation_images, b.validation_images)
    assert not np.array_equal(a.validation_images, c.validation_images)


@pytest.mark.parametrize("n_validation, error, message", [
    (100, ValueError, "between 0 and 99"),
    (-1, ValueError, "between 0 and 99"),
    (2.5, TypeError, "must be an int"),
])
def test_split_rejects_bad_sizes(n_validation, error, message):
    with pytest.raises(error, match=message):
        train_validation_split(np.zeros((100, 2)), np.arange(100) % 10, n_validation, rng=0)


def test_split_needs_as_many_labels_as_images():
    with pytest.raises(ValueError, match="same length"):
        train_validation_split(np.zeros((10, 2)), np.zeros(9, dtype=int), 2, rng=0)


"""The bundled MNIST sample: its checksums, its credit, and that the script rebuilds it exactly."""

import re
import subprocess
import sys

import numpy as np
import pytest

from mnistnet.data import SAMPLE_DIR, load_mnist, load_sample
from mnistnet.download import MNIST_SHA256, sha256

ROOT = SAMPLE_DIR.parent.parent
FILES = [f"{name}.gz" for name in MNIST_SHA256]


def readme_checksums():
    """{file name: SHA-256} as listed in the sample's README."""
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^ +([0-9a-f]{64})  (\S+)$", text, re.MULTILINE)
    return {name: digest for digest, name in lines}


def test_sample_files_match_the_checksums_in_its_readme():
    listed = readme_checksums()
    assert sorted(listed) == sorted(FILES)
    for name, digest in listed.items():
        assert sha256((SAMPLE_DIR / name).read_bytes()) == digest, name


def test_readme_credits_mnist_and_names_the_licence():
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    for words in ["Yann LeCun", "Corinna Cortes", "Burges", "CC BY-SA 3.0", "make_sample.py"]:
        assert words in text


def test_sample_is_small():
    assert sum((SAMPLE_DIR / name).stat().st_size for name in FILES) < 3_000_000


def test_rebuilding_from_the_full_files_gives_identical_bytes(shared_mnist_dir, tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample.py"),
                    "--data-dir", str(shared_mnist_dir), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for name in FILES + ["README.md"]:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


@pytest.fixture(scope="module")
def full_and_sample(shared_mnist_dir):
    full = load_mnist(shared_mnist_dir, raw_pixels=True, download=False)
    return full, load_sample(raw_pixels=True)


@pytest.mark.parametrize("part", ["train", "test"])
def test_sample_digits_are_full_set_digits_in_their_original_order(full_and_sample, part):
    full, sample = full_and_sample
    full_images, full_labels = getattr(full, f"{part}_images"), getattr(full, f"{part}_labels")
    where = {row.tobytes(): i for i, row in enumerate(full_images)}  # image -> its row
    indices = np.array([where[row.tobytes()] for row in getattr(sample, f"{part}_images")])
    assert np.all(np.diff(indices) > 0)  # the original order is kept
    np.testing.assert_array_equal(full_labels[indices], getattr(sample, f"{part}_labels"))


@pytest.mark.parametrize("part, size", [("train", 10000), ("test", 2000)])
def test_each_digit_keeps_its_share(full_and_sample, part, size):
    full, sample = full_and_sample
    full_counts = np.bincount(getattr(full, f"{part}_labels"))
    sample_counts = np.bincount(getattr(sample, f"{part}_labels"))
    assert sample_counts.sum() == size
    assert np.all(np.abs(sample_counts - full_counts * size / full_counts.sum()) < 1)

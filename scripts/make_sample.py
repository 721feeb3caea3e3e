"""Build ``mnistnet/sample/``: the small MNIST sample the package uses offline.

It picks 10,000 training and 2,000 test digits at random with a fixed seed, each digit
keeping its share of the full set, keeps them in their original order, and writes them as
gzip-compressed IDX files with no time stamp, so that running it again gives the very same
bytes. It also writes the sample's README (credit, licence, checksums).

Usage, from the repository (the full files are read from the data folder, nothing is
downloaded)::

    python scripts/make_sample.py [--data-dir DIR] [--out DIR]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from mnistnet.download import MNIST_SHA256, read_verified, resolve_data_dir, sha256
from mnistnet.idx import parse_idx, read_idx, write_idx
from mnistnet.data import stratified_indices

SEED = 2
N_TRAIN, N_TEST = 10_000, 2_000
OUT = Path(__file__).resolve().parent.parent / "mnistnet" / "sample"


def read_full(folder):
    """The four full MNIST arrays from ``folder``, checked by SHA-256, keyed by file name."""
    arrays = {}
    for name in MNIST_SHA256:
        contents = read_verified(folder, name)
        if contents is None:
            sys.exit(f"{folder} has no correct {name}(.gz). Run `python -m mnistnet download` "
                     "first, or point --data-dir at the four MNIST files.")
        arrays[name] = parse_idx(contents, folder / name)
    return arrays


def build_sample(folder, out):
    """Write the four sample files and the README into ``out``."""
    full = read_full(folder)
    rng = np.random.default_rng(SEED)
    train = stratified_indices(full["train-labels-idx1-ubyte"], N_TRAIN, rng)
    test = stratified_indices(full["t10k-labels-idx1-ubyte"], N_TEST, rng)
    out.mkdir(parents=True, exist_ok=True)
    for name in MNIST_SHA256:
        picked = train if name.startswith("train") else test
        write_idx(out / f"{name}.gz", full[name][picked])
    (out / "README.md").write_text(readme(out), encoding="utf-8")


def readme(out):
    """The sample's README: what it is, whose it is, how it was made, its checksums."""
    train_labels = read_idx(out / "train-labels-idx1-ubyte.gz")
    test_labels = read_idx(out / "t10k-labels-idx1-ubyte.gz")
    counts = "\n".join(
        f"| {digit} | {np.sum(train_labels == digit)} | {np.sum(test_labels == digit)} |"
        for digit in range(10))
    files = "\n".join(f"    {sha256((out / f'{name}.gz').read_bytes())}  {name}.gz"
                      for name in MNIST_SHA256)
    return f"""# The MNIST sample

A sample of the MNIST database of handwritten digits that ships with mnistnet, so that every
lesson runs without a network: {N_TRAIN:,} of the 60,000 training digits and {N_TEST:,} of the
10,000 test digits, each digit keeping its share of the full set, in their original order.
The files have the standard MNIST names and format (gzip-compressed IDX).
`mnistnet.load_sample()` reads them; `load_mnist()` uses them when the full set cannot be had.

## Credit and licence

MNIST is the work of Yann LeCun, Corinna Cortes and Christopher J.C. Burges
(http://yann.lecun.com/exdb/mnist/). It is available under the Creative Commons
Attribution-Share Alike 3.0 licence (CC BY-SA 3.0,
https://creativecommons.org/licenses/by-sa/3.0/). This sample is a subset of MNIST and is
shared under the same licence, with the same credit.

## How it was built

    python scripts/make_sample.py

reads the four full MNIST files (checked by the SHA-256 of their contents), draws the sample
with `mnistnet.data.stratified_indices` and `numpy.random.default_rng({SEED})` (training set
first, then test set), and writes each file with gzip (level 6, no time stamp). Running it
again gives byte-identical files; `tests/test_sample.py` checks that.

| digit | training | test |
|---|---|---|
{counts}

## Checksums (SHA-256 of the files)

{files}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="folder with the full MNIST files "
                        "(default: MNISTNET_DATA_DIR or ~/.cache/mnistnet)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default: {OUT})")
    args = parser.parse_args(argv)
    build_sample(resolve_data_dir(args.data_dir), args.out)
    print(f"Wrote the sample to {args.out}")


if __name__ == "__main__":
    main()

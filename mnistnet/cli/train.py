"""``python -m mnistnet train``: train a network on MNIST, print its test accuracy, maybe save it.

``python -m mnistnet train --preset original`` reruns the student notebook;
``python -m mnistnet train --epochs 3 --save videos.npz`` trains the videos' network for 3
epochs and saves it. Settings not given on the command line come from the preset
(``--preset``, default ``videos``), except that ``--activation`` without ``--init`` picks
that activation's default initialisation (He for relu, Xavier otherwise).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from mnistnet.activations import ACTIVATIONS
from mnistnet.cli.options import add_data_options, fail, load_data
from mnistnet.costs import COSTS
from mnistnet.network import INITS, Network
from mnistnet.presets import PRESETS
from mnistnet.saving import save_network
from mnistnet.train import Trainer, drops_words

N_PIXELS, N_DIGITS = 784, 10


def add_parser(subparsers):
    """Declare the ``train`` command and its options."""
    parser = subparsers.add_parser(
        "train", help="train a network and print its test accuracy",
        description="Train a network on MNIST by mini-batch gradient descent and print its "
                    "test accuracy. Options not given come from the preset (default: videos).")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="videos",
                        help="starting settings: original (the student notebook), videos "
                             "(3Blue1Brown/Nielsen), videos_tuned (the same network, 95 %%), "
                             "best (lesson 5); default videos")
    parser.add_argument("--sizes", type=_sizes, metavar="784,16,16,10",
                        help="neurons per layer, comma-separated: 784 inputs first, 10 outputs last")
    parser.add_argument("--activation", choices=list(ACTIVATIONS), help="hidden-layer activation")
    parser.add_argument("--cost", choices=list(COSTS),
                        help="quadratic (sigmoid outputs) or cross_entropy (softmax outputs)")
    parser.add_argument("--init", choices=list(INITS), help="how the first weights are drawn")
    parser.add_argument("--epochs", type=_positive_int, help="passes over the training set")
    parser.add_argument("--batch-size", type=_positive_int, help="examples per mini-batch")
    parser.add_argument("--learning-rate", type=_positive_float, help="step size η")
    parser.add_argument("--momentum", type=_fraction, help="momentum μ in [0, 1)")
    parser.add_argument("--weight-decay", type=_non_negative_float, metavar="L2",
                        help="L2 weight decay λ (not divided by the number of examples)")
    parser.add_argument("--seed", type=_non_negative_int, default=0,
                        help="seed for weights and shuffling, a whole number >= 0 (default 0)")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                        help="number type for training (default float32)")
    add_data_options(
        parser,
        raw_pixels_help="feed raw 0-255 pixels, as the original notebook did",
        sample_help="use the bundled sample (10,000 + 2,000 digits) instead of full MNIST")
    parser.add_argument("--save", type=Path, metavar="PATH", help="save the trained network to this .npz file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def run(args):
    """Train as the options say; print the test accuracy. Returns the exit code."""
    preset = PRESETS[args.preset]
    changes = {key: value for key, value in (
        ("sizes", args.sizes), ("activation", args.activation), ("cost", args.cost),
        ("init", args.init), ("epochs", args.epochs), ("batch_size", args.batch_size),
        ("learning_rate", args.learning_rate), ("momentum", args.momentum),
        ("weight_decay", args.weight_decay), ("raw_pixels", args.raw_pixels)) if value is not None}
    if "activation" in changes and "init" not in changes:
        changes["init"] = None                  # Network picks the activation's default init
    settings = preset.replace(**changes)
    if args.save is not None and args.save.is_dir():
        return _usage_error(f"cannot save to {args.save}: it is a folder. Pass a file path, "
                            f"such as {args.save / 'network.npz'}.")
    if args.save is not None and not args.save.parent.is_dir():
        return _usage_error(
            f"cannot save to {args.save}: the folder {args.save.parent} does not exist.")

    data = load_data(args, raw_pixels=settings.raw_pixels)
    if data is None:
        return 1
    try:
        network = Network(**settings.network_kwargs(), dtype=np.dtype(args.dtype), rng=args.seed)
        trainer = Trainer(network, data.train_images, data.train_labels, **settings.train_kwargs(),
                          test_images=data.test_images, test_labels=data.test_labels,
                          rng=args.seed, progress=not args.no_progress)
    except (TypeError, ValueError) as error:
        return _usage_error(str(error))
    epochs = f"{settings.epochs} epoch{'s' * (settings.epochs != 1)}"
    drops = drops_words(settings.learning_rate_drops, settings.epochs)
    print(f"training {network} on {len(data.train_images):,} {data.source} MNIST digits: "
          f"{epochs}, batch size {settings.batch_size}, learning rate "
          f"{settings.learning_rate:g}{drops}, momentum {settings.momentum:g}, weight decay "
          f"{settings.weight_decay:g}, {'raw' if settings.raw_pixels else 'scaled'} pixels")
    history = trainer.run()
    history.settings.update(raw_pixels=settings.raw_pixels, data=data.source)
    print(history.message, file=sys.stderr if history.diverged or history.stopped else sys.stdout)
    saved = args.save is None or _save(network, args.save, history)
    print(f"test accuracy: {network.accuracy(data.test_images, data.test_labels):.4f}")
    if history.stopped:
        return 130              # interrupted by Ctrl-C: the shell's code for it
    return 1 if history.diverged or not saved else 0


def _save(network, path, history):
    """Save ``network`` and its ``history`` to ``path``; False, after a plain error, if it fails."""
    try:
        save_network(network, path, history)
    except OSError as error:            # a read-only folder, a full disk, ...
        fail(f"could not save the network to {path} ({error.strerror or error}); "
             "the trained network was not saved.")
        return False
    print(f"saved {'the weights trained so far ' if history.stopped else ''}to {path}")
    return True


def _usage_error(message):
    """Print a plain error and the way to the options; return the usage-error exit code."""
    print(f"error: {message}\nRun `python -m mnistnet train --help` for the options.",
          file=sys.stderr)
    return 2


def _sizes(text):
    """``"784,16,16,10"`` -> [784, 16, 16, 10], for MNIST (784 inputs, 10 outputs)."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers separated by commas, like 784,16,16,10; got {text!r}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected at least 2 positive layer sizes, like 784,16,16,10; got {text!r}")
    if sizes[0] != N_PIXELS or sizes[-1] != N_DIGITS:
        raise argparse.ArgumentTypeError(
            f"MNIST needs {N_PIXELS} inputs first and {N_DIGITS} outputs last; got {text!r}")
    return sizes


def _number(text, kind, ok, expected):
    """Parse ``text`` with ``kind`` and check it with ``ok``, or explain to argparse."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def _positive_int(text):
    return _number(text, int, lambda v: v >= 1, "a whole number >= 1")


def _non_negative_int(text):
    return _number(text, int, lambda v: v >= 0, "a whole number >= 0")


def _positive_float(text):
    return _number(text, float, lambda v: 0 < v < float("inf"), "a number > 0")


def _non_negative_float(text):
    return _number(text, float, lambda v: 0 <= v < float("inf"), "a number >= 0")


def _fraction(text):
    return _number(text, float, lambda v: 0 <= v < 1, "a number in [0, 1)")

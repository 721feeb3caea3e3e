"""``python -m mnistnet evaluate PATH``: the test accuracy of a saved network."""

from pathlib import Path

from mnistnet.cli.options import add_data_options, fail, load_data
from mnistnet.errors import ModelFileError
from mnistnet.saving import load_history, load_network


def add_parser(subparsers):
    """Declare the ``evaluate`` command and its options."""
    parser = subparsers.add_parser(
        "evaluate", help="print the test accuracy of a saved network",
        description="Load a network saved by `python -m mnistnet train --save` and print its "
                    "accuracy on the MNIST test set.")
    parser.add_argument("path", type=Path, metavar="PATH", help="the saved network (.npz)")
    add_data_options(
        parser,
        raw_pixels_help="feed raw 0-255 pixels (default: as the network was trained)",
        sample_help="use the bundled sample's 2,000 test digits instead of full MNIST")
    return parser


def run(args):
    """Load the network, test it, print ``test accuracy: 0.xxxx``. Returns the exit code."""
    try:
        network = load_network(args.path)
        history = load_history(args.path)
    except (FileNotFoundError, ModelFileError) as error:
        return fail(error)
    raw_pixels = args.raw_pixels
    if raw_pixels is None:      # feed pixels the way the network was trained on them
        raw_pixels = bool(history and history.settings.get("raw_pixels", False))
    if network.sizes[0] != 784 or network.sizes[-1] != 10:
        return fail(f"{args.path} holds a {network.sizes} network; MNIST needs 784 inputs and "
                    "10 outputs.")
    data = load_data(args, raw_pixels=raw_pixels)
    if data is None:
        return 1
    print(f"{network}, {len(data.test_images):,} {data.source} test digits, "
          f"{'raw' if raw_pixels else 'scaled'} pixels")
    print(f"test accuracy: {network.accuracy(data.test_images, data.test_labels):.4f}")
    return 0

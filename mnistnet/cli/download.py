"""``python -m mnistnet download``: fetch the four MNIST files and check them."""

from pathlib import Path

from mnistnet.cli.options import fail, interrupted
from mnistnet.download import MNIST_SHA256, download_mnist
from mnistnet.errors import DownloadError


def add_parser(subparsers):
    """Declare the ``download`` command and its options."""
    parser = subparsers.add_parser(
        "download",
        help="download MNIST and check every file",
        description="Download the four MNIST files (skipping those already there and correct) "
                    "and check each one by its SHA-256. Mirrors: MNISTNET_MIRRORS, "
                    "comma-separated base URLs, or the public ones.",
    )
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                        help="where to keep the files (default: MNISTNET_DATA_DIR, "
                             "else ~/.cache/mnistnet)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def run(args):
    """Download and check; print where the files are. Returns the exit code."""
    try:
        folder = download_mnist(args.data_dir, progress=not args.no_progress)
    except (DownloadError, ValueError) as error:     # ValueError: a bad MNISTNET_MIRRORS
        return fail(error)
    except KeyboardInterrupt:
        return interrupted()
    print(f"MNIST is ready in {folder}:")
    for name in MNIST_SHA256:
        path = folder / f"{name}.gz"
        print(f"  {path if path.is_file() else folder / name}")
    return 0

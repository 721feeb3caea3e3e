"""What the commands share: where the digits come from, and how a command says it failed."""

import sys
from pathlib import Path

from mnistnet.data import load_mnist


def add_data_options(parser, *, raw_pixels_help, sample_help):
    """Declare ``--raw-pixels``, ``--sample`` and ``--data-dir`` on ``parser``.

    The two commands load MNIST the same way; only what ``--raw-pixels`` and ``--sample``
    mean for each needs its own sentence.
    """
    parser.add_argument("--raw-pixels", action="store_true", default=None, help=raw_pixels_help)
    parser.add_argument("--sample", action="store_true", help=sample_help)
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="folder with the MNIST files (default: MNISTNET_DATA_DIR or the cache)")


def load_data(args, *, raw_pixels):
    """The digits ``--data-dir`` and ``--sample`` ask for; None, after a plain error, if none.

    Loading may download MNIST first, so a bad ``MNISTNET_MIRRORS`` shows up here as a
    ValueError, and Ctrl-C may come during the download (exit code 130, as the shell's). Both
    are reported as ``python -m mnistnet download`` reports them.
    """
    try:
        return load_mnist(args.data_dir, raw_pixels=raw_pixels, sample=args.sample)
    except ValueError as error:
        fail(error)
        return None
    except KeyboardInterrupt:
        raise SystemExit(interrupted()) from None


def interrupted():
    """Say that Ctrl-C stopped a download (which never keeps half a file); return 130."""
    print("Interrupted; no half-downloaded file was kept.", file=sys.stderr)
    return 130


def fail(message):
    """Print ``error: message`` on stderr; return 1, the exit code of a command that failed."""
    print(f"error: {message}", file=sys.stderr)
    return 1

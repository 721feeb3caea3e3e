"""Command-line options shared by ``train`` and ``evaluate``: where the digits come from."""

from pathlib import Path


def add_data_options(parser, *, raw_pixels_help, sample_help):
    """Declare ``--raw-pixels``, ``--sample`` and ``--data-dir`` on ``parser``.

    The two commands load MNIST the same way; only what ``--raw-pixels`` and ``--sample``
    mean for each needs its own sentence.
    """
    parser.add_argument("--raw-pixels", action="store_true", default=None, help=raw_pixels_help)
    parser.add_argument("--sample", action="store_true", help=sample_help)
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="folder with the MNIST files (default: MNISTNET_DATA_DIR or the cache)")

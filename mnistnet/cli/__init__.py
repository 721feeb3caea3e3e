"""The command line: ``python -m mnistnet <command>``.

Each command lives in its own module with two functions: ``add_parser(subparsers)``
declares its options and ``run(args)`` does the work and returns the exit code.
"""

import argparse
import sys

from mnistnet.cli import download, evaluate, train


COMMANDS = {
    "download": download,
    "train": train,
    "evaluate": evaluate,
}


def build_parser():
    """The argument parser with one sub-command per entry of ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="python -m mnistnet",
        description="mnistnet: a neural network that reads handwritten digits, in numpy.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        command.add_parser(subparsers)
    return parser


def main(argv=None):
    """Parse ``argv`` (default: the process's arguments), run the command, return its exit code."""
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())

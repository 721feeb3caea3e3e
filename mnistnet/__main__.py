"""Lets ``python -m mnistnet`` run the command line (see ``mnistnet.cli``)."""

import sys

from mnistnet.cli import main

sys.exit(main())

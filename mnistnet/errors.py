"""The package's own errors.

Every error a learner can cause (a damaged file, a failed download, a file that is not a
saved network) is one of these, with a message that says what went wrong and what to do.
Catch ``MnistnetError`` to catch them all.
"""


class MnistnetError(Exception):
    """Base class of every error raised on purpose by mnistnet."""


class IDXFormatError(MnistnetError, ValueError):
    """A file is not a valid IDX file (wrong magic number, truncated, corrupt gzip, ...)."""


class DownloadError(MnistnetError, OSError):
    """MNIST could not be downloaded from any mirror."""


class ModelFileError(MnistnetError, ValueError):
    """A file is not a network saved by ``mnistnet.saving.save_network``."""

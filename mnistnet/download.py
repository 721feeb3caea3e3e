"""Download the four MNIST files from public mirrors, checking every file before keeping it.

Each file is streamed into a temporary file in the data folder, checked against the SHA-256
of its *decompressed* contents (so any faithful gzip of the same data is accepted), and only
then renamed to its real name. An interrupted or wrong download therefore never leaves a
file behind that looks valid. If a mirror fails in any way (HTTP error, timeout, connection
dropped mid-file, wrong contents) the next one is tried.
"""

import hashlib
import http.client
import os
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from mnistnet.errors import DownloadError, IDXFormatError
from mnistnet.idx import gunzip_if_needed

# SHA-256 of each file's decompressed contents (the same whichever mirror or gzip made it).
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",  # the original site; often refuses downloads now
)
RETRY_PAUSE = 1.0  # seconds before retrying a mirror after a timeout or a dropped connection
CHUNK = 1 << 16  # bytes read at a time


def data_dir():
    """The folder MNIST is kept in: ``$MNISTNET_DATA_DIR``, else the user's cache folder.

    The cache folder is ``$XDG_CACHE_HOME/mnistnet`` if ``XDG_CACHE_HOME`` is set, else
    ``~/.cache/mnistnet``. The folder is not created here.
    """
    if os.environ.get("MNISTNET_DATA_DIR"):
        return Path(os.environ["MNISTNET_DATA_DIR"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "mnistnet"


def resolve_data_dir(folder=None):
    """``folder`` as a Path, or ``data_dir()`` when it is None."""
    return data_dir() if folder is None else Path(folder).expanduser()


def mirror_list(mirrors=None):
    """The base URLs to try, in order: ``mirrors``, else ``$MNISTNET_MIRRORS``, else ``MIRRORS``.

    ``$MNISTNET_MIRRORS`` holds comma-separated base URLs. Each URL gets a trailing ``/`` so
    that a file name can be appended.
    """
    if mirrors is None:
        mirrors = os.environ.get("MNISTNET_MIRRORS") or MIRRORS
    if isinstance(mirrors, str):
        mirrors = mirrors.split(",")
    mirrors = [url.strip() for url in mirrors if url.strip()]
    for url in mirrors:
        if not url.startswith(("http://", "https://", "file:")):
            raise ValueError(
                f"A mirror must be an http://, https:// or file: URL, got {url!r}. "
                "Check MNISTNET_MIRRORS (comma-separated base URLs)."
            )
    if not mirrors:
        raise ValueError("The list of mirrors is empty; give at least one base URL.")
    return [url if url.endswith("/") else url + "/" for url in mirrors]


def sha256(data):
    """The SHA-256 of ``data`` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def read_verified(folder, name, report=print):
    """The decompressed contents of MNIST file ``name`` in ``folder``, if present and correct.

    Looks for ``name.gz``, then ``name`` (uncompressed). A file that is there but fails its
    SHA-256 check is reported in one line through ``report`` and skipped. Nothing is written.

    Returns
    -------
    bytes or None
        The IDX bytes, or None if no correct copy is there.
    """
    for path in (Path(folder) / f"{name}.gz", Path(folder) / name):
        if not path.is_file():
            continue
        try:
            contents = gunzip_if_needed(path.read_bytes(), path)
        except IDXFormatError:
            report(f"mnistnet: ignoring {path}: it is a damaged gzip file.")
            continue
        if sha256(contents) == MNIST_SHA256[name]:
            return contents
        report(f"mnistnet: ignoring {path}: its contents are not MNIST's (SHA-256 mismatch).")
    return None


def download_mnist(data_dir=None, *, mirrors=None, progress=True, timeout=30.0, retries=1):
    """Make sure the four MNIST files are in the data folder, downloading what is missing.

    Files already there and correct are used as they are, with no network access.

    Parameters
    ----------
    data_dir : str or Path, optional
        The folder; by default ``mnistnet.data.data_dir()``.
    mirrors : list of str or str, optional
        Base URLs to try in order; by default ``$MNISTNET_MIRRORS`` or ``MIRRORS``.
    progress : bool
        Show a progress bar (in bytes) for each file downloaded.
    timeout : float
        Seconds to wait for a mirror to connect or send more data.
    retries : int
        Extra attempts per mirror after a timeout, dropped connection or server error.

    Returns
    -------
    Path
        The data folder, holding the four verified files.

    Raises
    ------
    DownloadError
        If some file could not be had from any mirror. The message lists every attempt and
        why it failed, and says where to put the files by hand.
    """
    folder = resolve_data_dir(data_dir)
    mirrors = mirror_list(mirrors)
    for name in MNIST_SHA256:
        if read_verified(folder, name) is not None:
            continue
        _make_folder(folder)
        failures = []
        for mirror in list(mirrors):
            if _fetch_with_retries(mirror + name + ".gz", folder, name, failures,
                                   timeout=timeout, retries=retries, progress=progress):
                mirrors.remove(mirror)
                mirrors.insert(0, mirror)  # it worked: ask it first for the next file
                break
        else:
            raise DownloadError(_explain(folder, failures))
    return folder


def _make_folder(folder):
    """Create the data folder, or say plainly why it cannot be written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(
            f"Cannot create the data folder {folder} ({error.strerror}). "
            "Choose another with MNISTNET_DATA_DIR or --data-dir."
        ) from None


def _fetch_with_retries(url, folder, name, failures, *, timeout, retries, progress):
    """Try ``url`` up to ``1 + retries`` times; record each failure; True once it worked."""
    for attempt in range(1 + retries):
        if attempt:
            time.sleep(RETRY_PAUSE * attempt)
        try:
            _fetch(url, folder, name, timeout=timeout, progress=progress)
            return True
        except _MirrorFailure as failure:
            failures.append((url, failure.reason))
            if not failure.worth_retrying:
                return False
    return False


class _MirrorFailure(Exception):
    """One attempt at one URL failed; ``reason`` says why in plain words."""

    def __init__(self, reason, worth_retrying=False):
        super().__init__(reason)
        self.reason, self.worth_retrying = reason, worth_retrying


def _fetch(url, folder, name, *, timeout, progress):
    """Download ``url`` to ``folder/name.gz`` through a temporary file; check it; rename it."""
    temporary = folder / f".{name}.gz.{secrets.token_hex(4)}.part"
    try:
        try:
            file = open(temporary, "xb")
        except OSError as error:
            raise DownloadError(
                f"Cannot write into the data folder {folder} ({error.strerror})."
            ) from None
        with file:
            size, received = _stream(url, file, name, timeout=timeout, progress=progress)
        if size is not None and received < size:
            raise _MirrorFailure(f"the connection closed after {received:,} of {size:,} bytes",
                                 worth_retrying=True)
        try:
            contents = gunzip_if_needed(temporary.read_bytes(), url)
        except IDXFormatError:
            raise _MirrorFailure("it sent a damaged gzip file") from None
        if sha256(contents) != MNIST_SHA256[name]:
            raise _MirrorFailure("it sent the wrong contents (SHA-256 mismatch)")
        os.replace(temporary, folder / f"{name}.gz")
    finally:
        temporary.unlink(missing_ok=True)  # also on Ctrl-C: nothing half-written survives


def _stream(url, file, name, *, timeout, progress):
    """Copy the body at ``url`` into ``file``; return (announced size or None, bytes received)."""
    request = urllib.request.Request(url, headers={"User-Agent": "mnistnet (python urllib)"})
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            size = int(length) if length and length.isdigit() else None
            with tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                      disable=not progress) as bar:
                while chunk := response.read(CHUNK):
                    file.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as error:
        raise _MirrorFailure(f"HTTP error {error.code} ({error.reason})",
                             worth_retrying=error.code >= 500) from None
    except (TimeoutError, urllib.error.URLError) as error:
        if isinstance(getattr(error, "reason", error), TimeoutError):
            raise _MirrorFailure(f"no answer within {timeout:g} s", worth_retrying=True) from None
        raise _MirrorFailure(f"cannot connect ({error.reason})") from None
    except (ConnectionError, http.client.HTTPException) as error:
        raise _MirrorFailure(f"the connection dropped after {received:,} bytes "
                             f"({type(error).__name__})", worth_retrying=True) from None
    return size, received


def _explain(folder, failures):
    """The message of the DownloadError: every attempt, then how to get the files by hand."""
    attempts = "\n".join(f"  {url}: {reason}" for url, reason in failures)
    names = ", ".join(f"{name}.gz" for name in MNIST_SHA256)
    return (
        f"Could not download MNIST from any mirror:\n{attempts}\n"
        f"To install it by hand, get these four files from any MNIST mirror and put them, "
        f"compressed or not, in {folder}:\n  {names}\n"
        "Then run `python -m mnistnet download` to check them. "
        "Or set MNISTNET_MIRRORS to mirrors that work (comma-separated base URLs)."
    )

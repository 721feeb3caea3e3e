"""Fixtures shared by the tests: the bundled sample, the real MNIST files, and local HTTP
mirrors that misbehave.

No test touches the internet: unless a test sets it, ``MNISTNET_MIRRORS`` points at a port
on 127.0.0.1 where nothing listens, so a forgotten download fails at once instead of
reaching the public mirrors.
"""

import gzip
import http.server
import os
import threading
from pathlib import Path

import pytest

from mnistnet.data import load_sample
from mnistnet.download import MNIST_SHA256, data_dir

ROOT = Path(__file__).resolve().parent.parent
NO_NETWORK = "http://127.0.0.1:9/no-network-in-tests/"


@pytest.fixture(scope="session", autouse=True)
def no_internet():
    """Point the mirror list at a dead local port for the whole session, unless already set."""
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get("MNISTNET_MIRRORS"):
            patch.setenv("MNISTNET_MIRRORS", NO_NETWORK)
        yield


@pytest.fixture(scope="module")
def sample():
    """The bundled MNIST sample (10,000 training and 2,000 test digits), loaded once per module."""
    return load_sample()


@pytest.fixture(scope="session")
def shared_mnist_dir():
    """The folder with the four real MNIST .gz files (only read): MNISTNET_DATA_DIR, the
    ../shared/data/mnist that CI provides, or the folder `python -m mnistnet download` fills."""
    places = [os.environ.get("MNISTNET_DATA_DIR"), ROOT.parent / "shared/data/mnist", data_dir()]
    folders = [Path(place) for place in places if place]
    for folder in folders:
        if all((folder / f"{name}.gz").is_file() for name in MNIST_SHA256):
            return folder
    pytest.skip(f"the real MNIST .gz files are in none of {', '.join(map(str, folders))}; run "
                "`python -m mnistnet download`, or set MNISTNET_DATA_DIR to a folder with them")


class Mirror:
    """A local HTTP mirror on 127.0.0.1 serving ``folder``, well or badly.

    ``mode`` is one of: ``"serve"`` (the files as they are), ``"404"`` (every request fails),
    ``"wrong-bytes"`` (a valid gzip of the wrong contents), ``"drop"`` (announces the full
    length, sends half, closes the connection), ``"hang"`` (never answers).
    ``requests`` lists the paths asked for; ``url`` is the base URL.
    """

    def __init__(self, folder, mode="serve"):
        self.folder, self.mode, self.requests = Path(folder), mode, []
        self.release = threading.Event()  # lets "hang" handlers finish at shutdown
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads, self.server.block_on_close = True, False
        self.server.mirror = self
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self):
        """Stop answering; afterwards nothing listens on the port."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        mirror = self.server.mirror
        mirror.requests.append(self.path)
        file = mirror.folder / self.path.lstrip("/")
        if mirror.mode == "hang":
            mirror.release.wait(timeout=30)
            return
        if mirror.mode == "404" or not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        if mirror.mode == "wrong-bytes":
            body = gzip.compress(b"\0\0\x08\x01\0\0\0\x03" + b"abc")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mirror.mode == "drop":
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        """Keep the test output quiet."""


@pytest.fixture
def start_mirror():
    """Start local mirrors: ``start_mirror(folder, mode="serve") -> Mirror``; all stop after."""
    mirrors = []

    def start(folder, mode="serve"):
        mirrors.append(Mirror(folder, mode))
        return mirrors[-1]

    yield start
    for mirror in mirrors:
        mirror.stop()

"""The real download code path, against local mirrors on 127.0.0.1 that work or misbehave."""

import gzip

import numpy as np
import pytest

import mnistnet.download
from mnistnet.data import clear_cache, load_mnist
from mnistnet.download import MNIST_SHA256, download_mnist, mirror_list, sha256
from mnistnet.errors import DownloadError
from mnistnet.idx import idx_bytes

FILES = [f"{name}.gz" for name in MNIST_SHA256]


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    """A folder of four tiny MNIST-shaped files (5 and 3 digits); the checksums expect them."""
    served = tmp_path / "served"
    served.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.array([5, 0, 4, 1, 9], dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.array([7, 2, 1], dtype=np.uint8),
    }
    for name, array in arrays.items():
        (served / f"{name}.gz").write_bytes(gzip.compress(idx_bytes(array)))
        monkeypatch.setitem(MNIST_SHA256, name, sha256(idx_bytes(array)))
    monkeypatch.setattr(mnistnet.download, "RETRY_PAUSE", 0.0)
    return served


def files_in(folder):
    return sorted(path.name for path in folder.iterdir())


def assert_verified(folder):
    """The folder holds exactly the four files, each decompressing to the expected contents."""
    assert files_in(folder) == sorted(FILES)
    for name, digest in MNIST_SHA256.items():
        assert sha256(gzip.decompress((folder / f"{name}.gz").read_bytes())) == digest


def test_downloads_and_verifies_the_real_files(shared_mnist_dir, start_mirror, tmp_path):
    mirror = start_mirror(shared_mnist_dir)
    folder = download_mnist(tmp_path / "data", mirrors=[mirror.url], progress=False)
    assert folder == tmp_path / "data"
    assert_verified(folder)
    assert sorted(mirror.requests) == sorted(f"/{name}" for name in FILES)


def test_first_mirror_404_then_second_serves(tiny_mnist, start_mirror, tmp_path):
    missing, good = start_mirror(tiny_mnist, "404"), start_mirror(tiny_mnist)
    download_mnist(tmp_path / "data", mirrors=[missing.url, good.url], progress=False)
    assert_verified(tmp_path / "data")
    assert missing.requests and len(good.requests) == 4


def test_wrong_bytes_are_skipped_and_not_kept(tiny_mnist, start_mirror, tmp_path):
    wrong, good = start_mirror(tiny_mnist, "wrong-bytes"), start_mirror(tiny_mnist)
    download_mnist(tmp_path / "data", mirrors=[wrong.url, good.url], progress=False)
    assert_verified(tmp_path / "data")  # the good copies, nothing else
    assert wrong.requests


def test_only_wrong_bytes_leave_no_file(tiny_mnist, start_mirror, tmp_path):
    wrong = start_mirror(tiny_mnist, "wrong-bytes")
    with pytest.raises(DownloadError, match="SHA-256 mismatch"):
        download_mnist(tmp_path / "data", mirrors=[wrong.url], progress=False)
    assert files_in(tmp_path / "data") == []


def test_connection_dropped_mid_file_leaves_no_file(tiny_mnist, start_mirror, tmp_path):
    dropping = start_mirror(tiny_mnist, "drop")
    with pytest.raises(DownloadError, match="connection closed after"):
        download_mnist(tmp_path / "data", mirrors=[dropping.url], progress=False, retries=0)
    assert files_in(tmp_path / "data") == []


def test_dropped_connection_is_retried_then_next_mirror_used(tiny_mnist, start_mirror, tmp_path):
    dropping, good = start_mirror(tiny_mnist, "drop"), start_mirror(tiny_mnist)
    download_mnist(tmp_path / "data", mirrors=[dropping.url, good.url], progress=False, retries=1)
    assert_verified(tmp_path / "data")
    assert dropping.requests == ["/train-images-idx3-ubyte.gz"] * 2  # tried twice, then skipped


def test_timeout_moves_on_to_the_next_mirror(tiny_mnist, start_mirror, tmp_path):
    silent, good = start_mirror(tiny_mnist, "hang"), start_mirror(tiny_mnist)
    download_mnist(tmp_path / "data", mirrors=[silent.url, good.url], progress=False,
                   timeout=0.3, retries=0)
    assert_verified(tmp_path / "data")
    assert len(silent.requests) == 1  # the mirror that worked is asked first afterwards


def test_all_mirrors_failing_lists_every_attempt_and_what_to_do(tiny_mnist, start_mirror, tmp_path):
    missing, wrong = start_mirror(tiny_mnist, "404"), start_mirror(tiny_mnist, "wrong-bytes")
    dead = start_mirror(tiny_mnist)
    dead.stop()  # nothing listens there any more
    folder = tmp_path / "data"
    with pytest.raises(DownloadError) as caught:
        download_mnist(folder, mirrors=[missing.url, wrong.url, dead.url], progress=False)
    message = str(caught.value)
    first = "train-images-idx3-ubyte.gz"
    assert f"{missing.url}{first}: HTTP error 404" in message
    assert f"{wrong.url}{first}: it sent the wrong contents" in message
    assert f"{dead.url}{first}: cannot connect" in message
    assert str(folder) in message and all(name in message for name in FILES)


def test_second_load_reads_the_cache_without_network(tiny_mnist, start_mirror, tmp_path,
                                                      monkeypatch, capsys):
    mirror = start_mirror(tiny_mnist)
    monkeypatch.setenv("MNISTNET_MIRRORS", mirror.url)
    folder = tmp_path / "data"
    clear_cache()
    first = load_mnist(folder)
    mirror.stop()
    clear_cache()  # make the second load read the files again
    second = load_mnist(folder)
    assert first.source == second.source == "full"
    assert second.train_labels.tolist() == [5, 0, 4, 1, 9]
    assert len(mirror.requests) == 4
    assert "sample" not in capsys.readouterr().out
    clear_cache()


def test_damaged_cached_file_is_reported_and_fetched_again(tiny_mnist, start_mirror, tmp_path,
                                                           capsys):
    mirror = start_mirror(tiny_mnist)
    folder = download_mnist(tmp_path / "data", mirrors=[mirror.url], progress=False)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\0\0\x08\x01\0\0\0\0"))
    download_mnist(folder, mirrors=[mirror.url], progress=False)
    report = capsys.readouterr().out
    assert report.count("\n") == 1 and "t10k-labels-idx1-ubyte.gz" in report
    assert_verified(folder)
    assert mirror.requests[-1] == "/t10k-labels-idx1-ubyte.gz" and len(mirror.requests) == 5


def test_interrupted_download_leaves_no_file(tiny_mnist, start_mirror, tmp_path, monkeypatch):
    def interrupt(data):
        raise KeyboardInterrupt  # as if Ctrl-C came while checking the downloaded file

    mirror = start_mirror(tiny_mnist)
    monkeypatch.setattr(mnistnet.download, "sha256", interrupt)
    with pytest.raises(KeyboardInterrupt):
        download_mnist(tmp_path / "data", mirrors=[mirror.url], progress=False)
    assert files_in(tmp_path / "data") == []


def test_verified_folder_is_used_without_network_or_writing(shared_mnist_dir, start_mirror):
    mirror = start_mirror(shared_mnist_dir)
    before = {path.name: path.stat().st_mtime_ns for path in shared_mnist_dir.iterdir()}
    folder = download_mnist(shared_mnist_dir, mirrors=[mirror.url], progress=False)
    assert folder == shared_mnist_dir
    after = {path.name: path.stat().st_mtime_ns for path in shared_mnist_dir.iterdir()}
    assert before == after and mirror.requests == []


def test_uncompressed_files_are_accepted(tiny_mnist, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in FILES:
        contents = gzip.decompress((tiny_mnist / name).read_bytes())
        (folder / name.removesuffix(".gz")).write_bytes(contents)
    download_mnist(folder, mirrors=["http://127.0.0.1:9/"], progress=False)  # no download needed


def test_mirrors_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MNISTNET_MIRRORS", "http://a.example/mnist, file:///srv/mnist/")
    assert mirror_list() == ["http://a.example/mnist/", "file:///srv/mnist/"]
    assert mirror_list(["https://b.example/x/"]) == ["https://b.example/x/"]


def test_public_mirrors_by_default(monkeypatch):
    monkeypatch.delenv("MNISTNET_MIRRORS")
    assert mirror_list()[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"


@pytest.mark.parametrize("mirrors", ["ftp://old.example/", " , "])
def test_bad_mirror_list_is_explained(mirrors):
    with pytest.raises(ValueError, match="mirror"):
        mirror_list(mirrors)

"""``python -m mnistnet download``: fetches, checks, says where; fails clearly without a mirror."""

import gzip
import os
import subprocess
import sys

from mnistnet.cli import main
from mnistnet.download import MNIST_SHA256, sha256


def run_cli(*args, mirrors):
    """Run the real command in a new process with MNISTNET_MIRRORS set; return the result."""
    environment = {**os.environ, "MNISTNET_MIRRORS": mirrors}
    return subprocess.run([sys.executable, "-m", "mnistnet", "download", *args],
                          capture_output=True, text=True, env=environment, timeout=120)


def test_download_fetches_checks_and_says_where(shared_mnist_dir, start_mirror, tmp_path):
    mirror = start_mirror(shared_mnist_dir)
    result = run_cli("--data-dir", str(tmp_path / "data"), "--no-progress", mirrors=mirror.url)
    assert result.returncode == 0, result.stderr
    assert f"MNIST is ready in {tmp_path / 'data'}" in result.stdout
    for name, digest in MNIST_SHA256.items():
        path = tmp_path / "data" / f"{name}.gz"
        assert str(path) in result.stdout
        assert sha256(gzip.decompress(path.read_bytes())) == digest


def test_download_without_a_mirror_fails_clearly(start_mirror, tmp_path):
    missing = start_mirror(tmp_path, "404")
    result = run_cli("--data-dir", str(tmp_path / "data"), mirrors=missing.url)
    assert result.returncode == 1
    assert "Could not download MNIST from any mirror" in result.stderr
    assert f"{missing.url}train-images-idx3-ubyte.gz: HTTP error 404" in result.stderr
    assert str(tmp_path / "data") in result.stderr
    assert "Traceback" not in result.stderr


def test_files_already_there_need_no_network(shared_mnist_dir, start_mirror, monkeypatch, capsys):
    mirror = start_mirror(shared_mnist_dir)
    monkeypatch.setenv("MNISTNET_MIRRORS", mirror.url)
    assert main(["download", "--data-dir", str(shared_mnist_dir)]) == 0
    assert str(shared_mnist_dir / "train-images-idx3-ubyte.gz") in capsys.readouterr().out
    assert mirror.requests == []


def test_bad_mirror_setting_is_explained(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNISTNET_MIRRORS", "ftp://old.example/mnist/")
    assert main(["download", "--data-dir", str(tmp_path)]) == 1
    assert "must be an http://, https:// or file: URL" in capsys.readouterr().err


def test_ctrl_c_during_the_download_exits_130_with_one_plain_line(tmp_path, capsys,
                                                                   monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("mnistnet.cli.download.download_mnist", interrupted)
    try:
        code = main(["download", "--data-dir", str(tmp_path)])
    except KeyboardInterrupt:               # not raised on: it would stop the whole test run
        code = "a traceback"
    assert code == 130
    assert capsys.readouterr().err == "Interrupted; no half-downloaded file was kept.\n"

"""Tests for mnistnet.saving: round trips, atomic writes, and files that must be refused."""

import json
import os
import stat
import zipfile

import numpy as np
import pytest

from mnistnet.errors import ModelFileError
from mnistnet.network import Network
from mnistnet.saving import load_history, load_network, save_network
from mnistnet.train import History

X = np.random.default_rng(0).random((5, 6))


def saved(tmp_path, **kwargs):
    net = Network([6, 4, 3], rng=0, **kwargs)
    path = tmp_path / "net.npz"
    save_network(net, path)
    return net, path


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip(tmp_path, dtype):
    net, path = saved(tmp_path, activation="tanh", cost="cross_entropy", init="normal",
                      dtype=dtype)
    loaded = load_network(path)
    assert (loaded.sizes, loaded.activation, loaded.cost, loaded.init, loaded.dtype) == (
        [6, 4, 3], "tanh", "cross_entropy", "normal", np.dtype(dtype))
    for a, b in zip(loaded.weights + loaded.biases, net.weights + net.biases):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == dtype
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))


def test_history_round_trip(tmp_path):
    history = History(batch_costs=[0.5, 0.25], epoch_costs=[0.375], test_accuracies=[0.9],
                      epoch_times=[1.5], epochs_done=1, message="Trained 1 epoch in 1.5 s.",
                      settings={"epochs": 1, "learning_rate": 3.0, "raw_pixels": False})
    path = tmp_path / "net.npz"
    save_network(Network([6, 3], rng=0), path, history)
    assert load_history(path) == history


def test_no_history_saved_gives_none(tmp_path):
    _, path = saved(tmp_path)
    assert load_history(path) is None


def test_file_holds_only_plain_arrays(tmp_path):
    _, path = saved(tmp_path)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W1", "W2", "b1", "b2", "meta"]
        assert all(npz[name].dtype != object for name in npz.files)
        assert json.loads(str(npz["meta"]))["sizes"] == [6, 4, 3]


def test_write_is_atomic_and_overwrites(tmp_path):
    _, path = saved(tmp_path)
    save_network(Network([6, 2], rng=1), path)            # replace the file
    assert load_network(path).sizes == [6, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]   # no temporary left behind


def test_saved_file_gets_the_permissions_of_a_plain_open(tmp_path):
    # A teacher's saved model in a shared folder must be as readable as any file they write.
    old_umask = os.umask(0o022)
    try:
        _, path = saved(tmp_path)
        plain = tmp_path / "plain.txt"
        with open(plain, "w") as file:
            file.write("hello")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o644


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    _, path = saved(tmp_path)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        save_network(Network([6, 2], rng=1), path)
    assert load_network(path).sizes == [6, 4, 3]
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no saved network at"):
        load_network(tmp_path / "nothing.npz")


def test_text_file_is_refused(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(ModelFileError, match="is not an .npz file"):
        load_network(path)


def test_pickle_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    path.write_bytes(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94.")  # pickle of {}
    with pytest.raises(ModelFileError, match="pickled data, which mnistnet never loads"):
        load_network(path)


def test_pickled_array_inside_an_npz_is_refused(tmp_path):
    _, path = saved(tmp_path)
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["W1"] = np.array([{"not": "numbers"}], dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match="pickled data"):
        load_network(path)


def test_truncated_file_is_refused(tmp_path):
    _, path = saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="damaged .perhaps truncated"):
        load_network(path)


def rewrite(path, **changes):
    """Rewrite the saved file with some arrays replaced (None removes one)."""
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    for name, value in changes.items():
        if value is None:
            arrays.pop(name)
        else:
            arrays[name] = value
    np.savez(path, **arrays)


def test_wrong_shape_is_refused(tmp_path):
    net, path = saved(tmp_path)
    rewrite(path, W1=net.weights[0].T.copy())
    with pytest.raises(ModelFileError, match=r"W1 should have shape \(4, 6\).*got shape \(6, 4\)"):
        load_network(path)


def test_wrong_dtype_is_refused(tmp_path):
    net, path = saved(tmp_path)
    rewrite(path, b2=net.biases[1].astype(np.float64))
    with pytest.raises(ModelFileError, match="b2 should have .*dtype float32.*float64"):
        load_network(path)


def test_missing_array_is_refused(tmp_path):
    _, path = saved(tmp_path)
    rewrite(path, W2=None)
    with pytest.raises(ModelFileError, match="array W2 is missing"):
        load_network(path)


def test_some_other_npz_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x=np.arange(3))
    with pytest.raises(ModelFileError, match="'meta' is missing"):
        load_network(path)


@pytest.mark.parametrize("change, match", [
    ({"format": "something"}, "format is 'something'"),
    ({"version": 99}, "format version 99"),
    ({"sizes": [6]}, "sizes must be a list of at least 2 positive ints"),
    ({"dtype": "int8"}, "dtype must be float32 or float64"),
    ({"activation": "softplus"}, "unknown activation 'softplus'"),
])
def test_bad_description_is_refused(tmp_path, change, match):
    _, path = saved(tmp_path)
    with np.load(path) as npz:
        meta = json.loads(str(npz["meta"]))
    meta.update(change)
    rewrite(path, meta=np.array(json.dumps(meta)))
    with pytest.raises(ModelFileError, match=match):
        load_network(path)


def test_non_finite_weights_are_refused(tmp_path):
    net, path = saved(tmp_path)
    W = net.weights[0].copy()
    W[0, 0] = np.nan
    rewrite(path, W1=W)
    with pytest.raises(ModelFileError, match="finite"):
        load_network(path)


def test_zip_without_npy_files_is_refused(tmp_path):
    path = tmp_path / "archive.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError):
        load_network(path)

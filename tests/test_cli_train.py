"""Tests for `python -m mnistnet train` and `python -m mnistnet evaluate`."""

import errno
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from mnistnet.cli import main
from mnistnet.network import Network
from mnistnet.saving import load_history, load_network, save_network
from mnistnet.train import Trainer

ACCURACY_LINE = re.compile(r"^test accuracy: (0\.\d{4}|1\.0000)$", re.MULTILINE)


def accuracy_in(text):
    match = ACCURACY_LINE.search(text)
    assert match, f"no 'test accuracy: 0.xxxx' line in:\n{text}"
    return float(match.group(1))


def test_train_on_the_sample_saves_and_evaluates_alike(tmp_path, capsys):
    path = tmp_path / "videos.npz"
    code = main(["train", "--sample", "--epochs", "1", "--no-progress", "--save", str(path)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("test accuracy: ")
    trained = accuracy_in(out)
    assert trained > 0.7                       # 1 epoch of the videos' network on 10,000 digits
    net = load_network(path)
    assert net.sizes == [784, 16, 16, 10] and net.init == "xavier"
    assert load_history(path).settings["raw_pixels"] is False
    assert main(["evaluate", str(path), "--sample"]) == 0
    assert accuracy_in(capsys.readouterr().out) == trained


def test_options_override_the_preset(tmp_path, capsys):
    path = tmp_path / "net.npz"
    code = main(["train", "--sample", "--sizes", "784,20,10", "--activation", "relu",
                 "--cost", "cross_entropy", "--epochs", "1", "--batch-size", "50",
                 "--learning-rate", "0.1", "--momentum", "0.9", "--weight-decay", "1e-4",
                 "--seed", "3", "--dtype", "float64", "--no-progress", "--save", str(path)])
    assert code == 0
    net, settings = load_network(path), load_history(path).settings
    assert (net.sizes, net.activation, net.cost, net.init, net.dtype) == (
        [784, 20, 10], "relu", "cross_entropy", "he", np.float64)
    assert settings["batch_size"] == 50 and settings["momentum"] == 0.9
    assert settings["weight_decay"] == 1e-4 and settings["seed"] == 3
    assert accuracy_in(capsys.readouterr().out) > 0.8


def test_original_preset_uses_raw_pixels_and_evaluate_follows(tmp_path, capsys):
    path = tmp_path / "original.npz"
    assert main(["train", "--sample", "--preset", "original", "--no-progress",
                 "--save", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 epoch, batch size 100, learning rate 0.1" in out and "raw pixels" in out
    trained = accuracy_in(out)
    assert load_network(path).init == "uniform"
    assert main(["evaluate", str(path), "--sample"]) == 0
    out = capsys.readouterr().out
    assert "raw pixels" in out and accuracy_in(out) == trained


def test_a_presets_learning_rate_drop_is_announced_when_it_will_happen(capsys):
    options = ["train", "--sample", "--preset", "best", "--sizes", "784,10", "--no-progress"]
    assert main(options + ["--epochs", "11"]) == 0
    assert "learning rate 0.05 (× 0.1 from epoch 11)," in capsys.readouterr().out
    assert main(options + ["--epochs", "2"]) == 0        # the drop at epoch 11 never comes
    assert "learning rate 0.05, momentum" in capsys.readouterr().out


def test_progress_bar_is_shown(capsys):
    assert main(["train", "--sample", "--epochs", "1", "--batch-size", "100"]) == 0
    assert "epoch 1/1" in capsys.readouterr().err


@pytest.mark.parametrize("options, message", [
    (["--sizes", "3,4"], "MNIST needs 784 inputs first and 10 outputs last"),
    (["--sizes", "784,x,10"], "expected whole numbers separated by commas"),
    (["--sizes", "784,0,10"], "at least 2 positive layer sizes"),
    (["--learning-rate", "-1"], "argument --learning-rate: expected a number > 0"),
    (["--epochs", "0"], "argument --epochs: expected a whole number >= 1"),
    (["--batch-size", "ten"], "argument --batch-size: expected a whole number >= 1"),
    (["--momentum", "1"], r"argument --momentum: expected a number in \[0, 1\)"),
    (["--weight-decay", "-0.1"], "argument --weight-decay: expected a number >= 0"),
    (["--seed", "-1"], "argument --seed: expected a whole number >= 0"),
    (["--preset", "best2"], "argument --preset: invalid choice"),
    (["--activation", "softplus"], "argument --activation: invalid choice"),
])
def test_bad_options_give_usage_not_traceback(capsys, options, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *options])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m mnistnet train")
    assert re.search(message, err)
    assert "Traceback" not in err


def test_save_into_a_missing_folder_is_a_plain_error(tmp_path, capsys):
    code = main(["train", "--sample", "--save", str(tmp_path / "no" / "net.npz")])
    assert code == 2
    err = capsys.readouterr().err
    assert "the folder" in err and "does not exist" in err and "--help" in err


def test_evaluate_refuses_a_file_that_is_not_a_network(tmp_path, capsys):
    path = tmp_path / "x.npz"
    path.write_text("not a network")
    assert main(["evaluate", str(path)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {path} is not an .npz file")
    assert main(["evaluate", str(tmp_path / "missing.npz")]) == 1
    assert "no saved network at" in capsys.readouterr().err


def test_evaluate_refuses_a_network_of_the_wrong_size(tmp_path, capsys):
    path = tmp_path / "small.npz"
    save_network(Network([4, 3], rng=0), path)
    assert main(["evaluate", str(path), "--sample"]) == 1
    assert "MNIST needs 784 inputs and 10 outputs" in capsys.readouterr().err


def test_python_dash_m_runs_end_to_end(tmp_path):
    # The real entry point, in a fresh process: bad options exit 2 with a usage message.
    result = subprocess.run([sys.executable, "-m", "mnistnet", "train", "--epochs", "-3"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_save_to_an_existing_folder_is_refused_before_training(tmp_path, capsys):
    code = main(["train", "--sample", "--epochs", "1", "--no-progress", "--save", str(tmp_path)])
    assert code == 2
    out, err = capsys.readouterr()
    assert f"error: cannot save to {tmp_path}: it is a folder" in err
    assert str(tmp_path / "network.npz") in err and "--help" in err
    assert "training" not in out                # refused before any training started


def test_a_save_that_fails_after_training_says_the_network_was_not_saved(
        tmp_path, monkeypatch, capsys):
    path = tmp_path / "net.npz"

    def disk_full(network, path, history=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr("mnistnet.cli.train.save_network", disk_full)
    code = main(["train", "--sample", "--epochs", "1", "--no-progress", "--save", str(path)])
    assert code == 1
    out, err = capsys.readouterr()
    assert f"error: could not save the network to {path}" in err
    assert os.strerror(errno.ENOSPC) in err and "the trained network was not saved" in err
    assert "Traceback" not in err
    accuracy_in(out)                            # the accuracy is still reported
    assert not path.exists()


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_bad_mirror_setting_is_the_same_plain_error_as_in_download(
        command, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNISTNET_MIRRORS", "ftp://example.org/mnist")
    empty = str(tmp_path / "empty")             # no MNIST files here, so loading must download
    assert main(["download", "--data-dir", empty, "--no-progress"]) == 1
    download_err = capsys.readouterr().err
    network_file = tmp_path / "net.npz"
    save_network(Network([784, 10], rng=0), network_file)
    options = {"train": ["train", "--epochs", "1", "--no-progress"],
               "evaluate": ["evaluate", str(network_file)]}[command]
    assert main([*options, "--data-dir", empty]) == 1
    err = capsys.readouterr().err
    assert err == download_err
    assert err.startswith("error: A mirror must be an http://, https:// or file: URL")
    assert len(err.strip().splitlines()) == 1


def test_ctrl_c_during_training_exits_130_and_saves_the_weights_so_far(
        tmp_path, monkeypatch, capsys):
    # Ctrl-C arrives as a KeyboardInterrupt in the middle of the 3rd mini-batch.
    path, calls, train_batch = tmp_path / "net.npz", [], Trainer._train_batch

    def interrupted_at_the_third_batch(trainer):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return train_batch(trainer)

    monkeypatch.setattr(Trainer, "_train_batch", interrupted_at_the_third_batch)
    try:
        code = main(["train", "--sample", "--epochs", "2", "--no-progress", "--save", str(path)])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped `train` as a KeyboardInterrupt")
    assert code == 130                          # so `train && evaluate` stops here
    out, err = capsys.readouterr()
    assert "Training was interrupted in epoch 1" in err
    assert f"saved the weights trained so far to {path}" in out
    assert load_history(path).stopped is True
    accuracy_in(out)


@pytest.mark.parametrize("command", [["train"], ["evaluate", "NETWORK"]])
def test_ctrl_c_while_getting_the_data_exits_130_without_a_traceback(tmp_path, capsys,
                                                                     monkeypatch, command):
    path = tmp_path / "net.npz"
    save_network(Network([784, 10, 10], rng=0), path)
    command = [str(path) if word == "NETWORK" else word for word in command]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("mnistnet.cli.options.load_mnist", interrupted)
    try:
        code = main([*command, "--data-dir", str(tmp_path / "data")])
    except SystemExit as exit_info:
        code = exit_info.code
    except KeyboardInterrupt:               # not raised on: it would stop the whole test run
        pytest.fail("Ctrl-C escaped the command as a traceback")
    assert code == 130
    assert capsys.readouterr().err == "Interrupted; no half-downloaded file was kept.\n"

"""Saving a trained network to one ``.npz`` file, and loading it back safely.

The file holds plain arrays only (no pickle, so loading a file cannot run code):

- ``meta``: a JSON string with the format name and version, ``sizes``, ``activation``,
  ``cost``, ``init`` and ``dtype``;
- ``W1`` … ``WL`` and ``b1`` … ``bL``: the weights and biases of layers 1 … L;
- ``history`` (optional): the training ``History`` as a JSON string.

Loading uses ``np.load(..., allow_pickle=False)`` and checks every array's shape and dtype
against the stored sizes; anything else raises ``mnistnet.errors.ModelFileError`` saying why.
Writes go to a temporary file that replaces the target only once complete (the same
``write_atomically`` that writes IDX files), so a saved file gets the usual permissions.
"""

import dataclasses
import io
import json
from pathlib import Path

import numpy as np

from mnistnet.errors import ModelFileError
from mnistnet.idx import write_atomically
from mnistnet.network import Network
from mnistnet.train import History

FORMAT = "mnistnet.network"
VERSION = 1


def save_network(network, path, history=None):
    """Write ``network`` (and optionally its training ``history``) to the ``.npz`` file ``path``.

    The write is atomic: a crash leaves either the old file or the new one, never half of one.
    The file gets the permissions of any file you create (usually readable by everyone), so
    a model saved in a shared folder can be loaded by others.
    """
    path = Path(path)
    meta = dict(format=FORMAT, version=VERSION, sizes=network.sizes,
                activation=network.activation, cost=network.cost, init=network.init,
                dtype=network.dtype.name)
    arrays = {"meta": np.array(json.dumps(meta))}
    for l, (W, b) in enumerate(zip(network.weights, network.biases), start=1):
        arrays[f"W{l}"], arrays[f"b{l}"] = W, b
    if history is not None:
        arrays["history"] = np.array(json.dumps(dataclasses.asdict(history)))
    buffer = io.BytesIO()            # a network is a few MB at most: build the file in memory
    np.savez(buffer, **arrays)
    write_atomically(path, buffer.getvalue())


def load_network(path):
    """Read a network saved by ``save_network``, checking every array.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ModelFileError
        If the file is not a network saved by mnistnet (not an .npz, truncated, pickled
        data, missing or misshapen arrays).
    """
    contents = _read(path)
    meta = _meta(path, contents)
    sizes, dtype = meta["sizes"], np.dtype(meta["dtype"])
    weights, biases = [], []
    for l in range(1, len(sizes)):
        weights.append(_array(path, contents, f"W{l}", (sizes[l], sizes[l - 1]), dtype))
        biases.append(_array(path, contents, f"b{l}", (sizes[l],), dtype))
    try:
        return Network.from_parameters(weights, biases, activation=meta["activation"],
                                       cost=meta["cost"], init=meta["init"], dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path} holds an invalid network: {error}") from None


def load_history(path):
    """The training ``History`` saved with the network in ``path``, or None if there is none."""
    contents = _read(path)
    _meta(path, contents)
    if "history" not in contents:
        return None
    try:
        fields = json.loads(str(contents["history"]))
        return History(**fields)
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"{path} has a damaged training history ({error}).") from None


def _read(path):
    """Every array in the file, as a dict; ModelFileError if it is not a readable .npz."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved network at {path}: the file does not exist.")
    hint = "Save networks with mnistnet.saving.save_network (or `python -m mnistnet train --save`)."
    with open(path, "rb") as file:
        start = file.read(4)
    if start.startswith(b"\x80"):                 # how every modern pickle begins
        raise ModelFileError(f"{path} contains pickled data, which mnistnet never loads "
                             f"(it could run code). {hint}")
    if start != b"PK\x03\x04":                    # how every .npz (a zip archive) begins
        raise ModelFileError(f"{path} is not an .npz file, so not a saved network. {hint}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except ValueError as error:
        if "pickle" in str(error):
            raise ModelFileError(f"{path} contains pickled data, which mnistnet never loads "
                                 f"(it could run code). {hint}") from None
        raise ModelFileError(f"{path} is not a saved network ({error}). {hint}") from None
    except Exception as error:   # zipfile, zlib and OS errors of a damaged or truncated file
        raise ModelFileError(f"{path} is not a saved network or is damaged (perhaps "
                             f"truncated): {type(error).__name__}: {error}. {hint}") from None


def _meta(path, contents):
    """The checked description of the network stored in ``meta``."""
    try:
        meta = json.loads(str(contents["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"format is {meta.get('format')!r}, not {FORMAT!r}")
        if meta.get("version") != VERSION:
            raise ValueError(f"format version {meta.get('version')!r}; this mnistnet reads "
                             f"version {VERSION}")
        sizes = meta["sizes"]
        if not (isinstance(sizes, list) and len(sizes) >= 2
                and all(isinstance(s, int) and s > 0 for s in sizes)):
            raise ValueError(f"sizes must be a list of at least 2 positive ints, got {sizes!r}")
        if meta["dtype"] not in ("float32", "float64"):
            raise ValueError(f"dtype must be float32 or float64, got {meta['dtype']!r}")
        for key in ("activation", "cost", "init"):
            if not isinstance(meta[key], str):
                raise ValueError(f"{key} must be a name, got {meta[key]!r}")
    except KeyError as error:
        raise ModelFileError(f"{path} is not a saved network: {error} is missing.") from None
    except (ValueError, TypeError, AttributeError) as error:
        raise ModelFileError(f"{path} is not a saved network: {error}.") from None
    return meta


def _array(path, contents, name, shape, dtype):
    """The array ``name``, checked to have the expected shape and dtype."""
    if name not in contents:
        raise ModelFileError(f"{path} is not a complete saved network: array {name} is missing.")
    array = contents[name]
    if array.shape != shape or array.dtype != dtype:
        raise ModelFileError(f"{path}: array {name} should have shape {shape} and dtype "
                             f"{dtype}, got shape {array.shape} and dtype {array.dtype}.")
    return array

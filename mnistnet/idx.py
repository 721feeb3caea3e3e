"""Read and write IDX files, the simple binary format MNIST is stored in.

An IDX file is a short header followed by the numbers themselves, every number big-endian
(most significant byte first)::

    bytes 0-1   0x00 0x00          always two zero bytes
    byte  2     type code          0x08 unsigned byte, 0x09 signed byte, 0x0B short (2 bytes),
                                   0x0C int (4 bytes), 0x0D float (4 bytes), 0x0E double (8 bytes)
    byte  3     ndim               how many dimensions the array has
    4 * ndim    the dimensions     one 4-byte unsigned int each, e.g. 60000, 28, 28
    the rest    the data           row after row (C order): prod(dims) numbers of the type

The MNIST training images, for example, start ``00 00 08 03 | 00 00 ea 60 | 00 00 00 1c |
00 00 00 1c``: unsigned bytes, 3 dimensions, 60000 x 28 x 28. Files may also be
gzip-compressed (the ``.gz`` files the mirrors serve); the reader recognises gzip by its first
two bytes, 0x1f 0x8b, whatever the file is called. Lesson 1 reads a header by hand.
"""

import gzip
import os
import secrets
import zlib
from pathlib import Path

import numpy as np

from mnistnet.errors import IDXFormatError

# Type code -> numpy dtype as stored in the file (">" means big-endian).
DTYPES = {
    0x08: np.dtype(">u1"),  # unsigned byte: MNIST pixels and labels
    0x09: np.dtype(">i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}
GZIP_MAGIC = b"\x1f\x8b"


def gunzip_if_needed(data, name="<bytes>"):
    """The IDX bytes inside ``data``: decompressed if it is gzip, unchanged otherwise.

    Parameters
    ----------
    data : bytes
        The contents of a file, compressed or not.
    name : str or Path
        What to call the file in error messages.

    Raises
    ------
    IDXFormatError
        If ``data`` starts like gzip but cannot be decompressed (damaged or cut short).
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise IDXFormatError(
            f"{name} is a damaged gzip file ({error}). Delete it and download it again."
        ) from None


def parse_header(data, name="<bytes>"):
    """Read the header of IDX bytes: the type of the numbers and the array's shape.

    Parameters
    ----------
    data : bytes
        Uncompressed IDX bytes (at least the header).
    name : str or Path
        What to call the file in error messages.

    Returns
    -------
    dtype : numpy.dtype
        The big-endian type of the numbers, from byte 2.
    shape : tuple of int
        One size per dimension, from the 4-byte integers after byte 3.
    header_size : int
        Where the data starts: ``4 + 4 * ndim`` bytes.
    """
    if len(data) == 0:
        raise IDXFormatError(f"{name} is empty: an IDX file has at least a 4-byte header.")
    if len(data) < 4:
        raise IDXFormatError(
            f"{name} is cut short: it has {len(data)} bytes, but the IDX header alone "
            "starts with 4 (two zero bytes, a type code, the number of dimensions)."
        )
    if data[0] != 0 or data[1] != 0:
        raise IDXFormatError(
            f"{name} is not an IDX file: it must start with two zero bytes, "
            f"got 0x{data[0]:02x} 0x{data[1]:02x}."
        )
    type_code, ndim = data[2], data[3]
    if type_code not in DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in DTYPES)
        raise IDXFormatError(
            f"{name} has the unknown type code 0x{type_code:02X} in byte 2; "
            f"IDX knows {known}."
        )
    if ndim == 0:
        raise IDXFormatError(f"{name} says it has 0 dimensions (byte 3); it needs at least 1.")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXFormatError(
            f"{name} is cut short in its header: {ndim} dimensions need {header_size} "
            f"header bytes, but the file has only {len(data)}."
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return DTYPES[type_code], shape, header_size


def parse_idx(data, name="<bytes>"):
    """Turn IDX bytes into the numpy array they describe, checking every part.

    Parameters
    ----------
    data : bytes
        Uncompressed IDX bytes (use ``gunzip_if_needed`` first for ``.gz`` contents).
    name : str or Path
        What to call the file in error messages.

    Returns
    -------
    numpy.ndarray
        A new array of the file's shape and type in native byte order, e.g. the
        ``(60000, 28, 28)`` uint8 MNIST training images.

    Raises
    ------
    IDXFormatError
        If the header is wrong or the data is shorter or longer than the header says.
    """
    dtype, shape, header_size = parse_header(data, name)
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize  # Python ints: no overflow
    found = len(data) - header_size
    if found != expected:
        problem = "is cut short" if found < expected else "has extra bytes at the end"
        raise IDXFormatError(
            f"{name} {problem}: its header says shape {shape} of {dtype.name}, which is "
            f"{expected:,} bytes of data, but {found:,} bytes follow the header."
        )
    try:
        array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    except ValueError:  # e.g. shape (2**30, 2**30, 0): no data, yet too big for numpy
        raise IDXFormatError(f"{name} has the shape {shape}, too big for numpy.") from None
    return array.astype(dtype.newbyteorder("="))  # a writable copy in the machine's byte order


def read_idx(path):
    """Read an IDX file (``.gz`` or raw) into a numpy array.

    Parameters
    ----------
    path : str or Path
        The file, e.g. ``train-labels-idx1-ubyte.gz``. Compression is recognised from the
        contents, not the name.

    Returns
    -------
    numpy.ndarray
        What the file holds: for MNIST, uint8 images ``(n, 28, 28)`` or labels ``(n,)``.

    Raises
    ------
    IDXFormatError
        If the file is not a valid IDX file; the message names the file and the problem.
    FileNotFoundError
        If there is no such file.
    """
    path = Path(path)
    return parse_idx(gunzip_if_needed(path.read_bytes(), path), path)


def idx_bytes(array):
    """Encode an array as IDX bytes: the header, then the numbers big-endian.

    Parameters
    ----------
    array : array_like
        At least one dimension, of type uint8, int8, int16, int32, float32 or float64.

    Returns
    -------
    bytes
    """
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in DTYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(
            f"IDX cannot store {array.dtype} numbers; it stores uint8, int8, int16, int32, "
            "float32 and float64. Convert first, e.g. labels.astype(np.uint8)."
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX stores arrays with 1 to 255 dimensions, got {array.ndim}.")
    if max(array.shape) >= 2**32:
        raise ValueError(f"IDX dimensions must be below 2**32, got shape {array.shape}.")
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.astype(DTYPES[code], copy=False).tobytes(order="C")


def write_idx(path, array):
    """Save an array as an IDX file, gzip-compressed if ``path`` ends in ``.gz``.

    The file is written under a temporary name in the same folder and renamed at the end,
    so it is either complete or absent, never half-written. Compression stores no time
    stamp, so writing the same array twice gives identical bytes.

    Parameters
    ----------
    path : str or Path
        Where to write, e.g. ``train-labels-idx1-ubyte.gz``.
    array : array_like
        See ``idx_bytes`` for the types IDX can store.
    """
    path = Path(path)
    data = idx_bytes(array)
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=6, mtime=0)  # 9 is 10x slower, 2 % smaller
    write_atomically(path, data)


def write_atomically(path, data):
    """Write ``data`` to ``path`` through a temporary file and a rename (all or nothing)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())        # on disk before the rename, even if power fails
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)

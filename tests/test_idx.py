"""The IDX reader and writer: hand-made files, round trips, and every kind of broken file."""

import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mnistnet.errors import IDXFormatError
from mnistnet.idx import gunzip_if_needed, idx_bytes, parse_header, parse_idx, read_idx, write_idx

# A 2x3 array of unsigned bytes, written out by hand:
#   00 00        two zero bytes
#   08           type code: unsigned byte
#   02           two dimensions
#   00 00 00 02  first dimension: 2
#   00 00 00 03  second dimension: 3
#   01 02 03 04 05 ff   the six numbers, row after row
HAND_MADE = bytes.fromhex("00000802" "00000002" "00000003" "0102030405ff")

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def test_reads_a_hand_made_file():
    array = parse_idx(HAND_MADE)
    assert array.dtype == np.uint8
    np.testing.assert_array_equal(array, [[1, 2, 3], [4, 5, 255]])


def test_header_gives_type_shape_and_where_data_starts():
    dtype, shape, header_size = parse_header(HAND_MADE)
    assert (dtype.name, shape, header_size) == ("uint8", (2, 3), 12)


def test_multibyte_numbers_are_big_endian():
    # One int16 (type 0x0B) of value 258 = 0x0102: most significant byte first.
    array = parse_idx(bytes.fromhex("00000b01" "00000001" "0102"))
    assert array.tolist() == [258]
    assert array.dtype == np.int16 and array.dtype.isnative


def test_writes_the_hand_made_file_exactly():
    assert idx_bytes(np.array([[1, 2, 3], [4, 5, 255]], dtype=np.uint8)) == HAND_MADE


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_file_round_trip(tmp_path, suffix):
    array = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7
    path = tmp_path / f"numbers{suffix}"
    write_idx(path, array)
    assert path.read_bytes().startswith(b"\x1f\x8b") == (suffix == ".gz")
    np.testing.assert_array_equal(read_idx(path), array)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_gz_writing_is_deterministic(tmp_path):
    array = np.arange(1000, dtype=np.int32)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_compression_is_recognised_by_contents_not_name(tmp_path):
    # A browser may save the decompressed file under the .gz name, or the other way round.
    (tmp_path / "raw.gz").write_bytes(HAND_MADE)
    (tmp_path / "compressed").write_bytes(gzip.compress(HAND_MADE))
    np.testing.assert_array_equal(read_idx(tmp_path / "raw.gz"), read_idx(tmp_path / "compressed"))


def test_real_mnist_labels_header(shared_mnist_dir):
    labels = read_idx(shared_mnist_dir / "train-labels-idx1-ubyte.gz")
    assert labels.shape == (60000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


@pytest.mark.parametrize("data, message", [
    (b"", "is empty"),
    (b"\0\0\x08", "cut short"),
    (b"\x01\0\x08\x01\0\0\0\x01\x07", "two zero bytes"),
    (b"\0\0\x07\x01\0\0\0\x01\x07", "unknown type code 0x07"),
    (b"\0\0\x08\x00", "0 dimensions"),
    (b"\0\0\x08\x03\0\0\0\x01\0\0", "cut short in its header"),
    (HAND_MADE[:-1], "cut short: its header says shape \\(2, 3\\)"),
    (HAND_MADE + b"\0", "extra bytes"),
    (b"\0\0\x08\x03" + bytes.fromhex("ffffffff" "ffffffff" "00000000"), "too big for numpy"),
    (b"\x1f\x8b\x08\0garbage", "damaged gzip"),
    (gzip.compress(HAND_MADE)[:-5], "damaged gzip"),
])
def test_malformed_file_names_the_file_and_the_problem(tmp_path, data, message):
    path = tmp_path / "broken-idx1-ubyte.gz"
    path.write_bytes(data)
    with pytest.raises(IDXFormatError, match=message) as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("array, error, message", [
    (np.zeros(3, dtype=np.int64), TypeError, "cannot store int64"),
    (np.zeros(3, dtype=bool), TypeError, "astype"),
    (np.float32(1.0), ValueError, "1 to 255 dimensions"),
])
def test_write_refuses_what_idx_cannot_hold(tmp_path, array, error, message):
    with pytest.raises(error, match=message):
        write_idx(tmp_path / "x.idx", array)
    assert list(tmp_path.iterdir()) == []


@st.composite
def idx_arrays(draw):
    """Arrays of every IDX type with 1 to 4 dimensions (small sizes, some of them 0)."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4))
    return draw(hnp.arrays(dtype, shape))


@settings(max_examples=150, deadline=None)
@given(array=idx_arrays())
def test_round_trip_every_type_and_dimension(array):
    back = parse_idx(gunzip_if_needed(gzip.decompress(gzip.compress(idx_bytes(array)))))
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)  # NaN == NaN here, as wanted


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # files overwrite each other
@given(array=idx_arrays(), compressed=st.booleans())
def test_file_round_trip_every_type(tmp_path, array, compressed):
    path = tmp_path / ("a.gz" if compressed else "a.idx")
    write_idx(path, array)
    np.testing.assert_array_equal(read_idx(path), array)


def _only_idx_errors(data):
    """Parse ``data`` as a file would be parsed; anything but IDXFormatError fails the test."""
    try:
        parse_idx(gunzip_if_needed(data))
    except IDXFormatError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_raise_nothing_but_idx_errors(data):
    _only_idx_errors(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40).map(lambda tail: b"\0\0" + tail))
def test_random_bytes_after_zero_magic_raise_nothing_but_idx_errors(data):
    _only_idx_errors(data)


@st.composite
def mutated_files(draw):
    """A valid IDX file (maybe gzipped) with bytes flipped, cut, inserted or deleted."""
    data = idx_bytes(draw(idx_arrays()))
    if draw(st.booleans()):
        data = gzip.compress(data, mtime=0)
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[position:]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=4))
        elif data:
            del data[position]
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(mutated_files())
def test_mutated_files_raise_nothing_but_idx_errors(data):
    _only_idx_errors(data)

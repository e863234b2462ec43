"""Tests for badges.status_list (W3C Bitstring Status List v1.0 §2.1, §3.1)."""

from __future__ import annotations

import base64
import gzip
import json
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from badges import multibase
from badges.errors import InputError
from badges.status_list import MIN_LENGTH_BITS
from badges.status_list import MIN_LENGTH_BYTES
from badges.status_list import Bitstring
from badges.status_list import StatusListError
from badges.status_list import bit_at
from badges.status_list import decode_list
from badges.status_list import encode_list

VALIDATOR = Path(__file__).parent.parent / "fixtures" / "examples" / "validator"


def gz_u(raw: bytes) -> str:
    return multibase.encode(gzip.compress(raw, mtime=0), "u")


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """64 MiB of zeros, GZIP-compressed (about 64 KB)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    body = b"".join(deflater.compress(block) for _ in range(64))
    return body + deflater.flush()


# ---------------------------------------------------------------- known answer


def test_validator_testlist_known_answer() -> None:
    entry = json.loads((VALIDATOR / "ob30-status-bitstring-revoked.json").read_text())
    status = entry["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"].endswith("/testlist")
    index = int(status["statusListIndex"])
    assert index == 23

    list_vc = json.loads((VALIDATOR / "bitstring-status-list-credential.testlist.json").read_text())
    subject = list_vc["credentialSubject"]
    assert subject["statusPurpose"] == status["statusPurpose"] == "revocation"
    bits = decode_list(subject["encodedList"])

    assert len(bits) == MIN_LENGTH_BITS
    assert bits.get(index) is True
    assert bit_at(bits, index) == 1
    for other in (0, 1, 7, 16, 22, 24, 31, 1000, MIN_LENGTH_BITS - 1):
        assert bits.get(other) is False
        assert bit_at(bits, other) == 0
    # 23 is the only set bit: byte 2 is 0b00000001 (MSB first).
    raw = bytes(bits)
    assert raw[2] == 0x01
    assert raw.count(0) == len(raw) - 1


# ---------------------------------------------------------------- bit order


def test_msb_first() -> None:
    assert bit_at(b"\x80", 0) == 1
    assert [bit_at(b"\x80", i) for i in range(1, 8)] == [0] * 7
    assert [bit_at(b"\x01", i) for i in range(8)] == [0] * 7 + [1]
    assert [bit_at(b"\x00\x40", i) for i in range(16)] == [0] * 9 + [1] + [0] * 6

    bits = Bitstring(16)
    bits.set(0)
    bits.set(9)
    assert bytes(bits) == b"\x80\x40"
    bits.set(0, False)
    assert bytes(bits) == b"\x00\x40"


def test_status_size_greater_than_one() -> None:
    data = bytes([0b10110100, 0b11100000])
    assert [bit_at(data, i, 2) for i in range(8)] == [2, 3, 1, 0, 3, 2, 0, 0]
    # 3-bit entries straddle byte boundaries: 101 101 001 110 000 0
    assert [bit_at(data, i, 3) for i in range(5)] == [5, 5, 1, 6, 0]
    assert bit_at(data, 0, 16) == 0b1011010011100000
    assert bit_at(data, 1, 8) == 0b11100000


@pytest.mark.parametrize(
    ("index", "size", "code"),
    [
        (8, 1, "status_index_out_of_range"),
        (-1, 1, "status_index_out_of_range"),
        (4, 2, "status_index_out_of_range"),
        (0, 9, "status_index_out_of_range"),
        (0, 0, "status_size_invalid"),
        (0, -3, "status_size_invalid"),
    ],
)
def test_bit_at_errors(index: int, size: int, code: str) -> None:
    with pytest.raises(StatusListError) as exc:
        bit_at(b"\xff", index, size)
    assert exc.value.code == code
    assert isinstance(exc.value, InputError)


def test_bitstring_container() -> None:
    bits = Bitstring()
    assert len(bits) == MIN_LENGTH_BITS
    assert bytes(bits) == bytes(MIN_LENGTH_BYTES)
    for bad in (-1, MIN_LENGTH_BITS):
        with pytest.raises(IndexError):
            bits.get(bad)
        with pytest.raises(IndexError):
            bits.set(bad)
    for length in (0, -8, 7):
        with pytest.raises(ValueError):
            Bitstring(length)
    with pytest.raises(ValueError):
        Bitstring.from_bytes(b"")
    assert Bitstring.from_bytes(b"\x80").get(0)


# ---------------------------------------------------------------- encode / decode


def test_encode_is_deterministic_multibase_gzip() -> None:
    bits = Bitstring()
    bits.set(23)
    encoded = encode_list(bits)
    assert encoded == encode_list(bytes(bits))
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded
    raw = multibase.decode(encoded)
    assert raw[4:8] == b"\0\0\0\0"  # MTIME 0
    assert gzip.decompress(raw) == bytes(bits)


def test_encode_refuses_short_list() -> None:
    with pytest.raises(StatusListError) as exc:
        encode_list(Bitstring(MIN_LENGTH_BITS - 8))
    assert exc.value.code == "status_list_too_small"


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 2 * MIN_LENGTH_BITS - 1), max_size=200))
def test_round_trip(indexes: set[int]) -> None:
    bits = Bitstring(2 * MIN_LENGTH_BITS)
    for i in indexes:
        bits.set(i)
    decoded = decode_list(encode_list(bits))
    assert bytes(decoded) == bytes(bits)
    raw = bytes(decoded)
    set_bits = {
        byte * 8 + bit
        for byte in range(len(raw))
        if raw[byte]
        for bit in range(8)
        if decoded.get(byte * 8 + bit)
    }
    assert set_bits == indexes
    for i in list(indexes)[:20]:
        assert bit_at(decoded, i) == 1


def test_bare_base64url_accepted() -> None:
    bits = Bitstring()
    bits.set(5)
    bare = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode()
    assert bare.startswith("H4sI")
    assert decode_list(bare).get(5)
    assert decode_list(bare.rstrip("=")).get(5)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "u",
        "u!!!",
        "zAbc",  # base58btc multibase, not allowed by BSL
        "mH4sI",  # base64 (non-url) multibase prefix
        "hello",
        "u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="),
        gz_u(bytes(MIN_LENGTH_BYTES))[:-10],  # truncated GZIP
        multibase.encode(gzip.compress(bytes(MIN_LENGTH_BYTES), mtime=0) + b"junk", "u"),
        multibase.encode(b"\x1f\x8b\x08\x00" + bytes(20), "u"),  # corrupt deflate
        multibase.encode(zlib.compress(bytes(MIN_LENGTH_BYTES)), "u"),  # zlib, not GZIP
    ],
)
def test_malformed(encoded: str) -> None:
    with pytest.raises(StatusListError) as exc:
        decode_list(encoded)
    assert exc.value.code == "status_list_malformed"


def test_not_a_string() -> None:
    with pytest.raises(StatusListError) as exc:
        decode_list(None)  # type: ignore[arg-type]
    assert exc.value.code == "status_list_malformed"


def test_too_small() -> None:
    with pytest.raises(StatusListError) as exc:
        decode_list(gz_u(bytes(MIN_LENGTH_BYTES - 1)))
    assert exc.value.code == "status_list_too_small"
    assert len(decode_list(gz_u(bytes(MIN_LENGTH_BYTES)))) == MIN_LENGTH_BITS


def test_max_bytes_boundary() -> None:
    encoded = gz_u(bytes(MIN_LENGTH_BYTES))
    assert len(decode_list(encoded, max_bytes=MIN_LENGTH_BYTES)) == MIN_LENGTH_BITS
    with pytest.raises(StatusListError) as exc:
        decode_list(encoded, max_bytes=MIN_LENGTH_BYTES - 1)
    assert exc.value.code == "status_list_too_large"


def test_gzip_bomb_refused_fast_and_small(gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 1 << 20
    encoded = multibase.encode(gzip_bomb, "u")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StatusListError) as exc:
            decode_list(encoded)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.value.code == "status_list_too_large"
    assert elapsed < 2.0
    assert peak < 48 << 20  # the default 16 MiB cap, never the 64 MiB payload


def test_gzip_bomb_with_small_cap(gzip_bomb: bytes) -> None:
    with pytest.raises(StatusListError) as exc:
        decode_list(multibase.encode(gzip_bomb, "u"), max_bytes=1 << 20)
    assert exc.value.code == "status_list_too_large"

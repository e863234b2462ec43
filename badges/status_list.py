"""Bitstring Status List helpers (W3C Bitstring Status List v1.0).

Pure functions to build, encode, decode and read the bitstring published in a
``BitstringStatusListCredential``:

* §2.1 (BitstringStatusListEntry): an entry points at ``statusListIndex``;
  with ``statusSize`` > 1 each entry is that many bits wide.
* §3.1 (Bitstring Encoding): the list is at least 16 KB (131,072 bits),
  GZIP-compressed, then multibase base64url without padding (``u`` prefix).
  Index 0 is the left-most bit, i.e. the most significant bit of byte 0.

Decoding is bounded: the GZIP stream is inflated incrementally and refused
as soon as it grows past ``max_bytes``, so a "gzip bomb" is never allocated.
"""

from __future__ import annotations

import operator
import struct
import zlib

from badges import multibase
from badges.errors import InputError

MIN_LENGTH_BITS = 131_072
"""Minimum bitstring length in bits (BSL §3.1: 16 KB)."""

MIN_LENGTH_BYTES = MIN_LENGTH_BITS // 8

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
"""Default cap on the uncompressed size accepted by :func:`decode_list`."""

_INFLATE_STEP = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
# Fixed GZIP member header (RFC 1952 §2.3): deflate, no flags, MTIME 0,
# no extra flags, OS 255 ("unknown"). Fixed so output is deterministic.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# A GZIP stream always starts 1f 8b 08, which base64url-encodes to "H4sI".
_BARE_B64URL_GZIP_PREFIX = "H4sI"


class StatusListError(InputError):
    """A status list (or an index into it) cannot be used.

    Codes: ``status_list_malformed``, ``status_list_too_small``,
    ``status_list_too_large``, ``status_index_out_of_range``,
    ``status_size_invalid``.
    """

    code = "status_list_malformed"


class Bitstring:
    """A mutable bitstring, most significant bit first (BSL §3.1).

    Bit ``i`` lives in byte ``i // 8`` under mask ``0x80 >> (i % 8)``.

    Args:
        length_bits: Length in bits; a positive multiple of 8. Defaults to
            the 16 KB minimum of BSL §3.1.

    Raises:
        ValueError: if ``length_bits`` is not a positive multiple of 8.
    """

    __slots__ = ("_data",)

    def __init__(self, length_bits: int = MIN_LENGTH_BITS) -> None:
        length_bits = operator.index(length_bits)
        if length_bits <= 0 or length_bits % 8:
            raise ValueError("length_bits must be a positive multiple of 8")
        self._data = bytearray(length_bits // 8)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray) -> Bitstring:
        """Wrap a copy of ``data`` (byte 0 holds bits 0-7, MSB first).

        Raises:
            ValueError: if ``data`` is empty.
        """
        if not data:
            raise ValueError("a bitstring needs at least one byte")
        bits = cls(len(data) * 8)
        bits._data[:] = data
        return bits

    def get(self, index: int) -> bool:
        """Return whether bit ``index`` is set.

        Raises:
            IndexError: if ``index`` is negative or past the end.
        """
        byte, mask = self._locate(index)
        return bool(self._data[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set (or, with ``value=False``, clear) bit ``index``.

        Raises:
            IndexError: if ``index`` is negative or past the end.
        """
        byte, mask = self._locate(index)
        if value:
            self._data[byte] |= mask
        else:
            self._data[byte] &= ~mask & 0xFF

    def __len__(self) -> int:
        return len(self._data) * 8

    def __bytes__(self) -> bytes:
        return bytes(self._data)

    def __repr__(self) -> str:
        return f"Bitstring(length_bits={len(self)})"

    def _locate(self, index: int) -> tuple[int, int]:
        index = operator.index(index)
        if not 0 <= index < len(self):
            raise IndexError(f"bit index {index} outside 0..{len(self) - 1}")
        return index >> 3, 0x80 >> (index & 7)


def encode_list(bits: Bitstring | bytes) -> str:
    """Encode a bitstring as an ``encodedList`` value (BSL §3.1 "Generate Algorithm").

    GZIP (RFC 1952) with a fixed header (MTIME 0), then multibase base64url
    without padding. The output is deterministic for a given zlib.

    Args:
        bits: The bitstring, or its raw bytes (MSB first).

    Returns:
        The multibase string, starting with ``u``.

    Raises:
        StatusListError: ``status_list_too_small`` if shorter than 16 KB.
    """
    raw = bytes(bits)
    if len(raw) < MIN_LENGTH_BYTES:
        raise StatusListError(
            f"status list is {len(raw)} bytes; BSL §3.1 requires at least {MIN_LENGTH_BYTES}",
            code="status_list_too_small",
        )
    return multibase.encode(_gzip(raw), "u")


def decode_list(encoded: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Bitstring:
    """Decode an ``encodedList`` value (BSL §3.2 "Expand Algorithm").

    Accepts multibase base64url (``u`` prefix, as BSL §3.1 requires) and, for
    older lists (StatusList2021 / RevocationList2020 era), bare base64url of a
    GZIP stream, recognised by its ``H4sI`` start. Padding is tolerated.

    Args:
        encoded: The ``encodedList`` string.
        max_bytes: Refuse lists whose uncompressed size exceeds this.

    Returns:
        The bitstring.

    Raises:
        StatusListError: ``status_list_malformed`` (bad encoding, not GZIP,
            truncated or trailing data), ``status_list_too_large`` (inflates
            past ``max_bytes``), ``status_list_too_small`` (under 16 KB).
    """
    raw = _gunzip(_decode_text(encoded), max_bytes)
    if len(raw) < MIN_LENGTH_BYTES:
        raise StatusListError(
            f"status list is {len(raw)} bytes uncompressed; BSL §3.1 requires at least "
            f"{MIN_LENGTH_BYTES}",
            code="status_list_too_small",
        )
    return Bitstring.from_bytes(raw)


def bit_at(bits: Bitstring | bytes, index: int, status_size: int = 1) -> int:
    """Read the status entry ``index`` (BSL §3.2 "Validate Algorithm").

    The entry occupies bits ``index * status_size`` up to (excluding)
    ``(index + 1) * status_size``, read MSB first, so index 0 is the left-most
    bit of byte 0 and a first byte of ``0x80`` has entry 0 set.

    Args:
        bits: The bitstring, or its raw bytes.
        index: ``statusListIndex`` as an integer.
        status_size: ``statusSize`` in bits (default 1).

    Returns:
        The entry as an unsigned integer (0 or 1 when ``status_size`` is 1).

    Raises:
        StatusListError: ``status_size_invalid`` if ``status_size`` < 1;
            ``status_index_out_of_range`` if the entry is not inside the list.
    """
    data = bits._data if isinstance(bits, Bitstring) else bits
    start, end = _entry_span(index, status_size, len(data) * 8)
    first, last = start >> 3, (end - 1) >> 3
    window = int.from_bytes(data[first : last + 1], "big")
    shift = (last + 1) * 8 - end
    return (window >> shift) & ((1 << status_size) - 1)


def _entry_span(index: int, status_size: int, length_bits: int) -> tuple[int, int]:
    """Bit span ``[start, end)`` of entry ``index``, checked against the list length."""
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise StatusListError(
            f"statusSize must be a positive integer, got {status_size!r}",
            code="status_size_invalid",
        )
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(
            f"status index must be a non-negative integer, got {index!r}",
            code="status_index_out_of_range",
        )
    start = index * status_size
    end = start + status_size
    if end > length_bits:
        raise StatusListError(
            f"status entry {index} (bits {start}..{end - 1}) is outside a list of "
            f"{length_bits} bits",
            code="status_index_out_of_range",
        )
    return start, end


def _gzip(raw: bytes) -> bytes:
    """GZIP ``raw`` as one member with a fixed header (RFC 1952)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflater.compress(raw) + deflater.flush()
    trailer = struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF)
    return _GZIP_HEADER + body + trailer


def _decode_text(encoded: str) -> bytes:
    """Decode the base64url text of an ``encodedList`` to the GZIP bytes."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("encodedList must be a non-empty string")
    try:
        if encoded.startswith("u"):
            data = multibase.decode(encoded)
        elif encoded.startswith(_BARE_B64URL_GZIP_PREFIX):
            data = multibase.b64url_decode(encoded)
        else:
            raise StatusListError("encodedList must be multibase base64url (prefix 'u'), BSL §3.1")
    except multibase.MultibaseError as exc:
        raise StatusListError(f"encodedList is not valid base64url: {exc.message}") from None
    if not data.startswith(_GZIP_MAGIC):
        raise StatusListError("encodedList is not GZIP-compressed (BSL §3.1)")
    return data


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Inflate one GZIP member, never producing more than ``max_bytes + 1`` bytes."""
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = data
    try:
        while not inflater.eof:
            budget = min(max_bytes - len(out) + 1, _INFLATE_STEP)
            chunk = inflater.decompress(pending, budget)
            out += chunk
            if len(out) > max_bytes:
                raise StatusListError(
                    f"status list inflates to more than {max_bytes} bytes",
                    code="status_list_too_large",
                )
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break
    except zlib.error as exc:
        raise StatusListError(f"encodedList is not valid GZIP: {exc}") from None
    if not inflater.eof:
        raise StatusListError("encodedList GZIP stream is truncated")
    if inflater.unused_data:
        raise StatusListError("encodedList has data after the GZIP stream")
    return bytes(out)

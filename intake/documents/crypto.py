"""Envelope encryption of documents: AES-256-GCM, in chunks, with one random data key per document.

The data key is stored beside the document's row, wrapped (encrypted) by a master key from the
`DOCUMENT_KEYS` key ring. Rotating master keys re-wraps the small data keys and leaves the stored
files alone. Nothing here knows where the bytes are kept.

Stored format: a header (magic, version, chunk size, an 8-byte nonce prefix), then the chunks, each
sealed on its own with the nonce prefix + the chunk's number. Every chunk's additional data holds the
header, its number and whether it is the last, so chunks cannot be reordered, dropped, swapped between
files, or cut off at the end without the decryption failing.
"""

import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"CIDOC"
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
HEADER = struct.Struct(">5sBI8s")  # magic, version, chunk size, nonce prefix
WRAP_CONTEXT = b"case-intake document key "


class Unreadable(Exception):
    """The stored bytes or the wrapped key do not decrypt: altered, damaged, or a master key is missing."""


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    wrapped: bytes


def key_ring() -> dict[str, bytes]:
    """The master keys by id; the first is the one new documents use (see DOCUMENT_KEYS)."""
    return settings.DOCUMENT_KEYS


def current_key_id() -> str:
    return next(iter(key_ring()))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap(data_key: bytes, *, document_id: str, key_id: str | None = None) -> WrappedKey:
    """Seal a data key with a master key. The document's id is bound in, so wrapped keys cannot be
    swapped between rows."""
    key_id = key_id or current_key_id()
    nonce = os.urandom(12)
    sealed = AESGCM(key_ring()[key_id]).encrypt(nonce, data_key, WRAP_CONTEXT + document_id.encode())
    return WrappedKey(key_id, nonce + sealed)


def unwrap(wrapped: WrappedKey, *, document_id: str) -> bytes:
    master = key_ring().get(wrapped.key_id)
    if master is None:
        raise Unreadable(f"Master key {wrapped.key_id!r} is not in DOCUMENT_KEYS.")
    blob = bytes(wrapped.wrapped)
    try:
        return AESGCM(master).decrypt(blob[:12], blob[12:], WRAP_CONTEXT + document_id.encode())
    except InvalidTag:
        raise Unreadable("The data key does not unwrap with its master key.") from None


def rewrap(wrapped: WrappedKey, *, document_id: str) -> WrappedKey:
    return wrap(unwrap(wrapped, document_id=document_id), document_id=document_id)


def _rechunk(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Pieces of any length, as blocks of exactly `size` bytes (the last may be shorter). Each byte is
    copied a bounded number of times, however large the pieces are."""
    left = b""
    for piece in pieces:
        if left:
            piece = left + piece
        start = 0
        while len(piece) - start >= size:
            yield piece[start : start + size]
            start += size
        left = piece[start:]
    if left:
        yield left


def _with_last(blocks: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Each block with whether it is the last, reading one ahead. No blocks at all count as one empty."""
    previous = next(blocks, b"")
    for block in blocks:
        yield previous, False
        previous = block
    yield previous, True


def _associated(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def encrypt(plaintext: Iterable[bytes], data_key: bytes) -> Iterator[bytes]:
    """The stored form of a document, as it is read: holds one chunk in memory at a time."""
    header = HEADER.pack(MAGIC, VERSION, CHUNK_SIZE, os.urandom(8))
    prefix = header[-8:]
    aes = AESGCM(data_key)
    yield header
    for index, (block, last) in enumerate(_with_last(_rechunk(plaintext, CHUNK_SIZE))):
        yield aes.encrypt(_nonce(prefix, index), block, _associated(header, index, last))


def decrypt(stored: Iterable[bytes], data_key: bytes) -> Iterator[bytes]:
    """The plaintext of a stored document, chunk by chunk. Raises Unreadable on any tampering, which a
    streamed response meets only after it has begun: callers that must know first use verify()."""
    pieces = iter(stored)
    head = bytearray()
    for piece in pieces:
        head += piece
        if len(head) >= HEADER.size:
            break
    if len(head) < HEADER.size:
        raise Unreadable("The stored file is shorter than its header.")
    header = bytes(head[: HEADER.size])
    magic, version, chunk_size, prefix = HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or not 0 < chunk_size <= 16 * 1024 * 1024:
        raise Unreadable("The stored file is not an encrypted document.")
    aes = AESGCM(data_key)
    rest = _rechunk(_prepend(bytes(head[HEADER.size :]), pieces), chunk_size + TAG_SIZE)
    for index, (block, last) in enumerate(_with_last(rest)):
        try:
            yield aes.decrypt(_nonce(prefix, index), block, _associated(header, index, last))
        except InvalidTag:
            raise Unreadable(f"Chunk {index} of the stored file does not decrypt.") from None


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def stored_size(plaintext_size: int) -> int:
    chunks = max(1, -(-plaintext_size // CHUNK_SIZE))
    return HEADER.size + plaintext_size + chunks * TAG_SIZE

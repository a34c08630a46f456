"""Sealed documents: encrypt on the way into storage, decrypt on the way out, always streaming.

Only the authorised download views, the verifier and the malware re-scan read plaintext, and they read
it through `plaintext()`; nothing is ever written anywhere in readable form.
"""

import contextlib
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from intake.documents import crypto, storage
from intake.documents.crypto import Unreadable, WrappedKey
from intake.documents.storage import ObjectMissing

__all__ = ["ObjectMissing", "Sealed", "Unreadable", "plaintext", "seal"]


@dataclass(frozen=True)
class Sealed:
    """What the document row must remember to find and open what was stored."""

    stored_name: str
    key_id: str
    wrapped_key: bytes
    size: int
    sha256: str


def seal(chunks: Iterable[bytes], *, document_id: str) -> Sealed:
    """Encrypt the plaintext with a fresh data key and store it under a new random key.

    The object is written before any row points to it; the caller commits the row and deletes the
    object again if that fails (see intake.uploads.store).
    """
    data_key = crypto.new_data_key()
    wrapped = crypto.wrap(data_key, document_id=document_id)
    digest = hashlib.sha256()
    size = 0

    def counted(pieces):
        nonlocal size
        for piece in pieces:
            digest.update(piece)
            size += len(piece)
            yield piece

    stored_name = uuid.uuid4().hex
    try:
        storage.write(stored_name, crypto.encrypt(counted(chunks), data_key))
    except Exception:
        # A write cut short (the store went away mid-upload) must not leave part of an object behind.
        with contextlib.suppress(Exception):
            storage.delete(stored_name)
        raise
    return Sealed(stored_name, wrapped.key_id, wrapped.wrapped, size, digest.hexdigest())


def plaintext(document) -> Iterator[bytes]:
    """The document as sent, streamed. Raises ObjectMissing or Unreadable before yielding anything
    when the object is gone or its key does not unwrap; a damaged chunk raises where it is met."""
    if not document.key_id:
        return _plain_from_before_encryption(document)
    data_key = crypto.unwrap(WrappedKey(document.key_id, document.wrapped_key), document_id=str(document.id))
    return crypto.decrypt(storage.read(document.stored_name), data_key)


def _plain_from_before_encryption(document) -> Iterator[bytes]:
    """A file stored in plain before encryption came in, until `encrypt_plain_documents` (run by
    housekeeping) seals it: it still opens meanwhile."""
    path = Path(settings.PRIVATE_UPLOAD_ROOT) / document.stored_name
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed when the generator ends
    except FileNotFoundError:
        raise ObjectMissing(document.stored_name) from None
    return _read_all(handle)


def _read_all(handle) -> Iterator[bytes]:
    with handle:
        while block := handle.read(64 * 1024):
            yield block


def delete(document) -> None:
    if document.stored_name:
        storage.delete(document.stored_name)

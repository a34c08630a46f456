"""Where stored documents live: one small interface over a local private folder or an S3 bucket.

The backend is Django's `STORAGES["documents"]` (see settings: a FileSystemStorage, or django-storages'
S3Storage when DOCUMENTS_S3_BUCKET is set). This module is the only place that knows which one is in
use; the rest of the code writes, reads, deletes and checks objects by key through it.

Objects hold encrypted bytes only (intake.documents.vault seals them before they get here).
"""

import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

READ_SIZE = 64 * 1024
# Encrypted bytes wait here on their way to the backend: in memory up to this size, on disk beyond,
# so a large document is never held whole in memory.
SPOOL_IN_MEMORY = 1024 * 1024


class ObjectMissing(Exception):
    """No object under that key."""


def _backend() -> Storage:
    return storages["documents"]


def _is_local(backend: Storage) -> bool:
    return isinstance(backend, FileSystemStorage)


def write(key: str, chunks: Iterable[bytes]) -> int:
    """Store the bytes under `key`, which must be new, and return how many were written."""
    backend = _backend()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        for chunk in chunks:
            spool.write(chunk)
            size += len(chunk)
        spool.seek(0)
        saved = backend.save(key, File(spool, name=key))
    if saved != key:
        # The storage picked another name because the key was taken: never expected with random keys.
        backend.delete(saved)
        raise RuntimeError("Document storage refused a new key as already in use.")
    return size


def read(key: str) -> Iterator[bytes]:
    """The stored bytes, streamed in blocks; nothing is held whole in memory on either backend."""
    backend = _backend()
    if _is_local(backend):
        try:
            handle = open(backend.path(key), "rb")  # noqa: SIM115 - closed when the generator ends
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        return _blocks(handle)
    from botocore.exceptions import ClientError

    # django-storages' own open() downloads the whole object first; the raw body streams instead.
    try:
        body = backend.bucket.Object(backend._normalize_name(key)).get()["Body"]
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise ObjectMissing(key) from None
        raise
    return _body_blocks(body)


def _blocks(handle) -> Iterator[bytes]:
    with handle:
        while block := handle.read(READ_SIZE):
            yield block


def _body_blocks(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(READ_SIZE)
    finally:
        body.close()


def delete(key: str) -> None:
    """Remove the object; removing one that is already gone is not an error."""
    _backend().delete(key)


def exists(key: str) -> bool:
    return _backend().exists(key)


def keys_older_than(moment: datetime) -> Iterator[str]:
    """Keys of objects last written before `moment`, for the sweep of objects without a row."""
    backend = _backend()
    if _is_local(backend):
        root = backend.location
        if not os.path.isdir(root):
            return
        with os.scandir(root) as entries:
            for entry in entries:
                if entry.is_file() and datetime.fromtimestamp(entry.stat().st_mtime, tz=UTC) < moment:
                    yield entry.name
        return
    prefix = backend._normalize_name("")
    for summary in backend.bucket.objects.filter(Prefix=prefix):
        if summary.last_modified < moment:
            yield summary.key[len(prefix) :].lstrip("/")


def reachable() -> bool:
    """Whether the store answers now, for /healthz: a server that cannot keep documents is unwell."""
    backend = _backend()
    try:
        if _is_local(backend):
            os.makedirs(backend.location, mode=0o700, exist_ok=True)
            return os.access(backend.location, os.W_OK)
        backend.bucket.meta.client.head_bucket(Bucket=backend.bucket_name)
        return True
    except Exception:
        return False


def describe() -> str:
    """Where documents are kept, in words for logs and command output (no secrets)."""
    backend = _backend()
    if _is_local(backend):
        return f"local folder {backend.location}"
    return f"bucket {backend.bucket_name} at {backend.endpoint_url or 'AWS S3'}"

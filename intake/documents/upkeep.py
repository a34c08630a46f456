"""Background work on stored documents, run by `housekeeping` and by their own management commands.

- retry_scans: files kept "waiting for scan" while clamd was down (and "not scanned" ones, once a
  scanner is configured) are scanned from their decrypted stream; an infected one loses its bytes.
- sweep_orphans: objects older than a day that no row points to (a crash between write and commit).
- verify: decrypt and re-hash documents; report missing, unreadable and altered ones.
- rotate_keys: re-wrap data keys with the newest master key, in small committed batches.
- encrypt_plain_documents: files stored in plain before encryption came in are sealed in place.
"""

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake.documents import crypto, scanning, storage, vault
from intake.documents.crypto import Unreadable, WrappedKey
from intake.documents.storage import ObjectMissing
from intake.models import Case, Document
from intake.signals import case_event

logger = logging.getLogger(__name__)

ORPHAN_AGE = timedelta(days=1)


# Scanning again -------------------------------------------------------------------------------------


def retry_scans(limit: int = 200) -> dict[str, int]:
    """Scan the documents that are waiting. Stops at the first sign that clamd is still down."""
    counts = {"clean": 0, "infected": 0, "waiting": 0}
    if not scanning.configured():
        return counts
    due = Document.objects.filter(
        scan_state__in=[Document.ScanState.WAITING, Document.ScanState.NOT_SCANNED]
    ).exclude(stored_name="")
    for document in due.order_by("uploaded_at")[:limit]:
        try:
            verdict = scanning.scan(vault.plaintext(document))
        except scanning.ScannerUnavailable:
            counts["waiting"] += 1
            break
        except (ObjectMissing, Unreadable) as e:
            logger.error("Document %s could not be read for its virus scan: %s", document.id, e)
            continue
        if verdict.infected:
            _refuse_stored(document, verdict.signature)
            counts["infected"] += 1
        else:
            Document.objects.filter(pk=document.pk, scan_state=document.scan_state).update(
                scan_state=Document.ScanState.CLEAN, scanned_at=timezone.now()
            )
            counts["clean"] += 1
    return counts


def _refuse_stored(document: Document, signature: str) -> None:
    """An infected file found after it was stored: drop its bytes, keep the row as a refusal."""
    stored_name = document.stored_name
    with transaction.atomic():
        locked = Document.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            return
        locked.scan_state = Document.ScanState.INFECTED
        locked.scan_result = signature
        locked.scanned_at = timezone.now()
        locked.stored_name = ""
        locked.key_id = ""
        locked.wrapped_key = b""
        locked.save()
        detail = {"document": str(locked.id), "finding": signature, "after_storing": True}
        case = Case.objects.filter(pk=locked.case_id).first() if locked.case_id else None
        case_event.send(sender=Case, case=case, action="upload_refused", ip=None, detail=detail)
        transaction.on_commit(lambda: storage.delete(stored_name))


# Orphans ---------------------------------------------------------------------------------------------


def sweep_orphans(now=None) -> int:
    """Delete objects older than a day that no document row points to."""
    cutoff = (now or timezone.now()) - ORPHAN_AGE
    deleted = 0
    batch: list[str] = []

    def flush():
        nonlocal deleted
        known = set(Document.objects.filter(stored_name__in=batch).values_list("stored_name", flat=True))
        for key in batch:
            if key not in known:
                storage.delete(key)
                deleted += 1
        batch.clear()

    for key in storage.keys_older_than(cutoff):
        batch.append(key)
        if len(batch) >= 500:
            flush()
    if batch:
        flush()
    return deleted


# Verification ----------------------------------------------------------------------------------------


@dataclass
class Problems:
    checked: int = 0
    missing: list[Document] = field(default_factory=list)
    unreadable: list[tuple[Document, str]] = field(default_factory=list)
    altered: list[Document] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.unreadable or self.altered)


def documents_to_verify(*, not_since: timedelta | None = None):
    documents = Document.objects.exclude(stored_name="").exclude(key_id="").order_by("uploaded_at", "id")
    if not_since is not None:
        cutoff = timezone.now() - not_since
        documents = documents.filter(verified_at__isnull=True) | documents.filter(verified_at__lt=cutoff)
    return documents


def verify(documents, *, progress: Callable[[Iterator], Iterator] = iter) -> Problems:
    """Decrypt and re-hash each document, streaming; record when each was last found intact."""
    problems = Problems()
    for document in progress(documents.iterator(chunk_size=200)):
        problems.checked += 1
        digest = hashlib.sha256()
        try:
            for chunk in vault.plaintext(document):
                digest.update(chunk)
        except ObjectMissing:
            problems.missing.append(document)
            continue
        except Unreadable as e:
            problems.unreadable.append((document, str(e)))
            continue
        if digest.hexdigest() != document.sha256:
            problems.altered.append(document)
            continue
        Document.objects.filter(pk=document.pk).update(verified_at=timezone.now())
    return problems


# Key rotation ----------------------------------------------------------------------------------------


def rotate_keys(
    *, batch_size: int = 200, progress: Callable[[int], None] = lambda n: None
) -> tuple[int, list]:
    """Re-wrap every data key not yet under the current master key. Each batch commits on its own, so
    the work can stop and resume at any point; rows being rotated are locked, others are skipped and
    picked up by the next batch, so downloads and uploads go on meanwhile."""
    current = crypto.current_key_id()
    rotated, failed = 0, []
    failed_ids: set = set()
    while True:
        with transaction.atomic():
            batch = list(
                Document.objects.select_for_update(skip_locked=True)
                .exclude(key_id="")
                .exclude(key_id=current)
                .exclude(id__in=failed_ids)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return rotated, failed
            for document in batch:
                try:
                    new = crypto.rewrap(
                        WrappedKey(document.key_id, document.wrapped_key), document_id=str(document.id)
                    )
                except Unreadable as e:
                    failed.append((document, str(e)))
                    failed_ids.add(document.id)
                    continue
                document.key_id, document.wrapped_key = new.key_id, new.wrapped
                document.save(update_fields=["key_id", "wrapped_key"])
                rotated += 1
        progress(len(batch))


# Files from before encryption -----------------------------------------------------------------------


def encrypt_plain_documents() -> int:
    """Seal files that were stored in plain in PRIVATE_UPLOAD_ROOT before encryption came in.

    Each file is encrypted into the document store under a new key, the row is switched over in one
    transaction, and only then is the plain file removed. Safe to run again after a crash.
    """
    done = 0
    root = Path(settings.PRIVATE_UPLOAD_ROOT)
    for document in Document.objects.filter(key_id="").exclude(stored_name="").iterator():
        plain = root / document.stored_name
        if not plain.is_file():
            logger.error("Document %s has no plain file to encrypt at %s", document.id, plain)
            continue
        with open(plain, "rb") as handle:
            sealed = vault.seal(iter(lambda: handle.read(64 * 1024), b""), document_id=str(document.id))
        with transaction.atomic():
            updated = Document.objects.filter(pk=document.pk, key_id="").update(
                stored_name=sealed.stored_name,
                key_id=sealed.key_id,
                wrapped_key=sealed.wrapped_key,
                size=sealed.size,
                sha256=sealed.sha256,
                verified_at=timezone.now(),
            )
        if updated:
            if sealed.sha256 != document.sha256:
                logger.warning(
                    "Document %s did not match its recorded hash when it was encrypted", document.id
                )
            plain.unlink(missing_ok=True)
            done += 1
        else:
            storage.delete(sealed.stored_name)
    return done

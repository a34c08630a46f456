"""Taking in a medical document: the one way a family's file becomes a Document.

In order: the limits; the type from the first bytes (never the name); a malware scan of the file as
sent, before any parser reads it; cleaning (pictures re-encoded without metadata, PDFs checked); then
encryption and storage, then the row. Any refusal comes back as UploadRejected with a message that
names the file and says what to do instead.

Crash safety: the encrypted object is written first under its final random key, then the row is
committed; if the commit fails the object is deleted again. An object orphaned by a crash between
the two is swept by `housekeeping` once it is a day old (intake.documents.upkeep).
"""

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from intake.documents import cleaning, scanning, storage, vault
from intake.documents.cleaning import Refused, sniff
from intake.models import Case, Document, Draft
from intake.signals import case_event

logger = logging.getLogger(__name__)

MB = 1024 * 1024
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic"}


class UploadRejected(Exception):
    """A file we will not keep, with a message for the person who sent it."""


@dataclass(frozen=True)
class Limits:
    max_file: int
    max_files: int
    max_total: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_file=settings.UPLOAD_MAX_FILE_MB * MB,
            max_files=settings.UPLOAD_MAX_FILES,
            max_total=settings.UPLOAD_MAX_TOTAL_MB * MB,
        )


def describe_limits() -> str:
    limits = Limits.from_settings()
    return _(
        "PDF, JPEG, PNG or HEIC files, up to %(file_mb)s MB each, %(files)s files and %(total_mb)s MB in all."
    ) % {"file_mb": limits.max_file // MB, "files": limits.max_files, "total_mb": limits.max_total // MB}


def store(
    upload: UploadedFile,
    *,
    kind: str,
    existing: list[Document],
    draft: Draft | None = None,
    case: Case | None = None,
    source: str = Document.Source.INTAKE,
    ip: str | None = None,
) -> Document:
    """Check, scan, clean, encrypt and keep one uploaded file, or raise UploadRejected."""
    name = os.path.basename(upload.name or "document")[:255]
    _check_limits(upload, name, [d for d in existing if not d.is_refused])
    upload.seek(0)
    head = upload.read(2048)
    content_type = sniff(head)
    if content_type is None:
        raise UploadRejected(str(cleaning.refuse_unaccepted(name, head)))

    if content_type != "application/pdf":
        try:
            # A picture too large to decode is refused from its header, before the scanner decodes it.
            cleaning.check_picture_size(upload, name=name, content_type=content_type)
        except Refused as e:
            raise UploadRejected(str(e)) from None

    # What every row for this file says, kept or refused.
    row = Document(
        id=uuid.uuid4(),
        draft=draft,
        case=case,
        kind=kind,
        source=source,
        original_name=name,
        content_type=content_type,
    )
    scan_state, finding = _scan(upload)
    if scan_state == Document.ScanState.INFECTED:
        _record_refusal(upload, row, finding, ip)
        raise UploadRejected(
            _(
                "Our virus scanner found something harmful in “%(name)s”, so we did not keep it. "
                "Please send another copy of the document: for example, download it again from the "
                "hospital's website or scan the paper copy."
            )
            % {"name": name}
        )
    try:
        flags, plaintext = _clean(upload, name, content_type)
    except Refused as e:
        raise UploadRejected(str(e)) from None
    try:
        sealed = vault.seal(plaintext, document_id=str(row.id))
    except Exception:
        # The document store did not answer: nothing is kept, and the family can simply try again.
        logger.exception("Document store failed while keeping an upload")
        raise UploadRejected(
            _(
                "We could not save “%(name)s” just now. Please try again in a few minutes. "
                "Nothing else you sent is lost."
            )
            % {"name": name}
        ) from None
    finally:
        if hasattr(plaintext, "close"):
            plaintext.close()
    now = timezone.now()
    row.stored_name, row.key_id, row.wrapped_key = sealed.stored_name, sealed.key_id, sealed.wrapped_key
    row.size, row.sha256, row.flags = sealed.size, sealed.sha256, flags
    row.scan_state = scan_state
    row.scanned_at = now if scan_state == Document.ScanState.CLEAN else None
    row.verified_at = now  # just hashed on the way in; the weekly verification takes it from here
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            return row
    except BaseException:
        # The row did not commit: the object must not outlive it.
        storage.delete(sealed.stored_name)
        raise


def _check_limits(upload: UploadedFile, name: str, kept: list[Document]) -> None:
    limits = Limits.from_settings()
    if len(kept) >= limits.max_files:
        raise UploadRejected(
            _("“%(name)s” was not added: you can send at most %(files)s files.")
            % {"name": name, "files": limits.max_files}
        )
    if upload.size > limits.max_file:
        raise UploadRejected(
            _("“%(name)s” is too big (%(size)s MB). Each file can be at most %(max_mb)s MB.")
            % {"name": name, "size": number_format(upload.size / MB, 1), "max_mb": limits.max_file // MB}
        )
    if sum(d.size for d in kept) + upload.size > limits.max_total:
        raise UploadRejected(
            _("“%(name)s” was not added: all files together can be at most %(total_mb)s MB.")
            % {"name": name, "total_mb": limits.max_total // MB}
        )
    if upload.size == 0:
        raise UploadRejected(_("“%(name)s” is empty. Please choose the file again.") % {"name": name})


def _scan(upload: UploadedFile) -> tuple[str, str]:
    """The scan state for a new file, and the scanner's finding if it found something."""
    if not scanning.configured():
        return Document.ScanState.NOT_SCANNED, ""
    upload.seek(0)
    try:
        verdict = scanning.scan(upload.chunks())
    except scanning.ScannerUnavailable as e:
        # Kept sealed and shut; housekeeping scans it when clamd is back.
        logger.warning("Document kept waiting for its virus scan: %s", e)
        return Document.ScanState.WAITING, ""
    if verdict.infected:
        return Document.ScanState.INFECTED, verdict.signature
    return Document.ScanState.CLEAN, ""


def _clean(upload: UploadedFile, name: str, content_type: str):
    """Flags for staff, and the plaintext to store: a re-encoded picture, or the PDF as sent."""
    if content_type == "application/pdf":
        flags = cleaning.check_pdf(upload, name=name)
        upload.seek(0)
        return flags, upload.chunks()
    return [], cleaning.clean_image(upload, name=name, content_type=content_type)


def _record_refusal(upload: UploadedFile, row: Document, finding: str, ip: str | None) -> None:
    """Keep a row without bytes, so staff see a file was refused, and audit it."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    row.size, row.sha256 = upload.size, digest.hexdigest()
    row.scan_state, row.scan_result, row.scanned_at = Document.ScanState.INFECTED, finding, timezone.now()
    with transaction.atomic():
        row.save(force_insert=True)
        detail = {"document": str(row.id), "finding": finding}
        if row.case is None and row.draft is not None:
            detail["draft"] = str(row.draft_id)
        case_event.send(sender=Case, case=row.case, action="upload_refused", ip=ip, detail=detail)


def delete_files(documents) -> None:
    """Remove the stored objects of documents whose rows are gone (call it on commit)."""
    for document in documents:
        if document.stored_name and document.key_id:
            vault.delete(document)
        elif document.stored_name:
            # A file from before encryption, still in plain in the old private folder.
            (Path(settings.PRIVATE_UPLOAD_ROOT) / document.stored_name).unlink(missing_ok=True)


def download_name(document: Document) -> str:
    """A safe file name for a download: the original stem with the extension of the real type."""
    stem = Path(document.original_name).stem or "document"
    safe = "".join(c if c.isalnum() or c in "-_ " else "_" for c in stem).strip() or "document"
    return safe[:80] + EXTENSIONS.get(document.content_type, "")

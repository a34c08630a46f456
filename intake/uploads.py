"""Storing medical documents in the private upload folder.

Files are kept under random names in a folder that no URL maps to. Their type is decided by their
first bytes, never by their name or the browser's word for it.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from intake.models import Case, Document, Draft

MB = 1024 * 1024

ACCEPTED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
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


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes, if it is one we accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    return None


def upload_root() -> Path:
    root = Path(settings.PRIVATE_UPLOAD_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def path_of(document: Document) -> Path:
    return upload_root() / document.stored_name


def describe_limits() -> str:
    limits = Limits.from_settings()
    return (
        f"PDF, JPEG, PNG or HEIC files, up to {limits.max_file // MB} MB each, "
        f"{limits.max_files} files and {limits.max_total // MB} MB in all."
    )


def store(
    upload: UploadedFile,
    *,
    kind: str,
    existing: list[Document],
    draft: Draft | None = None,
    case: Case | None = None,
    source: str = Document.Source.INTAKE,
) -> Document:
    """Check one uploaded file against the rules and keep it, or raise UploadRejected."""
    limits = Limits.from_settings()
    name = os.path.basename(upload.name or "document")[:255]
    if len(existing) >= limits.max_files:
        raise UploadRejected(f"“{name}” was not added: you can send at most {limits.max_files} files.")
    if upload.size > limits.max_file:
        raise UploadRejected(
            f"“{name}” is too big ({upload.size / MB:.1f} MB). "
            f"Each file can be at most {limits.max_file // MB} MB."
        )
    if sum(d.size for d in existing) + upload.size > limits.max_total:
        raise UploadRejected(
            f"“{name}” was not added: all files together can be at most {limits.max_total // MB} MB."
        )
    if upload.size == 0:
        raise UploadRejected(f"“{name}” is empty. Please choose the file again.")

    upload.seek(0)
    content_type = sniff(upload.read(16))
    if content_type is None:
        raise UploadRejected(
            f"“{name}” is not a PDF, JPEG, PNG or HEIC file, so we cannot accept it. "
            "If it is a photo or a scan, please save it as PDF or JPEG and try again."
        )

    stored_name = uuid.uuid4().hex
    digest = hashlib.sha256()
    target = upload_root() / stored_name
    upload.seek(0)
    with open(target, "xb") as out:
        os.chmod(target, 0o600)
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    try:
        return Document.objects.create(
            draft=draft,
            case=case,
            kind=kind,
            source=source,
            stored_name=stored_name,
            original_name=name,
            size=upload.size,
            content_type=content_type,
            sha256=digest.hexdigest(),
        )
    except Exception:
        target.unlink(missing_ok=True)
        raise


def delete_files(documents) -> None:
    for document in documents:
        path_of(document).unlink(missing_ok=True)


def download_name(document: Document) -> str:
    """A safe file name for a download: the original stem with the extension of the real type."""
    stem = Path(document.original_name).stem or "document"
    safe = "".join(c if c.isalnum() or c in "-_ " else "_" for c in stem).strip() or "document"
    return safe[:80] + EXTENSIONS.get(document.content_type, "")

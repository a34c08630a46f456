"""Checking and cleaning what families send, before anything is stored.

- The type comes from the first bytes, never the name. Files we do not take are named for what they
  are (a web page, an SVG drawing, a ZIP archive) so the family knows what to send instead.
- Pictures are decoded and re-encoded with Pillow (pillow-heif for HEIC): what is stored has the
  pixels and colour profile and nothing else, so no camera details, GPS position or comments.
  Pictures over UPLOAD_MAX_MEGAPIXELS are refused before they are decoded (decompression bombs).
- PDFs are kept exactly as sent, after pypdf has read them: a PDF that needs a password, or that is
  damaged, or mixes in web page code (a polyglot), is refused; one with JavaScript or embedded files is
  kept and flagged for the staff on the case page.
"""

import tempfile
import warnings
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIF"}
IMAGE_NAMES = {
    "image/jpeg": gettext_lazy("JPEG picture"),
    "image/png": gettext_lazy("PNG picture"),
    "image/heic": gettext_lazy("HEIC photo"),
}
# Markers of web page code. Browsers look for them near the start of a file; polyglots put them
# after the PDF header or after its end marker.
WEB_CODE = (b"<html", b"<!doctype html", b"<script", b"<body", b"<head", b"<iframe", b"<svg", b"<?xml")
SPOOL_IN_MEMORY = 1024 * 1024


class Flag:
    """Things staff should know before opening a kept PDF."""

    JAVASCRIPT = "javascript"
    EMBEDDED_FILES = "embedded_files"
    LABELS = {
        JAVASCRIPT: "contains JavaScript or actions that start programs",
        EMBEDDED_FILES: "has other files embedded in it",
    }


class Refused(Exception):
    """A file we will not keep, with a message for the person who sent it."""


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


def what_it_is(head: bytes) -> tuple[str, str] | None:
    """For a file we do not accept: what it looks like, and what to send instead."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return (
            _("“%(name)s” is a compressed (ZIP) file or an Office document."),
            _("Please send the PDF, JPEG, PNG or HEIC files themselves, or save the document as PDF."),
        )
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in text:
        return _("“%(name)s” is an SVG drawing, which can carry code."), _(
            "Please send it as a PNG picture or as PDF."
        )
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<meta")):
        return _("“%(name)s” is a web page (HTML)."), _(
            "Please open it in your browser and print or save it as PDF."
        )
    return None


def refuse_unaccepted(name: str, head: bytes) -> Refused:
    described = what_it_is(head)
    if described is None:
        return Refused(
            _(
                "“%(name)s” is not a PDF, JPEG, PNG or HEIC file, so we cannot accept it. "
                "If it is a photo or a scan, please save it as PDF or JPEG and try again."
            )
            % {"name": name}
        )
    kind, advice = described
    not_accepted = _("It is not a PDF, JPEG, PNG or HEIC file, so we cannot accept it.")
    return Refused(f"{kind % {'name': name}} {not_accepted} {advice}")


# Pictures ------------------------------------------------------------------------------------------

_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _open_picture(upload: IO[bytes], *, name: str, content_type: str) -> Image.Image:
    """Open a picture from its header only, refusing it if it is too large to decode or unreadable."""
    _register_heif()
    limit = settings.UPLOAD_MAX_MEGAPIXELS
    too_large = Refused(
        _(
            "“%(name)s” is too large a picture. We take pictures up to %(limit)s megapixels: "
            "please send a smaller copy, or a PDF scan."
        )
        % {"name": name, "limit": limit}
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, when the header promises a huge picture; both mean no.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=[PIL_FORMATS[content_type]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _damaged_picture(name, content_type) from None
    width, height = image.size
    if width * height > limit * 1_000_000:
        raise too_large
    return image


def _damaged_picture(name: str, content_type: str) -> Refused:
    return Refused(
        _(
            "“%(name)s” looks like a %(kind)s but we could not read it: it may be damaged. "
            "Please save it again, or send it as PDF."
        )
        % {"name": name, "kind": IMAGE_NAMES[content_type]}
    )


def check_picture_size(upload: IO[bytes], *, name: str, content_type: str) -> None:
    """Refuse a decompression bomb from its header, before anything (the virus scanner too) decodes it."""
    # Not closed: Pillow would close the upload with it, and the upload is read again afterwards.
    _open_picture(upload, name=name, content_type=content_type)


def clean_image(upload: IO[bytes], *, name: str, content_type: str) -> IO[bytes]:
    """The picture re-encoded in its own format without its metadata, in a temporary file."""
    image = _open_picture(upload, name=name, content_type=content_type)
    try:
        image.load()
        return _reencode(image, PIL_FORMATS[content_type])
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        # Decoding or encoding failed on something in the file itself: it is the file we cannot read.
        raise _damaged_picture(name, content_type) from None


def _reencode(image: Image.Image, pil_format: str) -> IO[bytes]:
    options: dict = {}
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation != 1:
        # The rotation a camera asked for lives in the EXIF data we drop, so apply it to the pixels.
        image = ImageOps.exif_transpose(image)
    elif pil_format == "JPEG":
        # Re-use the original's quantisation tables and subsampling: the picture looks as it was sent.
        options["quality"] = "keep"
    if pil_format == "JPEG":
        options.setdefault("quality", 95)
    if pil_format == "HEIF":
        options["quality"] = 90
    # Keep only what shows the picture rightly; EXIF (camera, GPS), XMP, comments and text go.
    kept = {key: image.info[key] for key in ("icc_profile", "transparency", "dpi") if key in image.info}
    image.info = {}
    if getattr(image, "_exif", None) is not None:
        image._exif = None
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - the caller closes it
    image.save(out, format=pil_format, **kept, **options)
    out.seek(0)
    return out


# PDFs ----------------------------------------------------------------------------------------------

MAX_PDF_OBJECTS = 200_000


def check_pdf(upload: IO[bytes], *, name: str) -> list[str]:
    """Read the PDF with pypdf; refuse what reviewers could not open safely, flag what they should
    know. Returns the flags (see Flag)."""
    from pypdf import PasswordType, PdfReader

    damaged = Refused(
        _(
            "“%(name)s” starts like a PDF but we could not read it: it may be damaged or unfinished. "
            "Please download or save it again as PDF and send the new copy."
        )
        % {"name": name}
    )
    upload.seek(0)
    head = upload.read(2048).lower()
    upload.seek(0, 2)
    end = upload.tell()
    upload.seek(max(0, end - 2048))
    tail = upload.read().lower()
    tail = tail[tail.rfind(b"%%eof") :] if b"%%eof" in tail else tail
    if any(marker in head or marker in tail for marker in WEB_CODE):
        raise Refused(
            _(
                "“%(name)s” starts like a PDF but also has web page code in it, so we cannot accept it. "
                "Please open the document and print or save it as a new PDF, then send that copy."
            )
            % {"name": name}
        )
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Refused(
                _(
                    "“%(name)s” is protected with a password, so our reviewers could not open it. "
                    "Please send it without a password: open it, then print or save it as a new PDF."
                )
                % {"name": name}
            )
        if len(reader.pages) == 0:
            raise damaged
        return _flags(reader)
    except Refused:
        raise
    except Exception:
        # pypdf raises many kinds of errors on broken files; all of them mean we cannot read it.
        raise damaged from None


def _flags(reader) -> list[str]:
    """Walk every object reachable from the document's trailer, looking for scripts and attachments."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    flags: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack and visited < MAX_PDF_OBJECTS:
        item = stack.pop()
        visited += 1
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            keys = set(item.keys())
            if keys & {"/JS", "/JavaScript"} or item.get("/S") in ("/JavaScript", "/Launch"):
                flags.add(Flag.JAVASCRIPT)
            if keys & {"/EmbeddedFile", "/EmbeddedFiles"} or item.get("/Type") == "/EmbeddedFile":
                flags.add(Flag.EMBEDDED_FILES)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return sorted(flags)

"""The upload corpus: files people send by mistake, and files made to do harm.

Each one, sent through the case form with a real virus scanner on duty and on both document stores,
gets its own clear message naming the file, never a server error, and leaves nothing half-stored.
"""

import functools
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.models import Document, Draft
from tests.conftest import make_pdf, make_picture
from tests.intake.test_case_form import fill_until, text
from tests.servers.clamd import EICAR

pytestmark = pytest.mark.django_db


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("pathology.pdf", make_pdf())
    return out.getvalue()


@functools.cache
def huge_png(width=20_000, height=20_000) -> bytes:
    """A 20,000 x 20,000 pixel PNG of about 50 KB: black and white, all zeros. Decoded, it would take
    400 million pixels; it must be refused from its header."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compressobj(6)
    thousand_rows = b"\x00" * (1 + width // 8) * 1000  # each row: filter byte 0, then white pixels
    body = b"".join(rows.compress(thousand_rows) for _ in range(height // 1000)) + rows.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


CORPUS = {
    "polyglot": (
        "scan.pdf",
        lambda: b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
        "“scan.pdf” starts like a PDF but also has web page code in it",
    ),
    "html renamed to pdf": (
        "report.pdf",
        lambda: b"<!DOCTYPE html><html><head><title>Report</title></head><body>Hi</body></html>",
        "“report.pdf” is a web page (HTML). It is not a PDF, JPEG, PNG or HEIC file",
    ),
    "svg with a script": (
        "drawing.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "“drawing.svg” is an SVG drawing, which can carry code",
    ),
    "zip": ("records.zip", zip_file, "“records.zip” is a compressed (ZIP) file or an Office document"),
    "eicar in a pdf": (
        "eicar.pdf",
        lambda: b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n",
        "Our virus scanner found something harmful in “eicar.pdf”, so we did not keep it",
    ),
    "empty": ("blank.pdf", lambda: b"", "“blank.pdf” is empty"),
    "11 MB": ("big.pdf", lambda: make_pdf(padding=11 * 1024 * 1024), "“big.pdf” is too big (11.0 MB)"),
    "20000 x 20000 png": (
        "bomb.png",
        huge_png,
        "“bomb.png” is too large a picture. We take pictures up to 50",
    ),
    "password-protected pdf": (
        "locked.pdf",
        lambda: make_pdf(password="secret"),
        "“locked.pdf” is protected with a password, so our reviewers could not open it. "
        "Please send it without a password",
    ),
    "damaged picture": (
        "photo.jpg",
        lambda: make_picture(size=(400, 300))[:700],
        "“photo.jpg” looks like a JPEG picture but we could not read it",
    ),
    "damaged pdf": (
        "cut.pdf",
        lambda: make_pdf()[:300],
        "“cut.pdf” starts like a PDF but we could not read it",
    ),
}


@pytest.mark.parametrize("case_name", list(CORPUS))
def test_each_bad_file_gets_its_own_clear_message_and_nothing_is_stored(
    case_name, client, settings, scanner, stored_objects
):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    name, make, message = CORPUS[case_name]
    fill_until(client, "documents")

    response = client.post(
        "/case/documents/", {"kind": "pathology", "files": [SimpleUploadedFile(name, make())]}
    )

    assert response.status_code == 200
    body = text(response)
    assert message in body
    assert 'role="alert"' in body
    assert stored_objects.stored_keys() == []
    # Only a refused virus leaves a trace, for staff: a row with no bytes.
    kept = Document.objects.exclude(scan_state=Document.ScanState.INFECTED)
    assert not kept.exists()
    # The family's answers so far are untouched.
    assert {"about-you", "patient", "diagnosis", "treatments", "now"} <= set(Draft.objects.get().answers)


def test_eleven_files_at_once_keep_ten_and_name_the_eleventh(client, settings, scanner, stored_objects):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    fill_until(client, "documents")
    files = [SimpleUploadedFile(f"page-{i:02}.pdf", make_pdf()) for i in range(1, 12)]

    response = client.post("/case/documents/", {"kind": "scan", "files": files})

    assert response.status_code == 200
    assert "“page-11.pdf” was not added: you can send at most 10 files." in text(response)
    assert Document.objects.count() == 10
    assert set(Document.objects.values_list("scan_state", flat=True)) == {"clean"}
    assert len(stored_objects.stored_keys()) == 10


def test_a_refused_virus_is_shown_to_staff_and_audited(client, settings, scanner, alice):
    from assessments.models import AuditEvent
    from tests.conftest import client_for, make_case

    case = make_case(status="in_review", assigned_to=alice)
    from tests.intake.test_family_page import page_url, verified_client

    family = verified_client(case)
    response = family.post(
        page_url(case, "documents/"),
        {"kind": "lab", "files": [SimpleUploadedFile("labs.pdf", b"%PDF-1.4\n" + EICAR)]},
    )
    assert response.status_code == 400
    assert "Our virus scanner found something harmful in “labs.pdf”" in text(response)

    refused = Document.objects.get(case=case)
    assert refused.scan_state == "infected" and refused.stored_name == ""
    event = AuditEvent.objects.get(case=case, action="upload_refused")
    assert event.detail == {"document": str(refused.id), "finding": "Eicar-Test-Signature.UNOFFICIAL"}
    assert "labs.pdf" not in str(event.detail)  # file names can carry health details

    staff_page = text(client_for(alice).get(f"/review/cases/{case.reference}/"))
    assert "Refused:" in staff_page and "Eicar-Test-Signature" in staff_page
    assert f"/documents/{refused.id}/" not in staff_page

    # The family's page says what happened and what to do.
    assert (
        "Not kept: our virus scanner found something harmful in this file. Please send another copy."
        in text(family.get(page_url(case)))
    )

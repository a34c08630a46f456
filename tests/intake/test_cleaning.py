"""Cleaning what families send: pictures lose their camera and GPS details, PDFs are read and flagged.

A reviewer opens the picture as it was sent, in its own format, without the metadata.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from intake import uploads
from intake.models import Case, Document
from tests.conftest import client_for, make_case, make_pdf, make_picture
from tests.intake.test_scanning import text

# Staff open only files the virus scanner found clean, so every upload here goes through the real clamd.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scanner")]


def send(case, data: bytes, name: str) -> Document:
    return uploads.store(SimpleUploadedFile(name, data), kind="scan", existing=[], case=case)


def opened_by(user, document) -> bytes:
    response = client_for(user).get(f"/review/cases/{document.case.reference}/documents/{document.id}/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def reviewed_case(alice):
    return make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)


@pytest.mark.parametrize(
    ("fmt", "name"), [("JPEG", "photo.jpg"), ("PNG", "photo.png"), ("HEIF", "photo.heic")]
)
def test_a_photo_opens_as_sent_without_camera_or_gps_details(fmt, name, stored_objects, reviewed_case, alice):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    sent = make_picture(fmt, size=(120, 80))
    assert b"PhoneMaker" in sent and Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    document = send(reviewed_case, sent, name)
    opened = opened_by(alice, document)

    picture = Image.open(io.BytesIO(opened))
    assert picture.format == fmt and picture.size == (120, 80)
    assert dict(picture.getexif()) == {}
    assert b"PhoneMaker" not in opened and b"Pocket Camera" not in opened
    # The colours are the ones sent (lossy formats are re-encoded at high quality).
    red, green, blue = picture.convert("RGB").getpixel((60, 40))
    assert red > 180 and green < 60 and blue < 60
    assert document.size == len(opened)


def test_a_photo_taken_sideways_is_turned_the_right_way_up(reviewed_case, alice):
    image = Image.new("RGB", (80, 40), "white")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    document = send(reviewed_case, out.getvalue(), "sideways.jpg")
    picture = Image.open(io.BytesIO(opened_by(alice, document)))
    assert picture.size == (40, 80)
    assert dict(picture.getexif()) == {}


def test_a_pdf_with_javascript_or_attachments_is_kept_and_flagged_for_staff(reviewed_case, alice):
    scripted = send(reviewed_case, make_pdf(javascript="app.alert('hello');"), "scripted.pdf")
    attached = send(reviewed_case, make_pdf(attachment=b"hidden notes"), "attached.pdf")
    plain = send(reviewed_case, make_pdf(), "plain.pdf")
    assert scripted.flags == ["javascript"]
    assert attached.flags == ["embedded_files"]
    assert plain.flags == []

    page = text(client_for(alice).get(f"/review/cases/{reviewed_case.reference}/"))
    assert "Take care: this PDF contains JavaScript or actions that start programs." in page
    assert "Take care: this PDF has other files embedded in it." in page
    assert page.count("Take care:") == 2


def test_a_pdf_locked_only_against_printing_is_accepted(reviewed_case, alice):
    # Patient portals often set an owner's password only: it opens without one, so we take it.
    pdf = make_pdf(owner_password="portal")
    document = send(reviewed_case, pdf, "portal.pdf")
    assert opened_by(alice, document) == pdf


def test_a_picture_just_over_the_megapixel_limit_is_refused(settings, reviewed_case):
    settings.UPLOAD_MAX_MEGAPIXELS = 1
    with pytest.raises(
        uploads.UploadRejected,
        match=re.escape("“wide.png” is too large a picture. We take pictures up to 1 megapixels"),
    ):
        send(reviewed_case, make_picture("PNG", size=(1001, 1000), gps=False), "wide.png")
    assert send(reviewed_case, make_picture("PNG", size=(1000, 1000), gps=False), "fine.png").size > 0

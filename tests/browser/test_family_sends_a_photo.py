"""A family sends a phone photo and a virus from their page; the reviewer opens the photo, in a browser.

The whole way: a real clamd scans, the photo is cleaned and encrypted into a real S3 bucket
(SeaweedFS), and the reviewer downloads it exactly as sent, without the camera's GPS position.
"""

import io
import re

import pytest
from django.core import mail
from PIL import Image

from intake.family import active_link
from intake.models import Document
from intake.outbox import deliver_due
from tests.conftest import make_case, make_picture, sign_in
from tests.servers.clamd import EICAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def s3_store(settings, object_store):
    from tests.conftest import BucketObjects, s3_document_storage

    settings.STORAGES = {**settings.STORAGES, "documents": s3_document_storage(object_store, "browser")}
    return BucketObjects(object_store, "browser")


def test_a_family_photo_reaches_the_reviewer_without_its_gps_position(
    page, browser, live_server, alice, scanner, s3_store, tmp_path
):
    case = make_case(status="in_review", assigned_to=alice)
    link = active_link(case)
    photo = tmp_path / "biopsy-letter.jpg"
    photo.write_bytes(make_picture("JPEG", size=(300, 200)))
    virus = tmp_path / "lab-results.pdf"
    virus.write_bytes(b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n")

    # The family opens their page with the emailed code and adds both files.
    family_context = browser.new_context(base_url=live_server.url)
    family = family_context.new_page()
    family.set_default_timeout(10_000)
    family.goto(f"/my-case/{link.token}/")
    family.get_by_role("button", name="Email me a code").click()
    deliver_due()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    family.get_by_label("The 6-digit code from our email").fill(code)
    family.get_by_role("button", name="Open my case").click()
    family.get_by_label("Choose files").set_input_files([str(photo), str(virus)])
    family.get_by_role("button", name="Add documents").click()
    alert = family.get_by_role("alert")
    assert "Our virus scanner found something harmful in “lab-results.pdf”" in alert.inner_text()
    family_context.close()

    kept = Document.objects.get(original_name="biopsy-letter.jpg")
    assert kept.scan_state == "clean"
    assert s3_store.stored_keys() == [kept.stored_name]
    assert b"\xff\xd8\xff" not in s3_store.raw(kept.stored_name)[:64]

    # The reviewer sees both: the photo to open, the virus refused.
    sign_in(page, alice)
    page.goto(f"/review/cases/{case.reference}/")
    documents = page.get_by_role("region", name="Documents")
    assert "Refused: the virus scanner found" in documents.inner_text()
    assert documents.get_by_role("link", name="Download lab-results.pdf").count() == 0
    with page.expect_download() as download:
        documents.get_by_role("link", name="Download biopsy-letter.jpg").click()
    opened = tmp_path / "opened.jpg"
    download.value.save_as(opened)
    picture = Image.open(io.BytesIO(opened.read_bytes()))
    assert picture.size == (300, 200)
    assert dict(picture.getexif()) == {}

"""Documents at rest: stored encrypted in the local folder or a real S3 bucket, opened only by an
authorised reviewer, and kept honest by verification, key rotation and the orphan sweep.

Every story here runs twice, through the `stored_objects` fixture: once on the local folder and once on
SeaweedFS over S3.
"""

import base64
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from assessments.models import AuditEvent
from intake import uploads
from intake.documents import upkeep
from intake.models import Case, Document, Draft
from tests.conftest import client_for, make_case, make_pdf

# Staff open only files the virus scanner found clean, so every upload here goes through the real clamd.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scanner")]


def send(case, data: bytes, name="pathology.pdf") -> Document:
    return uploads.store(SimpleUploadedFile(name, data), kind="pathology", existing=[], case=case)


def download(user, document) -> bytes:
    response = client_for(user).get(
        f"/review/cases/{document.case.reference}/documents/{document.id}/?download=1"
    )
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def new_key() -> bytes:
    return os.urandom(32)


def test_a_document_is_unreadable_on_the_disk_or_in_the_bucket(stored_objects, alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    pdf = make_pdf(padding=200_000)
    document = send(case, pdf)

    # What a thief with the disk or the bucket gets: one object, and nothing of the document in it.
    [key] = stored_objects.stored_keys()
    assert key == document.stored_name
    raw = stored_objects.raw(key)
    assert b"%PDF" not in raw
    assert pdf[1000:1064] not in raw and pdf[-64:] not in raw
    assert len(raw) > len(pdf)  # sealed chunks carry their authentication tags

    # The reviewer gets exactly what was sent.
    assert download(alice, document) == pdf


def test_a_reviewer_who_may_not_see_the_case_gets_nothing(stored_objects, alice, bob, dave):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    document = send(case, make_pdf())
    url = f"/review/cases/{case.reference}/documents/{document.id}/"
    assert client_for(bob).get(url).status_code == 404
    assert client_for(dave).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert not AuditEvent.objects.filter(action="viewed_document").exists()


def test_a_failed_commit_removes_the_object_it_wrote(stored_objects, transactional_db):
    # The draft disappears while its file is being stored (it expired, say): the row's foreign key is
    # checked when the transaction commits, so the commit itself fails after the object was written.
    draft = Draft.objects.create()
    Draft.objects.filter(pk=draft.pk).delete()
    with pytest.raises(IntegrityError):
        uploads.store(SimpleUploadedFile("scan.pdf", make_pdf()), kind="scan", existing=[], draft=draft)
    assert Document.objects.count() == 0
    assert stored_objects.stored_keys() == []


def test_housekeeping_sweeps_objects_a_day_old_that_no_row_points_to(stored_objects):
    case = make_case()
    kept = send(case, make_pdf())
    stored_objects.put_raw("0" * 32, b"left behind by a crash between the write and the commit")

    assert upkeep.sweep_orphans() == 0  # too young: it may belong to an upload still committing
    assert upkeep.sweep_orphans(now=timezone.now() + timedelta(days=1, minutes=5)) == 1
    assert stored_objects.stored_keys() == [kept.stored_name]


def test_erasing_a_case_removes_its_stored_objects(stored_objects, sam, django_capture_on_commit_callbacks):
    from assessments.actions import erase_case

    case = make_case()
    send(case, make_pdf())
    send(case, make_pdf(pages=2), name="letter.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        erase_case(case=case, by=sam)
    assert stored_objects.stored_keys() == []


def test_verification_finds_missing_unreadable_and_altered_documents(stored_objects, capsys):
    case = make_case()
    intact, missing, damaged, altered = (send(case, make_pdf(pages=n), name=f"{n}.pdf") for n in range(1, 5))
    call_command("verify_documents", no_progress=True)
    assert "Checked 4: 4 intact, 0 with problems." in capsys.readouterr().out

    # One object deleted, one with a flipped byte, and one row whose hash no longer matches.
    from intake.documents import storage

    storage.delete(missing.stored_name)
    raw = bytearray(stored_objects.raw(damaged.stored_name))
    raw[200] ^= 0xFF
    stored_objects.put_raw(damaged.stored_name, bytes(raw))
    Document.objects.filter(pk=altered.pk).update(sha256="0" * 64)

    with pytest.raises(CommandError, match="1 missing, 1 unreadable, 1 altered"):
        call_command("verify_documents", no_progress=True)
    out = capsys.readouterr().out
    assert f"MISSING    {missing.id}" in out
    assert f"UNREADABLE {damaged.id}" in out
    assert f"ALTERED    {altered.id}" in out
    assert str(intact.id) not in out


def test_housekeeping_verifies_each_document_once_a_week(stored_objects):
    case = make_case()
    document = send(case, make_pdf())
    assert upkeep.documents_to_verify(not_since=timedelta(days=7)).count() == 0
    Document.objects.update(verified_at=timezone.now() - timedelta(days=8))
    assert list(upkeep.documents_to_verify(not_since=timedelta(days=7))) == [document]
    call_command("housekeeping")
    document.refresh_from_db()
    assert document.verified_at > timezone.now() - timedelta(minutes=1)


def test_rotating_master_keys_rewraps_data_keys_and_leaves_files_alone(stored_objects, settings, alice):
    old, new = new_key(), new_key()
    settings.DOCUMENT_KEYS = {"2025": old}
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    pdfs = [make_pdf(pages=n) for n in (1, 2, 3)]
    documents = [send(case, pdf, name=f"{i}.pdf") for i, pdf in enumerate(pdfs)]
    before = {key: stored_objects.raw(key) for key in stored_objects.stored_keys()}

    # The new key goes first; the old one stays until rotation is done.
    settings.DOCUMENT_KEYS = {"2026": new, "2025": old}
    call_command("rotate_document_keys", batch_size=2, no_progress=True)
    assert set(Document.objects.values_list("key_id", flat=True)) == {"2026"}
    assert {key: stored_objects.raw(key) for key in stored_objects.stored_keys()} == before

    # Resumable: a second run finds nothing to do. And the old key can go.
    call_command("rotate_document_keys", no_progress=True)
    settings.DOCUMENT_KEYS = {"2026": new}
    for document, pdf in zip(documents, pdfs, strict=True):
        document.refresh_from_db()
        assert download(alice, document) == pdf


def test_rotation_stops_with_a_clear_error_when_an_old_key_is_missing(stored_objects, settings, capsys):
    settings.DOCUMENT_KEYS = {"2025": new_key()}
    document = send(make_case(), make_pdf())
    settings.DOCUMENT_KEYS = {"2026": new_key()}
    with pytest.raises(CommandError, match="keep their master keys in DOCUMENT_KEYS"):
        call_command("rotate_document_keys", no_progress=True)
    assert f"FAILED {document.id} (master key '2025')" in capsys.readouterr().out
    document.refresh_from_db()
    assert document.key_id == "2025"


def test_a_missing_object_is_a_message_for_the_reviewer_not_an_error(stored_objects, alice):
    from intake.documents import storage

    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    document = send(case, make_pdf())
    storage.delete(document.stored_name)
    response = client_for(alice).get(f"/review/cases/{case.reference}/documents/{document.id}/", follow=True)
    assert response.status_code == 200
    assert "could not be opened: the stored file is missing or damaged" in response.content.decode()


def test_documents_stored_in_plain_before_encryption_are_sealed_and_still_open(
    stored_objects, private_uploads, alice
):
    # A row and its file as the app kept them before this change: plain bytes in the private folder.
    import hashlib

    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    pdf = make_pdf()
    (private_uploads / ("b" * 32)).write_bytes(pdf)
    document = Document.objects.create(
        case=case,
        kind="lab",
        stored_name="b" * 32,
        original_name="old.pdf",
        size=len(pdf),
        content_type="application/pdf",
        sha256=hashlib.sha256(pdf).hexdigest(),
    )

    # It came before virus scanning too: shut until housekeeping has scanned it.
    url = f"/review/cases/{case.reference}/documents/{document.id}/"
    assert client_for(alice).get(url).status_code == 302

    call_command("housekeeping")

    document.refresh_from_db()
    assert document.key_id and document.stored_name != "b" * 32 and document.scan_state == "clean"
    assert not (private_uploads / ("b" * 32)).exists()
    assert b"%PDF" not in stored_objects.raw(document.stored_name)
    assert download(alice, document) == pdf


def test_the_development_key_is_made_once_and_readable_only_by_its_owner(tmp_path):
    from config.settings import development_key_ring, parse_key_ring

    path = tmp_path / "data" / "document-keys.txt"
    first = development_key_ring(path)
    assert development_key_ring(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    [(key_id, key)] = parse_key_ring("DOCUMENT_KEYS", first).items()
    assert key_id == "dev1" and len(key) == 32
    assert base64.b64encode(key).decode() in first


def test_when_the_object_store_is_down_the_family_is_asked_to_try_again(client, settings):
    from tests.conftest import s3_document_storage
    from tests.servers import free_port
    from tests.servers.seaweedfs import ObjectStore

    settings.INTAKE_MIN_FILL_SECONDS = 0
    nobody = ObjectStore(f"http://127.0.0.1:{free_port()}", "key", "secret")
    settings.STORAGES = {**settings.STORAGES, "documents": s3_document_storage(nobody, "down")}
    from tests.intake.test_case_form import fill_until, text

    fill_until(client, "documents")
    response = client.post(
        "/case/documents/", {"kind": "lab", "files": [SimpleUploadedFile("lab.pdf", make_pdf())]}
    )
    assert response.status_code == 200
    assert "We could not save “lab.pdf” just now. Please try again in a few minutes." in text(response)
    assert Document.objects.count() == 0

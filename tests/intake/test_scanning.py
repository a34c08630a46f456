"""Malware scanning with a real clamd: not scanned, waiting for scan, clean, infected.

The scanner knows one signature, the EICAR test file (see tests/servers/clamd.py).
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from assessments.models import AuditEvent
from intake import uploads
from intake.models import Case, Document
from tests.conftest import client_for, make_case, make_pdf
from tests.intake.test_case_form import text as html_text
from tests.intake.test_family_page import page_url, verified_client
from tests.servers.clamd import EICAR

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a person reads it: without tags, one space between words."""
    return (
        " ".join(re.sub(r"<[^>]+>", " ", html_text(response)).split()).replace(" .", ".").replace(" :", ":")
    )


def send(case, data: bytes, name="pathology.pdf") -> Document:
    return uploads.store(SimpleUploadedFile(name, data), kind="pathology", existing=[], case=case)


def document_url(document) -> str:
    return f"/review/cases/{document.case.reference}/documents/{document.id}/"


@pytest.fixture
def clamd_down(settings, tmp_path):
    """clamd is configured, but nothing answers on its socket."""
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")


def test_without_a_scanner_documents_are_kept_as_not_scanned_and_stay_shut_in_production(alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    document = send(case, make_pdf())
    assert document.scan_state == "not_scanned"
    reviewer = client_for(alice)
    page = text(reviewer.get(f"/review/cases/{case.reference}/"))
    assert "Not scanned for viruses: no virus scanner is set up, so this file was not checked." in page
    assert "It can be opened once a scanner is set up and has found it clean." in page
    assert document_url(document) not in page
    response = reviewer.get(document_url(document), follow=True)
    assert "cannot be opened: not scanned (no virus scanner is set up)." in text(response)
    held_back = AuditEvent.objects.get(action="document_held_back")
    assert held_back.actor == alice and held_back.detail["scan_state"] == "not_scanned"
    assert not AuditEvent.objects.filter(action="viewed_document").exists()


def test_a_development_site_without_a_scanner_opens_not_scanned_documents_and_says_so(settings, alice):
    settings.DEBUG = True  # `make run` on a machine without ClamAV
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    document = send(case, make_pdf())
    page = text(client_for(alice).get(f"/review/cases/{case.reference}/"))
    assert "Not scanned for viruses: no virus scanner is set up, so this file was not checked." in page
    assert "It can be opened once" not in page
    assert client_for(alice).get(document_url(document)).status_code == 200


def test_with_a_scanner_a_clean_file_is_marked_clean_and_opens(scanner, stored_objects, alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    document = send(case, make_pdf())
    assert document.scan_state == "clean" and document.scanned_at is not None
    page = text(client_for(alice).get(f"/review/cases/{case.reference}/"))
    assert "Not scanned" not in page and "Waiting for the virus scan" not in page
    assert client_for(alice).get(document_url(document)).status_code == 200


def test_a_virus_inside_a_well_formed_pdf_is_refused_and_nothing_is_stored(scanner, stored_objects):
    case = make_case()
    with pytest.raises(uploads.UploadRejected, match="Our virus scanner found something harmful"):
        send(case, make_pdf(comment=EICAR))
    assert stored_objects.stored_keys() == []
    assert Document.objects.get(case=case).scan_state == "infected"


def test_while_clamd_is_down_uploads_wait_shut_and_housekeeping_scans_them_later(
    settings, clamd_down, clamd_socket, stored_objects, alice
):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    document = send(case, make_pdf())
    assert document.scan_state == "waiting"
    assert stored_objects.stored_keys() == [document.stored_name]  # nothing is lost

    # Staff cannot open it meanwhile; the attempt is refused with a reason, and audited.
    reviewer = client_for(alice)
    page = text(reviewer.get(f"/review/cases/{case.reference}/"))
    assert "Waiting for the virus scan." in page and document_url(document) not in page
    response = reviewer.get(document_url(document), follow=True)
    assert "cannot be opened: waiting for the virus scan." in text(response)
    held_back = AuditEvent.objects.get(action="document_held_back")
    assert held_back.actor == alice and held_back.detail["scan_state"] == "waiting"

    call_command("housekeeping")  # clamd still down: it stays waiting
    document.refresh_from_db()
    assert document.scan_state == "waiting"

    settings.CLAMD_SOCKET = str(clamd_socket)  # clamd is back
    call_command("housekeeping")
    document.refresh_from_db()
    assert document.scan_state == "clean"
    assert reviewer.get(document_url(document)).status_code == 200


def test_a_virus_found_on_the_later_scan_loses_its_bytes_and_the_family_is_told(
    settings, clamd_down, clamd_socket, stored_objects, alice, django_capture_on_commit_callbacks
):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    document = send(case, make_pdf(comment=EICAR), name="labs.pdf")
    assert document.scan_state == "waiting"

    settings.CLAMD_SOCKET = str(clamd_socket)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("housekeeping")

    document.refresh_from_db()
    assert document.scan_state == "infected" and document.stored_name == "" and document.wrapped_key == b""
    assert stored_objects.stored_keys() == []
    event = AuditEvent.objects.get(action="upload_refused")
    assert event.case == case and event.detail["after_storing"] is True
    assert "Refused:" in text(client_for(alice).get(f"/review/cases/{case.reference}/"))
    family_page = text(verified_client(case).get(page_url(case)))
    assert "labs.pdf" in family_page and "Not kept: our virus scanner found something harmful" in family_page


def test_files_kept_unscanned_are_scanned_once_a_scanner_is_configured_and_then_open(
    settings, clamd_socket, alice
):
    document = send(make_case(status=Case.Status.IN_REVIEW, assigned_to=alice), make_pdf())
    assert document.scan_state == "not_scanned"
    assert client_for(alice).get(document_url(document)).status_code == 302
    settings.CLAMD_SOCKET = str(clamd_socket)
    call_command("housekeeping")
    document.refresh_from_db()
    assert document.scan_state == "clean"
    assert client_for(alice).get(document_url(document)).status_code == 200


def test_the_case_form_scans_what_the_family_sends(client, settings, scanner):
    from tests.intake.test_case_form import fill_until

    settings.INTAKE_MIN_FILL_SECONDS = 0
    fill_until(client, "documents")
    client.post("/case/documents/", {"kind": "lab", "files": [SimpleUploadedFile("lab.pdf", make_pdf())]})
    assert Document.objects.get().scan_state == "clean"

import html
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from assessments import actions
from assessments.models import AuditEvent
from intake.family import MAX_FAILED_ATTEMPTS
from intake.models import AccessCode, Case, DeletionRequest, Document, FamilyLink, Message, OutboundEmail
from intake.outbox import deliver_due
from tests.conftest import client_for, make_case, make_pdf

pytestmark = pytest.mark.django_db


def page_url(case, suffix=""):
    return f"/my-case/{case.family_links.get(revoked_at__isnull=True).token}/{suffix}"


def latest_code() -> str:
    deliver_due()
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def verified_client(case) -> Client:
    client = Client()
    client.post(page_url(case, "code/"), {"action": "send"})
    response = client.post(page_url(case, "code/"), {"code": latest_code()})
    assert response.status_code == 302 and response["Location"] == page_url(case)
    return client


def test_the_page_asks_for_a_code_before_showing_anything_personal(client):
    case = make_case()
    response = client.get(page_url(case))
    assert response["Location"] == page_url(case, "code/")
    verify = client.get(page_url(case, "code/")).content.decode()
    assert "m•••@example.com" in verify
    assert "leukemia" not in verify.lower() and "Maria" not in verify
    # Opening the page sends nothing by itself: link scanners in mail systems must not burn codes.
    assert AccessCode.objects.count() == 0


def test_the_code_email_has_the_code_and_no_health_details(client):
    case = make_case()
    client.post(page_url(case, "code/"), {"action": "send"})
    code = latest_code()
    email = mail.outbox[-1]
    assert code in email.body and case.reference in email.body
    assert "leukemia" not in email.body.lower()
    assert AuditEvent.objects.filter(case=case, action="family_code_sent").exists()


def test_the_right_code_opens_the_case(client):
    case = make_case()
    family = verified_client(case)
    body = family.get(page_url(case)).content.decode()
    assert case.reference in body
    assert "We have your case" in body
    assert AuditEvent.objects.filter(case=case, action="family_viewed").exists()


def test_a_wrong_code_is_refused_and_a_code_works_only_a_few_times(client):
    case = make_case()
    client.post(page_url(case, "code/"), {"action": "send"})
    code = latest_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_FAILED_ATTEMPTS):
        response = client.post(page_url(case, "code/"), {"code": wrong})
        assert response.status_code == 400
        assert "That code does not work" in response.content.decode()
    # Even the right code no longer works after too many wrong tries.
    assert client.post(page_url(case, "code/"), {"code": code}).status_code == 400


def test_codes_expire(client):
    case = make_case()
    client.post(page_url(case, "code/"), {"action": "send"})
    code = latest_code()
    AccessCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(page_url(case, "code/"), {"code": code}).status_code == 400


def test_codes_are_rate_limited(client, settings):
    settings.FAMILY_CODES_PER_HOUR = 3
    case = make_case()
    for _ in range(4):
        response = client.post(page_url(case, "code/"), {"action": "send"}, follow=True)
    assert "We have sent several codes in the last hour" in response.content.decode()
    assert AccessCode.objects.count() == 3


def test_a_tampered_or_revoked_link_does_not_work(client):
    case = make_case()
    token = case.family_links.get().token
    assert client.get(f"/my-case/{token[:-2]}xx/").status_code == 404
    case.family_links.update(revoked_at=timezone.now())
    response = client.get(f"/my-case/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_one_familys_link_cannot_open_another_familys_case():
    mine = make_case()
    theirs = make_case(about_you={"contact_name": "Other Parent"}, now={"anything_else": "Secret detail"})
    family = verified_client(mine)
    # My access does not extend to their link.
    response = family.get(page_url(theirs))
    assert response.status_code == 302 and response["Location"] == page_url(theirs, "code/")
    # A code for my case does not open theirs.
    family.post(page_url(theirs, "code/"), {"action": "send"})
    AccessCode.objects.filter(link__case=theirs).delete()
    family.post(page_url(mine, "code/"), {"action": "send"})
    assert family.post(page_url(theirs, "code/"), {"code": latest_code()}).status_code == 400
    assert "Secret detail" not in family.get(page_url(mine)).content.decode()


def test_the_family_never_sees_internal_notes_or_drafts(carol, alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    actions.add_note(case=case, author=alice, body="INTERNAL: prognosis discussion with team")
    report = actions.start_report(case=case, by=alice)
    actions.save_report(
        report=report,
        by=alice,
        fields={"understanding": "DRAFT TEXT not ready", "next_steps": "x"},
        options=[],
    )
    body = verified_client(case).get(page_url(case)).content.decode()
    assert "INTERNAL" not in body
    assert "DRAFT TEXT" not in body


def test_the_family_replies_and_the_reviewer_hears_about_it(alice):
    case = make_case(status=Case.Status.REPORT_SENT, assigned_to=alice)
    family = verified_client(case)
    response = family.post(
        page_url(case, "reply/"), {"reply-body": "Thank you. Can you look at trial X too?"}
    )
    assert response.status_code == 302
    message = Message.objects.get(case=case)
    assert message.sender == "family" and message.seen_by_staff_at is None
    case.refresh_from_db()
    assert case.family_replied_at is not None
    staff_email = OutboundEmail.objects.get(kind="staff_family_update")
    assert staff_email.to == "alice@staff.example.org"
    assert "trial X" not in staff_email.body_text
    assert AuditEvent.objects.filter(case=case, action="family_replied").exists()
    # The queue shows it, and opening the case marks it seen.
    queue = client_for(alice).get("/review/?tab=mine").content.decode()
    assert "New from family" in queue
    page = client_for(alice).get(f"/review/cases/{case.reference}/").content.decode()
    assert "highlight-answer" in page
    case.refresh_from_db()
    assert case.family_replied_at is None


def test_an_empty_reply_gets_a_clear_message():
    case = make_case()
    response = verified_client(case).post(page_url(case, "reply/"), {"reply-body": "  "})
    assert response.status_code == 400
    assert "Please write your message first." in response.content.decode()


def test_answering_a_question_returns_the_case_to_the_reviewer(alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    actions.request_info(case=case, by=alice, question="Which chemotherapy was given last?")
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_ON_FAMILY and case.clock_paused_at
    family = verified_client(case)
    body = family.get(page_url(case)).content.decode()
    assert "We have a question for you" in body and "Which chemotherapy was given last?" in body
    family.post(page_url(case, "answer/"), {"answer-body": "Nelarabine, in June."})
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW and case.clock_paused_at is None
    answer = Message.objects.get(kind="answer")
    assert answer.answers.body == "Which chemotherapy was given last?"
    assert "We have a question for you" not in family.get(page_url(case)).content.decode()
    assert "family_answered" in AuditEvent.objects.filter(case=case).values_list("action", flat=True)


def test_the_family_adds_documents_under_the_same_rules(private_uploads):
    case = make_case()
    family = verified_client(case)
    response = family.post(
        page_url(case, "documents/"),
        {"kind": "lab", "files": [SimpleUploadedFile("labs.pdf", make_pdf())]},
    )
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert document.source == "family"
    response = family.post(
        page_url(case, "documents/"), {"kind": "lab", "files": [SimpleUploadedFile("virus.pdf", b"MZ\x90")]}
    )
    assert response.status_code == 400
    assert "is not a PDF, JPEG, PNG or HEIC file" in response.content.decode()
    assert Document.objects.filter(case=case).count() == 1


def test_the_family_reads_and_downloads_the_report(alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    report = actions.start_report(case=case, by=alice)
    option = {
        "kind": "trial",
        "title": "CD7 CAR-T cell trial",
        "what_it_is": "A new cell treatment being tested.",
    }
    actions.save_report(
        report=report,
        by=alice,
        fields={"understanding": "T-ALL came back after chemo.", "next_steps": "Talk to your doctor."},
        options=[option],
    )
    actions.send_report(report=report, by=alice)
    family = verified_client(case)
    body = family.get(page_url(case)).content.decode()
    assert "CD7 CAR-T cell trial" in body and "Your report is ready" in body
    response = family.get(page_url(case, "report-1.pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "CD7 CAR-T cell trial" in text and case.reference in text and "Confidential" in text
    assert family.get(page_url(case, "report-2.pdf")).status_code == 404


def test_the_family_asks_for_deletion_and_it_happens_after_the_grace_period(
    private_uploads, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    case = make_case()
    reference = case.reference
    family = verified_client(case)
    family.post(
        page_url(case, "documents/"), {"kind": "lab", "files": [SimpleUploadedFile("l.pdf", make_pdf())]}
    )
    family.post(page_url(case, "delete/"), {"confirm": "on"})
    request = DeletionRequest.objects.get()
    assert request.state == "pending"
    assert OutboundEmail.objects.filter(kind="deletion_received").exists()
    call_command("housekeeping")  # not due yet
    assert Case.objects.filter(reference=reference).exists()

    DeletionRequest.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("housekeeping")
    assert not Case.objects.filter(reference=reference).exists()
    assert list(private_uploads.iterdir()) == []
    request.refresh_from_db()
    assert request.state == "done" and request.carried_out_by == "system"
    done = OutboundEmail.objects.get(kind="deletion_done")
    assert reference in done.body_text and done.to == "maria.lopez@example.com"
    # Nothing else addressed to the family is kept.
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == ["deletion_done"]
    assert AuditEvent.objects.filter(case_reference=reference, action="erased").exists()
    assert FamilyLink.objects.count() == 0


def test_the_family_can_change_their_mind_about_deletion():
    case = make_case()
    family = verified_client(case)
    family.post(page_url(case, "delete/"), {"confirm": "on"})
    family.post(page_url(case, "delete/cancel/"))
    assert DeletionRequest.objects.get().state == "cancelled"


def test_a_supervisor_carries_out_a_deletion_request(sam, django_capture_on_commit_callbacks):
    case = make_case()
    verified_client(case).post(page_url(case, "delete/"), {"confirm": "on"})
    client = client_for(sam)
    page = client.get(f"/review/cases/{case.reference}/").content.decode()
    assert "The family asked us to delete this case" in page
    response = client.post(f"/review/cases/{case.reference}/erase/", {"confirm": "wrong"})
    assert Case.objects.filter(pk=case.pk).exists()
    response = client.post(f"/review/cases/{case.reference}/erase/", {"confirm": case.reference})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
    assert DeletionRequest.objects.get().carried_out_by == "sam"


def test_lost_link_gives_the_same_answer_either_way(client):
    case = make_case()
    old_token = case.family_links.get().token
    wrong = client.post("/my-case/lost/", {"reference": case.reference, "email": "someone@else.org"})
    right = client.post(
        "/my-case/lost/", {"reference": case.reference.lower(), "email": "Maria.Lopez@example.com"}
    )
    assert wrong.status_code == right.status_code == 200
    assert wrong.content == right.content
    assert OutboundEmail.objects.filter(kind="new_link").count() == 1
    assert client.get(f"/my-case/{old_token}/").status_code == 404
    new_link = case.family_links.get(revoked_at__isnull=True)
    assert new_link.token in OutboundEmail.objects.get(kind="new_link").body_text


def test_lost_link_requests_are_rate_limited(client, settings):
    settings.LOST_LINK_REQUESTS_PER_HOUR = 2
    case = make_case()
    for _ in range(4):
        client.post("/my-case/lost/", {"reference": case.reference, "email": "maria.lopez@example.com"})
    assert OutboundEmail.objects.filter(kind="new_link").count() == 2


# Found by the fuzz tests (tests/fuzz/).


def test_the_reply_and_answer_boxes_have_their_own_ids(alice):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=alice)
    actions.request_info(case=case, by=alice, question="Which chemotherapy was given last?")
    family = verified_client(case)
    response = family.post(page_url(case, "answer/"), {"answer-body": " "})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('id="id_reply-body"') == body.count('id="id_answer-body"') == 1
    assert 'aria-describedby="id_answer-body_error"' in body
    assert "Please write your answer first." in body.split('id="id_answer-body_error"')[1]


def test_an_answer_to_a_question_answered_already_is_kept_for_a_message():
    case = make_case()
    response = verified_client(case).post(page_url(case, "answer/"), {"answer-body": "Nelarabine, in June."})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "This question was answered already" in body
    assert ">\nNelarabine, in June.</textarea>" in body
    assert not Message.objects.exists()


def test_a_code_typed_when_none_is_pending_gets_its_message_beside_the_box(client):
    case = make_case()
    response = client.post(page_url(case, "code/"), {"code": "123456"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-describedby="id_code_error"' in body
    assert "That code does not work" in body.split('id="id_code_error"')[1]

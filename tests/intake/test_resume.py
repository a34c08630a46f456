"""Save and finish later: a private resume link, opened in another browser after a one-time code;
and one draft open in two browsers at once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import dateformat, timezone

from assessments.models import AuditEvent
from intake.models import AccessCode, Case, Document, Draft, DraftLink, OutboundEmail
from intake.outbox import deliver_due
from tests.conftest import ANSWERS, make_pdf

pytestmark = pytest.mark.django_db

PDF = make_pdf()


def start_form(client: Client) -> Draft:
    client.post("/start/")
    return Draft.objects.get(id=client.session["intake_draft"])


def fill(client: Client, *slugs: str) -> None:
    for slug in slugs:
        response = client.post(f"/case/{slug}/", {**ANSWERS[slug], "action": "continue"})
        assert response.status_code == 302, (slug, response.content.decode()[:500])


def save_later(client: Client, slug: str, data: dict, email: str = "maria.lopez@example.com") -> str:
    """Press "Save and finish later" on a page, then ask for the link; returns the emailed link."""
    response = client.post(f"/case/{slug}/", {**data, "action": "save_later"})
    assert response.status_code == 302 and response["Location"] == "/case/save-for-later/"
    response = client.post("/case/save-for-later/", {"email": email})
    assert response.status_code == 302
    deliver_due()
    return re.search(r"(http://\S+/resume/\S+/)", mail.outbox[-1].body).group(1)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def latest_code() -> str:
    deliver_due()
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def open_with_code(link: str) -> Client:
    """A second browser opens the resume link, asks for a code and types it."""
    other = Client()
    response = other.get(path_of(link))
    assert response.status_code == 200 and "Open your case form" in response.content.decode()
    other.post(path_of(link), {"action": "send"})
    response = other.post(path_of(link), {"code": latest_code()})
    assert response.status_code == 302 and response["Location"] == path_of(link)
    assert other.get(path_of(link)).status_code == 302  # on to the form, with the draft in this session
    return other


def test_it_sends_a_private_link_with_the_expiry_date_and_no_health_details(client):
    draft = start_form(client)
    fill(client, "about-you", "patient")
    link = save_later(client, "diagnosis", ANSWERS["diagnosis"])
    draft.refresh_from_db()
    until = dateformat.format(draft.updated_at + timedelta(days=7), "j F Y")
    email = mail.outbox[-1]
    assert email.to == ["maria.lopez@example.com"]
    assert until in email.body and link in email.body
    for health in ("leukemia", "T-ALL", "NOTCH1", "JL", "relapsed", "Maria"):
        assert health not in email.body and health not in email.alternatives[0][0]
    page = client.get("/case/save-for-later/").content.decode()
    assert "m•••@example.com" in page and until in page
    # The page of the form says so too.
    assert until in client.get("/case/treatments/").content.decode()
    assert AuditEvent.objects.filter(action="resume_link_sent", detail__draft=str(draft.id)).exists()


def test_another_browser_opens_the_same_draft_after_the_code_with_its_documents(client):
    draft = start_form(client)
    fill(client, "about-you", "patient", "diagnosis", "treatments", "now")
    client.post(
        "/case/documents/", {"kind": "lab", "files": SimpleUploadedFile("labs.pdf", PDF), "action": "upload"}
    )
    link = save_later(client, "documents", {"kind": "other"})

    # Without the code the link shows nothing of the answers.
    stranger = Client()
    page = stranger.get(path_of(link)).content.decode()
    assert "NOTCH1" not in page and "labs.pdf" not in page and "Maria" not in page
    assert stranger.get("/case/check/").status_code == 302

    home = open_with_code(link)
    response = home.get(path_of(link))
    assert response.status_code == 302 and response["Location"] == "/case/documents/"
    assert home.session["intake_draft"] == str(draft.id)
    assert "labs.pdf" in home.get("/case/documents/").content.decode()
    assert "NOTCH1" in home.get("/case/diagnosis/").content.decode()
    assert AuditEvent.objects.filter(action="draft_resumed", detail__draft=str(draft.id)).exists()
    assert AuditEvent.objects.filter(action="draft_code_sent").exists()


def test_a_wrong_code_opens_nothing(client):
    start_form(client)
    fill(client, "about-you")
    link = save_later(client, "patient", ANSWERS["patient"])
    other = Client()
    other.post(path_of(link), {"action": "send"})
    code = latest_code()
    response = other.post(path_of(link), {"code": "000000" if code != "000000" else "111111"})
    assert response.status_code == 400
    assert "intake_draft" not in other.session


def test_a_code_typed_after_it_expired_gets_its_message_beside_the_box(client):
    # Found by the fuzz tests: with no code pending the box was hidden, and the message with it.
    start_form(client)
    fill(client, "about-you")
    link = save_later(client, "patient", ANSWERS["patient"])
    other = Client()
    other.post(path_of(link), {"action": "send"})
    code = latest_code()
    AccessCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = other.post(path_of(link), {"code": code})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-describedby="id_code_error"' in body
    assert "That code does not work" in body.split('id="id_code_error"')[1]
    assert "intake_draft" not in other.session


def test_an_unfinished_page_is_kept_as_typed_when_saving_for_later(client):
    start_form(client)
    fill(client, "about-you")
    half = {**ANSWERS["patient"], "patient_age": "", "postal_code": "99999"}
    save_later(client, "patient", half)
    page = client.get("/case/patient/").content.decode()
    assert 'value="99999"' in page
    # It is not taken as done: the next page is still out of reach.
    assert client.get("/case/diagnosis/")["Location"] == "/case/patient/"


def test_the_link_stops_working_when_the_draft_expires_or_is_sent(client, settings):
    draft = start_form(client)
    fill(client, "about-you")
    link = save_later(client, "patient", ANSWERS["patient"])
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=8))
    response = Client().get(path_of(link))
    assert response.status_code == 410 and "expired" in response.content.decode()

    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    fill(client, "patient", "diagnosis", "treatments", "now")
    client.post("/case/documents/", {"action": "continue"})
    Draft.objects.filter(pk=draft.pk).update(created_at=timezone.now() - timedelta(hours=1))
    consent = {"privacy_notice": "on", "reviewers_may_read": "on"}
    assert client.post("/case/check/", consent)["Location"] == "/case/submitted/"
    response = Client().get(path_of(link))
    assert response.status_code == 410 and "sent already" in response.content.decode()
    # The emails about the form now belong to the case, to be erased or purged with it.
    case = Case.objects.get()
    assert OutboundEmail.objects.filter(case=case, kind="resume_link").count() == 1
    assert not OutboundEmail.objects.filter(draft__isnull=False).exists()

    assert Client().get("/resume/not-a-token/").status_code == 404


def test_expired_drafts_take_their_links_and_emails_along(client):
    draft = start_form(client)
    fill(client, "about-you")
    save_later(client, "patient", ANSWERS["patient"])
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=8))
    from django.core.management import call_command

    call_command("expire_drafts", verbosity=0)
    assert not DraftLink.objects.exists()
    assert not OutboundEmail.objects.filter(kind__in=["resume_link", "draft_code"]).exists()


def test_resume_links_are_limited_per_hour(client, settings):
    settings.INTAKE_RESUME_EMAILS_PER_HOUR = 2
    start_form(client)
    client.post("/case/about-you/", {**ANSWERS["about-you"], "action": "save_later"})
    for _ in range(2):
        assert client.post("/case/save-for-later/", {"email": "a@example.com"}).status_code == 302
    response = client.post("/case/save-for-later/", {"email": "a@example.com"})
    assert response.status_code == 400 and "several links" in response.content.decode()
    assert DraftLink.objects.count() == 2


@pytest.mark.parametrize(
    "garbage", [{}, {"email": "not an email"}, {"email": "x" * 5000}, {"email": ["a", "b"]}]
)
def test_the_email_form_refuses_garbage_without_an_error_page(client, garbage):
    start_form(client)
    assert client.post("/case/save-for-later/", garbage).status_code == 400


def test_two_browsers_never_lose_each_others_pages(client):
    start_form(client)
    fill(client, "about-you")
    link = save_later(client, "patient", ANSWERS["patient"])
    phone, laptop = client, open_with_code(link)
    # Both have the diagnosis page open; the phone saves it, then the laptop saves the patient page.
    phone_form = phone.get("/case/diagnosis/")
    laptop.get("/case/diagnosis/")
    fill(phone, "diagnosis")
    laptop.post("/case/patient/", {**ANSWERS["patient"], "postal_code": "10001", "action": "continue"})
    draft = Draft.objects.get()
    assert draft.answers["diagnosis"]["genetic_results"] == ["NOTCH1 mutation"]
    assert draft.answers["patient"]["postal_code"] == ["10001"]
    assert phone_form.status_code == 200


def test_the_later_save_of_a_page_wins_and_the_person_is_told(client):
    start_form(client)
    fill(client, "about-you")
    link = save_later(client, "patient", ANSWERS["patient"])
    phone, laptop = client, open_with_code(link)
    seen = re.search(r'name="page_seen" value="(\d+)"', laptop.get("/case/patient/").content.decode()).group(
        1
    )
    phone.get("/case/patient/")
    phone.post("/case/patient/", {**ANSWERS["patient"], "postal_code": "11111", "action": "continue"})
    # The laptop still shows the older version, and saves over it.
    response = laptop.post(
        "/case/patient/",
        {**ANSWERS["patient"], "postal_code": "22222", "page_seen": seen, "action": "continue"},
    )
    assert Draft.objects.get().answers["patient"]["postal_code"] == ["22222"]
    told = laptop.get(response["Location"]).content.decode()
    assert "changed in another browser while you had it open" in told
    # The phone, back on that page, is told it changed elsewhere, and sees the newest answers.
    page = phone.get("/case/patient/").content.decode()
    assert "This page was changed in another browser" in page and 'value="22222"' in page
    # Once told, not again.
    assert "changed in another browser" not in phone.get("/case/patient/").content.decode()


def test_one_browser_saving_a_page_twice_is_not_warned(client):
    start_form(client)
    fill(client, "about-you")
    page = client.get("/case/patient/").content.decode()
    seen = re.search(r'name="page_seen" value="(\d+)"', page).group(1)
    for _ in range(2):
        response = client.post(
            "/case/patient/", {**ANSWERS["patient"], "page_seen": seen, "action": "continue"}
        )
    assert "another browser" not in client.get(response["Location"]).content.decode()


def test_documents_added_in_one_browser_are_there_in_the_other(client):
    start_form(client)
    fill(client, "about-you")
    link = save_later(client, "patient", ANSWERS["patient"])
    laptop = open_with_code(link)
    fill(laptop, "patient", "diagnosis", "treatments", "now")
    laptop.post(
        "/case/documents/", {"kind": "lab", "files": SimpleUploadedFile("scan.pdf", PDF), "action": "upload"}
    )
    fill(client, "patient", "diagnosis", "treatments", "now")
    assert "scan.pdf" in client.get("/case/documents/").content.decode()
    assert Document.objects.filter(draft__isnull=False).count() == 1

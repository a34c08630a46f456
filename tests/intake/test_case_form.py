import hashlib
import html

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from intake.models import Case, Consent, Document, Draft, OutboundEmail
from intake.outbox import deliver_due
from tests.conftest import ANSWERS, make_pdf, make_picture

pytestmark = pytest.mark.django_db

PDF = make_pdf()


@pytest.fixture(autouse=True)
def quick_families(settings):
    settings.INTAKE_MIN_FILL_SECONDS = 0


def text(response) -> str:
    return html.unescape(response.content.decode())


def begin(client):
    response = client.post("/start/")
    assert response.status_code == 302
    return response


def post_step(client, slug, data=None, **extra):
    return client.post(f"/case/{slug}/", data if data is not None else ANSWERS[slug], **extra)


def fill_until(client, last_slug):
    begin(client)
    for slug in ["about-you", "patient", "diagnosis", "treatments", "now"]:
        if slug == last_slug:
            return
        response = post_step(client, slug)
        assert response.status_code == 302, text(response)[:2000]
    if last_slug == "documents":
        return
    response = client.post("/case/documents/", {"action": "continue"})
    assert response.status_code == 302


CONSENT = {"privacy_notice": "on", "reviewers_may_read": "on", "website": ""}


def test_a_family_goes_from_the_first_page_to_a_reference_code(client):
    fill_until(client, "documents")
    upload = SimpleUploadedFile("pathology.pdf", PDF, content_type="application/pdf")
    response = client.post("/case/documents/", {"kind": "pathology", "files": [upload], "action": "continue"})
    assert response.status_code == 302
    assert response["Location"] == "/case/check/"

    page = client.get("/case/check/")
    assert page.status_code == 200
    body = text(page)
    assert "T-cell acute lymphoblastic leukemia" in body
    assert "BFM protocol" in body
    assert "pathology.pdf" in body

    response = client.post("/case/check/", CONSENT, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Firefox/140")
    assert response.status_code == 302
    assert response["Location"] == "/case/submitted/"

    case = Case.objects.get()
    confirmation = text(client.get("/case/submitted/"))
    assert case.reference in confirmation
    assert case.contact_email == "maria.lopez@example.com"
    assert case.diagnosis == "t_all"
    assert case.status == Case.Status.NEW
    assert [t.name for t in case.treatments.all()] == ["BFM protocol"]
    document = case.documents.get()
    assert document.content_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.original_name == "pathology.pdf"
    assert document.stored_name != "pathology.pdf"
    consent = case.consent
    assert (consent.version, consent.ip_address, consent.user_agent) == (
        "2026-11",
        "198.51.100.7",
        "Firefox/140",
    )
    assert consent.research_contact is False
    # The draft no longer holds a copy of the answers.
    assert Draft.objects.get(case=case).answers == {}


def test_the_reference_code_is_short_and_unambiguous(client):
    fill_until(client, "check")
    client.post("/case/check/", CONSENT)
    reference = Case.objects.get().reference
    assert len(reference) == 12 and reference.startswith("CA-") and reference[7] == "-"
    assert not set(reference[3:].replace("-", "")) & set("01OIL")


def test_a_double_submit_creates_one_case(client):
    fill_until(client, "check")
    first = client.post("/case/check/", CONSENT)
    second = client.post("/case/check/", CONSENT)
    assert first["Location"] == second["Location"] == "/case/submitted/"
    assert Case.objects.count() == 1
    assert Consent.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_the_confirmation_email_has_the_code_and_link_but_no_health_details(client):
    fill_until(client, "check")
    client.post("/case/check/", CONSENT)
    case = Case.objects.get()
    assert deliver_due() == 1
    (email,) = mail.outbox
    assert email.to == ["maria.lopez@example.com"]
    assert case.reference in email.subject
    assert case.reference in email.body
    link = case.family_links.get()
    assert f"/my-case/{link.token}/" in email.body
    html = email.alternatives[0][0]
    for text in (email.subject, email.body, html):
        lowered = text.lower()
        for health_detail in (
            "leukemia",
            "t-all",
            "notch1",
            "relapsed",
            "bfm",
            "chemotherapy",
            "maria",
            "ohio",
        ):
            assert health_detail not in lowered, health_detail


def test_page_titles_and_urls_carry_no_health_details(client):
    fill_until(client, "check")
    page = client.get("/case/check/").content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert "leukemia" not in title.lower()
    client.post("/case/check/", CONSENT)
    confirmation = text(client.get("/case/submitted/"))
    assert "leukemia" not in confirmation.lower()


def test_mismatched_emails_get_a_clear_message_and_keep_everything_else(client):
    begin(client)
    data = {
        **ANSWERS["about-you"],
        "contact_email_confirm": "maria.lopes@example.com",
        "contact_phone": "555 123 4567",
    }
    response = post_step(client, "about-you", data)
    assert response.status_code == 200
    body = text(response)
    assert "The two email addresses are not the same" in body
    assert 'role="alert"' in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_contact_email_confirm_helptext id_contact_email_confirm_error"' in body
    assert 'value="Maria Lopez"' in body
    assert 'value="555 123 4567"' in body
    assert response.context["form"]["relationship"].value() == "parent"
    assert "<title>Error: About you" in body


@pytest.mark.parametrize(
    ("slug", "change", "message"),
    [
        ("about-you", {"contact_preference": "phone", "contact_phone": ""}, "Please give a phone number"),
        ("about-you", {"contact_phone": "call me"}, "Please enter a phone number using digits"),
        (
            "patient",
            {"patient_age": "", "patient_birth_year": ""},
            "Please give the patient's age or year of birth",
        ),
        ("patient", {"patient_age": "300"}, "Please enter an age from 0 to 120"),
        ("diagnosis", {"diagnosis": "other", "diagnosis_other": ""}, "Please tell us the diagnosis"),
        (
            "diagnosis",
            {"diagnosed_on_month": "", "diagnosed_on_year": "2025"},
            "Please choose both the month and",
        ),
        ("diagnosis", {"diagnosis": ""}, "Please choose an answer"),
        ("now", {"goals": []}, "Please choose at least one thing you are looking for"),
        ("now", {"condition": ""}, "Please choose an answer"),
        ("now", {"goals": ["other"], "goals_other": ""}, "Please tell us what else you are looking for"),
    ],
)
def test_each_page_checks_its_answers(client, slug, change, message):
    fill_until(client, slug)
    response = post_step(client, slug, {**ANSWERS[slug], **change})
    assert response.status_code == 200
    assert message in text(response)
    assert slug not in Draft.objects.get().answers


def test_a_diagnosis_in_the_future_is_refused(client):
    fill_until(client, "diagnosis")
    next_year = str(timezone.localdate().year + 1)
    response = post_step(client, "diagnosis", {**ANSWERS["diagnosis"], "diagnosed_on_year": next_year})
    # Next year is not offered in the list at all; a forged value is still refused.
    assert response.status_code == 200
    assert "This date is in the future" in text(response)
    # Further out, it is not a year we can use at all.
    response = post_step(client, "diagnosis", {**ANSWERS["diagnosis"], "diagnosed_on_year": "2099"})
    assert f"Please enter a year like {timezone.localdate().year}." in text(response)


def test_a_treatment_that_ends_before_it_starts_is_refused(client):
    fill_until(client, "treatments")
    data = {**ANSWERS["treatments"], "treatments-0-ended_on_year": "2024"}
    response = post_step(client, "treatments", data)
    assert response.status_code == 200
    assert "The end is before the start" in text(response)


def test_treatments_are_added_and_removed_without_javascript(client):
    fill_until(client, "treatments")
    response = post_step(client, "treatments", {**ANSWERS["treatments"], "add": "1"})
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 2
    second = {
        "treatments-TOTAL_FORMS": "2",
        "treatments-1-kind": "car_t",
        "treatments-1-name": "Experimental CAR-T",
        "treatments-1-outcome": "did_not_work",
    }
    data = {**ANSWERS["treatments"], **second, "remove": "0"}
    response = post_step(client, "treatments", data)
    formset = response.context["formset"]
    assert formset.total_form_count() == 1
    assert formset.forms[0]["name"].value() == "Experimental CAR-T"
    # Reloading the page shows the rows as they were left.
    again = client.get("/case/treatments/")
    assert again.context["formset"].forms[0]["name"].value() == "Experimental CAR-T"
    final = {k: v for k, v in ANSWERS["treatments"].items() if "-0-" not in k}
    final.update({k.replace("-1-", "-0-"): v for k, v in second.items() if "-1-" in k})
    response = post_step(client, "treatments", final)
    assert response.status_code == 302
    client.post("/case/now/", ANSWERS["now"])
    client.post("/case/documents/", {"action": "continue"})
    client.post("/case/check/", CONSENT)
    assert [t.name for t in Case.objects.get().treatments.all()] == ["Experimental CAR-T"]


def test_no_treatments_yet_is_fine(client):
    fill_until(client, "treatments")
    response = client.get("/case/treatments/")
    management = {k: v for k, v in ANSWERS["treatments"].items() if "-0-" not in k}
    response = post_step(client, "treatments", management)
    assert response.status_code == 302


def test_answers_survive_a_reload_and_the_back_button(client):
    fill_until(client, "diagnosis")
    response = client.get("/case/about-you/")
    assert response.context["form"]["contact_name"].value() == "Maria Lopez"
    response = client.get("/case/patient/")
    assert response.context["form"]["postal_code"].value() == "43210"


def test_pages_are_filled_in_order(client):
    begin(client)
    response = client.get("/case/now/")
    assert response.status_code == 302
    assert response["Location"] == "/case/about-you/"


def test_without_a_draft_the_form_starts_at_the_beginning(client):
    response = client.get("/case/patient/")
    assert response["Location"] == "/start/"


def test_start_again_deletes_the_draft_and_its_files(client, private_uploads):
    fill_until(client, "documents")
    client.post("/case/documents/", {"kind": "lab", "files": [SimpleUploadedFile("lab.pdf", PDF)]})
    assert len(list(private_uploads.iterdir())) == 1
    client.post("/start/", {"action": "restart"})
    assert Draft.objects.count() == 1
    assert Draft.objects.get().answers == {}
    assert list(private_uploads.iterdir()) == []


def test_an_executable_renamed_to_pdf_is_refused_and_nothing_else_is_lost(client, private_uploads):
    fill_until(client, "documents")
    executable = SimpleUploadedFile(
        "report.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    response = client.post(
        "/case/documents/", {"kind": "pathology", "files": [executable], "action": "continue"}
    )
    assert response.status_code == 200
    body = text(response)
    assert "“report.pdf” is not a PDF, JPEG, PNG or HEIC file" in body
    assert 'role="alert"' in body
    assert Document.objects.count() == 0
    assert list(private_uploads.iterdir()) == []
    assert set(Draft.objects.get().answers) == {"about-you", "patient", "diagnosis", "treatments", "now"}


def test_a_file_over_the_size_limit_is_refused(client, settings):
    settings.UPLOAD_MAX_FILE_MB = 1
    fill_until(client, "documents")
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    small = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    response = client.post("/case/documents/", {"kind": "scan", "files": [big, small]})
    assert response.status_code == 200
    assert "“scan.pdf” is too big" in text(response)
    assert [d.original_name for d in Document.objects.all()] == ["letter.pdf"]


def test_no_more_than_the_file_limit_is_kept(client, settings):
    settings.UPLOAD_MAX_FILES = 2
    fill_until(client, "documents")
    files = [SimpleUploadedFile(f"page{i}.png", make_picture("PNG")) for i in range(3)]
    response = client.post("/case/documents/", {"kind": "scan", "files": files})
    assert "you can send at most 2 files" in text(response)
    assert Document.objects.count() == 2
    assert set(Document.objects.values_list("content_type", flat=True)) == {"image/png"}


def test_a_document_can_be_removed_before_sending(client, private_uploads):
    fill_until(client, "documents")
    client.post("/case/documents/", {"kind": "lab", "files": [SimpleUploadedFile("lab.pdf", PDF)]})
    document = Document.objects.get()
    client.post("/case/documents/", {"remove": str(document.id)})
    assert Document.objects.count() == 0
    assert list(private_uploads.iterdir()) == []


def test_the_honeypot_stops_bots(client):
    fill_until(client, "check")
    response = client.post("/case/check/", {**CONSENT, "website": "http://spam.example"})
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_a_form_filled_in_faster_than_a_person_could_is_refused(client, settings):
    settings.INTAKE_MIN_FILL_SECONDS = 600
    fill_until(client, "check")
    response = client.post("/case/check/", CONSENT)
    assert "That was very quick" in text(response)
    assert Case.objects.count() == 0


def test_consent_is_required(client):
    fill_until(client, "check")
    response = client.post("/case/check/", {"privacy_notice": "on"})
    assert response.status_code == 200
    assert "Please agree that our reviewers may read your case" in text(response)
    assert Case.objects.count() == 0


def test_submissions_are_limited_per_address_with_a_kind_message(client, settings, django_user_model):
    settings.INTAKE_SUBMISSIONS_PER_IP_PER_HOUR = 2
    from tests.conftest import make_case

    make_case(ip="192.0.2.44")
    make_case(ip="192.0.2.44")
    fill_until(client, "check")
    response = client.post("/case/check/", CONSENT, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 429
    assert "please wait a little and try again. Your answers are saved" in text(response)
    assert Case.objects.count() == 2
    # Another address is not affected.
    response = client.post("/case/check/", CONSENT, REMOTE_ADDR="192.0.2.45")
    assert response.status_code == 302


def test_old_drafts_expire_with_their_files(client, private_uploads, django_capture_on_commit_callbacks):
    fill_until(client, "documents")
    client.post("/case/documents/", {"kind": "lab", "files": [SimpleUploadedFile("lab.pdf", PDF)]})
    from datetime import timedelta

    Draft.objects.update(updated_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_drafts")
    assert Draft.objects.count() == 0
    assert Document.objects.count() == 0
    assert list(private_uploads.iterdir()) == []


# Found by the fuzz tests (tests/fuzz/): answers that used to break a page.


# The example in the message is this year.
YEAR_LIKE = {"en": "Please enter a year like {}.", "es": "Escriba un año, por ejemplo {}."}
MONTH_FROM_THE_LIST = {"en": "Please choose a month from the list.", "es": "Elija un mes de la lista."}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "year", ["99999999999999999999", "10000", "1899", "2028", "-2025", "20.5", "abc", "²"]
)
def test_a_year_out_of_range_or_not_a_whole_number_gets_a_message_beside_it(client, year, language):
    fill_until(client, "diagnosis")
    data = {**ANSWERS["diagnosis"], "diagnosed_on_year": year}
    response = post_step(client, "diagnosis", data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = text(response)
    error = body.split('id="id_diagnosed_on_error"')[1].split("</div>")[0]
    assert YEAR_LIKE[language].format(timezone.localdate().year) in error
    assert 'aria-describedby="id_diagnosed_on_helptext id_diagnosed_on_error"' in body
    # Bootstrap shows the message only after an element marked invalid, and both selects are.
    assert '<div class="d-flex gap-2 is-invalid">' in body
    assert body.count('class="form-select is-invalid"') == 2
    # Everything else typed is still there.
    assert "NOTCH1 mutation</textarea>" in body and 'value="Children\'s Hospital"' in body
    assert 'value="3" selected' in body
    assert response.context["form"]["disease_status"].value() == "relapsed"
    assert "diagnosis" not in Draft.objects.get().answers


def test_a_treatment_year_out_of_range_is_refused_beside_the_treatment(client):
    fill_until(client, "treatments")
    data = {**ANSWERS["treatments"], "treatments-0-started_on_year": "99999999999999999999"}
    response = post_step(client, "treatments", data)
    assert response.status_code == 200
    body = text(response)
    assert (
        YEAR_LIKE["en"].format(timezone.localdate().year)
        in body.split('id="id_treatments-0-started_on_error"')[1]
    )
    assert 'value="BFM protocol"' in body


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("month", ["13", "0", "-1", "abc"])
def test_a_month_that_is_not_in_the_list_is_refused(client, month, language):
    fill_until(client, "diagnosis")
    data = {**ANSWERS["diagnosis"], "diagnosed_on_month": month}
    response = post_step(client, "diagnosis", data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert MONTH_FROM_THE_LIST[language] in text(response)


@pytest.mark.parametrize("total", ["abc", "-5", "", "0", "1.0", "99999999999999999999", "9" * 5000])
def test_a_broken_treatments_list_keeps_the_rows_that_came(client, total):
    fill_until(client, "treatments")
    response = post_step(client, "treatments", {**ANSWERS["treatments"], "treatments-TOTAL_FORMS": total})
    assert response.status_code == 302
    assert Draft.objects.get().answers["treatments"]["treatments-0-name"] == ["BFM protocol"]


@pytest.mark.parametrize("remove", ["²", "\u0661", "99999999999999999999", "-1"])
def test_an_odd_remove_button_value_does_not_break_the_page(client, remove):
    fill_until(client, "treatments")
    response = post_step(client, "treatments", {**ANSWERS["treatments"], "remove": remove})
    assert response.status_code in (200, 302)
    if remove == "\u0661":  # an Arabic-Indic 1: there is no second treatment to remove
        assert response.context["formset"].total_form_count() == 1


def test_no_more_than_thirty_treatments_are_added(client):
    fill_until(client, "treatments")
    data = {**ANSWERS["treatments"], "treatments-TOTAL_FORMS": "30", "add": "1"}
    response = post_step(client, "treatments", data)
    assert response.context["formset"].total_form_count() == 30


def test_drafts_keep_only_the_forms_answers_and_never_nul(client):
    fill_until(client, "about-you")
    post_step(client, "about-you", {**ANSWERS["about-you"], "extra\x00": "a\x00b", "x": "1"})
    assert set(Draft.objects.get().answers["about-you"]) == set(ANSWERS["about-you"])
    fill_until(client, "treatments")
    data = {**ANSWERS["treatments"], "treatments-0-name": "BFM\x00 protocol", "add": "1"}
    response = post_step(client, "treatments", data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0]["name"].value() == "BFM protocol"

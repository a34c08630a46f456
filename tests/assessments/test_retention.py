"""Retention: closed cases past RETENTION_CLOSED_CASE_DAYS lose everything personal, everywhere, and
keep what the statistics read; legal hold stops it; housekeeping does it daily; a dry run says why."""

import csv
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import formats, timezone

from assessments import actions, dashboard, exports, retention, sharing
from assessments.models import AuditEvent, HousekeepingRun, LegalHold
from intake import uploads
from intake.lifecycle import consents, resume
from intake.models import Case, Draft, Message, OutboundEmail, Report
from intake.submission import build_case, submit
from tests.conftest import client_for, make_answers, make_case, make_pdf

pytestmark = pytest.mark.django_db

PDF = make_pdf(comment=b"MARKERPDFTEXT")
# Words that appear nowhere but in this family's case: after the purge, none may be found anywhere.
MARKERS = [
    "Zebulon Quixote",
    "zebulon.q@example.com",
    "555 867 5309",
    "Xanthippe",
    "99501",
    "Markergene",
    "Marker Clinic",
    "Markerblastin",
    "markerurgency",
    "markerelse",
    "markermessage",
    "markerreport",
    "markernote",
    "Markerpartner",
    "markerpurpose",
    "markerscan.pdf",
]
FAMILY = {
    "about_you": {
        "contact_name": "Zebulon Quixote",
        "contact_email": "zebulon.q@example.com",
        "contact_email_confirm": "zebulon.q@example.com",
        "contact_phone": "555 867 5309",
        "contact_preference": "phone",
    },
    "patient": {"patient_name": "Xanthippe", "postal_code": "99501", "region": "Alaska"},
    "diagnosis": {"genetic_results": "Markergene fusion", "treating_center": "Marker Clinic"},
    "treatments": {"treatments-0-name": "Markerblastin"},
    "now": {"urgency_in_own_words": "markerurgency", "anything_else": "markerelse"},
}


def long_ago(days: int):
    return timezone.now() - timedelta(days=days)


def the_familys_case(sam, bob) -> Case:
    """A case with something personal in every place it can be: answers, a document in the store, a
    resume email from the unfinished form, messages, a report sent, a note, consents and a share."""
    draft = Draft.objects.create(answers=make_answers(**FAMILY))
    resume.send_resume_link(draft=draft, email="zebulon.q@example.com", ip="203.0.113.9")
    consent = {"privacy_notice": True, "reviewers_may_read": True, "research_contact": True}
    case = submit(
        draft=draft, built=build_case(draft.answers), consent_data=consent, ip="203.0.113.9", user_agent="x"
    )
    uploads.store(SimpleUploadedFile("markerscan.pdf", PDF), kind="scan", existing=[], case=case)
    actions.triage_case(case=case, by=sam, urgency=case.suggested_urgency)
    actions.assign_case(case=case, assignee=bob, by=sam)
    actions.add_note(case=case, author=bob, body="markernote about the patient")
    actions.send_message(case=case, by=bob, body="markermessage from the reviewer")
    Message.objects.create(case=case, sender=Message.Sender.FAMILY, body="markermessage from the family")
    sharing.propose_share(case=case, by=bob, partner="Markerpartner Hospital", purpose="markerpurpose study")
    report = actions.start_report(case=case, by=bob)
    fields = {
        "understanding": "markerreport understanding",
        "questions": "",
        "next_steps": "markerreport next",
    }
    actions.save_report(
        report=report, by=bob, fields=fields, options=[{"title": "markerreport option", "what_it_is": "x"}]
    )
    actions.send_report(report=report, by=bob)
    actions.start_report(case=case, by=bob)  # an unsent second version, copied from the first
    actions.change_status(case=case, to=Case.Status.CLOSED, by=bob, reason="Answered.")
    case.refresh_from_db()
    return case


def close(case, days_ago: int) -> Case:
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, status_changed_at=long_ago(days_ago))
    case.refresh_from_db()
    return case


def everything_stored() -> str:
    """Every row of every table, as text: what a thief with the database would read."""
    text = []
    for model in apps.get_models():
        for row in model._base_manager.values():
            text.append(str(row))
    return "\n".join(text).lower()


def figures(now) -> dict:
    period = dashboard.Period("custom", timezone.localdate(now) - timedelta(days=30), timezone.localdate(now))
    return {key: (f.headers, f.rows, f.summary) for key, f in dashboard.all_figures(period, now).items()}


def test_after_a_purge_nothing_personal_remains_anywhere(
    sam, bob, stored_objects, django_capture_on_commit_callbacks
):
    case = the_familys_case(sam, bob)
    assert stored_objects.stored_keys()
    stored = everything_stored()
    assert all(marker.lower() in stored for marker in MARKERS if marker != "markerscan.pdf")
    now = timezone.now()
    before = figures(now)
    Case.objects.filter(pk=case.pk).update(status_changed_at=long_ago(731))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("housekeeping", verbosity=0)

    case.refresh_from_db()
    assert case.purged_at and case.outcome == "answered"
    # The case's fields: only what the statistics read is left.
    for field, empty in retention.REMOVED.items():
        assert getattr(case, field) == empty, field
    assert (case.reference, case.diagnosis, case.status, case.preferred_language) == (
        case.reference,
        "t_all",
        "closed",
        "en",
    )
    assert case.submitted_at and case.triaged_at and case.first_response_at and case.urgency
    # The document store (the local folder or the S3 bucket), the database and the outbox.
    assert stored_objects.stored_keys() == []
    stored = everything_stored()
    for marker in MARKERS:
        assert marker.lower() not in stored, marker
    assert not OutboundEmail.objects.filter(case=case).exists()
    assert not OutboundEmail.objects.filter(to="zebulon.q@example.com").exists()
    # Bare rows of the reports sent stay, for the reviewers' workload; their words are gone.
    assert list(Report.objects.filter(case=case).values_list("version", "understanding")) == [(1, "")]
    # The search index.
    client = client_for(sam)
    assert case.search_document is None
    for words in ("Markergene", "Markerblastin", "markernote"):
        assert "No cases here" in client.get("/review/", {"tab": "all", "q": words}).content.decode()
    # Exports: the case is a row of statistics, with nothing personal in it.
    every_column = [c.key for c in exports.COLUMNS]
    response = client.get("/review/export.csv", {"tab": "all", "columns": every_column})
    exported = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["Reference"] for r in rows] == [case.reference]
    assert rows[0]["Diagnosis group"] and rows[0]["Urgency"] and rows[0]["Treatments"] == ""
    for marker in MARKERS:
        assert marker.lower() not in exported.lower(), marker
    research = client.get("/review/export-research.csv", {"tab": "all"})
    assert b"".join(research.streaming_content).decode("utf-8-sig").count("\n") == 1  # the header only
    # The dashboard counts it as before.
    assert figures(now) == before
    # The audit trail stays, with the purge in it, and the case page says what happened.
    event = AuditEvent.objects.get(case=case, action="purged")
    assert (
        event.actor_label == "system"
        and event.detail["documents"] == 1
        and event.detail["retention_days"] == 730
    )
    assert AuditEvent.objects.filter(case=case, action="submitted").exists()
    page = client.get(f"/review/cases/{case.reference}/")
    assert page.status_code == 200 and "data-purged" in page.content.decode()
    assert client.get(f"/review/cases/{case.reference}/summary.pdf").status_code == 200


def test_only_closed_cases_past_the_period_are_purged(settings):
    settings.RETENTION_CLOSED_CASE_DAYS = 30
    due = close(make_case(), 31)
    recent = close(
        make_case(about_you={"contact_email": "b@example.com", "contact_email_confirm": "b@example.com"}), 29
    )
    still_open = make_case(
        about_you={"contact_email": "c@example.com", "contact_email_confirm": "c@example.com"}
    )
    Case.objects.filter(pk=still_open.pk).update(submitted_at=long_ago(400), status_changed_at=long_ago(400))
    assert retention.purge_due_cases() == [due.reference]
    for case in (recent, still_open):
        case.refresh_from_db()
        assert case.purged_at is None and case.contact_name
    assert retention.purge_on(recent) == timezone.localdate(recent.status_changed_at) + timedelta(days=31)


def test_a_legal_hold_keeps_a_case_and_the_dry_run_says_why(sam, capsys):
    held = close(make_case(), 800)
    due = close(
        make_case(about_you={"contact_email": "d@example.com", "contact_email_confirm": "d@example.com"}), 740
    )
    retention.place_legal_hold(case=held, by=sam, reason="Records requested by a court")
    call_command("purge_closed_cases", "--dry-run")
    out = capsys.readouterr().out
    assert (
        f"Would purge {due.reference}" in out
        and "closed 740 days ago, past the retention period of 730 days" in out
    )
    assert f"Keep {held.reference}" in out and "legal hold" in out and "Records requested by a court" in out
    assert "1 case(s) would be purged, 1 kept on legal hold" in out
    assert not Case.objects.filter(purged_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="purged").exists()

    call_command("purge_closed_cases")
    assert list(Case.objects.filter(purged_at__isnull=False).values_list("reference", flat=True)) == [
        due.reference
    ]
    with pytest.raises(actions.ActionRefused):
        retention.purge_case(case=held)


def test_a_supervisor_places_and_releases_a_legal_hold_with_a_reason(sam, alice, carol):
    case = make_case()
    client = client_for(sam)
    url = f"/review/cases/{case.reference}/legal-hold/"
    assert client.post(url, {"action": "place", "hold-reason": ""}).status_code == 400
    response = client.post(url, {"action": "place", "hold-reason": "Complaint under review"})
    assert response.status_code == 302
    hold = LegalHold.objects.get(case=case)
    assert (hold.reason, hold.placed_by) == ("Complaint under review", sam)
    placed = AuditEvent.objects.get(case=case, action="legal_hold_placed")
    assert placed.detail == {"reason": "Complaint under review"} and placed.actor == sam
    assert "data-legal-hold" in client.get(f"/review/cases/{case.reference}/").content.decode()
    for person in (alice, carol):
        assert client_for(person).post(url, {"action": "release"}).status_code == 403
    client.post(url, {"action": "release", "hold-reason": "Closed"})
    assert not LegalHold.objects.filter(case=case).exists()
    released = AuditEvent.objects.get(case=case, action="legal_hold_released")
    assert released.detail == {"reason": "Closed", "placed_reason": "Complaint under review"}


@pytest.mark.parametrize("reason", ["x" * 2001, "a\x00b"])
def test_a_release_reason_is_checked_before_it_goes_into_the_audit_trail(sam, reason):
    case = make_case()
    retention.place_legal_hold(case=case, by=sam, reason="Litigation")
    url = f"/review/cases/{case.reference}/legal-hold/"
    response = client_for(sam).post(url, {"action": "release", "hold-reason": reason})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-describedby="id_hold-reason_error"' in body and 'id="id_hold-reason_error"' in body
    assert LegalHold.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(case=case, action="legal_hold_released").exists()
    # No reason is fine: it is optional when releasing.
    assert client_for(sam).post(url, {"action": "release", "hold-reason": ""}).status_code == 302
    assert AuditEvent.objects.get(case=case, action="legal_hold_released").detail["reason"] == ""


def test_a_held_case_is_not_deleted_at_the_familys_request_until_released(sam):
    case = make_case()
    from intake.models import DeletionRequest

    DeletionRequest.objects.create(case=case, case_reference=case.reference, due_at=long_ago(1))
    retention.place_legal_hold(case=case, by=sam, reason="Litigation")
    assert actions.erase_due_cases() == []
    response = client_for(sam).post(f"/review/cases/{case.reference}/erase/", {"confirm": case.reference})
    assert response.status_code == 302 and Case.objects.filter(pk=case.pk).exists()
    retention.release_legal_hold(case=case, by=sam)
    assert actions.erase_due_cases() == [case.reference]


def test_housekeeping_purges_once_a_day(settings):
    first = close(make_case(), 731)
    call_command("housekeeping", verbosity=0)
    assert Case.objects.get(pk=first.pk).purged_at
    second = close(
        make_case(about_you={"contact_email": "e@example.com", "contact_email_confirm": "e@example.com"}), 731
    )
    call_command("housekeeping", verbosity=0)
    assert Case.objects.get(pk=second.pk).purged_at is None
    HousekeepingRun.objects.filter(task="purge closed cases").update(
        finished_at=long_ago(1) - timedelta(minutes=1)
    )
    call_command("housekeeping", verbosity=0)
    assert Case.objects.get(pk=second.pk).purged_at


def test_supervisors_see_upcoming_purges_in_the_admin(sam, carol):
    case = close(make_case(), 700)
    response = client_for(sam).get("/admin/assessments/upcomingpurge/")
    assert response.status_code == 200
    page = response.content.decode()
    expected = timezone.localdate(case.status_changed_at) + timedelta(days=731)
    assert case.reference in page and formats.date_format(expected) in page
    assert "Maria" not in page and "leukemia" not in page.lower()
    assert client_for(carol).get("/admin/assessments/upcomingpurge/").status_code == 403


def test_a_purged_case_cannot_be_opened_by_the_family_any_more(client):
    case = close(make_case(), 731)
    token = case.family_links.get().token
    retention.purge_case(case=case)
    assert client.get(f"/my-case/{token}/").status_code == 404
    response = client.post(
        "/my-case/lost/", {"reference": case.reference, "email": "maria.lopez@example.com"}
    )
    assert response.status_code == 200 and not OutboundEmail.objects.filter(kind="new_link").exists()


def test_research_consent_records_go_with_the_purge(sam):
    case = close(make_case(), 731)
    consents.change_research_contact(case=case, give=True, ip="192.0.2.1", user_agent="ua")
    retention.purge_case(case=case, by=sam)
    assert not case.consent_records.exists()
    assert AuditEvent.objects.get(case=case, action="purged").actor == sam


def test_every_answer_of_the_form_is_removed_or_kept_on_purpose():
    """A field added to the form later must be named here: removed by the purge, or kept for statistics."""
    from assessments.duplicates import ANSWER_FIELDS

    kept_for_statistics = {"diagnosis", "preferred_language"}
    assert set(ANSWER_FIELDS) - kept_for_statistics <= set(retention.REMOVED)


def test_the_privacy_page_says_how_long_we_keep_it_from_the_settings(client, settings):
    page = client.get("/privacy/").content.decode()
    assert "How long we keep it" in page
    assert "After we close your case, we keep it for 2 years." in page
    assert "we delete it 7 days after your last change" in page
    assert "We wait 7 days in case you change your mind" in page
    assert "stop it at any time" in page and "take back your yes" in page

    settings.RETENTION_CLOSED_CASE_DAYS, settings.INTAKE_DRAFT_EXPIRY_DAYS = 400, 1
    page = client.get("/privacy/").content.decode()
    assert "we keep it for 400 days." in page and "2 years" not in page
    assert "we delete it 1 day after your last change" in page

    settings.RETENTION_CLOSED_CASE_DAYS = 365
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cuánto tiempo la guardamos" in page and "lo guardamos 1 año." in page


def test_a_retention_period_the_consent_words_do_not_promise_warns_at_start(settings):
    def warnings():
        return [message.id for message in checks.run_checks() if message.id == "intake.W003"]

    assert warnings() == []
    settings.RETENTION_CLOSED_CASE_DAYS = 1095
    assert warnings() == ["intake.W003"]

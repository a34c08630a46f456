from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from assessments import actions
from assessments.actions import ActionRefused
from assessments.models import AuditEvent
from intake import clock
from intake.clock import add_business_days
from intake.models import Case
from tests.conftest import client_for, clock_state, make_case, make_pdf

pytestmark = pytest.mark.django_db
Status = Case.Status
NEW_YORK = ZoneInfo("America/New_York")


def events(case):
    return list(AuditEvent.objects.filter(case=case).order_by("at", "id").values_list("action", flat=True))


def test_triage_confirms_the_suggested_urgency(carol):
    case = make_case()
    assert case.status == Status.NEW
    actions.triage_case(case=case, by=carol, urgency=case.suggested_urgency)
    case.refresh_from_db()
    assert case.status == Status.TRIAGED and case.triaged_at
    assert case.triage_working_days == pytest.approx(clock.days_between(case.submitted_at, case.triaged_at))
    event = AuditEvent.objects.get(case=case, action="triaged")
    assert event.actor == carol and event.actor_label == "carol"


def test_changing_the_suggested_urgency_needs_a_reason(carol):
    case = make_case()
    other = Case.Urgency.ROUTINE if case.suggested_urgency != Case.Urgency.ROUTINE else Case.Urgency.URGENT
    with pytest.raises(ActionRefused, match="give a reason"):
        actions.triage_case(case=case, by=carol, urgency=other)
    actions.triage_case(case=case, by=carol, urgency=other, reason="Stable for months, per the letter.")
    case.refresh_from_db()
    assert case.urgency == other
    detail = AuditEvent.objects.get(case=case, action="triaged").detail
    assert detail["reason"] == "Stable for months, per the letter."


def test_changing_urgency_moves_the_response_due_date(carol):
    case = make_case()
    due_before = case.response_due_at
    actions.triage_case(case=case, by=carol, urgency=Case.Urgency.ROUTINE, reason="Stable")
    case.refresh_from_db()
    assert case.response_due_at >= due_before
    assert case.response_due_at - case.submitted_at >= timedelta(days=10)


def test_the_urgency_suggestion_explains_itself():
    case = make_case()  # relapsed T-ALL, 14 years old, ECOG 2, "within weeks"
    assert case.suggested_urgency == Case.Urgency.URGENT
    assert "Disease status: It came back (relapsed)" in case.urgency_reasons
    assert "Child or teenager" in case.urgency_reasons
    calm = make_case(
        patient={"patient_age": "60"},
        diagnosis={"diagnosis": "thyroid", "disease_status": "remission"},
        now={"condition": "0", "urgency_in_own_words": ""},
    )
    assert calm.suggested_urgency == Case.Urgency.ROUTINE


def test_claim_next_gives_the_most_urgent_oldest_triaged_case(alice):
    routine = make_case(status=Status.TRIAGED, urgency=Case.Urgency.ROUTINE)
    urgent_new = make_case(status=Status.TRIAGED, urgency=Case.Urgency.URGENT)
    urgent_old = make_case(status=Status.TRIAGED, urgency=Case.Urgency.URGENT)
    Case.objects.filter(pk=urgent_old.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    make_case(status=Status.NEW, urgency=Case.Urgency.URGENT)  # not triaged yet
    assert actions.claim_next_case(reviewer=alice).pk == urgent_old.pk
    assert actions.claim_next_case(reviewer=alice).pk == urgent_new.pk
    assert actions.claim_next_case(reviewer=alice).pk == routine.pk
    assert actions.claim_next_case(reviewer=alice) is None
    claimed = Case.objects.get(pk=routine.pk)
    assert claimed.assigned_to == alice and claimed.status == Status.IN_REVIEW
    assert "claimed" in events(claimed)


def test_a_taken_case_cannot_be_claimed_again(alice, bob):
    case = make_case(status=Status.TRIAGED)
    actions.claim_case(case=case, reviewer=alice)
    with pytest.raises(ActionRefused, match="Someone else"):
        actions.claim_case(case=case, reviewer=bob)


def test_coordinators_assign_and_reassign(carol, alice, bob, dave):
    case = make_case(status=Status.TRIAGED)
    actions.assign_case(case=case, assignee=alice, by=carol)
    actions.assign_case(case=case, assignee=bob, by=carol)
    case.refresh_from_db()
    assert case.assigned_to == bob
    details = [e.detail for e in AuditEvent.objects.filter(case=case, action="assigned").order_by("id")]
    assert details[1] == {"assignee": "bob", "previous": "alice"}
    with pytest.raises(ActionRefused, match="cannot work on cases"):
        actions.assign_case(case=case, assignee=dave, by=carol)


def test_a_reviewer_releases_a_case_back_to_the_queue(alice):
    case = make_case(status=Status.TRIAGED)
    actions.claim_case(case=case, reviewer=alice)
    actions.release_case(case=case, by=alice)
    case.refresh_from_db()
    assert case.assigned_to is None and case.status == Status.TRIAGED
    assert events(case)[-1] == "released"


def test_only_allowed_status_changes_happen(alice):
    case = make_case(status=Status.IN_REVIEW, assigned_to=alice)
    with pytest.raises(ActionRefused, match="cannot be moved to “Triaged” here"):
        actions.change_status(case=case, to=Status.TRIAGED, by=alice)
    with pytest.raises(ActionRefused, match="say why"):
        actions.change_status(case=case, to=Status.CLOSED, by=alice)
    actions.change_status(case=case, to=Status.CLOSED, by=alice, reason="Family found a trial.")
    actions.change_status(case=case, to=Status.IN_REVIEW, by=alice, reason="Family wrote again.")
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    changes = [e.detail for e in AuditEvent.objects.filter(case=case, action="status_changed").order_by("id")]
    assert changes == [
        {"from": "In review", "to": "Closed", "reason": "Family found a trial."},
        {"from": "Closed", "to": "In review", "reason": "Family wrote again."},
    ]


def test_reopening_a_case_without_an_owner_puts_it_back_in_the_queue(carol):
    case = make_case(status=Status.CLOSED)
    actions.change_status(case=case, to=Status.IN_REVIEW, by=carol)
    case.refresh_from_db()
    assert case.status == Status.TRIAGED


def test_waiting_on_the_family_pauses_the_response_clock(alice):
    case = make_case(status=Status.IN_REVIEW, assigned_to=alice)
    due = case.response_due_at
    thursday = datetime(2026, 11, 19, 10, 0, tzinfo=NEW_YORK)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        actions._set_status(locked, Status.WAITING_ON_FAMILY, thursday)
        locked.save()
    case.refresh_from_db()
    assert clock_state(case) == "paused"
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        # Four days on the calendar, two of them a weekend: the clock stood still two working days.
        actions._set_status(locked, Status.IN_REVIEW, thursday + timedelta(days=4))
        locked.save()
    case.refresh_from_db()
    assert case.clock_paused_at is None
    assert case.paused_seconds == 2 * 86400
    assert case.response_due_at == add_business_days(due, 2)


def test_waiting_on_the_family_after_the_first_answer_leaves_the_clock_alone(alice):
    case = make_case(status=Status.REPORT_SENT, assigned_to=alice)
    Case.objects.filter(pk=case.pk).update(first_response_at=timezone.now())
    case.refresh_from_db()
    due = case.response_due_at
    actions.request_info(case=case, by=alice, question="Any news from the scan?")
    case.refresh_from_db()
    assert case.status == Status.WAITING_ON_FAMILY
    assert case.clock_paused_at is None and case.response_due_at == due


def test_notes_are_searchable_and_audited(alice):
    case = make_case(status=Status.IN_REVIEW, assigned_to=alice)
    actions.add_note(case=case, author=alice, body="Asked about the daratumumab expanded access program.")
    assert Case.objects.filter(search_document="daratumumab").get() == case
    assert events(case)[-1] == "note_added"


def test_the_audit_trail_cannot_be_changed_or_deleted():
    case = make_case()
    event = AuditEvent.objects.get(case=case)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()


def test_the_case_page_shows_everything_and_records_the_view(carol, alice):
    case = make_case()
    actions.triage_case(case=case, by=carol, urgency=case.suggested_urgency)
    actions.assign_case(case=case, assignee=alice, by=carol)
    actions.add_note(case=case, author=alice, body="Internal only: call oncologist.")
    response = client_for(alice).get(f"/review/cases/{case.reference}/")
    body = response.content.decode()
    assert "Maria Lopez" in body  # the reviewer sees the contact, the queue never does
    assert "BFM protocol" in body
    assert "Internal only: call oncologist." in body
    for label in ("Case submitted", "Triaged", "Assigned", "Internal note added"):
        assert label in body
    viewed = AuditEvent.objects.filter(case=case, action="viewed_case").get()
    assert viewed.actor == alice and viewed.ip_address == "127.0.0.1"


def test_opening_a_document_is_recorded_and_served_privately(alice, private_uploads, scanner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from intake import uploads

    case = make_case(status=Status.IN_REVIEW, assigned_to=alice)
    pdf = make_pdf()
    document = uploads.store(
        SimpleUploadedFile("../../etc/passwd.pdf", pdf), kind="lab", existing=[], case=case
    )
    response = client_for(alice).get(f"/review/cases/{case.reference}/documents/{document.id}/?download=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
    assert AuditEvent.objects.get(case=case, action="viewed_document").detail["download"] is True
    # Files live outside every URL: the static server does not know them.
    from django.test import Client

    assert Client().get(f"/static/{document.stored_name}").status_code == 404

"""Duplicate cases: flagged at submission (never refused), shown in the queue and side by side, merged
into the earlier case by a coordinator, or marked as different."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import actions, duplicates
from assessments.models import AuditEvent, Note
from intake import uploads
from intake.models import Case, Message, PossibleDuplicate
from intake.outbox import deliver_due
from tests.conftest import client_for, make_case, make_pdf

pytestmark = pytest.mark.django_db

PDF = make_pdf()
OTHER_FAMILY = {
    "contact_email": "someone.else@example.com",
    "contact_email_confirm": "someone.else@example.com",
}


def flag_of(case) -> PossibleDuplicate | None:
    return PossibleDuplicate.objects.filter(case=case).first()


def test_the_same_contact_email_is_flagged_and_the_case_is_still_taken():
    first = make_case()
    second = make_case(
        patient={"patient_name": "Ana", "postal_code": "90210"}, diagnosis={"diagnosis": "aml"}
    )
    flag = flag_of(second)
    assert flag.earlier == first and flag.reasons == ["same_email"] and flag.state == "open"
    assert second.status == Case.Status.NEW
    event = AuditEvent.objects.get(case=second, action="duplicate_flagged")
    assert event.detail == {"earlier": first.reference, "reasons": ["same_email"]}
    assert flag_of(first) is None


def test_the_same_patient_from_another_address_is_flagged():
    first = make_case()
    # "J.L." is "JL"; a year of birth beside an age matches within a year; "43 210" is "43210".
    second = make_case(
        about_you=OTHER_FAMILY,
        patient={
            "patient_name": "j.l.",
            "patient_age": "",
            "patient_birth_year": "2012",
            "postal_code": "43 210",
        },
    )
    assert flag_of(second).reasons == ["same_patient"]
    assert flag_of(second).earlier == first


@pytest.mark.parametrize(
    "change",
    [
        {"patient": {"postal_code": "10001"}},
        {"patient": {"patient_age": "40"}},
        {"patient": {"patient_name": "KM"}},
        {"diagnosis": {"diagnosis": "aml"}},
        {"patient": {"postal_code": ""}},
    ],
)
def test_a_different_patient_from_another_address_is_not_flagged(change):
    make_case(**({"patient": {"postal_code": ""}} if change == {"patient": {"postal_code": ""}} else {}))
    second = make_case(about_you=OTHER_FAMILY, **change)
    assert flag_of(second) is None


def test_closed_cases_are_not_compared():
    first = make_case()
    Case.objects.filter(pk=first.pk).update(status=Case.Status.CLOSED)
    assert flag_of(make_case()) is None


def test_the_earliest_open_case_is_the_one_linked():
    first = make_case()
    make_case()
    third = make_case()
    assert flag_of(third).earlier == first


def test_the_queue_says_possible_duplicate_of_the_earlier_case(carol):
    first = make_case()
    second = make_case()
    page = client_for(carol).get("/review/", {"tab": "needs_triage"}).content.decode()
    assert f'data-duplicate-of="{first.reference}"' in page
    assert f"possible duplicate of {first.reference}" in page
    assert page.count("possible duplicate of") == 1
    case_page = client_for(carol).get(f"/review/cases/{second.reference}/").content.decode()
    assert f'data-duplicate-of="{first.reference}"' in case_page
    earlier_page = client_for(carol).get(f"/review/cases/{first.reference}/").content.decode()
    assert f"{second.reference}</a>, sent later, may be a duplicate" in earlier_page


def test_the_side_by_side_view_marks_what_differs(carol):
    first = make_case()
    second = make_case(diagnosis={"disease_status": "refractory", "genetic_results": "NOTCH1 and PTEN"})
    response = client_for(carol).get(f"/review/cases/{second.reference}/duplicate/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-differs="disease_status"' in page and 'data-differs="genetic_results"' in page
    assert 'data-differs="contact_email"' not in page
    assert "NOTCH1 and PTEN" in page and first.reference in page
    assert 'name="take" value="disease_status"' in page


def test_a_coordinator_merges_the_newer_case_into_the_earlier_one(carol, bob):
    first = make_case(status=Case.Status.IN_REVIEW, assigned_to=bob)
    second = make_case(
        diagnosis={"disease_status": "refractory", "genetic_results": "NOTCH1 and PTEN"},
        treatments={"treatments-0-name": "Nelarabine", "treatments-0-kind": "chemotherapy"},
    )
    uploads.store(SimpleUploadedFile("new-scan.pdf", PDF), kind="scan", existing=[], case=second)
    Message.objects.create(
        case=second, sender=Message.Sender.FAMILY, body="We wrote again because we were worried."
    )
    deliver_due()
    mail.outbox.clear()
    client = client_for(carol)
    response = client.post(
        f"/review/cases/{second.reference}/duplicate/merge/", {"take": ["disease_status", "treatments"]}
    )
    assert response.status_code == 302 and response["Location"] == f"/review/cases/{first.reference}/"

    first.refresh_from_db()
    second.refresh_from_db()
    # Only the chosen answers move; the other difference stays as it was in the earlier case.
    assert first.disease_status == "refractory" and first.genetic_results == "NOTCH1 mutation"
    assert sorted(first.treatments.values_list("name", flat=True)) == ["BFM protocol", "Nelarabine"]
    assert list(first.documents.values_list("original_name", flat=True)) == ["new-scan.pdf"]
    assert first.messages.filter(body__startswith="We wrote again").exists()
    assert not second.documents.exists() and not second.messages.exists()
    note = Note.objects.get(case=first, author=carol)
    assert second.reference in note.body and "Disease status" in note.body
    assert second.status == Case.Status.CLOSED and second.outcome == "duplicate"
    assert flag_of(second).state == "merged" and flag_of(second).resolved_by == carol

    deliver_due()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["maria.lopez@example.com"]
    assert (
        first.reference in email.subject and first.reference in email.body and second.reference in email.body
    )
    assert f"/my-case/{first.family_links.get(revoked_at__isnull=True).token}/" in email.body
    assert "refractory" not in email.body.lower() and "NOTCH1" not in email.body

    merged = AuditEvent.objects.get(case=first, action="duplicate_merged")
    assert merged.detail["from"] == second.reference and merged.detail["answers"] == ["disease_status"]
    assert (merged.detail["documents"], merged.detail["messages"], merged.detail["treatments"]) == (1, 1, 1)
    closed = AuditEvent.objects.get(case=second, action="closed_as_duplicate")
    assert closed.detail == {"into": first.reference} and closed.actor == carol
    page = client.get(f"/review/cases/{second.reference}/").content.decode()
    assert f'data-merged-into="{first.reference}"' in page


def test_the_family_of_the_closed_case_is_told_which_reference_to_use(carol):
    first = make_case()
    second = make_case()
    duplicates.merge_duplicate(flag=flag_of(second), by=carol, fields=[])
    from tests.intake.test_consents import family_of, page_url

    family = family_of(second)
    assert "data-merged-into" in family.get(page_url(second)).content.decode()
    assert first.reference in family.get(page_url(second)).content.decode()


def test_another_address_gets_the_reference_but_not_the_earlier_case_link(carol):
    first = make_case()
    second = make_case(about_you=OTHER_FAMILY)
    deliver_due()
    mail.outbox.clear()
    duplicates.merge_duplicate(flag=flag_of(second), by=carol, fields=[])
    deliver_due()
    (email,) = mail.outbox
    assert email.to == ["someone.else@example.com"]
    assert first.reference in email.body and "/my-case/" not in email.body


def test_a_coordinator_marks_them_as_different(carol):
    first = make_case()
    second = make_case()
    response = client_for(carol).post(f"/review/cases/{second.reference}/duplicate/not-duplicate/")
    assert response.status_code == 302
    assert flag_of(second).state == "not_duplicate"
    assert AuditEvent.objects.get(case=second, action="not_duplicate").detail == {"earlier": first.reference}
    page = client_for(carol).get("/review/", {"tab": "needs_triage"}).content.decode()
    assert "possible duplicate of" not in page
    assert client_for(carol).get(f"/review/cases/{second.reference}/duplicate/").status_code == 404


def test_a_decision_is_taken_once(carol, sam):
    make_case()
    second = make_case()
    flag = flag_of(second)
    duplicates.mark_not_duplicate(flag=flag, by=carol)
    with pytest.raises(actions.ActionRefused):
        duplicates.merge_duplicate(flag=flag, by=sam, fields=[])


def test_a_closed_earlier_case_is_reopened_before_merging(carol):
    first = make_case()
    second = make_case()
    Case.objects.filter(pk=first.pk).update(status=Case.Status.CLOSED)
    response = client_for(carol).post(f"/review/cases/{second.reference}/duplicate/merge/", {"take": []})
    assert response.status_code == 302
    assert flag_of(second).state == "open"
    assert Case.objects.get(pk=second.pk).status == Case.Status.NEW


def test_reviewers_see_the_comparison_but_only_coordinators_decide(alice):
    make_case()
    second = make_case()
    client = client_for(alice)
    assert client.get(f"/review/cases/{second.reference}/duplicate/").status_code == 200
    assert client.post(f"/review/cases/{second.reference}/duplicate/merge/", {}).status_code == 403
    assert client.post(f"/review/cases/{second.reference}/duplicate/not-duplicate/").status_code == 403
    assert flag_of(second).state == "open"


def test_the_merge_form_refuses_garbage_without_an_error_page(carol):
    make_case()
    second = make_case()
    response = client_for(carol).post(
        f"/review/cases/{second.reference}/duplicate/merge/", {"take": ["id", "status"]}
    )
    assert response.status_code == 302
    assert flag_of(second).state == "open"

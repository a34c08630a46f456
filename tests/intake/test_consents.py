"""Consent by purpose: recorded with its words' version, time and address; research contact withdrawn
and given again from the family's page and honoured in exports; required consents taken back by asking
for deletion; each share asked of the family, never assumed."""

import csv
import io
import re

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from assessments import sharing
from assessments.models import AuditEvent
from intake.lifecycle import consents
from intake.models import Case, ConsentRecord, ShareRequest
from intake.outbox import deliver_due
from tests.conftest import client_for, make_case

pytestmark = pytest.mark.django_db

Purpose = ConsentRecord.Purpose


def page_url(case, suffix=""):
    return f"/my-case/{case.family_links.get(revoked_at__isnull=True).token}/{suffix}"


def family_of(case) -> Client:
    client = Client()
    client.post(page_url(case, "code/"), {"action": "send"})
    deliver_due()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert client.post(page_url(case, "code/"), {"code": code}).status_code == 302
    return client


def research_given(case) -> bool:
    return consents.given(case, Purpose.RESEARCH_CONTACT)


def test_it_records_each_purpose_at_submission_with_version_time_and_address():
    case = make_case(ip="198.51.100.7")
    records = {r.purpose: r for r in case.consent_records.all()}
    assert set(records) == {"store_case", "reviewers_read", "research_contact"}
    assert records["store_case"].given and records["reviewers_read"].given
    assert not records["research_contact"].given
    for record in records.values():
        assert (record.text_version, record.ip_address, record.via) == (
            "2026-11",
            "198.51.100.7",
            "case_form",
        )
        assert record.at == case.submitted_at


def test_the_family_withdraws_research_contact_and_gives_it_again(client):
    case = make_case()
    ConsentRecord.objects.filter(case=case, purpose="research_contact").update(given=True)
    family = family_of(case)
    page = family.get(page_url(case)).content.decode()
    assert "Stop contacting me about research studies" in page

    response = family.post(
        page_url(case, "consent/research/"), {"choice": "withdraw"}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 302 and response["Location"].endswith("#consent")
    assert not research_given(case)
    newest = case.consent_records.filter(purpose="research_contact").latest("at")
    assert (newest.given, newest.via, newest.ip_address) == (False, "family_page", "192.0.2.9")
    event = AuditEvent.objects.get(case=case, action="consent_changed")
    assert event.detail == {"purpose": "research_contact", "given": False}
    assert "Yes, you may contact me about research studies" in family.get(page_url(case)).content.decode()

    # The same click again changes nothing and records nothing.
    family.post(page_url(case, "consent/research/"), {"choice": "withdraw"})
    assert AuditEvent.objects.filter(case=case, action="consent_changed").count() == 1

    family.post(page_url(case, "consent/research/"), {"choice": "give"})
    assert research_given(case)
    assert AuditEvent.objects.filter(case=case, action="consent_changed").count() == 2


@pytest.mark.parametrize("garbage", [{}, {"choice": "maybe"}, {"choice": ["give", "withdraw"]}])
def test_garbage_on_the_consent_form_changes_nothing(client, garbage):
    case = make_case()
    family = family_of(case)
    assert family.post(page_url(case, "consent/research/"), garbage).status_code == 302
    assert case.consent_records.count() == 3


def test_consent_pages_need_the_code_first(client):
    case = make_case()
    response = client.post(page_url(case, "consent/research/"), {"choice": "give"})
    assert response["Location"] == page_url(case, "code/")
    assert not research_given(case)


def test_asking_for_deletion_withdraws_the_required_consents_and_cancelling_gives_them_back(client):
    case = make_case()
    family = family_of(case)
    family.post(page_url(case, "delete/"), {"confirm": "on"})
    current = {c.purpose: c for c in consents.current(case)}
    assert not current["store_case"].given and not current["reviewers_read"].given
    assert current["store_case"].via == "deletion_request"
    assert "taken back: you asked us to delete your case" in family.get(page_url(case)).content.decode()
    family.post(page_url(case, "delete/cancel/"))
    current = {c.purpose: c for c in consents.current(case)}
    assert current["store_case"].given and current["reviewers_read"].given
    assert AuditEvent.objects.filter(case=case, action="consent_changed").count() == 2


def test_staff_see_the_consents_in_force_on_the_case_page(carol):
    case = make_case()
    family = family_of(case)
    family.post(page_url(case, "consent/research/"), {"choice": "give"})
    page = client_for(carol).get(f"/review/cases/{case.reference}/").content.decode()
    research = re.search(r'data-consent="research_contact">(.*?)</li>', page, re.S).group(1)
    assert "given" in research and "family&#x27;s private page" in research and "2026-11" in research


def test_a_share_is_asked_of_the_family_and_never_assumed(bob, carol):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=bob)
    response = client_for(bob).post(
        f"/review/cases/{case.reference}/share/",
        {
            "share-partner": "St. Example Children's trial team",
            "share-purpose": "To ask whether the patient may join their study.",
        },
    )
    assert response.status_code == 302
    share = ShareRequest.objects.get(case=case)
    assert share.state == "asked" and not share.may_share
    deliver_due()
    email = mail.outbox[-1]
    assert "We would like your permission" in email.body
    assert "St. Example" not in email.body and "leukemia" not in email.body.lower()
    assert AuditEvent.objects.filter(case=case, action="share_proposed", detail__share=str(share.id)).exists()

    family = family_of(case)
    page = family.get(page_url(case)).content.decode()
    assert "St. Example Children&#x27;s trial team" in page and "Nothing is shared unless you say yes" in page
    family.post(page_url(case, f"consent/share/{share.id}/"), {"answer": "yes"})
    share.refresh_from_db()
    assert share.may_share and share.answered_at
    record = ConsentRecord.objects.get(share=share)
    assert record.purpose == "share_summary" and record.given and record.text_version == "2026-11"

    family.post(page_url(case, f"consent/share/{share.id}/"), {"answer": "no"})
    share.refresh_from_db()
    assert share.state == "withdrawn" and not share.may_share
    assert (
        AuditEvent.objects.filter(
            case=case, action="consent_changed", detail__purpose="share_summary"
        ).count()
        == 2
    )
    staff_page = client_for(carol).get(f"/review/cases/{case.reference}/").content.decode()
    assert 'data-share-state="withdrawn"' in staff_page


def test_a_family_cannot_answer_another_familys_share(bob):
    ours, theirs = make_case(), make_case(contact_email="other@example.com")
    share = sharing.propose_share(case=theirs, by=bob, partner="A team", purpose="A study.")
    family = family_of(ours)
    assert family.post(page_url(ours, f"consent/share/{share.id}/"), {"answer": "yes"}).status_code == 404
    share.refresh_from_db()
    assert share.state == "asked"


# Exports: which columns and rows withdrawing research contact affects (see assessments/exports.py).


def research_list(client, **params) -> list[dict]:
    response = client.get("/review/export-research.csv", {"tab": "all", **params})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_research_contact_list_leaves_out_families_who_withdrew(sam):
    agrees = make_case()
    withdrew = make_case(
        about_you={"contact_email": "w@example.com", "contact_email_confirm": "w@example.com"}
    )
    never = make_case(about_you={"contact_email": "n@example.com", "contact_email_confirm": "n@example.com"})
    for case in (agrees, withdrew):
        consents.change_research_contact(case=case, give=True, ip=None, user_agent="")
    consents.change_research_contact(case=withdrew, give=False, ip=None, user_agent="")
    client = client_for(sam)
    rows = research_list(client)
    assert [r["Reference"] for r in rows] == [agrees.reference]
    assert rows[0]["Email"] == "maria.lopez@example.com" and rows[0]["Consent text version"] == "2026-11"
    assert never.reference not in str(rows)
    event = AuditEvent.objects.filter(action="exported").latest("at")
    assert event.detail["format"] == "research csv" and event.detail["count"] == 1
    # Giving it again brings the family back.
    consents.change_research_contact(case=withdrew, give=True, ip=None, user_agent="")
    assert {r["Reference"] for r in research_list(client)} == {agrees.reference, withdrew.reference}


def test_the_research_list_leaves_out_families_waiting_for_deletion(sam):
    case = make_case()
    consents.change_research_contact(case=case, give=True, ip=None, user_agent="")
    family = family_of(case)
    family.post(page_url(case, "delete/"), {"confirm": "on"})
    assert research_list(client_for(sam)) == []


def test_the_queue_export_says_research_contact_from_the_consent_in_force(sam):
    case = make_case()
    consents.change_research_contact(case=case, give=True, ip=None, user_agent="")
    client = client_for(sam)

    def column():
        response = client.get(
            "/review/export.csv", {"tab": "all", "columns": ["reference", "research_contact"]}
        )
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        return [(r["Reference"], r["Research contact"]) for r in rows]

    assert column() == [(case.reference, "yes")]
    consents.change_research_contact(case=case, give=False, ip=None, user_agent="")
    # The row stays (it is the reviewers' working list, with no contact details); the answer changes.
    assert column() == [(case.reference, "no")]
    default = client.get("/review/export.csv", {"tab": "all"})
    assert "Research contact" not in b"".join(default.streaming_content).decode("utf-8-sig").splitlines()[0]


def test_only_exporters_get_the_research_list(alice, carol):
    for person in (alice, carol):
        assert client_for(person).get("/review/export-research.csv").status_code == 403


def test_the_summary_without_names_is_made_only_while_the_family_agrees(bob):
    case = make_case(status=Case.Status.IN_REVIEW, assigned_to=bob)
    share = sharing.propose_share(
        case=case, by=bob, partner="A trial team", purpose="To check the study fits."
    )
    client = client_for(bob)
    url = f"/review/cases/{case.reference}/share/{share.id}/summary.pdf"
    refused = client.post(url)
    assert refused.status_code == 302 and not AuditEvent.objects.filter(action="summary_shared").exists()

    consents.answer_share(share=share, give=True, ip=None, user_agent="")
    response = client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "T-cell acute lymphoblastic leukemia" in text and "NOTCH1" in text and "A trial team" in text
    for personal in (
        "Maria",
        "maria.lopez",
        "JL",
        "43210",
        "Ohio",
        "Children's Hospital",
        "plan within weeks",
    ):
        assert personal not in text, personal
    share.refresh_from_db()
    assert share.shared_at
    assert AuditEvent.objects.get(action="summary_shared").detail == {"share": str(share.id)}
    family = family_of(case)
    assert "We prepared the summary to send on" in family.get(page_url(case)).content.decode()

    consents.answer_share(share=share, give=False, ip=None, user_agent="")
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(action="summary_shared").count() == 1

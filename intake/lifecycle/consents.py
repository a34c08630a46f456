"""Consent by purpose: what the family agreed to, for what, and every change since.

Purposes: storing the case and reviewers reading it (both required: they are taken back by asking
for the case to be deleted), being contacted about research studies (optional: given or withdrawn
on the family's page at any time), and sharing a summary without names with one named partner,
asked each time a reviewer proposes it and never assumed.

Each decision is a ConsentRecord with the version of the words shown, the time and the address; the
newest record of a purpose is the consent in force. The case's Consent row stays what it was: the
agreement given on the form's last page.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from intake import consent
from intake.models import Case, ConsentRecord, ShareRequest
from intake.signals import case_event

Purpose = ConsentRecord.Purpose
Via = ConsentRecord.Via
REQUIRED = (Purpose.STORE_CASE, Purpose.REVIEWERS_READ)
CASE_PURPOSES = (Purpose.STORE_CASE, Purpose.REVIEWERS_READ, Purpose.RESEARCH_CONTACT)
# The form's fields and the texts of intake/consent.py, by purpose.
TEXT_KEYS = {
    Purpose.STORE_CASE: "privacy_notice",
    Purpose.REVIEWERS_READ: "reviewers_may_read",
    Purpose.RESEARCH_CONTACT: "research_contact",
    Purpose.SHARE_SUMMARY: "share_summary",
}


class ConsentUnchanged(Exception):
    """The consent is already as asked (a second click, or two browsers): nothing to record."""


@dataclass(frozen=True)
class CurrentConsent:
    purpose: str
    label: str
    required: bool
    given: bool
    at: datetime | None
    text_version: str
    via: str

    @property
    def via_label(self) -> str:
        return Via(self.via).label if self.via else ""


def words(purpose: str, version: str = "", share: ShareRequest | None = None) -> str:
    """The words of a consent: of `version`, or as shown now (in the page's language)."""
    texts = consent.TEXTS[version or consent.shown_version()]
    text = texts.get(TEXT_KEYS[purpose]) or consent.TEXTS[consent.CURRENT_VERSION][TEXT_KEYS[purpose]]
    if share is not None:
        text = text.format(partner=share.partner, purpose=share.purpose.strip().rstrip("."))
    return text


def record_at_submission(*, case: Case, consent_data: dict, ip: str | None, user_agent: str) -> None:
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            case=case,
            purpose=purpose,
            given=bool(consent_data.get(TEXT_KEYS[purpose], False)),
            text_version=consent.shown_version(),
            via=Via.CASE_FORM,
            at=case.submitted_at,
            ip_address=ip,
            user_agent=user_agent[:500],
        )
        for purpose in CASE_PURPOSES
    )


def current(case: Case) -> list[CurrentConsent]:
    """The consent in force for each of the case's purposes (shares aside), in one query."""
    newest: dict[str, ConsentRecord] = {}
    for record in case.consent_records.filter(share__isnull=True).order_by("at", "pk"):
        newest[record.purpose] = record
    found = []
    for purpose in CASE_PURPOSES:
        record = newest.get(purpose)
        found.append(
            CurrentConsent(
                purpose=purpose,
                label=Purpose(purpose).label,
                required=purpose in REQUIRED,
                given=bool(record and record.given),
                at=record.at if record else None,
                text_version=record.text_version if record else "",
                via=record.via if record else "",
            )
        )
    return found


def given(case: Case, purpose: str) -> bool:
    record = case.consent_records.filter(purpose=purpose, share__isnull=True).order_by("-at", "-pk").first()
    return bool(record and record.given)


def _record(case, purpose, *, given, via, ip, user_agent, share=None) -> ConsentRecord:
    return ConsentRecord.objects.create(
        case=case,
        purpose=purpose,
        share=share,
        given=given,
        text_version=consent.shown_version(),
        via=via,
        ip_address=ip,
        user_agent=(user_agent or "")[:500],
    )


def _event(case, ip, **detail) -> None:
    case_event.send(sender=Case, case=case, action="consent_changed", ip=ip, detail=detail)


def change_research_contact(*, case: Case, give: bool, ip: str | None, user_agent: str) -> ConsentRecord:
    """The family gives or withdraws consent to be contacted about research studies."""
    with transaction.atomic():
        # One change at a time per case: two clicks cannot both record the same change.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if given(case, Purpose.RESEARCH_CONTACT) == give:
            raise ConsentUnchanged
        record = _record(
            case, Purpose.RESEARCH_CONTACT, given=give, via=Via.FAMILY_PAGE, ip=ip, user_agent=user_agent
        )
        _event(case, ip, purpose=Purpose.RESEARCH_CONTACT, given=give)
    return record


def required_withdrawn_by_deletion(*, case: Case, withdrawn: bool, ip: str | None, user_agent: str) -> None:
    """Asking for deletion withdraws the required consents; cancelling the request gives them again.
    Call it inside the transaction of the request or the cancellation."""
    via = Via.DELETION_REQUEST if withdrawn else Via.DELETION_CANCELLED
    for purpose in REQUIRED:
        _record(case, purpose, given=not withdrawn, via=via, ip=ip, user_agent=user_agent)
    _event(case, ip, purpose="required", given=not withdrawn, via=via)


def answer_share(*, share: ShareRequest, give: bool, ip: str | None, user_agent: str) -> ShareRequest:
    """The family says yes or no to one proposed share, or takes back a yes."""
    State = ShareRequest.State
    with transaction.atomic():
        share = ShareRequest.objects.select_for_update().select_related("case").get(pk=share.pk)
        if give and share.state != State.ASKED:
            raise ConsentUnchanged
        if not give and share.state not in (State.ASKED, State.AGREED):
            raise ConsentUnchanged
        was_agreed = share.state == State.AGREED
        share.state = State.AGREED if give else (State.WITHDRAWN if was_agreed else State.DECLINED)
        share.answered_at = timezone.now()
        share.save(update_fields=["state", "answered_at"])
        _record(
            share.case,
            Purpose.SHARE_SUMMARY,
            share=share,
            given=give,
            via=Via.FAMILY_PAGE,
            ip=ip,
            user_agent=user_agent,
        )
        _event(share.case, ip, purpose=Purpose.SHARE_SUMMARY, share=str(share.id), given=give)
    return share

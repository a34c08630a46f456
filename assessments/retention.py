"""Retention: closed cases lose their personal and health details RETENTION_CLOSED_CASE_DAYS after
closing (730 by default: the consent families agree to says "up to 2 years", and the privacy page
shows the setting itself), unless a supervisor put them on legal hold.

What a purge keeps, for the statistics (assessments/dashboard.py reads these) and nothing else: the
reference, the dates and the response clock's measures, the coded diagnosis (from the fixed list, which
the dashboard groups) and the family's language, the urgency, the status and how the case ended, who
worked it, the bare rows of the reports that were sent (version, when, by whom: the reviewers'
workload counts them), the decisions on duplicates, and the audit trail. Everything else goes: the
documents from the store, every answer that could identify or describe the patient or the family,
treatments, messages, notes, report texts, consents, share requests, private links and their codes,
and every email in the outbox about the case. housekeeping runs it daily; `purge_closed_cases
--dry-run` lists what would go and why.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments.actions import ActionRefused, _lock
from assessments.audit import record
from assessments.models import AuditEvent, LegalHold, Note
from intake import uploads
from intake.models import (
    AccessCode,
    Case,
    Consent,
    ConsentRecord,
    Draft,
    FamilyLink,
    Message,
    OutboundEmail,
    PossibleDuplicate,
    ReportOption,
    ShareRequest,
    Treatment,
)

Action = AuditEvent.Action
SYSTEM = "system"

# Every answer that is personal or about the patient's health, and what it becomes.
REMOVED = {
    "contact_name": "",
    "contact_email": "",
    "contact_phone": "",
    "relationship": "",
    "contact_preference": "",
    "patient_name": "",
    "patient_age": None,
    "patient_birth_year": None,
    "sex_at_birth": "",
    "country": "",
    "region": "",
    "postal_code": "",
    "travel": "",
    "diagnosis_other": "",
    "diagnosed_on": None,
    "disease_status": "",
    "genetic_results": "",
    "treating_center": "",
    "condition": None,
    "goals": [],
    "goals_other": "",
    "urgency_in_own_words": "",
    "anything_else": "",
    "urgency_reasons": [],
    "family_replied_at": None,
    "search_document": None,
}


def days() -> int:
    return settings.RETENTION_CLOSED_CASE_DAYS


def cutoff(now: datetime | None = None) -> datetime:
    """Cases closed before this moment are due: whole days, so a case goes on the day it is due
    whatever the hour housekeeping runs."""
    today = timezone.localdate(now or timezone.now())
    return datetime.combine(today - timedelta(days=days()), time.min, timezone.get_current_timezone())


def purge_on(case: Case) -> date:
    """The day the case will be purged, if it stays closed and is not held."""
    return timezone.localdate(case.status_changed_at) + timedelta(days=days() + 1)


def closed_not_purged() -> QuerySet[Case]:
    return Case.objects.filter(status=Case.Status.CLOSED, purged_at__isnull=True)


def due(now: datetime | None = None) -> QuerySet[Case]:
    """Closed cases past the retention period, held ones included (the plan says why they stay)."""
    return closed_not_purged().filter(status_changed_at__lt=cutoff(now)).order_by("status_changed_at", "pk")


@dataclass(frozen=True)
class Planned:
    reference: str
    closed_at: datetime
    days_closed: int
    hold: LegalHold | None

    @property
    def why(self) -> str:
        if self.hold:
            placed = timezone.localdate(self.hold.placed_at).isoformat()
            by = self.hold.placed_by.get_username() if self.hold.placed_by else "former staff"
            return f"kept: on legal hold since {placed} ({by}): {self.hold.reason}"
        return f"closed {self.days_closed} days ago, past the retention period of {days()} days"


def plan(now: datetime | None = None) -> list[Planned]:
    now = now or timezone.now()
    rows = (
        due(now)
        .select_related("legal_hold__placed_by")
        .only(
            "reference",
            "status_changed_at",
            "legal_hold__reason",
            "legal_hold__placed_at",
            "legal_hold__placed_by",
        )
    )
    return [
        Planned(
            c.reference, c.status_changed_at, (now - c.status_changed_at).days, getattr(c, "legal_hold", None)
        )
        for c in rows
    ]


def purge_due_cases(now: datetime | None = None) -> list[str]:
    held = LegalHold.objects.values("case_id")
    return [purge_case(case=case) for case in due(now).exclude(pk__in=held).only("pk")]


def purge_case(*, case: Case, by: User | None = None, request=None) -> str:
    """Remove the personal and health details of one closed case, keeping what the statistics read."""
    with transaction.atomic():
        case = _lock(case)
        if case.purged_at:
            raise ActionRefused(f"{case.reference} was purged already.")
        if case.status != Case.Status.CLOSED:
            raise ActionRefused(f"{case.reference} is not closed.")
        if LegalHold.objects.filter(case=case).exists():
            raise ActionRefused(f"{case.reference} is on legal hold.")
        documents = list(case.documents.all())
        counts = {"documents": len(documents), "messages": case.messages.count()}
        case.documents.all().delete()
        for model in (Treatment, Message, Note, Consent, ConsentRecord, ShareRequest, OutboundEmail):
            model.objects.filter(case=case).delete()
        AccessCode.objects.filter(link__case=case).delete()
        FamilyLink.objects.filter(case=case).delete()
        Draft.objects.filter(case=case).delete()
        # Reports: their words go; a bare row of each one sent stays for the reviewers' workload.
        ReportOption.objects.filter(report__case=case).delete()
        case.reports.filter(sent_at__isnull=True).delete()
        case.reports.update(understanding="", questions="", next_steps="")
        PossibleDuplicate.objects.filter(state=PossibleDuplicate.State.OPEN, earlier=case).delete()
        PossibleDuplicate.objects.filter(state=PossibleDuplicate.State.OPEN, case=case).delete()
        if not case.outcome:
            answered = case.first_response_at or case.reports.filter(sent_at__isnull=False).exists()
            case.outcome = Case.Outcome.ANSWERED if answered else Case.Outcome.UNANSWERED
        for field, empty in REMOVED.items():
            setattr(case, field, empty)
        now = timezone.now()
        case.purged_at = now
        case.save()
        closed_on = timezone.localdate(case.status_changed_at).isoformat()
        record(
            Action.PURGED,
            case=case,
            actor=by,
            actor_label=SYSTEM,
            request=request,
            detail={"closed_on": closed_on, "retention_days": days(), **counts},
        )
        # The stored objects go once the rows are gone for good.
        transaction.on_commit(lambda: uploads.delete_files(documents))
    return case.reference


def place_legal_hold(*, case: Case, by: User, reason: str, request=None) -> LegalHold:
    reason = reason.strip()
    if not reason:
        raise ActionRefused("Please give the reason for the legal hold.")
    with transaction.atomic():
        case = _lock(case)
        if case.purged_at:
            raise ActionRefused("This case was purged already: there is nothing left to hold.")
        if LegalHold.objects.filter(case=case).exists():
            raise ActionRefused("This case is on legal hold already.")
        hold = LegalHold.objects.create(case=case, reason=reason, placed_by=by)
        record(Action.LEGAL_HOLD_PLACED, case=case, actor=by, request=request, detail={"reason": reason})
    return hold


def release_legal_hold(*, case: Case, by: User, reason: str = "", request=None) -> None:
    with transaction.atomic():
        case = _lock(case)
        hold = LegalHold.objects.filter(case=case).first()
        if hold is None:
            raise ActionRefused("This case is not on legal hold.")
        hold.delete()
        detail = {"reason": reason.strip(), "placed_reason": hold.reason}
        record(Action.LEGAL_HOLD_RELEASED, case=case, actor=by, request=request, detail=detail)

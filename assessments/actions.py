"""Every state change a reviewer makes, in one place.

Each action runs in one transaction with its audit event; emails go through the outbox in the same
transaction. Views call these and nothing else to change a case.
"""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assessments.audit import record
from assessments.models import AuditEvent, Note
from intake.models import Case, refresh_search_documents, search_text

Status = Case.Status
Action = AuditEvent.Action

# The workflow, defined once. Sending a report and asking the family a question reach
# REPORT_SENT and WAITING_ON_FAMILY through their own actions; the rest are plain status changes.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.TRIAGED, Status.CLOSED},
    Status.TRIAGED: {Status.IN_REVIEW, Status.CLOSED},
    Status.IN_REVIEW: {Status.WAITING_ON_FAMILY, Status.REPORT_SENT, Status.TRIAGED, Status.CLOSED},
    Status.WAITING_ON_FAMILY: {Status.IN_REVIEW, Status.REPORT_SENT, Status.CLOSED},
    Status.REPORT_SENT: {Status.IN_REVIEW, Status.WAITING_ON_FAMILY, Status.CLOSED},
    Status.CLOSED: {Status.IN_REVIEW, Status.TRIAGED},  # reopen
}
# What the status buttons on the case page offer; the others come with their own forms.
MANUAL_TRANSITIONS: dict[str, set[str]] = {
    Status.TRIAGED: {Status.IN_REVIEW, Status.CLOSED},
    Status.IN_REVIEW: {Status.CLOSED},
    Status.WAITING_ON_FAMILY: {Status.IN_REVIEW, Status.CLOSED},
    Status.REPORT_SENT: {Status.IN_REVIEW, Status.CLOSED},
    Status.CLOSED: {Status.IN_REVIEW},
}
TRANSITION_LABELS = {
    (Status.TRIAGED, Status.IN_REVIEW): "Start review",
    (Status.WAITING_ON_FAMILY, Status.IN_REVIEW): "Stop waiting and resume review",
    (Status.REPORT_SENT, Status.IN_REVIEW): "Follow up (back to review)",
    (Status.CLOSED, Status.IN_REVIEW): "Reopen",
}


class ActionRefused(Exception):
    """The action cannot be done now; the message says why, in words for the person who tried."""


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _set_status(case: Case, to: str, now: datetime) -> str:
    """Move a locked case to a new status, keeping the response clock right. Returns the old status."""
    old = case.status
    if to not in TRANSITIONS[old]:
        raise ActionRefused(f"A case that is “{Status(old).label}” cannot move to “{Status(to).label}”.")
    if to == Status.WAITING_ON_FAMILY and case.clock_paused_at is None:
        case.clock_paused_at = now
    elif old == Status.WAITING_ON_FAMILY and case.clock_paused_at is not None:
        paused = now - case.clock_paused_at
        case.paused_seconds += int(paused.total_seconds())
        case.response_due_at += paused
        case.clock_paused_at = None
    case.status = to
    case.status_changed_at = now
    return old


def triage_case(*, case: Case, by: User, urgency: int, reason: str = "", request=None) -> Case:
    """Confirm or change the suggested urgency. Changing it needs a reason."""
    with transaction.atomic():
        case = _lock(case)
        if case.status != Status.NEW:
            raise ActionRefused("This case has already been triaged.")
        urgency = Case.Urgency(int(urgency))
        if urgency != case.suggested_urgency and not reason.strip():
            raise ActionRefused("Please give a reason for changing the suggested urgency.")
        now = timezone.now()
        _set_status(case, Status.TRIAGED, now)
        case.urgency = urgency
        case.triaged_at = now
        case.reset_response_clock()
        case.save()
        record(
            Action.TRIAGED,
            case=case,
            actor=by,
            request=request,
            detail={
                "urgency": urgency.label,
                "suggested": Case.Urgency(case.suggested_urgency).label,
                "reason": reason.strip(),
            },
        )
    return case


def claim_next_case(*, reviewer: User, request=None) -> Case | None:
    """Give the reviewer the most urgent, oldest triaged case that nobody holds."""
    with transaction.atomic():
        # SKIP LOCKED: a reviewer pressing "Claim next" at the same moment as another skips the row
        # the other is taking instead of waiting for it, so no case is ever handed out twice.
        case = (
            Case.objects.select_for_update(skip_locked=True)
            .filter(status=Status.TRIAGED, assigned_to__isnull=True)
            .order_by("urgency", "submitted_at")
            .first()
        )
        if case is None:
            return None
        _take(case, reviewer, Action.CLAIMED, request=request)
    return case


def claim_case(*, case: Case, reviewer: User, request=None) -> Case:
    with transaction.atomic():
        case = _lock(case)
        if case.assigned_to_id is not None:
            raise ActionRefused("Someone else has just taken this case.")
        if case.status not in (
            Status.TRIAGED,
            Status.IN_REVIEW,
            Status.WAITING_ON_FAMILY,
            Status.REPORT_SENT,
        ):
            raise ActionRefused("Only triaged cases can be claimed.")
        _take(case, reviewer, Action.CLAIMED, request=request)
    return case


def _take(case: Case, reviewer: User, action: str, *, by: User | None = None, request=None, detail=None):
    now = timezone.now()
    previous = case.assigned_to.get_username() if case.assigned_to_id else None
    case.assigned_to = reviewer
    case.assigned_at = now
    if case.status == Status.TRIAGED:
        _set_status(case, Status.IN_REVIEW, now)
    case.save()
    record(
        action,
        case=case,
        actor=by or reviewer,
        request=request,
        detail={"assignee": reviewer.get_username(), "previous": previous, **(detail or {})},
    )


def assign_case(*, case: Case, assignee: User, by: User, request=None) -> Case:
    if not assignee.is_active or not assignee.has_perm("intake.work_queue"):
        raise ActionRefused(f"{assignee.get_username()} cannot work on cases.")
    with transaction.atomic():
        case = _lock(case)
        if case.assigned_to_id == assignee.pk:
            raise ActionRefused(f"The case is already assigned to {assignee.get_username()}.")
        if case.status == Status.CLOSED:
            raise ActionRefused("Reopen the case before assigning it.")
        _take(case, assignee, Action.ASSIGNED, by=by, request=request)
    return case


def release_case(*, case: Case, by: User, request=None) -> Case:
    with transaction.atomic():
        case = _lock(case)
        if case.assigned_to_id is None:
            raise ActionRefused("Nobody holds this case.")
        previous = case.assigned_to.get_username()
        now = timezone.now()
        case.assigned_to = None
        case.assigned_at = None
        if case.status == Status.IN_REVIEW:
            _set_status(case, Status.TRIAGED, now)
        case.save()
        record(Action.RELEASED, case=case, actor=by, request=request, detail={"previous": previous})
    return case


def change_status(*, case: Case, to: str, by: User, reason: str = "", request=None) -> Case:
    with transaction.atomic():
        case = _lock(case)
        if to not in MANUAL_TRANSITIONS.get(case.status, set()):
            raise ActionRefused(
                f"A case that is “{case.get_status_display()}” cannot be moved to “{Status(to).label}” here."
            )
        if to == Status.CLOSED and not reason.strip():
            raise ActionRefused("Please say why the case is being closed.")
        if case.status == Status.CLOSED and case.assigned_to_id is None:
            to = Status.TRIAGED  # reopened without an owner: back to the queue
        old = _set_status(case, to, timezone.now())
        case.save()
        record(
            Action.STATUS_CHANGED,
            case=case,
            actor=by,
            request=request,
            detail={"from": Status(old).label, "to": Status(to).label, "reason": reason.strip()},
        )
    return case


def add_note(*, case: Case, author: User, body: str, request=None) -> Note:
    body = body.strip()
    if not body:
        raise ActionRefused("The note is empty.")
    with transaction.atomic():
        note = Note.objects.create(case=case, author=author, body=body)
        refresh_case_search(case)
        record(Action.NOTE_ADDED, case=case, actor=author, request=request, detail={"note": note.pk})
    return note


def refresh_case_search(case: Case) -> None:
    treatments = list(case.treatments.values_list("name", flat=True))
    notes = list(case.notes.values_list("body", flat=True))
    refresh_search_documents({case.pk: search_text(case, treatments, notes)})


def record_case_view(*, case: Case, user: User, request=None) -> None:
    record(Action.VIEWED_CASE, case=case, actor=user, request=request)


def record_document_view(*, case: Case, document, user: User, download: bool, request=None) -> None:
    record(
        Action.VIEWED_DOCUMENT,
        case=case,
        actor=user,
        request=request,
        detail={"document": str(document.id), "download": download},
    )

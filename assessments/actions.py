"""Every state change a reviewer makes, in one place.

Each action runs in one transaction with its audit event; emails go through the outbox in the same
transaction. Views call these and nothing else to change a case.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assessments.audit import record
from assessments.models import AuditEvent, LegalHold, Note
from intake import clock, emails, family, uploads
from intake.models import (
    Case,
    DeletionRequest,
    Message,
    OutboundEmail,
    Report,
    ReportOption,
    refresh_search_documents,
    search_text,
)

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
    # The clock measures the wait for the first answer: once that is sent, waiting on the family
    # again (after a report, or in a reopened case) must not move a deadline already met or missed.
    if to == Status.WAITING_ON_FAMILY and case.clock_paused_at is None and case.first_response_at is None:
        case.clock_paused_at = now
    elif old == Status.WAITING_ON_FAMILY and case.clock_paused_at is not None:
        case.paused_seconds += clock.working_seconds(case.clock_paused_at, now)
        case.clock_paused_at = None
        case.reset_response_clock()
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
        case.measure_response_clock()
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


def record_case_view(*, case: Case, user: User, request=None, page: str = "case", **detail) -> None:
    record(Action.VIEWED_CASE, case=case, actor=user, request=request, detail={"page": page, **detail})


def record_document_view(*, case: Case, document, user: User, download: bool, request=None) -> None:
    record(
        Action.VIEWED_DOCUMENT,
        case=case,
        actor=user,
        request=request,
        detail={"document": str(document.id), "download": download},
    )


def record_document_held_back(*, case: Case, document, user: User, request=None) -> None:
    """Someone tried to open a document that is not scanned, waiting for its scan, or refused."""
    record(
        Action.DOCUMENT_HELD_BACK,
        case=case,
        actor=user,
        request=request,
        detail={"document": str(document.id), "scan_state": document.scan_state},
    )


# Talking with the family ---------------------------------------------------------------------------


def _email_family_update(case: Case, *, kind: str) -> None:
    """Tell the family there is something new (kind: message, question, report or share_request), with
    their link and no details, in their language."""
    link = family.active_link(case)
    emails.queue_family_email(case=case, link=link, kind=kind, template="case_update")


def send_message(*, case: Case, by: User, body: str, request=None) -> Message:
    body = body.strip()
    if not body:
        raise ActionRefused("The message is empty.")
    with transaction.atomic():
        case = _lock(case)
        message = Message.objects.create(case=case, sender=Message.Sender.REVIEWER, author=by, body=body)
        _email_family_update(case, kind="message")
        record(Action.MESSAGE_SENT, case=case, actor=by, request=request, detail={"message": message.pk})
    return message


def request_info(*, case: Case, by: User, question: str, request=None) -> Message:
    """Ask the family a question: the case waits on them and the response clock pauses."""
    question = question.strip()
    if not question:
        raise ActionRefused("The question is empty.")
    with transaction.atomic():
        case = _lock(case)
        now = timezone.now()
        if case.status != Status.WAITING_ON_FAMILY:
            _set_status(case, Status.WAITING_ON_FAMILY, now)
        case.save()
        message = Message.objects.create(
            case=case, sender=Message.Sender.REVIEWER, author=by, kind=Message.Kind.QUESTION, body=question
        )
        _email_family_update(case, kind="question")
        record(Action.INFO_REQUESTED, case=case, actor=by, request=request, detail={"message": message.pk})
    return message


def family_wrote(*, case: Case, action: str) -> None:
    """The family sent a message, an answer or documents: bring the case back to its reviewer."""
    case = _lock(case)
    now = timezone.now()
    case.family_replied_at = now
    if action == Action.FAMILY_ANSWERED and case.status == Status.WAITING_ON_FAMILY:
        _set_status(case, Status.IN_REVIEW if case.assigned_to_id else Status.TRIAGED, now)
    case.save()
    recipients = [case.assigned_to] if case.assigned_to_id else list(coordinators())
    what = {
        Action.FAMILY_ANSWERED: "answered your question",
        Action.FAMILY_UPLOADED: "added documents",
    }.get(action, "sent a message")
    for person in recipients:
        if person.email:
            emails.queue_email(
                to=person.email,
                kind="staff_family_update",
                subject=f"The family {what} on case {case.reference}",
                template="staff_family_update",
                context={
                    "reference": case.reference,
                    "what": what,
                    "url": f"{settings.SITE_URL}/review/cases/{case.reference}/",
                },
                case=case,
            )


def coordinators():
    return User.objects.filter(is_active=True, groups__permissions__codename="triage_case").distinct()


def mark_family_messages_seen(*, case: Case, by: User) -> list[int]:
    """The reviewer opened the case: family messages are no longer new. Returns the ids that were."""
    unseen = list(
        case.messages.filter(sender=Message.Sender.FAMILY, seen_by_staff_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if unseen or case.family_replied_at:
        with transaction.atomic():
            Message.objects.filter(pk__in=unseen).update(seen_by_staff_at=timezone.now())
            Case.objects.filter(pk=case.pk).update(family_replied_at=None)
    return unseen


# Reports -------------------------------------------------------------------------------------------

REPORT_FIELDS = ["understanding", "questions", "next_steps"]
OPTION_FIELDS = [
    "kind",
    "title",
    "what_it_is",
    "why_it_may_fit",
    "what_to_ask",
    "where",
    "contact",
    "identifier",
    "link",
]


def draft_report(case: Case) -> Report | None:
    return case.reports.filter(sent_at__isnull=True).first()


def start_report(*, case: Case, by: User, request=None) -> Report:
    """The unsent version to edit: a copy of the last version sent, or a blank first report."""
    with transaction.atomic():
        case = _lock(case)
        existing = draft_report(case)
        if existing:
            return existing
        last = case.reports.filter(sent_at__isnull=False).order_by("-version").first()
        report = Report.objects.create(
            case=case,
            version=(last.version + 1) if last else 1,
            written_by=by,
            **{f: getattr(last, f) for f in REPORT_FIELDS} if last else {},
        )
        if last:
            ReportOption.objects.bulk_create(
                ReportOption(report=report, position=o.position, **{f: getattr(o, f) for f in OPTION_FIELDS})
                for o in last.options.all()
            )
        record(
            Action.REPORT_SAVED,
            case=case,
            actor=by,
            request=request,
            detail={"version": report.version, "started": True},
        )
    return report


def save_report(*, report: Report, by: User, fields: dict, options: list[dict], request=None) -> Report:
    """Store the reviewer's draft. Any change after approval needs approving again."""
    with transaction.atomic():
        report = _lock_report(report)
        if report.is_sent:
            raise ActionRefused("This version was sent already. Start a new version to make changes.")
        before = _report_content(report)
        for name in REPORT_FIELDS:
            setattr(report, name, fields.get(name, ""))
        report.written_by = by
        report.options.all().delete()
        ReportOption.objects.bulk_create(
            ReportOption(report=report, position=i, **{f: o.get(f, "") for f in OPTION_FIELDS})
            for i, o in enumerate(options)
        )
        if _report_content(report) != before:
            report.approved_by = report.approved_at = report.submitted_for_approval_at = None
        report.save()
        record(
            Action.REPORT_SAVED,
            case=report.case,
            actor=by,
            request=request,
            detail={"version": report.version},
        )
    return report


def _report_content(report: Report) -> tuple:
    options = tuple(tuple(getattr(o, f) for f in OPTION_FIELDS) for o in report.options.all())
    return (*(getattr(report, f) for f in REPORT_FIELDS), options)


def report_problems(report: Report) -> list[str]:
    """What must be filled in before a report can go to a family."""
    problems = []
    if not report.understanding.strip():
        problems.append("Write what we understood about the situation.")
    if not report.next_steps.strip():
        problems.append("Write the next steps.")
    for i, option in enumerate(report.options.all(), start=1):
        if not option.title.strip() or not option.what_it_is.strip():
            problems.append(f"Option {i} needs a title and what it is, in plain words.")
    return problems


def sending_blocker(case: Case) -> tuple[str, str] | None:
    """What must happen to the case before any report can be sent, said before the reviewer writes
    one, and the step the editor offers for it: "start_review", "triage" or "" (nothing to offer)."""
    if case.status == Status.NEW:
        return (
            "The case is “New”: a coordinator triages it, then the review starts. Only then can it be sent.",
            "triage",
        )
    if case.status == Status.TRIAGED:
        return ("The case is “Triaged”: start the review before sending the report.", "start_review")
    if case.status == Status.CLOSED:
        return ("The case is closed: reopen it before sending the report.", "start_review")
    return None


def _lock_report(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("case").get(pk=report.pk)


def _lock_complete_draft(report: Report) -> Report:
    """Lock the report, and refuse unless it is an unsent version with every part filled in."""
    report = _lock_report(report)
    if report.is_sent:
        raise ActionRefused("This version was sent already.")
    if problems := report_problems(report):
        raise ActionRefused(" ".join(problems))
    return report


def _record_report(action: str, report: Report, by: User, request) -> None:
    record(action, case=report.case, actor=by, request=request, detail={"version": report.version})


def submit_report_for_approval(*, report: Report, by: User, request=None) -> Report:
    with transaction.atomic():
        report = _lock_complete_draft(report)
        report.submitted_for_approval_at = timezone.now()
        report.save(update_fields=["submitted_for_approval_at"])
        _record_report(Action.REPORT_SUBMITTED, report, by, request)
    return report


def approve_report(*, report: Report, by: User, request=None) -> Report:
    if not by.has_perm("intake.approve_report"):
        raise ActionRefused("Only a supervisor can approve reports.")
    with transaction.atomic():
        report = _lock_complete_draft(report)
        report.approved_by, report.approved_at = by, timezone.now()
        report.save(update_fields=["approved_by", "approved_at"])
        _record_report(Action.REPORT_APPROVED, report, by, request)
    return report


def send_report(*, report: Report, by: User, request=None) -> Report:
    """Freeze this version, move the case to "Report sent", stop the response clock, tell the family."""
    with transaction.atomic():
        report = _lock_complete_draft(report)
        if settings.REPORT_REQUIRES_APPROVAL and not report.approved_at:
            raise ActionRefused("A supervisor needs to approve this report before it is sent.")
        case = _lock(report.case)
        now = timezone.now()
        if case.status != Status.REPORT_SENT:
            _set_status(case, Status.REPORT_SENT, now)
        if case.first_response_at is None:
            case.first_response_at, case.first_answered_by = now, by
            case.measure_response_clock()
        case.save()
        report.sent_at, report.sent_by = now, by
        report.save(update_fields=["sent_at", "sent_by"])
        _email_family_update(case, kind="report")
        record(Action.REPORT_SENT, case=case, actor=by, request=request, detail={"version": report.version})
    return report


# Deleting a case at the family's request -----------------------------------------------------------


def erase_case(*, case: Case, by: User | None = None, request=None) -> str:
    """Delete the case, its files and everything said in it; keep the audit trail and the request."""
    with transaction.atomic():
        case = _lock(case)
        if LegalHold.objects.filter(case=case).exists():
            raise ActionRefused(
                "This case is on legal hold: it cannot be deleted until the hold is released."
            )
        reference, email = case.reference, case.contact_email
        documents = list(case.documents.all())
        # The family's address and our emails to them go too; only the confirmation below remains.
        OutboundEmail.objects.filter(case=case).delete()
        emails.queue_deletion_done(to=email, reference=reference, language=case.language)
        DeletionRequest.objects.update_or_create(
            case=case,
            defaults={
                "case_reference": reference,
                "state": DeletionRequest.State.DONE,
                "carried_out_at": timezone.now(),
                "carried_out_by": by.get_username() if by else "system",
                "due_at": timezone.now(),
            },
        )
        record(Action.ERASED, case=case, actor=by, request=request, detail={"documents": len(documents)})
        case.delete()
        # Files go once the rows are gone for good.
        transaction.on_commit(lambda: uploads.delete_files(documents))
    return reference


def erase_due_cases() -> list[str]:
    # A case on legal hold waits, its request still pending, until the hold is released.
    due = (
        DeletionRequest.objects.filter(
            state=DeletionRequest.State.PENDING, due_at__lte=timezone.now(), case__isnull=False
        )
        .exclude(case__legal_hold__isnull=False)
        .select_related("case")
    )
    return [erase_case(case=request.case) for request in due]

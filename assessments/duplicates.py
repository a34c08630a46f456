"""Duplicate cases, for coordinators: the two cases side by side, merging the newer into the earlier,
or saying they are different. Finding them happens at submission (intake/lifecycle/duplicates.py)."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assessments.actions import ActionRefused, _set_status, refresh_case_search
from assessments.audit import record
from assessments.models import AuditEvent, Note
from intake import emails, family
from intake.models import Case, Document, Message, PossibleDuplicate, Treatment
from intake.submission import CASE_FORMS

Action = AuditEvent.Action
State = PossibleDuplicate.State

# The answers a coordinator may carry from the newer case into the earlier one: the fields of the
# form's pages, in the form's order.
ANSWER_FIELDS = [
    name
    for form in CASE_FORMS.values()
    for name in form._meta.fields
    if name in {f.name for f in Case._meta.get_fields()}
]
TREATMENTS = "treatments"
# Answers that only make sense together: taking one takes the other (age or year of birth must stay).
TOGETHER = {"patient_age": "patient_birth_year", "patient_birth_year": "patient_age"}


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    earlier: str
    newer: str

    @property
    def differs(self) -> bool:
        return self.earlier != self.newer


def _label(field: str) -> str:
    if field == TREATMENTS:
        return "Treatments so far"
    name = str(Case._meta.get_field(field).verbose_name)
    return name[:1].upper() + name[1:]


def shown(case: Case, field: str) -> str:
    """An answer as staff read it on the case page."""
    if field == TREATMENTS:
        return "; ".join(treatment_line(t) for t in case.treatments.all()) or "—"
    value = getattr(case, field)
    if field == "diagnosis":
        return case.diagnosis_label
    if field == "goals":
        return ", ".join(case.goal_labels()) or "—"
    if field == "diagnosed_on":
        return value.strftime("%b %Y") if value else "—"
    if field == "country":
        return value.name if value else "—"
    display = getattr(case, f"get_{field}_display", None)
    if display and value not in (None, ""):
        return str(display())
    return "—" if value in (None, "") else str(value)


def treatment_line(t: Treatment) -> str:
    months = " to ".join(d.strftime("%b %Y") for d in (t.started_on, t.ended_on) if d)
    return " ".join(
        p
        for p in (t.get_kind_display(), t.name, f"({months})" if months else "", "·", t.get_outcome_display())
        if p
    )


def compare(earlier: Case, newer: Case) -> list[Difference]:
    return [
        Difference(f, _label(f), shown(earlier, f), shown(newer, f)) for f in [*ANSWER_FIELDS, TREATMENTS]
    ]


def open_flag(case: Case) -> PossibleDuplicate | None:
    return case.duplicate_flags.filter(state=State.OPEN).select_related("earlier").first()


def _lock_flag(flag: PossibleDuplicate) -> PossibleDuplicate:
    flag = PossibleDuplicate.objects.select_for_update().get(pk=flag.pk)
    if flag.state != State.OPEN:
        raise ActionRefused("Someone has already dealt with this possible duplicate.")
    return flag


def merge_duplicate(*, flag: PossibleDuplicate, by: User, fields: list[str], request=None) -> Case:
    """Move the newer case's chosen answers, its documents, messages and notes into the earlier case;
    close the newer one as a duplicate; tell the family once which reference to use."""
    with transaction.atomic():
        flag = _lock_flag(flag)
        # Both cases locked, always the lower id first, so two merges at once cannot deadlock.
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update()
            .filter(pk__in=[flag.case_id, flag.earlier_id])
            .order_by("pk")
        }
        newer, earlier = locked[flag.case_id], locked[flag.earlier_id]
        for case in (earlier, newer):
            if case.status == Case.Status.CLOSED:
                raise ActionRefused(
                    f"{case.reference} is closed. Reopen it first, or mark the two as not duplicates."
                )
        chosen = set(fields) | {TOGETHER[f] for f in fields if f in TOGETHER}
        lines, taken = [], []
        for field in ANSWER_FIELDS:
            if field in chosen and getattr(newer, field) != getattr(earlier, field):
                lines.append(f"- {_label(field)}: {shown(earlier, field)} → {shown(newer, field)}")
                setattr(earlier, field, getattr(newer, field))
                taken.append(field)
        added = _add_new_treatments(earlier, newer) if TREATMENTS in chosen else 0
        if added:
            lines.append(f"- {added} treatment(s) added from the newer case")
        documents = Document.objects.filter(case=newer).update(case=earlier)
        messages = Message.objects.filter(case=newer).update(case=earlier)
        Note.objects.filter(case=newer).update(case=earlier)
        Note.objects.create(
            case=earlier,
            author=by,
            body=f"Merged {newer.reference} into this case: {documents} document(s) and "
            f"{messages} message(s) moved here."
            + ("\nAnswers taken from the newer case:\n" + "\n".join(lines) if lines else ""),
        )
        now = timezone.now()
        earlier.suggested_urgency, earlier.urgency_reasons = earlier.suggest_urgency()
        if earlier.status == Case.Status.NEW:
            earlier.urgency = earlier.suggested_urgency
        if messages and newer.family_replied_at:
            earlier.family_replied_at = earlier.family_replied_at or newer.family_replied_at
        earlier.save()
        refresh_case_search(earlier)
        _set_status(newer, Case.Status.CLOSED, now)
        newer.outcome = Case.Outcome.DUPLICATE
        newer.family_replied_at = None
        newer.save()
        flag.state, flag.resolved_at, flag.resolved_by = State.MERGED, now, by
        flag.save(update_fields=["state", "resolved_at", "resolved_by"])
        # A third case flagged against the newer one now repeats the earlier one.
        PossibleDuplicate.objects.filter(earlier=newer, state=State.OPEN).exclude(case=earlier).update(
            earlier=earlier
        )
        _email_family_about_merge(newer, earlier)
        # Two cases change: each gets its line in its own trail, naming the other.
        detail = {"answers": taken, "treatments": added, "documents": documents, "messages": messages}
        record(
            Action.DUPLICATE_MERGED,
            case=earlier,
            actor=by,
            request=request,
            detail={"from": newer.reference, **detail},
        )
        record(
            Action.CLOSED_AS_DUPLICATE,
            case=newer,
            actor=by,
            request=request,
            detail={"into": earlier.reference},
        )
    return earlier


def _add_new_treatments(earlier: Case, newer: Case) -> int:
    def key(t):
        return (t.kind, t.name.strip().lower(), t.started_on)

    known = {key(t) for t in earlier.treatments.all()}
    position = earlier.treatments.count()
    new = []
    for t in newer.treatments.all():
        if key(t) not in known:
            fields = {f: getattr(t, f) for f in ("kind", "name", "started_on", "ended_on", "outcome")}
            new.append(Treatment(case=earlier, position=position + len(new), **fields))
            known.add(key(t))
    Treatment.objects.bulk_create(new)
    return len(new)


def _email_family_about_merge(newer: Case, earlier: Case) -> None:
    """One email, to the person who wrote the second time. The earlier case's private link goes with it
    only when the earlier case has that address (its own, or the newer one the coordinator took into
    it): someone else must not be handed a case they did not send."""
    same_address = newer.contact_email.lower() == earlier.contact_email.lower()
    link_url = emails.family_link_url(family.active_link(earlier)) if same_address else ""
    # In the family's language, though a coordinator (on an English page) merges.
    emails.queue_email(
        to=newer.contact_email,
        kind="cases_merged",
        subject=emails.family_subject("cases_merged", reference=earlier.reference, language=newer.language),
        template="cases_merged",
        context={
            "reference": newer.reference,
            "earlier_reference": earlier.reference,
            "link_url": link_url,
        },
        case=earlier if same_address else newer,
        language=newer.language,
    )


def mark_not_duplicate(*, flag: PossibleDuplicate, by: User, request=None) -> PossibleDuplicate:
    with transaction.atomic():
        flag = _lock_flag(flag)
        flag.state, flag.resolved_at, flag.resolved_by = State.NOT_DUPLICATE, timezone.now(), by
        flag.save(update_fields=["state", "resolved_at", "resolved_by"])
        case = Case.objects.get(pk=flag.case_id)
        earlier = Case.objects.only("reference").get(pk=flag.earlier_id)
        record(
            Action.NOT_DUPLICATE, case=case, actor=by, request=request, detail={"earlier": earlier.reference}
        )
    return flag

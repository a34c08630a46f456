"""Turning a finished draft into a case: the one code path used by the form and by demo data."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from intake import consent, emails, forms, languages
from intake.lifecycle import consents, duplicates
from intake.models import (
    Case,
    Consent,
    Document,
    Draft,
    FamilyLink,
    OutboundEmail,
    Treatment,
    new_reference,
    refresh_search_documents,
    search_text,
)
from intake.signals import case_event

# The pages of the form, in order. Pages with a form class edit fields of the case directly.
STEPS = [
    ("about-you", _("About you"), forms.AboutYouForm),
    ("patient", _("The patient"), forms.PatientForm),
    ("diagnosis", _("Diagnosis"), forms.DiagnosisForm),
    ("treatments", _("Treatments so far"), None),
    ("now", _("Now and what you hope for"), forms.NowForm),
    ("documents", _("Documents"), None),
    ("check", _("Check and send"), None),
]
STEP_SLUGS = [slug for slug, _, _ in STEPS]
CASE_FORMS = {slug: form for slug, _, form in STEPS if form}


class IncompleteAnswers(Exception):
    def __init__(self, step: str):
        super().__init__(step)
        self.step = step


@dataclass
class CaseAnswers:
    """An unsaved case and its treatments, built and validated from a draft's answers."""

    case: Case
    treatments: list[Treatment] = field(default_factory=list)


def bind_step(slug: str, answers: dict, instance: Case | None = None):
    data = answers.get(slug)
    form_class = CASE_FORMS[slug]
    if data is None:
        return form_class(instance=instance)
    return form_class(MultiValueDict(data), instance=instance)


def bind_treatments(answers: dict) -> forms.TreatmentFormSet:
    data = answers.get("treatments")
    if data is None:
        return forms.TreatmentFormSet(prefix="treatments")
    return forms.TreatmentFormSet(MultiValueDict(data), prefix="treatments")


def build_case(answers: dict) -> CaseAnswers:
    """Validate every page again and build the case from it. Raises IncompleteAnswers(step)."""
    case = Case()
    for slug in CASE_FORMS:
        form = bind_step(slug, answers, instance=case)
        if not form.is_bound or not form.is_valid():
            raise IncompleteAnswers(slug)
    formset = bind_treatments(answers)
    if not formset.is_valid():
        raise IncompleteAnswers("treatments")
    treatments = [
        Treatment(position=i, **form.cleaned_data)
        for i, form in enumerate(f for f in formset.forms if f.has_changed())
    ]
    return CaseAnswers(case=case, treatments=treatments)


def prepare(built: CaseAnswers, *, submitted_at=None) -> None:
    """Fill in what the system derives: the language we write in, the urgency suggestion and the
    response clock."""
    case = built.case
    case.language = languages.written_language(case.preferred_language)
    case.submitted_at = submitted_at or timezone.now()
    case.status_changed_at = case.submitted_at
    case.suggested_urgency, case.urgency_reasons = case.suggest_urgency()
    case.urgency = case.suggested_urgency
    case.reset_response_clock()


def submit(*, draft: Draft, built: CaseAnswers, consent_data: dict, ip: str | None, user_agent: str) -> Case:
    """Store the case with its treatments, documents and consent, all together or not at all.

    The caller holds a lock on the draft; the case's submission key (the draft id) is unique, so even
    without it a retried submit could not create a second case.
    """
    with transaction.atomic():
        case = built.case
        case.submission_key = draft.id
        prepare(built)
        _save_with_unique_reference(case)
        for treatment in built.treatments:
            treatment.case = case
        Treatment.objects.bulk_create(built.treatments)
        Document.objects.filter(draft=draft, case__isnull=True).update(case=case, draft=None)
        # The emails about the unfinished form (its resume links) now belong to the case: they are
        # erased or purged with it.
        OutboundEmail.objects.filter(draft=draft).update(case=case, draft=None)
        consents.record_at_submission(case=case, consent_data=consent_data, ip=ip, user_agent=user_agent)
        Consent.objects.create(
            case=case,
            version=consent.shown_version(),
            privacy_notice=consent_data["privacy_notice"],
            reviewers_may_read=consent_data["reviewers_may_read"],
            research_contact=consent_data.get("research_contact", False),
            ip_address=ip,
            user_agent=user_agent,
        )
        refresh_search_documents({case.pk: search_text(case, [t.name for t in built.treatments])})
        link = FamilyLink.objects.create(case=case)
        emails.queue_family_email(case=case, link=link, kind="case_received", template="case_received")
        # The draft keeps only its link to the case: the answers now live in the case itself.
        draft.case = case
        draft.answers = {}
        draft.save(update_fields=["case", "answers", "updated_at"])
        case_event.send(sender=Case, case=case, action="submitted", ip=ip, detail={})
        duplicates.flag_if_duplicate(case, ip=ip)
    return case


def _save_with_unique_reference(case: Case) -> None:
    # Reference codes are random: on the rare clash, draw another.
    for attempt in range(5):
        try:
            with transaction.atomic():
                case.save()
            return
        except IntegrityError:
            if attempt == 4 or Case.objects.filter(submission_key=case.submission_key).exists():
                raise
            case.reference = new_reference()


def too_fast(draft: Draft, now=None) -> bool:
    now = now or timezone.now()
    return now - draft.created_at < timedelta(seconds=settings.INTAKE_MIN_FILL_SECONDS)


def over_rate_limit(ip: str | None, now=None) -> bool:
    if not ip:
        return False
    now = now or timezone.now()
    recent = Consent.objects.filter(ip_address=ip, agreed_at__gte=now - timedelta(hours=1)).count()
    return recent >= settings.INTAKE_SUBMISSIONS_PER_IP_PER_HOUR

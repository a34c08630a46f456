"""Options research on a case: what the Options panel shows, and the reviewer's audited actions.

Judging a study's eligibility criterion by criterion, and adding a study to the report. Each runs in
one transaction with its audit event, like every action in assessments.actions.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from assessments.actions import ActionRefused, _lock, draft_report, start_report
from assessments.audit import record
from assessments.models import AuditEvent
from assessments.option_forms import OptionFiltersForm
from intake.models import Case, ReportOption
from trials import eligibility, matching
from trials.models import CriterionJudgement, EligibilityReview, Study, Verdict
from trials.report import option_fields

Action = AuditEvent.Action


PANEL_SIZE = 5


def options_panel(case, *, filters_form=None, limit=PANEL_SIZE, offset=0) -> dict:
    """What the Options panel shows, for the case page and the options page alike."""
    filters_form = filters_form or OptionFiltersForm()
    filters = filters_form.filters()
    kinds = case.treatments.values_list("kind", flat=True)
    results = matching.find_options(
        matching.Patient.from_case(case, treatment_kinds=kinds), filters, limit=limit, offset=offset
    )
    judged = summaries(case, [o.study for o in results.options]) if results.options else {}
    for option in results.options:
        option.judged = judged.get(option.study.pk)
    return {
        "results": results,
        "filters_form": filters_form,
        "place_label": dict(matching.Place.CHOICES).get(results.place, results.place),
        "is_default": filters == matching.DEFAULT_FILTERS,
    }


def treatments_of(case: Case) -> list[tuple[str, str]]:
    return list(case.treatments.order_by("position").values_list("kind", "name"))


def _in_order(judgement: CriterionJudgement) -> tuple[bool, int]:
    return judgement.kind != CriterionJudgement.Kind.INCLUSION, judgement.position


def criteria_lines(case: Case, study: Study, review: EligibilityReview | None) -> list[dict]:
    """The lines to show: the saved judgement when there is one, otherwise the suggestions."""
    if review is not None:
        judgements = sorted(review.judgements.select_related("decided_by"), key=_in_order)
        return [
            {
                "kind": j.kind,
                "position": j.position,
                "text": j.text,
                "suggested": j.suggested,
                "fact": j.fact,
                "verdict": j.verdict,
                "note": j.note,
                "decided_by": j.decided_by,
                "decided_at": j.decided_at,
            }
            for j in judgements
        ]
    treatments = treatments_of(case)
    patient = matching.Patient.from_case(case, treatment_kinds=[kind for kind, _ in treatments])
    return [
        {**line, "verdict": line["suggested"], "note": "", "decided_by": None, "decided_at": None}
        for line in eligibility.prefill(study, patient, treatments)
    ]


def judge_eligibility(
    *, case: Case, study: Study, by: User, answers: dict[tuple[str, int], tuple[str, str]], request=None
) -> EligibilityReview:
    """Save the reviewer's verdict and note for each criterion line: (kind, position) → (verdict, note)."""
    with transaction.atomic():
        # One judgement at a time per case: two reviewers saving at once are applied in turn.
        case = _lock(case)
        review, created = EligibilityReview.objects.get_or_create(case=case, study=study)
        if created:
            CriterionJudgement.objects.bulk_create(
                CriterionJudgement(
                    review=review,
                    kind=line["kind"],
                    position=line["position"],
                    text=line["text"],
                    suggested=line["suggested"],
                    fact=line["fact"],
                    verdict=line["suggested"],
                )
                for line in criteria_lines(case, study, None)
            )
        now = timezone.now()
        changed = []
        lines = list(review.judgements.all())
        for line in lines:
            verdict, note = answers.get((line.kind, line.position), (line.verdict, line.note))
            if verdict not in Verdict.values:
                raise ActionRefused(f"“{verdict}” is not a verdict.")
            if line.decided_by_id is None or (verdict, note.strip()) != (line.verdict, line.note):
                line.verdict, line.note = verdict, note.strip()
                line.decided_by, line.decided_at = by, now
                changed.append(line)
        CriterionJudgement.objects.bulk_update(changed, ["verdict", "note", "decided_by", "decided_at"])
        review.updated_at, review.updated_by = now, by
        review.save(update_fields=["updated_at", "updated_by"])
        counts = {v: sum(1 for line in lines if line.verdict == v) for v in Verdict.values}
        record(
            Action.ELIGIBILITY_JUDGED,
            case=case,
            actor=by,
            request=request,
            detail={"study": study.nct_id, **counts, "changed": len(changed)},
        )
    return review


def add_option_to_report(*, case: Case, study: Study, by: User, request=None) -> ReportOption:
    """Write the study into the report draft (starting one if needed), for the reviewer to edit."""
    with transaction.atomic():
        case = _lock(case)
        report = draft_report(case) or start_report(case=case, by=by, request=request)
        if report.options.filter(identifier=study.nct_id).exists():
            raise ActionRefused(f"{study.nct_id} is already in the report draft.")
        review = (
            EligibilityReview.objects.filter(case=case, study=study).prefetch_related("judgements").first()
        )
        patient = matching.Patient.from_case(case)
        last = report.options.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
        option = ReportOption.objects.create(
            report=report, position=position, **option_fields(study, patient, review)
        )
        # The draft changed: an approval given before no longer holds (as in save_report).
        report.approved_by = report.approved_at = report.submitted_for_approval_at = None
        report.written_by = by
        report.save()
        record(
            Action.OPTION_ADDED,
            case=case,
            actor=by,
            request=request,
            detail={"study": study.nct_id, "version": report.version, "judged": review is not None},
        )
    return option


def summaries(case: Case, studies) -> dict[int, dict]:
    """For each study already judged on this case: how its lines stand, in one query."""
    rows = CriterionJudgement.objects.filter(review__case=case, review__study__in=studies).values_list(
        "review__study_id", "verdict"
    )
    found: dict[int, dict] = {}
    for study_id, verdict in rows:
        found.setdefault(study_id, dict.fromkeys(Verdict.values, 0))[verdict] += 1
    return found

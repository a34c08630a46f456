"""The Options panel: matching studies for a case, eligibility judged line by line, and "Add to report".

Every view gets its case through the access funnel first; the study comes from the public catalogue.
"""

import math

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import options as option_actions
from assessments.access import can_change, get_case_for_user
from assessments.actions import ActionRefused, record_case_view
from assessments.option_forms import EligibilityForm, OptionFiltersForm
from assessments.views import _act, reviewer_view
from trials import matching
from trials.models import EligibilityReview, Study


@reviewer_view
def options(request, reference):
    case = get_case_for_user(request.user, reference)
    form = OptionFiltersForm(request.GET)
    page_number = _page_number(request)
    panel = option_actions.options_panel(
        case,
        filters_form=form,
        limit=matching.PAGE_SIZE,
        offset=(page_number - 1) * matching.PAGE_SIZE,
    )
    record_case_view(
        case=case, user=request.user, request=request, page="options", **_filters_detail(panel, page_number)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "case": case,
        "page_number": page_number,
        "num_pages": max(1, math.ceil(panel["results"].total / matching.PAGE_SIZE)),
        "query": query.urlencode(),
        "can_change": can_change(request.user, case),
    }
    return render(request, "assessments/options.html", {**context, **panel})


def _page_number(request) -> int:
    try:
        return max(1, min(500, int(request.GET.get("page", "1"))))
    except ValueError:
        return 1


def _filters_detail(panel, page_number) -> dict:
    return {
        "filters": panel["results"].filters.as_dict(),
        "results": panel["results"].total,
        "page_number": page_number,
    }


def _study_context(request, case, study, form=None) -> dict:
    review = EligibilityReview.objects.filter(case=case, study=study).select_related("updated_by").first()
    lines = option_actions.criteria_lines(case, study, review)
    form = form or EligibilityForm(lines=lines)
    for line in form.lines:
        line["verdict_bound"] = form[line["verdict_field"]]
        line["note_bound"] = form[line["note_field"]]
    patient = matching.Patient.from_case(
        case, treatment_kinds=[kind for kind, _ in option_actions.treatments_of(case)]
    )
    explained = matching.explain(study, patient)
    in_report = case.reports.filter(sent_at__isnull=True, options__identifier=study.nct_id).exists()
    return {
        "case": case,
        "study": study,
        "review": review,
        "form": form,
        "lines": form.lines,
        "option": explained,
        "can_change": can_change(request.user, case),
        "in_report": in_report,
    }


@reviewer_view
def study(request, reference, nct_id):
    case = get_case_for_user(request.user, reference)
    study = get_object_or_404(Study, nct_id=nct_id)
    if request.method == "POST":
        case = _act(request, reference)
        lines = option_actions.criteria_lines(
            case, study, EligibilityReview.objects.filter(case=case, study=study).first()
        )
        form = EligibilityForm(request.POST, lines=lines)
        if not form.is_valid():
            context = _study_context(request, case, study, form=form)
            return render(request, "assessments/option_study.html", context, status=400)
        try:
            option_actions.judge_eligibility(
                case=case, study=study, by=request.user, answers=form.answers(), request=request
            )
        except ActionRefused as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"Eligibility for {study.nct_id} saved. Other reviewers see it too.")
        return redirect("assessments:option_study", reference=case.reference, nct_id=study.nct_id)
    record_case_view(case=case, user=request.user, request=request, page="eligibility", study=study.nct_id)
    return render(request, "assessments/option_study.html", _study_context(request, case, study))


@require_POST
@reviewer_view
def add_to_report(request, reference, nct_id):
    case = _act(request, reference)
    study = get_object_or_404(Study, nct_id=nct_id)
    try:
        option = option_actions.add_option_to_report(case=case, study=study, by=request.user, request=request)
    except ActionRefused as e:
        messages.error(request, str(e))
        return redirect("assessments:option_study", reference=case.reference, nct_id=study.nct_id)
    messages.success(
        request, f"{study.nct_id} is in the report draft. Read it through and edit it before sending."
    )
    position = list(option.report.options.values_list("pk", flat=True)).index(option.pk) + 1
    return redirect(
        reverse("assessments:report", kwargs={"reference": case.reference}) + f"#option-{position}"
    )

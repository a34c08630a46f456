"""Reviewer pages for a case's lifecycle: duplicates side by side and merged, sharing a summary with
the family's consent, legal hold, and the research contact list. Every case comes through the access
funnel; every change is an action with its audit event."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from accounts.sudo import sudo_required
from assessments import duplicates, exports, retention, sharing
from assessments.access import get_case_for_user
from assessments.actions import ActionRefused, record_case_view
from assessments.export_views import _queue_view, can_export, record_export
from assessments.forms import LegalHoldForm, MergeForm, ShareProposalForm
from assessments.views import _act, _case_context, _done, _refused, reviewer_view

can_decide_duplicates = permission_required("intake.triage_case", raise_exception=True)


def _pair(request, reference):
    """The newer case and its open possible-duplicate flag; both cases through the funnel."""
    case = get_case_for_user(request.user, reference)
    flag = duplicates.open_flag(case)
    if flag is None:
        raise Http404("No possible duplicate")
    earlier = get_case_for_user(request.user, flag.earlier.reference)
    return case, flag, earlier


def _merge_form(case, earlier, data=None) -> MergeForm:
    """Which answers may be taken: those that differ, all ticked at first."""
    differences = [d for d in duplicates.compare(earlier, case) if d.differs]
    fields = [(d.field, d.label) for d in differences]
    return MergeForm(data, fields=fields, initial={"take": [field for field, _ in fields]})


@reviewer_view
def duplicate(request, reference):
    case, flag, earlier = _pair(request, reference)
    form = _merge_form(case, earlier)
    context = {
        "case": case,
        "earlier": earlier,
        "flag": flag,
        "rows": duplicates.compare(earlier, case),
        "documents": (earlier.documents.count(), case.documents.count()),
        "messages_count": (earlier.messages.count(), case.messages.count()),
        "form": form,
        "can_decide": request.user.has_perm("intake.triage_case"),
    }
    record_case_view(
        case=case, user=request.user, request=request, page="duplicate", earlier=earlier.reference
    )
    return render(request, "assessments/duplicate.html", context)


@require_POST
@reviewer_view
@can_decide_duplicates
def duplicate_merge(request, reference):
    case, flag, earlier = _pair(request, reference)
    form = _merge_form(case, earlier, request.POST)
    if not form.is_valid():
        return _refused(request, case, "Those answers cannot be merged. Please choose again.")
    try:
        earlier = duplicates.merge_duplicate(
            flag=flag, by=request.user, fields=form.cleaned_data["take"], request=request
        )
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(
        request,
        earlier,
        f"{case.reference} was merged into {earlier.reference} and closed. The family gets an email.",
    )


@require_POST
@reviewer_view
@can_decide_duplicates
def duplicate_dismiss(request, reference):
    case, flag, earlier = _pair(request, reference)
    try:
        duplicates.mark_not_duplicate(flag=flag, by=request.user, request=request)
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, f"Marked as not a duplicate of {earlier.reference}.")


@require_POST
@reviewer_view
def share_propose(request, reference):
    case = _act(request, reference)
    form = ShareProposalForm(request.POST)
    if not form.is_valid():
        context = _case_context(request, case, share_form=form)
        return render(request, "assessments/case.html", context, status=400)
    try:
        sharing.propose_share(case=case, by=request.user, request=request, **form.cleaned_data)
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, "The family is asked on their page, and gets an email telling them to look.")


@require_POST
@reviewer_view
@permission_required("intake.hold_case", raise_exception=True)
def legal_hold(request, reference):
    case = get_case_for_user(request.user, reference)
    releasing = request.POST.get("action") == "release"
    form = LegalHoldForm(request.POST, releasing=releasing)
    if not form.is_valid():
        return render(
            request, "assessments/case.html", _case_context(request, case, hold_form=form), status=400
        )
    reason = form.cleaned_data["reason"]
    try:
        if releasing:
            retention.release_legal_hold(case=case, by=request.user, reason=reason, request=request)
            return _done(request, case, "Legal hold released. The case follows the retention rules again.")
        retention.place_legal_hold(case=case, by=request.user, reason=reason, request=request)
    except ActionRefused as e:
        return _refused(request, case, e)
    return _done(request, case, "Legal hold placed. The case will not be purged or deleted while it stands.")


@reviewer_view
@can_export
@sudo_required
def export_research_csv(request):
    """Families who agree, today, to be contacted about research studies, among the queue view's cases."""
    cases = exports.research_contacts(_queue_view(request))
    columns = exports.RESEARCH_COLUMNS
    record_export(request, "research csv", cases.count(), [c.key for c in columns])
    return exports.csv_response(cases, columns, stem="research-contacts")


@require_POST
@reviewer_view
def share_summary(request, reference, share_id):
    """The summary without names for a partner the family agreed to, as a PDF download."""
    case = get_case_for_user(request.user, reference)
    share = get_object_or_404(case.share_requests, id=share_id)
    try:
        pdf = sharing.make_shared_summary(share=share, by=request.user, request=request)
    except ActionRefused as e:
        return _refused(request, case, e)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"summary-for-partner-{share.id.hex[:8]}.pdf"
    )
    return response

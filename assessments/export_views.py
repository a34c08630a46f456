"""Export downloads. Each needs the export permission, is never cached, and is recorded.

Exports of many cases also need the password or a code given in the last few minutes (sudo mode)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.sudo import sudo_required
from assessments import exports
from assessments.access import get_case_for_user, visible_cases
from assessments.audit import record
from assessments.models import AuditEvent
from assessments.queue import QueueFilters, queue_cases, staff_who_work_cases
from assessments.views import reviewer_view
from intake.models import REFERENCE_ALPHABET

EXPORTED = AuditEvent.Action.EXPORTED
REFERENCE = re.compile(rf"CA-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")
MAX_ZIP_CASES = 50

can_export = permission_required("intake.export_cases", raise_exception=True)


def _queue_view(request):
    """The cases of the queue view the URL describes, exactly as the queue shows them."""
    filters = QueueFilters(request.GET, user=request.user, staff=staff_who_work_cases())
    filters.is_valid()
    return queue_cases(filters, timezone.now())


def _filters(request) -> dict:
    return {k: v for k, v in request.GET.lists() if k not in ("columns", "page")}


def record_export(request, fmt: str, count: int, columns: list[str], case=None, **detail) -> None:
    """The audit row every export writes: who, what format, which filters, how many rows, which columns."""
    detail = {"format": fmt, "filters": _filters(request), "count": count, "columns": columns, **detail}
    record(EXPORTED, case=case, actor=request.user, request=request, detail=detail)


def _record_export(request, fmt: str, count: int, columns, case=None) -> None:
    record_export(request, fmt, count, [c.key for c in columns], case=case)


@reviewer_view
@can_export
@sudo_required
def export_csv(request):
    cases = _queue_view(request)
    columns = exports.chosen_columns(request.GET.getlist("columns"))
    # Counted and recorded before streaming starts: the trail says what was asked for and how much.
    _record_export(request, "csv", cases.count(), columns)
    return exports.csv_response(cases, columns)


@reviewer_view
@can_export
@sudo_required
def export_xlsx(request):
    cases = _queue_view(request)
    columns = exports.chosen_columns(request.GET.getlist("columns"))
    _record_export(request, "xlsx", cases.count(), columns)
    return FileResponse(
        exports.xlsx_file(exports.export_rows(cases, columns)),
        as_attachment=True,
        filename=exports.filename("cases", "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_POST
@reviewer_view
@can_export
@sudo_required
def export_zip(request):
    # Anything that is not a reference code cannot name a case (and a NUL would upset PostgreSQL).
    references = [r for r in request.POST.getlist("refs") if REFERENCE.fullmatch(r)][: MAX_ZIP_CASES + 1]
    if not references:
        messages.error(request, "Select at least one case to download.")
        return redirect("assessments:queue")
    if len(references) > MAX_ZIP_CASES:
        messages.error(request, f"Select at most {MAX_ZIP_CASES} cases at a time.")
        return redirect("assessments:queue")
    # Through the access funnel: references the user may not see are simply not there.
    cases = list(
        visible_cases(request.user).filter(reference__in=references).order_by("urgency", "submitted_at")
    )
    columns = exports.chosen_columns([])
    detail = {"format": "zip", "count": len(cases), "cases": [c.reference for c in cases], "columns": []}
    record(EXPORTED, actor=request.user, request=request, detail=detail)
    return FileResponse(
        exports.summaries_zip(cases, columns, request=request),
        as_attachment=True,
        filename=exports.filename("case-summaries", "zip"),
        content_type="application/zip",
    )


@reviewer_view
@can_export
def summary_pdf(request, reference):
    case = get_case_for_user(request.user, reference)
    internal = request.GET.get("version") != "family"
    record(
        EXPORTED,
        case=case,
        actor=request.user,
        request=request,
        detail={"format": "pdf", "internal": internal},
    )
    response = HttpResponse(
        exports.summary_pdf(case, internal=internal, request=request), content_type="application/pdf"
    )
    kind = "internal" if internal else "family"
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-summary-{kind}.pdf"'
    return response

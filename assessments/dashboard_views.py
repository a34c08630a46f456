"""The dashboard page and its CSV downloads. Supervisors and coordinators only."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessments import dashboard, exports
from assessments.export_views import record_export
from assessments.views import reviewer_view

can_see_dashboard = permission_required("intake.view_dashboard", raise_exception=True)


@reviewer_view
@can_see_dashboard
def dashboard_page(request):
    now = timezone.now()
    form = dashboard.PeriodForm(request.GET, today=timezone.localdate(now))
    if not form.is_valid():
        context = {"form": form, "periods": dashboard.PERIODS}
        return render(request, "assessments/dashboard.html", context, status=400)
    period = form.result
    context = {
        "form": form,
        "periods": dashboard.PERIODS,
        "period": period,
        "period_query": urlencode(period.query()),
        # Keyed for the template, which cannot read "backlog-age".
        "figures": {key.replace("-", "_"): f for key, f in dashboard.all_figures(period, now).items()},
    }
    return render(request, "assessments/dashboard.html", context)


@reviewer_view
@can_see_dashboard
def dashboard_csv(request, figure):
    if figure not in dashboard.FIGURE_SOURCES:
        raise Http404("No such figure")
    now = timezone.now()
    form = dashboard.PeriodForm(request.GET, today=timezone.localdate(now))
    if not form.is_valid():
        return HttpResponse(
            "The period is not valid: " + form.errors.as_text(), status=400, content_type="text/plain"
        )
    result = dashboard.one_figure(figure, form.result, now)
    record_export(request, "csv", len(result.rows), result.headers, figure=figure)
    rows = [result.headers, *result.rows]
    body = "".join(exports.csv_chunks([exports.neutralise(cell) for cell in row] for row in rows))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = exports.filename(f"dashboard-{figure}-{form.result.start}-to-{form.result.end}", "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

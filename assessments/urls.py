from django.urls import include, path

from assessments import dashboard_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim-next/", views.claim_next, name="claim_next"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/<slug:figure>.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/triage/", views.triage, name="triage"),
    path("cases/<str:reference>/claim/", views.claim, name="claim"),
    path("cases/<str:reference>/assign/", views.assign, name="assign"),
    path("cases/<str:reference>/release/", views.release, name="release"),
    path("cases/<str:reference>/status/", views.change_status, name="status"),
    path("cases/<str:reference>/notes/", views.add_note, name="note"),
    path("cases/<str:reference>/documents/<uuid:document_id>/", views.document, name="document"),
    path("cases/<str:reference>/messages/", views.send_message, name="message"),
    path("cases/<str:reference>/question/", views.ask_question, name="question"),
    path("cases/<str:reference>/erase/", views.erase, name="erase"),
    path("cases/<str:reference>/report/", views.report_edit, name="report"),
    path("cases/<str:reference>/report/start/", views.report_start, name="report_start"),
    path("cases/<str:reference>/report/preview/", views.report_preview, name="report_preview"),
    path("cases/<str:reference>/report/approve/", views.report_approve, name="report_approve"),
    path("", include("assessments.export_urls")),
    path("", include("assessments.option_urls")),
    path("", include("assessments.lifecycle_urls")),
]

"""URLs for a case's lifecycle (duplicates, sharing, legal hold, research contacts), included from
assessments/urls.py."""

from django.urls import path

from assessments import lifecycle_views

urlpatterns = [
    path("export-research.csv", lifecycle_views.export_research_csv, name="export_research_csv"),
    path("cases/<str:reference>/duplicate/", lifecycle_views.duplicate, name="duplicate"),
    path("cases/<str:reference>/duplicate/merge/", lifecycle_views.duplicate_merge, name="duplicate_merge"),
    path(
        "cases/<str:reference>/duplicate/not-duplicate/",
        lifecycle_views.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
    path("cases/<str:reference>/share/", lifecycle_views.share_propose, name="share_propose"),
    path(
        "cases/<str:reference>/share/<uuid:share_id>/summary.pdf",
        lifecycle_views.share_summary,
        name="share_summary",
    ),
    path("cases/<str:reference>/legal-hold/", lifecycle_views.legal_hold, name="legal_hold"),
]

"""URLs of the exports (CSV, Excel, PDF summaries, ZIP), included from assessments/urls.py."""

from django.urls import path

from assessments import export_views

urlpatterns = [
    path("export.csv", export_views.export_csv, name="export_csv"),
    path("export.xlsx", export_views.export_xlsx, name="export_xlsx"),
    path("export.zip", export_views.export_zip, name="export_zip"),
    path("cases/<str:reference>/summary.pdf", export_views.summary_pdf, name="summary_pdf"),
]

"""URLs of the exports (CSV, Excel, PDF summaries, ZIP), included from assessments/urls.py."""

urlpatterns = []

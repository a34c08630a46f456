from django.urls import path

from intake import family_views, views
from intake.lifecycle import views as lifecycle_views

app_name = "intake"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("case/submitted/", views.submitted, name="submitted"),
    path("case/save-for-later/", views.save_later, name="save_later"),
    path("resume/<str:token>/", lifecycle_views.resume_draft, name="resume"),
    path("case/<slug:slug>/", views.step, name="step"),
]
urlpatterns += [
    path("my-case/lost/", family_views.lost_link, name="lost_link"),
    path("my-case/<str:token>/", family_views.family_case, name="family_case"),
    path("my-case/<str:token>/code/", family_views.family_verify, name="family_verify"),
    path("my-case/<str:token>/reply/", family_views.family_reply, name="family_reply"),
    path("my-case/<str:token>/answer/", family_views.family_answer, name="family_answer"),
    path("my-case/<str:token>/documents/", family_views.family_documents, name="family_documents"),
    path("my-case/<str:token>/delete/", family_views.family_delete, name="family_delete"),
    path(
        "my-case/<str:token>/consent/research/",
        lifecycle_views.family_research_consent,
        name="family_research_consent",
    ),
    path(
        "my-case/<str:token>/consent/share/<uuid:share_id>/",
        lifecycle_views.family_share,
        name="family_share",
    ),
    path(
        "my-case/<str:token>/delete/cancel/",
        family_views.family_cancel_deletion,
        name="family_cancel_deletion",
    ),
    path(
        "my-case/<str:token>/report-<int:version>.pdf",
        family_views.family_report_pdf,
        name="family_report_pdf",
    ),
]

from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim-next/", views.claim_next, name="claim_next"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/triage/", views.triage, name="triage"),
    path("cases/<str:reference>/claim/", views.claim, name="claim"),
    path("cases/<str:reference>/assign/", views.assign, name="assign"),
    path("cases/<str:reference>/release/", views.release, name="release"),
    path("cases/<str:reference>/status/", views.change_status, name="status"),
    path("cases/<str:reference>/notes/", views.add_note, name="note"),
    path("cases/<str:reference>/documents/<uuid:document_id>/", views.document, name="document"),
]

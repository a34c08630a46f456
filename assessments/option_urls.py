from django.urls import path

from assessments import option_views

urlpatterns = [
    path("cases/<str:reference>/options/", option_views.options, name="options"),
    path("cases/<str:reference>/options/<str:nct_id>/", option_views.study, name="option_study"),
    path(
        "cases/<str:reference>/options/<str:nct_id>/add-to-report/",
        option_views.add_to_report,
        name="option_add",
    ),
]

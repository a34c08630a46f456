from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("case/submitted/", views.submitted, name="submitted"),
    path("case/<slug:slug>/", views.step, name="step"),
]
urlpatterns += [
    path("my-case/<str:token>/", views.family_case, name="family_case"),
]

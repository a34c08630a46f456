from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("start/", views.start, name="start"),
]

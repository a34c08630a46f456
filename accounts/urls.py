from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("two-factor/", views.second_factor, name="second_factor"),
    path("two-factor/set-up/", views.enrol, name="enrol"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("staff/", views.staff, name="staff"),
    path("staff/<str:username>/reset-second-factor/", views.reset_second_factor, name="reset_second_factor"),
]

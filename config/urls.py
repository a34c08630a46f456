from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views
from intake import views as intake_views

admin.site.site_header = "Case Intake administration"
admin.site.site_title = "Case Intake admin"

urlpatterns = [
    path("", intake_views.home, name="home"),
    path("privacy/", intake_views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that do not name an icon (the admin's, for one).
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("review/", include("assessments.urls")),
    path("", include("intake.urls")),
]

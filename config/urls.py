from django.contrib import admin
from django.urls import include, path

from config import views
from intake import views as intake_views

# A database that does not answer gets a calm "try again in a minute" page, not a traceback.
handler500 = "config.views.server_error"

# Which of these are public and which need both sign-in factors: accounts/routes.py.
urlpatterns = [
    path("", intake_views.home, name="home"),
    path("privacy/", intake_views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that do not name an icon (the admin's, for one).
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("review/", include("assessments.urls")),
    path("", include("intake.urls")),
]

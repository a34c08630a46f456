from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Staff sign-in"

    def ready(self):
        from accounts import receivers  # noqa: F401


class StaffAdminConfig(admin_apps.AdminConfig):
    """The Django admin, behind the same two sign-in steps as every other staff page."""

    default = False
    default_site = "accounts.admin_site.StaffAdminSite"

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse


class StaffAdminSite(admin.AdminSite):
    site_header = "Case Intake administration"
    site_title = "Case Intake admin"

    def has_permission(self, request):
        # A password alone never opens the admin: the second factor must have been given too.
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request, extra_context=None):
        # One way in for staff: our own sign-in, with its lockout and second factor.
        if request.user.is_authenticated and request.user.is_verified():
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("accounts:login"))

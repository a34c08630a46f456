from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import routes, sessions

EXPIRED_MESSAGES = {
    "idle": "You were signed out after a while without activity, to keep case information safe. "
    "Please sign in again to go on.",
    "limit": "You were signed out because you had been signed in for a long time. "
    "Please sign in again to go on.",
}


class StaffSignInMiddleware:
    """Staff session time limits, and the second factor before any staff page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = sessions.expired(request)
            if reason:
                return self._signed_out(request, reason)
            sessions.touch(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not routes.is_public(request.resolver_match):
            return redirect_to_login(request.get_full_path(), reverse("accounts:second_factor"))
        return None

    def _signed_out(self, request, reason: str):
        # Back to the page they were on after signing in again; for a form that was posted, the page
        # that showed the form.
        back = request.get_full_path()
        if request.method != "GET":
            referer = request.META.get("HTTP_REFERER", "")
            safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
            parts = urlsplit(referer)
            back = f"{parts.path}?{parts.query}" if referer and safe else reverse("assessments:queue")
            back = back.rstrip("?")
        request.staff_signout_reason = reason
        logout(request)
        messages.info(request, EXPIRED_MESSAGES[reason])
        return redirect_to_login(back, reverse("accounts:login"))

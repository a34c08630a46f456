from urllib.parse import urlencode

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import factors, sessions
from accounts.forms import CodeForm, StaffAuthenticationForm
from accounts.sudo import sudo_required
from config.client import client_ip

NEW_RECOVERY_CODES = "accounts_new_recovery_codes"


def _next_url(request) -> str:
    """Where to go once signed in: a path on this site, never elsewhere (nor a view name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    local = candidate.startswith("/") and not candidate.startswith("//")
    if local and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class StaffLoginView(LoginView):
    """The first step: username and password. django-axes counts the failures (see settings)."""

    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_success_url(self):
        # A password opens a new session, never a verified one: the second step always follows.
        return _with_next("accounts:second_factor", super().get_success_url())


login = never_cache(StaffLoginView.as_view())


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers while a username is locked for this address."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
        .order_by("-attempt_time")
        .first()
    )
    until = (attempt.attempt_time if attempt else timezone.now()) + settings.AXES_COOLOFF_TIME
    context = {"until": until, "limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked_out.html", context, status=429)


@never_cache
@login_required
def second_factor(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not factors.has_second_factor(request.user):
        return redirect(_with_next("accounts:enrol", next_url))
    # Bound on every POST, an empty one too: a post without the field is told what is missing.
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = factors.verify(request, form.cleaned_data["code"])
        if outcome.ok:
            left = outcome.recovery_codes_left
            if left is not None:
                messages.warning(
                    request,
                    f"You signed in with a recovery code. You have {left} left. "
                    "If your phone is lost, ask a supervisor to reset your second factor.",
                )
            return redirect(next_url)
        form.add_error("code", outcome.error)
    return render(request, "accounts/second_factor.html", {"form": form, "next": next_url})


@never_cache
@login_required
def enrol(request):
    next_url = _next_url(request)
    if request.user.is_verified() or factors.has_second_factor(request.user):
        # Only a supervisor's reset lets someone set up a new authenticator, never a password alone.
        return redirect(_with_next("accounts:second_factor", next_url))
    device = factors.pending_device(request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome, codes = factors.enrol(request, form.cleaned_data["code"])
        if outcome.ok:
            request.session[NEW_RECOVERY_CODES] = codes
            return redirect(_with_next("accounts:recovery_codes", next_url))
        form.add_error("code", outcome.error)
    secret = factors.secret_base32(device)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": factors.qr_code_data_uri(device),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
    }
    return render(request, "accounts/enrol.html", context)


@never_cache
@login_required
def recovery_codes(request):
    if request.method == "POST":
        return _renew_recovery_codes(request)
    # Shown once: taken out of the session as they are shown.
    codes = request.session.pop(NEW_RECOVERY_CODES, None)
    device = factors.RecoveryCodeDevice.objects.filter(user=request.user).first()
    context = {
        "codes": codes,
        "left": device.remaining() if device else 0,
        "next": _next_url(request),
    }
    return render(request, "accounts/recovery_codes.html", context)


@sudo_required
def _renew_recovery_codes(request):
    request.session[NEW_RECOVERY_CODES] = factors.renew_recovery_codes(request)
    return redirect("accounts:recovery_codes")


@require_POST
def logout(request):
    auth_logout(request)
    messages.info(request, "You are signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
@login_required
def keep_alive(request):
    """Pressed "Stay signed in", or typing on a page: the middleware has already counted it."""
    return JsonResponse({"seconds_left": sessions.seconds_left(request)})


supervisor_only = permission_required("accounts.reset_second_factor", raise_exception=True)


@never_cache
@login_required
@supervisor_only
def staff(request):
    User = get_user_model()
    people = User.objects.filter(is_staff=True).prefetch_related("groups").order_by("-is_active", "username")
    enrolled = set(factors.TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    locked = set(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list(
            "username", flat=True
        )
    )
    rows = [
        {
            "user": person,
            "roles": ", ".join(g.name for g in person.groups.all()) or "No role",
            "enrolled": person.pk in enrolled,
            "locked": person.username in locked,
        }
        for person in people
    ]
    return render(request, "accounts/staff.html", {"rows": rows})


@require_POST
@never_cache
@login_required
@supervisor_only
@sudo_required
def reset_second_factor(request, username):
    person = get_object_or_404(get_user_model(), username=username, is_staff=True)
    if person == request.user:
        messages.error(request, "You cannot reset your own second factor. Please ask another supervisor.")
    else:
        factors.reset(user=person, by=request.user, request=request)
        messages.success(
            request,
            f"The second factor of {person.get_username()} is reset. They will set up a new authenticator "
            "app the next time they sign in.",
        )
    return redirect("accounts:staff")

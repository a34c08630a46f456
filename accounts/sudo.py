"""Sudo mode (as healthchecks calls it): bulk exports and changes of roles need the password or a
code given within the last STAFF_REAUTH_SECONDS.

Without a recent confirmation the person sees a confirmation page that carries what they asked
for; once they confirm, the request goes on exactly as they sent it.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render

from accounts import factors, sessions
from accounts.forms import ConfirmIdentityForm

MARKER = "confirm-identity"
ORIGINAL_METHOD = "confirm-method"
NOT_CARRIED = {"csrfmiddlewaretoken", MARKER, ORIGINAL_METHOD, "confirm-password", "confirm-code"}


def confirmation_needed(request):
    """A response asking the person to confirm who they are, or None when they recently did."""
    if sessions.recently_confirmed(request):
        return None
    confirming = request.method == "POST" and MARKER in request.POST
    form = ConfirmIdentityForm(request.POST if confirming else None)
    original_method = request.POST.get(ORIGINAL_METHOD, "POST") if confirming else request.method
    if confirming and form.is_valid():
        outcome = factors.confirm_identity(
            request, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
        )
        if outcome.ok:
            if original_method != "POST":
                return redirect(request.get_full_path())
            return None
        form.add_error(None, outcome.error)
    carried = []
    if request.method == "POST":
        carried = [
            (key, value)
            for key in request.POST
            if key not in NOT_CARRIED
            for value in request.POST.getlist(key)
        ]
    context = {
        "form": form,
        "carried": carried,
        "original_method": original_method,
        "reauth_minutes": settings.STAFF_REAUTH_SECONDS // 60,
    }
    return render(request, "accounts/confirm_identity.html", context)


def sudo_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return confirmation_needed(request) or view(request, *args, **kwargs)

    return wrapper

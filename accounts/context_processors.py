from django.conf import settings


def staff_session(request):
    """What the idle warning on staff pages needs (static/js/staff-session.js)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_verified()):
        return {}
    idle = settings.STAFF_IDLE_SECONDS
    return {
        "staff_session": {
            "idle_seconds": idle,
            "warning_seconds": min(settings.STAFF_IDLE_WARNING_SECONDS, idle // 2),
        }
    }

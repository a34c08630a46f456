"""Staff sessions: when they started, when they were last used, and ending them.

Family sessions are untouched: they keep their drafts and their own access lifetime
(FAMILY_ACCESS_HOURS). Everything here applies to signed-in staff only.
"""

import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from accounts.models import StaffSession
from config.client import client_ip

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN_AT = "staff_last_seen_at"
CONFIRMED_AT = "staff_confirmed_at"


def start(request) -> None:
    """The password was right: the clocks start now."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    # Also in the database, so that housekeeping's clearsessions removes abandoned staff sessions.
    request.session.set_expiry(settings.STAFF_SESSION_SECONDS)


def expired(request) -> str | None:
    """Why this staff session is over ("idle" or "limit"), or None while it is still good."""
    now = time.time()
    signed_in_at = request.session.get(SIGNED_IN_AT)
    last_seen_at = request.session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        # A session from before these clocks existed: treat it as started now.
        start(request)
        return None
    if now - signed_in_at > settings.STAFF_SESSION_SECONDS:
        return "limit"
    if now - last_seen_at > settings.STAFF_IDLE_SECONDS:
        return "idle"
    return None


def touch(request) -> None:
    # Saving the session costs a write; once every few seconds is precise enough for a timeout
    # counted in minutes, and every request when the timeout itself is seconds (tests).
    now = time.time()
    resolution = min(15, settings.STAFF_IDLE_SECONDS / 10)
    if now - request.session.get(LAST_SEEN_AT, 0) >= resolution:
        request.session[LAST_SEEN_AT] = now


def seconds_left(request) -> int:
    now = time.time()
    idle_left = settings.STAFF_IDLE_SECONDS - (now - request.session.get(LAST_SEEN_AT, now))
    limit_left = settings.STAFF_SESSION_SECONDS - (now - request.session.get(SIGNED_IN_AT, now))
    return max(0, int(min(idle_left, limit_left)))


def mark_confirmed(request) -> None:
    """The person just gave their password or a code: sensitive actions are open for a while."""
    request.session[CONFIRMED_AT] = time.time()


def recently_confirmed(request) -> bool:
    confirmed_at = request.session.get(CONFIRMED_AT)
    return confirmed_at is not None and time.time() - confirmed_at <= settings.STAFF_REAUTH_SECONDS


def track(request, user, *, previous_key: str | None = None) -> None:
    """Remember that this session belongs to this person, under its current key."""
    if previous_key:
        StaffSession.objects.filter(session_key=previous_key).delete()
    StaffSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "ip_address": client_ip(request)},
    )


def forget_ended() -> int:
    """Forget which person a session belonged to once the session itself is gone."""
    deleted, _ = StaffSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
    return deleted


def end_all(user, *, keep: str | None = None) -> int:
    """End every session of this person at once (deactivated, password reset, second factor reset)."""
    with transaction.atomic():
        keys = list(
            StaffSession.objects.filter(user=user)
            .exclude(session_key=keep or "")
            .values_list("session_key", flat=True)
        )
        Session.objects.filter(session_key__in=keys).delete()
        StaffSession.objects.filter(session_key__in=keys).delete()
    return len(keys)

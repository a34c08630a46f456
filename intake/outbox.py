"""Delivering the email outbox, with retries and backoff.

Each email is locked while it is sent (SKIP LOCKED), so several workers never send the same one, and
marked sent in the same transaction. If the process dies after the mail server accepted a message but
before the commit, that one message is sent again on recovery, under the same Message-ID, so that
mail systems treat it as the duplicate it is.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from intake.models import OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour between tries (about 8 hours in all)."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def message_id(email: OutboundEmail) -> str:
    """The same Message-ID every time this row is sent: if a worker dies between the mail server's
    "accepted" and our commit, the copy sent again is one that mail systems recognise as a duplicate."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox-{email.pk}-{int(email.created_at.timestamp())}@{domain}>"


def deliver_one(now=None) -> OutboundEmail | None:
    """Try the oldest due email, if there is one. Returns it, sent or not."""
    now = now or timezone.now()
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(state=OutboundEmail.State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if email is None:
            return None
        email.attempts += 1
        message = EmailMultiAlternatives(
            email.subject,
            email.body_text,
            to=[email.to],
            connection=get_connection(),
            headers={"Message-ID": message_id(email)},
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        try:
            message.send()
        except Exception as e:
            email.last_error = f"{type(e).__name__}: {e}"[:1000]
            if email.attempts >= MAX_ATTEMPTS:
                email.state = OutboundEmail.State.FAILED
            else:
                email.next_attempt_at = now + backoff(email.attempts)
            # Logged by id and kind only: the address and the text stay in the database.
            log.warning(
                "Email %s (%s) not sent, attempt %s: %s",
                email.pk,
                email.kind,
                email.attempts,
                type(e).__name__,
            )
        else:
            email.state = OutboundEmail.State.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at", "last_error"])
        return email


def deliver_due(limit: int = 100, now=None) -> int:
    """Send what is due now; returns how many were sent."""
    sent = 0
    tried = set()
    for _ in range(limit):
        email = deliver_one(now=now)
        if email is None or email.pk in tried:
            break
        tried.add(email.pk)
        sent += email.state == OutboundEmail.State.SENT
    return sent

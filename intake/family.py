"""The family's access to their private case page: signed links, one-time codes, and the session."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from intake import emails
from intake.models import AccessCode, Case, DraftLink, FamilyLink
from intake.ratelimit import over_limit
from intake.signals import case_event

SESSION_KEY = "family_access"
MAX_FAILED_ATTEMPTS = 5


def _hash(link: FamilyLink, code: str) -> str:
    return salted_hmac("intake.family-code", f"{link.id}:{code}").hexdigest()


def masked_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}"


def active_link(case: Case) -> FamilyLink:
    """The case's working link, or a new one when every link was revoked."""
    link = case.family_links.filter(revoked_at__isnull=True).order_by("-created_at").first()
    return link or FamilyLink.objects.create(case=case)


def issue_code(link: "FamilyLink | DraftLink") -> str | None:
    """A new one-time code for a case's family link or a draft's resume link, stored hashed.
    None when too many were sent for this link in the last hour. Call it inside a transaction."""
    if over_limit(
        "family_code", str(link.id), limit=settings.FAMILY_CODES_PER_HOUR, window=timedelta(hours=1)
    ):
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    AccessCode.objects.create(
        **{"draft_link" if isinstance(link, DraftLink) else "link": link},
        code_hash=_hash(link, code),
        expires_at=timezone.now() + timedelta(minutes=settings.FAMILY_CODE_MINUTES),
    )
    return code


def send_code(link: FamilyLink, *, ip: str | None) -> bool:
    """Email a one-time code. False when too many were sent for this link in the last hour."""
    with transaction.atomic():
        code = issue_code(link)
        if code is None:
            return False
        emails.queue_family_email(
            case=link.case,
            link=link,
            kind="access_code",
            template="access_code",
            code=code,
            minutes=settings.FAMILY_CODE_MINUTES,
        )
        case_event.send(sender=Case, case=link.case, action="family_code_sent", ip=ip, detail={})
    return True


def check_code(link: "FamilyLink | DraftLink", code: str) -> bool:
    """True if `code` is the newest unexpired code for this link. Each code allows a few tries."""
    code = "".join(code.split())
    with transaction.atomic():
        latest = (
            link.codes.select_for_update()
            .filter(used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if latest is None or latest.failed_attempts >= MAX_FAILED_ATTEMPTS:
            return False
        if constant_time_compare(_hash(link, code), latest.code_hash):
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
            return True
        latest.failed_attempts += 1
        latest.save(update_fields=["failed_attempts"])
        return False


def code_pending(link: "FamilyLink | DraftLink") -> bool:
    return link.codes.filter(
        used_at__isnull=True, expires_at__gt=timezone.now(), failed_attempts__lt=MAX_FAILED_ATTEMPTS
    ).exists()


def grant(request, link: "FamilyLink | DraftLink") -> None:
    until = timezone.now() + timedelta(hours=settings.FAMILY_ACCESS_HOURS)
    access = request.session.get(SESSION_KEY, {})
    access[str(link.id)] = until.isoformat()
    request.session[SESSION_KEY] = access
    request.session.cycle_key()  # a new session id once the person has proved who they are


def has_access(request, link: "FamilyLink | DraftLink") -> bool:
    until = request.session.get(SESSION_KEY, {}).get(str(link.id))
    return bool(until) and datetime.fromisoformat(until) > timezone.now()


def reissue_link(case: Case) -> FamilyLink:
    """Revoke every link of the case and make a new one."""
    case.family_links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return FamilyLink.objects.create(case=case)

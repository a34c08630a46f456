"""Finishing the case form later, in any browser, and one draft open in two browsers at once.

"Save and finish later" emails a private resume link (a DraftLink) to the address the family gives.
The link opens the same draft in any browser after a one-time code sent to that address (the same
codes as the family's case page, intake/family.py); it works until the draft expires,
INTAKE_DRAFT_EXPIRY_DAYS after its last change.

Two browsers on one draft: every page is saved on its own, under a row lock, so a page saved in one
browser never wipes out another page saved in the other. On the same page, the later save wins, and
the browser that saves over (or later shows) a page changed elsewhere says so.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from intake import emails, family
from intake.models import Case, Draft, DraftLink
from intake.ratelimit import over_limit
from intake.signals import case_event

BROWSER_KEY = "intake_browser"
SEEN_KEY = "intake_pages_seen"
# Answers typed on a page that did not pass its checks yet, kept when the family saves to finish later.
PARTIAL = "partial"


def expires_at(draft: Draft) -> datetime:
    """When the draft goes if nobody changes it again (each change moves this on)."""
    return draft.updated_at + timedelta(days=settings.INTAKE_DRAFT_EXPIRY_DAYS)


def is_expired(draft: Draft, now=None) -> bool:
    return expires_at(draft) <= (now or timezone.now())


def known_email(draft: Draft) -> str:
    """The contact email from the first page, if the family has typed one."""
    for answers in (draft.answers.get("about-you"), draft.answers.get(PARTIAL, {}).get("about-you")):
        email = ((answers or {}).get("contact_email") or [""])[0].strip()
        if email:
            return email
    return ""


def send_resume_link(*, draft: Draft, email: str, ip: str | None) -> bool:
    """Email a new resume link for the draft. False when several were sent in the last hour."""
    with transaction.atomic():
        if over_limit(
            "resume_link",
            str(draft.id),
            limit=settings.INTAKE_RESUME_EMAILS_PER_HOUR,
            window=timedelta(hours=1),
        ):
            return False
        link = DraftLink.objects.create(draft=draft, email=email)
        language = translation.get_language()  # the language of the page they asked from
        emails.queue_email(
            to=email,
            kind="resume_link",
            subject=emails.family_subject("resume_link", language=language),
            template="resume_link",
            context={"link_url": resume_url(link), "expires_at": expires_at(draft)},
            draft=draft,
            language=language,
        )
        _event("resume_link_sent", draft, ip)
    return True


def resume_url(link: DraftLink) -> str:
    return f"{settings.SITE_URL}/resume/{link.token}/"


def send_code(link: DraftLink, *, ip: str | None) -> bool:
    """Email a one-time code for the resume link. False when too many were sent in the last hour."""
    with transaction.atomic():
        code = family.issue_code(link)
        if code is None:
            return False
        language = translation.get_language()
        emails.queue_email(
            to=link.email,
            kind="draft_code",
            subject=emails.family_subject("draft_code", language=language),
            template="resume_code",
            context={"code": code, "minutes": settings.FAMILY_CODE_MINUTES},
            draft=link.draft,
            language=language,
        )
        _event("draft_code_sent", link.draft, ip)
    return True


def record_resumed(link: DraftLink, *, ip: str | None) -> None:
    with transaction.atomic():
        _event("draft_resumed", link.draft, ip)


def _event(action: str, draft: Draft, ip: str | None) -> None:
    # No case yet: the trail names the draft, never the email address.
    case_event.send(sender=Case, case=None, action=action, ip=ip, detail={"draft": str(draft.id)})


# Two browsers, one draft -------------------------------------------------------------------------


def browser_id(request) -> str:
    """A random name for this browser's session, to tell its saves from another browser's."""
    if BROWSER_KEY not in request.session:
        request.session[BROWSER_KEY] = secrets.token_hex(8)
    return request.session[BROWSER_KEY]


def saves_of(draft: Draft, slug: str) -> dict:
    return draft.page_saves.get(slug) or {"n": 0}


def changed_elsewhere_since_seen(request, draft: Draft, slug: str) -> datetime | None:
    """When another browser saved this page after this browser last saw or saved it, or None.
    Remembers that this browser has now seen the newest version."""
    saves = saves_of(draft, slug)
    seen = request.session.get(SEEN_KEY, {})
    changed = None
    if slug in seen and saves["n"] > seen[slug] and saves.get("by") != browser_id(request):
        changed = datetime.fromisoformat(saves["at"])
    if seen.get(slug) != saves["n"]:
        request.session[SEEN_KEY] = {**seen, slug: saves["n"]}
    return changed


def save_page(
    request, draft: Draft, slug: str, answers: dict, *, key: str | None = None, drop: tuple[str, ...] = ()
) -> tuple[Draft, bool]:
    """Store one page's answers (under `key` when they are not the page's finished answers), and
    forget what was kept of the page unfinished. The later save wins; the second value is True when
    this browser saved over a version of the page that another browser saved after this one showed
    it (the page_seen the form carried)."""

    def change(all_answers):
        all_answers[key or slug] = answers
        if key is None:
            all_answers.get(PARTIAL, {}).pop(slug, None)
        for name in drop:
            all_answers.pop(name, None)

    return _store(request, draft, slug, change)


def save_partial(request, draft: Draft, slug: str, answers: dict) -> tuple[Draft, bool]:
    """Keep what was typed on a page that is not complete yet, for "Save and finish later"."""
    return _store(
        request, draft, slug, lambda all_answers: all_answers.setdefault(PARTIAL, {}).update({slug: answers})
    )


def _store(request, draft: Draft, slug: str, change) -> tuple[Draft, bool]:
    browser = browser_id(request)
    seen_in_form = request.POST.get("page_seen", "")
    with transaction.atomic():
        # Locked and read again: every other page stays as the other browser left it.
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        saves = saves_of(locked, slug)
        changed = seen_in_form.isdigit() and int(seen_in_form) != saves["n"] and saves.get("by") != browser
        change(locked.answers)
        locked.page_saves[slug] = {"n": saves["n"] + 1, "by": browser, "at": timezone.now().isoformat()}
        locked.save(update_fields=["answers", "page_saves", "updated_at"])
    request.session[SEEN_KEY] = {**request.session.get(SEEN_KEY, {}), slug: saves["n"] + 1}
    return locked, changed

"""Every email is built here from templates and written to the outbox; `send_outbox` delivers it.

Emails never carry health details: only that something happened, the reference code and the private
link. Call these inside the transaction of the change that causes the email.

Emails to a family are written in the case's language (Case.language), whatever page or person
caused them; every other email is in English.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from intake.models import Case, FamilyLink, OutboundEmail

# The subject of each kind of email to a family.
FAMILY_SUBJECTS = {
    "case_received": _("We received your case %(reference)s"),
    "access_code": _("Your code to open your case"),
    "new_link": _("Your new private link"),
    "message": _("A new message about case %(reference)s"),
    "question": _("We have a question about case %(reference)s"),
    "report": _("Your report for case %(reference)s is ready"),
    "share_request": _("A question for you about case %(reference)s"),
    "deletion_received": _("We received your request to delete case %(reference)s"),
    "deletion_done": _("Your case %(reference)s has been deleted"),
    # Sent about the newer case, but names the earlier one: the reference to use from now on.
    "cases_merged": _("Please use reference %(reference)s from now on"),
    # Before there is a case: the form saved for later.
    "resume_link": _("Your link to finish your case form"),
    "draft_code": _("Your code to open your case form"),
}


def queue_email(
    *,
    to: str,
    kind: str,
    subject: str,
    template: str,
    context: dict,
    case=None,
    draft=None,
    language: str = "",
) -> OutboundEmail:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _queue_email(
            to=to, kind=kind, subject=subject, template=template, context=context, case=case, draft=draft
        )


def _queue_email(
    *, to: str, kind: str, subject: str, template: str, context: dict, case, draft
) -> OutboundEmail:
    context = {
        **context,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "ORGANISATION_EMAIL": settings.ORGANISATION_EMAIL,
        "ORGANISATION_PHONE": settings.ORGANISATION_PHONE,
        "SITE_URL": settings.SITE_URL,
        "subject": subject,
    }
    return OutboundEmail.objects.create(
        case=case,
        draft=draft,
        kind=kind,
        to=to,
        subject=f"{subject} [{settings.ORGANISATION_NAME}]",
        body_text=render_to_string(f"emails/{template}.txt", context).strip() + "\n",
        body_html=render_to_string(f"emails/{template}.html", context),
    )


def family_link_url(link: FamilyLink) -> str:
    return f"{settings.SITE_URL}/my-case/{link.token}/"


def family_subject(kind: str, *, reference: str = "", language: str) -> str:
    with translation.override(language):
        return FAMILY_SUBJECTS[kind] % {"reference": reference}


def queue_family_email(*, case: Case, link: FamilyLink, kind: str, template: str, **extra) -> OutboundEmail:
    """An email to the family about their case, in their language, with their private link."""
    return queue_email(
        to=case.contact_email,
        kind=kind,
        subject=family_subject(kind, reference=case.reference, language=case.language),
        template=template,
        context={
            "case": case,
            "kind": kind,
            "reference": case.reference,
            "link_url": family_link_url(link),
            **extra,
        },
        case=case,
        language=case.language,
    )


def queue_deletion_done(*, to: str, reference: str, language: str) -> OutboundEmail:
    """The last email about a case, sent as it is deleted: no link, since the case is gone."""
    return queue_email(
        to=to,
        kind="deletion_done",
        subject=family_subject("deletion_done", reference=reference, language=language),
        template="deletion_done",
        context={"reference": reference},
        language=language,
    )

"""Every email is built here from templates and written to the outbox; `send_outbox` delivers it.

Emails never carry health details: only that something happened, the reference code and the private
link. Call these inside the transaction of the change that causes the email.
"""

from django.conf import settings
from django.template.loader import render_to_string

from intake.models import Case, FamilyLink, OutboundEmail


def queue_email(
    *, to: str, kind: str, subject: str, template: str, context: dict, case=None, draft=None
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


def queue_family_email(*, case: Case, link: FamilyLink, kind: str, subject: str, template: str, **extra):
    return queue_email(
        to=case.contact_email,
        kind=kind,
        subject=subject,
        template=template,
        context={"case": case, "reference": case.reference, "link_url": family_link_url(link), **extra},
        case=case,
    )
